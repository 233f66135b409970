"""Peak memory and wall time of the paper-sized TAIL build at several sizes.

    .venv/bin/python bench/scale.py                 # 0.25x and 0.5x the paper's size
    .venv/bin/python bench/scale.py --large         # and 1x (configs/tail.yaml itself) and 2x
    .venv/bin/python bench/scale.py --sizes 1       # any list of factors

Every item count of ``configs/tail.yaml`` (18 tasks, 100k train S + 3 x 500 test each) is multiplied by the
factor. Each build runs as its own ``reasonry build --fresh`` process inside a fresh measuring process, so the
peak resident set size reported is that build's largest process (the driver or a Beam worker: a finished
child's peak, as ``getrusage(RUSAGE_CHILDREN)`` gives it). The last line is the least-squares slope of peak RSS
against items: what each further million items costs (near zero when memory is bounded by the unit of work).
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

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "tail.yaml"
PROBE = ("import resource, subprocess, sys, json, time\n"
         "t = time.perf_counter()\n"
         "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
         "print(json.dumps({'rc': p.returncode, 'err': (p.stdout + p.stderr)[-3000:],\n"
         "                  'seconds': time.perf_counter() - t,\n"
         "                  'peak_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n")


def scaled(factor: float) -> dict:
    config = yaml.safe_load(CONFIG.read_text())
    config["build"]["name"] = f"tail-{factor:g}x"
    for task in config["tasks"].values():
        for split in ("train", "test"):
            task[split] = {b: max(1, round(n * factor)) for b, n in task.get(split, {}).items()}
    return config


def measure(factor: float, workdir: Path) -> dict:
    config = workdir / f"tail-{factor:g}x.yaml"
    config.write_text(yaml.safe_dump(scaled(factor)))
    out = workdir / f"out-{factor:g}x"
    done = subprocess.run([sys.executable, "-c", PROBE, sys.executable, "-m", "reasonry.pipelines.cli", "build",
                           str(config), "--out", str(out), "--fresh"], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if found["rc"] != 0:  # the build's folder (and its .logs) stays for a look
        sys.exit(f"build at {factor:g}x failed ({found['rc']}), output kept in {out}: {found['err']}")
    manifest = json.loads((out / "manifest.json").read_text())
    shutil.rmtree(out, ignore_errors=True)
    return {**found, "items": manifest["run"]["items_planned"],
            "kept": sum(t["kept"] for t in manifest["tasks"].values())}


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y against x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", action="store_true", help="also build 1x and 2x the paper's size (minutes)")
    parser.add_argument("--sizes", type=float, nargs="+", help="factors to build instead of the defaults")
    args = parser.parse_args()
    sizes = args.sizes or ([0.25, 0.5, 1.0, 2.0] if args.large else [0.25, 0.5])
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    rows = []
    for factor in sizes:
        found = measure(factor, workdir)
        rows.append((factor, found))
        mib = found["peak_kib"] / 1024
        print(f"{factor:5g}x  items {found['items']:>9,}  kept {found['kept']:>9,}  wall {found['seconds']:7.1f} s"
              f"  {found['items'] / found['seconds']:7.0f} items/s  peak RSS {mib:7.0f} MiB", flush=True)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f} (the machine may be shared)")
    if len(rows) > 1:
        fit = slope([(f["items"] / 1e6, f["peak_kib"] / 1024) for _, f in rows])
        print(f"fitted peak RSS slope: {fit:.0f} MiB per million items")
        first, last = rows[-2][1], rows[-1][1]
        print(f"peak RSS {rows[-1][0]:g}x / {rows[-2][0]:g}x: {last['peak_kib'] / first['peak_kib']:.2f}")


if __name__ == "__main__":
    main()
