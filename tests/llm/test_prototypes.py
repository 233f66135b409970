"""Model-written Prolog prototypes: program extraction, the static constant-output check, the sandboxed SWI-Prolog
check, the anchor to the source's verified answer, the keep/evolve path (scripted model replies) and the real
vLLM server's output (a random model writes no program)."""

from __future__ import annotations

import pytest

from reasonry.generators.llm.prolog_static import constant_output
from reasonry.generators.llm.prototypes import (
    PrototypeConfig,
    check_program,
    extract_problem,
    extract_program,
    source_accepts,
    to_record,
    write_prototypes,
)
from reasonry.models import ModelClient, ModelRequestError
from reasonry.record import make_record, validate
from reasonry.registry import get_verifier

GOOD = """:- use_module(library(http/json)).
pair(X, Y) :- between(1, 9, X), between(1, 9, Y), X + Y =:= 10, X * Y =:= 21.
solve_json :- pair(X, Y), X < Y, !, json_write_dict(current_output, _{x: X, y: Y}).
"""
HARDER = """:- use_module(library(http/json)).
triple(X, Y, Z) :- between(1, 20, X), between(X, 20, Y), between(Y, 20, Z), X + Y + Z =:= 24, X * Y * Z =:= 440.
solve_json :- findall([X, Y, Z], triple(X, Y, Z), L), json_write_dict(current_output, _{solutions: L}).
"""
# Prints {"answer": 37}: the two digits of GOOD read as one number.
ANSWER = """:- use_module(library(http/json)).
pair(X, Y) :- between(1, 9, X), between(1, 9, Y), X + Y =:= 10, X * Y =:= 21.
solve_json :- pair(X, Y), X < Y, !, A is 10 * X + Y, json_write_dict(current_output, _{answer: A}).
"""
J = ":- use_module(library(http/json)).\n"


def json_source(reference: str, prompt: str = "Two digits with sum 10 and product 21.") -> dict:
    """A source record whose verified answer is what the (trusted) ``reference`` program prints."""
    return make_record(family="prolog", task="prolog/digits/solve", problem={"q": prompt}, prompt=prompt,
                       answer="{}", answer_type="json", verifier_kind="prolog",
                       verifier_spec={"program": reference, "goal": "solve_json"})


def value_source(answer: str, prompt: str = "Two digits with sum 10 and product 21: the number they make?",
                 answer_type: str = "integer") -> dict:
    return make_record(family="webqa", task="webqa/math", problem={"q": prompt}, prompt=prompt, answer=answer,
                       answer_type=answer_type, verifier_kind="math",
                       verifier_spec={"answer": answer, "answer_type": answer_type})


def test_extract_program_and_problem():
    assert extract_program(f"Here:\n```prolog\n{GOOD}```\nDone.") == GOOD
    assert extract_program(f"```\n{GOOD}```") == GOOD  # an unlabelled fence with clauses counts
    assert extract_program("```\njust text\n```") is None
    assert extract_program("no code at all") is None
    assert extract_problem("Problem: Find three numbers.\n```prolog\nx.\n```") == "Find three numbers."


def test_check_program_runs_sandboxed_swipl():
    answer, reason, inferences = check_program(GOOD)
    assert (answer, reason) == ('{"x":3,"y":7}', "ok") and inferences > 0
    shell = J + 'solve_json :- shell("ls"), X is 1 + 0, json_write_dict(current_output, _{a:X}).\n'
    assert check_program(shell)[:2] == (None, "prolog_sandbox")
    twice = J + ("solve_json :- X is 1 + 0, json_write_dict(current_output, _{a:X}),\n"
                 "    json_write_dict(current_output, _{b:X}).\n")
    assert check_program(twice)[:2] == (None, "prolog_multiple_json")
    assert check_program("solve_json :- loop.\nloop :- loop.\n", PrototypeConfig(time_limit=2))[0] is None
    assert check_program("main :- true.\n")[:2] == (None, "no_solve_json")
    constant = J + "solve_json :- json_write_dict(current_output, _{answer:42}).\n"
    assert check_program(constant)[:2] == (None, "constant_output")


@pytest.mark.parametrize("program, constant", [
    (GOOD, False), (HARDER, False), (ANSWER, False),
    (J + "solve_json :- json_write_dict(current_output, _{answer:42}).\n", True),
    (J + "solve_json :- D = _{answer: 42}, json_write_dict(current_output, D).\n", True),
    (J + "solve_json :- json_write_dict(current_output, _{answer: X}).\n", True),  # X is never bound
    (J + "solve_json :- format('{\"answer\": ~w}', [42]).\n", True),
    (J + "solve_json :- format(\"{\\\"answer\\\": X}\").\n", True),  # a quoted X is no variable
    (J + "% json_write_dict(current_output, _{a: X}), X = 1.\nsolve_json :- write(42).\n", True),
    (J + "solve_json :- X is 6 * 7, format('~w', [X]).\n", False),
    (J + "p(3.5).\nsolve_json :- p(V), json_write_dict(current_output, _{v: V}).\n", False),
    (J + "solve_json :- true.\n", True),  # prints nothing at all
])
def test_static_check_on_printed_terms(program, constant):
    assert (constant_output(program) is not None) is constant


