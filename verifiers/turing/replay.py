"""Lock-step replay for TAIL checkers that recompute every state themselves.

A checker runs its own machine on the spec and lists the states it expects, each as ``(kind, values)`` where
``values`` are the exact texts the state must show (numbers in canonical form, ``inf``, letters, lists).
Each kind has one anchored pattern per rendering (terse, styled) whose groups are those values, so a
state's every number is compared: one wrong intermediate value, a state missing or out of order, or any
line after the last state fails the replay. The rendering is told by the first line and must not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from reasonry.verifiers.turing.common import fail_at, split_final

from reasonry.verdict import Verdict

Expected = tuple[str, tuple[str, ...]]
Patterns = dict[str, tuple[re.Pattern, re.Pattern]]


def replay(trace: str, expected: Sequence[Expected], patterns: Patterns, final_ok: Callable[[str], bool]) -> Verdict:
    body, final = split_final(trace)
    if final is None:
        return Verdict.no("trace does not end with 'Final answer:'")
    if not expected:
        return Verdict.no("checker expected no states")
    style = None
    for i, (kind, values) in enumerate(expected):
        if i >= len(body):
            return Verdict.no(f"trace stops before state {i + 1} ({kind})")
        line = body[i]
        if style is None:
            style = next((s for s, rx in enumerate(patterns[kind]) if rx.fullmatch(line)), None)
            if style is None:
                return fail_at(i, f"expected the {kind} line in either rendering")
        m = patterns[kind][style].fullmatch(line)
        if not m:
            return fail_at(i, f"expected a {kind} state")
        if m.groups() != tuple(values):
            return fail_at(i, f"{kind} state shows {m.groups()}, expected {tuple(values)}")
    if len(body) > len(expected):
        return fail_at(len(expected), "unexpected lines after the last state")
    if not final_ok(final):
        return Verdict.no("final answer does not match the states")
    return Verdict.yes("trace replays")


def both(terse: str, styled: str) -> tuple[re.Pattern, re.Pattern]:
    return re.compile(terse), re.compile(styled)
