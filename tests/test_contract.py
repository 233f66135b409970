"""The contract every registered task keeps, checked over the whole registry.

For each task and length bucket: generating the same key twice gives the same record; the record is valid
schema v1; the gold answer (and trace) verify; a corrupted answer and a corrupted trace do not.
"""

from __future__ import annotations

import random

import pytest

from reasonry.record import validate
from reasonry.registry import get_task, get_verifier, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey

INDICES = range(4)


def _cases():
    for name in task_names():
        task = get_task(name)
        for bucket in task.buckets or (None,):
            yield pytest.param(name, bucket, id=f"{name}[{bucket or 'all'}]")


def _generate(task, config, split, bucket, index, seed=7):
    key = ItemKey(task.name, split, bucket, index)
    return task.generate(config, key, item_rng(seed, task.name, index, split, bucket))


@pytest.mark.parametrize("name,bucket", list(_cases()))
def test_task_contract(name, bucket):
    task = get_task(name)
    config = task.default_config()
    produced = 0
    for split in ("train", "test"):
        for index in INDICES:
            first = _generate(task, config, split, bucket, index)
            second = _generate(task, config, split, bucket, index)
            assert first == second, "same key must give the same record"
            if first is None:
                continue
            produced += 1
            validate(first)
            assert first["task"] == name and first["split"] == split and first["length_bucket"] == bucket
            verifier = get_verifier(first["verifier"]["kind"])
            spec = first["verifier"]["spec"]
            verdict = verifier.verify(spec, first["answer"])
            assert verdict.ok, f"gold answer fails: {verdict.reason}"
            rng = random.Random(index)
            wrong = task.corrupt_answer(first, rng)
            assert wrong != first["answer"]
            assert not verifier.verify(spec, wrong).ok, f"corrupted answer {wrong!r} passes"
            if first["trace"] is not None and verifier.check_trace is not None:
                verdict = verifier.check_trace(spec, first["trace"])
                assert verdict.ok, f"gold trace fails: {verdict.reason}"
                bad = task.corrupt_trace(first, rng)
                if bad is not None:
                    assert bad != first["trace"]
                    assert not verifier.check_trace(spec, bad).ok, "corrupted trace passes"
    assert produced > 0, "the generator produced nothing"


@pytest.mark.parametrize("name", task_names())
def test_other_seed_gives_other_items(name):
    task = get_task(name)
    bucket = task.buckets[0] if task.buckets else None
    config = task.default_config()
    a = [_generate(task, config, "train", bucket, i, seed=1) for i in range(6)]
    b = [_generate(task, config, "train", bucket, i, seed=2) for i in range(6)]
    ids_a = {r["id"] for r in a if r}
    ids_b = {r["id"] for r in b if r}
    assert ids_a != ids_b
