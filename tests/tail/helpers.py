"""What the TAIL tests share: making items through the registry and editing traces line by line."""

from __future__ import annotations

import random
import re

from reasonry.registry import get_task, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verifiers import turing as tail

RENDERINGS = ("terse", "styled")
TAIL_TASKS = tuple(name for name in task_names() if name.startswith("tail/"))


def make(name: str, bucket: str = "S", index: int = 0, rendering: str = "terse", seed: int = 11,
         split: str = "test", **knobs) -> dict:
    """One item of ``name`` from the registry's task, generated as a build would."""
    task = get_task(name)
    config = task.Config(rendering=rendering, **knobs)
    record = task.generate(config, ItemKey(name, split, bucket, index), item_rng(seed, name, index, split, bucket))
    assert record is not None
    return record


def items(name: str, bucket: str, count: int, seed: int = 11, **options) -> list[dict]:
    """The first ``count`` test items of a bucket; ``options`` are the task's config knobs."""
    return [make(name, bucket, index, seed=seed, **options) for index in range(count)]


def spec_of(record: dict) -> dict:
    return record["verifier"]["spec"]


def checks(record: dict, trace: str) -> bool:
    return tail.check_trace(spec_of(record), trace).ok


def replace_line(trace: str, index: int, new: str) -> str:
    lines = trace.split("\n")
    lines[index] = new
    return "\n".join(lines)


def line_index(trace: str, pattern: str) -> int:
    return next(i for i, line in enumerate(trace.split("\n")) if re.search(pattern, line))


def random_operand(rng: random.Random) -> str:
    """A positive number of 1 to 12 digits, no leading zero, a decimal point inside half the time."""
    digits = rng.randint(1, 12)
    text = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    if digits >= 2 and rng.random() < 0.5:
        point = rng.randint(1, digits - 1)
        text = text[:point] + "." + text[point:]
    return text
