"""The verifier matrix: for every registered task, wrong replies (by corruption family) score 0 and the gold in
every accepted form scores 1, and every consumer of the answer semantics gives the same verdict.

The families come from the tasks themselves (``Task.corruptions`` / ``Task.equivalents``), so a new task is
covered by being registered. The web source draws from a bank of pages; its extra indices cover every answer
type in that bank, and two answer types it can produce but the bank lacks (multiple choice, matrix) are added
as records of their own.
"""

from __future__ import annotations

import json
import random
from functools import cache

import pytest

from reasonry import rewards
from reasonry.answers import grade
from reasonry.exports import assistant_text, rl_row
from reasonry.registry import get_task, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey

ITEMS = {"pddl": 1, "webqa": 30}  # items per (task, bucket); planner-checked plans are the slowest to verify
DEFAULT_ITEMS = 2


@cache
def _records(name: str) -> tuple[dict, ...]:
    task = get_task(name)
    count = ITEMS.get(name.split("/", 1)[0], DEFAULT_ITEMS)
    out = []
    for bucket in task.buckets or (None,):
        for index in range(count):
            record = task.generate(task.default_config(), ItemKey(name, "train", bucket, index),
                                   item_rng(11, name, index, "train", bucket))
            if record is not None:
                record["provenance"]["index"] = index
                out.append(record)
    return tuple(out)


def _entries(name: str) -> list[tuple[dict, str, str, str]]:
    """(record, 'wrong' | 'right', family, reply) for every matrix entry of a task."""
    task = get_task(name)
    entries = []
    for i, record in enumerate(_records(name)):
        for family, replies in task.corruptions(record, random.Random(i)).items():
            entries += [(record, "wrong", family, reply) for reply in replies]
        for family, replies in task.equivalents(record).items():
            entries += [(record, "right", family, reply) for reply in replies]
        entries.append((record, "right", "gold_trace", assistant_text(record)))
    return entries


def _mismatches(entries) -> list[str]:
    bad = []
    for record, expect, family, reply in entries:
        verdict = grade(record["verifier"], record["answer_type"], reply)
        if verdict.ok != (expect == "right"):
            bad.append(f"{family} ({expect}) gold={record['answer'][:60]!r} reply={reply[-100:]!r}: {verdict.reason}")
    return bad


@pytest.mark.parametrize("name", task_names())
def test_matrix(name):
    entries = _entries(name)
    families = {(expect, family) for _, expect, family, _ in entries}
    assert ("wrong", "hedged") in families and ("wrong", "empty") in families and ("right", "markers") in families
    bad = _mismatches(entries)
    assert not bad, f"{len(bad)} of {len(entries)} matrix entries misjudged:\n" + "\n".join(bad[:20])


def _synthetic(answer: str, answer_type: str) -> dict:
    record = json.loads(json.dumps(_records("webqa/qa")[0]))
    record.update(answer=answer, answer_type=answer_type, trace=None)
    record["verifier"] = {"kind": "math", "spec": {"answer": answer, "answer_type": answer_type}}
    return record


@pytest.mark.parametrize("answer,answer_type", [("B", "multiple_choice"), ("[[1, 2], [3, 4]]", "matrix"),
                                                ("3/4", "fraction"), ("0.25", "float"), ("-1,250", "integer")])
def test_matrix_of_answer_types_the_page_bank_lacks(answer, answer_type):
    task = get_task("webqa/qa")
    record = _synthetic(answer, answer_type)
    entries = [(record, "wrong", f, r) for f, rs in task.corruptions(record, random.Random(0)).items() for r in rs]
    entries += [(record, "right", f, r) for f, rs in task.equivalents(record).items() for r in rs]
    bad = _mismatches(entries)
    assert not bad, "\n".join(bad)


def test_webqa_items_cover_the_bank_s_answer_types():
    types = {r["answer_type"] for r in _records("webqa/qa")}
    assert {"integer", "float", "fraction", "percentage", "boolean", "list", "string", "expression"} <= types


# ------------------------------------------------------------------------------------------------
# Every consumer gives the same verdict
# ------------------------------------------------------------------------------------------------


def test_verify_answers_and_every_reward_agree(tmp_path):
    """``reasonry verify --answers``, ``rewards.score``, verl's ``compute_score`` (called the way verl's reward
    loader calls it), TRL's ``trl_reward`` and OpenRLHF's ``reward_func`` on the same matrix entries."""
    from reasonry.tables import records_table, write_parquet
    from reasonry.verifiers.reverify import score_answers

    entries = [entry for name in task_names() for entry in _entries(name)]
    records = {r["id"]: r for r, *_ in entries}
    write_parquet(records_table(list(records.values())), tmp_path / "records.parquet")
    with (tmp_path / "answers.jsonl").open("w") as fh:
        for record, _, _, reply in entries:
            fh.write(json.dumps({"id": record["id"], "answer": reply}) + "\n")
    verify = [r["ok"] for r in score_answers(tmp_path / "records.parquet", tmp_path / "answers.jsonl")["results"]]

    rows = [rl_row(record) for record, *_ in entries]
    infos = [row["extra_info"] for row in rows]
    replies = [reply for *_, reply in entries]
    expected = [grade(r["verifier"], r["answer_type"], reply).ok for r, _, _, reply in entries]
    verl = [rewards.compute_score(data_source=row["data_source"], solution_str=reply,
                                  ground_truth=row["reward_model"]["ground_truth"], extra_info=row["extra_info"],
                                  num_turns=1) == 1.0
            for row, reply in zip(rows, replies, strict=True)]
    score = [rewards.score(reply, info) == 1.0 for reply, info in zip(replies, infos, strict=True)]
    trl = [x == 1.0 for x in rewards.trl_reward(prompts=[row["prompt"] for row in rows],
                                                completions=[[{"role": "assistant", "content": t}] for t in replies],
                                                extra_info=infos)]
    prompts = [row["prompt"][0]["content"] for row in rows]
    openrlhf = [x == 1.0 for x in rewards.reward_func([p + t for p, t in zip(prompts, replies, strict=True)], prompts,
                                                       [info["verifier"] for info in infos])]
    assert len(expected) > 500
    assert any(expected) and not all(expected)
    for name, got in (("verify --answers", verify), ("score", score), ("compute_score", verl), ("trl_reward", trl),
                      ("reward_func", openrlhf)):
        differ = [(entries[i][2], replies[i][-80:]) for i in range(len(expected)) if got[i] != expected[i]]
        assert not differ, f"{name} disagrees on {len(differ)} entries, e.g. {differ[:3]}"
