"""Checks for tail/bubble_sort: the sorted list, and a comparison-by-comparison replay of the trace."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import BUBBLE_SORT

_INT = re.compile(r"[+-]?\d+")


def _show(values) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


def parse_list(text: str) -> list[int] | None:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    items = [part.strip() for part in text.split(",")]
    if not all(_INT.fullmatch(item) for item in items):
        return None
    return [int(item) for item in items]


MAX_ITEMS = 1000


def answer(spec: dict) -> str:
    if len(spec["values"]) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} values (the trace has n^2 states)")
    return _show(sorted(int(v) for v in spec["values"]))


def same(candidate: str, gold: str) -> bool:
    got = parse_list(candidate)
    return got is not None and got == parse_list(gold)


def _passes(start: list[int]) -> Iterator[State]:
    a = list(start)
    n = len(a)
    yield "header", {"list": _show(a)}
    p = 0
    while True:
        swaps = 0
        width = n - 1 - p
        for j in range(width):
            x, y = a[j], a[j + 1]
            greater = x > y
            if greater:
                a[j + 1], a[j] = x, y
                swaps += 1
            yield ("swap" if greater else "keep"), {"p": p, "j": j, "k": j + 1, "x": x, "y": y, "list": _show(a)}
            if j < width - 1:
                yield "move", {"p": p, "j": j, "np": p, "nj": j + 1}
        yield "end_pass", {"p": p, "swaps": swaps}
        if not swaps or p == n - 2:
            break
        yield "move", {"p": p, "j": width - 1, "np": p + 1, "nj": 0}
        p += 1
    yield "result", {"list": _show(a)}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    start = [int(v) for v in spec["values"]]
    if len(set(start)) != len(start) or len(start) < 2:
        return Verdict.no("spec must hold at least two distinct numbers")
    return replay(trace, BUBBLE_SORT, _passes(start), lambda final: same(final, gold))
