"""pddl/ferry/*: a one-car ferry moves cars between ports along routes; sizes by ports and cars."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.generators.pddl import tasks
from reasonry.generators.pddl.model import Instance


@dataclass(frozen=True)
class FerryConfig(tasks.PddlConfig):
    ports: tuple[int, int] = (3, 5)
    cars: tuple[int, int] = (1, 3)

    def __post_init__(self):
        super().__post_init__()
        tasks.check_range(self, "ports", 2)
        tasks.check_range(self, "cars", 1)


class Ferry(tasks.Domain):
    name = "ferry"
    about = ("Ferry: a ferry that carries at most one car sails between ports, but only along the listed routes "
             "(sail). A car waiting at the ferry's port can board an empty ferry (board) and debark at the port "
             "where the ferry is (debark).")

    def draw(self, config: FerryConfig, rng: random.Random) -> Instance:
        ports = [f"port{i}" for i in range(1, rng.randint(*config.ports) + 1)]
        cars = [f"car{i}" for i in range(1, rng.randint(*config.cars) + 1)]
        # a ring keeps every port reachable; extra chords give the planner choices
        order = list(ports)
        rng.shuffle(order)
        edges = {(order[i], order[(i + 1) % len(order)]) for i in range(len(order))}
        for a in ports:
            for b in ports:
                if a < b and rng.random() < 0.3:
                    edges.add((a, b))
        routes = sorted({e for a, b in edges if a != b for e in ((a, b), (b, a))})
        start = {c: rng.choice(ports) for c in cars}
        goal = {c: rng.choice(ports) for c in cars}
        if goal == start:
            c = rng.choice(cars)
            goal[c] = rng.choice([p for p in ports if p != start[c]])
        init = [("at-ferry", rng.choice(ports)), ("empty-ferry",), *(("route", a, b) for a, b in routes)]
        init += [("at", c, start[c]) for c in cars]
        return Instance("ferry", f"ferry-{len(ports)}-{len(cars)}", (("port", tuple(ports)), ("car", tuple(cars))),
                        tuple(init), tuple(("at", c, goal[c]) for c in cars))

    def describe(self, inst: Instance) -> str:
        ferry = next(a[1] for a in inst.init if a[0] == "at-ferry")
        routes = ", ".join(f"{a[1]}-{a[2]}" for a in inst.init if a[0] == "route" and a[1] < a[2])
        cars = ", ".join(f"{a[1]} at {a[2]}" for a in inst.init if a[0] == "at")
        goal = ", ".join(f"{a[1]} at {a[2]}" for a in inst.goal)
        return (f"The empty ferry is at {ferry}. Routes (both directions): {routes}. Cars: {cars}. "
                f"Goal: {goal}.")

    # the knobs of this domain's tasks, and their difficulty levels (reasonry.levels)
    Config = FerryConfig
    levels = tasks.levels(
        {"ports": (3, 4), "cars": (1, 2)},
        {"ports": (4, 6), "cars": (2, 4)},
        {"ports": (6, 8), "cars": (4, 6)},
        {"ports": (8, 10), "cars": (6, 9)},
    )
    # the levels A* + LM-cut finishes within optimal_time_limit_s (bench/difficulty.py); larger ones time out:
    # plan_generation_optimal has only these
    optimal_levels = 3


DOMAIN = Ferry()
