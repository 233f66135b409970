"""pddl/visitall/*: a robot on a grid must visit every cell; sizes by grid width and height."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.generators.pddl import tasks
from reasonry.generators.pddl.model import Instance
from reasonry.verifiers.pddl.strips import Atom


@dataclass(frozen=True)
class VisitallConfig(tasks.PddlConfig):
    width: tuple[int, int] = (2, 4)
    height: tuple[int, int] = (2, 3)

    def __post_init__(self):
        super().__post_init__()
        tasks.check_range(self, "width", 1)
        tasks.check_range(self, "height", 1)


class Visitall(tasks.Domain):
    name = "visitall"
    about = ("Visitall: a robot stands on a grid of cells and moves to a horizontally or vertically adjacent "
             "cell (move). Cell cX-Y is in column X and row Y. The cell it starts on counts as visited; every "
             "cell must be visited.")

    def draw(self, config: VisitallConfig, rng: random.Random) -> Instance:
        while True:
            w, h = rng.randint(*config.width), rng.randint(*config.height)
            if w * h >= 2:
                break
        cells = [f"c{x}-{y}" for y in range(h) for x in range(w)]
        init: list[Atom] = []
        for y in range(h):
            for x in range(w):
                for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                    if 0 <= x + dx < w and 0 <= y + dy < h:
                        init.append(("connected", f"c{x}-{y}", f"c{x + dx}-{y + dy}"))
        start = rng.choice(cells)
        init += [("at-robot", start), ("visited", start)]
        return Instance("visitall", f"grid-{w}x{h}", (("cell", tuple(cells)),), tuple(init),
                        tuple(("visited", c) for c in cells))

    def describe(self, inst: Instance) -> str:
        cells = inst.objects[0][1]
        start = next(a[1] for a in inst.init if a[0] == "at-robot")
        w = len({c.split("-")[0] for c in cells})
        h = len(cells) // w
        return f"The grid has {w} columns and {h} rows ({len(cells)} cells). The robot starts on {start}."

    # the knobs of this domain's tasks, and their difficulty levels (reasonry.levels)
    Config = VisitallConfig
    levels = tasks.levels(
        {"width": (2, 3), "height": (2, 2)},
        {"width": (3, 4), "height": (3, 3)},
        {"width": (4, 5), "height": (4, 4)},
        {"width": (5, 7), "height": (5, 6)},
    )
    # the levels A* + LM-cut finishes within optimal_time_limit_s (bench/difficulty.py); larger ones time out:
    # plan_generation_optimal has only these
    optimal_levels = 3


DOMAIN = Visitall()
