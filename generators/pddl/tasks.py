"""The five PDDL tasks, shared by every domain.

- ``plan_generation``: any valid plan (reference: Fast Downward, satisficing).
- ``plan_generation_optimal``: a plan of the optimal cost (reference: Fast Downward, A* + LM-cut).
- ``plan_completion``: a valid plan with some steps blanked out; the given steps stay at their positions.
- ``plan_reordering``: the shuffled steps of a valid plan; answer with exactly these actions, in a valid order.
- ``plan_validation``: a plan, valid or deliberately corrupted; answer with a JSON verdict (see
  ``reasonry.verifiers.pddl``), answer_type ``json``.

A domain module supplies ``DOMAIN``, a ``Domain`` that draws an ``Instance``, describes it in words and carries
its tasks' ``Config`` and difficulty levels. ``variant`` binds a kind's class to a domain: the task
``pddl/<domain>/<kind>`` (the names are listed once, in ``index.TASKS``). ``generate`` raises
``reasonry.task.Skip`` when no item can be built from the draw (``planner_timeout``, ``unsolvable``,
``trivial_plan``, ``plan_too_long``, ...).
"""

from __future__ import annotations

import importlib
import json
import random
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, cast

from reasonry.config import require
from reasonry.generators.pddl import planner
from reasonry.generators.pddl.index import TASKS
from reasonry.generators.pddl.model import Instance, domain_text, has_costs, load_instance, problem_text
from reasonry.levels import check_level, knob, stamp
from reasonry.task import ItemKey, Skip, Task
from reasonry.verifiers.pddl import verify
from reasonry.verifiers.pddl.judge import simulate
from reasonry.verifiers.pddl.plan_text import render
from reasonry.verifiers.pddl.problems import domain_template
from reasonry.verifiers.pddl.strips import Ground
from reasonry.verifiers.pddl.verdict_json import render_verdict
from reasonry.verifiers.pddl.walk import compose, walk


@dataclass(frozen=True)
class PddlConfig:
    """Knobs every PDDL task has; domain configs add their size knobs."""

    time_limit_s: float = 10.0  # per satisficing planner call (wall clock)
    optimal_time_limit_s: float = 30.0  # per cost-optimal planner call (wall clock)
    min_plan_length: int = 2
    max_plan_length: int = 40  # longer plans make prompts and traces unwieldy
    gap_fraction: float = 0.3  # plan_completion: share of steps blanked out (at least one)
    invalid_fraction: float = 0.5  # plan_validation: share of items whose plan is corrupted
    difficulty: int | None = knob(None)  # the level these knobs came from (reasonry.levels), if any

    def __post_init__(self):
        check_level(self.difficulty)
        require(0 < self.time_limit_s <= 3600, "time_limit_s", "must be in (0, 3600]")
        require(0 < self.optimal_time_limit_s <= 3600, "optimal_time_limit_s", "must be in (0, 3600]")
        require(1 <= self.min_plan_length <= self.max_plan_length, "min_plan_length",
                "must be >= 1 and <= max_plan_length")
        require(0.0 < self.gap_fraction < 1.0, "gap_fraction", "must be in (0, 1)")
        require(0.0 <= self.invalid_fraction <= 1.0, "invalid_fraction", "must be in [0, 1]")


def levels(*sizes: dict, long_from: int = 3) -> tuple[dict, ...]:
    """A domain's difficulty levels from its size knobs, easiest first. From level ``long_from`` on, plans may be
    longer (``max_plan_length`` grows with the level) and the planners get more time: a cost-optimal plan is
    kept where A* + LM-cut finishes within ``optimal_time_limit_s``, and a draw where it does not is a counted
    ``planner_timeout``."""
    out = []
    for i, knobs in enumerate(sizes, 1):
        extra = {}
        if i >= long_from:
            extra = {"max_plan_length": 40 + 30 * (i - long_from + 1), "time_limit_s": 30.0,
                     "optimal_time_limit_s": 60.0}
        out.append({**extra, **knobs})
    return tuple(out)


def check_range(config: Any, field: str, low_min: int = 1) -> None:
    pair = getattr(config, field)
    require(len(pair) == 2 and low_min <= pair[0] <= pair[1], field,
            f"a range is [low, high] with {low_min} <= low <= high, got {list(pair)}")


