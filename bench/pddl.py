"""PDDL throughput: problems generated + solved + validated per second, and where the time goes.

Per domain, N fresh problems (planner cache cleared) go through the task's ``generate`` (draw the problem,
build it in unified-planning, Fast Downward through unified-planning, STRIPS check, trace) and then through
the verifier exactly as the pipeline's verify stage runs it (parse the PDDL text, unified-planning's
sequential plan validator). Baseline, measured in the same run: the planner process itself (unified-planning's
``engine_internal_time``). Reported:

- items/s end to end;
- planner share: planner process seconds / total seconds;
- our overhead vs planner = (total - planner call through unified-planning) / planner process seconds: the
  target is <= 20%; the unified-planning wrapper (writing PDDL files, reading the plan back) is shown apart;
- plans validated per second by ``verify``: cold (each problem read again; the domain template stays cached
  per process, as in a verify worker), warm (parsed problem cached), and the baseline ``UPread`` that reads
  domain and problem with unified-planning's reader for every plan.

Run: ``.venv/bin/python bench/pddl.py [--n 10] [--kind plan_generation] [--domains blocksworld,ferry]``
"""

from __future__ import annotations

import argparse
import time

import reasonry.verifiers.pddl as pddl_verifier
from reasonry.generators.pddl import planner
from reasonry.generators.pddl.index import DOMAINS
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verifiers.pddl import verify
from reasonry.verifiers.pddl.problems import load, load_with_reader


def bench_domain(domain: str, kind: str, n: int, seed: int) -> dict:
    task = get_task(f"pddl/{domain}/{kind}")
    task.setup()  # planner started, domain read: once per worker in a build, outside the timed region
    config = task.default_config()
    planner.clear_cache()
    for k in planner.STATS:
        planner.STATS[k] = 0
    load.cache_clear()
    gen_s = ver_s = 0.0
    items, specs, rejected = 0, [], 0
    for i in range(n):
        key = ItemKey(task.name, "train", None, i)
        t0 = time.perf_counter()
        record = task.generate(config, key, item_rng(seed, task.name, i))
        t1 = time.perf_counter()
        gen_s += t1 - t0
        if record is None:
            rejected += 1
            continue
        verdict = verify(record["verifier"]["spec"], record["answer"])
        ver_s += time.perf_counter() - t1
        assert verdict.ok, verdict.reason
        items += 1
        specs.append((record["verifier"]["spec"], record["answer"]))
    total = gen_s + ver_s
    proc = planner.STATS["planner_seconds"]
    call = planner.STATS["call_seconds"]
    # validation throughput on the same plans: cold parses every problem again, warm reuses the parse
    reps = 3
    t0 = time.perf_counter()
    for _ in range(reps):
        load.cache_clear()
        for spec, answer in specs:
            verify(spec, answer)
    cold = reps * len(specs) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(reps):
        for spec, answer in specs:
            verify(spec, answer)
    warm = reps * len(specs) / (time.perf_counter() - t0)
    # baseline for the verifier: unified-planning's reader on both texts for every plan, no template
    fast_load = pddl_verifier.load
    pddl_verifier.load = load_with_reader
    try:
        t0 = time.perf_counter()
        for spec, answer in specs:
            assert verify(spec, answer).ok
        reader = len(specs) / (time.perf_counter() - t0)
    finally:
        pddl_verifier.load = fast_load
    return {"domain": domain, "items": items, "rejected": rejected, "total_s": total, "items_per_s": items / total,
            "planner_s": proc, "planner_share": proc / total, "wrapper_vs_planner": (call - proc) / proc,
            "ours_vs_planner": (total - call) / proc, "gen_only_vs_planner": (gen_s - call) / proc,
            "validate_cold_per_s": cold, "validate_warm_per_s": warm, "validate_reader_per_s": reader}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10, help="problems per domain")
    parser.add_argument("--kind", default="plan_generation", help="task kind, e.g. plan_generation_optimal")
    parser.add_argument("--domains", default=",".join(DOMAINS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    header = (f"{'domain':<12} {'items':>5} {'rej':>3} {'items/s':>8} {'planner':>8} {'share':>6} "
              f"{'ours/pl':>8} {'gen/pl':>7} {'UPwrap/pl':>9} {'val/s cold':>10} {'val/s warm':>10}")
    print(f"kind={args.kind} n={args.n} (ratios are against the planner process time measured in this run)")
    print(header)
    rows = []
    for domain in args.domains.split(","):
        r = bench_domain(domain, args.kind, args.n, args.seed)
        rows.append(r)
        print(f"{r['domain']:<12} {r['items']:>5} {r['rejected']:>3} {r['items_per_s']:>8.2f} "
              f"{r['planner_s']:>7.2f}s {r['planner_share']:>6.0%} {r['ours_vs_planner']:>8.0%} "
              f"{r['gen_only_vs_planner']:>7.0%} {r['wrapper_vs_planner']:>9.0%} "
              f"{r['validate_cold_per_s']:>10.1f} {r['validate_warm_per_s']:>10.1f} "
              f"{r['validate_reader_per_s']:>12.1f}")
    total = sum(r["total_s"] for r in rows)
    items = sum(r["items"] for r in rows)
    proc = sum(r["planner_s"] for r in rows)
    print(f"all: {items} items in {total:.2f}s = {items / total:.2f} items/s; planner process {proc:.2f}s "
          f"({proc / total:.0%} of the time)")
    get_task(f"pddl/{args.domains.split(',')[0]}/{args.kind}").teardown()


if __name__ == "__main__":
    main()
