"""Judging a grounded plan: unified-planning's sequential validator decides, the STRIPS view explains.

The two are independent implementations of the same semantics; when they disagree the verdict is a failure
with reason ``validators disagree`` (a bug to report, never a silent pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reasonry.verifiers.pddl.plan_text import render
from reasonry.verifiers.pddl.problems import Loaded, quiet_environment
from reasonry.verifiers.pddl.strips import Atom, Ground, GroundingError, StripsModel, apply, show, unmet


@dataclass(frozen=True)
class Failure:
    step: int | None  # 1-based index of the first inapplicable action; None when only the goal is missed
    action: str | None
    unmet: tuple[Atom, ...]

    def reason(self) -> str:
        atoms = " ".join(show(a) for a in self.unmet)
        if self.step is None:
            return f"plan ends without reaching the goal: {atoms} not true"
        return f"step {self.step}: {self.action} is not applicable: precondition {atoms} does not hold"


@dataclass(frozen=True)
class Judgement:
    valid: bool
    cost: int
    failure: Failure | None


def ground_plan(model: StripsModel, steps: list[tuple[str, tuple[str, ...]]]) -> list[Ground]:
    grounds = []
    for i, (name, args) in enumerate(steps, 1):
        try:
            grounds.append(model.ground(name, args))
        except GroundingError as exc:
            raise GroundingError(f"step {i}: {exc}") from None
    return grounds


def simulate(model: StripsModel, grounds: list[Ground]) -> Judgement:
    """Progress the initial state through the plan with the STRIPS view alone."""
    state = model.init
    cost = 0
    for i, g in enumerate(grounds, 1):
        missing = unmet(state, g.pre)
        if missing:
            return Judgement(False, cost, Failure(i, g.text(), tuple(missing)))
        state = apply(state, g)
        cost += g.cost
    missing = unmet(state, model.goal)
    if missing:
        return Judgement(False, cost, Failure(None, None, tuple(missing)))
    return Judgement(True, cost, None)


@cache
def _validator():
    from unified_planning.shortcuts import PlanValidator

    quiet_environment()
    validator = PlanValidator(name="sequential_plan_validator")
    # Problems reach the validator only through ``strips.from_up``, which admits typed STRIPS alone; the
    # engine's own support check would recompute the problem kind (a walk over every expression) per plan.
    validator.skip_checks = True
    return validator


def up_check(loaded: Loaded, grounds: list[Ground]) -> tuple[bool, int | None]:
    """(valid, 1-based index of the inapplicable action or None) according to unified-planning."""
    from unified_planning.engines.results import FailedValidationReason
    from unified_planning.plans import ActionInstance, SequentialPlan

    problem = loaded.problem
    plan = SequentialPlan([ActionInstance(problem.action(g.name), tuple(problem.object(a) for a in g.args))
                           for g in grounds])
    result = _validator().validate(problem, plan)
    if result.status.name == "VALID":
        return True, None
    if result.reason == FailedValidationReason.INAPPLICABLE_ACTION and result.trace is not None:
        return False, len(result.trace)
    return False, None


def judge(loaded: Loaded, grounds: list[Ground]) -> Judgement:
    """The plan's verdict; raises ``ValidatorsDisagree`` if unified-planning and the STRIPS view differ."""
    mine = simulate(loaded.model, grounds)
    valid, index = up_check(loaded, grounds)
    theirs_step = index if not valid else None
    mine_step = mine.failure.step if mine.failure else None
    if valid != mine.valid or (not valid and theirs_step != mine_step):
        raise ValidatorsDisagree(f"unified-planning says valid={valid} step={theirs_step}, "
                                 f"the STRIPS replay says valid={mine.valid} step={mine_step}")
    return mine


class ValidatorsDisagree(RuntimeError):
    pass


def plan_lines(grounds: list[Ground]) -> str:
    return "\n".join(render(g.name, g.args) for g in grounds)
