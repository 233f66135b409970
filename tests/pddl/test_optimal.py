"""plan_generation_optimal: the reference cost is Fast Downward's optimal cost, and truly optimal.

For every test instance the record's ``optimal_cost`` must equal the cost of a fresh Fast Downward A*+LM-cut
run (planner cache cleared) and the cost found by the independent simulator's uniform-cost search. A valid
plan that is one detour longer must fail with a cost reason.
"""

from __future__ import annotations

import pytest

from reasonry.generators.pddl import planner
from reasonry.generators.pddl.index import DOMAINS
from reasonry.verifiers.pddl import verify
from reasonry.verifiers.pddl.problems import load
from tests.pddl.sim import Sim, parse_plan
from tests.pddl.test_validator import records


@pytest.mark.parametrize("domain", DOMAINS)
def test_reference_cost_is_fast_downward_optimal_and_true_optimum(domain):
    for record in records(domain, "plan_generation_optimal", 2):
        spec = record["verifier"]["spec"]
        planner.clear_cache()
        loaded = load(spec["domain"], spec["problem"])
        fresh = planner.solve(loaded.problem, spec["problem"], planner.OPTIMAL, 20.0)
        assert fresh.reason is None and fresh.planner == "fast-downward-opt"
        sim = Sim(spec["domain"], spec["problem"])
        fresh_cost = sim.run(list(fresh.plan))[2]
        assert spec["optimal_cost"] == fresh_cost == sim.optimal_cost()
        valid, _, cost = sim.run(parse_plan(record["answer"]))
        assert valid and cost == spec["optimal_cost"]
        assert verify(spec, record["answer"]).ok


def test_valid_but_longer_plan_fails_the_optimal_task():
    record = records("visitall", "plan_generation_optimal", 1)[0]
    spec = record["verifier"]["spec"]
    first = parse_plan(record["answer"])[0]
    _, (here, there) = first
    detour = f"(move {here} {there})\n(move {there} {here})\n" + record["answer"]
    sim = Sim(spec["domain"], spec["problem"])
    assert sim.run(parse_plan(detour))[0], "the detour plan itself must be valid"
    verdict = verify(spec, detour)
    assert not verdict.ok and "optimal cost" in verdict.reason
    plain = {**spec, "mode": "generate"}
    assert verify(plain, detour).ok
