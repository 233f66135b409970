"""Checks for tail/multi_machine_schedule (problem defined in the generator's docstring).

``answer`` grows the chosen set by benefit and keeps a task when the set stays feasible by the counting
condition "at most x*t chosen tasks have a deadline <= t, for every t" (no slots are assigned), which is a
different computation from the trace's slot probing; the replay probes slots itself and compares each state.
"""

from __future__ import annotations

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lockstep import Expected, both, lockstep, same_integer

_N = r"(\d+)"
_TASKS = r"(T\d+\(b=\d+,d=\d+\)(?: T\d+\(b=\d+,d=\d+\))*)"
_ORDER = r"(T\d+(?: T\d+)*)"
_PROBES = r"(s\d+=\d+/\d+(?: s\d+=\d+/\d+)*)"
PATTERNS = {
    "tasks": both(rf"Tasks: {_TASKS}; machines={_N}",
                  rf"The tasks are {_TASKS}, run on {_N} machines, one time unit each\."),
    "order": both(rf"Order: {_ORDER}", rf"Sorted by benefit, highest first \(ties by task number\): {_ORDER}\."),
    "place": both(rf"State {_N}: fetch T{_N} b={_N} d={_N}; probe {_PROBES}; place T{_N} in slot {_N}; "
                  rf"total={_N}\+{_N}={_N}",
                  rf"Step {_N}: task T{_N} has benefit {_N} and deadline {_N}\. Slot loads {_PROBES}: T{_N} fits "
                  rf"in slot {_N}, so the total becomes {_N} \+ {_N} = {_N}\."),
    "skip": both(rf"State {_N}: fetch T{_N} b={_N} d={_N}; probe {_PROBES}; skip T{_N}; total={_N}",
                 rf"Step {_N}: task T{_N} has benefit {_N} and deadline {_N}\. Slot loads {_PROBES}: every slot up "
                 rf"to the deadline is full, so T{_N} is skipped and the total stays {_N}\."),
    "result": both(rf"Result: total={_N}", rf"The greedy schedule earns {_N} in total\."),
}
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


def same(candidate: str, gold: str) -> bool:
    return same_integer(candidate, gold)


def expected_states(spec: dict) -> list[Expected]:
    x, benefits, deadlines = _instance(spec)
    n = len(benefits)
    listing = " ".join(f"T{i + 1}(b={benefits[i]},d={deadlines[i]})" for i in range(n))
    order = sorted(range(n), key=lambda i: (-benefits[i], i))
    states: list[Expected] = [("tasks", (listing, str(x))),
                              ("order", (" ".join(f"T{i + 1}" for i in order),))]
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
        head = (str(step), str(i + 1), str(b), str(d), " ".join(probes), str(i + 1))
        if slot is None:
            states.append(("skip", (*head, str(total))))
        else:
            used[slot] += 1
            states.append(("place", (*head, str(slot), str(total), str(b), str(total + b))))
            total += b
    states.append(("result", (str(total),)))
    return states


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    return lockstep(trace, expected_states(spec), PATTERNS, lambda final: same(final, gold))