class Domain:
    """One planning domain: its name, a paragraph about it, a problem generator and a describer, and the
    knobs of its tasks: ``Config``, the difficulty ``levels`` and how many of them (the first
    ``optimal_levels``) a cost-optimal planner finishes."""

    name: ClassVar[str]
    about: ClassVar[str]
    Config: ClassVar[type[PddlConfig]]
    levels: ClassVar[tuple[dict, ...]]
    optimal_levels: ClassVar[int]

    def draw(self, config: Any, rng: random.Random) -> Instance:
        raise NotImplementedError

    def describe(self, inst: Instance) -> str:
        raise NotImplementedError


INSTRUCTIONS = {
    "generate": "Give a plan that solves this problem. Write one action per line in PDDL form, e.g. {example}.",
    "optimal": "Give a cost-optimal plan: a valid plan with the lowest possible total cost{cost_rule}. "
               "Write one action per line in PDDL form, e.g. {example}.",
}


class PddlTask(Task):
    """Base of the five kinds; ``variant`` sets ``name``, ``domain``, ``Config`` and ``levels``."""

    cost = 100  # a Fast Downward run per item
    family: ClassVar[str] = "pddl"
    verifier_kind: ClassVar[str] = "pddl"
    answer_type: ClassVar[str] = "plan"
    version: ClassVar[str] = "1"
    domain: ClassVar[Domain]
    mode: ClassVar[str]
    planner_config: ClassVar[str] = planner.SATISFICING

    def setup(self) -> None:
        """Start the planner and read the domain ahead of the first item (both also happen on first use)."""
        planner.ENGINES.get(self.planner_config)
        domain_template(domain_text(self.domain.name))

    def teardown(self) -> None:
        planner.shutdown()

    @classmethod
    def domain_levels(cls, domain: Domain) -> tuple[dict, ...]:
        return domain.levels

    def generate(self, config: PddlConfig, key: ItemKey, rng: random.Random) -> dict:
        inst = self.domain.draw(config, rng)
        text = problem_text(inst)
        loaded = load_instance(inst)
        limit = config.optimal_time_limit_s if self.planner_config == planner.OPTIMAL else config.time_limit_s
        solution = planner.solve(loaded.problem, text, self.planner_config, limit)
        if solution.reason is not None or solution.plan is None:
            raise Skip(solution.reason or "planner_no_plan",
                       f"{solution.planner} on {inst.name} ({self.planner_config}, limit {limit}s)")
        grounds = [loaded.model.ground(n, a) for n, a in solution.plan]
        if len(grounds) < config.min_plan_length:
            raise Skip("trivial_plan", f"plan of {len(grounds)} steps < min_plan_length")
        if len(grounds) > config.max_plan_length:
            raise Skip("plan_too_long", f"plan of {len(grounds)} steps > max_plan_length")
        # The STRIPS replay checks the planner's plan here; unified-planning's validator judges it again in the
        # verifier (the pipeline's verify stage), which keeps its ~50 ms per plan out of generation.
        result = simulate(loaded.model, grounds)
        if result.failure is not None:
            raise Skip("planner_plan_invalid", result.failure.reason())
        spec = {"task": self.name, "domain": domain_text(inst.domain), "problem": text,
                "max_steps": max(200, 4 * len(grounds))}
        item = self.pose(config, inst, loaded, grounds, result.cost, spec, rng)
        problem = {"instance": inst.canonical(), "mode": self.mode, **item.get("problem_extra", {})}
        return self.record(
            key, problem=problem, prompt=self._prompt(inst, item["instruction"]), answer=item["answer"],
            verifier_spec={**spec, "mode": self.mode, **item["spec"]},
            trace=compose(item["walk"], item["answer"]),
            difficulty=stamp(config, {**self.domain_sizes(inst), "plan_length": len(grounds)}),
            meta={"domain": inst.domain, "planner": solution.planner, "planner_config": self.planner_config,
                  **item.get("meta", {})},
        )

    def pose(self, config, inst, loaded, grounds: list[Ground], cost: int, spec: dict,
             rng: random.Random) -> dict:
        raise NotImplementedError

    def domain_sizes(self, inst: Instance) -> dict:
        return {f"n_{t}": len(names) for t, names in inst.objects}

    def _prompt(self, inst: Instance, instruction: str) -> str:
        return (f"{self.domain.about}\n\n{self.domain.describe(inst)}\n\n"
                f"Domain (PDDL):\n{domain_text(inst.domain).strip()}\n\n"
                f"Problem (PDDL):\n{problem_text(inst).strip()}\n\n{instruction}")

    @staticmethod
    def example(model) -> str:
        """The answer's syntax shown with type placeholders: a real step could give part of the answer away."""
        schema = next(iter(model.schemas.values()))
        return "(" + " ".join([schema.name, *(f"<{t}>" for _, t in schema.params)]) + ")"

    # --- corrupted answers and traces for the contract test ----------------------------------------

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        """A plan the verifier rejects: tries step deletions, swaps and duplications until one fails."""
        spec = record["verifier"]["spec"]
        lines = record["answer"].split("\n")
        candidates = []
        for _ in range(20):
            plan = list(lines)
            kind = rng.randrange(3)
            i = rng.randrange(len(plan))
            if kind == 0:
                del plan[i]
            elif kind == 1 and len(plan) > 1:
                j = rng.randrange(len(plan))
                plan[i], plan[j] = plan[j], plan[i]
            else:
                plan.insert(i, plan[i])
            candidates.append("\n".join(plan))
        candidates.append("\n".join(lines[:-1]))
        for text in candidates:
            if text != record["answer"] and not verify(spec, text).ok:
                return text
        return "(no-such-action)"

    def corrupt_trace(self, record: dict, rng: random.Random) -> str | None:
        """Drop one atom from one re-written state, or flip one precondition check."""
        lines = record["trace"].split("\n")
        states = [i for i, line in enumerate(lines) if line.startswith("State: (")]
        if states:
            i = rng.choice(states)
            atoms = lines[i][len("State: "):].split(") (")
            k = rng.randrange(len(atoms))
            del atoms[k]
            body = ") (".join(atoms)
            if body and not body.startswith("("):
                body = "(" + body
            if body and not body.endswith(")"):
                body += ")"
            lines[i] = "State: " + (body or "none")
            return "\n".join(lines)
        checks = [i for i, line in enumerate(lines) if line.startswith("Check: ") and " yes" in line]
        if not checks:
            return None
        i = rng.choice(checks)
        lines[i] = lines[i].replace(" yes", " no", 1)
        return "\n".join(lines)


