"""Output fragments: per-task parts of the output files, and when a rebuild may take them from the cache."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from reasonry.config import load_config
from reasonry.fragments import RID, Fragment, build_fragment, dumps, load, merge_files
from reasonry.pipelines.build import _stages_key, run_build
from reasonry.pipelines.outputs import write_group
from reasonry.plan import plan_shards
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.tables import ROW_GROUP, parquet_bytes, write_parquet_groups
from reasonry.task import ItemKey

EXPORTS = ("sft", "rl", "preference", "stepwise")


def _records(task: str, n: int, split: str = "train") -> list[dict]:
    bucket = "S" if task.startswith("tail/") else None
    config = load_config(data={"tasks": {task: {"train": {bucket or "all": 1}}}}).task_options(task)
    out = []
    for i in range(n):
        key = ItemKey(task, split, bucket, i)
        record = get_task(task).generate(config, key, item_rng(3, task, i, split, bucket))
        if record is not None:
            record["provenance"] = {**record["provenance"], "index": i}
            out.append(record)
    return out


def test_merged_files_are_sorted_by_id_and_keep_each_records_rows_together(tmp_path):
    """Two tasks' fragments give the files one write over all their records gives: rows sorted by record id,
    the preference pairs of one record in their own order."""
    a, b = _records("mcts/countdown/astro", 6), _records("mcts/addition/astro", 6)
    assert a and b
    written = write_group(str(tmp_path), "mcts", 0, 1, a + b, [], EXPORTS)
    ids = [r["id"] for r in pq.read_table(tmp_path / "records/mcts/train-00000-of-00001.parquet").to_pylist()]
    assert ids == sorted(r["id"] for r in a + b)
    sft = pq.read_table(tmp_path / "sft/mcts/train-00000-of-00001.parquet")
    assert sft.column_names == ["id", "task", "length_bucket", "messages"]  # the sort key is not written
    assert sft.column("id").to_pylist() == ids
    pairs = pq.read_table(tmp_path / "preference/mcts/train-00000-of-00001.parquet").column("id").to_pylist()
    expected = [f"{i}-{k}" for i in ids for k in range(len(next(r for r in a + b if r["id"] == i)["meta"]
                                                           .get("preferences") or []))]
    assert pairs == expected and len(pairs) > len(ids)
    assert written["records/mcts/train-00000-of-00001.parquet"] == len(ids)


def test_fragment_order_does_not_matter_and_blobs_round_trip():
    a, b = _records("tail/addition", 5), _records("tail/division", 5)
    fa, fb = build_fragment(a, [], EXPORTS), build_fragment(b, [], EXPORTS)
    one = _tables(merge_files("tail", 0, 1, [("tail/addition", fa), ("tail/division", fb)], EXPORTS))
    other = _tables(merge_files("tail", 0, 1, [("tail/division", fb), ("tail/addition", fa)], EXPORTS))
    assert one.keys() == other.keys() and all(one[k].equals(other[k]) for k in one)
    tables = load(fa)
    assert dumps(tables) == fa
    with pytest.raises(ValueError, match="truncated"):
        load(fa[:-1])


def _tables(files) -> dict[str, pa.Table]:
    return {rel: pa.concat_tables(list(groups)) for rel, _schema, groups in files}


def _one_sort(blobs: list[tuple[str, bytes]], name: str, key: str) -> pa.Table:
    """What the files held before they were merged a row group at a time: every fragment's table
    concatenated in task order, one stable sort by ``key``."""
    merged = pa.concat_tables([load(b)[name] for _, b in sorted(blobs) if name in load(b)])
    merged = merged.take(pc.sort_indices(merged, sort_keys=[(key, "ascending")]))
    return (merged.drop_columns([RID]) if key == RID else merged).combine_chunks()


def test_the_k_way_merge_is_one_stable_sort_whatever_the_row_groups_and_batches(tmp_path, monkeypatch):
    """Fragments read from files a batch at a time (batches of 3 rows here) and merged into tables of 4
    rows give the rows one sort over all of them gives, preference pairs of one record kept in order."""
    import reasonry.fragments as fragments

    monkeypatch.setattr(fragments, "BATCH", 3)
    blobs = [(t, build_fragment(_records(t, 7), [], EXPORTS)) for t in ("mcts/countdown/astro", "mcts/addition/astro")]
    opened = []
    for i, (task, blob) in enumerate(blobs):
        path = tmp_path / f"f{i}"
        path.write_bytes(b"some header line\n" + blob)
        opened.append((task, Fragment(path=str(path), start=17, size=len(blob))))
    seen = set()
    for rel, schema, groups in merge_files("mcts", 0, 1, opened, EXPORTS, rows=4):
        groups = list(groups)
        assert all(g.num_rows == 4 for g in groups[:-1]) and 0 < groups[-1].num_rows <= 4
        assert all(g.schema == schema for g in groups)
        kind, split = rel.split("/")[0], rel.rsplit("/", 1)[1].split("-")[0]
        name, key = (f"{kind}/{split}", "id" if kind == "records" else RID) if kind != "rejects" else (kind, None)
        assert pa.concat_tables(groups).equals(_one_sort(blobs, name, key)), rel
        seen.add(kind)
    assert {"records", "sft", "preference"} <= seen


def test_a_file_written_a_row_group_at_a_time_has_the_bytes_of_one_write(tmp_path):
    """Byte-identical output: 2.5 row groups of rows given one group at a time == the whole table at once."""
    n = ROW_GROUP * 5 // 2
    whole = pa.table({"id": [f"{i:08x}" for i in range(n)], "n": list(range(n)),
                      "text": [f"row {i % 977} " * (i % 7) for i in range(n)]})
    groups = [whole.slice(i, ROW_GROUP).combine_chunks() for i in range(0, n, ROW_GROUP)]
    assert write_parquet_groups(whole.schema, iter(groups), str(tmp_path / "x.parquet")) == n
    assert (tmp_path / "x.parquet").read_bytes() == parquet_bytes(whole)
    assert [p.name for p in tmp_path.iterdir()] == ["x.parquet"]  # no temporary file left behind


def test_a_duplicate_in_one_task_is_rejected_in_its_fragment():
    (record,) = _records("tail/addition", 1)
    copy = {**record, "split": "test"}
    tables = load(build_fragment([record, copy], [], ("sft",)))
    assert tables["records/test"].column("id").to_pylist() == [record["id"]]
    assert "records/train" not in tables
    assert tables["rejects"].column("reason").to_pylist() == ["duplicate_id"]


def test_stages_key_follows_benchmark_contents_and_model_stages_turn_reuse_off(tmp_path):
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"question": "what is two plus two"}) + "\n")
    data = {"tasks": {"tail/addition": {"train": {"S": 2}}},
            "stages": {"decontaminate": {"benchmarks": [str(bench)]}}}
    before = _stages_key(load_config(data=data))
    bench.write_text(json.dumps({"question": "what is three plus three"}) + "\n")
    after = _stages_key(load_config(data=data))
    assert before and after and before != after
    assert _stages_key(load_config(data={"tasks": data["tasks"]})) not in (None, before, after)
    sampled = {**data, "stages": {"sampling": {"client": {"url": "http://127.0.0.1:9/v1", "model": "m"}}}}
    assert _stages_key(load_config(data=sampled)) is None


def test_a_changed_benchmark_rebuilds_an_unchanged_task(tmp_path):
    """A reused task's output must still be decontaminated against today's benchmarks."""
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"question": "nothing of this build"}) + "\n")
    data = {"build": {"name": "dc", "seed": 2, "output_shards": 1},
            "tasks": {"tail/addition": {"train": {"S": 6}}},
            "stages": {"decontaminate": {"benchmarks": [str(bench)], "ngram_sizes": [8]}}}
    out = tmp_path / "out"
    first = run_build(load_config(data=data), out)
    assert first.manifest["tasks"]["tail/addition"]["kept"] == 6
    rows = pq.read_table(out / "records/tail/train-00000-of-00001.parquet").to_pylist()
    bench.write_text(json.dumps({"question": rows[0]["prompt"]}) + "\n")
    again = run_build(load_config(data=data), out)
    assert again.manifest["run"]["shards_reused"] == len(plan_shards(load_config(data=data)))  # shard cache
    assert again.manifest["run"]["beam_counters"]["items_planned"] == 6  # but the task went through the stages
    assert again.manifest["tasks"]["tail/addition"]["kept"] == 5
    assert again.manifest["tasks"]["tail/addition"]["dropped"] == {"contaminated": 1}


def test_editing_the_row_making_code_invalidates_fragments(tmp_path, monkeypatch):
    """The fragment key covers the source of the export, schema and dedup modules, not only the version."""
    import reasonry.exports
    import reasonry.fragments as fragments

    before = fragments.fragment_key("tail/addition", ["k"], 2, ("sft",), "s")
    edited = tmp_path / "exports.py"
    edited.write_bytes(open(reasonry.exports.__file__, "rb").read() + b"\n# edited\n")
    monkeypatch.setattr(reasonry.exports, "__file__", str(edited))
    fragments._code_hash.cache_clear()
    try:
        after = fragments.fragment_key("tail/addition", ["k"], 2, ("sft",), "s")
    finally:
        monkeypatch.undo()
        fragments._code_hash.cache_clear()
    assert before != after
    assert fragments.fragment_key("tail/addition", ["k"], 2, ("sft",), "s") == before
