; Visitall (IPC-2011), typed: a robot on a grid with holes must visit the goal cells.
(define (domain visitall)
  (:requirements :strips :typing)
  (:types cell)
  (:predicates (at-robot ?c - cell)
               (visited ?c - cell)
               (connected ?from - cell ?to - cell))
  (:action move
    :parameters (?from - cell ?to - cell)
    :precondition (and (at-robot ?from) (connected ?from ?to))
    :effect (and (at-robot ?to) (not (at-robot ?from)) (visited ?to))))
