"""check_trace for PDDL tasks: the final answer must verify, and the walk must be the plan's true walk."""

from __future__ import annotations

from reasonry.verdict import Verdict
from reasonry.verifiers.pddl.judge import ground_plan
from reasonry.verifiers.pddl.plan_text import PlanSyntaxError, parse_plan
from reasonry.verifiers.pddl.problems import load
from reasonry.verifiers.pddl.strips import GroundingError
from reasonry.verifiers.pddl.verdict_json import spec_steps
from reasonry.verifiers.pddl.walk import compare, split, walk


def check(spec: dict, trace: str) -> Verdict:
    from reasonry.verifiers.pddl import DEFAULT_MAX_STEPS, verify

    if not isinstance(trace, str) or not trace.strip():
        return Verdict.no("empty trace")
    parts = split(trace)
    if parts is None:
        return Verdict.no("trace has no 'Final answer:' line")
    body, final = parts
    verdict = verify(spec, final)
    if not verdict.ok:
        return Verdict.no(f"final answer fails: {verdict.reason}")
    loaded = load(spec["domain"], spec["problem"])
    if spec["mode"] == "validate":
        steps = spec_steps(spec["plan"])
    else:
        try:
            steps = parse_plan(final, int(spec.get("max_steps", DEFAULT_MAX_STEPS)))
        except PlanSyntaxError as exc:  # verify() accepted it, so this would be a bug; still no exception
            return Verdict.no(f"final answer: {exc}")
    try:
        grounds = ground_plan(loaded.model, steps)
    except GroundingError as exc:
        return Verdict.no(str(exc))
    return compare(walk(loaded.model, grounds), body)
