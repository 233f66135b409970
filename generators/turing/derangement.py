"""tail/derangement: the number of derangements D(n) of n items (permutations with no fixed point).

n is 3-30 / 31-60 / 61-100 for S / M / L; the answer is the exact integer D(n) (158 digits for n = 100).

Trace: the recursion D(k) = (k - 1) * (D(k - 1) + D(k - 2)), D(0) = 1, D(1) = 0, unrolled. First the calls
going down, one per line (D(k) needs D(k - 1) and D(k - 2)), then the base cases, then the returns going up:
state k re-writes the two values it reads, writes their sum and then (k - 1) times the sum. The trace ends with
D(n).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import DERANGEMENT

TEMPLATES = (
    "How many derangements of {n} items are there?",
    "Count the permutations of {n} elements in which no element stays in its original position.",
    "What is the number of derangements D({n})?",
    "{n} people each bring a hat; the hats are handed back so that nobody gets their own. In how many ways "
    "can this happen?",
    "Compute the subfactorial !{n}.",
    "In how many ways can {n} letters be put into their {n} addressed envelopes so that every letter is in a "
    "wrong envelope?",
    "Find the number of permutations of {{1, ..., {n}}} with no fixed points.",
    "Calculate D({n}), where D(k) counts derangements of k objects.",
    "How many ways can {n} students grade each other's tests so that no one grades their own?",
    "A secret-santa draw among {n} people must not let anyone draw themselves. How many valid draws are "
    "there?",
    "Using D(k) = (k-1)(D(k-1) + D(k-2)) with D(0) = 1 and D(1) = 0, compute D({n}).",
    "Give the exact number of derangements of a set with {n} elements.",
    "How many fixed-point-free permutations of {n} items exist?",
    "{n} coats are returned at random to their {n} owners. Count the ways in which nobody gets their own coat.",
    "Determine the number of ways to rearrange {n} distinct objects so that none is in its starting place.",
    "What is !{n} (the number of derangements of {n} objects)?",
    "Count the derangements of an ordered list of length {n}.",
    "Evaluate the derangement number for n = {n}.",
    "How many permutations p of {n} positions satisfy p(i) != i for every i?",
    "{n} keys are put back on {n} hooks, one per hook. In how many ways is no key on its own hook?",
    "Work out the count of complete derangements of {n} items, exactly.",
    "Find D({n}), the number of permutations of {n} things that leave nothing in place.",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (3, 30), "M": (31, 60), "L": (61, 100)}


@dataclass(frozen=True)
class DerangementConfig(TailConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        for bucket, (low, high) in self.sizes.items():
            require(low >= 2, f"sizes.{bucket}", "n must be at least 2")
            require(high <= 2000, f"sizes.{bucket}", "n above 2000 makes traces of megabytes")


def derangement_trace(n: int, rendering: Rendering) -> tuple[str, list[str]]:
    """D(n) and its TAIL trace lines (without the final-answer line)."""
    write = DERANGEMENT.writer(rendering)
    lines = [write("call", k=k, k1=k - 1, k2=k - 2) for k in range(n, 1, -1)]
    lines.append(write("base"))
    before, last = 1, 0  # D(k - 2), D(k - 1)
    for k in range(2, n + 1):
        total = last + before
        value = (k - 1) * total
        lines.append(write("state", k=k, k1=k - 1, k2=k - 2, last=last, before=before, total=total, value=value))
        if k < n:
            lines.append(write("move", i=k, next=k + 1))
        before, last = last, value
    lines.append(write("result", n=n, value=last))
    return str(last), lines


class DerangementTask(TailTask):
    Config = DerangementConfig
    answer_type = "integer"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: DerangementConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        template, prompt = self.pose(rng, n=n)
        answer, lines = derangement_trace(n, config.rendering)
        return self.finish(key, config, problem={"n": n}, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec={"n": n}, difficulty={"n": n})

    def capacity(self, config: DerangementConfig, bucket: str | None) -> int:
        low, high = self.size_range(config, bucket)
        return high - low + 1  # the problem is n alone
