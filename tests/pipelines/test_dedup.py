"""Exact and MinHash dedup and n-gram decontamination: plain functions and their Beam transforms."""

from __future__ import annotations

import json

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from reasonry.errors import ConfigError
from reasonry.filters.decontaminate import DecontaminateConfig, Decontaminator
from reasonry.filters.dedup import (
    DedupConfig,
    MinHashConfig,
    dedup,
    exact_dedup,
    minhash_dedup,
    normalise_text,
)
from reasonry.pipelines.dedup import Dedup
from tests.near_dup_corpus import make_corpus, score


def _records(docs):
    return [{"id": d["id"], "task": "webqa/qa", "prompt": d["text"], "meta": {}} for d in docs]


def test_normalise_ignores_case_punctuation_accents():
    assert normalise_text("Café,  WORLD!\nok?") == normalise_text("cafe world ok")


def test_exact_dedup_keeps_smallest_id_and_names_it():
    recs = [{"id": "b", "task": "t/x", "prompt": "What is 2 + 2?", "meta": {}},
            {"id": "a", "task": "t/x", "prompt": "what is 2+2", "meta": {}},
            {"id": "c", "task": "t/x", "prompt": "What is 3 + 3?", "meta": {}}]
    kept, rejects = exact_dedup(recs)
    assert [r["id"] for r in kept] == ["a", "c"]
    assert rejects[0]["id"] == "b" and rejects[0]["reason"] == "exact_duplicate"
    assert rejects[0]["record"]["meta"]["duplicate_of"] == "a" and "a" in rejects[0]["detail"]


def test_minhash_finds_planted_pairs_without_false_positives():
    docs = make_corpus(300, seed=3)
    config = MinHashConfig(threshold=0.8, ngram=5)
    kept, rejects = minhash_dedup(_records(docs), config)
    removed = {r["id"]: r["record"]["meta"]["duplicate_of"] for r in rejects}
    quality = score(docs, removed, 5, min_jaccard=0.85)
    assert quality["strong_pairs"] >= 30
    assert quality["recall"] >= 0.95 and quality["precision"] == 1.0
    assert len(kept) + len(rejects) == len(docs)
    for rid, keeper in removed.items():
        assert keeper < rid  # the smallest id of a cluster is the one kept


def test_minhash_result_independent_of_order():
    docs = make_corpus(100, words=40, seed=5)
    a = minhash_dedup(_records(docs))
    b = minhash_dedup(_records(list(reversed(docs))))
    assert a == b


def test_config_errors_name_field():
    with pytest.raises(ConfigError, match="bands"):
        MinHashConfig(num_perm=100, bands=14)
    with pytest.raises(ConfigError, match="ngram_sizes"):
        DecontaminateConfig(ngram_sizes=(0,))


BENCH = ["Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many "
         "clips did Natalia sell altogether in April and May?",
         "Compute the sum of all positive divisors of 36."]


@pytest.fixture
def bench_files(tmp_path):
    jsonl = tmp_path / "bench.jsonl"
    jsonl.write_text(json.dumps({"problem": BENCH[0]}) + "\n")
    parquet = tmp_path / "bench.parquet"
    pq.write_table(pa.table({"question": [BENCH[1]]}), parquet)
    return str(jsonl), str(parquet)


def test_decontaminate_13_and_8_grams(bench_files):
    recs = [
        {"id": "1", "task": "t/x", "prompt": "Homework: " + BENCH[0].upper(), "meta": {}},
        # 9 consecutive words in common with the benchmark: below 13, above 8
        {"id": "2", "task": "t/x", "prompt": "Yesterday she sold half as many clips in May. How many did she keep?",
         "meta": {}},
        {"id": "3", "task": "t/x", "prompt": "Please compute the sum of all positive divisors of 36 for me.",
         "meta": {}},
        {"id": "4", "task": "t/x", "prompt": "What is the capital of France?", "meta": {}},
    ]
    kept13, rej13 = Decontaminator(DecontaminateConfig(benchmarks=bench_files)).filter(recs)
    assert [r["id"] for r in rej13] == ["1", "3"]  # "3": a benchmark question shorter than 13 words, whole
    assert "13-gram overlap with" in rej13[0]["detail"] and "bench.jsonl#0" in rej13[0]["detail"]
    kept8, rej8 = Decontaminator(DecontaminateConfig(benchmarks=bench_files, ngram_sizes=(13, 8))).filter(recs)
    assert [r["id"] for r in rej8] == ["1", "2", "3"] and [r["id"] for r in kept8] == ["4"]


