"""Fast Downward through unified-planning, started lazily once per process.

Two configurations: satisficing (``lama-first``, the first plan of LAMA) and cost-optimal (A* with the LM-cut
heuristic, unified-planning's ``fast-downward-opt``). Each call has a wall-clock limit; unified-planning kills
the planner's process group when it runs out, and the problem is rejected with reason ``planner_timeout``.

Fallback: if Fast Downward cannot be started (``up-fast-downward`` missing or its binary unusable on this
platform), pyperplan is used (``pyperplan`` greedy best-first for satisficing, ``pyperplan-opt`` A* for
optimal). Pyperplan runs in-process and ignores time limits, so with the fallback a limit is not enforced;
``Solution.planner`` names the planner that produced every plan and generators record it in ``meta``.

Results are cached per process by (problem text, configuration, limit): the planner is deterministic, and
generating the same key twice (determinism checks, retries) should not pay for the search twice.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from dataclasses import dataclass

from reasonry.verifiers.pddl.problems import quiet_environment

SATISFICING = "satisficing"
OPTIMAL = "optimal"
_ENGINES = {SATISFICING: ("fast-downward", "pyperplan"), OPTIMAL: ("fast-downward-opt", "pyperplan-opt")}
_CACHE_SIZE = 512

# status -> rejection reason
REASONS = {
    "TIMEOUT": "planner_timeout",
    "UNSOLVABLE_PROVEN": "unsolvable",
    "UNSOLVABLE_INCOMPLETELY": "no_plan_found",
    "MEMOUT": "planner_memout",
    "UNSUPPORTED_PROBLEM": "planner_unsupported",
    "INTERNAL_ERROR": "planner_error",
}


@dataclass(frozen=True)
class Solution:
    reason: str | None  # None when solved, else the rejection reason
    plan: tuple[tuple[str, tuple[str, ...]], ...] | None
    planner: str
    planner_seconds: float  # the planner process itself, as unified-planning measures it
    call_seconds: float  # the whole call: writing PDDL, running the planner, reading its plan


class _Engines:
    def __init__(self):
        self._engines: dict[str, object] = {}
        self._names: dict[str, str] = {}

    def get(self, config: str):
        if config not in self._engines:
            from unified_planning.shortcuts import OneshotPlanner

            quiet_environment()
            errors = []
            for name in _ENGINES[config]:
                try:
                    engine = OneshotPlanner(name=name)
                    # Our domains are fixed typed STRIPS that both planners support; the per-call check
                    # recomputes the problem kind by walking every expression, which costs more than a small search.
                    engine.skip_checks = True
                    _reuse_plan_reader(engine)
                    _private_sas_file(engine)
                    self._engines[config] = engine
                    self._names[config] = name
                    break
                except Exception as exc:  # engine not installed or not usable here: try the fallback
                    errors.append(f"{name}: {type(exc).__name__}: {exc}")
            else:
                raise RuntimeError("no planner available: " + "; ".join(errors))
        return self._engines[config], self._names[config]

    def close(self):
        for engine in self._engines.values():
            try:
                engine.destroy()
            except Exception:  # an engine that cannot clean up must not stop the others
                pass
        self._engines.clear()
        self._names.clear()


def _private_sas_file(engine) -> None:
    """Fast Downward's translator writes ``output.sas`` into the current directory by default, so two planner
    runs in one directory (Beam workers, parallel test runs) read each other's tasks and return plans for the
    wrong problem. Each run gets its own file next to unified-planning's per-call plan file instead."""
    for attr in ("_get_cmd", "_get_anytime_cmd"):
        original = getattr(engine, attr, None)
        if original is None:
            continue

        def with_sas_file(domain_filename, problem_filename, plan_filename, _original=original):
            cmd = list(_original(domain_filename, problem_filename, plan_filename))
            at = cmd.index("--plan-file")
            sas = os.path.join(os.path.dirname(plan_filename), "output.sas")
            return cmd[:at] + ["--sas-file", sas] + cmd[at:]

        setattr(engine, attr, with_sas_file)


def _reuse_plan_reader(engine) -> None:
    """unified-planning's PDDL planners read the plan file with a new ``PDDLReader`` per call, and building
    the reader's grammar costs more than a small Fast Downward search's translation step. The reading itself
    (``parse_plan_string``) keeps no state between calls, so one reader per engine does the same job."""
    if not hasattr(engine, "_plan_from_str"):
        return
    from unified_planning.io import PDDLReader

    readers = {}

    def plan_from_str(problem, plan_str, get_item_named):
        env = problem.environment
        if id(env) not in readers:
            readers[id(env)] = PDDLReader(env)
        return readers[id(env)].parse_plan_string(problem, plan_str, get_item_named)

    engine._plan_from_str = plan_from_str


ENGINES = _Engines()
_cache: OrderedDict[tuple, Solution] = OrderedDict()
STATS = {"calls": 0, "cache_hits": 0, "planner_seconds": 0.0, "call_seconds": 0.0}


def solve(problem, key_text: str, config: str, time_limit_s: float) -> Solution:
    """Solve a unified-planning problem; ``key_text`` (its PDDL) identifies it for the cache."""
    key = (key_text, config, float(time_limit_s))
    if key in _cache:
        _cache.move_to_end(key)
        STATS["cache_hits"] += 1
        return _cache[key]
    engine, name = ENGINES.get(config)
    start = time.perf_counter()
    result = engine.solve(problem, timeout=float(time_limit_s)) if not name.startswith("pyperplan") \
        else engine.solve(problem)
    call_seconds = time.perf_counter() - start
    planner_seconds = float((result.metrics or {}).get("engine_internal_time", call_seconds))
    status = result.status.name
    plan = None
    reason = None
    if status in ("SOLVED_SATISFICING", "SOLVED_OPTIMALLY") and result.plan is not None:
        plan = tuple((a.action.name, tuple(str(p) for p in a.actual_parameters)) for a in result.plan.actions)
    else:
        reason = REASONS.get(status, f"planner_{status.lower()}")
    solution = Solution(reason, plan, name, planner_seconds, call_seconds)
    STATS["calls"] += 1
    STATS["planner_seconds"] += planner_seconds
    STATS["call_seconds"] += call_seconds
    if reason != "planner_timeout":  # a timeout may not repeat on a less busy machine
        _cache[key] = solution
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return solution


def clear_cache() -> None:
    _cache.clear()


def shutdown() -> None:
    ENGINES.close()
    _cache.clear()
