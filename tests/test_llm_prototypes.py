"""Model-written Prolog prototypes: program extraction, the sandboxed SWI-Prolog check, the keep/evolve path
(scripted model replies) and the real vLLM server's output (a random model writes no program)."""

from __future__ import annotations

import pytest

from reasonry.generators.llm import ModelClient
from reasonry.generators.llm.prototypes import (
    PrototypeConfig,
    check_program,
    extract_problem,
    extract_program,
    to_record,
    write_prototypes,
)
from reasonry.record import validate
from reasonry.registry import get_verifier

GOOD = """:- use_module(library(http/json)).
pair(X, Y) :- between(1, 9, X), between(1, 9, Y), X + Y =:= 10, X * Y =:= 21.
solve_json :- pair(X, Y), X < Y, !, json_write_dict(current_output, _{x: X, y: Y}).
"""
HARDER = """:- use_module(library(http/json)).
triple(X, Y, Z) :- between(1, 20, X), between(X, 20, Y), between(Y, 20, Z), X + Y + Z =:= 24, X * Y * Z =:= 440.
solve_json :- findall([X, Y, Z], triple(X, Y, Z), L), json_write_dict(current_output, _{solutions: L}).
"""


def test_extract_program_and_problem():
    assert extract_program(f"Here:\n```prolog\n{GOOD}```\nDone.") == GOOD
    assert extract_program(f"```\n{GOOD}```") == GOOD  # an unlabelled fence with clauses counts
    assert extract_program("```\njust text\n```") is None
    assert extract_program("no code at all") is None
    assert extract_problem("Problem: Find three numbers.\n```prolog\nx.\n```") == "Find three numbers."


def test_check_program_runs_sandboxed_swipl():
    answer, reason, inferences = check_program(GOOD)
    assert (answer, reason) == ('{"x":3,"y":7}', "ok") and inferences > 0
    shell = ':- use_module(library(http/json)).\nsolve_json :- shell("ls"), json_write_dict(current_output, _{a:1}).\n'
    assert check_program(shell)[:2] == (None, "prolog_sandbox")
    twice = (":- use_module(library(http/json)).\n"
             "solve_json :- json_write_dict(current_output, _{a:1}), json_write_dict(current_output, _{b:2}).\n")
    assert check_program(twice)[:2] == (None, "prolog_multiple_json")
    assert check_program("solve_json :- loop.\nloop :- loop.\n", PrototypeConfig(time_limit=2))[0] is None
    assert check_program("main :- true.\n")[:2] == (None, "no_solve_json")


class ScriptedClient(ModelClient):
    """Replies from a script: the only model that runs offline is a random tiny one, which never writes a
    program, and the keep path needs one. The Prolog side is the real sandboxed pool."""

    def __init__(self, replies):
        self.replies = replies
        self.prompts: list[str] = []

    def generate(self, prompts, *, n=1, max_tokens=256, temperature=1.0, top_p=1.0, stop=None, seed=None):
        self.prompts += prompts
        return [self.replies(prompt)[:n] for prompt in prompts]


def test_keeps_only_problems_with_a_running_program_and_evolves_them():
    def replies(prompt):
        if prompt.startswith("Here is a problem"):
            return ["Problem: Find three numbers with sum 24 and product 440.\n```prolog\n" + HARDER + "```"] * 2
        if "sum 10" in prompt:
            return ["no idea", "```prolog\nsolve_json :- oops(\n```", f"```prolog\n{GOOD}```"]
        return ["```prolog\nsolve_json :- shell(ls).\n```", "words"]

    client = ScriptedClient(replies)
    problems = [{"id": "p1", "problem": "Two digits with sum 10 and product 21."},
                {"id": "p2", "problem": "Something the model cannot do."}]
    kept, rejects, stats = write_prototypes(client, problems, PrototypeConfig(samples=3, evolve=True))
    assert [p["id"] for p in kept] == ["p1"] and kept[0]["sample"] == 2
    assert kept[0]["program"] == GOOD and kept[0]["answer"] == '{"x":3,"y":7}'
    evolved = kept[0]["evolved"]
    assert evolved["answer"] == '{"solutions":[[5,8,11]]}'
    assert evolved["problem"] == "Find three numbers with sum 24 and product 440."
    assert rejects[0]["id"] == "p2" and rejects[0]["reason"] == "no_running_program"
    assert stats["kept"] == 1 and stats["evolved"] == 1 and stats["sample_no_program"] == 2
    assert len(client.prompts) == 3  # two problems, then one evolution
    for record in (to_record(kept[0]), to_record(kept[0], evolved=True)):
        validate(record)
        verifier = get_verifier("prolog")
        assert verifier.verify(record["verifier"]["spec"], record["answer"]).ok
        assert not verifier.verify(record["verifier"]["spec"], '{"x": 7, "y": 3}').ok


@pytest.mark.slow
def test_random_model_output_is_rejected_with_reasons(vllm_server):
    client = ModelClient(vllm_server.client_config())
    problems = [{"id": "p1", "problem": "what is the sum of 2 and 3 ?"}]
    kept, rejects, stats = write_prototypes(client, problems, PrototypeConfig(samples=2, max_tokens=16))
    assert kept == [] and client.requests_made == 1
    assert rejects[0]["reason"] == "no_running_program" and rejects[0]["detail"] == "no_program, no_program"
