"""Split a build into shards of work: each shard is a range of item indices of one (task, split, bucket)."""

from __future__ import annotations

from dataclasses import dataclass

from reasonry.config import BuildConfig
from reasonry.hashing import content_hash


@dataclass(frozen=True, order=True)
class ShardSpec:
    task: str
    split: str
    bucket: str | None
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start

    def key(self) -> str:
        return f"{self.task}|{self.split}|{self.bucket or 'all'}|{self.start}-{self.stop}"

    def cache_key(self, seed: int, task_version: str, task_config_hash: str) -> str:
        """What decides this shard's output: reused by incremental builds."""
        return content_hash([self.key(), seed, task_version, task_config_hash])


def bucket_of(bucket: str) -> str | None:
    return None if bucket == "all" else bucket


def plan_shards(config: BuildConfig) -> list[ShardSpec]:
    """Every shard of the build, in a stable order."""
    from reasonry.registry import get_task

    shards = []
    for name in sorted(config.tasks):
        entry = config.tasks[name]
        size = max(1, config.build.shard_size // max(1, get_task(name).cost))
        for split in ("train", "test"):
            for bucket, count in sorted(getattr(entry, split).items()):
                for start in range(0, count, size):
                    shards.append(ShardSpec(name, split, bucket_of(bucket), start, min(start + size, count)))
    return shards


def planned_items(config: BuildConfig) -> dict[str, int]:
    totals: dict[str, int] = {}
    for shard in plan_shards(config):
        totals[shard.task] = totals.get(shard.task, 0) + shard.size
    return totals
