"""Items/s of every TAIL task on one core, the projected build time of the paper-sized TAIL set, and a
comparison with reasoning-gym's tasks of the same kind, measured in the same run.

    .venv/bin/python bench/tail.py [--items 1000] [--tasks tail/lcs,tail/knapsack] [--no-peer]

Set-up for the comparison (once; reasoning-gym's pins conflict with ours, so it lives in its own venv, which
``.gitignore`` keeps out of git via ``.venv-*/``):

    make bench-setup        # = python3 -m venv .venv-bench && .venv-bench/bin/pip install reasoning-gym==0.1.25

Without ``.venv-bench`` the comparison is skipped with a note and everything else still runs.

What is measured: ours = generate an item + verify its gold answer + replay its gold trace (the pipeline's
Generate and Verify work per item, without Beam or Parquet: see bench/pipeline_overhead.py for those);
theirs = ``dataset[i]`` + ``score_answer(gold, entry)``, with reasoning-gym's sizes set close to our S bucket.
Both run pinned to the same single CPU, one after the other, and are timed in CPU seconds of their own
process (``time.process_time``): this machine is shared, and wall-clock rates swing several-fold with other
people's load while CPU time does not. The projection sums, per task, 100k train
items at the S rate and 500 test items at each of the S, M and L rates, and divides by the 2 cores of this
machine (target: under one hour).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from reasonry.registry import get_task, get_verifier, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey

ROOT = Path(__file__).resolve().parent.parent
PEER_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
TRAIN, TEST, CORES, TARGET_S = 100_000, 500, 2, 3600

# our task -> (reasoning-gym dataset, its config set close to our S bucket). Only tasks of the same kind:
# reasoning-gym has no knapsack, LCS, edit distance, binary search, derangement, Diophantine, scheduling,
# population-growth, substring-listing or number-comparison task.
PEERS: dict[str, tuple[str, dict]] = {
    "tail/addition": ("basic_arithmetic", {"min_terms": 2, "max_terms": 2, "min_digits": 10, "max_digits": 30,
                                           "operators": ["+"], "allow_parentheses": False, "allow_negation": False}),
    "tail/division": ("basic_arithmetic", {"min_terms": 2, "max_terms": 2, "min_digits": 2, "max_digits": 5,
                                           "operators": ["/"], "allow_parentheses": False, "allow_negation": False}),
    "tail/bubble_sort": ("number_sorting", {"min_numbers": 2, "max_numbers": 4}),
    "tail/word_flip": ("spell_backward", {}),
    "tail/count_letters": ("letter_counting", {"min_words": 2, "max_words": 6}),
    "tail/prime_search": ("count_primes", {"min_n": 5, "max_n": 100}),
    "tail/dijkstra": ("shortest_path", {"min_rows": 3, "max_rows": 5, "min_cols": 3, "max_cols": 5}),
    "tail/palindrome_combination": ("palindrome_generation", {"min_length": 2, "max_length": 4}),
}

# Run inside .venv-bench: reads [[dataset, config, items], ...] on stdin, prints {dataset+config: items/s}.
PEER_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import reasoning_gym
jobs = json.load(sys.stdin)
out = {}
for name, config, items in jobs:
    config = {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
    ds = reasoning_gym.create_dataset(name, size=items + 20, seed=7, **config)
    for i in range(items, items + 20):  # warm-up, as on our side
        ds.score_answer(ds[i]["answer"], ds[i])
    start = time.process_time()
    total = 0.0
    for i in range(items):
        entry = ds[i]
        total += ds.score_answer(entry["answer"], entry)
    seconds = time.process_time() - start
    if total < items:
        raise SystemExit(f"{name}: its own gold answers score {total}/{items}")
    out[json.dumps([name, config], sort_keys=True)] = items / seconds
print(json.dumps(out))
"""


def pin_to_one_core() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def our_rate(name: str, bucket: str, items: int, rendering: str = "terse", replay: bool = True) -> tuple[float, float]:
    """(items/s, mean trace characters) for generate + verify answer (+ replay trace)."""
    task = get_task(name)
    config = task.Config(rendering=rendering)
    verifier = get_verifier(task.verifier_kind)
    chars = produced = 0
    for index in range(items, items + 20):  # warm-up: imports, compiled patterns, caches
        task.generate(config, ItemKey(name, "train", bucket, index), item_rng(1, name, index, "train", bucket))
    start = time.process_time()
    for index in range(items):
        record = task.generate(config, ItemKey(name, "train", bucket, index), item_rng(0, name, index, "train", bucket))
        if record is None:
            continue
        produced += 1
        spec = record["verifier"]["spec"]
        ok = verifier.verify(spec, record["answer"]).ok
        if not ok or (replay and not verifier.check_trace(spec, record["trace"]).ok):
            raise SystemExit(f"{name} {bucket} {index}: a gold item fails its own checks")
        chars += len(record["trace"])
    seconds = time.process_time() - start
    return produced / seconds, chars / max(produced, 1)


