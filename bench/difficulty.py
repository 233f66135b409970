"""Difficulty levels measured: per task and level, the solver's effort, generation time, trace length, distinct
problems among draws, and the share of draws given up (limits, no unique puzzle, planner timeouts).

    .venv/bin/python bench/difficulty.py                      # one task per generator, 8 items a level
    .venv/bin/python bench/difficulty.py --items 20 --draws 1000 --tasks prolog/zebra/solve

Effort is the solver's own measure: SWI-Prolog inferences of the answer program (Prolog), the planner's run
time (PDDL; Fast Downward through unified-planning reports no expansion count), and for MCTS the steps of the
verified solution path (the search tree's size follows the configured budget, not the problem). Each line
also gives the ratio of the level's p50 effort to level 1's, measured in the same run. The distinct count draws
instances only (for PDDL and MCTS without solving them; for Prolog the family's draw, which for unique zebra
puzzles includes its solver calls).
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

DEFAULT = [n for n in task_names() if n.split("/")[0] in ("prolog", "pddl", "mcts")
           and n.endswith(("/solve", "/plan_generation", "/direct"))] + [
    "pddl/blocksworld/plan_generation_optimal", "pddl/logistics/plan_generation_optimal"]

PEERS = """Ceilings against the peers (the hardest level's sizes, from the records above):
  zebra        ours 7 houses x 7 attributes, unique         | reasoning-gym 7x7; ZebraLogic ~6x6
  sudoku       ours 9x9 unique, 54-64 blanks asked          | 9x9, 50-64 blanks (all three peers)
  countdown    ours 7 numbers, targets to 500               | Enigmata 7 numbers / 500; reasoning-gym curriculum 15
  knights      ours 19-20 people                            | SynLogic up to 18
  cryptarithm  ours 6-8 addends, products of 3-4 digit words| reasoning-gym up to 50 addends; SynLogic with x
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

        def run_json_probe(program, goal="solve_json", **limits):
            started = time.perf_counter()
            value, inferences = run_json(program, goal, **limits)
            if goal == "solve_json":
                self.effort, self.seconds = float(inferences), time.perf_counter() - started
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


def measure(name: str, level: int, items: int, draws: int, probe: Probe) -> dict:
    task = get_task(name)
    config = task.make_config({"difficulty": level})
    efforts, solver_seconds, seconds, traces, rejected = [], [], [], [], 0
    for index in range(items):
        probe.effort = probe.seconds = None
        started = time.perf_counter()
        try:
            record = task.generate(config, ItemKey(name, "train", None, index),
                                   item_rng(0, name, index, "train", None))
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
    seen = set()
    for index in range(draws):
        try:
            problem = draw_problem(task, config, item_rng(1, name, index, "train", None))
        except Exception:
            problem = None
        if problem is not None:
            seen.add(problem)
    return {"effort_p50": pct(efforts, 0.5), "effort_p95": pct(efforts, 0.95),
            "solve_p50": pct(solver_seconds, 0.5), "solve_p95": pct(solver_seconds, 0.95),
            "gen_s_p50": statistics.median(seconds), "trace_p50": pct(traces, 0.5),
            "distinct": len(seen), "draws": draws, "rejected": rejected / items}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="*", default=DEFAULT)
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--draws", type=int, default=200)
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
            m = measure(name, level, args.items, args.draws, probe)
            base = base or m["effort_p50"]
            ratio = m["effort_p50"] / base if base else float("nan")
            print(f"{name:44} {level:>3} {m['effort_p50']:>11.4g} {m['effort_p95']:>11.4g} {ratio:>7.2f} "
                  f"{m['solve_p50']:>7.2f} {m['solve_p95']:>6.2f} {m['gen_s_p50']:>6.2f} {m['trace_p50']:>6.0f} "
                  f"{m['distinct']:>4}/{m['draws']:<4} {m['rejected']:>8.0%}", flush=True)
            # below the previous level by more than the run-to-run noise of a p50 (measured ~5% on flat tasks)
            if previous is not None and m["effort_p50"] < FLAT * previous:
                monotone_breaks.append(f"{name} level {level}")
            if m["effort_p50"] == m["effort_p50"]:  # not NaN
                previous = m["effort_p50"]
        print(f"{'':44} effort unit: {unit[task.family]}")
    print()
    print("effort p50 non-decreasing across levels (within 10%):", "yes" if not monotone_breaks else
          "no, at " + ", ".join(monotone_breaks))
    print(PEERS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
