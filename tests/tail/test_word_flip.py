"""TAIL word flip: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import random

from reasonry.registry import get_task
from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import word_flip as v_flip
from tests.tail.helpers import RENDERINGS, make, replace_line, spec_of


def test_word_flip_answer_and_sizes():
    from reasonry.generators.turing.word_flip import sentence
    rng = random.Random(3)
    for _ in range(500):
        n = rng.randint(1, 100)
        s = sentence(rng, n)
        assert sum(ch.isalpha() for ch in s) == n and "  " not in s and s == s.strip()
        assert v_flip.answer({"sentence": s}) == "".join(reversed(s))
    for bucket, (low, high) in (("S", (10, 20)), ("M", (21, 50)), ("L", (51, 100))):
        for index in range(10):
            record = make("tail/word_flip", bucket, index)
            assert low <= sum(ch.isalpha() for ch in spec_of(record)["sentence"]) <= high


def test_word_flip_duplicate_letters_need_the_right_positions():
    """With repeated letters, taking the right letter from the wrong position gives the same text; the
    checker still rejects it because every state names the position it reads."""
    s = "noon level deed"
    spec = {"task": "tail/word_flip", "sentence": s}
    from reasonry.generators.turing.word_flip import flip_trace
    for rendering in RENDERINGS:
        answer, lines = flip_trace(s, rendering)
        assert answer == "deed level noon"
        good = "\n".join([*lines, f"Final answer: {answer}"])
        assert tail.check_trace(spec, good).ok
        # state 0 reads s[14]='d'; s[11]='d' too: same letter, wrong place
        assert "14" in lines[1]
        bad = replace_line(good, 1, lines[1].replace("14", "11", 1))
        assert bad != good and not tail.check_trace(spec, bad).ok
    assert tail.verify(spec, "deed level noon").ok
    assert not tail.verify(spec, "deed levelnoon").ok
    assert not tail.verify(spec, s).ok
    assert not tail.verify(spec, "deed level noon.").ok


def test_word_flip_palindrome_corruption_still_wrong():
    spec = {"task": "tail/word_flip", "sentence": "a"}
    record = {"answer": "a", "verifier": {"spec": spec}, "trace": ""}
    wrong = get_task("tail/word_flip").corrupt_answer(record, random.Random(0))
    assert wrong != "a" and not tail.verify(spec, wrong).ok
