"""Checks for tail/derangement: D(n) by inclusion-exclusion, and a replay of the unrolled recursion."""

from __future__ import annotations

from collections.abc import Iterator
from math import factorial

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay, same_integer
from reasonry.verifiers.turing.shapes import DERANGEMENT

MAX_N = 2000


def answer(spec: dict) -> str:
    n = int(spec["n"])
    if not 0 <= n <= MAX_N:
        raise ValueError(f"n={n} is outside [0, {MAX_N}]")
    # inclusion-exclusion over the set of fixed points: sum_k (-1)^k n!/k!
    return str(sum((-1) ** k * (factorial(n) // factorial(k)) for k in range(n + 1)))


same = same_integer


def _recursion(n: int) -> Iterator[State]:
    for k in range(n, 1, -1):
        yield "call", {"k": k, "k1": k - 1, "k2": k - 2}
    yield "base", {}
    memo = {0: 1, 1: 0}
    for k in range(2, n + 1):
        one, two = memo[k - 1], memo[k - 2]
        memo[k] = (k - 1) * (one + two)
        yield "state", {"k": k, "k1": k - 1, "k2": k - 2, "last": one, "before": two, "total": one + two,
                        "value": memo[k]}
        if k != n:
            yield "move", {"i": k, "next": k + 1}
    yield "result", {"n": n, "value": memo[n]}


def check_trace(spec: dict, trace: str) -> Verdict:
    n = int(spec["n"])
    if not 2 <= n <= MAX_N:
        return Verdict.no(f"spec n={n} is outside [2, {MAX_N}]")
    gold = answer(spec)
    return replay(trace, DERANGEMENT, _recursion(n), lambda final: same(final, gold))
