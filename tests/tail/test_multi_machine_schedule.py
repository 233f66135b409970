"""TAIL multi-machine schedule: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import itertools
import random

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import multi_machine_schedule
from tests.tail.helpers import make


def _best_schedule(benefits: list[int], deadlines: list[int], x: int) -> int:
    """Every assignment of each task to a slot 1..max deadline or to nothing, machines per slot <= x."""
    horizon = max(deadlines)
    best = 0
    for slots in itertools.product(range(horizon + 1), repeat=len(benefits)):
        used = [0] * (horizon + 1)
        total = 0
        ok = True
        for task, slot in enumerate(slots):
            if slot == 0:
                continue
            if slot > deadlines[task]:
                ok = False
                break
            used[slot] += 1
            total += benefits[task]
        if ok and all(u <= x for u in used[1:]):
            best = max(best, total)
    return best


def test_schedule_greedy_matches_exhaustive_search():
    from reasonry.generators.turing.multi_machine_schedule import schedule_trace

    rng = random.Random(3)
    for _ in range(120):
        n = rng.randint(1, 6)
        x = rng.randint(1, 3)
        benefits = [rng.randint(1, 12) for _ in range(n)]  # small range so ties happen
        deadlines = [rng.randint(1, 3) for _ in range(n)]
        best = str(_best_schedule(benefits, deadlines, x))
        spec = {"task": "tail/multi_machine_schedule", "machines": x, "benefits": benefits, "deadlines": deadlines}
        assert multi_machine_schedule.answer(spec) == best, spec
        traced, lines = schedule_trace(list(zip(benefits, deadlines, strict=True)), x, "terse")
        assert traced == best
        assert tail.check_trace(spec, "\n".join([*lines, f"Final answer: {traced}"])).ok


def test_schedule_greedy_matches_exhaustive_search_on_generated_items():
    for index in range(10):
        record = make("tail/multi_machine_schedule", "S", index, seed=4, sizes={"S": (5, 7)})
        spec = record["verifier"]["spec"]
        if max(spec["deadlines"]) ** len(spec["deadlines"]) > 300_000:
            continue
        assert record["answer"] == str(_best_schedule(spec["benefits"], spec["deadlines"], spec["machines"]))
