"""Checks for tail/palindrome_combination: the count by the multinomial formula, and a replay of the
backtracking walk (recursive here, so it shares nothing with the generator's explicit stack)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from math import factorial

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay, same_integer, spaced
from reasonry.verifiers.turing.shapes import NOTHING, PALINDROME_COMBINATION

# the walk visits every palindrome (the answer) times the half length: refuse what no trace could hold
MAX_ITEMS = 64
MAX_PALINDROMES = 100_000


def _items(spec: dict) -> list[int]:
    items = spec["items"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS \
            or not all(type(x) is int and 1 <= x <= 10**9 for x in items):
        raise ValueError(f"items must be a list of 1 to {MAX_ITEMS} integers in [1, 10^9]")
    return items


def answer(spec: dict) -> str:
    counts = Counter(_items(spec))
    if sum(c % 2 for c in counts.values()) > 1:
        return "0"
    halves = [c // 2 for c in counts.values()]
    total = factorial(sum(halves))
    for h in halves:
        total //= factorial(h)
    return str(total)


same = same_integer


def _show(values) -> str:
    return "[" + " ".join(map(str, values)) + "]"


class _Walk:
    """The replay's own machine: a recursive depth-first search over the half pool."""

    def __init__(self, pool: Counter, size: int, middle: list[int]):
        self.pool, self.size, self.middle, self.found = pool, size, middle, 0

    def shown_pool(self) -> object:
        return " ".join(f"{v}:{self.pool[v]}" for v in sorted(self.pool) if self.pool[v]) or NOTHING

    def mid(self) -> object:
        return str(self.middle[0]) if self.middle else NOTHING

    def visit(self, prefix: list[int]) -> Iterator[State]:
        if len(prefix) == self.size:
            self.found += 1
            yield "complete", {"prefix": _show(prefix), "mid": self.mid(), "old": self.found - 1,
                               "new": self.found, "word": _show(prefix + self.middle + prefix[::-1])}
            return
        tried: object = NOTHING
        for v in sorted(self.pool):
            if not self.pool[v]:
                continue
            yield "choose", {"prefix": _show(prefix), "pool": self.shown_pool(), "tried": tried, "c": v}
            yield "move", {"prefix": _show(prefix), "child": _show([*prefix, v])}
            self.pool[v] -= 1
            yield from self.visit([*prefix, v])
            self.pool[v] += 1
            yield "back", {"prefix": _show(prefix), "child": _show([*prefix, v])}
            tried = str(v)
        yield "stuck", {"prefix": _show(prefix), "pool": self.shown_pool(), "tried": tried}


def _states(items: list[int]) -> Iterator[State]:
    counts: Counter = Counter()
    for i, x in enumerate(items):
        counts[x] += 1
        yield "count", {"i": i, "x": x, "old": counts[x] - 1, "new": counts[x]}
    tally = spaced(f"count[{v}]={counts[v]}" for v in sorted(counts))
    odd = [v for v in sorted(counts) if counts[v] % 2 == 1]
    if len(odd) > 1:
        yield "no_palindrome", {"tally": tally, "odd": " ".join(map(str, odd)), "k": len(odd)}
        yield "result", {"found": 0}
        return
    walk = _Walk(Counter({v: counts[v] // 2 for v in counts}), len(items) // 2, odd)
    yield "tally", {"tally": tally, "mid": walk.mid(), "half": walk.shown_pool()}
    yield from walk.visit([])
    yield "result", {"found": walk.found}


def check_trace(spec: dict, trace: str) -> Verdict:
    items = _items(spec)
    gold = answer(spec)
    if int(gold) > MAX_PALINDROMES:
        return Verdict.no(f"more than {MAX_PALINDROMES} palindromes: no trace is checked for this spec")
    return replay(trace, PALINDROME_COMBINATION, _states(items), lambda final: same(final, gold))
