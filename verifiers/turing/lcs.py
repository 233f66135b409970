"""Checks for tail/lcs: LCS length by a rolling-row DP, and a cell-by-cell replay of the trace."""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.common import grid_states, strings
from reasonry.verifiers.turing.lines import State, replay, same_integer
from reasonry.verifiers.turing.shapes import LCS


def answer(spec: dict) -> str:
    s, t = strings(spec)
    row = [0] * (len(t) + 1)
    for a in s:
        diag = 0  # the previous row's value one column to the left
        for j, b in enumerate(t, start=1):
            diag, row[j] = row[j], (diag + 1 if a == b else max(row[j], row[j - 1]))
    return str(row[-1])


same = same_integer


def _states(s: str, t: str) -> Iterator[State]:
    yield "header", {"s": s, "t": t, "m": len(s), "n": len(t)}
    yield "init", {"m": len(s), "n": len(t)}
    yield from grid_states(s, t, lambda i, j: 0,
                           lambda equal, diag, up, left: diag + 1 if equal else max(up, left))


def check_trace(spec: dict, trace: str) -> Verdict:
    s, t = strings(spec)
    gold = answer(spec)
    return replay(trace, LCS, _states(s, t), lambda final: same(final, gold))
