"""TAIL population growth: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random

from reasonry.verifiers.turing import population_growth


def _pairs_one_by_one(n: int, x: int, y: int, z: int) -> int:
    ages = [0] * y
    for _ in range(n):
        ages = [a + 1 for a in ages]
        ages += [0] * (z * sum(1 for a in ages if a >= x))
    return len(ages)


def test_population_answer_matches_pair_by_pair_simulation():
    rng = random.Random(1)
    checked = 0
    while checked < 150:
        spec = {"n": rng.randint(0, 14), "x": rng.randint(1, 5), "y": rng.randint(1, 4), "z": rng.randint(1, 3)}
        if int(population_growth.answer(spec)) > 30_000:
            continue
        assert population_growth.answer(spec) == str(_pairs_one_by_one(**spec)), spec
        checked += 1
    fibonacci = [population_growth.answer({"n": n, "x": 2, "y": 1, "z": 1}) for n in range(10)]
    assert fibonacci == ["1", "1", "2", "3", "5", "8", "13", "21", "34", "55"]
