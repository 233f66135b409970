"""Rejected items: every drop is kept with a short reason code and a human-readable detail."""

from __future__ import annotations

import traceback

from reasonry.task import ItemKey


def reject(reason: str, detail: str, *, task: str, record: dict | None = None, key: ItemKey | None = None,
           stage: str = "") -> dict:
    split = record["split"] if record else key.split if key else None
    bucket = record["length_bucket"] if record else key.bucket if key else None
    index = (record["provenance"].get("index") if record else None) if record else key.index if key else None
    return {
        "reason": reason,
        "detail": detail,
        "stage": stage,
        "task": task,
        "split": split,
        "length_bucket": bucket,
        "index": index,
        "id": record["id"] if record else None,
        "record": record,
    }


def error_detail(exc: BaseException) -> str:
    """Exception type, message and the innermost frames: enough to debug, short enough to store."""
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    tail = "".join(frames[-3:])
    return f"{type(exc).__name__}: {exc}\n{tail}"[:4000]
