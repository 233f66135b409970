"""Verifier for PDDL tasks (kind ``pddl``).

``spec`` carries everything: the domain and problem PDDL text, the task's mode and its constraints.

- ``generate``: any valid plan. ``optimal``: a valid plan whose cost equals ``spec['optimal_cost']``.
- ``complete``: a valid plan of exactly ``len(spec['given'])`` steps that keeps every given step in place.
- ``reorder``: a valid plan using exactly the multiset ``spec['steps']``.
- ``validate``: the candidate is a JSON verdict on ``spec['plan']``:
  ``{"valid": true}`` or ``{"valid": false, "step": k, "unmet": "(atom)"}`` where ``k`` is the 1-based index
  of the first inapplicable step and ``unmet`` one of its preconditions that does not hold; when every step
  applies but the goal is missed, ``step`` is ``null`` and ``unmet`` is a goal atom that is not true.

Candidates are read leniently (see ``plan_text``) and judged strictly by unified-planning's sequential plan
validator, cross-checked by a STRIPS replay. Every failure has its own reason; nothing here raises.
Time is bounded by size: candidate text and step count are capped (``spec['max_steps']``), and validation is
linear in the plan's length.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from threading import Lock

from reasonry.hashing import content_hash
from reasonry.verdict import Verdict
from reasonry.verifiers.pddl.judge import ValidatorsDisagree, ground_plan, judge
from reasonry.verifiers.pddl.plan_text import PlanSyntaxError, parse_action, parse_plan, render
from reasonry.verifiers.pddl.problems import ProblemError, load
from reasonry.verifiers.pddl.strips import GroundingError, show
from reasonry.verifiers.pddl.verdict_json import VerdictSyntaxError, parse_verdict, truth_of

MODES = ("generate", "optimal", "complete", "reorder", "validate")
DEFAULT_MAX_STEPS = 1000


_VERDICTS: OrderedDict[str, Verdict] = OrderedDict()
_VERDICTS_SIZE = 4096
_VERDICTS_LOCK = Lock()


def verify(spec: dict, candidate: str) -> Verdict:
    """Memoised per process: samples of one prompt and the consumers of one reply repeat the same candidate, and
    plan validation is the slowest check we run (the verdict is a pure function of spec and candidate)."""
    try:
        key = content_hash([spec, candidate])
    except (TypeError, ValueError):
        key = None
    if key is not None:
        with _VERDICTS_LOCK:
            cached = _VERDICTS.get(key)
            if cached is not None:
                _VERDICTS.move_to_end(key)
                return cached
    verdict = _verify_safely(spec, candidate)
    if key is not None:
        with _VERDICTS_LOCK:
            _VERDICTS[key] = verdict
            while len(_VERDICTS) > _VERDICTS_SIZE:
                _VERDICTS.popitem(last=False)
    return verdict


def _verify_safely(spec: dict, candidate: str) -> Verdict:
    try:
        return _verify(spec, candidate)
    except ValidatorsDisagree as exc:
        return Verdict.no(f"validators disagree: {exc}")
    except Exception as exc:  # a verifier never raises; an unexpected error is a failed check with its cause
        return Verdict.no(f"verifier error: {type(exc).__name__}: {exc}")


def _verify(spec: dict, candidate: str) -> Verdict:
    if not isinstance(spec, dict) or spec.get("mode") not in MODES:
        return Verdict.no(f"bad spec: mode must be one of {MODES}")
    if not isinstance(candidate, str):
        return Verdict.no("candidate is not text")
    try:
        loaded = load(spec.get("domain"), spec.get("problem"))
    except ProblemError as exc:
        return Verdict.no(f"bad spec: {exc}")
    mode = spec["mode"]
    if mode == "validate":
        return _verify_verdict(spec, loaded, candidate)
    max_steps = int(spec.get("max_steps", DEFAULT_MAX_STEPS))
    try:
        steps = parse_plan(candidate, max_steps)
    except PlanSyntaxError as exc:
        return Verdict.no(f"unparsable plan: {exc}")
    if not steps:
        return Verdict.no("empty plan")
    try:
        grounds = ground_plan(loaded.model, steps)
    except GroundingError as exc:
        return Verdict.no(str(exc))
    texts = [render(n, a) for n, a in steps]
    constraint = _constraint(spec, mode, texts)
    if constraint is not None:
        return constraint
    result = judge(loaded, grounds)
    if result.failure is not None:
        return Verdict.no(f"invalid plan: {result.failure.reason()}")
    if mode == "optimal":
        optimal = int(spec["optimal_cost"])
        if result.cost != optimal:
            return Verdict.no(f"valid plan of cost {result.cost}, but the optimal cost is {optimal}")
    return Verdict.yes(f"valid plan of {len(grounds)} steps, cost {result.cost}")


def _canonical(text: str) -> str:
    action = parse_action(text)
    return render(*action) if action else text.strip().lower()


def _constraint(spec: dict, mode: str, texts: list[str]) -> Verdict | None:
    if mode == "complete":
        given = spec["given"]
        if len(texts) != len(given):
            return Verdict.no(f"the completed plan must have exactly {len(given)} steps, got {len(texts)}")
        for i, (want, got) in enumerate(zip(given, texts, strict=True), 1):
            if want is not None and _canonical(want) != got:
                return Verdict.no(f"step {i} must stay the given {_canonical(want)}, got {got}")
    elif mode == "reorder":
        wanted = Counter(_canonical(s) for s in spec["steps"])
        given = Counter(texts)
        if wanted != given:
            missing = sorted((wanted - given).elements())
            extra = sorted((given - wanted).elements())
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing[:5]))
            if extra:
                parts.append("not among the given steps: " + ", ".join(extra[:5]))
            return Verdict.no("not the same multiset of actions: " + "; ".join(parts))
    return None


def _verify_verdict(spec: dict, loaded, candidate: str) -> Verdict:
    try:
        claim = parse_verdict(candidate)
    except VerdictSyntaxError as exc:
        return Verdict.no(f"unparsable verdict: {exc}")
    truth = truth_of(loaded, spec["plan"])
    if claim.valid != truth.valid:
        return Verdict.no(f"wrong verdict: the plan is {'valid' if truth.valid else 'invalid'}")
    failure = truth.failure
    if failure is None:
        return Verdict.yes("the plan is valid")
    if claim.step != failure.step:
        where = f"step {failure.step}" if failure.step is not None else "the goal (every step applies)"
        return Verdict.no(f"wrong failing step {claim.step}: the plan first fails at {where}")
    if claim.unmet not in failure.unmet:
        return Verdict.no(f"{show(claim.unmet) if claim.unmet else None} is not an unmet "
                          f"{'precondition' if failure.step else 'goal'} there; unmet: "
                          + " ".join(show(a) for a in failure.unmet))
    return Verdict.yes("verdict matches")


def check_trace(spec: dict, trace: str) -> Verdict:
    from reasonry.verifiers.pddl.trace_check import check

    try:
        return check(spec, trace)
    except ValidatorsDisagree as exc:
        return Verdict.no(f"validators disagree: {exc}")
    except Exception as exc:
        return Verdict.no(f"trace check failed: {type(exc).__name__}: {exc}")