def peer_rates(jobs: list[tuple[str, dict, int]]) -> dict[str, float] | str:
    if not PEER_PYTHON.exists():
        return f"reasoning-gym comparison skipped: {PEER_PYTHON} is missing (run `make bench-setup`)"
    proc = subprocess.run([str(PEER_PYTHON), "-c", PEER_SCRIPT], input=json.dumps(jobs), capture_output=True,
                          text=True, timeout=1800)
    if proc.returncode != 0:
        return f"reasoning-gym comparison failed: {proc.stderr.strip()[-500:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000, help="items per task and bucket (M and L use a third)")
    parser.add_argument("--tasks", default="", help="comma-separated task names (default: every TAIL task)")
    parser.add_argument("--no-peer", action="store_true", help="skip the reasoning-gym comparison")
    args = parser.parse_args()
    names = [t for t in args.tasks.split(",") if t] or [n for n in task_names() if n.startswith("tail/")]
    cpu = pin_to_one_core()
    wall = time.perf_counter()
    print(f"pinned to cpu {cpu}; {args.items} S items and {max(1, args.items // 3)} M/L items per task\n")

    print(f"{'task':29} {'S it/s':>8} {'M it/s':>8} {'L it/s':>8} {'S styled':>9} "
          f"{'S chars':>8} {'L chars':>8} {'paper set, 1 core':>18}")
    total = 0.0
    ours: dict[str, float] = {}
    for name in names:
        rates, chars = {}, {}
        for bucket in "SML":
            n = args.items if bucket == "S" else max(1, args.items // 3)
            rates[bucket], chars[bucket] = our_rate(name, bucket, n)
        styled, _ = our_rate(name, "S", max(1, args.items // 3), "styled")
        seconds = TRAIN / rates["S"] + sum(TEST / rates[b] for b in "SML")
        total += seconds
        ours[name] = rates["S"]
        print(f"{name:29} {rates['S']:8.0f} {rates['M']:8.0f} {rates['L']:8.0f} {styled:9.0f} "
              f"{chars['S']:8.0f} {chars['L']:8.0f} {seconds:16.0f} s", flush=True)
    projected = total / CORES
    print(f"\npaper-sized set: {len(names)} tasks x ({TRAIN} train S + 3 x {TEST} test) = "
          f"{len(names) * (TRAIN + 3 * TEST)} items")
    print(f"  one core: {total:.0f} s; projected on {CORES} cores: {projected:.0f} s = {projected / 60:.1f} min "
          f"(target < {TARGET_S // 60} min: {'met' if projected < TARGET_S else 'NOT met'}); "
          f"generate + verify only, Beam and Parquet overhead not included")
    print(f"  (rates in items per CPU second; this measurement took {time.perf_counter() - wall:.0f} s wall clock)")

    if args.no_peer:
        return
    matched = [n for n in names if n in PEERS]
    jobs = [(PEERS[n][0], PEERS[n][1], args.items) for n in matched]
    theirs = peer_rates(jobs)
    print()
    if isinstance(theirs, str):
        print(theirs)
        return
    print(f"{'our task (S)':29} {'reasoning-gym task':22} {'ours it/s':>10} {'theirs it/s':>12} {'ours/theirs':>12} "
          f"{'ours, no replay':>16} {'ratio':>6}")
    for name in matched:
        dataset, config = PEERS[name]
        rate = theirs[json.dumps([dataset, config], sort_keys=True)]
        bare, _ = our_rate(name, "S", args.items, replay=False)
        print(f"{name:29} {dataset:22} {ours[name]:10.0f} {rate:12.0f} {ours[name] / rate:12.2f} "
              f"{bare:16.0f} {bare / rate:6.2f}")
    print("ours = generate + verify answer + replay the gold trace; 'no replay' = generate + verify answer, the "
          "same work as theirs (generate + score), though each of our items also writes a full trace")


if __name__ == "__main__":
    sys.exit(main())
