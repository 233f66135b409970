"""Difficulty levels measured: per task and level, the solver's effort, generation time, trace length, distinct
problems among draws, and the share of draws given up (limits, no unique puzzle, planner timeouts). It ends with
the list of levels whose p50 effort falls below the previous level's (empty when every task is monotone).

    .venv/bin/python bench/difficulty.py                      # every levelled task, 8 items a level
    .venv/bin/python bench/difficulty.py --items 20 --draws 1000 --tasks prolog/zebra/solve

Effort is the solver's own measure: SWI-Prolog inferences of the answer program (Prolog), the planner's run
time (PDDL; Fast Downward through unified-planning reports no expansion count), and for MCTS the steps of the
verified solution path (the search tree's size follows the configured budget, not the problem). Each line
also gives the ratio of the level's p50 effort to level 1's, measured in the same run. The distinct count draws
instances only (for PDDL and MCTS without solving them; for Prolog the family's draw, which for unique zebra
and Sudoku puzzles includes the solver calls of the digging), for at most ``--draw-seconds`` a level.

The tasks of one instance generator (a Prolog family's two modes, a PDDL domain's kinds, an MCTS environment's
two modes) draw from the generator's rng stream, as in tests/test_difficulty_levels.py: they pose the same
instances, so a Prolog program's run and a plan are computed once (the planner's cache, a memo of SWI-Prolog's
output here) and the distinct count is the generator's.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from reasonry.hashing import canonical_json
from reasonry.registry import get_task, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey

LEVELLED = [n for n in task_names() if n.split("/")[0] in ("prolog", "pddl", "mcts")]
REPRESENTATIVES = [n for n in LEVELLED if n.endswith(("/solve", "/plan_generation", "/direct"))]


def generator(name: str) -> str:
    """The representative task of ``name``'s instance generator (whose rng stream its tasks share)."""
    family = name.rsplit("/", 1)[0] + "/"
    return next((n for n in REPRESENTATIVES if n.startswith(family)), name)


# a generator's representative first, so that the other tasks find its runs
DEFAULT = [n for rep in REPRESENTATIVES for n in [rep] + [m for m in LEVELLED if m != rep and generator(m) == rep]]

PEERS = """Ceilings against the peers (the hardest level's sizes, from the records above):
  zebra        ours 7 houses x 7 attributes, unique         | reasoning-gym 7x7; ZebraLogic ~6x6
  sudoku       ours 9x9 unique, 59-62 blanks (63-64 not found)| 9x9, 50-64 blanks (all three peers)
  countdown    ours 7 numbers, targets to 500               | Enigmata 7 numbers / 500; reasoning-gym curriculum 15
  knights      ours 19-20 people                            | SynLogic up to 18
  cryptarithm  ours 6-8 addends, products of 3-4 digit words| reasoning-gym up to 50 addends; SynLogic with x
               (at most 10 letters: more addends do not raise the effort, see cryptarithm.py)
  nqueens      ours counting on 11-12 boards                | reasoning-gym 12
  PDDL         ours 16-18 blocks, 6-city logistics (satisficing); optimal to 12 blocks / 4-city logistics"""


FLAT = 0.9  # a level's p50 effort within 10% below the previous level's counts as level, not easier


class Probe:
    """Captures the solver's effort and time of the item being generated."""

    def __init__(self):
        self.effort: float | None = None
        self.seconds: float | None = None
        self._install()

    def _install(self) -> None:
        from reasonry.generators.pddl import planner, tasks
        from reasonry.generators.prolog import common

        run_json, solve = common.run_json, planner.solve
        memo: dict = {}

        def run_json_probe(program, goal="solve_json", **limits):
            key = (program, goal, tuple(sorted(limits.items())))
            if key not in memo:  # a rejection is not kept: the next task pays it again
                started = time.perf_counter()
                memo[key] = (run_json(program, goal, **limits), time.perf_counter() - started)
            (value, inferences), seconds = memo[key]
            if goal == "solve_json":
                self.effort, self.seconds = float(inferences), seconds
            return value, inferences

        def solve_probe(*args, **kwargs):
            solution = solve(*args, **kwargs)
            self.seconds = solution.planner_seconds
            return solution

        common.run_json = run_json_probe
        tasks.planner.solve = solve_probe


def draw_problem(task, config, rng: random.Random):
    """The instance a draw would pose, without solving it, in canonical form."""
    family = task.family
    if family == "prolog":
        inst = task.problem_family.build(config, rng)
        return None if inst is None else canonical_json(inst.problem)
    if family == "pddl":
        return canonical_json(task.domain.draw(config, rng).canonical())
    env = task.make_env(config, rng)
    return None if env is None else canonical_json(task.problem(env))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


