"""tail/bubble_sort: sort n distinct integers ascending, one comparison per state.

n is 2-4 / 5-6 / 7-8 for S / M / L; values are distinct integers drawn from ``value_range``. The answer is the
sorted list written ``[a, b, c]``.

Trace: bubble sort with the usual early exit. Pass p compares positions j and j + 1 for j = 0 .. n - 2 - p;
each state re-writes the two values it reads, writes the comparison, whether it swaps, and the whole list
after the step. A pass ends with its number of swaps; sorting stops after a pass without swaps or after pass
n - 2, whichever comes first.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import BUBBLE_SORT

TEMPLATES = (
    "Sort these numbers in ascending order with bubble sort: {items}.",
    "Use bubble sort to arrange {items} from smallest to largest.",
    "Put the list {lst} in increasing order.",
    "Sort the list {lst} ascending.",
    "Arrange the following numbers from least to greatest: {items}.",
    "What is the list {lst} after sorting it in ascending order?",
    "Apply bubble sort to {lst}. What is the sorted list?",
    "Order these integers from the smallest to the largest: {items}.",
    "Give the ascending order of the numbers {items}.",
    "Sort in non-decreasing order: {lst}.",
    "Rearrange {lst} so that every number is smaller than the one after it.",
    "Bubble-sort the array {lst} and write the result.",
    "A teacher writes the scores {items} on the board. List them from lowest to highest.",
    "These are the heights of some towers: {items}. Sort them in ascending order.",
    "Run bubble sort on the sequence {lst} and report the final sequence.",
    "Sort {lst} (ascending). Answer with the sorted list.",
    "What do you get when you sort {items} in ascending order?",
    "Here is a list of numbers: {lst}. Please sort it from small to large.",
    "Using repeated swaps of neighbouring elements, sort {lst} in increasing order.",
    "List the numbers {items} in increasing order.",
    "Given the array {lst}, return it sorted ascending.",
    "Sort the following values in ascending order by bubble sort.\n{lines}",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (2, 4), "M": (5, 6), "L": (7, 8)}


@dataclass(frozen=True)
class BubbleSortConfig(TailConfig):
    value_range: tuple[int, int] = (-999, 999)
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        low, high = self.value_range
        require(low <= high, "value_range", "must be [low, high] with low <= high")
        for bucket, (n_low, n_high) in self.sizes.items():
            require(n_low >= 2, f"sizes.{bucket}", "a list to sort has at least two numbers")
            require(high - low + 1 >= n_high, f"sizes.{bucket}", "value_range is too small for n distinct numbers")


def show(values: list[int]) -> str:
    return "[" + ", ".join(map(str, values)) + "]"


def sort_trace(values: list[int], rendering: Rendering) -> tuple[str, list[str]]:
    """The sorted list and its TAIL trace lines (without the final-answer line)."""
    write = BUBBLE_SORT.writer(rendering)
    a = list(values)
    n = len(a)
    lines = [write("header", list=show(a))]
    for p in range(n - 1):
        swaps = 0
        for j in range(n - 1 - p):
            x, y = a[j], a[j + 1]
            swap = x > y
            if swap:
                a[j], a[j + 1] = y, x
                swaps += 1
            lines.append(write("swap" if swap else "keep", p=p, j=j, k=j + 1, x=x, y=y, list=show(a)))
            if j + 1 < n - 1 - p:
                lines.append(write("move", p=p, j=j, np=p, nj=j + 1))
        lines.append(write("end_pass", p=p, swaps=swaps))
        if swaps == 0 or p == n - 2:
            break
        lines.append(write("move", p=p, j=n - 2 - p, np=p + 1, nj=0))
    lines.append(write("result", list=show(a)))
    return show(a), lines


class BubbleSortTask(TailTask):
    Config = BubbleSortConfig
    answer_type = "list"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: BubbleSortConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        low, high = config.value_range
        values = rng.sample(range(low, high + 1), n)
        template, prompt = self.pose(rng, items=", ".join(map(str, values)), lst=show(values),
                                     lines="\n".join(map(str, values)))
        answer, lines = sort_trace(values, config.rendering)
        return self.finish(key, config, problem={"values": values}, template=template, prompt=prompt,
                           answer=answer, trace_lines=lines, spec={"values": values}, difficulty={"n": n})

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        """Two neighbours swapped: the same numbers, out of order."""
        values = record["verifier"]["spec"]["values"]
        ordered = sorted(values)
        i = rng.randrange(len(ordered) - 1)
        ordered[i], ordered[i + 1] = ordered[i + 1], ordered[i]
        return show(ordered)
