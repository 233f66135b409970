; Logistics (IPC-1998/2000), typed, with action costs: flying costs more than driving or handling.
(define (domain logistics)
  (:requirements :strips :typing :action-costs)
  (:types truck airplane - vehicle
          package vehicle - physobj
          airport location - place
          city place physobj - object)
  (:predicates (in-city ?l - place ?c - city)
               (at ?o - physobj ?l - place)
               (in ?p - package ?v - vehicle))
  (:functions (total-cost) - number)
  (:action load-truck
    :parameters (?p - package ?t - truck ?l - place)
    :precondition (and (at ?t ?l) (at ?p ?l))
    :effect (and (not (at ?p ?l)) (in ?p ?t) (increase (total-cost) 1)))
  (:action load-airplane
    :parameters (?p - package ?a - airplane ?l - airport)
    :precondition (and (at ?p ?l) (at ?a ?l))
    :effect (and (not (at ?p ?l)) (in ?p ?a) (increase (total-cost) 1)))
  (:action unload-truck
    :parameters (?p - package ?t - truck ?l - place)
    :precondition (and (at ?t ?l) (in ?p ?t))
    :effect (and (not (in ?p ?t)) (at ?p ?l) (increase (total-cost) 1)))
  (:action unload-airplane
    :parameters (?p - package ?a - airplane ?l - airport)
    :precondition (and (in ?p ?a) (at ?a ?l))
    :effect (and (not (in ?p ?a)) (at ?p ?l) (increase (total-cost) 1)))
  (:action drive-truck
    :parameters (?t - truck ?from - place ?to - place ?c - city)
    :precondition (and (at ?t ?from) (in-city ?from ?c) (in-city ?to ?c))
    :effect (and (not (at ?t ?from)) (at ?t ?to) (increase (total-cost) 2)))
  (:action fly-airplane
    :parameters (?a - airplane ?from - airport ?to - airport)
    :precondition (at ?a ?from)
    :effect (and (not (at ?a ?from)) (at ?a ?to) (increase (total-cost) 5))))
