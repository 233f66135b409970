"""tail/binary_search: the index of a value in a strictly increasing list, one halving per state.

The size parameter is the list's length n: 5-20 (S), 21-40 (M), 41-70 (L); the numbers are distinct integers
in [low, high]. With probability ``missing_probability`` the value sought is not in the list; the answer is
then -1, otherwise the value's 0-based index. Every prompt states both conventions.

The search keeps an inclusive range {lo,hi}, starting at {0,n-1}; each state re-writes the numbers of its
range and the value sought, looks at mid = (lo+hi) // 2 and either stops (equal), continues with
{lo,mid-1} (s_mid greater) or {mid+1,hi} (s_mid smaller). An empty range (lo > hi) is a state of its own
that stops with -1, as in the paper's terse binary-search trace.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.lines import spaced
from reasonry.verifiers.turing.shapes import BINARY_SEARCH

TEMPLATES = (
    "The list {numbers} is sorted in increasing order. At which 0-based index is {target}? Answer -1 if it is "
    "not in the list.",
    "Use binary search to find {target} in {numbers}. Give its index counting from 0, or -1 if it is absent.",
    "In the increasing sequence {numbers}, what is the position (starting at 0) of {target}? If {target} does "
    "not occur, answer -1.",
    "Find the 0-based index of {target} in the sorted array {numbers}; return -1 when it is missing.",
    "Sorted list: {numbers}. Target: {target}. Index (0-based, -1 if not found)?",
    "Binary-search the ascending list {numbers} for the value {target}. Report its zero-based index, or -1 if "
    "the value is not there.",
    "Where does {target} appear in {numbers}? Indices start at 0; say -1 if it never appears.",
    "Given the strictly increasing numbers {numbers}, return the index of {target} (first element has index 0) "
    "or -1 if {target} is not among them.",
    "A sorted table holds {numbers}. Which slot, numbered from 0, contains {target}? Use -1 for none.",
    "Locate {target} in the sorted list {numbers} by repeatedly halving the search range. What is its 0-based "
    "index? Answer -1 if it is not present.",
    "What index does the value {target} have in the array {numbers}? Count from 0 and use -1 if it is missing.",
    "Search for {target} in {numbers} (sorted ascending). Output the zero-based index, or -1 when the search "
    "fails.",
    "The ascending list is {numbers}. Determine the 0-indexed position of {target}, or -1 if it does not occur.",
    "Is {target} in the sorted list {numbers}? If so give its index starting from 0; otherwise give -1.",
    "Perform a binary search for {target} over {numbers}. What index (0-based) does it return? It returns -1 "
    "for a value that is not in the list.",
    "An ordered list of readings is {numbers}. At what 0-based position is the reading {target}? Answer -1 if "
    "there is no such reading.",
    "Find {target} in {numbers}. Positions are numbered 0, 1, 2, ...; answer -1 if the number is not listed.",
    "Return the index of {target} in the sorted list {numbers}, using 0-based indexing and -1 for not found.",
    "With indices starting at 0, which index holds {target} in {numbers}? If none does, reply -1.",
    "Binary search: array {numbers}, key {target}. Give the key's 0-based index or -1 if the key is absent.",
    "The numbers {numbers} are in increasing order. Find the zero-based index of {target}; if {target} is "
    "missing, the answer is -1.",
    "Look up {target} in the sorted list {numbers} by binary search and give its index from 0 (or -1 when it "
    "cannot be found).",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (5, 20), "M": (21, 40), "L": (41, 70)}


@dataclass(frozen=True)
class BinarySearchConfig(TailConfig):
    low: int = -9999
    high: int = 9999
    missing_probability: float = 0.1
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        require(0.0 <= self.missing_probability <= 1.0, "missing_probability", "must be in [0, 1]")
        longest = max((high for _low, high in {**DEFAULT_SIZES, **self.sizes}.values()))
        require(self.high - self.low >= longest, "high",
                f"[low, high] must hold more than the longest list ({longest}) so a missing value exists")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "the list has at least one number")


def search_trace(numbers: list[int], target: int, rendering: Rendering) -> tuple[int, list[str]]:
    """The answer (index or -1) and its TAIL trace lines (without the final-answer line)."""
    write = BINARY_SEARCH.writer(rendering)
    lines: list[str] = []
    lo, hi = 0, len(numbers) - 1
    while True:
        if lo > hi:
            lines.append(write("empty", lo=lo, hi=hi, x=target))
            return -1, lines
        mid = (lo + hi) // 2
        value = numbers[mid]
        fetched = spaced(f"s{k}={numbers[k]}" for k in range(lo, hi + 1))
        kind = "greater" if value > target else "less" if value < target else "equal"
        lines.append(write(kind, lo=lo, hi=hi, fetched=fetched, x=target, mid=mid, v=value))
        if value == target:
            return mid, lines
        nlo, nhi = (lo, mid - 1) if value > target else (mid + 1, hi)
        lines.append(write("move", lo=lo, hi=hi, nlo=nlo, nhi=nhi))
        lo, hi = nlo, nhi


class BinarySearchTask(TailTask):
    Config = BinarySearchConfig
    answer_type = "integer"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: BinarySearchConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        missing = rng.random() < config.missing_probability
        # one extra distinct number to serve as an absent target: no rejection loop, any density works
        pool = rng.sample(range(config.low, config.high + 1), n + 1)
        if missing:
            target = pool.pop(rng.randrange(n + 1))
        else:
            pool.pop()
            target = rng.choice(pool)
        numbers = sorted(pool)
        template, prompt = self.pose(rng, numbers="[" + ", ".join(map(str, numbers)) + "]", target=target)
        index, lines = search_trace(numbers, target, config.rendering)
        problem = {"numbers": numbers, "target": target}
        return self.finish(key, config, problem=problem, template=template, prompt=prompt, answer=str(index),
                           trace_lines=lines, spec=dict(problem),
                           difficulty={"n": n, "missing": missing, "states": (len(lines) + 1) // 2})
