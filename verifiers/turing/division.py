"""Checks for tail/division: the quotient truncated after ``places`` decimals, and a digit-by-digit replay."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from itertools import chain

from reasonry.numbers import canonical_decimal, parse_written_number
from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import DIVISION


def _truncated(value: Fraction, places: int) -> str:
    scaled = value.numerator * 10**places // value.denominator
    text = str(scaled).rjust(places + 1, "0")
    if places:
        text = text[:-places] + "." + text[-places:]
    return canonical_decimal(text)


MAX_PLACES = 1000
MAX_DIGITS = 1000


def answer(spec: dict) -> str:
    places = int(spec["places"])
    # bounds keep a hand-made spec from costing unbounded time or memory
    if not 0 <= places <= MAX_PLACES or max(len(spec["x1"]), len(spec["x2"])) > MAX_DIGITS:
        raise ValueError(f"places must be in [0, {MAX_PLACES}] and operands at most {MAX_DIGITS} characters")
    return _truncated(Fraction(spec["x1"]) / Fraction(spec["x2"]), places)


def same(candidate: str, gold: str) -> bool:
    value = parse_written_number(candidate)  # 1.07, 1.070, +1.07 or 107/100
    return value is not None and value == Fraction(gold)


def _whole(x1: str, x2: str) -> tuple[int, int]:
    scale = 10 ** max(len(x.partition(".")[2]) for x in (x1, x2))
    a, b = Fraction(x1) * scale, Fraction(x2) * scale
    return int(a), int(b)


def _steps(x1: str, x2: str, places: int) -> Iterator[State]:
    a, b = _whole(x1, x2)
    if b <= 0 or a < 0:
        raise ValueError("spec operands must be positive")
    yield "header", {"x1": x1, "x2": x2, "a": a, "b": b}
    digits = [int(ch) for ch in str(a)]
    remainder, written, step = 0, 0, 0
    while True:
        d = digits[step] if step < len(digits) else 0
        cur = remainder * 10 + d
        q, new = divmod(cur, b)
        yield "state", {"i": step, "r": remainder, "d": d, "cur": cur, "q": q, "b": b, "prod": q * b, "rest": new}
        if step >= len(digits):
            written += 1
        remainder = new
        if step + 1 >= len(digits) and (remainder == 0 or written >= places):
            break
        yield ("move_point" if step + 1 == len(digits) else "move"), {"i": step, "next": step + 1}
        step += 1
    yield "stop", {"r": remainder, "places": written}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    states = chain(_steps(spec["x1"], spec["x2"], int(spec["places"])), [("result", {"quotient": gold})])
    return replay(trace, DIVISION, states, lambda final: same(final, gold))
