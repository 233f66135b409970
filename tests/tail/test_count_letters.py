"""TAIL count letters: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import count_letters
from tests.tail.helpers import checks, make


def test_count_letters_rejects_a_changed_letter():
    changed = 0
    for rendering in ("terse", "styled"):
        record = make("tail/count_letters", "L", 1, rendering)
        lines = record["trace"].split("\n")
        for li in range(1, len(lines) - 2):
            letter = record["verifier"]["spec"]["text"].replace(" ", "")[li - 1]
            other = "z" if letter != "z" else "y"
            for old in (f"={letter} ", f"'{letter}' and"):
                if old in lines[li]:
                    new_line = lines[li].replace(old, old.replace(letter, other), 1)
                    assert not checks(record, "\n".join([*lines[:li], new_line, *lines[li + 1:]]))
                    changed += 1
    assert changed > 20


def test_count_letters_answer_matches_a_plain_loop():
    for index in range(60):
        for bucket in "SML":
            record = make("tail/count_letters", bucket=bucket, index=index)
            spec = record["verifier"]["spec"]
            expected = 0
            for ch in spec["text"]:
                expected += ch == spec["letter"]
            assert count_letters.answer(spec) == record["answer"] == str(expected)
            assert len(spec["text"].replace(" ", "")) == record["difficulty"]["size"]["letters"]


def test_count_letters_absent_letter_counts_zero():
    zeros = [r for r in (make("tail/count_letters", "M", i, rendering) for i in range(60)
                         for rendering in ("terse", "styled")) if r["answer"] == "0"]
    assert zeros, "the generator never asks for a letter the sentence lacks"
    for record in zeros:
        assert record["verifier"]["spec"]["letter"] not in record["verifier"]["spec"]["text"]
        assert checks(record, record["trace"])
        assert not tail.verify(record["verifier"]["spec"], "1").ok
