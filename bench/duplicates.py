"""Peak memory of a duplicate-heavy request: tail/derangement train S = 1,000,000 (the bucket has 28 problems).

    .venv/bin/python bench/duplicates.py [--items 1000000] [--baseline 100000]

Each build runs as its own ``reasonry build`` process inside a fresh measuring process, so the peak resident
set size reported is that build's largest process (the driver or a Beam worker; a finished child's peak, as
``getrusage(RUSAGE_CHILDREN)`` gives it). The baseline is the same request at a tenth of the size, measured in
the same run: a ratio near 1 means the duplicates cost no memory in proportion to their number (the target is
a peak under 1 GiB at 1,000,000 items).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml


def measure(items: int, workdir: Path) -> dict:
    """One build in a child process; returns its wall time, peak RSS and counts."""
    config = workdir / f"derangement-{items}.yaml"
    config.write_text(yaml.safe_dump({"build": {"name": f"dup{items}", "seed": 0, "shard_size": 5000},
                                      "tasks": {"tail/derangement": {"train": {"S": items}}}}))
    out = workdir / f"out-{items}"
    probe = ("import resource, subprocess, sys, json, time\n"
             "t = time.perf_counter()\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(json.dumps({'rc': p.returncode, 'err': p.stderr[-2000:], 'seconds': time.perf_counter() - t,\n"
             "                  'peak_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n")
    done = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "reasonry.pipelines.cli", "build",
                           str(config), "--out", str(out), "--fresh"], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if found["rc"] != 0:
        sys.exit(f"build of {items} failed ({found['rc']}): {found['err']}")
    task = json.loads((out / "manifest.json").read_text())["tasks"]["tail/derangement"]
    return {**found, "kept": task["kept"], "dropped": task["dropped"], "warning": found["err"].strip()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=100_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-duplicates-"))
    try:
        base = measure(args.baseline, workdir)
        big = measure(args.items, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"cores: {os.cpu_count()}  (the build's default worker count)")
    for label, items, found in (("baseline", args.baseline, base), ("request", args.items, big)):
        print(f"{label:8}  train S = {items:>9,}: kept {found['kept']}, dropped {found['dropped']}, "
              f"{found['seconds']:.0f} s, peak RSS {found['peak_kib'] / 1024:.0f} MiB")
    print(f"warning shown: {big['warning']}")
    ratio = big["peak_kib"] / base["peak_kib"]
    print(f"peak RSS ratio request/baseline: {ratio:.2f} for {args.items / args.baseline:.0f}x the items "
          f"(target: peak under 1024 MiB at 1,000,000: {'met' if big['peak_kib'] < 1024 * 1024 else 'NOT met'})")


if __name__ == "__main__":
    main()
