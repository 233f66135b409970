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
from reasonry.pipelines.dedup import Dedup, MinHashDedup
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


def test_beam_minhash_matches_plain_function():
    docs = make_corpus(120, words=50, seed=11)
    records = _records(docs)
    config = MinHashConfig(ngram=5)
    kept, rejects = minhash_dedup(records, config)
    batches = [records[i:i + 25] for i in range(0, len(records), 25)]
    with _pipeline() as p:
        out = p | beam.Create(batches) | MinHashDedup(config, shards=3)
        kept_ids = out["records"] | "K" >> beam.FlatMap(lambda b: [r["id"] for r in b])
        rej = out["rejects"] | "R" >> beam.FlatMap(lambda b: [(r["id"], r["record"]["meta"]["duplicate_of"])
                                                             for r in b])
        assert_that(kept_ids, equal_to([r["id"] for r in kept]), label="kept")
        assert_that(rej, equal_to([(r["id"], r["record"]["meta"]["duplicate_of"]) for r in rejects]),
                    label="rejects")
    assert rejects  # the corpus has planted pairs, so the comparison above is not vacuous


def test_beam_dedup_exact_then_near():
    docs = make_corpus(60, words=40, seed=2)
    records = _records(docs)
    records.append({"id": "zz-exact", "task": "webqa/qa", "prompt": records[0]["prompt"].upper() + "!!",
                    "meta": {}})
    kept, rejects = dedup(records, DedupConfig(minhash=MinHashConfig(ngram=5)))
    with _pipeline() as p:
        out = p | beam.Create([records]) | Dedup(DedupConfig(minhash=MinHashConfig(ngram=5)))
        assert_that(out["records"] | "K" >> beam.FlatMap(lambda b: [r["id"] for r in b]),
                    equal_to([r["id"] for r in kept]), label="kept")
        assert_that(out["rejects"] | "R" >> beam.FlatMap(lambda b: [(r["reason"], r["id"]) for r in b]),
                    equal_to([(r["reason"], r["id"]) for r in rejects]), label="rejects")
    assert ("exact_duplicate", "zz-exact") in [(r["reason"], r["id"]) for r in rejects]


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
