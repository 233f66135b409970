"""Checks for tail/palindrome_combination: the count by the multinomial formula, and a replay of the
backtracking walk (recursive here, so it shares nothing with the generator's explicit stack)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from math import factorial

from reasonry.verifiers.turing.lockstep import Expected, lockstep, same_integer, shapes

from reasonry.verdict import Verdict

_L = r"[a-z]"
_PREFIX = r"[a-z]*"
_POOL = r"[a-z]:\d+(?: [a-z]:\d+)*|-|none"
_MID = r"[a-z]|-|none"
_LETTERS = r"[a-z](?: [a-z])*"
_KINDS = {
    "count": shapes("Count {i}: fetch x{i}={x}; count[{x}]={old}+1={new}",
                    "Letter {i} is {x}, so count[{x}] goes from {old} to {new}.", x=_L),
    "no_palindrome": shapes("Tally: fetch {tally}; odd={odd}; {k} odd letters, no palindrome",
                            "The counts are {tally}. Letters with an odd count: {odd}. A palindrome allows at most "
                            "one, so there is none.", tally=r"[a-z]=\d+(?:,? [a-z]=\d+)*", odd=_LETTERS),
    "tally": shapes("Tally: fetch {tally}; odd={mid}; middle={mid}; half={half}",
                    "The counts are {tally}. Letters with an odd count: {mid}. At most one is allowed, so the middle "
                    "is {mid} and each half uses {half}.", tally=r"[a-z]=\d+(?:,? [a-z]=\d+)*", mid=_MID, half=_POOL),
    "choose": shapes("State [{prefix}]: fetch rest={pool} tried={tried}; choose {c}",
                     "At prefix [{prefix}] the unused half letters are {pool} and the last letter tried here is "
                     "{tried}; place {c} next.", prefix=_PREFIX, pool=_POOL, tried=_MID, c=_L),
    "stuck": shapes("State [{prefix}]: fetch rest={pool} tried={tried}; no choice left",
                    "At prefix [{prefix}] the unused half letters are {pool} and the last letter tried here is "
                    "{tried}; no letter is left to try.", prefix=_PREFIX, pool=_POOL, tried=_MID),
    "complete": shapes("State [{prefix}]: complete; fetch middle={mid}; palindrome={word}; found={old}+1={new}",
                       "Prefix [{prefix}] is a complete half; with middle {mid} it gives the palindrome {word}, so "
                       "found goes from {old} to {new}.", prefix=_PREFIX, mid=_MID, word=r"[a-z]+"),
    "move": shapes("Transition [{prefix}] -> [{child}]", "Move from [{prefix}] to [{child}].",
                   prefix=_PREFIX, child=_PREFIX),
    "back": shapes("Backtrack [{child}] -> [{prefix}]", "Go back from [{child}] to [{prefix}].",
                   prefix=_PREFIX, child=_PREFIX),
    "result": shapes("Result: found={found}", "In total found={found} palindromes."),
}


# the walk visits every palindrome (the answer) times the half length: refuse what no trace could hold
MAX_ITEMS = 64
MAX_PALINDROMES = 100_000


def _items(spec: dict) -> list[str]:
    items = spec["items"]
    if not isinstance(items, list) or len(items) > MAX_ITEMS \
            or not all(isinstance(x, str) and len(x) == 1 and "a" <= x <= "z" for x in items):
        raise ValueError(f"items must be a list of at most {MAX_ITEMS} single lowercase letters")
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


class _Walk:
    """The replay's own machine: a recursive depth-first search over the half pool."""

    def __init__(self, pool: Counter, size: int, middle: str, empty: str):
        self.pool, self.size, self.middle, self.empty, self.found = pool, size, middle, empty, 0

    def shown_pool(self) -> str:
        return " ".join(f"{c}:{self.pool[c]}" for c in sorted(self.pool) if self.pool[c]) or self.empty

    def visit(self, prefix: str) -> Iterator[Expected]:
        if len(prefix) == self.size:
            self.found += 1
            yield "complete", {"prefix": prefix, "mid": self.middle or self.empty, "old": self.found - 1,
                               "new": self.found, "word": prefix + self.middle + prefix[::-1]}
            return
        tried = self.empty
        for c in sorted(self.pool):
            if not self.pool[c]:
                continue
            yield "choose", {"prefix": prefix, "pool": self.shown_pool(), "tried": tried, "c": c}
            yield "move", {"prefix": prefix, "child": prefix + c}
            self.pool[c] -= 1
            yield from self.visit(prefix + c)
            self.pool[c] += 1
            yield "back", {"prefix": prefix, "child": prefix + c}
            tried = c
        yield "stuck", {"prefix": prefix, "pool": self.shown_pool(), "tried": tried}


def _states(items: list[str], style: str) -> Iterator[Expected]:
    empty, sep = ("-", " ") if style == "terse" else ("none", ", ")
    counts: Counter = Counter()
    for i, x in enumerate(items):
        counts[x] += 1
        yield "count", {"i": i, "x": x, "old": counts[x] - 1, "new": counts[x]}
    tally = sep.join(f"{c}={counts[c]}" for c in sorted(counts))
    odd = [c for c in sorted(counts) if counts[c] % 2 == 1]
    if len(odd) > 1:
        yield "no_palindrome", {"tally": tally, "odd": " ".join(odd), "k": len(odd)}
        yield "result", {"found": 0}
        return
    walk = _Walk(Counter({c: counts[c] // 2 for c in counts}), len(items) // 2, "".join(odd), empty)
    yield "tally", {"tally": tally, "mid": walk.middle or empty, "half": walk.shown_pool()}
    yield from walk.visit("")
    yield "result", {"found": walk.found}


def check_trace(spec: dict, trace: str) -> Verdict:
    items = _items(spec)
    gold = answer(spec)
    if int(gold) > MAX_PALINDROMES:
        return Verdict.no(f"more than {MAX_PALINDROMES} palindromes: no trace is checked for this spec")
    # separators and the word for "nothing" differ per rendering, so the replay needs the rendering first
    style = "styled" if trace.lstrip().startswith("Letter ") else "terse"
    return lockstep(trace, _states(items, style), _KINDS, lambda final: same(final, gold))
