"""Rejected items: every drop is kept with a short reason code and a human-readable detail.

A ``Reject`` is built from the item key (nothing was generated) or from the record that was dropped; ``row()``
is what ``rejects/`` stores, one shape for every stage.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from reasonry.task import ItemKey


@dataclass(frozen=True)
class Reject:
    task: str
    split: str | None
    bucket: str | None
    index: int | None
    stage: str
    reason: str
    detail: str
    record: dict | None = None

    @classmethod
    def from_key(cls, key: ItemKey, stage: str, reason: str, detail: str) -> Reject:
        return cls(key.task, key.split, key.bucket, key.index, stage, reason, detail)

    @classmethod
    def from_record(cls, record: dict, stage: str, reason: str, detail: str, *, task: str | None = None) -> Reject:
        """``task`` overrides the record's own where the drop is charged elsewhere (a prototype's source)."""
        return cls(task or record["task"], record.get("split"), record.get("length_bucket"),
                   (record.get("provenance") or {}).get("index"), stage, reason, detail, record)

    def row(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "detail": self.detail,
            "stage": self.stage,
            "task": self.task,
            "split": self.split,
            "length_bucket": self.bucket,
            "index": self.index,
            "id": self.record["id"] if self.record else None,
            "record": self.record,
        }


def reject(reason: str, detail: str, *, task: str, record: dict | None = None, key: ItemKey | None = None,
           stage: str = "") -> dict:
    """The stored row of a reject (kept for callers that build rows directly)."""
    if record is not None:
        return Reject.from_record(record, stage, reason, detail, task=task).row()
    if key is not None:
        return Reject.from_key(key, stage, reason, detail).row()
    return Reject(task, None, None, None, stage, reason, detail).row()


def error_detail(exc: BaseException) -> str:
    """Exception type, message and the innermost frames: enough to debug, short enough to store."""
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    tail = "".join(frames[-3:])
    return f"{type(exc).__name__}: {exc}\n{tail}"[:4000]
