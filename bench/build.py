"""End-to-end time and peak memory of a build, and an incremental rebuild against a full one.

    .venv/bin/python bench/build.py [--config configs/default.yaml] [--change KEY=VALUE]

1. full build (cache cleared): wall time, peak RSS of the driver and of the largest worker process;
2. the same config again with one task's option changed (``--change``): only that task's shards are
   regenerated and only its records go through the pipeline; every other task's part of the output files
   comes from the fragment cache;
3. prints incremental / full (target <= 20%).
Each build runs as its own ``reasonry build`` process, as a user would run it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(config: str, out: Path, extra: list[str]) -> tuple[float, dict]:
    cmd = [sys.executable, "-m", "reasonry.pipelines.cli", "build", config, "--out", str(out), *extra]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return seconds, json.loads((out / "manifest.json").read_text())


def default_change(config_path: str) -> str:
    """Flip the rendering of the first task that has one: a one-task change that alters its output."""
    from reasonry.config import load_config

    config = load_config(config_path)
    for name in sorted(config.tasks):
        rendering = getattr(config.task_options(name), "rendering", None)
        if rendering is not None:
            return f"tasks.{name}.options.rendering={'styled' if rendering == 'terse' else 'terse'}"
    sys.exit("pass --change: no task of this config has a 'rendering' option to flip")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--change", help="the one-task change for the incremental rebuild (default: flip the "
                                         "first task's rendering)")
    args = parser.parse_args()
    change = args.change or default_change(args.config)
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        out = tmp / "out"
        full_s, manifest = run(args.config, out, ["--fresh"])
        peak_children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        inc_s, inc_manifest = run(args.config, out, ["--set", change])
        full2_s, _ = run(args.config, tmp / "full2", ["--fresh", "--set", change])
        items = manifest["run"]["items_planned"]
        kept = sum(t["kept"] for t in manifest["tasks"].values())
        print(f"config: {args.config}  tasks: {len(manifest['tasks'])}  items planned: {items}  kept: {kept}  "
              f"cores: {os.cpu_count()}")
        print(f"full build:          {full_s:8.1f} s  ({items / full_s:.0f} items/s end to end)")
        print(f"peak RSS (largest process of the build: driver or Beam worker): {peak_children_mb:.0f} MiB")
        print(f"incremental rebuild: {inc_s:8.1f} s  after `--set {change}`; "
              f"reused {inc_manifest['run']['shards_reused']}/{inc_manifest['run']['shards']} shards")
        print(f"full build of the changed config: {full2_s:8.1f} s")
        print(f"ratio incremental/full: {inc_s / full2_s:.1%}  (target <= 20%)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
