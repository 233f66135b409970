"""tail/multi_machine_schedule: the most benefit n unit-time tasks can earn on x identical machines.

The problem (the paper says only "max benefit of n tasks on x queues"; this is the definition the verifier
follows): time is divided into slots 1, 2, 3, ...; each of the ``x`` machines runs at most one task per slot;
every task takes exactly one slot; task Ti has a benefit b_i and a deadline d_i and earns b_i only if it runs
in a slot <= d_i (a task may also be left out). The answer is the largest total benefit of a schedule.

The sets of tasks that can all meet their deadlines form a matroid, so the greedy rule is optimal: take the
tasks by benefit, highest first (ties to the lower task number), and put each one in the latest slot at or
before its deadline that still has a free machine, or skip it when every such slot is full. The trace lists
that order, then one state per task that re-writes its benefit, deadline and the loads of the slots it probes
(from its deadline downwards, stopping at the first slot with room) before placing it and adding its benefit.
The size parameter is n: 5-10 (S), 11-20 (M), 21-50 (L).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import MULTI_MACHINE_SCHEDULE

_RULES = (" There are {x} identical machines. Every task takes one unit of time; time runs in slots 1, 2, 3, ... "
          "and each machine runs at most one task per slot. A task earns its benefit only if it runs in a slot no "
          "later than its deadline; tasks may be left out. What is the maximum total benefit?")

_QUESTIONS = (
    "Schedule these tasks to earn as much as possible: {tasks}.",
    "A workshop has jobs {tasks}.",
    "You are given {n} tasks with benefits and deadlines: {tasks}.",
    "Maximise the total benefit of the tasks {tasks}.",
    "A print shop receives {n} orders, each with a payment and a deadline: {tasks}.",
    "Greedy scheduling: tasks (benefit b, deadline d) are {tasks}.",
    "Plan the work for {n} tasks, listed as benefit and deadline: {tasks}.",
    "A data centre must choose among {n} batch jobs: {tasks}.",
    "Tasks with profit and deadline: {tasks}.",
    "A bakery gets {n} orders, each worth a profit if delivered by its deadline: {tasks}.",
    "Consider the job sequencing problem with jobs {tasks}.",
    "Each of these {n} tasks pays its benefit if done by its deadline: {tasks}.",
    "An assistant can pick from the errands {tasks}.",
    "Select and schedule tasks from {tasks}.",
    "A factory has {n} unit-length jobs to run: {tasks}.",
    "Assign the tasks {tasks} to time slots to maximise benefit.",
    "Multi-machine scheduling instance with {n} tasks: {tasks}.",
    "A student lists {n} assignments with the points each is worth and its due slot: {tasks}.",
    "Job list (benefit, deadline): {tasks}.",
    "A courier company has {n} deliveries, each with a reward and a deadline: {tasks}.",
    "Find the best schedule for the tasks {tasks}.",
    "Given tasks {tasks}, decide which to run and when.",
)
TEMPLATES = tuple(q + _RULES for q in _QUESTIONS)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (5, 10), "M": (11, 20), "L": (21, 50)}


@dataclass(frozen=True)
class MultiMachineScheduleConfig(TailConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    machines: tuple[int, int] = (1, 3)
    max_benefit: int = 50

    def __post_init__(self):
        super().__post_init__()
        low, high = self.machines
        require(1 <= low <= high, "machines", f"a range [low, high] with 1 <= low <= high, got {[low, high]}")
        require(self.max_benefit >= 1, "max_benefit", "benefits are at least 1")
        for bucket, (low_n, _high) in self.sizes.items():
            require(low_n >= 1, f"sizes.{bucket}", "at least one task")


def _task_text(i: int, b: int, d: int) -> str:
    return f"T{i}(b={b},d={d})"


def schedule_trace(tasks: list[tuple[int, int]], x: int, rendering: Rendering) -> tuple[str, list[str]]:
    """Maximum benefit and the trace lines (without the final-answer line). ``tasks[i-1]`` = (b_i, d_i)."""
    write = MULTI_MACHINE_SCHEDULE.writer(rendering)
    order = sorted(range(1, len(tasks) + 1), key=lambda i: (-tasks[i - 1][0], i))
    lines = [write("tasks", tasks=" ".join(_task_text(i, b, d) for i, (b, d) in enumerate(tasks, start=1)), x=x),
             write("order", order=" ".join(f"T{i}" for i in order))]
    load: dict[int, int] = {}
    total = 0
    for step, i in enumerate(order, start=1):
        b, d = tasks[i - 1]
        probes = []
        slot = None
        for s in range(d, 0, -1):
            probes.append(f"s{s}={load.get(s, 0)}/{x}")
            if load.get(s, 0) < x:
                slot = s
                break
        shown = {"step": step, "i": i, "b": b, "d": d, "probes": " ".join(probes), "total": total}
        if slot is None:
            lines.append(write("skip", **shown))
            continue
        load[slot] = load.get(slot, 0) + 1
        lines.append(write("place", slot=slot, new=total + b, **shown))
        total += b
    lines.append(write("result", total=total))
    return str(total), lines


class MultiMachineScheduleTask(TailTask):
    Config = MultiMachineScheduleConfig
    answer_type = "integer"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: MultiMachineScheduleConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        x = rng.randint(*config.machines)
        # Deadlines up to about 0.8*n/x slots: too little room for every task, so the greedy order matters.
        horizon = max(2, math.ceil(0.8 * n / x))
        tasks = [(rng.randint(1, config.max_benefit), rng.randint(1, horizon)) for _ in range(n)]
        shown = ", ".join(f"T{i} (benefit {b}, deadline {d})" for i, (b, d) in enumerate(tasks, start=1))
        template, prompt = self.pose(rng, n=n, x=x, tasks=shown)
        answer, lines = schedule_trace(tasks, x, config.rendering)
        problem = {"machines": x, "benefits": [b for b, _ in tasks], "deadlines": [d for _, d in tasks]}
        return self.finish(key, config, problem=problem, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec=problem, difficulty={"n": n, "machines": x})
