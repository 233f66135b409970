"""pddl/blocksworld/*: stacks of blocks rearranged by one hand; sizes by the number of blocks."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.generators.pddl import tasks
from reasonry.generators.pddl.model import Instance


@dataclass(frozen=True)
class BlocksworldConfig(tasks.PddlConfig):
    blocks: tuple[int, int] = (3, 6)

    def __post_init__(self):
        super().__post_init__()
        tasks.check_range(self, "blocks", 2)


def _towers(blocks: list[str], rng: random.Random) -> list[list[str]]:
    order = list(blocks)
    rng.shuffle(order)
    towers: list[list[str]] = []
    for b in order:
        if towers and rng.random() < 0.6:
            rng.choice(towers).append(b)
        else:
            towers.append([b])
    return towers


def _facts(towers: list[list[str]]) -> list[tuple[str, ...]]:
    facts: list[tuple[str, ...]] = []
    for tower in towers:
        facts.append(("ontable", tower[0]))
        facts.extend(("on", upper, lower) for lower, upper in zip(tower, tower[1:], strict=False))
        facts.append(("clear", tower[-1]))
    return facts


class Blocksworld(tasks.Domain):
    name = "blocksworld"
    about = ("Blocksworld: blocks sit on a table or on one another. One hand can pick up a clear block from the "
             "table (pick-up), put the held block on the table (put-down), stack it on a clear block (stack) or "
             "take a clear block off another one (unstack); it holds at most one block.")

    def draw(self, config: BlocksworldConfig, rng: random.Random) -> Instance:
        n = rng.randint(*config.blocks)
        blocks = [f"b{i}" for i in range(1, n + 1)]
        for _ in range(20):
            start, goal = _towers(blocks, rng), _towers(blocks, rng)
            goal_atoms = [f for f in _facts(goal) if f[0] == "on"] or [f for f in _facts(goal) if f[0] == "ontable"]
            init = [*_facts(start), ("handempty",)]
            if not set(goal_atoms) <= set(init):
                break
        return Instance("blocksworld", f"blocks-{n}", (("block", tuple(blocks)),), tuple(init), tuple(goal_atoms))

    def describe(self, inst: Instance) -> str:
        on = {a[1]: a[2] for a in inst.init if a[0] == "on"}
        table = sorted(a[1] for a in inst.init if a[0] == "ontable")
        towers = []
        for bottom in table:
            tower, above = [bottom], {v: k for k, v in on.items()}
            while tower[-1] in above:
                tower.append(above[tower[-1]])
            towers.append(" on ".join(reversed(tower)) + " on the table")
        goal = "; ".join(f"{a[1]} on {a[2]}" if a[0] == "on" else f"{a[1]} on the table" for a in inst.goal)
        return (f"There are {len(inst.objects[0][1])} blocks and the hand is empty. Towers, top first: "
                f"{'; '.join(towers)}. Goal: {goal}.")

    # the knobs of this domain's tasks, and their difficulty levels (reasonry.levels)
    Config = BlocksworldConfig
    levels = tasks.levels(
        {"blocks": (3, 4)},
        {"blocks": (5, 6)},
        {"blocks": (7, 9)},
        {"blocks": (10, 12)},
        {"blocks": (13, 15)},
        {"blocks": (16, 18)},
    )
    # the levels A* + LM-cut finishes within optimal_time_limit_s (bench/difficulty.py); larger ones time out:
    # plan_generation_optimal has only these
    optimal_levels = 4


DOMAIN = Blocksworld()
