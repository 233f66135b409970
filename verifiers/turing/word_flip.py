"""Checks for tail/word_flip: the reversed sentence, and a character-by-character replay of the trace."""

from __future__ import annotations

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.stepcheck import Form, walk

HEADER = (Form("Sentence: {}"), Form("Read the sentence of {} characters: {}"))
STATE = (Form("State {}: fetch s[{}]='{}'; write out[{}]='{}'"),
         Form("Step {}: I take character {} of the sentence, '{}', and write it at position {} of the reversed text."))
MOVE = (Form("Transition {} -> {}"), Form("Next I move from step {} to step {}."))
RESULT = (Form("Result: {}"), Form("Reading the written characters in order gives: {}"))


def answer(spec: dict) -> str:
    return spec["sentence"][::-1]


def same(candidate: str, gold: str) -> bool:
    return candidate.strip() == gold


def check_trace(spec: dict, trace: str) -> Verdict:
    s = spec["sentence"]
    if not s:
        return Verdict.no("spec has an empty sentence")
    gold = answer(spec)
    headers = [(HEADER[0], (s,)), (HEADER[1], (len(s), s))]

    def steps(style: int):
        written = []
        for p in range(len(s) - 1, -1, -1):
            i = len(written)
            written.append(s[p])
            if style == 0:
                yield STATE[0], (i, p, s[p], i, s[p])
            else:
                yield STATE[1], (i, p, s[p], i)
            if p:
                yield MOVE[style], (i, i + 1)
        yield RESULT[style], ("".join(written),)

    return walk(trace, headers, steps, lambda final: same(final, gold))
