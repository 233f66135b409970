"""TAIL prime search: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import prime_search


def test_prime_search_answer_matches_naive_primality():
    def is_prime(k):
        return k >= 2 and all(k % d for d in range(2, k))

    for n in range(1, 60, 3):
        for m in range(n, 320, 17):
            expected = ", ".join(str(k) for k in range(n, m + 1) if is_prime(k)) or "none"
            assert prime_search.answer({"n": n, "m": m}) == expected


def test_prime_search_strict_comparison():
    spec = {"task": "tail/prime_search", "n": 10, "m": 20}
    assert prime_search.answer(spec) == "11, 13, 17, 19"
    assert tail.verify(spec, "[11, 13, 17, 19]").ok and tail.verify(spec, "11 13 17 19").ok
    for wrong in ("11, 13, 17", "11, 13, 17, 19, 23", "11, 13, 13, 17, 19", "11, 13, 15, 17, 19", "none", "11-19"):
        assert not tail.verify(spec, wrong).ok, wrong
    empty = {"task": "tail/prime_search", "n": 24, "m": 28}
    assert prime_search.answer(empty) == "none" and tail.verify(empty, "none").ok
    assert not tail.verify(empty, "29").ok
