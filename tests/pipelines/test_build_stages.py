"""The whole build graph with every optional stage but model sampling: generated tasks and the web source,
MinHash dedup on web text, decontamination of everything, then dedup by id and write."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from reasonry.config import load_config
from reasonry.errors import ConfigError
from reasonry.generators.webqa import fixture_site
from reasonry.pipelines.build import run_build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("stages")
    pages = sorted(fixture_site.build_site())
    fixture_site.write_warc(str(root / "site.warc.gz"), pages)
    bench = root / "bench.jsonl"
    bench.write_text("".join(json.dumps({"question": q}) + "\n" for q in fixture_site.BENCHMARK_QUESTIONS))
    data = {"build": {"name": "stages", "seed": 5, "shard_size": 10},
            "runner": {"workers": 2},
            "tasks": {"tail/addition": {"train": {"S": 10}}},
            "stages": {"webqa": {"warc_paths": [str(root / "*.warc.gz")]},
                       "dedup": {"exact": True, "near": True},
                       "decontaminate": {"benchmarks": [str(bench)], "ngram_sizes": [13, 8]}}}
    result = run_build(load_config(data=data), root / "out")
    return root / "out", result


def _rejects(out: Path) -> list[dict]:
    return [r for p in sorted((out / "rejects").rglob("*.parquet")) for r in pq.read_table(p).to_pylist()]


def test_both_sources_are_written(built):
    out, result = built
    assert set(result.manifest["files"]["records"]) == {"tail", "webqa"}
    assert result.tasks["tail/addition"]["kept"] == 10
    web = [name for name in result.tasks if name.startswith("webqa/")]
    assert web and sum(result.tasks[n]["kept"] for n in web) >= 20


def test_web_duplicates_and_contamination_are_removed_and_kept(built):
    out, _ = built
    rejects = _rejects(out)
    reasons = {r["reason"] for r in rejects}
    assert {"near_duplicate", "contaminated"} <= reasons
    kept_prompts = [row["prompt"] for p in (out / "records/webqa").glob("*.parquet")
                    for row in pq.read_table(p).to_pylist()]
    for question in fixture_site.BENCHMARK_QUESTIONS[:2]:
        assert not any(question[:60] in prompt for prompt in kept_prompts)
    assert all(r["record"] for r in rejects if r["reason"] in ("near_duplicate", "contaminated"))


def test_unknown_stage_is_a_config_error():
    with pytest.raises(ConfigError, match=r"stages\.dedupe.*did you mean 'dedup'"):
        load_config(data={"tasks": {"tail/addition": {"train": {"S": 1}}}, "stages": {"dedupe": {}}})
    with pytest.raises(ConfigError, match=r"stages\.decontaminate\.ngram_sizes"):
        load_config(data={"tasks": {"tail/addition": {"train": {"S": 1}}},
                          "stages": {"decontaminate": {"ngram_sizes": [0]}}})
