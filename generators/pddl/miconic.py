"""pddl/miconic/*: an elevator serves passengers between floors; sizes by floors and passengers."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.generators.pddl import tasks
from reasonry.generators.pddl.model import Instance
from reasonry.verifiers.pddl.strips import Atom


@dataclass(frozen=True)
class MiconicConfig(tasks.PddlConfig):
    floors: tuple[int, int] = (3, 6)
    passengers: tuple[int, int] = (1, 3)

    def __post_init__(self):
        super().__post_init__()
        tasks.check_range(self, "floors", 2)
        tasks.check_range(self, "passengers", 1)


class Miconic(tasks.Domain):
    name = "miconic"
    about = ("Miconic: an elevator moves between floors (up, down; (above f1 f2) means floor f2 is higher than "
             "floor f1). A passenger boards at their origin floor when the elevator is there (board) and is "
             "served by departing at their destination floor (depart). Every passenger must be served.")

    def draw(self, config: MiconicConfig, rng: random.Random) -> Instance:
        floors = [f"f{i}" for i in range(rng.randint(*config.floors))]
        people = [f"p{i}" for i in range(1, rng.randint(*config.passengers) + 1)]
        init: list[Atom] = [("above", floors[i], floors[j])
                            for i in range(len(floors)) for j in range(i + 1, len(floors))]
        init.append(("lift-at", rng.choice(floors)))
        for p in people:
            origin, destin = rng.sample(floors, 2)
            init += [("origin", p, origin), ("destin", p, destin)]
        return Instance("miconic", f"miconic-{len(floors)}-{len(people)}",
                        (("floor", tuple(floors)), ("passenger", tuple(people))), tuple(init),
                        tuple(("served", p) for p in people))

    def describe(self, inst: Instance) -> str:
        lift = next(a[1] for a in inst.init if a[0] == "lift-at")
        origin = {a[1]: a[2] for a in inst.init if a[0] == "origin"}
        destin = {a[1]: a[2] for a in inst.init if a[0] == "destin"}
        trips = ", ".join(f"{p} from {origin[p]} to {destin[p]}" for p in origin)
        floors = inst.objects[0][1]
        return (f"Floors from bottom to top: {', '.join(floors)}. The elevator is at {lift}. Passengers: {trips}.")

    # the knobs of this domain's tasks, and their difficulty levels (reasonry.levels)
    Config = MiconicConfig
    levels = tasks.levels(
        {"floors": (3, 4), "passengers": (1, 2)},
        {"floors": (4, 6), "passengers": (2, 4)},
        {"floors": (6, 9), "passengers": (4, 6)},
        {"floors": (9, 12), "passengers": (6, 9)},
    )
    # the levels A* + LM-cut finishes within optimal_time_limit_s (bench/difficulty.py); larger ones time out:
    # plan_generation_optimal has only these
    optimal_levels = 3


DOMAIN = Miconic()
