"""Checks for tail/multi_machine_schedule (problem defined in the generator's docstring).

``answer`` grows the chosen set by benefit and keeps a task when the set stays feasible by the counting
condition "at most x*t chosen tasks have a deadline <= t, for every t" (no slots are assigned), which is a
different computation from the trace's slot probing; the replay probes slots itself and compares each state.
"""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay, same_integer
from reasonry.verifiers.turing.shapes import MULTI_MACHINE_SCHEDULE


def _instance(spec: dict) -> tuple[int, list[int], list[int]]:
    x = int(spec["machines"])
    benefits = [int(b) for b in spec["benefits"]]
    deadlines = [int(d) for d in spec["deadlines"]]
    # the counting check is quadratic in the number of tasks: bounded so a hostile spec is refused
    if x < 1 or len(benefits) != len(deadlines) or len(benefits) > 500:
        raise ValueError("bad schedule instance")
    if any(b < 0 for b in benefits) or any(not 1 <= d <= 10_000 for d in deadlines):
        raise ValueError("benefits must be >= 0 and deadlines in 1..10000")
    return x, benefits, deadlines


def _feasible(deadlines: list[int], x: int) -> bool:
    ordered = sorted(deadlines)
    # The k-th earliest deadline (k from 1) must leave room: k tasks need ceil(k/x) slots.
    return all((k + x - 1) // x <= d for k, d in enumerate(ordered, start=1))


def answer(spec: dict) -> str:
    x, benefits, deadlines = _instance(spec)
    chosen: list[int] = []
    total = 0
    for i in sorted(range(len(benefits)), key=lambda i: -benefits[i]):
        if _feasible([*chosen, deadlines[i]], x):
            chosen.append(deadlines[i])
            total += benefits[i]
    return str(total)


same = same_integer


def expected_states(spec: dict) -> Iterator[State]:
    x, benefits, deadlines = _instance(spec)
    n = len(benefits)
    order = sorted(range(n), key=lambda i: (-benefits[i], i))
    yield "tasks", {"tasks": " ".join(f"T{i + 1}(b={benefits[i]},d={deadlines[i]})" for i in range(n)), "x": x}
    yield "order", {"order": " ".join(f"T{i + 1}" for i in order)}
    used = [0] * (max(deadlines, default=0) + 1)
    total = 0
    for step, i in enumerate(order, start=1):
        b, d = benefits[i], deadlines[i]
        probes, slot = [], None
        for s in range(d, 0, -1):
            probes.append(f"s{s}={used[s]}/{x}")
            if used[s] < x:
                slot = s
                break
        shown = {"step": step, "i": i + 1, "b": b, "d": d, "probes": " ".join(probes), "total": total}
        if slot is None:
            yield "skip", shown
        else:
            used[slot] += 1
            yield "place", {**shown, "slot": slot, "new": total + b}
            total += b
    yield "result", {"total": total}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return replay(trace, MULTI_MACHINE_SCHEDULE, expected_states(spec), lambda final: same(final, gold))
