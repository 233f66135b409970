"""The shard runner turns every way a generator can fail into a counted reject with its own reason."""

from __future__ import annotations

import random

import pytest

from reasonry import registry
from reasonry.errors import RecordError
from reasonry.generators.run import generate_shard
from reasonry.plan import ShardSpec
from reasonry.task import ItemKey, Skip, Task


class _Rejection(RecordError):
    reason = "prolog_time_limit"


class Moody(Task):
    """Index 0: a record; 1: a Skip with its reason; 2: None without one; 3: an engine's RecordError with its
    own reason; 4: a record that is not schema v1."""

    name = "tail/moody"
    family = "tail"
    verifier_kind = "tail"
    answer_type = "integer"

    def generate(self, config, key: ItemKey, rng: random.Random):
        mode = key.index % 5
        if mode == 1:
            raise Skip("planner_timeout", "limit 0.5 s")
        if mode == 2:
            return None
        if mode == 3:
            raise _Rejection("the program ran out of time")
        record = self.record(key, problem={"i": key.index}, prompt="p", answer="1", verifier_spec={})
        if mode == 4:
            record["answer_type"] = "vibes"
        return record


@pytest.fixture
def moody(monkeypatch):
    monkeypatch.setitem(registry._EXTRA_TASKS, "tail/moody", (f"{__name__}:Moody", "test task"))
    registry.task_index.cache_clear()
    registry.get_task.cache_clear()
    yield
    monkeypatch.undo()
    registry.task_index.cache_clear()
    registry.get_task.cache_clear()


def test_every_failure_has_its_reason(moody):
    records, rejects, stats = generate_shard(ShardSpec("tail/moody", "train", None, 0, 10), None, seed=1,
                                             options_hash="h")
    assert [r["provenance"]["index"] for r in records] == [0, 5]
    assert all(r["provenance"]["options_hash"] == "h" and r["provenance"]["seed"] == 1 for r in records)
    reasons = [(r["index"], r["reason"]) for r in rejects]
    assert reasons == [(1, "planner_timeout"), (2, "no_instance"), (3, "prolog_time_limit"), (4, "invalid_record"),
                       (6, "planner_timeout"), (7, "no_instance"), (8, "prolog_time_limit"), (9, "invalid_record")]
    assert rejects[0]["detail"] == "limit 0.5 s"
    # a reason stated for one item never leaks to the next item that returns None without one
    assert rejects[1]["detail"].startswith("the generator found no valid instance")
    assert stats["items"] == 10
