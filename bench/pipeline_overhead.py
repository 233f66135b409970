"""Items/s of a build on the Beam runner (2 workers) against a plain single-process loop over the same items.

    .venv/bin/python bench/pipeline_overhead.py [--config configs/default.yaml] [--workers 2]

Both sides do the same work: generate, verify gold answer and trace, dedup by id, write Parquet, then the
manifest, plots and card. The ratio is Beam items/s divided by loop items/s, measured in the same run (target
>= 1.5 with 2 workers). The Beam build runs with an empty shard cache, so nothing is reused. Each run of
either side is a fresh process; ``--repeat N`` reports the best of N.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import tempfile
import time
from pathlib import Path

from reasonry.config import load_config
from reasonry.hashing import shard_of
from reasonry.pipelines.build import finalize_build, run_build, staging_root
from reasonry.pipelines.outputs import write_group
from reasonry.pipelines.transforms import _shard_key
from reasonry.plan import options_hash, plan_shards


def plain_loop(config, out: Path) -> int:
    from reasonry.generators.run import generate_shard
    from reasonry.verifiers.gold import verify_batch

    groups: dict = {}
    options = {name: config.task_options(name) for name in config.tasks}
    for spec in plan_shards(config):
        records, rejects, _ = generate_shard(spec, options[spec.task], seed=config.build.seed,
                                             options_hash=options_hash(options[spec.task]))
        kept, more = verify_batch(records)
        for r in kept:
            groups.setdefault((r["family"], shard_of(r["id"], config.build.output_shards)), ([], []))[0].append(r)
        for r in rejects + more:
            key = (r["task"].split("/")[0], shard_of(_shard_key(r), config.build.output_shards))
            groups.setdefault(key, ([], []))[1].append(r)
    kept_total = 0
    staging = staging_root(str(out))
    for (family, shard), (records, rejects) in sorted(groups.items()):
        written = write_group(staging, family, shard, config.build.output_shards, records, rejects,
                              config.build.exports)
        kept_total += sum(n for k, n in written.items() if k.startswith("records/"))
    finalize_build(config, str(out))  # the same manifest, plots and card as the Beam build writes
    return kept_total


def _data_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and ".cache" not in p.parts}


def _timed(side: str, config_path: str, workers: int, out: str) -> float:
    config = load_config(config_path, [f"runner.workers={workers}"])
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    if side == "loop":
        plain_loop(config, Path(out))
    else:
        run_build(config, out, use_cache=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    config = load_config(args.config, [f"runner.workers={args.workers}"])
    items = sum(s.size for s in plan_shards(config))
    tmp = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    # Each side runs in a fresh process: generators keep in-process caches (plans, solver results) that would
    # make a second loop in the same process much faster than its first.
    spawn = multiprocessing.get_context("spawn")
    try:
        loop_times, beam_times = [], []
        for _ in range(args.repeat):
            with spawn.Pool(1) as pool:
                loop_times.append(pool.apply(_timed, ("loop", args.config, args.workers, str(tmp / "loop"))))
            with spawn.Pool(1) as pool:
                beam_times.append(pool.apply(_timed, ("beam", args.config, args.workers, str(tmp / "beam"))))
        loop_s, beam_s = min(loop_times), min(beam_times)
        print(f"config: {args.config}  items: {items}  tasks: {len(config.tasks)}  workers: {args.workers}")
        print(f"plain single-process loop: {loop_s:8.2f} s  {items / loop_s:10.1f} items/s  "
              f"(runs: {', '.join(f'{t:.1f}' for t in loop_times)})")
        print(f"beam FnApiRunner x{args.workers}:     {beam_s:8.2f} s  {items / beam_s:10.1f} items/s  "
              f"(runs: {', '.join(f'{t:.1f}' for t in beam_times)})")
        print(f"ratio beam/loop: {loop_s / beam_s:.2f}x  (target >= 1.5x)")
        same = _data_files(tmp / "loop") == _data_files(tmp / "beam")
        print(f"same output files from both (byte for byte, manifest aside): {same}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
