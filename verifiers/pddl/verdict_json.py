"""The answer of pddl/*/plan_validation: a small JSON object, read leniently, and the truth it is judged by.

``{"valid": true}`` or ``{"valid": false, "step": 3, "unmet": "(clear b)"}``; ``step`` is null when every step
applies but the goal is missed. Code fences and text around the object are ignored; ``step`` may be a digit
string; ``unmet`` may be written ``(clear b)``, ``clear(b)`` or ``clear b``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from reasonry.verifiers.pddl.judge import Judgement, ground_plan, judge
from reasonry.verifiers.pddl.plan_text import parse_action
from reasonry.verifiers.pddl.strips import Atom, show

MAX_CHARS = 20_000


class VerdictSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Claim:
    valid: bool
    step: int | None = None
    unmet: Atom | None = None


def parse_verdict(text: str) -> Claim:
    if len(text) > MAX_CHARS:
        raise VerdictSyntaxError(f"longer than {MAX_CHARS} characters")
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise VerdictSyntaxError("no JSON object found")
    try:
        data = json.loads(text[start:end + 1])
    except json.JSONDecodeError as exc:
        raise VerdictSyntaxError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict) or "valid" not in data:
        raise VerdictSyntaxError("the object needs a 'valid' key")
    valid = data["valid"]
    if isinstance(valid, str) and valid.strip().lower() in ("true", "false"):
        valid = valid.strip().lower() == "true"
    if not isinstance(valid, bool):
        raise VerdictSyntaxError(f"'valid' must be true or false, got {data['valid']!r}")
    if valid:
        return Claim(True)
    step = data.get("step")
    if isinstance(step, str) and step.strip().isdigit():
        step = int(step.strip())
    if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
        raise VerdictSyntaxError(f"'step' must be an integer or null, got {data.get('step')!r}")
    unmet = data.get("unmet")
    if not isinstance(unmet, str):
        raise VerdictSyntaxError("an invalid verdict needs 'unmet' naming an atom, e.g. \"(clear b)\"")
    atom = parse_action(unmet)
    if atom is None:
        raise VerdictSyntaxError(f"cannot read an atom from 'unmet': {unmet[:80]!r}")
    return Claim(False, step, (atom[0], *atom[1]))


def spec_steps(plan: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The actions of a spec's plan (written by the generator, so every step must read as an action)."""
    steps = []
    for text in plan:
        action = parse_action(text)
        if action is None:
            raise ValueError(f"spec plan step {text!r} is not an action")
        steps.append(action)
    return steps


def truth_of(loaded, plan: list[str]) -> Judgement:
    return judge(loaded, ground_plan(loaded.model, spec_steps(plan)))


def render_verdict(judgement: Judgement) -> str:
    """The canonical answer text for a judgement (the first unmet atom is the reference one)."""
    failure = judgement.failure
    if failure is None:
        return json.dumps({"valid": True})
    return json.dumps({"valid": False, "step": failure.step, "unmet": show(failure.unmet[0])})
