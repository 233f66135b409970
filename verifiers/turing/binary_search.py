"""Checks for tail/binary_search: the index by bisection of the list (-1 if absent), and a state-by-state
replay of the halving ranges."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, lockstep, same_integer, shape

_TERSE_LIST = r"s\d+=-?\d+(?: s\d+=-?\d+)*"
_STYLED_LIST = r"s\d+=-?\d+(?:, s\d+=-?\d+)*"


def _probe(relation: str, prose: str) -> tuple:
    return (shape("State {{lo},{hi}}: fetch {fetched}; find={x}; mid={mid}, s{mid}={v} " + relation + " find",
                  fetched=_TERSE_LIST),
            shape("Range [{lo}, {hi}]: the numbers are {fetched} and we look for {x}. The middle index is {mid} and "
                  "s{mid}={v} " + prose + ".", fetched=_STYLED_LIST))


_KINDS = {
    "greater": _probe(">", "is greater than {x}"),
    "less": _probe("<", "is less than {x}"),
    "equal": _probe("=", "equals {x}, so {x} is at index {mid}"),
    "empty": (shape("State {{lo},{hi}}: empty range; find={x} is absent"),
              shape("Range [{lo}, {hi}]: the range is empty, so {x} is not in the list.")),
    "move": (shape("Transition {{lo},{hi}} -> {{nlo},{nhi}}"),
             shape("Narrow the range from [{lo}, {hi}] to [{nlo}, {nhi}].")),
}


# each state re-writes its whole range, so a trace holds about n log n numbers
MAX_NUMBERS = 10_000


def _problem(spec: dict) -> tuple[list[int], int]:
    if len(spec["numbers"]) > MAX_NUMBERS:
        raise ValueError(f"at most {MAX_NUMBERS} numbers")
    numbers, target = [int(v) for v in spec["numbers"]], int(spec["target"])
    if not numbers or any(a >= b for a, b in zip(numbers, numbers[1:], strict=False)):
        raise ValueError("numbers must be a non-empty, strictly increasing list")
    return numbers, target


def answer(spec: dict) -> str:
    numbers, target = _problem(spec)
    i = bisect_left(numbers, target)
    return str(i if i < len(numbers) and numbers[i] == target else -1)


def same(candidate: str, gold: str) -> bool:
    return same_integer(candidate, gold)


def _states(numbers: list[int], target: int, style: str) -> Iterator[Expected]:
    lo, hi = 0, len(numbers) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        sep = " " if style == "terse" else ", "
        shown = {"lo": lo, "hi": hi, "x": target, "mid": mid, "v": numbers[mid],
                 "fetched": sep.join(f"s{k}={numbers[k]}" for k in range(lo, hi + 1))}
        if numbers[mid] == target:
            yield "equal", shown
            return
        if numbers[mid] > target:
            yield "greater", shown
            nlo, nhi = lo, mid - 1
        else:
            yield "less", shown
            nlo, nhi = mid + 1, hi
        yield "move", {"lo": lo, "hi": hi, "nlo": nlo, "nhi": nhi}
        lo, hi = nlo, nhi
    yield "empty", {"lo": lo, "hi": hi, "x": target}


def check_trace(spec: dict, trace: str) -> Verdict:
    numbers, target = _problem(spec)
    gold = answer(spec)
    # the fetched numbers are separated differently per rendering, so the replay needs the rendering first
    style = "styled" if trace.lstrip().startswith("Range [") else "terse"
    return lockstep(trace, _states(numbers, target, style), _KINDS, lambda final: same(final, gold))
