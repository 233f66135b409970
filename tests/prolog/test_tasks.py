"""Prolog tasks end to end: records from SWI-Prolog, rejects with reasons, traces from the search, evolution,
and the setup()/teardown() hooks the Beam DoFn calls."""

from __future__ import annotations

import json
import random

import pytest

from reasonry.generators.prolog import common
from reasonry.generators.prolog.common import Instance, PrologFamily, bind
from reasonry.generators.prolog.index import TASKS
from reasonry.generators.prolog.nqueens import NQueensConfig
from reasonry.registry import get_task
from reasonry.task import ItemKey, Skip
from reasonry.verifiers.prolog import pool

FAMILIES = sorted({name.split("/")[1] for name in TASKS})


def _record(name: str, index: int = 0, config=None):
    task = get_task(name)
    # seeded by family and index only, so the execution and solve tasks pose the same problem
    return task.generate(config or task.default_config(), ItemKey(name, "train", None, index),
                         random.Random(f"{name.split('/')[1]}-{index}"))


class _Broken(PrologFamily):
    name = "broken"
    program = ""

    def build(self, config, rng):
        return Instance(problem={"p": self.program}, program=self.program, statement="?", answer_format="{}")


@pytest.mark.parametrize("body,reason", [
    ("solve_json :- json_write_dict(current_output, _{a: 1}), json_write_dict(current_output, _{b: 2}).",
     "multiple_json"),
    ("solve_json :- write(nonsense).", "not_json"),
    ("solve_json :- spin(0).\nspin(X) :- Y is X + 1, spin(Y).", "inference_limit"),
    ("solve_json :- fail.", "goal_failed"),
])
def test_generate_rejects_a_bad_program_with_its_reason(body, reason):
    family = type("Bad", (_Broken,), {"program": common.HEADER + body})
    task = bind(family, "solve")()
    config = task.Config(inference_limit=2_000_000)
    with pytest.raises(Skip) as info:
        task.generate(config, ItemKey(task.name), random.Random(0))
    assert info.value.reason == reason


def test_no_solution_follows_the_contract():
    task = get_task("prolog/nqueens/solve")
    config = NQueensConfig(sizes=((3, 3), (3, 3), (3, 3)))
    record = task.generate(config, ItemKey(task.name), random.Random(1))
    assert json.loads(record["answer"]) == {"result": "No valid solution found"}
    assert "No candidate is left" in record["trace"]


@pytest.mark.parametrize("family", FAMILIES)
def test_records_traces_and_prompts(family):
    execution = _record(f"prolog/{family}/execution")
    solve = _record(f"prolog/{family}/solve")
    assert execution["answer"] == solve["answer"]  # same problem, same SWI-Prolog output
    assert execution["verifier"]["spec"]["program"] == solve["verifier"]["spec"]["program"]
    program = solve["verifier"]["spec"]["program"]
    assert program.startswith(":- use_module(library(http/json)).") and "solve_json :-" in program
    assert program in execution["prompt"] and "solve_json" not in solve["prompt"]
    assert "No valid solution found" in solve["prompt"]
    lines = solve["trace"].split("\n")
    # derivation steps from the instrumented search, then the answer
    assert len(lines) >= 3 and lines[-1] == f"Final answer: {solve['answer']}"
    assert all(solve["answer"] not in line for line in lines[:-1])


@pytest.mark.parametrize("family", FAMILIES)
def test_evolution_scales_the_problem_up(family):
    task = get_task(f"prolog/{family}/solve")
    fam = task.problem_family
    sizes = []
    for level in (0, 1):
        config = task.Config(evolution=level)
        built = [fam.build(config, random.Random(f"evo-{family}-{i}")) for i in range(12)]
        sizes.append(sum(len(json.dumps(b.problem)) for b in built if b) / max(1, sum(1 for b in built if b)))
    assert sizes[1] > sizes[0], sizes


def test_setup_and_teardown_manage_the_process_pool():
    task = get_task("prolog/nqueens/execution")
    task.teardown()
    assert pool._pool is None
    task.setup()
    first = pool._pool
    assert first is not None and first.worker_pids()
    task.setup()  # idempotent
    assert pool._pool is first
    task.teardown()
    assert pool._pool is None and first.closed
    assert _record("prolog/nqueens/execution") is not None  # a later call starts a pool lazily
    assert pool._pool is not None
