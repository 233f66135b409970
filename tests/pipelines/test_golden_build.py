"""End-to-end: the real build on the real multi-processing Beam runner, twice, byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from reasonry.config import load_config
from reasonry.errors import BuildFailed, ConfigError
from reasonry.pipelines.build import run_build

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "configs" / "tiny.yaml"


def _files(root: Path) -> dict[str, bytes]:
    """Every output file except the manifest (its ``run`` section has timings) and the shard cache."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and ".cache" not in p.relative_to(root).parts}


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    config = load_config(TINY)
    a = tmp_path_factory.mktemp("a")
    b = tmp_path_factory.mktemp("b")
    first = run_build(config, a)
    # the second build runs with one worker: the worker count must not change a byte
    second = run_build(load_config(TINY, ["runner.workers=1"]), b)
    return config, a, b, first, second


def test_two_builds_are_byte_identical(golden):
    _config, a, b, first, second = golden
    files_a, files_b = _files(a), _files(b)
    assert files_a.keys() == files_b.keys()
    assert any(k.startswith("records/tail/") for k in files_a)
    for name in files_a:
        assert files_a[name] == files_b[name], f"{name} differs"
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (a, b))
    ma.pop("run"), mb.pop("run")
    assert ma == mb


def test_counts_match_plan_and_files(golden):
    config, a, _b, first, _ = golden
    entry = first.manifest["tasks"]["tail/addition"]
    assert entry["planned"] == 45
    rows = sum(pq.read_metadata(p).num_rows for p in (a / "records").rglob("*.parquet"))
    dropped = sum(entry["dropped"].values())
    assert rows == entry["kept"] and entry["kept"] + dropped == entry["planned"]
    assert set(entry["buckets"]) == {"train/S", "test/S", "test/M", "test/L"}
    assert entry["buckets"]["test/L"]["trace_chars"]["p50"] > entry["buckets"]["train/S"]["trace_chars"]["p50"]


def test_every_written_record_reverifies(golden):
    from reasonry.verifiers.reverify import reverify_build

    report = reverify_build(golden[1])
    assert report["total"] == golden[3].manifest["tasks"]["tail/addition"]["kept"]
    assert report["ok"] == report["total"]


def test_exports_load_with_datasets(golden):
    import datasets

    a = golden[1]
    sft = datasets.load_dataset(str(a), "sft-tail")
    rl = datasets.load_dataset(str(a), "rl-tail")
    assert set(sft) == {"train", "test"} and sft["train"].num_rows == 30 and sft["test"].num_rows == 15
    msg = sft["train"][0]["messages"]
    assert [m["role"] for m in msg] == ["user", "assistant"]
    assert msg[1]["content"].rsplit("\n", 1)[-1].startswith("Final answer:")
    row = rl["test"][0]
    assert row["reward_model"]["style"] == "rule"
    verifier = json.loads(row["extra_info"]["verifier"])
    from reasonry.registry import get_verifier

    assert get_verifier(verifier["kind"]).verify(verifier["spec"], row["reward_model"]["ground_truth"]).ok


def test_card_front_matter_lists_exactly_the_files(golden):
    import yaml

    a = golden[1]
    text = (a / "README.md").read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    names = {c["config_name"] for c in front["configs"]}
    assert names == {"sft", "rl", "sft-tail", "rl-tail", "records-tail"}
    assert [c["config_name"] for c in front["configs"] if c.get("default")] == ["sft"]
    # per-family configs partition the files; sft and rl repeat their export's files across families
    matched = [p for cfg in front["configs"] if "-" in cfg["config_name"]
               for df in cfg["data_files"] for p in sorted(a.glob(df["path"]))]
    present = sorted(a.glob("*/*/*.parquet"))
    assert sorted(matched) == present and len(set(matched)) == len(matched)
    infos = {i["config_name"]: i for i in front["dataset_info"]}
    assert {s["name"]: s["num_examples"] for s in infos["sft-tail"]["splits"]} == {"train": 30, "test": 15}
    assert [f["name"] for f in infos["rl-tail"]["features"]] == ["data_source", "prompt", "ability", "reward_model",
                                                                 "extra_info"]


def test_card_shows_trace_length_plots(golden):
    a = golden[1]
    card = (a / "README.md").read_text()
    assets = golden[3].manifest["assets"]
    assert assets == ["assets/counts.png", "assets/trace_lengths_tail.png"]
    assert "](assets/trace_lengths_tail.png)" in card and "](assets/counts.png)" in card
    assert all((a / asset).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for asset in assets)
    assert "compute_score" in card and "tail/addition" in card


def test_rerun_after_crash_gives_same_output(golden, tmp_path):
    config, a, _b, _, _ = golden
    out = tmp_path / "crashed"
    # a crash mid-build leaves a half-written staging folder behind; the rerun must not be affected by it
    staging = out / ".staging" / "records" / "tail"
    staging.mkdir(parents=True)
    (staging / "train-00000-of-00002.parquet").write_bytes(b"half a file")
    (out / "records" / "tail").mkdir(parents=True)
    (out / "records" / "tail" / "stale-00009-of-00010.parquet").write_bytes(b"old build")
    run_build(config, out)
    assert _files(out) == _files(a)


