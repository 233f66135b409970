"""Cached output fragments of finished tasks, for rebuilds that changed other tasks.

A task's fragments live under its fragment key; the index next to them is written by the driver only after
the whole pipeline succeeded, so a killed build never leaves a task that looks complete and is not.

Every fragment file starts with a line naming its key, its output shard and a checksum of the rest; the
reader checks all three, so a fragment copied to another name, garbled, cut short or gone is reported and
its task rebuilt from the shard cache, never written into the output.
"""

from __future__ import annotations

import os

from reasonry.fragments import Fragment
from reasonry.hashing import canonical_json, loads
from reasonry.shard_cache import check_entry, open_entry, seal_entry
from reasonry.storage import exists, glob, join, read_bytes, remove, write_bytes

MAGIC = b"reasonry-fragment/1"


class FragmentUnusable(Exception):
    """A planned fragment cannot be used; the message says which and why."""


def _entry_key(key: str, shard: int) -> str:
    return f"{key}:{shard}"


class FragmentCache:
    def __init__(self, root: str | os.PathLike):
        self.root = str(root)

    def _dir(self, key: str) -> str:
        return join(self.root, key[:2], key)

    def _index(self, key: str) -> str:
        return join(self.root, key[:2], f"{key}.json")

    def path(self, key: str, shard: int) -> str:
        return join(self._dir(key), f"{shard:05d}.arrow")

    def put(self, key: str, shard: int, blob: bytes) -> None:
        write_bytes(self.path(key, shard), seal_entry(MAGIC, _entry_key(key, shard), blob))

    def read(self, key: str, shard: int) -> bytes:
        """The fragment blob; ``FragmentUnusable`` if it is missing, unreadable or not this entry's."""
        path = self.path(key, shard)
        try:
            blob = read_bytes(path)
        except OSError as exc:
            raise FragmentUnusable(f"fragment {path} is unreadable ({exc.strerror or exc})") from None
        try:
            return open_entry(MAGIC, _entry_key(key, shard), blob)
        except (ValueError, UnicodeDecodeError) as exc:
            raise FragmentUnusable(f"fragment {path} discarded: {exc}") from None

    def open(self, key: str, shard: int):
        """The fragment as a ``Fragment`` read from the file a batch at a time, once its header and checksum
        are checked (in one streaming pass); ``FragmentUnusable`` as ``read`` says."""
        path = self.path(key, shard)
        try:
            start, size = check_entry(path, MAGIC, _entry_key(key, shard))
            return Fragment(path=path, start=start, size=size)
        except OSError as exc:
            raise FragmentUnusable(f"fragment {path} is unreadable ({exc.strerror or exc})") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise FragmentUnusable(f"fragment {path} discarded: {exc}") from None

    def shards(self, key: str) -> list[int] | None:
        """The output shards of a complete cached task, or None when the task has to be built."""
        try:
            index = loads(read_bytes(self._index(key)))
            shards = index["shards"]
            if index.get("key") != key or not all(isinstance(s, int) for s in shards):
                return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if not all(exists(self.path(key, s)) for s in shards):
            return None  # a fragment went missing since: build the task again
        return shards

    def discard(self, key: str) -> None:
        """Forget a task's fragments: the next build computes them again."""
        remove(self._index(key))
        remove(self._dir(key))

    def seal(self, key: str, task: str) -> None:
        """Mark a task's fragments complete; called once the pipeline that wrote them has succeeded."""
        shards = sorted(int(p.rsplit("/", 1)[-1].split(".")[0]) for p in glob(self._dir(key), "*.arrow"))
        write_bytes(self._index(key), canonical_json({"key": key, "task": task, "shards": shards}).encode("utf-8"))
