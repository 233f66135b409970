"""Checks for tail/population_growth (rules in the generator's docstring).

``answer`` simulates age cohorts directly (pairs of age 0, 1, ..., and x-or-older), independent of the
P[t] = P[t-1] + z*P[t-x] recurrence the trace uses; the trace replay recomputes the recurrence state by state.
"""

from __future__ import annotations

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, both, lockstep, same_integer

_N = r"(\d+)"
PATTERNS = {
    "rule": both(rf"Rule: P\[t\]=P\[t-1\]\+{_N}\*P\[t-{_N}\] for t>={_N}; P\[t\]={_N} for t<{_N}",
                 rf"The rule: P\[t\] = P\[t-1\] \+ {_N} x P\[t-{_N}\] once t >= {_N}, and P\[t\] = {_N} "
                 rf"while t < {_N}\."),
    "start": both(rf"State 0: P\[0\]={_N}", rf"Unit 0: P\[0\] = {_N}, the newborn pairs we start with\."),
    "transition": both(rf"Transition {_N} -> {_N}", rf"Now I move from unit {_N} to unit {_N}\."),
    "wait": both(rf"State {_N}: fetch P\[{_N}\]={_N}; {_N}<{_N} no breeders; P\[{_N}\]={_N}",
                 rf"Unit {_N}: last unit P\[{_N}\] = {_N}\. Since {_N} < {_N}, no pair is old enough to breed, "
                 rf"so P\[{_N}\] = {_N}\."),
    "breed": both(rf"State {_N}: fetch P\[{_N}\]={_N} P\[{_N}\]={_N}; born={_N}\*{_N}={_N}; "
                  rf"P\[{_N}\]={_N}\+{_N}={_N}",
                  rf"Unit {_N}: last unit P\[{_N}\] = {_N}, and the P\[{_N}\] = {_N} pairs of that time are old "
                  rf"enough to breed\. They have {_N} x {_N} = {_N} newborn pairs, so P\[{_N}\] = {_N} \+ {_N} "
                  rf"= {_N}\."),
    "result": both(rf"Result: P\[{_N}\]={_N}", rf"So P\[{_N}\] = {_N} pairs after the last unit\."),
}
def _params(spec: dict) -> tuple[int, int, int, int]:
    n, x, y, z = (int(spec[k]) for k in ("n", "x", "y", "z"))
    # bounds keep the numbers (up to (z+1)**n * y) and the replay small whatever the spec says
    if not (0 <= n <= 1_000 and 1 <= x <= 1_000 and 0 <= y <= 10**6 and 0 <= z <= 1_000):
        raise ValueError("population parameters out of range (n <= 1000, x, z <= 1000, y <= 10**6)")
    return n, x, y, z


def answer(spec: dict) -> str:
    n, x, y, z = _params(spec)
    cohorts = [0] * (x + 1)  # cohorts[a] = pairs of age a; the last slot holds every pair of age >= x
    cohorts[0] = y
    for _ in range(n):
        aged = [0] * (x + 1)
        for age, count in enumerate(cohorts):
            aged[min(age + 1, x)] += count
        aged[0] = z * aged[x]
        cohorts = aged
    return str(sum(cohorts))


def same(candidate: str, gold: str) -> bool:
    return same_integer(candidate, gold)


def expected_states(spec: dict) -> list[Expected]:
    n, x, y, z = _params(spec)
    s = str
    states: list[Expected] = [("rule", (s(z), s(x), s(x), s(y), s(x))), ("start", (s(y),))]
    pop = [y]
    for t in range(1, n + 1):
        states.append(("transition", (s(t - 1), s(t))))
        prev = pop[-1]
        if t < x:
            pop.append(prev)
            states.append(("wait", (s(t), s(t - 1), s(prev), s(t), s(x), s(t), s(prev))))
        else:
            breeders = pop[t - x]
            born = z * breeders
            pop.append(prev + born)
            states.append(("breed", (s(t), s(t - 1), s(prev), s(t - x), s(breeders), s(z), s(breeders), s(born),
                                     s(t), s(prev), s(born), s(pop[t]))))
    states.append(("result", (s(n), s(pop[n]))))
    return states


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return lockstep(trace, expected_states(spec), PATTERNS, lambda final: same(final, gold))
