"""A plugin task that misbehaves on purpose: it raises, finds no instance, or makes its verifier raise.

Loaded through ``build.plugins`` so the real pipeline (in worker processes) exercises its dead-letter paths.
"""

from __future__ import annotations

import random

from reasonry.registry import register_task, register_verifier
from reasonry.task import ItemKey, Task
from reasonry.verdict import Verdict


class FlakyTask(Task):
    name = "tail/flaky"
    family = "tail"
    answer_type = "integer"
    verifier_kind = "flaky"

    def generate(self, config, key: ItemKey, rng: random.Random):
        mode = key.index % 4
        if mode == 1:
            raise ValueError(f"generator exploded on item {key.index}")
        if mode == 2:
            return None
        a, b = rng.randint(0, 99), rng.randint(0, 99)
        return self.record(key, problem={"a": a, "b": b, "i": key.index}, prompt=f"What is {a} + {b}?",
                           answer=str(a + b), verifier_spec={"a": a, "b": b, "explode": mode == 3})


def verify(spec: dict, candidate: str) -> Verdict:
    if spec.get("explode"):
        raise RuntimeError("verifier exploded")
    return Verdict(candidate.strip() == str(spec["a"] + spec["b"]), "checked")


check_trace = None


register_task("tail/flaky", "tests.plugins.flaky:FlakyTask", "test plugin that fails on purpose")
register_verifier("flaky", "tests.plugins.flaky")