_DISTINCT: dict = {}


def distinct(name: str, level: int, draws: int, seconds: float) -> tuple[int, int]:
    """Distinct problems among the generator's draws at this level: (distinct, draws done in the time)."""
    key = (generator(name), level)
    if key not in _DISTINCT:
        task = get_task(name)
        config = task.make_config({"difficulty": level})
        seen, done, started = set(), 0, time.perf_counter()
        for index in range(draws):
            if time.perf_counter() - started > seconds:
                break
            try:
                problem = draw_problem(task, config, item_rng(1, key[0], index, "train", None))
            except Exception:
                problem = None
            done += 1
            if problem is not None:
                seen.add(problem)
        _DISTINCT[key] = (len(seen), done)
    return _DISTINCT[key]


def measure(name: str, level: int, items: int, draws: int, probe: Probe, draw_seconds: float = 60.0) -> dict:
    task = get_task(name)
    config = task.make_config({"difficulty": level})
    efforts, solver_seconds, seconds, traces, rejected = [], [], [], [], 0
    for index in range(items):
        probe.effort = probe.seconds = None
        started = time.perf_counter()
        try:
            record = task.generate(config, ItemKey(name, "train", None, index),
                                   item_rng(0, generator(name), index, "train", None))
        except Exception:  # a limit reached: a counted reject in a build
            record = None
        seconds.append(time.perf_counter() - started)
        if record is None:
            rejected += 1
            continue
        if task.family == "prolog":
            effort = probe.effort
        elif task.family == "pddl":
            effort = record["difficulty"]["plan_length"]
        else:
            effort = len(record["meta"]["search"]["path_q"])
        if effort is not None:
            efforts.append(effort)
        solver_seconds.append(probe.seconds if probe.seconds is not None else seconds[-1])
        traces.append(len(record["trace"] or ""))
    seen, done = distinct(name, level, draws, draw_seconds)
    return {"effort_p50": pct(efforts, 0.5), "effort_p95": pct(efforts, 0.95),
            "solve_p50": pct(solver_seconds, 0.5), "solve_p95": pct(solver_seconds, 0.95),
            "gen_s_p50": statistics.median(seconds), "trace_p50": pct(traces, 0.5),
            "distinct": seen, "draws": done, "rejected": rejected / items}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="*", default=DEFAULT)
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--draw-seconds", type=float, default=60.0, help="time for the draws of one level")
    args = parser.parse_args(argv)
    probe = Probe()
    unit = {"prolog": "SWI-Prolog inferences of the answer program; solve s = that run",
            "pddl": "steps of the planner's plan; solve s = the planner's own run time",
            "mcts": "steps of the verified solution path; solve s = the whole search"}
    print(f"{'task':44} {'lvl':>3} {'effort p50':>11} {'p95':>11} {'x lvl1':>7} {'solve s':>7} {'p95':>6} "
          f"{'gen s':>6} {'trace':>6} {'distinct':>9} {'rejected':>8}")
    monotone_breaks = []
    for name in args.tasks:
        task = get_task(name)
        base = previous = None
        for level in range(1, len(task.levels) + 1):
            m = measure(name, level, args.items, args.draws, probe, args.draw_seconds)
            base = base or m["effort_p50"]
            ratio = m["effort_p50"] / base if base else float("nan")
            print(f"{name:44} {level:>3} {m['effort_p50']:>11.4g} {m['effort_p95']:>11.4g} {ratio:>7.2f} "
                  f"{m['solve_p50']:>7.2f} {m['solve_p95']:>6.2f} {m['gen_s_p50']:>6.2f} {m['trace_p50']:>6.0f} "
                  f"{m['distinct']:>4}/{m['draws']:<4} {m['rejected']:>8.0%}", flush=True)
            # below the previous level by more than the run-to-run noise of a p50 (measured ~5% on flat tasks)
            if previous is not None and m["effort_p50"] < FLAT * previous:
                monotone_breaks.append(f"{name} level {level}: p50 {m['effort_p50']:.4g} < {previous:.4g}")
            if m["effort_p50"] == m["effort_p50"]:  # not NaN
                previous = m["effort_p50"]
        print(f"{'':44} effort unit: {unit[task.family]}")
    print()
    print(f"effort p50 non-decreasing across levels (within 10%) for {len(args.tasks)} tasks:",
          "yes" if not monotone_breaks else "no")
    print(f"violations ({len(monotone_breaks)}):", monotone_breaks)
    print(PEERS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
