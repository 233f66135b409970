"""TAIL diophantine: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import diophantine
from tests.tail.helpers import make


def test_diophantine_answer_matches_exhaustive_enumeration():
    rng = random.Random(6)
    for _ in range(300):
        a, b, n = rng.randint(1, 20), rng.randint(1, 20), rng.randint(0, 120)
        pairs = [(x, y) for x in range(n + 1) for y in range(n + 1) if a * x + b * y == n]
        expected = ", ".join(f"({x}, {y})" for x, y in pairs) or "none"
        assert diophantine.answer({"a": a, "b": b, "n": n}) == expected, (a, b, n)


def test_diophantine_without_solution_answers_none():
    from reasonry.generators.turing.diophantine import solve_trace

    for a, b, n in ((4, 6, 15), (5, 7, 23), (9, 12, 40)):  # gcd does not divide n; n below the Frobenius gap
        spec = {"task": "tail/diophantine", "a": a, "b": b, "n": n}
        assert diophantine.answer(spec) == "none"
        for rendering in ("terse", "styled"):
            answer, lines = solve_trace(a, b, n, rendering)
            assert answer == "none"
            assert tail.check_trace(spec, "\n".join([*lines, "Final answer: none"])).ok
            assert not tail.check_trace(spec, "\n".join([*lines, "Final answer: (0, 0)"])).ok
        for ok in ("none", "None", "no solution", "[]"):
            assert tail.verify(spec, ok).ok
        for wrong in ("(0, 0)", "", "0", "none (0, 0)"):
            assert not tail.verify(spec, wrong).ok
    generated = [make("tail/diophantine", bucket=b, index=i) for b in "SML" for i in range(40)]
    assert any(r["answer"] == "none" for r in generated), "the generator never makes an unsolvable equation"


def test_diophantine_answer_is_the_ordered_list_without_partial_credit():
    spec = {"task": "tail/diophantine", "a": 3, "b": 5, "n": 30}
    assert diophantine.answer(spec) == "(0, 6), (5, 3), (10, 0)"
    assert not tail.verify(spec, "(10, 0), (0, 6), (5, 3)").ok  # the prompt asks for increasing x
    assert tail.verify(spec, "[(0,6), (5,3), (10,0)]").ok
    for wrong in ("(0, 6), (5, 3)", "(0, 6), (5, 3), (10, 0), (10, 0)", "(0, 6), (5, 3), (10, 0), (1, 1)",
                  "x=0,y=6", "none"):
        assert not tail.verify(spec, wrong).ok, wrong


def test_long_malformed_list_answers_are_rejected_quickly():
    """Separators that two pattern parts could both read would backtrack exponentially on these."""
    dio = {"task": "tail/diophantine", "a": 3, "b": 5, "n": 30}
    primes = {"task": "tail/prime_search", "n": 10, "m": 20}
    for junk in ("(1, 2) ,  " * 3000 + "x", "(1,2)" * 3000 + " (", "[" + "(0, 6) " * 3000):
        assert not tail.verify(dio, junk).ok
    for junk in ("11 , " * 3000 + "x", "11  ;  " * 3000 + ";", "1 " * 5000 + ","):
        assert not tail.verify(primes, junk).ok