def test_source_accepts_only_its_verified_answer():
    assert source_accepts(json_source(GOOD), '{"x":3,"y":7}').ok
    assert not source_accepts(json_source(GOOD), '{"x":7,"y":3}').ok
    assert source_accepts(value_source("37"), '{"answer":37}').ok
    assert not source_accepts(value_source("37"), '{"answer":38}').ok
    assert not source_accepts(value_source("37"), '{"result":37}').ok  # not the agreed shape
    assert not source_accepts(value_source(""), '{"answer":37}').ok  # no verified answer, nothing to anchor


class ScriptedClient(ModelClient):
    """Replies from a script: the only model that runs offline is a random tiny one, which never writes a
    program, and the keep path needs one. The Prolog side is the real sandboxed pool."""

    def __init__(self, replies):
        self.replies = replies
        self.prompts: list[str] = []

    def generate_each(self, prompts, *, n=1, max_tokens=256, temperature=1.0, top_p=1.0, stop=None, seed=None):
        self.prompts += prompts
        out = []
        for prompt in prompts:
            reply = self.replies(prompt)
            out.append(reply if isinstance(reply, Exception) else reply[:n])
        return out


def test_keeps_only_problems_with_an_anchored_program_and_evolves_them():
    constant = J + "solve_json :- json_write_dict(current_output, _{x:3, y:7}).\n"

    def replies(prompt):
        if prompt.startswith("Here is a problem"):
            return ["Problem: Find three numbers with sum 24 and product 440.\n```prolog\n" + HARDER + "```"] * 2
        if "sum 10" in prompt:
            return ["no idea", "```prolog\nsolve_json :- oops(\n```", f"```prolog\n{constant}```",
                    f"```prolog\n{GOOD}```"]
        if "sum 12" in prompt:  # runs, but the answer is not the source's
            return [f"```prolog\n{GOOD}```"] * 2
        return ["```prolog\nsolve_json :- shell(ls).\n```", "words"]

    client = ScriptedClient(replies)
    problems = [{"id": "p1", "record": json_source(GOOD)},
                {"id": "p2", "record": json_source(GOOD, "Something the model cannot do.")},
                {"id": "p3", "record": json_source(GOOD.replace("10", "12").replace("21", "35"), "sum 12 ...")}]
    kept, rejects, stats = write_prototypes(client, problems, PrototypeConfig(samples=4, evolve=True))
    assert [p["id"] for p in kept] == ["p1"] and kept[0]["sample"] == 3 and kept[0]["anchor"] == "source_answer"
    assert kept[0]["program"] == GOOD and kept[0]["answer"] == '{"x":3,"y":7}'
    assert "value_output" not in client.prompts[0] and "exactly the JSON answer" in client.prompts[0]
    evolved = kept[0]["evolved"]
    assert evolved["answer"] == '{"solutions":[[5,8,11]]}' and evolved["anchor"] == "evolved"
    assert evolved["problem"] == "Find three numbers with sum 24 and product 440."
    assert [(r["id"], r["reason"]) for r in rejects] == [("p2", "no_anchored_program"),
                                                         ("p3", "no_anchored_program")]
    assert rejects[1]["detail"] == "answer_mismatch, answer_mismatch"
    assert stats["kept"] == 1 and stats["evolved"] == 1 and stats["sample_constant_output"] == 1
    assert stats["sample_answer_mismatch"] == 2
    assert len(client.prompts) == 4  # three problems, then one evolution
    for record in (to_record(kept[0]), to_record(kept[0], evolved=True)):
        validate(record)
        verifier = get_verifier("prolog")
        assert verifier.verify(record["verifier"]["spec"], record["answer"]).ok
        assert not verifier.verify(record["verifier"]["spec"], '{"x": 7, "y": 3}').ok
    assert to_record(kept[0])["meta"]["anchor"] == "source_answer"
    assert to_record(kept[0], evolved=True)["meta"]["anchor"] == "evolved"


def test_value_answers_anchor_through_the_answer_field():
    client = ScriptedClient(lambda prompt: [f"```prolog\n{ANSWER}```"])
    kept, rejects, _ = write_prototypes(client, [{"id": "a", "record": value_source("37")},
                                                 {"id": "b", "record": value_source("73")}],
                                        PrototypeConfig(samples=1))
    assert [p["id"] for p in kept] == ["a"] and [r["id"] for r in rejects] == ["b"]
    assert '{"answer": A}' in client.prompts[0]


def test_a_refused_request_rejects_only_its_problem():
    def replies(prompt):
        if "too long" in prompt:
            return ModelRequestError("HTTP 400 from http://x/v1/completions: prompt is too long", status=400)
        return [f"```prolog\n{ANSWER}```"]

    kept, rejects, _ = write_prototypes(ScriptedClient(replies),
                                        [{"id": "a", "record": value_source("37")},
                                         {"id": "b", "record": value_source("37", "too long")}],
                                        PrototypeConfig(samples=1))
    assert [p["id"] for p in kept] == ["a"]
    assert [(r["id"], r["reason"]) for r in rejects] == [("b", "model_request_error")]
    assert rejects[0]["detail"].startswith("HTTP 400")


@pytest.mark.slow
def test_random_model_output_is_rejected_with_reasons(vllm_server):
    client = ModelClient(vllm_server.client_config())
    problems = [{"id": "p1", "record": value_source("5", "what is the sum of 2 and 3 ?")}]
    kept, rejects, stats = write_prototypes(client, problems, PrototypeConfig(samples=2, max_tokens=16))
    assert kept == [] and client.requests_made == 1
    assert rejects[0]["reason"] == "no_anchored_program" and rejects[0]["detail"] == "no_program, no_program"
