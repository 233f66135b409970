"""Split a build into shards of work: each shard is a range of item indices of one (task, split, bucket)."""

from __future__ import annotations

from dataclasses import dataclass

from reasonry.config import BuildConfig
from reasonry.hashing import content_hash
from reasonry.registry import get_task
from reasonry.task_options import options_hash

__all__ = ["CACHE_FORMAT", "ShardSpec", "bucket_of", "options_hash", "plan_shards", "planned_items",
           "shard_cache_keys"]

CACHE_FORMAT = "2"  # 2: provenance names the task's options, not the build


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
        return content_hash([CACHE_FORMAT, self.key(), seed, task_version, task_config_hash])


def bucket_of(bucket: str) -> str | None:
    return None if bucket == "all" else bucket


def plan_shards(config: BuildConfig) -> list[ShardSpec]:
    """Every shard of the build, in a stable order."""
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


def shard_cache_keys(config: BuildConfig, specs: list[ShardSpec]) -> dict[ShardSpec, str]:
    hashes = {task: config.resolved(task).hash for task in {s.task for s in specs}}
    return {s: s.cache_key(config.build.seed, get_task(s.task).version, hashes[s.task]) for s in specs}
