"""Checks for tail/addition: exact decimal sum, and a column-by-column replay of the trace."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from fractions import Fraction

from reasonry.numbers import align_decimals, canonical_decimal, parse_written_number
from reasonry.verdict import Verdict
from reasonry.verifiers.turing.common import fail_at, split_final

_STATE = (
    re.compile(r"^State (\d+): fetch a=(\d) b=(\d) c=(\d); sum=(\d+); digit=(\d) c=(\d)$"),
    re.compile(r"^Column (\d+): I read a=(\d) and b=(\d) with carry (\d)\. "
               r"\d \+ \d \+ \d = (\d+), so I write (\d) and carry (\d)\.$"),
)
_TRANSITION = (
    re.compile(r"^Transition (\d+) -> (\d+)$"),
    re.compile(r"^Next I move from column (\d+) to column (\d+)\.$"),
)
_HEADER = (
    re.compile(r"^Operands: ([\d.]+) \+ ([\d.]+)$"),
    re.compile(r"^Line the numbers up on the decimal point: ([\d.]+) and ([\d.]+)\.$"),
)
_CARRY = (re.compile(r"^Carry out: (\d)$"), None)
_RESULT = (re.compile(r"^Result: ([\d.]+)$"), re.compile(r"^The last carry is (\d), so the digits read ([\d.]+)\.$"))


def answer(spec: dict) -> str:
    with localcontext() as ctx:
        ctx.prec = 1000
        return canonical_decimal(Decimal(spec["x1"]) + Decimal(spec["x2"]))


def same(candidate: str, gold: str) -> bool:
    value = parse_written_number(candidate)  # 1.07, 1.070, +1.07 or 107/100
    return value is not None and value == Fraction(gold)


def _show(digits: str, frac: int) -> str:
    return digits[: len(digits) - frac] + ("." + digits[len(digits) - frac:] if frac else "")


def check_trace(spec: dict, trace: str) -> Verdict:
    body, final = split_final(trace)
    if final is None:
        return Verdict.no("trace does not end with 'Final answer:'")
    if not body:
        return Verdict.no("trace has no states")
    style = next((i for i, rx in enumerate(_HEADER) if rx.match(body[0])), None)
    if style is None:
        return fail_at(0, "expected the aligned operands")
    a, b, frac = align_decimals(spec["x1"], spec["x2"])
    if _HEADER[style].match(body[0]).groups() != (_show(a, frac), _show(b, frac)):
        return fail_at(0, "operands are not the aligned inputs")
    n = len(a)
    carry, digits, line = 0, [], 1
    for col in range(n):
        if line >= len(body):
            return Verdict.no(f"trace stops before column {col}")
        m = _STATE[style].match(body[line])
        if not m:
            return fail_at(line, f"expected the state of column {col}")
        c, da, db, cin, total, digit, cout = map(int, m.groups())
        if c != col:
            return fail_at(line, f"state {c} out of order (expected {col})")
        if (da, db) != (int(a[n - 1 - col]), int(b[n - 1 - col])):
            return fail_at(line, f"fetched digits {da},{db} are not the operands' digits in column {col}")
        if cin != carry:
            return fail_at(line, f"carry in {cin} is not the previous carry {carry}")
        if total != da + db + cin or digit != total % 10 or cout != total // 10:
            return fail_at(line, "wrong column arithmetic")
        if style == 1 and not body[line].startswith(f"Column {col}: I read a={da} and b={db} with carry {cin}. "
                                                    f"{da} + {db} + {cin} ="):
            return fail_at(line, "wrong column arithmetic")
        carry = cout
        digits.append(str(digit))
        line += 1
        if col + 1 < n:
            t = _TRANSITION[style].match(body[line]) if line < len(body) else None
            if not t or tuple(map(int, t.groups())) != (col, col + 1):
                return fail_at(line, f"expected the transition {col} -> {col + 1}")
            line += 1
    if carry:
        digits.append(str(carry))
    raw = "".join(reversed(digits))
    result = _show(raw, frac)
    if style == 0:
        if line >= len(body) or not (m := _CARRY[0].match(body[line])) or int(m.group(1)) != carry:
            return fail_at(line, f"expected 'Carry out: {carry}'")
        line += 1
        if line >= len(body) or not (m := _RESULT[0].match(body[line])) or m.group(1) != result:
            return fail_at(line, f"expected 'Result: {result}'")
    else:
        m = _RESULT[1].match(body[line]) if line < len(body) else None
        if not m or (int(m.group(1)), m.group(2)) != (carry, result):
            return fail_at(line, f"expected the last carry {carry} and digits {result}")
    if line + 1 != len(body):
        return fail_at(line + 1, "unexpected lines after the result")
    if not same(final, canonical_decimal(result)):
        return Verdict.no("final answer does not match the digits written")
    return Verdict.yes("trace replays")
