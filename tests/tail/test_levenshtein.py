"""TAIL Levenshtein: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random

import pytest

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import levenshtein as lev_check
from tests.tail.helpers import items, spec_of


def _lev_brute(s, t):
    # the definition, unmemoised: fine for the short strings used here
    if not s or not t:
        return len(s) + len(t)
    if s[0] == t[0]:
        return _lev_brute(s[1:], t[1:])
    return 1 + min(_lev_brute(s[1:], t), _lev_brute(s, t[1:]), _lev_brute(s[1:], t[1:]))


@pytest.mark.parametrize("bucket", ["S", "M", "L"])
def test_answers_match_brute_force(bucket):
    for record in items("tail/levenshtein", bucket, 12 if bucket == "L" else 60):
        spec = spec_of(record)
        truth = str(_lev_brute(spec["s"], spec["t"]))
        assert record["answer"] == truth, spec
        assert tail.verify(spec, truth).ok


def test_random_specs_against_brute_force():
    rng = random.Random(5)
    for _ in range(300):
        s = "".join(rng.choice("abc") for _ in range(rng.randint(0, 4)))
        t = "".join(rng.choice("abc") for _ in range(rng.randint(0, 4)))
        assert lev_check.answer({"s": s, "t": t}) == str(_lev_brute(s, t))

