"""Checks for tail/division: the quotient truncated after ``places`` decimals, and a digit-by-digit replay."""

from __future__ import annotations

from fractions import Fraction

from reasonry.numbers import canonical_decimal, parse_written_number
from reasonry.verdict import Verdict
from reasonry.verifiers.turing.stepcheck import Form, walk

HEADER = (Form("Scale: {} / {} -> {} / {}"), Form("Scale both numbers to whole numbers: {} / {} becomes {} / {}."))
STATE = (Form("State {}: fetch r={} d={}; cur={}; q={} q*b={}; r={}"),
         Form("Step {}: I bring down {} next to the remainder {}, which gives {}. "
              "{} fits into {} {} times ({} x {} = {}), so the remainder is {}."))
MOVE = (Form("Transition {} -> {}"), Form("Next I move from step {} to step {}."))
MOVE_POINT = (Form("Transition {} -> {} (decimal point)"),
              Form("Next I move from step {} to step {}, past the decimal point."))
STOP = (Form("Stop: r={} places={}"), Form("I stop with remainder {} after {} decimal places."))
RESULT = (Form("Result: {}"), Form("So the quotient is {}."))


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


def check_trace(spec: dict, trace: str) -> Verdict:
    x1, x2, places = spec["x1"], spec["x2"], int(spec["places"])
    gold = answer(spec)
    a, b = _whole(x1, x2)
    if b <= 0 or a < 0:
        return Verdict.no("spec operands must be positive")
    digits = [int(ch) for ch in str(a)]
    headers = [(HEADER[s], (x1, x2, a, b)) for s in (0, 1)]

    def steps(s: int):
        remainder, written, step = 0, 0, 0
        while True:
            d = digits[step] if step < len(digits) else 0
            cur = remainder * 10 + d
            q, new = divmod(cur, b)
            if s == 0:
                yield STATE[0], (step, remainder, d, cur, q, q * b, new)
            else:
                yield STATE[1], (step, d, remainder, cur, b, cur, q, q, b, q * b, new)
            if step >= len(digits):
                written += 1
            remainder = new
            last = step + 1 >= len(digits)
            if last and (remainder == 0 or written >= places):
                break
            yield (MOVE_POINT if step + 1 == len(digits) else MOVE)[s], (step, step + 1)
            step += 1
        yield STOP[s], (remainder, written)
        yield RESULT[s], (gold,)

    return walk(trace, headers, steps, lambda final: same(final, gold))
