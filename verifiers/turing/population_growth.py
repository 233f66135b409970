"""Checks for tail/population_growth (rules in the generator's docstring).

``answer`` simulates age cohorts directly (pairs of age 0, 1, ..., and x-or-older), independent of the
P[t] = P[t-1] + z*P[t-x] recurrence the trace uses; the trace replay recomputes the recurrence state by state.
"""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay, same_integer
from reasonry.verifiers.turing.shapes import POPULATION_GROWTH


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


same = same_integer


def expected_states(spec: dict) -> Iterator[State]:
    n, x, y, z = _params(spec)
    yield "rule", {"x": x, "y": y, "z": z}
    yield "start", {"y": y}
    pop = [y]
    for t in range(1, n + 1):
        yield "move", {"i": t - 1, "next": t}
        prev = pop[-1]
        if t < x:
            pop.append(prev)
            yield "wait", {"t": t, "p": t - 1, "prev": prev, "x": x}
        else:
            breeders = pop[t - x]
            pop.append(prev + z * breeders)
            yield "breed", {"t": t, "p": t - 1, "prev": prev, "back": t - x, "breeders": breeders, "z": z,
                            "born": z * breeders, "now": pop[t]}
    yield "result", {"n": n, "now": pop[n]}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return replay(trace, POPULATION_GROWTH, expected_states(spec), lambda final: same(final, gold))