def test_decontaminate_bad_benchmark_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok"}\nnot json\n')
    with pytest.raises(ConfigError, match="line 2"):
        Decontaminator(DecontaminateConfig(benchmarks=(str(bad),)))
    with pytest.raises(ConfigError, match="no such benchmark file"):
        Decontaminator(DecontaminateConfig(benchmarks=(str(tmp_path / "missing.parquet"),)))


def _pipeline():
    return test_pipeline.TestPipeline(runner=FnApiRunner(), options=beam.options.pipeline_options.PipelineOptions())


def _kept_and_rejected(out):
    kept = out["records"] | "K" >> beam.FlatMap(lambda b: [r["id"] for r in b])
    rejected = out["rejects"] | "R" >> beam.FlatMap(
        lambda b: [(r["reason"], r["id"], r["record"]["meta"]["duplicate_of"], r["detail"]) for r in b])
    return kept, rejected


def _rejected(rejects):
    return [(r["reason"], r["id"], r["record"]["meta"]["duplicate_of"], r["detail"]) for r in rejects]


def _mixed_records():
    """Planted near duplicates, a bucket of identical texts and exact copies that differ in case and
    punctuation only: both passes have work to do."""
    docs = make_corpus(90, words=50, seed=11)
    records = _records(docs)
    records += [{"id": f"zz-exact-{i}", "task": "webqa/qa", "prompt": records[i]["prompt"].upper() + " !!",
                 "meta": {}} for i in range(0, 30, 3)]
    records += [{"id": f"aa-same-{i}", "task": "webqa/qa", "prompt": records[5]["prompt"], "meta": {}}
                for i in range(4)]
    return records


@pytest.mark.parametrize("batch", [7, 1000])
def test_beam_dedup_matches_plain_function_whatever_the_batching(tmp_path, batch):
    """The spilled Beam stage keeps and rejects exactly what ``dedup`` over all records at once does, with the
    same keepers and details, for batches of 7 and for one batch."""
    records = _mixed_records()
    config = DedupConfig(minhash=MinHashConfig(ngram=5))
    kept, rejects = dedup(records, config)
    reasons = {r["reason"] for r in rejects}
    assert reasons == {"exact_duplicate", "near_duplicate"}  # not vacuous: both passes remove something
    batches = [records[i:i + batch] for i in range(0, len(records), batch)]
    with _pipeline() as p:
        out = p | beam.Create(batches) | Dedup(config, str(tmp_path / "scratch"))
        kept_ids, rejected = _kept_and_rejected(out)
        assert_that(kept_ids, equal_to([r["id"] for r in kept]), label="kept")
        assert_that(rejected, equal_to(_rejected(rejects)), label="rejects")


@pytest.mark.parametrize("exact,near", [(True, False), (False, True)])
def test_beam_dedup_one_pass_only(tmp_path, exact, near):
    records = _mixed_records()
    config = DedupConfig(exact=exact, near=near, minhash=MinHashConfig(ngram=5))
    kept, rejects = dedup(records, config)
    assert rejects
    with _pipeline() as p:
        out = p | beam.Create([records[:50], records[50:]]) | Dedup(config, str(tmp_path / "scratch"))
        kept_ids, rejected = _kept_and_rejected(out)
        assert_that(kept_ids, equal_to([r["id"] for r in kept]), label="kept")
        assert_that(rejected, equal_to(_rejected(rejects)), label="rejects")


def test_removals_hold_keys_not_records(tmp_path):
    """``removals`` decides from ids, text keys and signatures alone, read in chunks once per pass, and agrees
    with ``dedup``; a chunk whose keys do not match its ids fails in one line."""
    from reasonry.filters.dedup import MinHasher, removals, text_keys

    records = _mixed_records()
    config = DedupConfig(minhash=MinHashConfig(ngram=5))
    hasher = MinHasher(config.minhash)
    chunks = [records[i:i + 13] for i in range(0, len(records), 13)]
    calls = []

    def read():
        calls.append(1)
        for chunk in chunks:
            texts = [r["prompt"] for r in chunk]
            yield [r["id"] for r in chunk], text_keys(texts), hasher.signatures(texts)

    decided = list(removals(read, config, str(tmp_path)))
    assert [ids for ids, _removed in decided] == [[r["id"] for r in chunk] for chunk in chunks]
    found = {ids[i]: (reason, keeper) for ids, removed in decided for i, (reason, keeper, _sim) in removed.items()}
    _kept, rejects = dedup(records, config)
    assert found == {r["id"]: (r["reason"], r["record"]["meta"]["duplicate_of"]) for r in rejects}
    assert len(calls) == 3 and list(tmp_path.iterdir()) == []

    def short():
        yield ["a", "b"], text_keys(["x"]), None

    with pytest.raises(ValueError, match="one text key per id"):
        list(removals(short, config))


