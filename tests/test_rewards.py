"""Reward functions score the RL export with the same verifiers that built it, for every family present."""

from __future__ import annotations

import json
import random

import pytest

from reasonry import rewards
from reasonry.exports import FINAL_ANSWER, rl_row
from reasonry.registry import get_task, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey


def _first_task_per_family():
    seen = {}
    for name in task_names():
        seen.setdefault(name.split("/", 1)[0], name)
    return sorted(seen.values())


def _rl_row(name):
    task = get_task(name)
    bucket = task.buckets[0] if task.buckets else None
    for index in range(20):
        record = task.generate(task.default_config(), ItemKey(name, "train", bucket, index),
                               item_rng(3, name, index, "train", bucket))
        if record is not None:
            record["provenance"]["index"] = index
            return task, record, rl_row(record)
    pytest.skip(f"{name} produced no item")


def _reply(answer: str, answer_type: str) -> str:
    if answer_type == "plan":
        return f"Here is the plan.\n```plan\n{answer}\n```"
    if answer_type == "json":
        return f"Reasoning...\n```json\n{answer}\n```"
    return f"Some reasoning.\n{FINAL_ANSWER} {answer}"


@pytest.mark.parametrize("name", _first_task_per_family())
def test_gold_scores_one_wrong_zero_garbage_zero(name):
    task, record, row = _rl_row(name)
    info = row["extra_info"]
    gold = _reply(row["reward_model"]["ground_truth"], info["answer_type"])
    wrong = _reply(task.corrupt_answer(record, random.Random(0)), info["answer_type"])
    garbage = "I have no idea }{ \\boxed{"
    # verl
    assert rewards.compute_score(row["data_source"], gold, row["reward_model"]["ground_truth"], info) == 1.0
    assert rewards.compute_score(row["data_source"], wrong, row["reward_model"]["ground_truth"], info) == 0.0
    assert rewards.compute_score(row["data_source"], garbage, row["reward_model"]["ground_truth"], info) == 0.0
    # TRL, with conversational completions
    completions = [[{"role": "assistant", "content": t}] for t in (gold, wrong, garbage)]
    assert rewards.trl_reward(prompts=[row["prompt"]] * 3, completions=completions, extra_info=[info] * 3) == [
        1.0, 0.0, 0.0]
    # OpenRLHF: queries are prompt + response; labels may be the verifier JSON text
    prompt = row["prompt"][0]["content"]
    labels = [info["verifier"]] * 3 if info["answer_type"] == "string" else [info] * 3
    assert rewards.reward_func([prompt + t for t in (gold, wrong, garbage)], [prompt] * 3, labels) == [1.0, 0.0, 0.0]


def test_prompt_instruction_is_not_taken_for_an_answer():
    _task, _record, row = _rl_row("tail/addition")
    prompt = row["prompt"][0]["content"]
    assert FINAL_ANSWER in prompt
    assert rewards.reward_func([prompt + "no answer given"], [prompt], [row["extra_info"]]) == [0.0]


def test_malformed_rows_score_zero_but_are_logged_once_per_kind_and_counted(caplog):
    """Item 4: a failure to score is never a silent 0: the first of each kind is logged, all are counted."""
    import logging

    before = dict(rewards.scoring_errors())
    bad_kind = {"verifier": json.dumps({"kind": "nope", "spec": {}}), "answer_type": "integer"}
    with caplog.at_level(logging.WARNING, logger="reasonry.rewards"):
        for _ in range(3):
            assert rewards.compute_score("x", "Final answer: 3", "3", bad_kind) == 0.0
            assert rewards.compute_score("x", "Final answer: 3", "3", "{not json") == 0.0
    after = rewards.scoring_errors()
    grew = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert grew == {"nope: UnknownNameError": 3, "malformed row: JSONDecodeError": 3}
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2 and all("scored 0.0" in m for m in logged)


def test_strict_mode_raises_instead_of_scoring_zero(monkeypatch):
    monkeypatch.setenv("REASONRY_REWARD_STRICT", "1")
    with pytest.raises(RuntimeError, match="could not score"):
        rewards.compute_score("x", "Final answer: 3", "3", "{not json")


def test_missing_swipl_is_an_error_naming_the_install_line(monkeypatch):
    """Item 4: without the swipl binary a Prolog reward raises instead of paying 0.0."""
    _task, _record, row = _rl_row(next(n for n in task_names() if n.startswith("prolog/")))
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(rewards, "_checked", set())
    with pytest.raises(rewards.MissingDependencyError, match="apt-get install swi-prolog-nox"):
        rewards.compute_score(row["data_source"], "Final answer: {}", "{}", row["extra_info"])


@pytest.mark.parametrize("name", _first_task_per_family())
def test_compute_score_uses_ground_truth_without_extra_info(name):
    """Item 6: verl's call without extra_info scores by ground_truth (1.0 gold, 0.0 wrong), not a flat 0."""
    task, record, row = _rl_row(name)
    truth = row["reward_model"]["ground_truth"]
    gold = _reply(truth, record["answer_type"])
    wrong = _reply(task.corrupt_answer(record, random.Random(0)), record["answer_type"])
    assert rewards.compute_score(row["data_source"], gold, truth, None) == 1.0
    assert rewards.compute_score(row["data_source"], wrong, truth, None) == 0.0
    assert rewards.compute_score(data_source=row["data_source"], solution_str=gold, ground_truth=truth,
                                 extra_info={"num_turns": 1}) == 1.0


def test_rewards_import_nothing_heavy():
    """Item 5: importing and calling the reward module needs no pipeline package."""
    import subprocess
    import sys

    code = ("import sys; from reasonry import rewards; "
            "print(sorted(m for m in ('apache_beam', 'pyarrow', 'polars', 'datasets', 'matplotlib', 'httpx') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
