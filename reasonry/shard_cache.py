"""Per-shard cache of generated and verified items, for incremental and resumed builds.

A shard's output is decided by (task, generator version, the task's options, seed, index range), which is the
cache key; a rebuild reuses every shard whose key is unchanged, and a killed build resumes from the shards it
finished. Entries are written to a temporary name and renamed, so a crash never leaves a torn entry.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path


class ShardCache:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json.gz"

    def get(self, key: str) -> tuple[list[dict], list[dict]] | None:
        path = self._path(key)
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
            return data["records"], data["rejects"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, EOFError):
            return None  # an unreadable entry is recomputed, never trusted

    def put(self, key: str, records: list[dict], rejects: list[dict]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        data = json.dumps({"records": records, "rejects": rejects}, ensure_ascii=False).encode("utf-8")
        with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                    compresslevel=3) as fh:
            fh.write(data)
        os.replace(tmp, path)
