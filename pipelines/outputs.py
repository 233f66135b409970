"""Write one output group (a family and an id-hash shard) from its tasks' fragments."""

from __future__ import annotations

from collections.abc import Sequence

from reasonry.fragments import Fragment, build_fragment, merge_files
from reasonry.storage import join
from reasonry.tables import write_parquet_groups


def write_fragments(root: str, family: str, shard: int, shards: int,
                    fragments: Sequence[tuple[str, Fragment | bytes]], exports: tuple[str, ...]) -> dict[str, int]:
    """Write every file of this group from (task, fragment) pairs, one row group at a time. Returns per-file
    row counts."""
    written: dict[str, int] = {}
    for rel, schema, groups in merge_files(family, shard, shards, fragments, exports):
        written[rel] = write_parquet_groups(schema, groups, join(str(root), rel))
    return written


def write_group(root: str, family: str, shard: int, shards: int, records: list[dict],
                rejects: list[dict], exports: tuple[str, ...]) -> dict[str, int]:
    """The same files from plain records and rejects (every copy of an id among them): fragments built here."""
    by_task: dict[str, tuple[list[dict], list[dict]]] = {}
    for r in records:
        by_task.setdefault(r["task"], ([], []))[0].append(r)
    for r in rejects:
        by_task.setdefault(r["task"], ([], []))[1].append(r)
    fragments = [(task, build_fragment(recs, rejs, exports)) for task, (recs, rejs) in by_task.items()]
    return write_fragments(root, family, shard, shards, fragments, exports)
