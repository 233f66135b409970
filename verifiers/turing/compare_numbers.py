"""Checks for tail/compare_numbers: the relation symbol, and a digit-position replay of the trace."""

from __future__ import annotations

from decimal import Decimal

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.stepcheck import Form, walk

HEADER = (Form("Operands: {} vs {}"), Form("Pad the numbers to the same shape around the decimal point: {} and {}."))
STATE = (Form("State {}: fetch a={} b={}; {}"), Form("Digit {}: the first number has {} and the second has {}, so {}."))
MOVE = (Form("Transition {} -> {}"), Form("Next I move from digit {} to digit {}."))
RESULT = (Form("Result: {}"), Form("So the relation is {}."))
_VERDICT = ({"=": "equal, next", ">": "a > b, stop", "<": "a < b, stop"},
            {"=": "they tie and I move on", ">": "the first number is larger", "<": "the second number is larger"})
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


def check_trace(spec: dict, trace: str) -> Verdict:
    a, b = _padded(spec["x1"], spec["x2"])
    gold = answer(spec)
    headers = [(HEADER[s], (a, b)) for s in (0, 1)]
    da_all, db_all = a.replace(".", ""), b.replace(".", "")

    def steps(s: int):
        position = 0
        relation = "="
        while position < len(da_all):
            x, y = da_all[position], db_all[position]
            relation = "=" if x == y else (">" if int(x) > int(y) else "<")
            yield STATE[s], (position, x, y, _VERDICT[s][relation])
            if relation != "=":
                break
            if position + 1 < len(da_all):
                yield MOVE[s], (position, position + 1)
            position += 1
        yield RESULT[s], (relation,)

    return walk(trace, headers, steps, lambda final: same(final, gold))
