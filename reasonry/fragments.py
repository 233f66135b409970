"""Output fragments: one task's rows of one output shard, as ready Arrow tables.

An output file holds the rows of every task of a family that hash into its shard. Most of the cost of
writing it (dedup by id, the export views, turning dicts into Arrow columns) depends on one task alone: a
record's id includes its task, so copies of an id never cross tasks. Fragments are therefore built per
(task, output shard), kept in the build cache, and concatenated into the files; a rebuild after one task
changed rebuilds that task's fragments only, and never ships the other tasks' records through the pipeline.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterator, Sequence

import pyarrow as pa

from reasonry.duplicates import dedup_by_id
from reasonry.exports import EXPORTS
from reasonry.hashing import canonical_json, content_hash, loads
from reasonry.record import SPLITS
from reasonry.tables import (
    EXPORT_SCHEMAS,
    ROW_GROUP,
    records_table,
    reject_sort_key,
    rejects_table,
    shard_name,
    table,
)

FORMAT = "2"  # part of every fragment key: a change to the fragment layout or to an export invalidates them
BATCH = 1024  # rows per record batch in a fragment (2: tables in batches; 1 had one batch per table)

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
    import reasonry.duplicates
    import reasonry.exports
    import reasonry.record
    import reasonry.tables

    digest = hashlib.blake2b(reasonry.__version__.encode(), digest_size=16)
    modules = ("reasonry.answers", "reasonry.duplicates", "reasonry.exports", "reasonry.record", "reasonry.tables")
    for name in (*modules, __name__):
        source = sys.modules[name].__file__
        assert source is not None, name  # modules loaded from files
        digest.update(Path(source).read_bytes())
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
    """Named tables as one blob: a JSON header of (name, size), then one Arrow IPC stream per table, in record
    batches of at most ``BATCH`` rows so that a reader holds one batch of each part at a time."""
    streams = []
    for name, t in tables.items():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema, options=_IPC) as writer:
            writer.write_table(t, max_chunksize=BATCH)
        streams.append((name, sink.getvalue().to_pybytes()))
    header = canonical_json([[name, len(data)] for name, data in streams]).encode("utf-8")
    return b"".join([len(header).to_bytes(8, "big"), header, *(data for _, data in streams)])


def _entries(head: bytes, size: int) -> list[tuple[str, int, int]]:
    """(name, offset, length) of each table of a blob of ``size`` bytes that starts with ``head``."""
    length = int.from_bytes(head[:8], "big")
    offset = 8 + length
    entries = []
    for name, n in loads(head[8:offset]):
        entries.append((name, offset, n))
        offset += n
    if offset != size:
        raise ValueError("fragment blob is truncated or has trailing bytes")
    return entries


def load(blob: bytes) -> dict[str, pa.Table]:
    return {name: pa.ipc.open_stream(pa.py_buffer(blob[offset:offset + n])).read_all()
            for name, offset, n in _entries(blob, len(blob))}


class Fragment:
    """The tables of one fragment, read a record batch at a time: from a blob in memory, or from a file (a
    local path or an fsspec URL) whose fragment starts at ``start``, so that putting a file together from many
    fragments never holds more than a batch of each."""

    def __init__(self, blob: bytes | None = None, path: str | None = None, start: int = 0, size: int = 0):
        if blob is None and path is None:
            raise ValueError("a fragment is read from a blob or from a file")
        self.blob, self.path, self.start = blob, path or "", start
        if blob is not None:
            self.entries = {name: (offset, n) for name, offset, n in _entries(blob, len(blob))}
        else:
            from reasonry.storage import read_range

            head = read_range(self.path, start, 8)
            head += read_range(self.path, start + 8, int.from_bytes(head, "big"))
            self.entries = {name: (offset, n) for name, offset, n in _entries(head, size)}

    @property
    def names(self) -> list[str]:
        return list(self.entries)

    def schema(self, name: str) -> pa.Schema:
        offset, n = self.entries[name]
        if self.blob is not None:
            return pa.ipc.open_stream(pa.py_buffer(self.blob[offset:offset + n])).schema
        from reasonry.storage import open_read

        with open_read(self.path) as fh:
            fh.seek(self.start + offset)
            return pa.ipc.open_stream(fh).schema

    def batches(self, name: str) -> Iterator[pa.RecordBatch]:
        offset, n = self.entries[name]
        if self.blob is not None:
            yield from pa.ipc.open_stream(pa.py_buffer(self.blob[offset:offset + n]))
            return
        from reasonry.storage import open_read

        with open_read(self.path) as fh:
            fh.seek(self.start + offset)
            yield from pa.ipc.open_stream(fh)


class _Cursor:
    """One sorted part being merged: its current batch, the position in it, and the slices taken so far."""

    def __init__(self, batches: Iterator[pa.RecordBatch], key: str):
        self.batches, self.key = batches, key
        self.taken: list[pa.RecordBatch] = []
        self.batch: pa.RecordBatch | None = None
        self.keys: list = []
        self.pos, self.start = 0, 0
        self._next_batch()

    def _next_batch(self) -> None:
        for batch in self.batches:
            if batch.num_rows:
                self.batch, self.keys, self.pos, self.start = batch, batch.column(self.key).to_pylist(), 0, 0
                return
        self.batch, self.keys = None, []

    def advance(self) -> None:
        self.pos += 1
        if self.pos == len(self.keys) and self.batch is not None:
            self.taken.append(self.batch.slice(self.start))
            self._next_batch()

    def flush(self) -> list[pa.RecordBatch]:
        if self.batch is not None and self.pos > self.start:
            self.taken.append(self.batch.slice(self.start, self.pos - self.start))
            self.start = self.pos
        taken, self.taken = self.taken, []
        return taken


def _merge(parts: list[Iterator[pa.RecordBatch]], key: str, schema: pa.Schema,
           rows: int) -> Iterator[pa.Table]:
    """Parts each sorted by ``key`` -> tables of ``rows`` rows (the last fewer) in the order of one stable
    sort of the parts concatenated in the given order. Each part is read in order, so an output table takes a
    run of consecutive rows from each; only the keys go through Python."""
    cursors = [_Cursor(p, key) for p in parts]
    heap = [(c.keys[0], i) for i, c in enumerate(cursors) if c.batch is not None]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        _, i = heap[0]
        cursor = cursors[i]
        order.append(i)
        cursor.advance()
        if cursor.batch is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (cursor.keys[cursor.pos], i))
        if len(order) == rows:
            yield _gather(cursors, order, schema)
            order = []
    if order:
        yield _gather(cursors, order, schema)


def _gather(cursors: list[_Cursor], order: list[int], schema: pa.Schema) -> pa.Table:
    starts, pieces, total = [], [], 0
    for cursor in cursors:
        starts.append(total)
        for piece in cursor.flush():
            pieces.append(piece)
            total += piece.num_rows
    seen = [0] * len(cursors)
    take = []
    for i in order:
        take.append(starts[i] + seen[i])
        seen[i] += 1
    source = pa.Table.from_batches(pieces, schema=schema)
    return source.take(pa.array(take, pa.int64())).combine_chunks()


def _rechunk(parts: list[Iterator[pa.RecordBatch]], schema: pa.Schema, rows: int) -> Iterator[pa.Table]:
    """The parts one after the other, as tables of ``rows`` rows (the last fewer)."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for part in parts:
        for batch in part:
            while batch.num_rows:
                n = min(rows - held, batch.num_rows)
                pending.append(batch.slice(0, n))
                held += n
                batch = batch.slice(n)
                if held == rows:
                    yield pa.Table.from_batches(pending, schema=schema).combine_chunks()
                    pending, held = [], 0
    if held:
        yield pa.Table.from_batches(pending, schema=schema).combine_chunks()


