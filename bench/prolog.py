"""Prolog programs verified per second: the worker pool against one ``swipl`` process per program.

Both sides run the same generated programs (all ten families, mixed evolution levels) in the same run, with
the same parallelism (``--workers``). The baseline is exactly the ProtoReasoning query,
``swipl -q -f prog.pl -t solve_json,halt``, one process per program; the pool also runs the sandbox check, so
it does strictly more work per program. Both outputs are compared after canonicalisation.

Then ``--memory-programs`` programs (each with a unique atom, so atom garbage collection is exercised) go
through the pool while the workers' resident memory is printed at intervals, with the peak at the end.

    .venv/bin/python bench/prolog.py [--programs 200] [--workers 2] [--memory-programs 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from reasonry.generators.prolog.coloring import GraphColoring
from reasonry.generators.prolog.cryptarithm import Cryptarithm
from reasonry.generators.prolog.kinship import Kinship
from reasonry.generators.prolog.knights import KnightsKnaves
from reasonry.generators.prolog.list_recursion import ListRecursion
from reasonry.generators.prolog.nqueens import NQueens
from reasonry.generators.prolog.scheduling import Scheduling
from reasonry.generators.prolog.shortest_path import ShortestPath
from reasonry.generators.prolog.sudoku import Sudoku
from reasonry.generators.prolog.syllogism import Syllogism
from reasonry.generators.prolog.zebra import Zebra
from reasonry.verifiers.prolog.output import OutputError, canonical, parse_single_object
from reasonry.verifiers.prolog.pool import PoolSettings, PrologPool

FAMILIES = (NQueens, GraphColoring, Sudoku, Cryptarithm, Scheduling, ShortestPath, Kinship, KnightsKnaves,
            ListRecursion, Syllogism, Zebra)


def programs(count: int, seed: int = 0) -> list[str]:
    out: list[str] = []
    i = 0
    while len(out) < count:
        family = FAMILIES[i % len(FAMILIES)]()
        inst = family.build(family.Config(evolution=(i // len(FAMILIES)) % 2), random.Random(f"bench-{seed}-{i}"))
        i += 1
        if inst is not None:
            out.append(inst.program)
    return out


def answer(text: str) -> str:
    try:
        return canonical(parse_single_object(text))
    except OutputError as exc:
        return f"<{exc.reason}>"


def run_baseline(progs: list[str], workers: int, workdir: str) -> tuple[float, list[str]]:
    paths = []
    for i, text in enumerate(progs):
        path = os.path.join(workdir, f"prog{i}.pl")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        paths.append(path)

    def one(path: str) -> str:
        done = subprocess.run(["swipl", "-q", "-f", path, "-t", "solve_json,halt"], capture_output=True, text=True,
                              timeout=60, cwd=workdir)
        return answer(done.stdout)

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        outs = list(ex.map(one, paths))
    return time.perf_counter() - started, outs


def run_pool(pool: PrologPool, progs: list[str]) -> tuple[float, list[str]]:
    started = time.perf_counter()
    results = pool.run_many(progs)
    elapsed = time.perf_counter() - started
    return elapsed, [answer(r.output) if r.ok else f"<{r.reason}>" for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", type=int, default=200, help="programs in the speed comparison")
    parser.add_argument("--workers", type=int, default=2, help="parallel processes on both sides")
    parser.add_argument("--memory-programs", type=int, default=10_000)
    parser.add_argument("--report-every", type=int, default=1000)
    args = parser.parse_args()

    progs = programs(args.programs)
    print(f"{len(progs)} generated programs from {len(FAMILIES)} families, {args.workers} parallel workers")
    with PrologPool(PoolSettings(size=args.workers, max_programs=10**9)) as pool:
        run_pool(pool, progs[:20])  # first use of each library in each worker is not what we measure
        pool_s, pool_out = run_pool(pool, progs)
        with tempfile.TemporaryDirectory(prefix="reasonry-bench-") as tmp:
            base_s, base_out = run_baseline(progs, args.workers, tmp)
        agree = sum(a == b for a, b in zip(pool_out, base_out, strict=True))
        for label, seconds in (("one swipl per program  ", base_s), ("worker pool (sandboxed)", pool_s)):
            print(f"{label}: {len(progs) / seconds:8.1f} programs/s ({1000 * seconds / len(progs):.1f} ms each)")
        print(f"speed-up: {base_s / pool_s:.1f}x   (target >= 20x)")
        print(f"same canonical answer on both sides: {agree}/{len(progs)}")

        print(f"\nmemory over {args.memory_programs} programs (resident memory summed over the workers):")
        base = programs(500, seed=1)
        start_rss, _ = pool.memory_kb()
        print(f"  after warm-up: {start_rss / 1024:.1f} MiB")
        done, failures, started = 0, 0, time.perf_counter()
        while done < args.memory_programs:
            batch = min(args.report_every, args.memory_programs - done)
            chunk = [f"{base[(done + j) % len(base)]}\ninstance_tag(tag_{done + j}).\n" for j in range(batch)]
            failures += sum(not r.ok for r in pool.run_many(chunk))
            done += batch
            rss, peak = pool.memory_kb()
            print(f"  {done:6d} programs: rss {rss / 1024:7.1f} MiB   peak {peak / 1024:7.1f} MiB   "
                  f"({done / (time.perf_counter() - started):.0f} programs/s)")
        rss, peak = pool.memory_kb()
        print(f"peak resident memory of the pool: {peak / 1024:.1f} MiB; growth from warm-up to end: "
              f"{(rss - start_rss) / 1024:+.1f} MiB; failed programs: {failures}; restarts: {pool.restarts}")


if __name__ == "__main__":
    main()