def test_dead_letters_are_counted_and_kept_and_threshold_fails_build(tmp_path):
    data = {"build": {"name": "flaky", "seed": 1, "plugins": ["tests.plugins.flaky"], "shard_size": 4,
                      "max_failure_rate": 1.0},
            "runner": {"workers": 2},
            "tasks": {"tail/flaky": {"train": {"all": 16}}}}
    result = run_build(load_config(data=data), tmp_path / "ok")
    entry = result.manifest["tasks"]["tail/flaky"]
    assert entry["dropped"] == {"error": 4, "no_instance": 4, "verifier_error": 4}
    assert entry["kept"] == 4 and entry["generated"] == 8
    # Beam's own counters agree with the counts read back from the files
    counters = result.manifest["run"]["beam_counters"]
    assert {k: v for k, v in counters.items() if k.startswith("dropped/")} == {
        "dropped/tail/flaky/error": 4, "dropped/tail/flaky/no_instance": 4, "dropped/tail/flaky/verifier_error": 4}
    assert counters["items_kept"] == 4 and counters["items_planned"] == 16
    rows = [r for p in (tmp_path / "ok/rejects").rglob("*.parquet") for r in pq.read_table(p).to_pylist()]
    assert len(rows) == 12
    errors = [r for r in rows if r["reason"] == "error"]
    assert all("generator exploded" in r["detail"] for r in errors)
    assert all(r["record"] for r in rows if r["reason"] == "verifier_error")

    data["build"]["max_failure_rate"] = 0.1
    with pytest.raises(BuildFailed, match="max_failure_rate"):
        run_build(load_config(data=data), tmp_path / "strict")
    # outputs and rejects are still written when the threshold fails the build
    assert (tmp_path / "strict/manifest.json").exists()
    assert list((tmp_path / "strict/rejects").rglob("*.parquet"))


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="cannot write to output folder"):
        run_build(load_config(TINY), blocker / "out")


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "reasonry.pipelines.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_cli_errors_are_one_clear_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("build: {name: x, sed: 1}\ntasks: {tail/addition: {train: {S: 1}}}\n")
    for args, needle in ((["build", str(bad)], "build.sed"),
                         (["sample", "tail/adition"], "did you mean 'tail/addition'"),
                         (["build", str(TINY), "--out", str(tmp_path / "f" / "x")], None)):
        if needle is None:
            (tmp_path / "f").write_text("a file")
            needle = "cannot write to output folder"
        proc = _cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert needle in proc.stderr and "Traceback" not in proc.stderr


def test_cli_dry_run_prints_resolved_config():
    import yaml

    proc = _cli("build", str(TINY), "--dry-run", "--set", "build.seed=77")
    assert proc.returncode == 0, proc.stderr
    resolved = yaml.safe_load(proc.stdout)
    assert resolved["build"]["seed"] == 77 and resolved["build"]["shard_size"] == 10


def test_cli_build_shows_progress_and_summary_and_verify(tmp_path):
    out = tmp_path / "cli"
    proc = _cli("build", str(TINY), "--out", str(out), "--set", "tasks.tail/addition.train.S=10")
    assert proc.returncode == 0, proc.stderr
    assert "progress:" in proc.stdout and "tail/addition" in proc.stdout and str(out) in proc.stdout
    proc = _cli("verify", str(out))
    assert proc.returncode == 0 and "total: 25/25" in proc.stdout
    # score a file of candidate answers: one right, one wrong, one unknown id, one malformed line
    rows = pq.read_table(next((out / "records/tail").glob("test-*.parquet"))).to_pylist()
    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join([json.dumps({"id": rows[0]["id"], "answer": rows[0]["answer"]}),
                                  json.dumps({"id": rows[1]["id"], "answer": rows[1]["answer"] + "1"}),
                                  json.dumps({"id": "nope", "answer": "1"}),
                                  "{not json"]) + "\n")
    proc = _cli("verify", str(out), "--answers", str(answers))
    assert proc.returncode == 0, proc.stderr
    assert "total: 1/4 correct, 1 unknown ids" in proc.stdout
    assert "malformed line" in proc.stdout and "wrong answer" in proc.stdout


def test_cli_sample_json_is_schema_records():
    from reasonry.record import validate

    proc = _cli("sample", "tail/addition", "-n", "2", "--bucket", "L", "--split", "test", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().split("\n")
    assert len(lines) == 2
    for line in lines:
        record = validate(json.loads(line))
        assert record["length_bucket"] == "L" and record["split"] == "test"


def test_a_url_output_gives_the_same_files(golden, tmp_path):
    """The same build written through fsspec (``file://`` stands in for gs:// or s3://, unreachable here)."""
    config, a, _b, _, _ = golden
    run_build(config, f"file://{tmp_path}/remote")
    assert _files(tmp_path / "remote") == _files(a)


def test_finalize_finishes_a_pipeline_that_ran_elsewhere(golden, tmp_path):
    """A Dataflow job submitted without waiting leaves OUT/.staging; `reasonry finalize` completes the build."""
    from reasonry.pipelines.build import CACHE, _run_pipeline, staging_root
    from reasonry.plan import plan_shards
    from reasonry.storage import join

    config, a, _b, _, _ = golden
    out = str(tmp_path / "elsewhere")
    staging = staging_root(out)
    _run_pipeline(config, plan_shards(config), staging, join(staging, ".progress"), join(out, CACHE), ())
    assert not (tmp_path / "elsewhere" / "manifest.json").exists()
    proc = _cli("finalize", str(TINY), "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert _files(tmp_path / "elsewhere") == _files(a)
    proc = _cli("finalize", str(TINY), "--out", out)
    assert proc.returncode == 2 and "nothing to finalize" in proc.stderr
