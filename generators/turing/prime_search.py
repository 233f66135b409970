"""tail/prime_search: all primes p with n <= p <= m, by trial division, one division per state.

m is the size parameter: 5-100 (S), 101-200 (M), 201-300 (L); n is drawn from 1..m. The answer lists the
primes in increasing order, ``2, 3, 5``, or ``none`` when the range holds no prime.

The trace enumerates k = n..m. For each k it tries the divisors d = 2, 3, 5, 7, 9, ... (2, then the odd
numbers); each state re-writes k and d, compares d*d with k and, while d*d <= k, computes k mod d. A zero
remainder ends k as composite; d*d > k ends it as prime; numbers below 2 are not prime.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import PRIME_SEARCH

NONE = "none"
_FORMAT = " List them in increasing order separated by commas, or answer none if there are none."

_QUESTIONS = (
    "Find all prime numbers between {n} and {m}, inclusive.",
    "List every prime p with {n} <= p <= {m}.",
    "Which numbers from {n} to {m} (inclusive) are prime?",
    "What are the primes in the interval [{n}, {m}]?",
    "Give all primes that are at least {n} and at most {m}.",
    "Search the range {n}..{m} for prime numbers.",
    "Enumerate the prime numbers in [{n}, {m}].",
    "Using trial division, find every prime between {n} and {m} (both ends included).",
    "Identify all the primes among the integers {n}, {n_next}, ..., {m}.",
    "Write down the prime numbers from {n} up to {m}.",
    "Which integers k with {n} <= k <= {m} have no divisors other than 1 and themselves (and are greater "
    "than 1)?",
    "A lock opens with any prime code between {n} and {m}. Which codes work?",
    "Find the set of primes in the closed interval from {n} to {m}.",
    "List all primes not smaller than {n} and not larger than {m}.",
    "Determine which of the numbers {n} through {m} are prime.",
    "Prime search: lower bound {n}, upper bound {m}, bounds included.",
    "How would you list every prime between {n} and {m}? Give the list.",
    "Return all prime numbers p such that p >= {n} and p <= {m}.",
    "Check each integer from {n} to {m} and report the primes.",
    "Among the whole numbers from {n} to {m}, which are prime?",
    "Collect the primes in the range {n} to {m}, inclusive of both ends.",
    "Name all primes that lie between {n} and {m}, including {n} and {m} themselves if they are prime.",
)
TEMPLATES = tuple(q + _FORMAT for q in _QUESTIONS)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (5, 100), "M": (101, 200), "L": (201, 300)}


@dataclass(frozen=True)
class PrimeSearchConfig(TailConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "the upper bound m is at least 1")


def search_trace(n: int, m: int, rendering: Rendering) -> tuple[str, list[str]]:
    """The primes (answer text) and the trace lines (without the final-answer line)."""
    write = PRIME_SEARCH.writer(rendering)
    lines = [write("range", n=n, m=m)]
    primes = []
    for k in range(n, m + 1):
        if k < 2:
            lines.append(write("small", k=k))
            continue
        d = 2
        while True:
            square = d * d
            if square > k:
                primes.append(k)
                lines.append(write("prime", k=k, d=d, square=square))
                break
            r = k % d
            if r == 0:
                lines.append(write("composite", k=k, d=d, square=square))
                break
            lines.append(write("next", k=k, d=d, square=square, r=r))
            d = 3 if d == 2 else d + 2
    answer = ", ".join(map(str, primes)) or NONE
    lines.append(write("result", primes=answer))
    return answer, lines


class PrimeSearchTask(TailTask):
    Config = PrimeSearchConfig
    answer_type = "list"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: PrimeSearchConfig, key: ItemKey, rng: random.Random) -> dict | None:
        m = self.draw_size(config, key, rng)
        n = rng.randint(1, m)
        template, prompt = self.pose(rng, n=n, m=m, n_next=n + 1)
        answer, lines = search_trace(n, m, config.rendering)
        problem = {"n": n, "m": m}
        count = 0 if answer == NONE else answer.count(",") + 1
        return self.finish(key, config, problem=problem, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec=problem, difficulty={"m": m, "width": m - n + 1, "primes": count})

    def capacity(self, config, bucket: str | None) -> int:
        low, high = self.size_range(config, bucket)
        return sum(range(low, high + 1))  # the problem is (n, m) with 1 <= n <= m
