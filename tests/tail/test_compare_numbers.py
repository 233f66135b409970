"""TAIL compare numbers: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import compare_numbers as v_cmp
from tests.tail.helpers import RENDERINGS, make, random_operand, spec_of


def test_compare_answer_matches_fractions():
    rng = random.Random(4)
    for _ in range(2000):
        x1 = random_operand(rng)
        x2 = rng.choice([x1, random_operand(rng), x1[:-1] + str(rng.randint(0, 9))])
        if x2.endswith(".") or (x2.startswith("0") and not x2.startswith("0.")):
            continue
        a, b = Fraction(x1), Fraction(x2)
        expected = "<" if a < b else ">" if a > b else "="
        assert v_cmp.answer({"x1": x1, "x2": x2}) == expected


@pytest.mark.parametrize("x1,x2,expected", [
    ("12.5", "12.5", "="),
    ("0.5", "0.50", "="),            # same value, another spelling: every padded digit ties
    ("1234567", "1234567", "="),
    ("12", "11.99", ">"),
    ("0.123", "0.1229999", ">"),
    ("99.9", "100", "<"),
    ("3.14159", "3.1416", "<"),
])
def test_compare_equal_values_and_decimals(x1, x2, expected):
    spec = {"task": "tail/compare_numbers", "x1": x1, "x2": x2}
    assert v_cmp.answer(spec) == expected
    from reasonry.generators.turing.compare_numbers import compare_trace
    for rendering in RENDERINGS:
        answer, lines = compare_trace(x1, x2, rendering)
        assert answer == expected
        good = "\n".join([*lines, f"Final answer: {answer}"])
        assert tail.check_trace(spec, good).ok
        for other in "<=>":
            if other != expected:
                assert not tail.check_trace(spec, good.replace(f"Final answer: {expected}",
                                                               f"Final answer: {other}")).ok
                assert not tail.verify(spec, other).ok
        if expected == "=":  # a tie is only known after every padded position was read
            padded = lines[0].split(": ", 1)[1].split(" ")[0] if rendering == "terse" else None
            states = sum(line.startswith(("State ", "Digit ")) for line in lines)
            if padded is not None:
                assert states == len(padded.replace(".", ""))


def test_compare_generator_makes_equal_and_deep_cases():
    kinds, answers = set(), set()
    for index in range(120):
        record = make("tail/compare_numbers", "M", index)
        kinds.add(record["difficulty"]["size"]["kind"])
        answers.add(record["answer"])
        x1, x2 = spec_of(record)["x1"], spec_of(record)["x2"]
        for x in (x1, x2):
            assert not (x.startswith("0") and not x.startswith("0.")) and not ("." in x and x.endswith("0"))
    assert kinds == {"equal", "prefix", "independent"} and answers == {"<", "=", ">"}


def test_compare_stopping_early_fails():
    spec = {"task": "tail/compare_numbers", "x1": "123.45", "x2": "123.5"}
    from reasonry.generators.turing.compare_numbers import compare_trace
    _, lines = compare_trace("123.45", "123.5", "terse")
    good = "\n".join([*lines, "Final answer: <"])
    assert tail.check_trace(spec, good).ok
    early = "\n".join(lines[:3] + ["Result: <", "Final answer: <"])
    assert not tail.check_trace(spec, early).ok
    assert not tail.check_trace(spec, good.replace("a=4 b=5; a < b, stop", "a=4 b=5; equal, next")).ok
    assert not tail.check_trace(spec, good.replace("Operands: 123.45 vs 123.50", "Operands: 123.45 vs 123.5")).ok
    assert tail.verify(spec, " < ").ok and not tail.verify(spec, "123.45 < 123.5").ok
