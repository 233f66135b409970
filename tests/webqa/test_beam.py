"""The ``webqa`` Beam source on the real FnApiRunner: WARC inputs (incl. a truncated one) and a live crawl."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from reasonry.config import from_dict
from reasonry.errors import ConfigError
from reasonry.generators.webqa import fixture_site
from reasonry.generators.webqa.config import WebQAStageConfig
from reasonry.generators.webqa.records import warc_to_records
from reasonry.pipelines.webqa import WebQASource, list_inputs
from tests.webqa_server import FixtureServer


def _pipeline():
    return test_pipeline.TestPipeline(runner=FnApiRunner(), options=beam.options.pipeline_options.PipelineOptions())


@pytest.fixture(scope="module")
def warc_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("warcs")
    paths = sorted(fixture_site.build_site())
    fixture_site.write_warc(str(root / "a.warc.gz"), paths[: len(paths) // 2])
    fixture_site.write_warc(str(root / "b.warc.gz"), paths[len(paths) // 2:])
    data = (root / "b.warc.gz").read_bytes()
    (root / "c.warc.gz").write_bytes(data[: len(data) // 2])
    return root


def test_stage_config_validation():
    with pytest.raises(ConfigError, match=r"stages\.webqa\.crawl\.seeds\[0\]"):
        from_dict(WebQAStageConfig, {"crawl": {"seeds": ["ftp://x"]}}, "stages.webqa")
    with pytest.raises(ConfigError, match="warc_paths"):
        from_dict(WebQAStageConfig, {}, "stages.webqa")
    with pytest.raises(ConfigError, match="allow_addresses"):
        from_dict(WebQAStageConfig, {"crawl": {"seeds": ["http://a.b/"], "allow_addresses": ["localhost"]}})


def test_source_over_warc_files(warc_dir, tmp_path):
    stage = {"warc_paths": [str(warc_dir / "*.warc.gz")], "batch_size": 7}
    config = from_dict(WebQAStageConfig, stage)
    paths = list_inputs(config)
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["a.warc.gz", "b.warc.gz", "c.warc.gz"]
    expected_ids, expected_reasons = [], []
    for path in paths:
        records, rejects, _counts = warc_to_records(path)
        expected_ids += [r["id"] for r in records]
        expected_reasons += [r["reason"] for r in rejects]
    assert "truncated_warc" in expected_reasons
    with _pipeline() as p:
        out = p | WebQASource(stage, str(tmp_path / "scratch"))
        sizes = out["records"] | "Sizes" >> beam.Map(len)
        ids = out["records"] | "Ids" >> beam.FlatMap(lambda b: [r["id"] for r in b])
        reasons = out["rejects"] | "Reasons" >> beam.FlatMap(lambda b: [r["reason"] for r in b])
        assert_that(ids, equal_to(expected_ids), label="ids")
        assert_that(reasons, equal_to(expected_reasons), label="reasons")
        assert_that(sizes | beam.Filter(lambda n: n > 7), equal_to([]), label="batch size")


def test_source_with_live_crawl(tmp_path):
    with FixtureServer() as server:
        stage = {"crawl": {"seeds": [server.base + "/"], "out_dir": str(tmp_path / "crawl"), "per_host_delay_s": 0.0,
                           "allow_addresses": ["127.0.0.1"], "max_page_bytes": 1_000_000, "fsync": False}}
        base = server.base
        with _pipeline() as p:
            out = p | WebQASource(stage, str(tmp_path / "scratch"))
            urls = out["records"] | beam.FlatMap(lambda b: [r["meta"]["url"][len(base):] for r in b])
            expected = sorted({path for path, _a, _t in fixture_site.expected_pairs()})
            assert_that(urls | beam.Distinct() | beam.Filter(lambda u: not u.startswith("/mirror/")
                                                             and u not in fixture_site.CONTAMINATED),
                        equal_to(expected))
        assert not [r for r in server.fetched() if r.startswith("/private/")]


def test_conflicting_answers_across_batches_rejected_in_place(tmp_path):
    """One question answered two ways in two batches (two files), the same question answered alike twice, and
    a lone one: the conflicting copies become ``conflicting_answer`` rejects naming each other's pages, the
    agreeing copies and the rest stay in their own batches, as ``resolve_conflicts`` over everything decides."""
    from reasonry.generators.webqa.records import conflict_removals, prepared_reject, question_keys, resolve_conflicts
    from reasonry.pipelines.spill import Spilled

    def record(rid, prompt, answer, url):
        return {"id": rid, "task": "webqa/qa", "split": "train", "length_bucket": None, "prompt": prompt,
                "answer": answer, "answer_type": "int", "verifier": {"kind": "math", "spec": {"answer": answer}},
                "meta": {"url": url}, "provenance": {"index": None}}

    first = [record("a1", "What is  6 x 7?", "42", "http://x/1"), record("a2", "Name 2 + 2.", "4", "http://x/2"),
             record("a3", "Lone question?", "9", "http://x/3")]
    second = [record("b1", "what is 6 x 7?", "41", "http://y/1"), record("b2", "Name 2 + 2.", "4", "http://y/2")]
    kept, rejects = resolve_conflicts(first + second)
    assert sorted(r["id"] for r in rejects) == ["a1", "b1"]
    with _pipeline() as p:
        out = (p | beam.Create([first, second])
               | Spilled(str(tmp_path), question_keys, conflict_removals, prepared_reject))
        batches = out["records"] | "Batches" >> beam.Map(lambda b: sorted(r["id"] for r in b))
        rejected = out["rejects"] | "R" >> beam.FlatMap(lambda b: [(r["id"], r["reason"], r["detail"]) for r in b])
        assert_that(batches, equal_to([["a2", "a3"], ["b2"]]), label="batches")
        assert_that(rejected, equal_to([(r["id"], r["reason"], r["detail"]) for r in rejects]), label="rejects")


def test_conflicts_decided_a_few_records_at_a_time():
    """Holding two records at a time gives the same rejects as holding everything, with each read bringing
    back only what the current questions need: a question spread over many batches is never read with the
    others, and batches without a repeated question are never read at all."""
    from reasonry.generators.webqa.records import conflict_removals, question_keys, resolve_conflicts

    def record(rid, prompt, answer, url):
        return {"id": rid, "task": "webqa/qa", "split": "train", "length_bucket": None, "prompt": prompt,
                "answer": answer, "answer_type": "int", "verifier": {"kind": "math", "spec": {"answer": answer}},
                "meta": {"url": url}, "provenance": {"index": None}}

    batches = [[record(f"q{q}-{b}", f"Question {q}?", str(q + (b == 3 and q % 2)), f"http://{b}/{q}")
                for q in range(6)] for b in range(4)]
    batches.append([record("lone", "Lone?", "1", "http://x/")])
    refs = list(range(len(batches)))
    _kept, rejects = resolve_conflicts([r for batch in batches for r in batch])
    assert {r["id"] for r in rejects} == {f"q{q}-{b}" for q in (1, 3, 5) for b in range(4)}
    expected = {r["id"]: r for r in rejects}
    for hold in (2, 10_000):
        reads = []

        def records_of(ref, reads=reads):
            reads.append(ref)
            return batches[ref]

        found = {}
        for ref, removed in conflict_removals(refs, lambda ref: question_keys(batches[ref]), records_of, hold):
            found.update((batches[ref][i]["id"], reject) for i, reject in removed.items())
        assert found == expected
        assert 4 not in reads  # the lone question's batch
        assert len(reads) == (4 * 6 if hold == 2 else 4)  # one question (4 records) at a time, or every batch once