def _fragment(f: Fragment | bytes) -> Fragment:
    return f if isinstance(f, Fragment) else Fragment(blob=f)


def merge_files(family: str, shard: int, shards: int, fragments: Sequence[tuple[str, Fragment | bytes]],
                exports: tuple[str, ...], rows: int = ROW_GROUP) -> Iterator[tuple[str, pa.Schema,
                                                                                 Iterator[pa.Table]]]:
    """The files of one (family, output shard), as (relative path, schema, its rows in tables of ``rows``
    rows), from its tasks' fragments; each file's rows are produced while it is written, so memory holds a
    batch of each fragment and one table of output rows, whatever the size of the file.

    Rows are sorted by record id, as one dedup over the whole group would give (a k-way merge of the
    fragments, each sorted already); rejects come task by task, each task's already in reject order, which is
    the order of one sort over the group.
    """
    parts = [_fragment(f) for _, f in sorted(fragments, key=lambda f: f[0])]
    for split in SPLITS:
        name = shard_name(split, shard, shards)
        table_name = f"records/{split}"
        if any(table_name in p.entries for p in parts):
            yield f"records/{family}/{name}", *_merged(parts, table_name, "id", rows)
            for export in exports:
                if any(f"{export}/{split}" in p.entries for p in parts):
                    yield f"{export}/{family}/{name}", *_merged(parts, f"{export}/{split}", RID, rows)
    if any("rejects" in p.entries for p in parts):
        yield f"rejects/{family}/part-{shard:05d}-of-{shards:05d}.parquet", *_merged(parts, "rejects", None, rows)


def _merged(parts: list[Fragment], name: str, sort_key: str | None,
            rows: int = ROW_GROUP) -> tuple[pa.Schema, Iterator[pa.Table]]:
    found = [p for p in parts if name in p.entries]
    schema = found[0].schema(name)
    streams = [p.batches(name) for p in found]
    if sort_key is None:
        return schema, _rechunk(streams, schema, rows)
    tables = _merge(streams, sort_key, schema, rows)
    if sort_key != RID:
        return schema, tables
    return schema.remove(schema.get_field_index(RID)), (t.drop_columns([RID]) for t in tables)


