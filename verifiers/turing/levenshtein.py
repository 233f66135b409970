"""Checks for tail/levenshtein: edit distance by a two-row DP, and a cell-by-cell replay of the trace."""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.common import grid_states, strings
from reasonry.verifiers.turing.lines import State, replay, same_integer
from reasonry.verifiers.turing.shapes import LEVENSHTEIN


def answer(spec: dict) -> str:
    s, t = strings(spec)
    prev = list(range(len(t) + 1))
    for i, a in enumerate(s, start=1):
        cur = [i]
        for j, b in enumerate(t, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return str(prev[-1])


same = same_integer


def _states(s: str, t: str) -> Iterator[State]:
    m, n = len(s), len(t)
    yield "header", {"s": s, "t": t, "m": m, "n": n}
    yield "init", {"m": m, "n": n, "top": " ".join(map(str, range(n + 1))), "side": " ".join(map(str, range(m + 1)))}
    yield from grid_states(s, t, lambda i, j: i + j,
                           lambda equal, diag, up, left: diag if equal else 1 + min(diag, up, left))


def check_trace(spec: dict, trace: str) -> Verdict:
    s, t = strings(spec)
    gold = answer(spec)
    return replay(trace, LEVENSHTEIN, _states(s, t), lambda final: same(final, gold))
