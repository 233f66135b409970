"""Checks for tail/compare_numbers: the relation symbol, and a digit-position replay of the trace."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import COMPARE_NUMBERS

RELATIONS = ("<", "=", ">")


def answer(spec: dict) -> str:
    a, b = Decimal(spec["x1"]), Decimal(spec["x2"])
    return "<" if a < b else ">" if a > b else "="


def same(candidate: str, gold: str) -> bool:
    return candidate.strip() in RELATIONS and candidate.strip() == gold


def _padded(x1: str, x2: str) -> tuple[str, str]:
    """Both numbers with the same count of integer and fraction digits (the point kept if either has one)."""
    parts = [x.split(".") + [""] if "." not in x else x.split(".") for x in (x1, x2)]
    whole = max(len(p[0]) for p in parts)
    frac = max(len(p[1]) for p in parts)
    out = []
    for head, tail in parts:
        text = head.zfill(whole)
        if frac:
            text += "." + tail.ljust(frac, "0")
        out.append(text)
    return out[0], out[1]


def _positions(a: str, b: str) -> Iterator[State]:
    yield "header", {"a": a, "b": b}
    da_all, db_all = a.replace(".", ""), b.replace(".", "")
    relation = "="
    for position, (x, y) in enumerate(zip(da_all, db_all, strict=True)):
        relation = "=" if x == y else (">" if int(x) > int(y) else "<")
        yield {"=": "tie", ">": "greater", "<": "less"}[relation], {"i": position, "da": x, "db": y}
        if relation != "=":
            break
        if position + 1 < len(da_all):
            yield "move", {"i": position, "next": position + 1}
    yield "result", {"relation": relation}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return replay(trace, COMPARE_NUMBERS, _positions(*_padded(spec["x1"], spec["x2"])),
                  lambda final: same(final, gold))
