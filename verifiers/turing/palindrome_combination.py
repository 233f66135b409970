"""Checks for tail/palindrome_combination: the count by the multinomial formula, and a replay of the
backtracking walk (recursive here, so it shares nothing with the generator's explicit stack)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from math import factorial

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, lockstep, same_integer, shapes

_V = r"\d+"
_LIST = r"\[(?:\d+(?: \d+)*)?\]"
_POOL = r"\d+:\d+(?: \d+:\d+)*|-|none"
_MID = r"\d+|-|none"
_TALLY = r"count\[\d+\]=\d+(?:,? count\[\d+\]=\d+)*"
_KINDS = {
    "count": shapes("Count {i}: fetch x{i}={x}; count[{x}]={old}+1={new}",
                    "Element {i} is {x}, so count[{x}] goes from {old} to {new}.", x=_V),
    "no_palindrome": shapes("Tally: fetch {tally}; odd={odd}; {k} odd values, no palindrome",
                            "The counts are {tally}. Values with an odd count: {odd}. A palindrome allows at most "
                            "one, so there is none.", tally=_TALLY, odd=r"\d+(?: \d+)*"),
    "tally": shapes("Tally: fetch {tally}; odd={mid}; middle={mid}; half={half}",
                    "The counts are {tally}. Values with an odd count: {mid}. At most one is allowed, so the middle "
                    "is {mid} and each half uses {half}.", tally=_TALLY, mid=_MID, half=_POOL),
    "choose": shapes("State {prefix}: fetch rest={pool} tried={tried}; choose {c}",
                     "At prefix {prefix} the unused half values are {pool} and the last value tried here is "
                     "{tried}; place {c} next.", prefix=_LIST, pool=_POOL, tried=_MID, c=_V),
    "stuck": shapes("State {prefix}: fetch rest={pool} tried={tried}; no choice left",
                    "At prefix {prefix} the unused half values are {pool} and the last value tried here is "
                    "{tried}; no value is left to try.", prefix=_LIST, pool=_POOL, tried=_MID),
    "complete": shapes("State {prefix}: complete; fetch middle={mid}; palindrome={word}; found={old}+1={new}",
                       "Prefix {prefix} is a complete half; with middle {mid} it gives the palindrome {word}, so "
                       "found goes from {old} to {new}.", prefix=_LIST, mid=_MID, word=_LIST),
    "move": shapes("Transition {prefix} -> {child}", "Move from {prefix} to {child}.", prefix=_LIST, child=_LIST),
    "back": shapes("Backtrack {child} -> {prefix}", "Go back from {child} to {prefix}.", prefix=_LIST, child=_LIST),
    "result": shapes("Result: found={found}", "In total found={found} palindromes."),
}

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


def same(candidate: str, gold: str) -> bool:
    return same_integer(candidate, gold)


def _show(values) -> str:
    return "[" + " ".join(map(str, values)) + "]"


class _Walk:
    """The replay's own machine: a recursive depth-first search over the half pool."""

    def __init__(self, pool: Counter, size: int, middle: list[int], empty: str):
        self.pool, self.size, self.middle, self.empty, self.found = pool, size, middle, empty, 0

    def shown_pool(self) -> str:
        return " ".join(f"{v}:{self.pool[v]}" for v in sorted(self.pool) if self.pool[v]) or self.empty

    def mid(self) -> str:
        return str(self.middle[0]) if self.middle else self.empty

    def visit(self, prefix: list[int]) -> Iterator[Expected]:
        if len(prefix) == self.size:
            self.found += 1
            yield "complete", {"prefix": _show(prefix), "mid": self.mid(), "old": self.found - 1,
                               "new": self.found, "word": _show(prefix + self.middle + prefix[::-1])}
            return
        tried = self.empty
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


def _states(items: list[int], style: str) -> Iterator[Expected]:
    empty, sep = ("-", " ") if style == "terse" else ("none", ", ")
    counts: Counter = Counter()
    for i, x in enumerate(items):
        counts[x] += 1
        yield "count", {"i": i, "x": x, "old": counts[x] - 1, "new": counts[x]}
    tally = sep.join(f"count[{v}]={counts[v]}" for v in sorted(counts))
    odd = [v for v in sorted(counts) if counts[v] % 2 == 1]
    if len(odd) > 1:
        yield "no_palindrome", {"tally": tally, "odd": " ".join(map(str, odd)), "k": len(odd)}
        yield "result", {"found": 0}
        return
    walk = _Walk(Counter({v: counts[v] // 2 for v in counts}), len(items) // 2, odd, empty)
    yield "tally", {"tally": tally, "mid": walk.mid(), "half": walk.shown_pool()}
    yield from walk.visit([])
    yield "result", {"found": walk.found}


def check_trace(spec: dict, trace: str) -> Verdict:
    items = _items(spec)
    gold = answer(spec)
    if int(gold) > MAX_PALINDROMES:
        return Verdict.no(f"more than {MAX_PALINDROMES} palindromes: no trace is checked for this spec")
    # separators and the word for "nothing" differ per rendering, so the replay needs the rendering first
    style = "styled" if trace.lstrip().startswith("Element ") else "terse"
    return lockstep(trace, _states(items, style), _KINDS, lambda final: same(final, gold))
