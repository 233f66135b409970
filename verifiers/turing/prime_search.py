"""Checks for tail/prime_search: the primes in [n, m], ``none`` when there are none.

``answer`` sieves (Eratosthenes), independent of the trace's trial division; the replay divides itself and
compares each state. A candidate is compared as a set of integers: order does not matter, a repeated or
missing prime is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import PRIME_SEARCH

NONE = "none"
_EMPTY = {"none", "no primes", "no prime", "[]", "{}", "∅"}
# one separator is either a comma/semicolon (with optional spaces) or spaces alone: never both readings
_LIST = re.compile(r"\d+(?:\s*[,;]\s*\d+|\s+\d+)*")


def _instance(spec: dict) -> tuple[int, int]:
    n, m = int(spec["n"]), int(spec["m"])
    # the replay divides every number of the range: bounded so a hostile spec is refused rather than run
    if n < 0 or m > 100_000 or m - n > 20_000:
        raise ValueError("need 0 <= n, m <= 100000 and m - n <= 20000")
    return n, m


def primes(spec: dict) -> list[int]:
    n, m = _instance(spec)
    if m < 2:
        return []
    composite = bytearray(m + 1)
    composite[0] = composite[1] = 1
    p = 2
    while p * p <= m:
        if not composite[p]:
            composite[p * p::p] = b"\x01" * len(range(p * p, m + 1, p))
        p += 1
    return [k for k in range(max(n, 2), m + 1) if not composite[k]]


def answer(spec: dict) -> str:
    return ", ".join(map(str, primes(spec))) or NONE


def _numbers(text: str) -> list[int] | None:
    text = text.strip()
    if text.lower().rstrip(".") in _EMPTY:
        return []
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "{}"):
        text = text[1:-1].strip()
    if not _LIST.fullmatch(text):
        return None
    return [int(t) for t in re.findall(r"\d+", text)]


def same(candidate: str, gold: str) -> bool:
    got, want = _numbers(candidate), _numbers(gold)
    return got is not None and got == want  # the prompt asks for increasing order


def expected_states(spec: dict) -> Iterator[State]:
    n, m = _instance(spec)
    yield "range", {"n": n, "m": m}
    found = []
    for k in range(n, m + 1):
        if k < 2:
            yield "small", {"k": k}
            continue
        for d in [2, *range(3, k + 1, 2)]:
            shown = {"k": k, "d": d, "square": d * d}
            if d * d > k:
                found.append(k)
                yield "prime", shown
                break
            if k % d == 0:
                yield "composite", shown
                break
            yield "next", {**shown, "r": k % d}
    yield "result", {"primes": ", ".join(map(str, found)) or NONE}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return replay(trace, PRIME_SEARCH, expected_states(spec), lambda final: same(final, gold))
