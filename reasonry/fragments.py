"""Output fragments: one task's rows of one output shard, as ready Arrow tables.

An output file holds the rows of every task of a family that hash into its shard. Most of the cost of
writing it (dedup by id, the export views, turning dicts into Arrow columns) depends on one task alone: a
record's id includes its task, so copies of an id never cross tasks. Fragments are therefore built per
(task, output shard), kept in the build cache, and concatenated into the files; a rebuild after one task
changed rebuilds that task's fragments only, and never ships the other tasks' records through the pipeline.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from reasonry.exports import EXPORTS
from reasonry.filters.exact import dedup_by_id
from reasonry.hashing import canonical_json, content_hash, loads
from reasonry.record import SPLITS
from reasonry.tables import EXPORT_SCHEMAS, records_table, reject_sort_key, rejects_table, shard_name, table

FORMAT = "1"  # part of every fragment key: a change to the fragment layout or to an export invalidates them
RID = "__record_id"  # sort key of export rows; never written to the files
_IPC = pa.ipc.IpcWriteOptions(compression="lz4")


def family_of(task: str) -> str:
    return task.split("/", 1)[0]


def fragment_key(task: str, shard_keys: list[str], shards: int, exports: tuple[str, ...], stages: str) -> str:
    """What decides a task's fragments: its shards' cache keys, the output layout, the stages after it and the
    code that turns records into rows."""
    return content_hash([FORMAT, _code_hash(), task, sorted(shard_keys), shards, list(exports), stages])


@functools.cache
def _code_hash() -> str:
    """The source of the modules that make a fragment: editing an export view or a schema must not reuse
    fragments written by the old code (the shard cache has generator versions for the same purpose)."""
    import hashlib
    import sys
    from pathlib import Path

    import reasonry
    import reasonry.answers
    import reasonry.exports
    import reasonry.filters.exact
    import reasonry.record
    import reasonry.tables

    digest = hashlib.blake2b(reasonry.__version__.encode(), digest_size=16)
    modules = ("reasonry.answers", "reasonry.exports", "reasonry.filters.exact", "reasonry.record", "reasonry.tables")
    for name in (*modules, __name__):
        digest.update(Path(sys.modules[name].__file__).read_bytes())
    return digest.hexdigest()


def build_fragment(records: list[dict], rejects: list[dict], exports: tuple[str, ...], compact: bool = False) -> bytes:
    """One (task, output shard): dedup by id, the records table and every export view per split, the rejects.

    ``compact`` (a task asked for far more items than it has problems): duplicates are written without their
    record, and ``rejects`` may hold blocks of them made inside the shards (``reasonry.duplicates``).
    """
    kept, duplicates = dedup_by_id(records)
    tables: dict[str, pa.Table] = {}
    for split in SPLITS:
        rows = [r for r in kept if r["split"] == split]
        if not rows:
            continue
        tables[f"records/{split}"] = records_table(rows)
        for export in exports:
            view, rids = [], []
            for r in rows:
                for row in EXPORTS[export](r):
                    view.append(row)
                    rids.append(r["id"])
            if view:
                tables[f"{export}/{split}"] = table(view, EXPORT_SCHEMAS[export]).append_column(
                    RID, pa.array(rids, pa.string()))
    if compact:
        tables.update(_compact_rejects(rejects, duplicates))
        return dumps(tables)
    rejects = sorted([*rejects, *duplicates], key=reject_sort_key)
    if rejects:
        tables["rejects"] = rejects_table(rejects)
    return dumps(tables)


def _compact_rejects(rejects: list[dict], duplicates: list[dict]) -> dict[str, pa.Table]:
    from reasonry import duplicates as compact

    blocks = [r for r in rejects if compact.is_block(r)]
    plain = [r for r in rejects if not compact.is_block(r)]
    blocks += compact.blocks([d["record"] for d in duplicates], 1)
    parts = ([rejects_table(plain)] if plain else []) + ([compact.table(blocks)] if blocks else [])
    return {"rejects": compact.sorted_rejects(parts)} if parts else {}


def dumps(tables: dict[str, pa.Table]) -> bytes:
    """Named tables as one blob: a JSON header of (name, size), then one Arrow IPC stream per table."""
    streams = []
    for name, t in tables.items():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema, options=_IPC) as writer:
            writer.write_table(t)
        streams.append((name, sink.getvalue().to_pybytes()))
    header = canonical_json([[name, len(data)] for name, data in streams]).encode("utf-8")
    return b"".join([len(header).to_bytes(8, "big"), header, *(data for _, data in streams)])


def load(blob: bytes) -> dict[str, pa.Table]:
    size = int.from_bytes(blob[:8], "big")
    offset = 8 + size
    entries = loads(blob[8:offset])
    if offset + sum(length for _, length in entries) != len(blob):
        raise ValueError("fragment blob is truncated or has trailing bytes")
    tables = {}
    for name, length in entries:
        tables[name] = pa.ipc.open_stream(pa.py_buffer(blob[offset:offset + length])).read_all()
        offset += length
    return tables


def _merged(parts: list[dict[str, pa.Table]], name: str, sort_key: str | None) -> pa.Table | None:
    found = [p[name] for p in parts if name in p]
    if not found:
        return None
    merged = pa.concat_tables(found)
    if sort_key is not None:
        # stable: the rows of one record (preference pairs, stepwise rows) keep their order
        merged = merged.take(pc.sort_indices(merged, sort_keys=[(sort_key, "ascending")]))
        if sort_key == RID:
            merged = merged.drop_columns([RID])
    return merged.combine_chunks()


def merge_files(family: str, shard: int, shards: int, fragments: list[tuple[str, bytes]],
                exports: tuple[str, ...]) -> Iterator[tuple[str, pa.Table]]:
    """The files of one (family, output shard), as (relative path, table), from its tasks' fragments; one at
    a time, so that a file's table can be written and freed before the next is put together.

    Rows are sorted by record id, as one dedup over the whole group would give; rejects come task by task,
    each task's already in reject order, which is the order of one sort over the group.
    """
    parts = [load(blob) for _, blob in sorted(fragments, key=lambda f: f[0])]
    for split in SPLITS:
        name = shard_name(split, shard, shards)
        records = _merged(parts, f"records/{split}", "id")
        if records is None:
            continue
        yield f"records/{family}/{name}", records
        for export in exports:
            view = _merged(parts, f"{export}/{split}", RID)
            if view is not None:
                yield f"{export}/{family}/{name}", view
    rejects = _merged(parts, "rejects", None)
    if rejects is not None:
        yield f"rejects/{family}/part-{shard:05d}-of-{shards:05d}.parquet", rejects
