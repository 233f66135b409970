"""Write one output group (a family and an id-hash shard): records, export views and rejects."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from reasonry.exports import EXPORTS
from reasonry.filters.exact import dedup_by_id
from reasonry.record import SPLITS
from reasonry.tables import (
    EXPORT_SCHEMAS,
    records_table,
    reject_sort_key,
    rejects_table,
    shard_name,
    write_parquet,
)


def write_group(root: str | Path, family: str, shard: int, shards: int, records: list[dict],
                rejects: list[dict], exports: tuple[str, ...]) -> dict:
    """Dedup by id, then write every file of this group. Returns per-file row counts."""
    root = Path(root)
    kept, dup_rejects = dedup_by_id(records)
    rejects = sorted([*rejects, *dup_rejects], key=reject_sort_key)
    written: dict[str, int] = {}
    for split in SPLITS:
        rows = [r for r in kept if r["split"] == split]
        if not rows:
            continue
        name = shard_name(split, shard, shards)
        path = root / "records" / family / name
        write_parquet(records_table(rows), path)
        written[str(path.relative_to(root))] = len(rows)
        for export in exports:
            view = [row for r in rows for row in EXPORTS[export](r)]
            if not view:
                continue
            path = root / export / family / name
            write_parquet(pa.Table.from_pylist(view, schema=EXPORT_SCHEMAS[export]), path)
            written[str(path.relative_to(root))] = len(view)
    if rejects:
        path = root / "rejects" / family / f"part-{shard:05d}-of-{shards:05d}.parquet"
        write_parquet(rejects_table(rejects), path)
        written[str(path.relative_to(root))] = len(rejects)
    return written
