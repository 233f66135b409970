"""Checks for tail/bubble_sort: the sorted list, and a comparison-by-comparison replay of the trace."""

from __future__ import annotations

import re

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.stepcheck import Form, walk

HEADER = (Form("List: {}"), Form("Start with the list {}."))
STATE = (Form("State {},{}: fetch a{}={} a{}={}; {} {} {} {}; list={}"),
         Form("Pass {}, position {}: I read a{}={} and a{}={}. Since {} {} {}, I {} them, and the list is now {}."))
MOVE = (Form("Transition {},{} -> {},{}"), Form("Next I move from pass {} position {} to pass {} position {}."))
END_PASS = (Form("End pass {}: swaps={}"), Form("Pass {} is over with {} swaps."))
RESULT = (Form("Result: {}"), Form("The list is sorted: {}."))
_RELATION = ({True: ">", False: "<"}, {True: "is greater than", False: "is less than"})
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


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    start = [int(v) for v in spec["values"]]
    if len(set(start)) != len(start) or len(start) < 2:
        return Verdict.no("spec must hold at least two distinct numbers")
    headers = [(HEADER[s], (_show(start),)) for s in (0, 1)]

    def steps(s: int):
        a = list(start)
        n = len(a)
        last_pass = n - 2
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
                rel, act = _RELATION[s][greater], ("swap" if greater else "keep")
                yield STATE[s], (p, j, j, x, j + 1, y, x, rel, y, act, _show(a))
                if j < width - 1:
                    yield MOVE[s], (p, j, p, j + 1)
            yield END_PASS[s], (p, swaps)
            if not swaps or p == last_pass:
                break
            yield MOVE[s], (p, width - 1, p + 1, 0)
            p += 1
        yield RESULT[s], (_show(a),)

    return walk(trace, headers, steps, lambda final: same(final, gold))
