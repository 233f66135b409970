"""Checks for tail/binary_search: the index by bisection of the list (-1 if absent), and a state-by-state
replay of the halving ranges."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay, same_integer, spaced
from reasonry.verifiers.turing.shapes import BINARY_SEARCH

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


same = same_integer


def _states(numbers: list[int], target: int) -> Iterator[State]:
    lo, hi = 0, len(numbers) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        shown = {"lo": lo, "hi": hi, "x": target, "mid": mid, "v": numbers[mid],
                 "fetched": spaced(f"s{k}={numbers[k]}" for k in range(lo, hi + 1))}
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
    return replay(trace, BINARY_SEARCH, _states(numbers, target), lambda final: same(final, gold))
