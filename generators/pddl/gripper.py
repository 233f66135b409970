"""pddl/gripper/*: a two-handed robot carries balls between rooms; sizes by rooms and balls."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.generators.pddl import tasks
from reasonry.generators.pddl.model import Instance
from reasonry.verifiers.pddl.strips import Atom


@dataclass(frozen=True)
class GripperConfig(tasks.PddlConfig):
    rooms: tuple[int, int] = (2, 3)
    balls: tuple[int, int] = (2, 5)

    def __post_init__(self):
        super().__post_init__()
        tasks.check_range(self, "rooms", 2)
        tasks.check_range(self, "balls", 1)


class Gripper(tasks.Domain):
    name = "gripper"
    about = ("Gripper: a robot with two grippers (left and right) moves between rooms. It can pick up a ball in "
             "its room with a free gripper (pick), drop a carried ball in its room (drop) and move between any "
             "two rooms (move).")

    def draw(self, config: GripperConfig, rng: random.Random) -> Instance:
        rooms = [f"room{i}" for i in range(1, rng.randint(*config.rooms) + 1)]
        balls = [f"ball{i}" for i in range(1, rng.randint(*config.balls) + 1)]
        start = {b: rng.choice(rooms) for b in balls}
        goal = {b: rng.choice(rooms) for b in balls}
        if goal == start:
            b = rng.choice(balls)
            goal[b] = rng.choice([r for r in rooms if r != start[b]])
        init: list[Atom] = [("at-robby", rng.choice(rooms)), ("free", "left"), ("free", "right")]
        init += [("at", b, start[b]) for b in balls]
        objects = (("room", tuple(rooms)), ("ball", tuple(balls)), ("gripper", ("left", "right")))
        return Instance("gripper", f"gripper-{len(rooms)}-{len(balls)}", objects, tuple(init),
                        tuple(("at", b, goal[b]) for b in balls))

    def describe(self, inst: Instance) -> str:
        robot = next(a[1] for a in inst.init if a[0] == "at-robby")
        where = ", ".join(f"{a[1]} in {a[2]}" for a in inst.init if a[0] == "at")
        goal = ", ".join(f"{a[1]} in {a[2]}" for a in inst.goal)
        return f"The robot is in {robot} with both grippers free. Balls: {where}. Goal: {goal}."

    # the knobs of this domain's tasks, and their difficulty levels (reasonry.levels)
    Config = GripperConfig
    levels = tasks.levels(
        {"rooms": (2, 2), "balls": (2, 3)},
        {"rooms": (2, 3), "balls": (4, 6)},
        {"rooms": (3, 4), "balls": (6, 9)},
        {"rooms": (4, 5), "balls": (10, 14)},
    )
    # the levels A* + LM-cut finishes within optimal_time_limit_s (bench/difficulty.py); larger ones time out:
    # plan_generation_optimal has only these
    optimal_levels = 3


DOMAIN = Gripper()
