"""Arrow schemas and deterministic Parquet writing.

Byte-identical output needs fixed schemas (never inferred from the data at hand), rows in a fixed order and
fixed writer settings; files are written to a temporary name and renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq

from reasonry.record import to_row

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
ROLLOUT = pa.struct([("text", pa.string()), ("answer", pa.string()), ("correct", pa.bool_()),
                     ("reason", pa.string())])

RECORD_SCHEMA = pa.schema([
    ("id", pa.string()), ("family", pa.string()), ("task", pa.string()), ("split", pa.string()),
    ("length_bucket", pa.string()), ("difficulty", pa.string()), ("prompt", pa.string()),
    ("answer", pa.string()), ("answer_type", pa.string()), ("trace", pa.string()), ("verifier", pa.string()),
    ("rollouts", pa.list_(ROLLOUT)), ("meta", pa.string()), ("provenance", pa.string()),
])

SFT_SCHEMA = pa.schema([("id", pa.string()), ("task", pa.string()), ("length_bucket", pa.string()),
                        ("messages", pa.list_(MESSAGE))])

RL_SCHEMA = pa.schema([
    ("data_source", pa.string()), ("prompt", pa.list_(MESSAGE)), ("ability", pa.string()),
    ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
    ("extra_info", pa.struct([("id", pa.string()), ("task", pa.string()), ("split", pa.string()),
                              ("index", pa.int64()), ("item_index", pa.int64()), ("length_bucket", pa.string()),
                              ("answer_type", pa.string()), ("verifier", pa.string())])),
])

PREFERENCE_SCHEMA = pa.schema([("id", pa.string()), ("task", pa.string()), ("prompt", pa.list_(MESSAGE)),
                               ("chosen", pa.list_(MESSAGE)), ("rejected", pa.list_(MESSAGE)),
                               ("branch_step", pa.int64()), ("chosen_answer", pa.string()),
                               ("rejected_answer", pa.string()),
                               ("q_chosen", pa.float64()), ("q_rejected", pa.float64())])

PREFERENCE_STEPS_SCHEMA = pa.schema([("id", pa.string()), ("task", pa.string()), ("prompt", pa.string()),
                                     ("chosen", pa.string()), ("rejected", pa.string()),
                                     ("q_chosen", pa.float64()), ("q_rejected", pa.float64())])

STEPWISE_SCHEMA = pa.schema([("id", pa.string()), ("task", pa.string()), ("prompt", pa.string()),
                             ("completions", pa.list_(pa.string())), ("labels", pa.list_(pa.bool_())),
                             ("q_values", pa.list_(pa.float64()))])

REJECT_SCHEMA = pa.schema([
    ("task", pa.string()), ("split", pa.string()), ("length_bucket", pa.string()), ("index", pa.int64()),
    ("stage", pa.string()), ("reason", pa.string()), ("detail", pa.string()), ("id", pa.string()),
    ("record", pa.string()),
])

EXPORT_SCHEMAS = {"sft": SFT_SCHEMA, "rl": RL_SCHEMA, "preference": PREFERENCE_SCHEMA,
                  "preference_steps": PREFERENCE_STEPS_SCHEMA, "stepwise": STEPWISE_SCHEMA}


def table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    """Rows as a table of a fixed schema. Column by column: twice as fast as ``Table.from_pylist`` here."""
    return pa.Table.from_arrays([pa.array([r.get(f.name) for r in rows], type=f.type) for f in schema],
                                schema=schema)


def records_table(records: list[dict]) -> pa.Table:
    return table([to_row(r) for r in records], RECORD_SCHEMA)


def rejects_table(rejects: list[dict]) -> pa.Table:
    import json

    rows = []
    for r in rejects:
        record = r.get("record")
        rows.append({**{k: r.get(k) for k in REJECT_SCHEMA.names if k != "record"},
                     "record": json.dumps(record, sort_keys=True, ensure_ascii=False) if record else None})
    return pa.Table.from_pylist(rows, schema=REJECT_SCHEMA)


def reject_sort_key(r: dict) -> tuple:
    return (r["task"], r.get("split") or "", r.get("length_bucket") or "", r.get("index") or -1,
            r.get("stage") or "", r["reason"], r.get("id") or "", r.get("detail") or "")


ROW_GROUP = 10_000
_SETTINGS = {"compression": "zstd", "compression_level": 3, "use_dictionary": True, "write_statistics": True,
             "data_page_size": 1 << 20}


def parquet_bytes(table: pa.Table) -> bytes:
    """The file's bytes, with fixed writer settings."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=ROW_GROUP, **_SETTINGS)
    return sink.getvalue().to_pybytes()


def write_parquet_groups(schema: pa.Schema, groups, path: str | os.PathLike) -> int:
    """Write a Parquet file from tables of ``ROW_GROUP`` rows each (the last may be shorter), one row group
    each, atomically, to a local path or an fsspec URL; returns the row count. The bytes are those of
    ``parquet_bytes`` over all the rows at once, while only one row group is held at a time."""
    from reasonry.storage import open_write

    rows = 0
    with open_write(path) as fh, pq.ParquetWriter(fh, schema, **_SETTINGS) as writer:
        for group in groups:
            if group.num_rows > ROW_GROUP:
                raise ValueError(f"a row group of {group.num_rows} rows (at most {ROW_GROUP})")
            writer.write_table(group, row_group_size=ROW_GROUP)
            rows += group.num_rows
    return rows


def write_parquet(table: pa.Table, path: str | os.PathLike) -> None:
    """Write a Parquet file atomically, to a local path or an fsspec URL."""
    from reasonry.storage import write_bytes

    write_bytes(path, parquet_bytes(table))


def shard_name(split: str, shard: int, shards: int) -> str:
    return f"{split}-{shard:05d}-of-{shards:05d}.parquet"
