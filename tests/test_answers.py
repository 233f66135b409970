"""The answer semantics (``reasonry.answers``) and the regressions that made it necessary.

Each regression below was a wrong answer that scored 1 or a right one that scored 0, through
``reasonry verify --answers`` and through ``reasonry.rewards``; both now read replies with ``grade``.
"""

from __future__ import annotations

import json
import random

import pytest

from reasonry import rewards
from reasonry.answers import answer_instruction, extract_answer, grade, read_reply
from reasonry.exports import rl_row
from reasonry.registry import get_task, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey

MATH_INT = {"kind": "math", "spec": {"answer": "17", "answer_type": "integer"}}


def _record(name: str, accept=lambda r: True, tries: int = 60) -> dict:
    task = get_task(name)
    bucket = task.buckets[0] if task.buckets else None
    for index in range(tries):
        record = task.generate(task.default_config(), ItemKey(name, "train", bucket, index),
                               item_rng(5, name, index, "train", bucket))
        if record is not None and accept(record):
            return record
    raise AssertionError(f"{name}: no item of the wanted shape in {tries} draws")


def _both(record: dict, reply: str) -> tuple[bool, float]:
    """The verdict of ``grade`` and of the reward function on one reply."""
    verdict = grade(record["verifier"], record["answer_type"], reply)
    return verdict.ok, rewards.score(reply, rl_row(record)["extra_info"])


# --- reading a reply --------------------------------------------------------------------------------


@pytest.mark.parametrize("reply", [
    "Final answer: 17", "**Final Answer**: 17", "**Final answer:** 17", "the final answer is 17",
    "The final answer is: 17", "### Final answer: 17", "FINAL ANSWER: $17$", "so \\boxed{17}", "17",
    "work\n\nFinal answer:\n17\n", "Final answer: \\boxed{17}.", "Final answer: 17\nFinal answer: 17.0",
])
def test_marker_spellings_are_read(reply):
    assert grade(MATH_INT, "integer", reply).ok, read_reply(reply, "integer")


@pytest.mark.parametrize("reply, reason", [
    ("", "no_answer"), ("Final answer:", "no_answer"), ("I think 17.\nOr maybe not.", "no_answer"),
    ("Final answer: 17\nFinal answer: 18", "hedged"), ("\\boxed{17} ... Final answer: 18", "hedged"),
    ("first \\boxed{3}, then \\boxed{17}", "hedged"), ("Final answer: 17 (the sum)", "not a number"),
    ("Final answer: 17 or 18", "not a number"),
])
def test_unreadable_or_hedged_replies_score_zero(reply, reason):
    verdict = grade(MATH_INT, "integer", reply)
    assert not verdict.ok and reason in verdict.reason


def test_json_statements_follow_the_marker_or_a_fence():
    assert read_reply('reasoning {"a": 1}\nFinal answer: {"b": 2}', "json").statements == ('{"b": 2}',)
    assert read_reply('text\n```json\n{"x": [1, {"y": "}"}]}\n```\n', "json").statements == ('{"x": [1, {"y": "}"}]}',)
    assert read_reply('{"q": true}', "json").statements == ('{"q": true}',)
    assert read_reply('noise {"q": true} end', "json").statements == ()
    assert extract_answer('Final answer: {"a": 1} {"a": 2}', "json")[0] is None


def test_plan_statements():
    reading = read_reply("Plan:\n```plan\n(pick-up a)\n(stack a b)\n```", "plan")
    assert reading.statements == ("(pick-up a)\n(stack a b)",)
    assert read_reply("Final answer: (pick-up a) (stack a b)\n\nDone.", "plan").statements == (
        "(pick-up a) (stack a b)\n\nDone.",)
    assert read_reply("I would pick up a and then stack it.", "plan").statements == ()


def test_the_instruction_names_the_marker_the_reader_looks_for():
    for answer_type in ("integer", "json", "plan"):
        assert "Final answer:" in answer_instruction(answer_type)
        assert "exactly one final answer" in answer_instruction(answer_type)


# --- false accepts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in task_names() if n.startswith("mcts/countdown")])
def test_countdown_claims_after_equals_are_checked(name):
    record = _record(name)
    gold, target = record["answer"], record["verifier"]["spec"]["target"]
    for reply in (f"{gold} = 999", f"Final answer: {gold} = {target} = {target + 1}", f"Final answer: {gold} = 999"):
        assert _both(record, reply) == (False, 0.0), reply
    assert _both(record, f"Final answer: {gold} = {target}") == (True, 1.0)


@pytest.mark.parametrize("reply", ["B or C", "B B1", "Final answer: B or C", "Final answer: B/C", "B and C"])
def test_multiple_choice_is_one_choice(reply):
    verifier = {"kind": "math", "spec": {"answer": "B", "answer_type": "multiple_choice"}}
    assert not grade(verifier, "multiple_choice", reply).ok
    assert rewards.score(reply, {"verifier": verifier, "answer_type": "multiple_choice"}) == 0.0
    assert grade(verifier, "multiple_choice", "Final answer: (B)").ok


