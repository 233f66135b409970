"""TAIL long division: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random
import re
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest

from reasonry.errors import ConfigError
from reasonry.registry import get_task
from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import division as v_div
from tests.tail.helpers import RENDERINGS, make, random_operand, spec_of


def test_division_answer_matches_decimal_truncation():
    rng = random.Random(1)
    for _ in range(2000):
        x1, x2, places = random_operand(rng), random_operand(rng), rng.randint(0, 6)
        with localcontext() as ctx:
            ctx.prec = 200
            expected = (Decimal(x1) / Decimal(x2)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
        got = v_div.answer({"x1": x1, "x2": x2, "places": places})
        assert Decimal(got) == expected, (x1, x2, places)
        assert got == got.rstrip("0").rstrip(".") or "." not in got  # canonical: no trailing zeros


@pytest.mark.parametrize("x1,x2,places,expected", [
    ("7", "2", 3, "3.5"),           # remainder, then an exact decimal
    ("84", "4", 3, "21"),           # no remainder
    ("10", "3", 3, "3.333"),        # remainder forever: truncated, not rounded
    ("2", "3", 3, "0.666"),         # would round up to 0.667
    ("1.5", "0.25", 3, "6"),        # decimals in both operands
    ("12.5", "4", 3, "3.125"),
    ("1", "7", 0, "0"),
    ("9.99", "3.3", 4, "3.0272"),
    ("100", "8", 1, "12.5"),
    ("1", "8", 2, "0.12"),          # 0.125 cut after two places
])
def test_division_remainders_and_decimals(x1, x2, places, expected):
    spec = {"task": "tail/division", "x1": x1, "x2": x2, "places": places}
    assert v_div.answer(spec) == expected
    assert tail.verify(spec, expected).ok
    assert tail.verify(spec, expected + ("0" if "." in expected else ".0")).ok  # 3.50 is the same number
    assert not tail.verify(spec, str(Decimal(expected) + Decimal("0.001"))).ok
    from reasonry.generators.turing.division import divide_trace
    for rendering in RENDERINGS:
        answer, lines = divide_trace(x1, x2, places, rendering)
        assert answer == expected
        trace = "\n".join([*lines, f"Final answer: {answer}"])
        assert tail.check_trace(spec, trace).ok


def test_division_terse_trace_by_hand():
    """10 / 3 to two places, written out by hand from the definition."""
    spec = {"task": "tail/division", "x1": "10", "x2": "3", "places": 2}
    trace = "\n".join([
        "Scale: 10 / 3 -> 10 / 3",
        "State 0: fetch r=0 d=1; cur=1; q=0 q*b=0; r=1",
        "Transition 0 -> 1",
        "State 1: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
        "Transition 1 -> 2 (decimal point)",
        "State 2: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
        "Transition 2 -> 3",
        "State 3: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
        "Stop: r=1 places=2",
        "Result: 3.33",
        "Final answer: 3.33",
    ])
    assert tail.check_trace(spec, trace).ok
    assert not tail.check_trace(spec, trace.replace("State 3: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
                                                    "State 3: fetch r=1 d=0; cur=10; q=3 q*b=9; r=0")).ok
    # a remainder that is wrong in one state, and the steps after it made consistent with it
    bad = trace.replace("State 1: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
                        "State 1: fetch r=1 d=0; cur=10; q=3 q*b=9; r=2")
    assert not tail.check_trace(spec, bad).ok
    # one decimal place more than asked for
    longer = trace.replace("Stop: r=1 places=2\nResult: 3.33\nFinal answer: 3.33",
                           "Transition 3 -> 4\nState 4: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1\n"
                           "Stop: r=1 places=3\nResult: 3.333\nFinal answer: 3.333")
    assert not tail.check_trace(spec, longer).ok
    assert not tail.check_trace(spec, trace.replace(" (decimal point)", "")).ok


def test_division_wrong_quotient_digit_in_one_state_fails():
    for rendering in RENDERINGS:
        for index in range(20):
            record = make("tail/division", "M", index, rendering)
            lines = record["trace"].split("\n")
            states = [i for i, line in enumerate(lines) if line.startswith(("State ", "Step "))]
            i = states[index % len(states)]
            if rendering == "terse":
                m = re.search(r"q=(\d)", lines[i])
                lines[i] = lines[i][:m.start(1)] + str((int(m.group(1)) + 1) % 10) + lines[i][m.end(1):]
            else:
                m = re.search(r"into \d+ (\d) times", lines[i])
                lines[i] = lines[i][:m.start(1)] + str((int(m.group(1)) + 1) % 10) + lines[i][m.end(1):]
            assert not tail.check_trace(spec_of(record), "\n".join(lines)).ok


def test_division_config_is_validated():
    task = get_task("tail/division")
    with pytest.raises(ConfigError, match="places"):
        task.Config(places=-1)
    with pytest.raises(ConfigError, match="sizes.S"):
        task.Config(sizes={"S": (0, 3)})
    record = make("tail/division", places=5)
    assert spec_of(record)["places"] == 5 and "5" in record["prompt"]
