"""Checks for tail/knapsack: the 0-1 optimum by a one-row DP, and a cell-by-cell replay of the trace."""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay, same_integer
from reasonry.verifiers.turing.shapes import KNAPSACK

# the replay holds an (n+1) x (capacity+1) table and the trace has a state per cell
MAX_CELLS = 1_000_000


def _problem(spec: dict) -> tuple[list[int], list[int], int]:
    weights, values = [int(w) for w in spec["weights"]], [int(v) for v in spec["values"]]
    capacity = int(spec["capacity"])
    if len(weights) != len(values) or capacity < 0 or min(weights, default=0) < 0:
        raise ValueError("weights and values differ in length, or a weight or the capacity is negative")
    if (len(weights) + 1) * (capacity + 1) > MAX_CELLS:
        raise ValueError(f"more than {MAX_CELLS} DP cells")
    return weights, values, capacity


def answer(spec: dict) -> str:
    weights, values, capacity = _problem(spec)
    best = [0] * (capacity + 1)
    for w, v in zip(weights, values, strict=True):
        # downwards, so that each item is counted at most once
        for c in range(capacity, w - 1, -1):
            best[c] = max(best[c], best[c - w] + v)
    return str(best[capacity])


same = same_integer


def _states(weights: list[int], values: list[int], capacity: int) -> Iterator[State]:
    n = len(weights)
    yield "header", {"weights": ", ".join(map(str, weights)), "values": ", ".join(map(str, values)),
                     "W": str(capacity), "n": str(n)}
    yield "init", {"W": str(capacity)}
    table = [[0] * (capacity + 1)]
    order = [(i, c) for i in range(1, n + 1) for c in range(capacity + 1)]
    for k, (i, c) in enumerate(order):
        if c == 0:
            table.append([0] * (capacity + 1))
        w, v = weights[i - 1], values[i - 1]
        keep = table[i - 1][c]
        shown = {"i": i, "c": c, "w": w, "v": v, "p": i - 1, "keep": keep}
        if w > c:
            table[i][c] = keep
            yield "skip", {**shown, "best": keep}
        else:
            base = table[i - 1][c - w]
            table[i][c] = max(base + v, keep)
            yield "cell", {**shown, "r": c - w, "base": base, "take": base + v, "best": table[i][c]}
        if k + 1 < len(order):
            yield "move", {"i": i, "c": c, "ni": order[k + 1][0], "nc": order[k + 1][1]}
    yield "result", {"n": n, "W": capacity, "best": table[n][capacity]}


def check_trace(spec: dict, trace: str) -> Verdict:
    weights, values, capacity = _problem(spec)
    gold = answer(spec)
    return replay(trace, KNAPSACK, _states(weights, values, capacity), lambda final: same(final, gold))
