"""Items/s (generate + verify answer + replay trace) on one core for six TAIL tasks, per bucket and rendering.

    .venv/bin/python bench/tail_vs_addition.py [--items 2000] [--tasks tail/division,tail/derangement]

The baseline is tail/addition, measured the same way in the same run; the ratio column is task items/s
divided by addition's items/s in the same bucket. The last column projects the paper-sized set of one task
(100k train S items + 500 test items per bucket) on one core from the measured rates.
"""

from __future__ import annotations

import argparse
import time

from reasonry.registry import get_task, get_verifier
from reasonry.rng import item_rng
from reasonry.task import ItemKey

TASKS = ("tail/division", "tail/bubble_sort", "tail/word_flip", "tail/compare_numbers", "tail/any_substring",
         "tail/derangement")
BASELINE = "tail/addition"


def rate(name: str, bucket: str, rendering: str, items: int) -> tuple[float, float]:
    """(items/s, mean trace characters) for ``items`` items of one task, bucket and rendering."""
    task = get_task(name)
    config = task.Config(rendering=rendering)
    verifier = get_verifier("tail")
    chars = 0
    start = time.perf_counter()
    for index in range(items):
        record = task.generate(config, ItemKey(name, "train", bucket, index),
                               item_rng(0, name, index, "train", bucket))
        spec = record["verifier"]["spec"]
        if not (verifier.verify(spec, record["answer"]).ok and verifier.check_trace(spec, record["trace"]).ok):
            raise SystemExit(f"{name} {bucket} {index}: gold item fails its own checks")
        chars += len(record["trace"])
    return items / (time.perf_counter() - start), chars / items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--tasks", default=",".join(TASKS))
    args = parser.parse_args()
    names = [t for t in args.tasks.split(",") if t]
    base = {(b, r): rate(BASELINE, b, r, args.items)[0] for b in "SML" for r in ("terse", "styled")}
    print(f"{'task':24} {'bucket':6} {'rendering':9} {'items/s':>9} {'x addition':>10} {'trace chars':>11}")
    for b in "SML":
        for r in ("terse", "styled"):
            print(f"{BASELINE:24} {b:6} {r:9} {base[b, r]:9.0f} {1.0:10.2f} {'':>11}")
    for name in names:
        rates = {}
        for b in "SML":
            for r in ("terse", "styled"):
                per_s, chars = rate(name, b, r, args.items)
                rates[b, r] = per_s
                print(f"{name:24} {b:6} {r:9} {per_s:9.0f} {per_s / base[b, r]:10.2f} {chars:11.0f}")
        seconds = 100_000 / rates["S", "terse"] + sum(500 / rates[b, "terse"] for b in "SML")
        print(f"{name:24} paper-sized set (100k train S + 3 x 500 test), one core: {seconds:.0f} s")


if __name__ == "__main__":
    main()
