"""How many distinct problems a build can get from each task's buckets, against how many it asks for.

A bucket with few distinct problems (``tail/derangement`` S has 28: the problem is n alone) asked for a
million items gives its few problems and counts the rest as duplicates; a build says so before it runs.
An item's id does not depend on its split, so a bucket's train and test requests share its capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

from reasonry.config import BuildConfig
from reasonry.errors import ConfigError
from reasonry.plan import bucket_of
from reasonry.registry import get_task


@dataclass(frozen=True)
class OverCapacity:
    task: str
    bucket: str | None
    requested: int
    capacity: int

    def line(self) -> str:
        where = f"{self.task} bucket {self.bucket or 'all'}"
        return (f"{where}: {self.requested} items requested, but it has at most {self.capacity} distinct "
                f"problems; expect at most {self.capacity} items, the rest counted as duplicate_id "
                f"(build.over_capacity=error makes this an error)")


def over_capacity(config: BuildConfig) -> list[OverCapacity]:
    found = []
    for name in sorted(config.tasks):
        entry = config.tasks[name]
        requested: dict[str | None, int] = {}
        for split in ("train", "test"):
            for bucket, n in getattr(entry, split).items():
                requested[bucket_of(bucket)] = requested.get(bucket_of(bucket), 0) + n
        task = get_task(name)
        options = config.resolved(name).config
        for bucket, n in sorted(requested.items(), key=lambda kv: str(kv[0])):
            limit = task.capacity(options, bucket)
            if limit is not None and n > limit:
                found.append(OverCapacity(name, bucket, n, limit))
    return found


def capacity_warnings(config: BuildConfig) -> list[str]:
    """One line per over-asked bucket; with ``build.over_capacity: error`` a ConfigError instead."""
    found = over_capacity(config)
    if found and config.build.over_capacity == "error":
        raise ConfigError("; ".join(f.line().split(" (build.over_capacity")[0] for f in found),
                          path="build.over_capacity")
    return [f.line() for f in found]


# A task asked for this many items more than its buckets hold keeps its duplicates' rejects compact (id, index
# and reason, not the whole record again): a million-item request of a 28-problem bucket must not hold a
# million records in memory. Below it, a duplicate's reject carries its record like every other reject.
COMPACT_SURPLUS = 10_000


def crowded_tasks(config: BuildConfig) -> frozenset[str]:
    """Tasks whose requests exceed their capacity by COMPACT_SURPLUS items or more, over all buckets."""
    surplus: dict[str, int] = {}
    for found in over_capacity(config):
        surplus[found.task] = surplus.get(found.task, 0) + found.requested - found.capacity
    return frozenset(task for task, n in surplus.items() if n >= COMPACT_SURPLUS)
