"""tail/compare_numbers: compare two non-negative decimal numbers, one digit position per state.

Definition: the answer is the relation of the first number to the second, exactly one of ``<``, ``=``, ``>``
(every template asks for that symbol). Each number has 5-10 / 11-20 / 21-50 digits for S / M / L and carries a
decimal point with probability ``decimal_probability``; numbers are canonical (no leading zeros, no trailing
zeros after a point). With probability ``equal_probability`` the two numbers are the same, and with
probability ``prefix_probability`` the second copies a long prefix of the first before it departs, so that the
comparison has to walk deep into the digits.

Trace: both numbers are zero-padded to the same shape around the decimal point; the states walk the digit
positions from the most significant one, each re-writing the two digits it reads and saying whether they tie
(move on) or which is larger (stop). If every position ties the numbers are equal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.numbers import align_decimals
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import COMPARE_NUMBERS

_KIND = {"=": "tie", ">": "greater", "<": "less"}
_ASK = "Answer with <, = or >, the relation of the first number to the second."
TEMPLATES = tuple(f"{q} {_ASK}" for q in (
    "Compare {x1} and {x2}.",
    "How does {x1} compare with {x2}?",
    "Which is larger, {x1} or {x2}?",
    "Which is smaller, {x1} or {x2}?",
    "Is {x1} greater than, equal to, or less than {x2}?",
    "Compare the numbers {x1} and {x2} digit by digit.",
    "Decide the order of {x1} and {x2}.",
    "What is the relation between {x1} and {x2}?",
    "Fill in the blank with the right symbol: {x1} _ {x2}.",
    "Two measurements are {x1} and {x2}. How do they compare?",
    "Is {x1} bigger than {x2}?",
    "Is {x1} less than {x2}?",
    "Are {x1} and {x2} equal, and if not, which one is larger?",
    "A shop lists prices {x1} and {x2}. Compare the first price with the second.",
    "Determine whether {x1} is above, at, or below {x2}.",
    "Order the pair ({x1}, {x2}).",
    "Compare these two numbers.\nFirst: {x1}\nSecond: {x2}",
    "Rank {x1} against {x2}.",
    "Put the correct comparison sign between {x1} and {x2}.",
    "Which relation holds between {x1} and {x2}?",
    "Look at {x1} and {x2}. Which one is greater, or are they the same?",
    "Given x = {x1} and y = {x2}, compare x with y.",
))


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (5, 10), "M": (11, 20), "L": (21, 50)}


@dataclass(frozen=True)
class CompareNumbersConfig(TailConfig):
    decimal_probability: float = 0.5
    equal_probability: float = 0.1
    prefix_probability: float = 0.45
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        for name in ("decimal_probability", "equal_probability", "prefix_probability"):
            require(0.0 <= getattr(self, name) <= 1.0, name, "must be in [0, 1]")
        require(self.equal_probability + self.prefix_probability <= 1.0, "prefix_probability",
                "equal_probability + prefix_probability must not exceed 1")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "numbers have at least one digit")


def _canonical(digits: str, point: int | None) -> str:
    """``digits`` with a point after ``point`` digits, made canonical by changing digits, never by dropping
    them, so the digit count stays as drawn."""
    chars = list(digits)
    if chars[0] == "0" and (point is None or point > 1):
        chars[0] = "1"
    if point is not None and chars[-1] == "0":
        chars[-1] = "1"
    text = "".join(chars)
    return text if point is None else text[:point] + "." + text[point:]


def _draw(rng: random.Random, digits: int, decimal: bool) -> tuple[str, int | None]:
    point = rng.randint(1, digits - 1) if decimal and digits >= 2 else None
    return "".join(str(rng.randint(0, 9)) for _ in range(digits)), point


def compare_trace(x1: str, x2: str, rendering: Rendering) -> tuple[str, list[str]]:
    """The relation symbol and its TAIL trace lines (without the final-answer line)."""
    write = COMPARE_NUMBERS.writer(rendering)
    a, b, frac = align_decimals(x1, x2)
    shown_a = a[: len(a) - frac] + ("." + a[len(a) - frac:] if frac else "")
    shown_b = b[: len(b) - frac] + ("." + b[len(b) - frac:] if frac else "")
    lines = [write("header", a=shown_a, b=shown_b)]
    relation = "="
    for i, (da, db) in enumerate(zip(a, b, strict=True)):
        if da != db:
            relation = ">" if da > db else "<"
        lines.append(write(_KIND[relation], i=i, da=da, db=db))
        if relation != "=":
            break
        if i + 1 < len(a):
            lines.append(write("move", i=i, next=i + 1))
    lines.append(write("result", relation=relation))
    return relation, lines


class CompareNumbersTask(TailTask):
    Config = CompareNumbersConfig
    answer_type = "string"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: CompareNumbersConfig, key: ItemKey, rng: random.Random) -> dict | None:
        d1 = self.draw_size(config, key, rng)
        digits1, point1 = _draw(rng, d1, rng.random() < config.decimal_probability)
        x1 = _canonical(digits1, point1)
        mode = rng.random()
        if mode < config.equal_probability:
            kind, x2 = "equal", x1
        elif mode < config.equal_probability + config.prefix_probability and d1 >= 2:
            kind = "prefix"
            keep = rng.randint(1, d1 - 1)
            tail = "".join(str(rng.randint(0, 9)) for _ in range(d1 - keep))
            x2 = _canonical(digits1[:keep] + tail, point1)
        else:
            kind = "independent"
            d2 = self.draw_size(config, key, rng)
            digits2, point2 = _draw(rng, d2, rng.random() < config.decimal_probability)
            x2 = _canonical(digits2, point2)
        template, prompt = self.pose(rng, x1=x1, x2=x2)
        answer, lines = compare_trace(x1, x2, config.rendering)
        return self.finish(key, config, problem={"x1": x1, "x2": x2}, template=template, prompt=prompt,
                           answer=answer, trace_lines=lines, spec={"x1": x1, "x2": x2},
                           difficulty={"digits": [len(x1.replace(".", "")), len(x2.replace(".", ""))], "kind": kind})

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        return rng.choice([r for r in "<=>" if r != record["answer"]])