@pytest.mark.parametrize("name", ["tail/diophantine", "tail/prime_search"])
def test_lists_the_prompt_orders_must_be_in_order(name):
    record = _record(name, lambda r: r["answer"].count(",") >= (3 if name == "tail/diophantine" else 1))
    if name == "tail/diophantine":
        items = [p.strip("() ") for p in record["answer"].split("), (")]
        swapped = ", ".join(f"({x})" for x in [items[1], items[0], *items[2:]])
    else:
        items = record["answer"].split(", ")
        swapped = ", ".join([items[1], items[0], *items[2:]])
    assert swapped != record["answer"]
    assert _both(record, f"Final answer: {swapped}") == (False, 0.0)
    assert _both(record, f"Final answer: {record['answer']}") == (True, 1.0)


@pytest.mark.parametrize("name", [n for n in task_names() if get_task(n).answer_type == "json"][::3])
def test_several_json_objects_are_several_answers(name):
    record = _record(name)
    wrong = get_task(name).corrupt_answer(record, random.Random(0))
    for reply in (f"{wrong}\n{record['answer']}", f"Final answer: {wrong}\n{record['answer']}",
                  f"```json\n{wrong}\n```\n```json\n{record['answer']}\n```"):
        assert _both(record, reply) == (False, 0.0), reply


def test_validation_verdicts_in_sequence_are_hedging():
    record = _record("pddl/blocksworld/plan_validation", lambda r: json.loads(r["answer"])["valid"])
    assert _both(record, '{"valid": false}\n{"valid": true}') == (False, 0.0)
    assert _both(record, 'Final answer: {"valid": false} {"valid": true}') == (False, 0.0)


# --- false rejects ----------------------------------------------------------------------------------

INTEGER_TAIL = [n for n in task_names() if n.startswith("tail/") and get_task(n).answer_type == "integer"]


def test_nine_integer_tail_tasks():
    assert len(INTEGER_TAIL) == 9


@pytest.mark.parametrize("name", INTEGER_TAIL)
def test_integer_written_as_decimal_or_with_separators(name):
    record = _record(name)
    gold = int(record["answer"])
    forms = [f"{gold}.0", f"{gold} ", f"Final answer: {gold:,}", f"**Final Answer**: {gold}",
             f"the final answer is {gold}"] + ([f"+{gold}"] if gold >= 0 else [])
    for reply in forms:
        assert _both(record, reply) == (True, 1.0), reply
    assert _both(record, f"Final answer: {gold + 1}.0") == (False, 0.0)
    assert _both(record, f"Final answer: {gold}.5") == (False, 0.0)


def test_thousands_separators_and_markdown_markers():
    verifier = {"kind": "math", "spec": {"answer": "300158", "answer_type": "integer"}}
    assert grade(verifier, "integer", "Final answer: 300,158").ok
    assert grade(verifier, "integer", "**Final Answer**: 300158").ok
    assert not grade(verifier, "integer", "Final answer: 300,15,8").ok
    assert not grade(verifier, "integer", "Final answer: 300157 + 1").ok  # a sum to do is not an answer


PLAN_TASKS = [n for n in task_names() if get_task(n).answer_type == "plan"]


@pytest.mark.parametrize("name", PLAN_TASKS)
def test_a_plan_on_the_final_answer_line(name):
    record = _record(name, lambda r: r["answer"].count("\n") >= 1)
    lines = record["answer"].split("\n")
    for reply in (f"Final answer: {' '.join(lines)}", f"Final answer: {'; '.join(ln[1:-1] for ln in lines)}",
                  f"Final answer:\n{record['answer'].upper()}"):
        assert _both(record, reply) == (True, 1.0), reply
    assert _both(record, f"Final answer: {' '.join(lines[:-1])}") == (False, 0.0)


def test_prompt_instruction_and_reader_agree_on_one_line_plans():
    """The RL prompt says several actions on one line are fine; the reader must accept exactly that."""
    record = _record("pddl/blocksworld/plan_generation", lambda r: r["answer"].count("\n") >= 2)
    row = rl_row(record)
    assert "several actions on one line are fine" in row["prompt"][0]["content"]
    one_line = "Final answer: " + " ".join(record["answer"].split("\n"))
    assert rewards.compute_score(row["data_source"], one_line, row["reward_model"]["ground_truth"],
                                 row["extra_info"]) == 1.0


@pytest.mark.parametrize("text", ["\\boxed{" * 25_000, "{" * 100_000, '{"a":' * 40_000, "```json\n" * 20_000])
def test_hostile_replies_are_read_in_one_pass(text):
    """A reward must not hang on a reply built to be slow to read: each of these held a quadratic reader for
    minutes. They state no answer, so they score 0."""
    for answer_type in ("json", "plan", "integer"):
        assert not grade(MATH_INT, answer_type, text).ok
    assert read_reply(text, "json").statements == ()


@pytest.mark.parametrize("name", ["tail/lcs", "prolog/zebra/solve", "pddl/gripper/plan_generation"])
def test_sampled_prompts_carry_the_same_instruction_as_the_rl_export(name):
    """The model the self-consistency stage samples is told the answer format the grader reads."""
    from reasonry.generators.llm.stage import SamplingStage, SamplingStageConfig
    from reasonry.models.config import ClientConfig

    record = _record(name)
    config = SamplingStageConfig(client=ClientConfig(model="m", mode="url", url="http://127.0.0.1:9"))
    prompt = SamplingStage(config)._prompt(record)
    assert prompt == rl_row(record)["prompt"][0]["content"]
    assert prompt.endswith(answer_instruction(record["answer_type"]))
