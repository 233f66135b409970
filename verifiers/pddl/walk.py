"""The state-progression walk-through of a plan: the gold trace of every PDDL task, and how it is checked.

Each step re-writes the whole current state (static facts once, at the top), checks every precondition
against it, then lists what the action deletes and adds and what it costs, so a reader never has to carry
state in their head:

    Initial state: (clear a) (handempty) (on a b) (ontable b)
    Goal: (on b a)
    Step 1: (unstack a b)
    State: (clear a) (handempty) (on a b) (ontable b)
    Check: (on a b) yes, (clear a) yes, (handempty) yes
    Delete: (clear a) (handempty) (on a b)
    Add: (holding a) (clear b)
    Cost: 1, total 1
    ...
    Final state: ...
    Goal check: (on b a) yes
    Final answer:
    (unstack a b)
    ...

A step whose precondition fails ends the walk with ``Step k fails: (atom) does not hold.``; a plan that
misses the goal shows ``no`` in the goal check. ``check`` replays the walk for the plan the trace names and
compares line by line, so the first wrong state, check or effect is reported with its line number.
"""

from __future__ import annotations

from reasonry.verdict import Verdict
from reasonry.verifiers.pddl.strips import Atom, Ground, StripsModel, apply, show

FINAL = "Final answer:"


def _atoms(atoms) -> str:
    return " ".join(show(a) for a in atoms) if atoms else "none"


def _checks(state: frozenset[Atom], atoms) -> str:
    return ", ".join(f"{show(a)} {'yes' if a in state else 'no'}" for a in atoms) if atoms else "nothing to check"


def walk(model: StripsModel, grounds: list[Ground]) -> list[str]:
    """The trace lines for ``grounds`` (stopping at the first inapplicable step), without the final answer."""
    state = model.init
    lines = [f"Initial state: {_atoms(model.fluent(state))}"]
    static = model.static_atoms()
    if static:
        lines.append(f"Static facts: {_atoms(static)}")
    lines.append(f"Goal: {_atoms(model.goal)}")
    total = 0
    for i, g in enumerate(grounds, 1):
        lines.append(f"Step {i}: {g.text()}")
        lines.append(f"State: {_atoms(model.fluent(state))}")
        lines.append(f"Check: {_checks(state, g.pre)}")
        missing = [a for a in g.pre if a not in state]
        if missing:
            lines.append(f"Step {i} fails: {show(missing[0])} does not hold.")
            return lines
        lines.append(f"Delete: {_atoms(g.delete)}")
        lines.append(f"Add: {_atoms(g.add)}")
        total += g.cost
        lines.append(f"Cost: {g.cost}, total {total}")
        state = apply(state, g)
    lines.append(f"Final state: {_atoms(model.fluent(state))}")
    lines.append(f"Goal check: {_checks(state, model.goal)}")
    return lines


def compose(lines: list[str], answer: str) -> str:
    return "\n".join([*lines, FINAL, answer])


def split(trace: str) -> tuple[list[str], str] | None:
    lines = trace.split("\n")
    if FINAL not in lines:
        return None
    at = lines.index(FINAL)
    return lines[:at], "\n".join(lines[at + 1:])


def compare(expected: list[str], got: list[str]) -> Verdict:
    for i, (want, have) in enumerate(zip(expected, got, strict=False), 1):
        if want != have:
            return Verdict.no(f"trace line {i}: expected {want[:160]!r}, got {have[:160]!r}")
    if len(got) != len(expected):
        return Verdict.no(f"trace has {len(got)} lines before the final answer, the walk has {len(expected)}")
    return Verdict.yes("trace replays")
