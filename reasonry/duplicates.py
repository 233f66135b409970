"""Copies of one id: which copy stays (``dedup_by_id``, run by the writer on every output shard), and compact
duplicate rejects.

A record's id is the content hash of its canonical problem, so copies of an id are the same problem; the copy
in test wins over train, then the shortest bucket and the lowest index. Compact rejects (columns of (id, split,
bucket, index) instead of one dict with a record each) serve tasks asked for far more items than they have
distinct problems (``reasonry.capacity``): their duplicates are dropped where they are made (inside a shard)
and travel, and are written, as columns.
"""

from __future__ import annotations

import pyarrow as pa

from reasonry.hashing import shard_of
from reasonry.record import LENGTH_BUCKETS
from reasonry.rejects import Reject
from reasonry.tables import REJECT_SCHEMA

BLOCK = "__duplicate_block__"
STAGE = "dedup"
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
        rejects.append(Reject.from_record(record, STAGE, "duplicate_id", detail).row())
    return [best[k] for k in sorted(best)], rejects


def split_duplicates(records: list[dict], shards: int) -> tuple[list[dict], list[dict]]:
    """(one record per id, duplicate blocks by output shard). Within a shard every copy has one split and
    bucket, so the lowest index stays, as the dedup over the whole build would choose among them."""
    best: dict[str, dict] = {}
    dropped: list[dict] = []
    for record in sorted(records, key=lambda r: (r["id"], _priority(r))):
        if record["id"] in best:
            dropped.append(record)
        else:
            best[record["id"]] = record
    kept = [r for r in records if best.get(r["id"]) is r]  # the order the shard made them in
    return kept, blocks(dropped, shards)


def blocks(dropped: list[dict], shards: int) -> list[dict]:
    by_shard: dict[int, dict] = {}
    for r in dropped:
        block = by_shard.setdefault(shard_of(r["id"], shards), {BLOCK: True, "task": r["task"], "id": [], "split": [],
                                                                  "length_bucket": [], "index": []})
        block["id"].append(r["id"])
        block["split"].append(r["split"])
        block["length_bucket"].append(r["length_bucket"])
        block["index"].append(r["provenance"].get("index"))
    return [{**block, "shard": shard} for shard, block in sorted(by_shard.items())]


def is_block(item: dict) -> bool:
    return BLOCK in item


def block_size(item: dict) -> int:
    return len(item["id"])


def table(items: list[dict]) -> pa.Table:
    """The rejects/ rows of duplicate blocks (REJECT_SCHEMA, no record)."""
    ids = [i for b in items for i in b["id"]]
    columns = {
        "task": [b["task"] for b in items for _ in b["id"]],
        "split": [s for b in items for s in b["split"]],
        "length_bucket": [s for b in items for s in b["length_bucket"]],
        "index": [i for b in items for i in b["index"]],
        "stage": [STAGE] * len(ids),
        "reason": ["duplicate_id"] * len(ids),
        "detail": [f"duplicate of {i}" for i in ids],
        "id": ids,
        "record": [None] * len(ids),
    }
    return pa.Table.from_pydict(columns, schema=REJECT_SCHEMA)


def sorted_rejects(parts: list[pa.Table]) -> pa.Table:
    """Reject rows in the order of ``reasonry.tables.reject_sort_key`` (a missing text is "", a missing index
    -1), sorted by Arrow: a million rows never become Python objects."""
    import pyarrow.compute as pc

    merged = pa.concat_tables(parts)
    keys = {name: pc.fill_null(merged[name], "") for name in ("task", "split", "length_bucket")}
    index = pc.fill_null(merged["index"], 0)
    keys["index"] = pc.if_else(pc.equal(index, 0), -1, index)  # as ``r.get("index") or -1`` does
    keys.update({name: pc.fill_null(merged[name], "") for name in ("stage", "reason", "id", "detail")})
    order = pc.sort_indices(pa.table(keys), sort_keys=[(name, "ascending") for name in keys])
    return merged.take(order)
