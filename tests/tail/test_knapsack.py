"""TAIL knapsack: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from reasonry.generators.turing.knapsack import knapsack_trace
from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import knapsack as ks_check
from tests.tail.helpers import items, spec_of


def _knapsack_brute(weights, values, capacity):
    best = 0
    for r in range(len(weights) + 1):
        for subset in combinations(range(len(weights)), r):
            if sum(weights[i] for i in subset) <= capacity:
                best = max(best, sum(values[i] for i in subset))
    return best


def test_knapsack_zero_weight_items():
    for record in items("tail/knapsack", "L", 10, zero_weight_probability=1.0):
        spec = record["verifier"]["spec"]
        assert set(spec["weights"]) == {0}
        assert record["answer"] == str(sum(spec["values"]))  # every zero-weight item fits
        assert tail.check_trace(spec, record["trace"]).ok
    mixed = items("tail/knapsack", "L", 30, zero_weight_probability=0.5)
    assert any(0 in r["verifier"]["spec"]["weights"] and set(r["verifier"]["spec"]["weights"]) != {0} for r in mixed)
    for record in mixed:
        spec = spec_of(record)
        assert record["answer"] == str(_knapsack_brute(spec["weights"], spec["values"], spec["capacity"]))
    # capacity 0: only the zero-weight items count, and the trace still replays
    weights, values = [0, 3, 0], [4, 9, 2]
    for rendering in ("terse", "styled"):
        best, lines = knapsack_trace(weights, values, 0, rendering)
        spec = {"task": "tail/knapsack", "weights": weights, "values": values, "capacity": 0}
        assert best == 6 and ks_check.answer(spec) == "6"
        assert tail.check_trace(spec, "\n".join([*lines, "Final answer: 6"])).ok
    # a zero-weight item must not be taken twice: dp[i][c] reads row i-1, never row i
    spec = {"task": "tail/knapsack", "weights": [0], "values": [5], "capacity": 3}
    assert ks_check.answer(spec) == "5"


@pytest.mark.parametrize("bucket", ["S", "M", "L"])
def test_answers_match_brute_force(bucket):
    for record in items("tail/knapsack", bucket, 60 if bucket == "L" else 60):
        spec = spec_of(record)
        truth = str(_knapsack_brute(spec["weights"], spec["values"], spec["capacity"]))
        assert record["answer"] == truth, spec
        assert tail.verify(spec, truth).ok


def test_random_specs_against_brute_force():
    rng = random.Random(5)
    for _ in range(300):
        n = rng.randint(1, 7)
        spec = {"weights": [rng.randint(0, 6) for _ in range(n)], "values": [rng.randint(1, 9) for _ in range(n)],
                "capacity": rng.randint(0, 10)}
        assert ks_check.answer(spec) == str(_knapsack_brute(**spec))

