"""Beam transforms on the real FnApiRunner (in-process), checked with TestPipeline and assert_that."""

from __future__ import annotations

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from reasonry.config import load_config
from reasonry.pipelines.transforms import REJECTS, DedupAndWrite, Generate, Verify
from reasonry.plan import ShardSpec

PLUGINS = ["tests.plugins.flaky"]


def _config(**tasks):
    return load_config(data={"build": {"name": "t", "seed": 5, "plugins": PLUGINS}, "tasks": tasks})


def _pipeline():
    return test_pipeline.TestPipeline(runner=FnApiRunner(), options=beam.options.pipeline_options.PipelineOptions())


def test_generate_verifies_each_shard_and_dead_letters_every_failure():
    config = _config(**{"tail/flaky": {"train": {"all": 8}}})
    specs = [ShardSpec("tail/flaky", "train", None, 0, 4), ShardSpec("tail/flaky", "train", None, 4, 8)]
    with _pipeline() as p:
        out = p | beam.Create(specs) | Generate(config)
        kept = out.records | "Kept" >> beam.FlatMap(lambda rs: [r["provenance"]["index"] for r in rs])
        reasons = out[REJECTS] | beam.FlatMap(lambda rs: [(r["index"], r["reason"]) for r in rs])
        assert_that(kept, equal_to([0, 4]), label="kept")
        assert_that(reasons, equal_to([(1, "error"), (2, "no_instance"), (3, "verifier_error"),
                                       (5, "error"), (6, "no_instance"), (7, "verifier_error")]), label="rejects")


def test_verify_keeps_gold_and_dead_letters_a_raising_verifier():
    import importlib

    from reasonry.rng import item_rng
    from reasonry.task import ItemKey

    flaky = importlib.import_module(PLUGINS[0]).FlakyTask()
    records = [flaky.generate(None, ItemKey("tail/flaky", "train", None, i), item_rng(1, "tail/flaky", i))
               for i in (0, 3, 4)]
    records[2]["answer"] = "-1"  # a wrong gold answer
    with _pipeline() as p:
        verified = p | beam.Create([records]) | Verify(tuple(PLUGINS))
        kept = verified.records | beam.FlatMap(lambda rs: [r["provenance"]["index"] for r in rs])
        dead = verified[REJECTS] | beam.FlatMap(lambda rs: [(r["index"], r["reason"]) for r in rs])
        assert_that(kept, equal_to([0]), label="kept")
        assert_that(dead, equal_to([(3, "verifier_error"), (4, "gold_answer_rejected")]), label="dead")


def test_dedup_and_write_keeps_one_copy_per_id(tmp_path):
    from reasonry.registry import get_task
    from reasonry.rng import item_rng
    from reasonry.task import ItemKey

    task = get_task("tail/addition")
    cfg = task.default_config()
    test_copy = task.generate(cfg, ItemKey("tail/addition", "test", "S", 0),
                              item_rng(1, "tail/addition", 0, "test", "S"))
    train_copy = dict(test_copy, split="train", provenance={**test_copy["provenance"], "index": 9})
    other = task.generate(cfg, ItemKey("tail/addition", "train", "S", 1),
                          item_rng(1, "tail/addition", 1, "train", "S"))
    with _pipeline() as p:
        records = p | "R" >> beam.Create([[train_copy, other], [test_copy]])
        rejects = p | "J" >> beam.Create([])
        written = (records, rejects) | DedupAndWrite(str(tmp_path), 1, ("sft",))
        assert_that(written | beam.Map(lambda w: sum(v for k, v in w.items() if k.startswith("records/"))),
                    equal_to([2]))
    test_rows = pq.read_table(tmp_path / "records/tail/test-00000-of-00001.parquet").to_pylist()
    train_rows = pq.read_table(tmp_path / "records/tail/train-00000-of-00001.parquet").to_pylist()
    assert [r["id"] for r in test_rows] == [test_copy["id"]]
    assert [r["id"] for r in train_rows] == [other["id"]], "a problem in test must not stay in train"
    dropped = pq.read_table(tmp_path / "rejects/tail/part-00000-of-00001.parquet").to_pylist()
    assert [(d["reason"], d["id"], d["split"]) for d in dropped] == [("duplicate_id", test_copy["id"], "train")]


@pytest.mark.parametrize("shards", [1, 3])
def test_output_sharding_is_by_id_hash(tmp_path, shards):
    from reasonry.hashing import shard_of

    config = load_config(data={"build": {"seed": 2, "output_shards": shards},
                               "tasks": {"tail/addition": {"train": {"S": 12}}}})
    with _pipeline() as p:
        out = p | beam.Create([ShardSpec("tail/addition", "train", "S", 0, 12)]) | Generate(config)
        (out.records, out[REJECTS]) | DedupAndWrite(str(tmp_path), shards, ("rl",))
    total = 0
    for path in sorted((tmp_path / "records/tail").glob("*.parquet")):
        shard = int(path.name.split("-")[1])
        ids = [r["id"] for r in pq.read_table(path).to_pylist()]
        assert ids == sorted(ids)
        assert all(shard_of(i, shards) == shard for i in ids)
        total += len(ids)
    assert total == 12


def test_rows_cross_the_shuffle_as_checked_references_to_run_files(tmp_path):
    """A batch becomes one run file and ((task, output shard), reference) pairs; every copy of an id meets under
    one key, the references give back exactly the rows, and a run file changed under a reference fails loudly
    instead of feeding other rows into the output."""
    from reasonry.errors import BuildFailed
    from reasonry.hashing import shard_of
    from reasonry.pipelines.transforms import _REF, SpillPartsFn, _read_part

    rows = [{"id": f"id{i % 5}", "task": f"tail/t{i % 2}", "n": i} for i in range(20)]
    refs = list(SpillPartsFn(str(tmp_path), 3).process(rows))
    runs = list((tmp_path / ".runs/parts").rglob("*"))
    assert len([p for p in runs if p.is_file()]) == 1
    back = {key: _read_part(str(tmp_path), ref) for key, ref in refs}
    assert len(back) == len(refs) and sorted(r["n"] for part in back.values() for r in part) == list(range(20))
    for (task, shard), part in back.items():
        assert all(r["task"] == task and shard_of(r["id"], 3) == shard for r in part)
    again = list(SpillPartsFn(str(tmp_path), 3).process(rows))  # a retried bundle: same file, same references
    assert again == refs
    assert all(len(ref) == 33 for _key, ref in refs)  # what crosses the shuffle: a fixed-size reference
    (path,) = [p for p in runs if p.is_file()]
    data = bytearray(path.read_bytes())
    data[_REF.unpack(refs[-1][1])[2]] ^= 0xFF  # the first byte of the last part
    path.write_bytes(bytes(data))
    with pytest.raises(BuildFailed, match="CRC mismatch"):
        _read_part(str(tmp_path), refs[-1][1])
