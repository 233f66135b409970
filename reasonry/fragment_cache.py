"""Cached output fragments of finished tasks, for rebuilds that changed other tasks.

A task's fragments live under its fragment key; the index next to them is written by the driver only after
the whole pipeline succeeded, so a killed build never leaves a task that looks complete and is not.
"""

from __future__ import annotations

import os

from reasonry.hashing import canonical_json, loads
from reasonry.storage import exists, glob, join, read_bytes, write_bytes


class FragmentCache:
    def __init__(self, root: str | os.PathLike):
        self.root = str(root)

    def _dir(self, key: str) -> str:
        return join(self.root, key[:2], key)

    def path(self, key: str, shard: int) -> str:
        return join(self._dir(key), f"{shard:05d}.arrow")

    def put(self, key: str, shard: int, blob: bytes) -> None:
        write_bytes(self.path(key, shard), blob)

    def shards(self, key: str) -> list[int] | None:
        """The output shards of a complete cached task, or None when the task has to be built."""
        index = join(self.root, key[:2], f"{key}.json")
        try:
            shards = loads(read_bytes(index))["shards"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not all(exists(self.path(key, s)) for s in shards):
            return None  # a fragment went missing since: build the task again
        return shards

    def seal(self, key: str, task: str) -> None:
        """Mark a task's fragments complete; called once the pipeline that wrote them has succeeded."""
        shards = sorted(int(p.rsplit("/", 1)[-1].split(".")[0]) for p in glob(self._dir(key), "*.arrow"))
        write_bytes(join(self.root, key[:2], f"{key}.json"),
                    canonical_json({"task": task, "shards": shards}).encode("utf-8"))
