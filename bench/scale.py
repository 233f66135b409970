"""Peak memory and wall time of the paper-sized TAIL build at several sizes.

    .venv/bin/python bench/scale.py                 # 0.25x and 0.5x the paper's size
    .venv/bin/python bench/scale.py --large         # and 1x (configs/tail.yaml itself) and 2x
    .venv/bin/python bench/scale.py --sizes 1       # any list of factors
    .venv/bin/python bench/scale.py --sizes 1 --baseline acf22f6 --repeat 2
                                                    # and the code of a git commit, built the same way

Every item count of ``configs/tail.yaml`` (18 tasks, 100k train S + 3 x 500 test each) is multiplied by the
factor. Each build runs as its own ``reasonry build --fresh`` process inside a fresh measuring process, so the
peak resident set size reported is that build's largest process (the driver or a Beam worker: a finished
child's peak, as ``getrusage(RUSAGE_CHILDREN)`` gives it). The last line is the least-squares slope of peak RSS
against items: what each further million items costs (near zero when memory is bounded by the unit of work).

``--baseline REF`` measures the code of another commit in the same run, on the same config and the same
interpreter: ``git archive REF`` is installed (not editable) into a scratch folder that leads ``PYTHONPATH``,
and its builds run from that folder, so neither the driver nor the Beam workers it starts see this checkout.
The two sides alternate (baseline first) ``--repeat`` times per size, and each size ends with the ratio of the
medians: wall time and peak RSS of this checkout over the baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "configs" / "tail.yaml"
PROBE = ("import resource, subprocess, sys, json, time\n"
         "t = time.perf_counter()\n"
         "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
         "print(json.dumps({'rc': p.returncode, 'err': p.stderr[-2000:] + p.stdout[-2000:],\n"
         "                  'seconds': time.perf_counter() - t,\n"
         "                  'peak_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n")


def scaled(factor: float) -> dict:
    config = yaml.safe_load(CONFIG.read_text())
    config["build"]["name"] = f"tail-{factor:g}x"
    for task in config["tasks"].values():
        for split in ("train", "test"):
            task[split] = {b: max(1, round(n * factor)) for b, n in task.get(split, {}).items()}
    return config


def install_baseline(ref: str, workdir: Path) -> Path:
    """The code of ``ref``, installed into ``workdir/baseline/site`` (returned) for ``PYTHONPATH``."""
    source, site = workdir / "baseline" / "src", workdir / "baseline" / "site"
    source.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(source)], check=True)
    # the baseline must not load this checkout's modules (an editable install is consulted last, but only for
    # what the scratch folder lacks): every package the build imports has to come from the scratch folder
    probe = ("import reasonry.pipelines.build, reasonry.generators, reasonry.verifiers, reasonry.filters\n"
             "for m in ('reasonry.pipelines.build', 'reasonry.generators', 'reasonry.verifiers', 'reasonry.filters'):"
             "\n    print(__import__('sys').modules[m].__file__)")
    env = {**os.environ, "PYTHONPATH": str(site)}
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env,
                           cwd=site.parent).stdout.split()
    stray = [path for path in found if not Path(path).resolve().is_relative_to(site.resolve())]
    if stray:
        sys.exit(f"baseline {ref} would load modules from outside {site}: {stray}")
    return site


def measure(factor: float, workdir: Path, baseline: Path | None = None) -> dict:
    side = "baseline" if baseline else "this"
    config = workdir / f"tail-{factor:g}x.yaml"
    config.write_text(yaml.safe_dump(scaled(factor)))
    out = workdir / f"out-{factor:g}x-{side}"
    env, cwd = dict(os.environ), None
    if baseline:  # the scratch folder first on the path, and no checkout in the working directory
        env["PYTHONPATH"] = os.pathsep.join([str(baseline), *filter(None, [env.get("PYTHONPATH")])])
        cwd = baseline.parent
    done = subprocess.run([sys.executable, "-c", PROBE, sys.executable, "-m", "reasonry.pipelines.cli", "build",
                           str(config), "--out", str(out), "--fresh"], capture_output=True, text=True, check=True,
                          env=env, cwd=cwd)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    staged = out / ".staging" / "manifest.json"
    if found["rc"] == 3 and baseline and staged.exists():
        # An older commit may fail its own end-of-build check (items it lost) after writing everything: its time
        # up to that point is still the time of its work, and the row says that it failed and why.
        manifest = json.loads(staged.read_text())
        found["failed"] = next((line.strip() for line in found["err"].splitlines() if "build failed" in line),
                               "build failed")[:300]
    elif found["rc"] != 0:  # the build's folder (and its .logs) stays for a look
        sys.exit(f"{side} build at {factor:g}x failed ({found['rc']}), output kept in {out}: {found['err']}")
    else:
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
    parser.add_argument("--baseline", metavar="REF", help="also build with the code of this git commit")
    parser.add_argument("--repeat", type=int, default=1, help="builds per size and side (default 1)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = args.sizes or ([0.25, 0.5, 1.0, 2.0] if args.large else [0.25, 0.5])
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    baseline = install_baseline(args.baseline, workdir) if args.baseline else None
    rows = []
    for factor in sizes:
        runs: dict[str, list[dict]] = {"baseline": [], "this": []}
        for _ in range(args.repeat):
            for side, site in (("baseline", baseline), ("this", None)):
                if side == "baseline" and site is None:
                    continue
                found = measure(factor, workdir, site)
                runs[side].append(found)
                mib = found["peak_kib"] / 1024
                label = f"{args.baseline[:10]:>10}" if site else "this      "
                print(f"{factor:5g}x  {label}  items {found['items']:>9,}  kept {found['kept']:>9,}"
                      f"  wall {found['seconds']:7.1f} s  {found['items'] / found['seconds']:7.0f} items/s"
                      f"  peak RSS {mib:7.0f} MiB" + (f"  FAILED: {found['failed']}" if "failed" in found else ""),
                      flush=True)
        ours = runs["this"]
        rows.append((factor, {"items": ours[0]["items"],
                              "peak_kib": statistics.median(f["peak_kib"] for f in ours)}))
        if baseline:
            theirs = runs["baseline"]
            wall = statistics.median(f["seconds"] for f in ours) / statistics.median(f["seconds"] for f in theirs)
            rss = statistics.median(f["peak_kib"] for f in ours) / statistics.median(f["peak_kib"] for f in theirs)
            same = "same" if {f["kept"] for f in ours} == {f["kept"] for f in theirs} else "DIFFERENT"
            failed = sum("failed" in f for f in theirs)
            note = f"; the baseline failed its end-of-build check in {failed} of {len(theirs)}" if failed else ""
            print(f"{factor:5g}x  this / {args.baseline}: wall {wall:.2f}x, peak RSS {rss:.2f}x (medians of "
                  f"{args.repeat}); records kept: {same}{note}", flush=True)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f} (the machine may be shared)")
    if len(rows) > 1:
        fit = slope([(f["items"] / 1e6, f["peak_kib"] / 1024) for _, f in rows])
        print(f"fitted peak RSS slope: {fit:.0f} MiB per million items")
        first, last = rows[-2][1], rows[-1][1]
        print(f"peak RSS {rows[-1][0]:g}x / {rows[-2][0]:g}x: {last['peak_kib'] / first['peak_kib']:.2f}")


if __name__ == "__main__":
    main()
