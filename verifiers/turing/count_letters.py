"""Checks for tail/count_letters: the number of times ``letter`` occurs in ``text`` (letters numbered from 1,
spaces skipped). ``answer`` is ``str.count``; the replay walks the letters itself and compares each state."""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay, same_integer
from reasonry.verifiers.turing.shapes import COUNT_LETTERS


def _instance(spec: dict) -> tuple[str, str]:
    text, letter = str(spec["text"]), str(spec["letter"])
    if len(letter) != 1 or len(text) > 10_000:
        raise ValueError("letter must be one character and the text at most 10000 characters")
    return text, letter


def answer(spec: dict) -> str:
    text, letter = _instance(spec)
    return str(text.count(letter))


same = same_integer


def expected_states(spec: dict) -> Iterator[State]:
    text, letter = _instance(spec)
    yield "text", {"text": text, "letter": letter}
    count = 0
    for position, ch in enumerate(text.replace(" ", ""), start=1):
        shown = {"k": position, "ch": ch, "letter": letter, "count": count}
        if ch == letter:
            count += 1
            yield "match", {**shown, "new": count}
        else:
            yield "differ", shown
    yield "result", {"count": count}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return replay(trace, COUNT_LETTERS, expected_states(spec), lambda final: same(final, gold))
