"""Incremental and resumed builds reuse finished shards and still give byte-identical output."""

from __future__ import annotations

import json
from pathlib import Path

from reasonry.config import load_config
from reasonry.pipelines.build import run_build

DATA = {"build": {"name": "inc", "seed": 4, "shard_size": 5, "output_shards": 2},
        "runner": {"workers": 2},
        "tasks": {"tail/addition": {"train": {"S": 10}, "test": {"M": 5}},
                  "tail/division": {"train": {"S": 10}}}}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and ".cache" not in p.relative_to(root).parts}


def test_changing_one_task_regenerates_only_its_shards(tmp_path):
    first = run_build(load_config(data=DATA), tmp_path / "inc")
    assert first.manifest["run"]["shards_reused"] == 0
    changed = ["tasks.tail/division.options.rendering=styled"]
    again = run_build(load_config(data=DATA, overrides=changed), tmp_path / "inc")
    reused = again.manifest["run"]["reused"]
    assert len(reused) == 3 and all(s.startswith("tail/addition|") for s in reused)
    full = run_build(load_config(data=DATA, overrides=changed), tmp_path / "full", use_cache=False)
    assert full.manifest["run"]["shards_reused"] == 0
    assert _files(tmp_path / "inc") == _files(tmp_path / "full")


def test_a_killed_build_resumes_from_its_cache(tmp_path):
    """Simulate a build killed after some shards: their cache entries exist, the outputs do not."""
    config = load_config(data=DATA)
    run_build(config, tmp_path / "whole")
    out = tmp_path / "killed"
    run_build(config, out)
    # remove every output and half of the cache, as a kill mid-build would leave it: the pipeline never
    # finished, so no task's fragments were sealed (the fragment files themselves may be there)
    entries = sorted((out / ".cache/shards").rglob("*.json.gz"))
    for entry in entries[::2]:
        entry.unlink()
    seals = sorted((out / ".cache/fragments").rglob("*.json"))
    assert len(seals) == len(DATA["tasks"])
    for seal in seals:
        seal.unlink()
    for name in ("records", "sft", "rl", "rejects", "README.md"):
        target = out / name
        if target.is_dir():
            import shutil

            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    resumed = run_build(config, out)
    assert resumed.manifest["run"]["shards_reused"] == len(entries) - len(entries[::2])
    assert _files(out) == _files(tmp_path / "whole")


def test_an_unchanged_task_is_taken_whole_from_the_fragment_cache(tmp_path):
    """A rebuild after one task changed runs only that task through the pipeline; the other's shards never
    reach a worker (no shard markers but the reused ones) and the files equal a full build's."""
    out = tmp_path / "inc"
    run_build(load_config(data=DATA), out)
    changed = ["tasks.tail/division.options.rendering=styled"]
    again = run_build(load_config(data=DATA, overrides=changed), out)
    counters = again.manifest["run"]["beam_counters"]
    # only tail/division's 2 shards were generated or read from the shard cache by a worker
    assert counters["shards_computed"] == 2 and counters.get("shards_reused", 0) == 0
    assert counters["items_planned"] == 10
    assert again.manifest["tasks"]["tail/addition"]["kept"] > 0
    same = run_build(load_config(data=DATA, overrides=changed), out)
    assert "items_planned" not in same.manifest["run"]["beam_counters"]  # nothing left to run
    assert same.manifest["run"]["shards_reused"] == same.manifest["run"]["shards"] == 5
    run_build(load_config(data=DATA, overrides=changed), tmp_path / "full", use_cache=False)
    assert _files(out) == _files(tmp_path / "full")


def test_a_missing_fragment_rebuilds_its_task(tmp_path):
    out = tmp_path / "inc"
    run_build(load_config(data=DATA), out)
    expected = _files(out)
    victim = sorted((out / ".cache/fragments").rglob("*.arrow"))[0]
    task = json.loads(victim.parent.with_suffix(".json").read_text())["task"]
    victim.unlink()
    again = run_build(load_config(data=DATA), out)
    # only that task went through the pipeline again, its shards from the shard cache
    shards = {"tail/addition": 3, "tail/division": 2}[task]
    assert again.manifest["run"]["beam_counters"]["shards_reused"] == shards
    assert "shards_computed" not in again.manifest["run"]["beam_counters"]
    assert victim.exists()
    assert _files(out) == expected


def test_a_build_that_lost_items_fails_and_leaves_the_previous_build(tmp_path):
    """Items that reach neither the output nor rejects/ (a runner losing data) fail the build loudly and the
    previous build stays in place (``run_build`` seals fragments for reuse only after this check)."""
    import pytest

    from reasonry.errors import BuildFailed
    from reasonry.pipelines.build import CACHE, _run_pipeline, finalize_build, staging_root
    from reasonry.plan import plan_shards
    from reasonry.storage import join

    config = load_config(data=DATA)
    out = tmp_path / "lossy"
    run_build(config, out)
    before = _files(out)
    staging = staging_root(str(out))
    _run_pipeline(config, plan_shards(config), staging, join(staging, ".progress"), join(str(out), CACHE), ())
    lost = sorted((out / ".staging/records/tail").glob("train-*.parquet"))[0]
    lost.unlink()  # as if the runner had dropped that group's records
    with pytest.raises(BuildFailed, match=r"reached neither the output nor rejects/: tail/"):
        finalize_build(config, str(out))
    assert {k: v for k, v in _files(out).items() if not k.startswith(".staging")} == before
