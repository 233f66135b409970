"""Checks for tail/diophantine: the set of non-negative (x, y) with a*x + b*y = n, ``none`` when empty.

``answer`` solves through the extended Euclidean algorithm (one particular solution, then steps of
b/g and a/g), independent of the trace's enumeration of x; the replay enumerates x itself. A candidate is
compared as a set of pairs: order does not matter, a repeated or missing pair is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import DIOPHANTINE

NONE = "none"
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


def expected_states(spec: dict) -> Iterator[State]:
    a, b, n = _instance(spec)
    yield "equation", {"a": a, "b": b, "n": n}
    found = []
    x = 0
    while True:
        rest = n - a * x
        if rest % b == 0:
            found.append(f"({x}, {rest // b})")
            yield "hit", {"x": x, "rest": rest, "b": b, "y": rest // b}
        else:
            yield "miss", {"x": x, "rest": rest, "b": b, "m": rest % b}
        if rest < a:
            yield "stop", {"rest": rest, "a": a}
            break
        yield "move", {"x": x, "next": x + 1, "rest": rest, "a": a, "left": rest - a}
        x += 1
    yield "result", {"solutions": ", ".join(found) or NONE}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return replay(trace, DIOPHANTINE, expected_states(spec), lambda final: same(final, gold))
