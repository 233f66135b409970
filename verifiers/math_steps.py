"""Step languages of ``math`` traces, replayed by ``reasonry.verifiers.math.check_trace``.

``spec["steps"]`` names the language:

- ``linear_equation`` (``spec["equation"]`` is ``"lhs = rhs"`` in x): each step is ``<what was done> => <lhs> =
  <rhs>``; every step on the final path must keep the solution set (checked with sympy), and the last one must
  read ``x = <value>`` with that value as the final answer.
- ``column_addition`` (``spec["x1"]``, ``spec["x2"]``, non-negative integers): each step is one TAIL column state
  ``Column i: fetch a=A b=B c=C; sum=S; digit=D c=E``, right to left; the digits written are the answer.

Without ``steps`` only the final answer line is checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

from reasonry.verdict import Verdict
from reasonry.verifiers import expr
from reasonry.verifiers.step_trace import FINAL, Replay, fail_at, read

MAX_STEPS = 200


def check(spec: dict, trace: str, verify: Callable[[dict, str], Verdict]) -> Verdict:
    language = spec.get("steps")
    if language is None:
        m = FINAL.match(trace.strip().split("\n")[-1])
        if not m:
            return Verdict.no("trace does not end with 'Final answer: ...'")
        return verify(spec, m.group(1))
    checker = LANGUAGES.get(language)
    if checker is None:
        return Verdict.no(f"unknown step language {language!r}")
    replay = read(trace)
    if isinstance(replay, Verdict):
        return replay
    if len(replay.path) > MAX_STEPS:
        return Verdict.no("final path too long")
    try:
        verdict = checker(spec, replay)
    except (expr.ParseError, KeyError, ValueError, TypeError, ZeroDivisionError) as exc:
        return Verdict.no(f"cannot replay: {type(exc).__name__}: {exc}")
    if not verdict.ok:
        return verdict
    answer = verify(spec, replay.final)
    return Verdict.yes("trace replays") if answer.ok else Verdict.no(f"final answer: {answer.reason}")


# ---- linear equations ----------------------------------------------------------------------------


def equation_sides(text: str) -> tuple:
    """Sympy (lhs, rhs) of ``lhs = rhs``."""
    lhs, sep, rhs = text.partition("=")
    if not sep or "=" in rhs:
        raise ValueError(f"not one equation: {text!r}")
    return expr.to_sympy(expr.parse(lhs)), expr.to_sympy(expr.parse(rhs))


def solution_set(lhs, rhs) -> tuple:
    """('one', value) | ('none',) | ('all',) for an equation linear in x; ValueError otherwise."""
    import sympy

    x = sympy.Symbol("x", real=True)
    diff = sympy.expand(lhs - rhs)
    if diff.free_symbols - {x}:
        raise ValueError("equation has symbols other than x")
    poly = sympy.Poly(diff, x)
    if poly.degree() > 1:
        raise ValueError("equation is not linear in x")
    a, b = (poly.all_coeffs() if poly.degree() == 1 else [sympy.Integer(0), poly.as_expr()])
    if a == 0:
        return ("all",) if b == 0 else ("none",)
    value = -b / a
    return ("one", Fraction(int(value.p), int(value.q)))


def _linear_equation(spec: dict, replay: Replay) -> Verdict:
    import sympy

    x = sympy.Symbol("x", real=True)
    expected = solution_set(*equation_sides(spec["equation"]))
    lhs = rhs = None
    for no, text in replay.path:
        _, sep, equation = text.rpartition("=>")
        if not sep:
            return fail_at(no, "a step reads '<what was done> => <equation>'")
        lhs, rhs = equation_sides(equation)
        if solution_set(lhs, rhs) != expected:
            return fail_at(no, "the step changes the solution set")
    if lhs is None or rhs is None or lhs != x or not rhs.is_Rational:
        return fail_at(replay.path[-1][0], "the last step does not read 'x = <number>'")
    value = Fraction(int(rhs.p), int(rhs.q))
    final = expr.rational(re.sub(r"^\s*x\s*=", "", replay.final))
    if final != value:
        return Verdict.no("final answer is not the value the last step found")
    return Verdict.yes("steps keep the solution set")


# ---- column addition -----------------------------------------------------------------------------

COLUMN = re.compile(r"^Column (\d+): fetch a=(\d) b=(\d) c=(\d); sum=(\d+); digit=(\d) c=(\d)$")


def _column_addition(spec: dict, replay: Replay) -> Verdict:
    x1, x2 = str(int(spec["x1"])), str(int(spec["x2"]))
    width = max(len(x1), len(x2))
    a, b = x1.rjust(width, "0"), x2.rjust(width, "0")
    if len(replay.path) != width:
        return Verdict.no(f"final path has {len(replay.path)} columns, the operands have {width}")
    carry, digits = 0, []
    for col, (no, text) in enumerate(replay.path):
        m = COLUMN.match(text)
        if not m:
            return fail_at(no, "expected a column state")
        c, da, db, cin, total, digit, cout = map(int, m.groups())
        if c != col:
            return fail_at(no, f"column {c} out of order (expected {col})")
        if (da, db) != (int(a[width - 1 - col]), int(b[width - 1 - col])):
            return fail_at(no, f"fetched digits are not the operands' digits in column {col}")
        if cin != carry:
            return fail_at(no, f"carry in {cin} is not the previous carry {carry}")
        if total != da + db + cin or digit != total % 10 or cout != total // 10:
            return fail_at(no, "wrong column arithmetic")
        digits.append(str(digit))
        carry = cout
    result = (str(carry) if carry else "") + "".join(reversed(digits))
    if expr.rational(replay.final) != Fraction(int(result)):
        return Verdict.no("final answer is not the digits written")
    return Verdict.yes("columns replay")


LANGUAGES: dict[str, Callable[[dict, Replay], Verdict]] = {
    "linear_equation": _linear_equation,
    "column_addition": _column_addition,
}
