"""Metrics of an eval, per item and per group of items (a task and length bucket).

Per item with ``n`` graded samples of which ``c`` are correct:

- pass@1: ``c / n`` (the mean over samples);
- pass@k: the unbiased estimator of Chen et al. (2021), ``1 - C(n-c, k) / C(n, k)``: the chance that at least
  one of ``k`` samples drawn without replacement from the ``n`` is correct;
- maj@k: 1 when the most common extracted answer (by ``reasonry.answers.vote_key``; ties go to the answer seen
  first) is one that a correct sample stated, else 0; an item whose samples state no answer scores 0.

A group reports the mean of each over its items, with a 95% **Wilson score interval** for pass@1: the
proportion is pass@1 and the count is the number of items, not samples, because samples of one item are
correlated (with k=1 this is the textbook Wilson interval). The difference between two groups (``--compare``)
gets Newcombe's hybrid score interval built from the two Wilson intervals; it treats the models as independent,
which is conservative when both answered the same items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from ``n`` samples with ``c`` correct (needs ``k <= n``)."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    # product form of 1 - C(n-c, k) / C(n, k): no huge binomials
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def wilson(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``p`` observed over ``n`` trials; (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(p1: float, lo1: float, hi1: float, p2: float, lo2: float, hi2: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval of ``p1 - p2`` from each proportion's own (Wilson) interval."""
    d = p1 - p2
    return d - math.sqrt((p1 - lo1) ** 2 + (hi2 - p2) ** 2), d + math.sqrt((hi1 - p1) ** 2 + (p2 - lo2) ** 2)


@dataclass(frozen=True)
class ItemScore:
    """One item's graded samples, reduced to what the metrics need."""

    n: int                 # samples graded
    correct: int           # samples that verified
    no_answer: int         # samples with no extractable answer
    majority_correct: bool
    output_tokens: int     # summed over the samples


def majority_correct(answers: list[str | None], keys: list[str | None], correct: list[bool]) -> bool:
    """maj@k of one item: is the most common answer key (first seen wins a tie) a key of a correct sample?"""
    counts: dict[str, int] = {}
    for key in keys:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return False
    order = list(counts)
    best = max(order, key=lambda k: (counts[k], -order.index(k)))
    return any(ok and key == best for key, ok in zip(keys, correct, strict=True))


def summarize_group(items: list[ItemScore], k: int, errors: int = 0) -> dict:
    """The metrics of one group of items, each sampled ``k`` times (``pass_at_k`` and ``maj_at_k`` are at
    that k; the report names the k)."""
    m = len(items)
    samples = sum(i.n for i in items)
    if not m:
        return {"items": 0, "errors": errors, "samples": 0, "pass_at_1": None, "pass_at_1_ci95": None,
                "pass_at_k": None, "maj_at_k": None, "mean_output_tokens": None, "no_answer_share": None}
    p1 = sum(i.correct / i.n for i in items) / m
    lo, hi = wilson(p1, m)
    return {
        "items": m,
        "errors": errors,
        "samples": samples,
        "pass_at_1": p1,
        "pass_at_1_ci95": [lo, hi],
        "pass_at_k": sum(pass_at_k(i.n, i.correct, k) for i in items) / m,
        "maj_at_k": sum(1 for i in items if i.majority_correct) / m,
        "mean_output_tokens": sum(i.output_tokens for i in items) / samples,
        "no_answer_share": sum(i.no_answer for i in items) / samples,
    }
