; Ferry: a ferry that holds one car at a time shuttles cars between ports.
(define (domain ferry)
  (:requirements :strips :typing)
  (:types car port)
  (:predicates (at-ferry ?p - port)
               (at ?c - car ?p - port)
               (on ?c - car)
               (empty-ferry)
               (route ?from - port ?to - port))
  (:action sail
    :parameters (?from - port ?to - port)
    :precondition (and (at-ferry ?from) (route ?from ?to))
    :effect (and (at-ferry ?to) (not (at-ferry ?from))))
  (:action board
    :parameters (?c - car ?p - port)
    :precondition (and (at ?c ?p) (at-ferry ?p) (empty-ferry))
    :effect (and (on ?c) (not (at ?c ?p)) (not (empty-ferry))))
  (:action debark
    :parameters (?c - car ?p - port)
    :precondition (and (on ?c) (at-ferry ?p))
    :effect (and (at ?c ?p) (empty-ferry) (not (on ?c)))))
