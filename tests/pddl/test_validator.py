"""The PDDL verifier against an independent STRIPS simulator (tests/pddl/sim.py), for every domain.

Valid plans come from Fast Downward; corrupted ones are made from them by swapping, dropping, repeating and
re-binding steps. For each plan the simulator's verdict (valid, first failing step, cost) must equal the
verifier's (unified-planning's validator cross-checked by the STRIPS replay).
"""

from __future__ import annotations

import json
import random
import re

import pytest

from reasonry.generators.pddl import tasks
from reasonry.generators.pddl.index import DOMAINS
from reasonry.generators.pddl.model import Instance, domain_text, load_instance, problem_text
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verifiers.pddl import verify
from reasonry.verifiers.pddl.judge import judge
from reasonry.verifiers.pddl.problems import load, load_with_reader, read_plain
from tests.pddl.sim import Sim, parse_plan


def small_config(task, **extra):
    from reasonry.config import from_dict

    limits = {"time_limit_s": 20.0, "optimal_time_limit_s": 20.0}
    return from_dict(task.Config, {**limits, **task.domain.levels[0], **extra})


def records(domain: str, kind: str, n: int, **extra):
    task = get_task(f"pddl/{domain}/{kind}")
    config = small_config(task, **extra)
    out = []
    for i in range(n):
        key = ItemKey(task.name, "test", None, i)
        record = task.generate(config, key, item_rng(11, task.name, i, "test"))
        assert record is not None
        out.append(record)
    return out


@pytest.mark.parametrize("domain", DOMAINS)
def test_simulator_agrees_with_verifier_on_valid_and_corrupted_plans(domain):
    rng = random.Random(domain)
    checked = {"valid": 0, "invalid": 0}
    for record in records(domain, "plan_generation", 2):
        spec = record["verifier"]["spec"]
        sim = Sim(spec["domain"], spec["problem"])
        loaded = load(spec["domain"], spec["problem"])
        gold = [loaded.model.ground(n, a) for n, a in parse_plan(record["answer"])]
        plans = [gold]
        for _ in range(12):
            _kind, bad = tasks._corrupt(loaded.model, gold, rng)
            if bad:
                plans.append(bad)
        for plan in plans:
            steps = [(g.name, g.args) for g in plan]
            valid, step, cost = sim.run(steps)
            verdict = judge(loaded, plan)
            assert verdict.valid == valid
            assert (verdict.failure.step if verdict.failure else None) == step
            if valid:
                assert verdict.cost == cost
            text = "\n".join(g.text() for g in plan)
            assert verify(spec, text).ok == valid
            checked["valid" if valid else "invalid"] += 1
    assert checked["valid"] >= 2 and checked["invalid"] >= 5, checked


def _shape(model):
    return (model.init, frozenset(model.goal), model.objects,
            {n: (s.params, s.pre, s.add, s.delete, s.cost) for n, s in model.schemas.items()})


@pytest.mark.parametrize("domain", DOMAINS)
def test_problem_text_reads_back_as_the_built_problem(domain):
    """The PDDL the model reads is the problem the planner solves: the problem built from the instance, the
    text read by the verifier's fast path and the text read by unified-planning's own reader all agree."""
    task = get_task(f"pddl/{domain}/plan_generation")
    inst = task.domain.draw(small_config(task), random.Random(3))
    assert isinstance(inst, Instance)
    text = problem_text(inst)
    built = load_instance(inst)
    fast = load(domain_text(domain), text)
    reference = load_with_reader(domain_text(domain), text)
    assert _shape(built.model) == _shape(fast.model) == _shape(reference.model)
    assert built.problem.quality_metrics == reference.problem.quality_metrics
    assert Sim(domain_text(domain), text).init == reference.model.init
    # a problem outside the plain shape (a nested conjunction) takes unified-planning's reader and still loads
    nested = text.replace("(:goal (and", "(:goal (and (and", 1).replace("  ))\n", "  )))\n", 1)
    assert read_plain(text) is not None and read_plain(nested) is None
    loaded = load(domain_text(domain), nested)
    assert _shape(loaded.model) == _shape(reference.model)


@pytest.mark.parametrize("domain", DOMAINS)
def test_validation_task_truth_matches_simulator(domain):
    """plan_validation items (valid and deliberately corrupted plans): the gold verdict is the simulator's."""
    seen = set()
    for record in records(domain, "plan_validation", 4, invalid_fraction=0.75):
        spec = record["verifier"]["spec"]
        sim = Sim(spec["domain"], spec["problem"])
        valid, step, _ = sim.run(parse_plan("\n".join(spec["plan"])))
        answer = json.loads(record["answer"])
        assert answer["valid"] == valid
        if not valid:
            assert answer["step"] == step
        seen.add(valid)
    assert seen, "no items"


def _atoms(text: str) -> set[tuple[str, ...]]:
    return {tuple(a.split()) for a in re.findall(r"\(([^()]*)\)", text)}


@pytest.mark.parametrize("domain", DOMAINS)
def test_gold_trace_states_and_checks_match_the_simulator(domain):
    """Every re-written state and every precondition check in the gold walk-through is what the independent
    simulator computes, including the walk of a corrupted plan up to its failing step."""
    for record in records(domain, "plan_validation", 3, invalid_fraction=0.7):
        spec = record["verifier"]["spec"]
        sim = Sim(spec["domain"], spec["problem"])
        changing = {a[0] for (_, _, add, delete, _) in sim.actions.values() for a in (*add, *delete)}
        state = set(sim.init)
        steps = parse_plan("\n".join(spec["plan"]))
        lines = record["trace"].split("\n")
        k = 0
        for line in lines:
            if line.startswith("Step ") and ": (" in line:
                name, args = steps[k]
                pre, add, delete, _ = sim.ground(name, args)
                k += 1
            elif line.startswith("State: "):
                assert _atoms(line) == {a for a in state if a[0] in changing}, line
            elif line.startswith("Check: "):
                marks = re.findall(r"\(([^()]*)\) (yes|no)", line)
                assert [(tuple(a.split()), m == "yes") for a, m in marks] == [(p, p in state) for p in pre]
                if not all(p in state for p in pre):
                    break
                state = (state - set(delete)) | set(add)
            elif line.startswith("Goal check: "):
                marks = re.findall(r"\(([^()]*)\) (yes|no)", line)
                assert [(tuple(a.split()), m == "yes") for a, m in marks] == [(g, g in state) for g in sim.goal]
        valid, step, _ = sim.run(steps)
        assert k == (len(steps) if step is None else step)
