"""prolog/scheduling: the shortest makespan of tasks with precedences on unary machines (CLP(FD)).

Each task has a duration and a machine; a machine runs one task at a time; some tasks must finish before
others start. The program tries makespan bounds upwards and stops at the first feasible one, so the answer
is the optimum. Evolution: 0 = 4-5 tasks on 2 machines; 1 = 6-7 tasks on 2-3 machines, more precedences;
2 = as 1 plus release times (a task may not start before its release).

Difficulty levels (``difficulty: N``): 1-3 = evolution 0-2, 4 = 8-9 tasks on 3-4 machines with release times.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from reasonry.config import require
from reasonry.generators.prolog.common import Instance, PrologConfig, PrologFamily, level, listing, program

MODEL = """
schedule(Bound, Starts) :-
    findall(T, task(T, _, _), Tasks),
    same_length(Tasks, Starts),
    Starts ins 0..Bound,
    pairs_keys_values(Pairs, Tasks, Starts),
    maplist(fits(Bound, Pairs), Tasks),
    findall(A-B, precedes(A, B), Edges),
    maplist(ordered(Pairs), Edges),
    findall(M, task(_, M, _), Ms0),
    sort(Ms0, Machines),
    maplist(one_at_a_time(Pairs), Machines).

fits(Bound, Pairs, T) :-
    task(T, _, D),
    memberchk(T-S, Pairs),
    release(T, R),
    S #>= R,
    S + D #=< Bound.

ordered(Pairs, A-B) :-
    task(A, _, DA),
    memberchk(A-SA, Pairs),
    memberchk(B-SB, Pairs),
    SA + DA #=< SB.

one_at_a_time(Pairs, M) :-
    findall(T-D, task(T, M, D), TDs),
    pairs_keys_values(TDs, Ts, Ds),
    maplist(start_of(Pairs), Ts, Ss),
    serialized(Ss, Ds).

start_of(Pairs, T, S) :-
    memberchk(T-S, Pairs).

answer(_{makespan: Bound}) :-
    aggregate_all(sum(D), task(_, _, D), Total),
    aggregate_all(max(R), release(_, R), MaxRelease),
    Limit is Total + MaxRelease,
    between(1, Limit, Bound),
    schedule(Bound, Starts),
    once(label(Starts)),
    !.
"""

TRACE = """
trace_search :-
    aggregate_all(sum(D), task(_, _, D), Total),
    aggregate_all(max(R), release(_, R), MaxRelease),
    Limit is Total + MaxRelease,
    between(1, Limit, Bound),
    (   schedule(Bound, Starts), once(label(Starts))
    ->  findall(T, task(T, _, _), Tasks),
        note(feasible(Bound, Tasks, Starts))
    ;   note(infeasible(Bound)),
        fail
    ),
    !.
"""


def render(events: list, value: dict) -> list[str]:
    lines = ["Try makespan bounds from 1 upwards; the first bound that admits a schedule is the optimum."]
    for tag, *args in events:
        if tag == "infeasible":
            lines.append(f"Bound {args[0]}: the durations, precedences and machine conflicts cannot all fit, "
                         "so no schedule ends by then.")
        elif tag == "feasible":
            bound, tasks, starts = args
            plan = listing([f"task {t} at {s}" for t, s in zip(tasks, starts, strict=True)])
            lines.append(f"Bound {bound}: a schedule exists, e.g. start {plan}. So the minimum makespan is {bound}.")
    return lines


@dataclass(frozen=True)
class SchedulingConfig(PrologConfig):
    tasks: tuple[tuple[int, int], ...] = ((4, 5), (6, 7), (6, 7))
    machines: tuple[tuple[int, int], ...] = ((2, 2), (2, 3), (2, 3))
    precedence_probability: tuple[float, ...] = (0.25, 0.3, 0.3)
    max_duration: int = 5
    max_release: int = 4

    def __post_init__(self):
        super().__post_init__()
        for name in ("tasks", "machines", "precedence_probability"):
            require(len(getattr(self, name)) == 3, name, "one value per evolution level (3)")
        for i, (low, high) in enumerate(self.tasks):
            require(1 <= low <= high <= 9, f"tasks[{i}]", "a range within 1..9")
        for i, (low, high) in enumerate(self.machines):
            require(1 <= low <= high <= 4, f"machines[{i}]", "a range within 1..4")
        require(1 <= self.max_duration <= 9, "max_duration", "must be in 1..9")
        require(0 <= self.max_release <= 9, "max_release", "must be in 0..9")


class Scheduling(PrologFamily):
    name = "scheduling"
    Config = SchedulingConfig

    def build(self, config: SchedulingConfig, rng: random.Random) -> Instance:
        level = config.evolution
        n = rng.randint(*config.tasks[level])
        machines = rng.randint(*config.machines[level])
        tasks = [[t, rng.randint(1, machines), rng.randint(1, config.max_duration)] for t in range(1, n + 1)]
        edges = [[a, b] for a in range(1, n + 1) for b in range(a + 1, n + 1)
                 if rng.random() < config.precedence_probability[level]]
        release = [[t, rng.randint(0, config.max_release) if level == 2 else 0] for t in range(1, n + 1)]
        facts = [f"task({t}, {m}, {d})." for t, m, d in tasks] + [":- dynamic precedes/2."]
        facts += [f"precedes({a}, {b})." for a, b in edges] + [f"release({t}, {r})." for t, r in release]
        text = program("\n".join(facts), MODEL, clpfd=True)
        statement = (f"{n} tasks run on {machines} machines; each machine runs at most one task at a time and a "
                     "task runs without interruption. " + " ".join(f"Task {t} needs machine {m} for {d} time "
                                                                     f"units." for t, m, d in tasks))
        if edges:
            statement += " Precedences: " + listing([f"task {a} must finish before task {b} starts"
                                                     for a, b in edges]) + "."
        if level == 2:
            statement += " Release times: " + listing([f"task {t} cannot start before time {r}"
                                                       for t, r in release]) + "."
        statement += " Time starts at 0. What is the smallest time by which all tasks can be finished?"
        return Instance(
            problem={"tasks": tasks, "precedes": edges, "release": release},
            program=text,
            statement=statement,
            answer_format='{"makespan": the smallest finishing time}.',
            trace_addon=TRACE,
            render_trace=render,
            difficulty={"tasks": n, "machines": machines, "precedences": len(edges)},
        )


def _levels() -> tuple[dict, ...]:
    c = SchedulingConfig
    return (
        level(c, 0),
        level(c, 1),
        level(c, 2),
        level(c, 2, each={"tasks": (8, 9), "machines": (3, 4), "precedence_probability": 0.35}),
    )


Scheduling.levels = _levels()
FAMILY = Scheduling
