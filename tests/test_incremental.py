"""Incremental and resumed builds reuse finished shards and still give byte-identical output."""

from __future__ import annotations

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
    # remove every output and half of the cache, as a kill mid-build would leave it
    entries = sorted((out / ".cache/shards").rglob("*.json.gz"))
    for entry in entries[::2]:
        entry.unlink()
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