class PlanGeneration(PddlTask):
    mode = "generate"

    def pose(self, config, inst, loaded, grounds, cost, spec, rng):
        return {"instruction": INSTRUCTIONS["generate"].format(example=self.example(loaded.model)),
                "answer": _plan_text(grounds), "spec": {}, "walk": walk(loaded.model, grounds)}


class PlanGenerationOptimal(PddlTask):
    mode = "optimal"
    planner_config = planner.OPTIMAL

    @classmethod
    def domain_levels(cls, domain: Domain) -> tuple[dict, ...]:
        return domain.levels[:domain.optimal_levels]

    def pose(self, config, inst, loaded, grounds, cost, spec, rng):
        rule = ""
        if has_costs(inst.domain):
            costs = ", ".join(f"{s.name} {s.cost}" for s in loaded.model.schemas.values())
            rule = f" (action costs: {costs})"
        else:
            rule = " (every action costs 1, so the shortest plan)"
        instruction = INSTRUCTIONS["optimal"].format(example=self.example(loaded.model), cost_rule=rule)
        return {"instruction": instruction, "answer": _plan_text(grounds), "spec": {"optimal_cost": cost},
                "walk": walk(loaded.model, grounds), "meta": {"optimal_cost": cost}}


class PlanCompletion(PddlTask):
    mode = "complete"

    def pose(self, config, inst, loaded, grounds, cost, spec, rng):
        n = len(grounds)
        k = min(n - 1, max(1, round(config.gap_fraction * n)))
        gaps = set(rng.sample(range(n), k))
        given = [None if i in gaps else g.text() for i, g in enumerate(grounds)]
        shown = "\n".join(f"{i}. {'?' if g is None else g}" for i, g in enumerate(given, 1))
        instruction = (f"Here is a plan of {n} steps for this problem with {k} step(s) missing, each marked '?':\n"
                       f"{shown}\n\nFill in every missing step so that the whole plan is valid. Each '?' is exactly "
                       f"one action, and every given step must stay at its position. Answer with the complete "
                       f"plan of {n} steps, one action per line in PDDL form, e.g. {self.example(loaded.model)}.")
        return {"instruction": instruction, "answer": _plan_text(grounds), "spec": {"given": given},
                "walk": walk(loaded.model, grounds), "problem_extra": {"given": given}}


