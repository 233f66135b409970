"""Checks for tail/derangement: D(n) by inclusion-exclusion, and a replay of the unrolled recursion."""

from __future__ import annotations

from math import factorial

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import same_integer
from reasonry.verifiers.turing.stepcheck import Form, walk

CALL = (Form("Call D({}): needs D({}) and D({})"),
        Form("D({}) = {} x (D({}) + D({})), so I first need D({}) and D({})."))
BASE = (Form("Base: D(1)=0 D(0)=1"), Form("The base cases are D(1) = 0 and D(0) = 1."))
STATE = (Form("State {}: fetch D({})={} D({})={}; sum={}; D({})={}*{}={}"),
         Form("Step {}: I recall D({}) = {} and D({}) = {}. Their sum is {}, and {} x {} = {}, so D({}) = {}."))
MOVE = (Form("Transition {} -> {}"), Form("Next I move from step {} to step {}."))
RESULT = (Form("Result: D({})={}"), Form("So the number of derangements of {} items is {}."))
MAX_N = 2000


def answer(spec: dict) -> str:
    n = int(spec["n"])
    if not 0 <= n <= MAX_N:
        raise ValueError(f"n={n} is outside [0, {MAX_N}]")
    # inclusion-exclusion over the set of fixed points: sum_k (-1)^k n!/k!
    return str(sum((-1) ** k * (factorial(n) // factorial(k)) for k in range(n + 1)))


def same(candidate: str, gold: str) -> bool:
    return same_integer(candidate, gold)


def _call(style: int, k: int) -> tuple:
    return (k, k - 1, k - 2) if style == 0 else (k, k - 1, k - 1, k - 2, k - 1, k - 2)


def check_trace(spec: dict, trace: str) -> Verdict:
    n = int(spec["n"])
    if not 2 <= n <= MAX_N:
        return Verdict.no(f"spec n={n} is outside [2, {MAX_N}]")
    gold = answer(spec)
    headers = [(CALL[s], _call(s, n)) for s in (0, 1)]

    def steps(s: int):
        for k in range(n - 1, 1, -1):
            yield CALL[s], _call(s, k)
        yield BASE[s], ()
        memo = {0: 1, 1: 0}
        for k in range(2, n + 1):
            one, two = memo[k - 1], memo[k - 2]
            memo[k] = (k - 1) * (one + two)
            if s == 0:
                yield STATE[0], (k, k - 1, one, k - 2, two, one + two, k, k - 1, one + two, memo[k])
            else:
                yield STATE[1], (k, k - 1, one, k - 2, two, one + two, k - 1, one + two, memo[k], k, memo[k])
            if k != n:
                yield MOVE[s], (k, k + 1)
        yield RESULT[s], (n, memo[n])

    return walk(trace, headers, steps, lambda final: same(final, gold))
