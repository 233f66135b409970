"""TAIL derangement: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal, localcontext

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import derangement as v_der
from tests.tail.helpers import RENDERINGS, line_index, replace_line


def test_derangement_matches_brute_force_small_n():
    for n in range(0, 9):
        brute = sum(all(p[i] != i for i in range(n)) for p in itertools.permutations(range(n)))
        assert v_der.answer({"n": n}) == str(brute)


def test_derangement_big_n_up_to_100():
    """D(n) is the integer nearest n!/e (n >= 1); e to 400 digits from its series."""
    with localcontext() as ctx:
        ctx.prec = 400
        e = sum(Decimal(1) / Decimal(math.factorial(k)) for k in range(300))
        for n in range(1, 101):
            nearest = (Decimal(math.factorial(n)) / e).to_integral_value()
            assert v_der.answer({"n": n}) == str(int(nearest)), n
    assert len(v_der.answer({"n": 100})) == 158
    from reasonry.generators.turing.derangement import derangement_trace
    for n in (2, 3, 61, 100):
        for rendering in RENDERINGS:
            answer, lines = derangement_trace(n, rendering)
            assert answer == v_der.answer({"n": n})
            spec = {"task": "tail/derangement", "n": n}
            assert tail.check_trace(spec, "\n".join([*lines, f"Final answer: {answer}"])).ok


def test_derangement_wrong_recurrence_step_fails():
    spec = {"task": "tail/derangement", "n": 6}
    from reasonry.generators.turing.derangement import derangement_trace
    answer, lines = derangement_trace(6, "terse")
    good = "\n".join([*lines, f"Final answer: {answer}"])
    i = line_index(good, r"^State 4: ")
    assert lines[i] == "State 4: fetch D(3)=2 D(2)=1; sum=3; D(4)=3*3=9"
    for bad in ("State 4: fetch D(3)=2 D(2)=1; sum=3; D(4)=4*3=12",   # multiplied by k instead of k - 1
                "State 4: fetch D(3)=2 D(2)=2; sum=4; D(4)=3*4=12",   # fetched a wrong operand
                "State 4: fetch D(3)=2 D(2)=1; sum=3; D(4)=3*3=8"):
        assert not tail.check_trace(spec, replace_line(good, i, bad)).ok
    assert not tail.check_trace(spec, good.replace("Base: D(1)=0 D(0)=1", "Base: D(1)=1 D(0)=1")).ok
    assert tail.verify(spec, "265").ok and tail.verify(spec, "265.0").ok and not tail.verify(spec, "2 65").ok