def test_repeated_id_keeps_one_copy(tmp_path):
    """Two copies of one record (one id, one text) in different batches: one stays, one is an exact duplicate,
    as the plain function does; nothing else is touched."""
    records = _mixed_records()[:20]
    copy = dict(records[3])
    config = DedupConfig(minhash=MinHashConfig(ngram=5))
    kept, rejects = dedup(records + [copy], config)
    assert [r["id"] for r in kept].count(copy["id"]) == 1
    with _pipeline() as p:
        out = p | beam.Create([records, [copy]]) | Dedup(config, str(tmp_path / "scratch"))
        kept_ids, rejected = _kept_and_rejected(out)
        assert_that(kept_ids, equal_to([r["id"] for r in kept]), label="kept")
        assert_that(rejected, equal_to(_rejected(rejects)), label="rejects")


def test_spilled_run_file_changed_fails_loudly(tmp_path):
    """A spilled batch whose run file changed after it was written is a build failure, never a batch read as
    something else."""
    from reasonry.errors import BuildFailed
    from reasonry.pipelines.spill import read, spill

    records = _mixed_records()[:5]
    ref = spill(str(tmp_path), records, ([r["id"] for r in records], None, None))
    assert read(str(tmp_path), ref, "records") == records
    [path] = [p for p in tmp_path.rglob("*") if p.is_file()]
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF  # in the keys
    path.write_bytes(bytes(data))
    assert read(str(tmp_path), ref, "records") == records
    with pytest.raises(BuildFailed, match="CRC mismatch"):
        read(str(tmp_path), ref, "keys")


def test_spilled_stage_fails_when_a_batch_gets_no_decision(tmp_path):
    """A decision that skips a batch would make its records vanish: the stage fails instead."""
    from reasonry.pipelines.spill import Spilled

    def decide(refs, _keys_of, _records_of):
        yield from ((ref, {}) for ref in refs[:1])

    with pytest.raises(Exception, match="decided 1 of 2 batches"):
        with _pipeline() as p:
            _ = (p | beam.Create([[{"id": "a"}], [{"id": "b"}]])
                 | Spilled(str(tmp_path), lambda batch: None, decide, lambda r, _removal: r))


def test_dedup_needs_a_scratch_folder():
    with pytest.raises(ValueError, match="scratch"):
        Dedup(DedupConfig())


def test_beam_decontaminate(bench_files):
    from reasonry.pipelines.stages import RunStage

    recs = [{"id": "1", "task": "t/x", "prompt": "Homework: " + BENCH[0], "meta": {}},
            {"id": "2", "task": "t/x", "prompt": "What is the capital of France?", "meta": {}}]
    with _pipeline() as p:
        out = p | beam.Create([recs]) | RunStage("decontaminate", {"benchmarks": list(bench_files)})
        assert_that(out["records"] | "K" >> beam.FlatMap(lambda b: [r["id"] for r in b]), equal_to(["2"]),
                    label="kept")
        assert_that(out["rejects"] | "R" >> beam.FlatMap(lambda b: [(r["reason"], r["id"]) for r in b]),
                    equal_to([("contaminated", "1")]), label="rejects")


def test_streamed_near_duplicates_find_the_clusters_of_the_in_memory_buckets(tmp_path):
    """Signatures and band keys on disk, buckets found by sorting 64-bit band hashes: the same (duplicate,
    keeper, similarity) as exact band keys held in memory, on a corpus with a bucket of 7 identical texts and
    copies of every edit distance; nothing is left in the work folder."""
    from reasonry.filters.dedup import MinHasher, clusters, near_duplicates
    from tests.near_dup_corpus import make_corpus

    docs = make_corpus(300, words=60, seed=3, edits=(1, 2, 3, 5, 8, 15, 25))
    docs += [{"id": f"z{i}", "text": docs[0]["text"], "base": docs[0]["id"]} for i in range(6)]
    for config in (MinHashConfig(), MinHashConfig(threshold=0.5, ngram=5, num_perm=112, bands=28)):
        hasher = MinHasher(config)
        expected = clusters({d["id"]: hasher.signature(d["text"]) for d in docs}, hasher)
        found = near_duplicates(((d["id"], d["text"]) for d in docs), config, workdir=str(tmp_path))
        assert found == expected and len(found) > 40
        assert all(found[f"z{i}"][0] == min(docs[0]["id"], "z0") for i in range(1, 6))
    assert list(tmp_path.iterdir()) == []
