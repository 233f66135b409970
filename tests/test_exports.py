"""What a trainer reads from each export: one final answer per SFT target, step labels that mean step
correctness, conversational preference pairs that run to a finished answer, unambiguous prompts and unique
row indices."""

from __future__ import annotations

import re

import pytest

from reasonry.exports import (
    FINAL_ANSWER,
    assistant_text,
    preference_rows,
    preference_step_rows,
    rl_row,
    sft_row,
    stepwise_rows,
)
from reasonry.registry import get_task, get_verifier, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey


def _records(name: str, n: int, seed: int = 3, split: str = "train") -> list[dict]:
    task = get_task(name)
    config = task.default_config()
    bucket = task.buckets[0] if task.buckets else None
    out = []
    for index in range(n):
        record = task.generate(config, ItemKey(name, split, bucket, index), item_rng(seed, name, index, split, bucket))
        if record is not None:
            out.append(record)
    return out


@pytest.mark.parametrize("name", ["pddl/blocksworld/plan_generation", "tail/addition", "mcts/countdown/direct",
                                  "prolog/graph_coloring/solve"])
def test_sft_target_states_the_final_answer_once(name):
    """Item 1: PDDL traces already end with 'Final answer:' and the plan lines; nothing is appended."""
    if name not in task_names():
        pytest.skip(f"{name} not registered")
    records = _records(name, 4)
    assert records
    for record in records:
        text = sft_row(record)["messages"][1]["content"]
        finals = [line for line in text.split("\n") if line.startswith(FINAL_ANSWER)]
        assert len(finals) == 1, text[-300:]
        # what follows the marker is the record's answer
        assert text[text.index(FINAL_ANSWER) + len(FINAL_ANSWER):].strip() == record["answer"].strip()


def test_sft_appends_the_answer_to_a_trace_without_one():
    record = {"trace": "step one\nstep two", "answer": "7"}
    assert assistant_text(record) == "step one\nstep two\nFinal answer: 7"
    assert assistant_text({"trace": "Final answer:\n(a)\n(b)", "answer": "(a)\n(b)"}).count(FINAL_ANSWER) == 1


COLUMN = re.compile(r"Column (\d+): fetch a=(\d) b=(\d) c=(\d); sum=(\d+); digit=(\d) c=(\d)$")


def _columns_correct(spec: dict, steps: list[str]) -> list[bool]:
    """Independent of the step checker: column arithmetic recomputed from the operands, and every step after
    a wrong one is wrong too (it continues a wrong state)."""
    width = max(len(spec["x1"]), len(spec["x2"]))
    a, b = spec["x1"].rjust(width, "0"), spec["x2"].rjust(width, "0")
    carry, ok, out = 0, True, []
    for col, step in enumerate(steps):
        m = COLUMN.search(step)
        c, da, db, cin, total, digit, cout = map(int, m.groups())
        right = (c == col and (da, db) == (int(a[width - 1 - col]), int(b[width - 1 - col])) and cin == carry
                 and total == da + db + cin and digit == total % 10 and cout == total // 10)
        ok = ok and right
        out.append(ok)
        carry = cout
    return out


@pytest.mark.parametrize("name", ["mcts/addition/astro", "mcts/addition/direct"])
def test_step_labels_are_step_correctness_not_q(name):
    """Item 2: a correct step on any path is labelled True, whatever its Q; Q values are their own column."""
    rows = [row for record in _records(name, 8) for row in stepwise_rows(record)]
    assert rows
    spec_of = {r["id"]: r["verifier"]["spec"] for r in _records(name, 8)}
    differ = 0
    for row in rows:
        expected = _columns_correct(spec_of[row["id"].rsplit("-", 1)[0]], row["completions"])
        wrong_at_end = not expected[-1]
        assert row["labels"][:len(expected)] == expected or wrong_at_end and row["labels"] == [
            *expected[:-1], False], (row["completions"], row["labels"])
        assert len(row["q_values"]) == len(row["labels"])
        differ += sum(label != (q > 0) for label, q in zip(row["labels"], row["q_values"], strict=True))
    assert differ, "labels and Q > 0 never disagree: labels may still be Q signs"


def test_gold_path_steps_are_all_correct():
    for name in ("mcts/addition/astro", "mcts/countdown/astro", "mcts/equation/direct"):
        for record in _records(name, 4):
            gold = stepwise_rows(record)[-1]
            assert all(gold["labels"]), (name, gold)


def test_preference_rows_are_conversational_and_run_to_an_answer():
    """Item 3: prompt/chosen/rejected are chat messages; each side ends with a final answer, the chosen one
    verifying and the rejected one not; plain-text step rows never glue the prompt to the step."""
    made = 0
    for name in ("mcts/countdown/astro", "mcts/equation/direct", "mcts/addition/direct"):
        for record in _records(name, 4):
            verifier = get_verifier(record["verifier"]["kind"])
            spec = record["verifier"]["spec"]
            for row in preference_rows(record):
                made += 1
                assert row["prompt"] == [{"role": "user", "content": record["prompt"]}]
                (chosen,), (rejected,) = row["chosen"], row["rejected"]
                assert chosen["role"] == rejected["role"] == "assistant"
                assert chosen["content"].split("\n")[-1] == f"{FINAL_ANSWER} {row['chosen_answer']}"
                assert rejected["content"].split("\n")[-1] == f"{FINAL_ANSWER} {row['rejected_answer']}"
                assert verifier.verify(spec, row["chosen_answer"]).ok
                assert not verifier.verify(spec, row["rejected_answer"]).ok
                assert verifier.check_trace(spec, chosen["content"]).ok
                # more than the branching step: the side runs on past it to the answer
                assert len(chosen["content"].split("\n")) > row["branch_step"]
            for row in preference_step_rows(record) + stepwise_rows(record):
                assert row["prompt"].endswith("\n")
                assert not re.search(r"[^\n]Step \d+:", row["prompt"])
    assert made >= 10


def test_diophantine_prompts_with_equal_values_name_the_unknowns():
    """Item 7: with a == b no template tells the unknowns apart by value ("number of 3-stamps, number of
    3-stamps")."""
    from reasonry.generators.turing.diophantine import BY_VALUE, SYMBOLIC

    records = _records("tail/diophantine", 400)
    equal = [r for r in records if r["verifier"]["spec"]["a"] == r["verifier"]["spec"]["b"]]
    assert len(equal) >= 10
    for record in equal:
        a = record["verifier"]["spec"]["a"]
        assert record["meta"]["template"] in SYMBOLIC
        assert f"values {a} and {a}" not in record["prompt"]
        assert f"{a}-stamps, number of {a}-stamps" not in record["prompt"]
    assert any(r["meta"]["template"] in BY_VALUE for r in records), "the value templates are still used"


def test_rl_index_is_unique_across_tasks_and_splits():
    """Item 8: generator indices repeat across tasks; ``extra_info.index`` does not."""
    rows = []
    for name in ("tail/addition", "tail/lcs", "mcts/countdown/direct", "tail/binary_search"):
        for split in ("train", "test"):
            rows += [rl_row(r) for r in _records(name, 30, split=split)]
    indices = [row["extra_info"]["index"] for row in rows]
    ids = {row["extra_info"]["id"] for row in rows}
    assert len(set(indices)) == len(ids) == len(rows)
    assert len({row["extra_info"]["item_index"] for row in rows}) < len(rows)
    assert all(0 <= i < 2**63 for i in indices)
