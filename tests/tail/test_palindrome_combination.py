"""TAIL palindrome combination: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random
from functools import cache
from itertools import permutations

import pytest

from reasonry.generators.turing.palindrome_combination import palindrome_trace
from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import palindrome_combination as pal_check
from tests.tail.helpers import items, spec_of


@cache
def _palindromes_brute(items):
    return len({p for p in permutations(items) if p == p[::-1]})


def test_palindrome_element_changes_are_rejected():
    # swap one occurrence of an element for another value that is in the list, so the line stays well formed
    rng = random.Random(9)
    for rendering in ("terse", "styled"):
        for record in items("tail/palindrome_combination", "L", 6, rendering=rendering):
            values = sorted(set(record["verifier"]["spec"]["items"]))
            if len(values) < 2:
                continue
            lines = record["trace"].split("\n")
            changed = 0
            for li in rng.sample(range(len(lines) - 1), min(30, len(lines) - 1)):
                words = lines[li].split(" ")
                spots = [i for i, w in enumerate(words) if w.strip("[].,;") in map(str, values)]
                if not spots:
                    continue
                i = rng.choice(spots)
                old = words[i].strip("[].,;")
                new = str(next(v for v in values if str(v) != old))
                words[i] = words[i].replace(old, new)
                bad = lines[:li] + [" ".join(words)] + lines[li + 1:]
                assert not tail.check_trace(record["verifier"]["spec"], "\n".join(bad)).ok, (li, words)
                changed += 1
            assert changed > 0


def test_palindrome_odd_counts_and_single_elements():
    assert pal_check.answer({"items": [1, 1, 2, 2, 3]}) == "2"   # 1 2 3 2 1, 2 1 3 1 2
    assert pal_check.answer({"items": [1, 2, 3]}) == "0"
    assert pal_check.answer({"items": [7, 7, 7, 7]}) == "1"
    assert pal_check.answer({"items": [7]}) == "1"
    assert pal_check.answer({"items": [1, 1, 2, 2, 3, 3]}) == "6"
    # values above 9 sort numerically, not as text: 9 before 10 in the pool and the walk
    record_lines = palindrome_trace([10, 9, 9, 10], "terse")[1]
    assert "half=9:1 10:1" in record_lines[4]
    spec = {"task": "tail/palindrome_combination", "items": [10, 9, 9, 10]}
    assert tail.check_trace(spec, "\n".join([*record_lines, "Final answer: 2"])).ok
    for rendering in ("terse", "styled"):
        records = items("tail/palindrome_combination", "M", 30, rendering=rendering, palindromic_probability=0.0)
        assert any(r["answer"] == "0" for r in records)
        for record in records:
            assert tail.check_trace(record["verifier"]["spec"], record["trace"]).ok


def test_many_palindromes_answer_but_refuse_a_trace():
    spec = {"task": "tail/palindrome_combination", "items": list(range(1, 17)) * 2}
    gold = pal_check.answer(spec)
    assert int(gold) > pal_check.MAX_PALINDROMES and tail.verify(spec, gold).ok
    assert "more than" in tail.check_trace(spec, "Final answer: " + gold).reason


@pytest.mark.parametrize("bucket", ["S", "M", "L"])
def test_answers_match_brute_force(bucket):
    for record in items("tail/palindrome_combination", bucket, 60 if bucket == "L" else 60):
        spec = spec_of(record)
        truth = str(_palindromes_brute(tuple(sorted(spec["items"]))))
        assert record["answer"] == truth, spec
        assert tail.verify(spec, truth).ok


def test_random_specs_against_brute_force():
    rng = random.Random(5)
    for _ in range(300):
        items_ = [rng.choice((1, 2, 30)) for _ in range(rng.randint(1, 7))]
        assert pal_check.answer({"items": items_}) == str(_palindromes_brute(tuple(sorted(items_))))

