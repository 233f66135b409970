"""The planner layer: Fast Downward by default, pyperplan as the documented fallback, results cached."""

from __future__ import annotations

from reasonry.generators.pddl import planner
from reasonry.verifiers.pddl import verify
from tests.pddl.sim import Sim, parse_plan
from tests.pddl.test_validator import records


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


def test_planner_runs_leave_the_working_directory_alone(tmp_path, monkeypatch):
    """Fast Downward's default ``output.sas`` in the current directory lets parallel runs (Beam workers in one
    directory) swap each other's tasks; every run must use a file of its own."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "output.sas").mkdir()  # a run that used the shared default file could not write it
    planner.clear_cache()
    for domain in ("ferry", "visitall"):
        record = records(domain, "plan_generation_optimal", 1)[0]
        assert verify(record["verifier"]["spec"], record["answer"]).ok
    assert [p.name for p in tmp_path.iterdir()] == ["output.sas"]
    assert list((tmp_path / "output.sas").iterdir()) == []


def _solve_in_process(args):
    domain, index = args
    from reasonry.registry import get_task
    from reasonry.rng import item_rng
    from reasonry.task import ItemKey

    task = get_task(f"pddl/{domain}/plan_generation")
    record = task.generate(task.default_config(), ItemKey(task.name, "train", None, index),
                           item_rng(5, task.name, index))
    return None if record is None else verify(record["verifier"]["spec"], record["answer"]).reason


def test_parallel_planner_processes_in_one_directory_get_their_own_plans():
    import multiprocessing

    jobs = [(d, i) for i in range(3) for d in ("miconic", "visitall", "gripper", "ferry")]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        reasons = pool.map(_solve_in_process, jobs)
    assert all(r is not None and r.startswith("valid plan") for r in reasons), reasons
