"""TAIL binary search: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random

import pytest

from reasonry.generators.turing.binary_search import search_trace
from reasonry.registry import get_task
from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import binary_search as bs_check
from tests.tail.helpers import items, spec_of


def test_strict_integer_answers():
    spec = {"task": "tail/binary_search", "numbers": [1, 5, 9], "target": 9}
    assert tail.verify(spec, "2").ok
    assert tail.verify(spec, " 2\n").ok
    for same in ("+2", "2.0", "2.00"):  # integers written as decimals or with a sign are the same integer
        assert tail.verify(spec, same).ok, same
    for wrong in ("02", "2.5", "two", "", "-2", "1", "[2]", "2 2", "1+1", "2e0"):
        assert not tail.verify(spec, wrong).ok, wrong
    missing = {"task": "tail/binary_search", "numbers": [1, 5, 9], "target": 4}
    assert tail.verify(missing, "-1").ok
    for wrong in ("-0", "1", "0", "none", "-01"):
        assert not tail.verify(missing, wrong).ok, wrong


def test_binary_search_missing_value_answers_minus_one():
    for rendering in ("terse", "styled"):
        records = items("tail/binary_search", "M", 15, rendering=rendering, missing_probability=1.0)
        for record in records:
            spec = record["verifier"]["spec"]
            assert spec["target"] not in spec["numbers"]
            assert record["answer"] == "-1" and record["difficulty"]["size"]["missing"]
            last_state = record["trace"].split("\n")[-2]
            assert "absent" in last_state or "not in the list" in last_state
            assert tail.check_trace(spec, record["trace"]).ok
            # a trace that stops at the empty range but claims an index must fail
            body = record["trace"].split("\n")[:-1]
            assert not tail.check_trace(spec, "\n".join([*body, "Final answer: 0"])).ok
    # values below the first and above the last number end in the empty ranges {0,-1} and {n,n-1}
    task = get_task("tail/binary_search")
    for target, last in ((-100, "State {0,-1}: empty range; find=-100 is absent"),
                         (100, "State {5,4}: empty range; find=100 is absent")):
        index, lines = search_trace([1, 3, 5, 7, 9], target, "terse")
        assert index == -1 and lines[-1] == last
        spec = {"task": task.name, "numbers": [1, 3, 5, 7, 9], "target": target}
        assert tail.check_trace(spec, "\n".join([*lines, "Final answer: -1"])).ok
        assert not tail.check_trace(spec, "\n".join([*lines, "Final answer: 4"])).ok


@pytest.mark.parametrize("bucket", ["S", "M", "L"])
def test_answers_match_brute_force(bucket):
    for record in items("tail/binary_search", bucket, 60 if bucket == "L" else 60):
        spec = spec_of(record)
        truth = str(spec["numbers"].index(spec["target"]) if spec["target"] in spec["numbers"] else -1)
        assert record["answer"] == truth, spec
        assert tail.verify(spec, truth).ok


def test_random_specs_against_brute_force():
    rng = random.Random(5)
    for _ in range(300):
        numbers = sorted(rng.sample(range(-20, 20), rng.randint(1, 12)))
        target = rng.randint(-21, 21)
        expected = numbers.index(target) if target in numbers else -1
        assert bs_check.answer({"numbers": numbers, "target": target}) == str(expected)

