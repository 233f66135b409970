"""Checks for tail/diophantine: the set of non-negative (x, y) with a*x + b*y = n, ``none`` when empty.

``answer`` solves through the extended Euclidean algorithm (one particular solution, then steps of
b/g and a/g), independent of the trace's enumeration of x; the replay enumerates x itself. A candidate is
compared as a set of pairs: order does not matter, a repeated or missing pair is wrong.
"""

from __future__ import annotations

import re

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, both, lockstep

NONE = "none"
_N = r"(\d+)"
_SOLUTIONS = r"(none|\(\d+, \d+\)(?:, \(\d+, \d+\))*)"
PATTERNS = {
    "equation": both(rf"Equation: {_N}x\+{_N}y={_N}; x=0 rest={_N}",
                     rf"We solve {_N}x \+ {_N}y = {_N} in non-negative integers, starting from x = 0 with rest = "
                     rf"{_N}\."),
    "hit": both(rf"State {_N}: fetch x={_N} rest={_N}; {_N}%{_N}=0; y={_N}/{_N}={_N}; found \({_N}, {_N}\)",
                rf"Step {_N}: x = {_N} leaves rest = {_N}; {_N} mod {_N} = 0, so y = {_N} / {_N} = {_N} and "
                rf"\({_N}, {_N}\) is a solution\."),
    "miss": both(rf"State {_N}: fetch x={_N} rest={_N}; {_N}%{_N}={_N}; no",
                 rf"Step {_N}: x = {_N} leaves rest = {_N}; {_N} mod {_N} = {_N}, not 0, so no y works\."),
    "move": both(rf"Transition {_N} -> {_N}: fetch rest={_N} a={_N}; rest={_N}-{_N}={_N}",
                 rf"Now I move from x = {_N} to x = {_N}: with rest = {_N} and a = {_N}, rest becomes {_N} - {_N} "
                 rf"= {_N}\."),
    "stop": both(rf"Stop: fetch rest={_N} a={_N}; {_N}<{_N}",
                 rf"With rest = {_N} and a = {_N}, x cannot grow further because {_N} < {_N}\."),
    "result": both(rf"Solutions: {_SOLUTIONS}", rf"All solutions: {_SOLUTIONS}\."),
}
_EMPTY = {"none", "no solution", "no solutions", "[]", "{}", "∅"}
_PAIR = r"\((\d+),(\d+)\)"
# matched against the text with all whitespace removed, so no two parts of the pattern compete for a character
_PAIRS = re.compile(rf"{_PAIR}(?:[,;]?{_PAIR})*")


def _instance(spec: dict) -> tuple[int, int, int]:
    a, b, n = int(spec["a"]), int(spec["b"]), int(spec["n"])
    # the replay enumerates n/a values of x: bounded so a hostile spec is refused rather than run
    if a < 1 or b < 1 or not 0 <= n <= 100_000 or n // a > 20_000:
        raise ValueError("need a, b >= 1, 0 <= n <= 100000 and n/a <= 20000")
    return a, b, n


def _egcd(p: int, q: int) -> tuple[int, int, int]:
    """(g, s, t) with s*p + t*q = g = gcd(p, q)."""
    s0, s1, t0, t1 = 1, 0, 0, 1
    while q:
        k = p // q
        p, q = q, p - k * q
        s0, s1 = s1, s0 - k * s1
        t0, t1 = t1, t0 - k * t1
    return p, s0, t0


def solutions(spec: dict) -> list[tuple[int, int]]:
    a, b, n = _instance(spec)
    g, s, _t = _egcd(a, b)
    if n % g:
        return []
    step = b // g
    x = (s * (n // g)) % step  # smallest non-negative x of the family x0 + k*b/g
    found = []
    while a * x <= n:
        found.append((x, (n - a * x) // b))
        x += step
    return found


def answer(spec: dict) -> str:
    return ", ".join(f"({x}, {y})" for x, y in solutions(spec)) or NONE


def _pairs(text: str) -> list[tuple[int, int]] | None:
    text = text.strip()
    if text.lower().rstrip(".") in _EMPTY:
        return []
    text = "".join(text.split())
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "{}"):
        text = text[1:-1]
    if not _PAIRS.fullmatch(text):
        return None
    return [(int(x), int(y)) for x, y in re.findall(_PAIR, text)]


def same(candidate: str, gold: str) -> bool:
    got = _pairs(candidate)
    want = _pairs(gold)
    return got is not None and got == want  # the prompt asks for increasing order of x


def expected_states(spec: dict) -> list[Expected]:
    a, b, n = _instance(spec)
    s = str
    states: list[Expected] = [("equation", (s(a), s(b), s(n), s(n)))]
    found = []
    x = 0
    while True:
        rest = n - a * x
        if rest % b == 0:
            y = rest // b
            found.append(f"({x}, {y})")
            states.append(("hit", (s(x), s(x), s(rest), s(rest), s(b), s(rest), s(b), s(y), s(x), s(y))))
        else:
            states.append(("miss", (s(x), s(x), s(rest), s(rest), s(b), s(rest % b))))
        if rest < a:
            states.append(("stop", (s(rest), s(a), s(rest), s(a))))
            break
        states.append(("move", (s(x), s(x + 1), s(rest), s(a), s(rest), s(a), s(rest - a))))
        x += 1
    states.append(("result", (", ".join(found) or NONE,)))
    return states


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return lockstep(trace, expected_states(spec), PATTERNS, lambda final: same(final, gold))
