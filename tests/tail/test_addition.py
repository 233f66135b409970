"""TAIL addition: the verifier's exact sum against fractions, a trace written out by hand, and checks of the
trace that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random
from fractions import Fraction

from reasonry.generators.turing.addition import add_trace
from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import addition as v_add
from tests.tail.helpers import RENDERINGS, items, replace_line, spec_of

HAND = "\n".join([
    "Operands: 95.0 + 07.5",
    "State 0: fetch a=0 b=5 c=0; sum=5; digit=5 c=0",
    "Transition 0 -> 1",
    "State 1: fetch a=5 b=7 c=0; sum=12; digit=2 c=1",
    "Transition 1 -> 2",
    "State 2: fetch a=9 b=0 c=1; sum=10; digit=0 c=1",
    "Carry out: 1",
    "Result: 102.5",
    "Final answer: 102.5",
])
SPEC = {"task": "tail/addition", "x1": "95", "x2": "7.5"}


def test_answer_matches_fractions():
    rng = random.Random(1)
    for _ in range(1000):
        x1 = str(rng.randint(1, 10**rng.randint(1, 30)))
        x2 = str(rng.randint(1, 10**rng.randint(1, 30)))
        if rng.random() < 0.5 and len(x2) > 1:
            point = rng.randint(1, len(x2) - 1)
            x2 = x2[:point] + "." + x2[point:]
        gold = v_add.answer({"x1": x1, "x2": x2})
        assert Fraction(gold) == Fraction(x1) + Fraction(x2)
        assert "." not in gold or not gold.endswith(("0", "."))  # canonical
    for record in items("tail/addition", "L", 20):
        assert Fraction(record["answer"]) == Fraction(spec_of(record)["x1"]) + Fraction(spec_of(record)["x2"])


def test_a_trace_written_by_hand_replays():
    assert add_trace("95", "7.5", "terse") == ("102.5", HAND.split("\n")[:-1])
    assert tail.check_trace(SPEC, HAND).ok
    assert tail.verify(SPEC, "102.50").ok and tail.verify(SPEC, "205/2").ok and not tail.verify(SPEC, "102").ok


def test_wrong_carries_and_columns_fail():
    cases = {
        1: "State 0: fetch a=0 b=5 c=1; sum=6; digit=6 c=0",       # a carry in from nowhere
        3: "State 1: fetch a=5 b=7 c=0; sum=12; digit=2 c=0",      # the carry dropped
        5: "State 2: fetch a=9 b=0 c=0; sum=9; digit=9 c=0",       # the dropped carry, consistently
        6: "Carry out: 0",
        7: "Result: 102.4",
        0: "Operands: 95 + 7.5",                                   # not aligned
    }
    for line, bad in cases.items():
        assert not tail.check_trace(SPEC, replace_line(HAND, line, bad)).ok, bad
    assert not tail.check_trace(SPEC, HAND.replace("Transition 1 -> 2", "Transition 1 -> 3")).ok


def test_the_styled_result_line_stands_for_the_terse_two():
    for rendering in RENDERINGS:
        answer, lines = add_trace("95", "7.5", rendering)
        trace = "\n".join([*lines, f"Final answer: {answer}"])
        assert tail.check_trace(SPEC, trace).ok
    styled = add_trace("95", "7.5", "styled")[1]
    terse = HAND.split("\n")
    # the terse carry and result lines under a styled trace, and the styled line under a terse trace
    assert not tail.check_trace(SPEC, "\n".join([*styled[:-1], *terse[-3:]])).ok
    assert not tail.check_trace(SPEC, "\n".join([*terse[:-3], styled[-1], terse[-1]])).ok
