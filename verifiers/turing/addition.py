"""Checks for tail/addition: exact decimal sum, and a column-by-column replay of the trace."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, localcontext
from fractions import Fraction

from reasonry.numbers import canonical_decimal, parse_written_number
from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import ADDITION


def answer(spec: dict) -> str:
    with localcontext() as ctx:
        ctx.prec = 1000
        return canonical_decimal(Decimal(spec["x1"]) + Decimal(spec["x2"]))


def same(candidate: str, gold: str) -> bool:
    value = parse_written_number(candidate)  # 1.07, 1.070, +1.07 or 107/100
    return value is not None and value == Fraction(gold)


def _columns(spec: dict) -> Iterator[State]:
    """The replay: the operands written to the same shape, then one state per column from the right."""
    whole = max(len(x.partition(".")[0]) for x in (spec["x1"], spec["x2"]))
    frac = max(len(x.partition(".")[2]) for x in (spec["x1"], spec["x2"]))

    def padded(x: str) -> str:
        head, _, tail = x.partition(".")
        return head.rjust(whole, "0") + ("." + tail.ljust(frac, "0") if frac else "")

    a, b = padded(spec["x1"]), padded(spec["x2"])
    yield "header", {"a": a, "b": b}
    da_all, db_all = a.replace(".", "")[::-1], b.replace(".", "")[::-1]
    carry, written = 0, ""
    for col, (da, db) in enumerate(zip(map(int, da_all), map(int, db_all), strict=True)):
        total = da + db + carry
        yield "state", {"i": col, "da": da, "db": db, "carry": carry, "total": total, "digit": total % 10,
                        "out": total // 10}
        if col + 1 < len(da_all):
            yield "move", {"i": col, "next": col + 1}
        carry, written = total // 10, str(total % 10) + written
    written = (str(carry) if carry else "") + written
    shown = written[: len(written) - frac] + ("." + written[len(written) - frac:] if frac else "")
    yield "result", {"carry": carry, "digits": shown}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return replay(trace, ADDITION, _columns(spec), lambda final: same(final, gold))
