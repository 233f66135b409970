"""The planner layer: Fast Downward by default, pyperplan as the documented fallback, results cached."""

from __future__ import annotations

from reasonry.generators.pddl import planner
from reasonry.verifiers.pddl import verify
from tests.pddl_sim import Sim, parse_plan
from tests.test_pddl_validator import records


def test_fast_downward_is_the_planner_by_default():
    record = records("gripper", "plan_generation", 1)[0]
    assert record["meta"]["planner"] == "fast-downward"
    assert record["meta"]["planner_config"] == planner.SATISFICING


def test_pyperplan_fallback_when_fast_downward_cannot_start(monkeypatch):
    """A planner name that does not exist stands in for a missing Fast Downward (it cannot be uninstalled
    inside a test); the fallback must then produce a plan that the verifier and the simulator accept."""
    monkeypatch.setitem(planner._ENGINES, planner.SATISFICING, ("no-such-planner", "pyperplan"))
    monkeypatch.setattr(planner, "ENGINES", planner._Engines())
    planner.clear_cache()
    try:
        record = records("gripper", "plan_generation", 1)[0]
    finally:
        planner.clear_cache()  # keep pyperplan's plans out of later tests
    assert record["meta"]["planner"] == "pyperplan"
    spec = record["verifier"]["spec"]
    assert verify(spec, record["answer"]).ok
    assert Sim(spec["domain"], spec["problem"]).run(parse_plan(record["answer"]))[0]


def test_same_problem_is_solved_once_per_process():
    planner.clear_cache()
    before = dict(planner.STATS)
    first = records("miconic", "plan_generation", 1)[0]
    second = records("miconic", "plan_generation", 1)[0]
    assert first == second
    assert planner.STATS["calls"] - before["calls"] == 1
    assert planner.STATS["cache_hits"] - before["cache_hits"] == 1
