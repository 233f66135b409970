"""Exact deduplication by record id (the content hash of the canonical problem)."""

from __future__ import annotations

from reasonry.record import LENGTH_BUCKETS
from reasonry.rejects import Reject

_SPLIT_RANK = {"test": 0, "train": 1}


def _priority(record: dict) -> tuple:
    # A problem that is in test never stays in train; otherwise the lowest index wins.
    bucket = record["length_bucket"]
    return (_SPLIT_RANK[record["split"]], LENGTH_BUCKETS.index(bucket) if bucket else -1,
            record["provenance"].get("index", 0), record["task"])


def dedup_by_id(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(kept sorted by id, rejects). Every copy of an id meets in one call: the caller groups by id hash."""
    best: dict[str, dict] = {}
    rejects = []
    for record in sorted(records, key=lambda r: (r["id"], _priority(r))):
        kept = best.get(record["id"])
        if kept is None:
            best[record["id"]] = record
            continue
        where = f"{kept['split']}/{kept['length_bucket'] or 'all'}#{kept['provenance'].get('index')}"
        detail = f"duplicate of {kept['id']} kept in {where}"
        rejects.append(Reject.from_record(record, "dedup", "duplicate_id", detail).row())
    return [best[k] for k in sorted(best)], rejects
