"""Produce one shard of items: the generator contract applied over an index range."""

from __future__ import annotations

import time

from reasonry.errors import RecordError
from reasonry.plan import ShardSpec
from reasonry.record import validate
from reasonry.registry import get_task
from reasonry.rejects import Reject, error_detail
from reasonry.rng import item_rng
from reasonry.task import ItemKey, Skip, item_provenance

STAGE = "generate"


def generate_shard(spec: ShardSpec, task_config, *, seed: int, options_hash: str
                   ) -> tuple[list[dict], list[dict], dict]:
    """(records, rejects, stats) for the items ``spec.start .. spec.stop - 1``.

    A generator that returns None or raises loses only that item, which becomes a counted reject.
    """
    task = get_task(spec.task)
    records, rejects = [], []
    started = time.perf_counter()
    for index in range(spec.start, spec.stop):
        key = ItemKey(spec.task, spec.split, spec.bucket, index)
        try:
            record = task.generate(task_config, key, item_rng(seed, spec.task, index, spec.split, spec.bucket))
            if record is None:
                rejects.append(Reject.from_key(key, STAGE, "no_instance",
                                               "the generator found no valid instance for this draw").row())
                continue
            validate(record)
            if (record["task"], record["split"], record["length_bucket"]) != (spec.task, spec.split, spec.bucket):
                raise RecordError("record does not match the requested task/split/bucket", field="task")
            # what decides this item, and nothing about the build around it: an unchanged task gives the same
            # bytes in every build, so its output can be reused after another task changed
            record["provenance"] = item_provenance(task, key, seed=seed, options_hash=options_hash)
            records.append(record)
        except Skip as exc:
            rejects.append(Reject.from_key(key, STAGE, exc.reason, exc.detail).row())
        except RecordError as exc:
            # engines name their own reasons (a Prolog program's time_limit, a planner's timeout, ...)
            reason = getattr(exc, "reason", None) or "invalid_record"
            rejects.append(Reject.from_key(key, STAGE, reason, str(exc)).row())
        except Exception as exc:  # dead letter: the item is kept as a reject with its error
            rejects.append(Reject.from_key(key, STAGE, "error", error_detail(exc)).row())
    stats = {"shard": spec.key(), "task": spec.task, "items": spec.size,
             "generate_seconds": time.perf_counter() - started}
    return records, rejects, stats
