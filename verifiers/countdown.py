"""Verifier kind ``countdown``: does an arithmetic expression reach the target using each number once?

``spec = {"numbers": [int, ...], "target": int}``. The candidate (after an optional ``Final answer:``) is an
expression with + - * / and parentheses over exactly the given numbers, each used once; it is parsed without
``eval`` and evaluated exactly with fractions. A value written after ``=`` is a claim of the answer and must be
the target too (``... = 999`` is wrong even when the expression is right). ``check_trace`` replays the steps of
an MCTS trace (``Step k: A op B = C; numbers left: ...``): every step on the final path combines two available
numbers correctly, the path ends with the target as the one number left, and the final answer verifies.
"""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction

from reasonry.verdict import Verdict
from reasonry.verifiers import expr
from reasonry.verifiers.step_trace import fail_at, read

MAX_CANDIDATE = 500
STEP = re.compile(r"^(\d+) ([-+*/]) (\d+) = (\d+); numbers left: ([\d, ]+)$")
ALLOWED = {"add", "sub", "mul", "div", "neg"}


def _expression(candidate: str) -> tuple[str, list[str]]:
    """The expression and the values it is claimed to equal: ``3*8 = 24`` is ``3*8`` claimed to be 24."""
    text = candidate.strip().split("\n")[-1]
    if text.lower().startswith("final answer:"):
        text = text.split(":", 1)[1]
    text = text.strip().rstrip(".").strip()
    expression, *claims = text.split("=")
    return expression, claims


def verify(spec: dict, candidate: str) -> Verdict:
    try:
        numbers = [int(n) for n in spec["numbers"]]
        target = Fraction(int(spec["target"]))
    except (KeyError, TypeError, ValueError):
        return Verdict.no("spec needs integer 'numbers' and 'target'")
    if not isinstance(candidate, str):
        return Verdict.no("candidate is not text")
    if len(candidate) > MAX_CANDIDATE:
        return Verdict.no("candidate too long")
    expression, claims = _expression(candidate)
    try:
        tree = expr.parse(expression, variables=False, implicit=False)
    except expr.ParseError as exc:
        return Verdict.no(f"unparsable expression: {exc}")
    for claim in claims:  # every stated value is part of the answer, and must be the target
        claimed = expr.rational(claim.strip())
        if claimed is None or claimed != target:
            return Verdict.no(f"the answer claims the expression equals {claim.strip()!r}, not {target}")
    if not expr.operators(tree) <= ALLOWED or "neg" in expr.operators(tree):
        return Verdict.no("only + - * / between the given numbers are allowed")
    used = expr.leaves(tree)
    if any(v.denominator != 1 for v in used) or Counter(int(v) for v in used) != Counter(numbers):
        return Verdict.no("the expression must use each given number exactly once")
    try:
        value = expr.to_fraction(tree)
    except (expr.ParseError, ZeroDivisionError):
        return Verdict.no("division by zero")
    if value != target:
        return Verdict.no(f"the expression is {value}, not {target}")
    return Verdict.yes("reaches the target")


def _apply(a: int, op: str, b: int) -> int | None:
    if op == "+":
        return a + b
    if op == "-":
        return a - b if a > b else None
    if op == "*":
        return a * b
    return a // b if b and a % b == 0 else None


def check_trace(spec: dict, trace: str) -> Verdict:
    if not isinstance(trace, str) or not trace.strip():
        return Verdict.no("empty trace")
    replay = read(trace)
    if isinstance(replay, Verdict):
        return replay
    try:
        pool = Counter(int(n) for n in spec["numbers"])
        target = int(spec["target"])
    except (KeyError, TypeError, ValueError):
        return Verdict.no("spec needs integer 'numbers' and 'target'")
    for no, text in replay.path:
        m = STEP.match(text)
        if not m:
            return fail_at(no, "expected 'A op B = C; numbers left: ...'")
        a, op, b, c = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        if pool[a] < 1 or pool[b] < (2 if a == b else 1):
            return fail_at(no, f"{a} and {b} are not both available")
        if _apply(a, op, b) != c:
            return fail_at(no, f"{a} {op} {b} is not {c} (positive integers only)")
        pool = pool - Counter([a, b]) + Counter([c])
        left = Counter(int(n) for n in m.group(5).split(",") if n.strip())
        if left != pool:
            return fail_at(no, "the numbers left are wrong")
    if +pool != Counter([target]):
        return fail_at(replay.path[-1][0], "the final path does not end with the target alone")
    answer = verify(spec, replay.final)
    return Verdict.yes("trace replays") if answer.ok else Verdict.no(f"final answer: {answer.reason}")
