"""On-disk cache of model responses, keyed by a hash of (model, prompt, sampling parameters).

One small JSON file per response, written to a temporary name and renamed into place, so a process killed
mid-write never leaves a half entry: a rerun reads every finished response and resamples only the rest.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from reasonry.hashing import content_hash


def response_key(request: dict[str, Any]) -> str:
    return content_hash(["reasonry.llm.v1", request], digest_size=20)


class ResponseCache:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[str] | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        completions = data.get("completions") if isinstance(data, dict) else None
        if not isinstance(completions, list) or not all(isinstance(c, str) for c in completions):
            return None  # a foreign or damaged file is a miss, never an error
        return completions

    def put(self, key: str, request: dict[str, Any], completions: list[str]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"request": request, "completions": completions}, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def __len__(self) -> int:
        if not self.directory.is_dir():
            return 0
        return sum(1 for _ in self.directory.glob("*/*.json"))
