"""Checks for tail/word_flip: the reversed sentence, and a character-by-character replay of the trace."""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import WORD_FLIP


def answer(spec: dict) -> str:
    return spec["sentence"][::-1]


def same(candidate: str, gold: str) -> bool:
    return candidate.strip() == gold


def _reading(s: str) -> Iterator[State]:
    yield "header", {"s": s, "n": len(s)}
    written: list[str] = []
    for p in range(len(s) - 1, -1, -1):
        i = len(written)
        written.append(s[p])
        yield "state", {"i": i, "p": p, "c": s[p]}
        if p:
            yield "move", {"i": i, "next": i + 1}
    yield "result", {"out": "".join(written)}


def check_trace(spec: dict, trace: str) -> Verdict:
    s = spec["sentence"]
    if not s:
        return Verdict.no("spec has an empty sentence")
    gold = answer(spec)
    return replay(trace, WORD_FLIP, _reading(s), lambda final: same(final, gold))
