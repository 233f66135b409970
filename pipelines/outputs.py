"""Write one output group (a family and an id-hash shard): records, export views and rejects."""

from __future__ import annotations

from reasonry.exports import EXPORTS
from reasonry.filters.exact import dedup_by_id
from reasonry.record import SPLITS
from reasonry.storage import join
from reasonry.tables import (
    EXPORT_SCHEMAS,
    records_table,
    reject_sort_key,
    rejects_table,
    shard_name,
    table,
    write_parquet,
)


def write_group(root: str, family: str, shard: int, shards: int, records: list[dict],
                rejects: list[dict], exports: tuple[str, ...]) -> dict:
    """Dedup by id, then write every file of this group. Returns per-file row counts."""
    root = str(root)
    kept, dup_rejects = dedup_by_id(records)
    rejects = sorted([*rejects, *dup_rejects], key=reject_sort_key)
    written: dict[str, int] = {}
    for split in SPLITS:
        rows = [r for r in kept if r["split"] == split]
        if not rows:
            continue
        name = shard_name(split, shard, shards)
        rel = f"records/{family}/{name}"
        write_parquet(records_table(rows), join(root, rel))
        written[rel] = len(rows)
        for export in exports:
            view = [row for r in rows for row in EXPORTS[export](r)]
            if not view:
                continue
            rel = f"{export}/{family}/{name}"
            write_parquet(table(view, EXPORT_SCHEMAS[export]), join(root, rel))
            written[rel] = len(view)
    if rejects:
        rel = f"rejects/{family}/part-{shard:05d}-of-{shards:05d}.parquet"
        write_parquet(rejects_table(rejects), join(root, rel))
        written[rel] = len(rejects)
    return written
