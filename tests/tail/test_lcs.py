"""TAIL LCS: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import lcs as lcs_check
from tests.tail.helpers import items, spec_of


def _is_subsequence(word, text):
    it = iter(text)
    return all(ch in it for ch in word)


def _lcs_brute(s, t):
    for r in range(len(s), -1, -1):
        if any(_is_subsequence("".join(c), t) for c in combinations(s, r)):
            return r
    return 0


@pytest.mark.parametrize("bucket", ["S", "M", "L"])
def test_answers_match_brute_force(bucket):
    for record in items("tail/lcs", bucket, 12 if bucket == "L" else 60):
        spec = spec_of(record)
        truth = str(_lcs_brute(spec["s"], spec["t"]))
        assert record["answer"] == truth, spec
        assert tail.verify(spec, truth).ok


def test_random_specs_against_brute_force():
    rng = random.Random(5)
    for _ in range(300):
        s = "".join(rng.choice("abc") for _ in range(rng.randint(0, 6)))
        t = "".join(rng.choice("abc") for _ in range(rng.randint(0, 6)))
        assert lcs_check.answer({"s": s, "t": t}) == str(_lcs_brute(s, t))