class PlanReordering(PddlTask):
    mode = "reorder"

    def pose(self, config, inst, loaded, grounds, cost, spec, rng):
        steps = [g.text() for g in grounds]
        shuffled = list(steps)
        for _ in range(10):
            rng.shuffle(shuffled)
            if shuffled != steps:
                break
        shown = "\n".join(shuffled)
        instruction = ("The following actions, listed in a scrambled order, form a valid plan for this problem "
                       f"when put in the right order:\n{shown}\n\nGive a valid plan that uses exactly these "
                       f"{len(steps)} actions (each as often as listed, nothing else), one action per line in "
                       "PDDL form.")
        return {"instruction": instruction, "answer": _plan_text(grounds), "spec": {"steps": shuffled},
                "walk": walk(loaded.model, grounds), "problem_extra": {"steps": shuffled}}


class PlanValidation(PddlTask):
    mode = "validate"
    answer_type = "json"

    def pose(self, config, inst, loaded, grounds, cost, spec, rng):
        plan, corruption = list(grounds), None
        if rng.random() < config.invalid_fraction:
            for _ in range(10):
                kind, candidate = _corrupt(loaded.model, grounds, rng)
                if candidate and not simulate(loaded.model, candidate).valid:
                    plan, corruption = candidate, kind
                    break
        result = simulate(loaded.model, plan)
        texts = [g.text() for g in plan]
        shown = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, 1))
        instruction = (
            f"Is the following plan valid for this problem?\n{shown}\n\n"
            'Answer with a JSON object: {"valid": true} if the plan is valid. Otherwise '
            '{"valid": false, "step": K, "unmet": "(atom)"}, where K is the number of the first step whose '
            "preconditions do not all hold when it is reached and the atom is one of its preconditions that "
            'is false then; if every step can be executed but the goal is not reached, give "step": null and '
            "a goal atom that is false at the end.")
        return {"instruction": instruction, "answer": render_verdict(result), "spec": {"plan": texts},
                "walk": walk(loaded.model, plan), "problem_extra": {"plan": texts},
                "meta": {"corruption": corruption, "plan_valid": result.valid}}

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        claim = json.loads(record["answer"])
        if claim["valid"]:
            return json.dumps({"valid": False, "step": 1, "unmet": "(nothing)"})
        if claim["step"] is None:
            return json.dumps({"valid": True})
        return json.dumps({**claim, "step": claim["step"] + 1})


KINDS: dict[str, type[PddlTask]] = {
    "plan_generation": PlanGeneration,
    "plan_generation_optimal": PlanGenerationOptimal,
    "plan_completion": PlanCompletion,
    "plan_reordering": PlanReordering,
    "plan_validation": PlanValidation,
}


@cache
def variant(name: str) -> type[PddlTask]:
    """The class of the task ``pddl/<domain>/<kind>``: the kind bound to the ``DOMAIN`` of module ``<domain>``."""
    _, domain_name, kind = name.split("/")
    domain: Domain = importlib.import_module(f"reasonry.generators.pddl.{domain_name}").DOMAIN
    base = KINDS[kind]
    attrs = {"name": name, "description": TASKS[name], "domain": domain, "Config": domain.Config,
             "levels": base.domain_levels(domain), "__module__": __name__}
    return cast(type[PddlTask], type(f"{type(domain).__name__}{base.__name__}", (base,), attrs))


def _plan_text(grounds: list[Ground]) -> str:
    return "\n".join(render(g.name, g.args) for g in grounds)


def _corrupt(model, grounds: list[Ground], rng: random.Random) -> tuple[str, list[Ground] | None]:
    """One deliberate mistake of the kinds people make: a swapped pair, a dropped, repeated or mis-bound step."""
    plan = list(grounds)
    n = len(plan)
    kind = rng.choice(("swap", "drop", "repeat", "rebind"))
    i = rng.randrange(n)
    if kind == "swap" and n > 1:
        j = rng.randrange(n - 1)
        j = j + 1 if j >= i else j
        plan[i], plan[j] = plan[j], plan[i]
    elif kind == "drop":
        del plan[i]
    elif kind == "repeat":
        plan.insert(i, plan[i])
    else:
        g = plan[i]
        schema = model.schemas[g.name]
        if not g.args:
            return kind, None
        p = rng.randrange(len(g.args))
        type_name = schema.params[p][1]
        choices = sorted(o for o, t in model.objects.items() if model.is_a(t, type_name) and o != g.args[p])
        if not choices:
            return kind, None
        args = list(g.args)
        args[p] = rng.choice(choices)
        plan[i] = model.ground(g.name, args)
    return kind, plan
