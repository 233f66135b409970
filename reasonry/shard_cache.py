"""Per-shard cache of generated and verified items, for incremental and resumed builds.

A shard's output is decided by (task, generator version, the task's options, seed, index range), which is the
cache key; a rebuild reuses every shard whose key is unchanged, and a killed build resumes from the shards it
finished. Entries are written to a temporary name and renamed, so a crash never leaves a torn entry.
"""

from __future__ import annotations

import gzip
import os

from reasonry.hashing import canonical_json, loads
from reasonry.storage import join, read_bytes, write_bytes


class ShardCache:
    def __init__(self, root: str | os.PathLike):
        self.root = str(root)

    def _path(self, key: str) -> str:
        return join(self.root, key[:2], f"{key}.json.gz")

    def get(self, key: str) -> tuple[list[dict], list[dict]] | None:
        try:
            data = loads(gzip.decompress(read_bytes(self._path(key))))
            return data["records"], data["rejects"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, EOFError):
            return None  # an unreadable entry is recomputed, never trusted

    def put(self, key: str, records: list[dict], rejects: list[dict]) -> None:
        data = canonical_json({"records": records, "rejects": rejects}).encode("utf-8")
        write_bytes(self._path(key), gzip.compress(data, compresslevel=3, mtime=0))
