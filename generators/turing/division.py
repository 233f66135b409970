"""tail/division: long division x1 / x2, one brought-down digit per state.

Definition (the paper leaves it open): the answer is the quotient x1 / x2 **truncated toward zero after
``places`` decimal places** (default 3), written canonically (no trailing zeros, no trailing point). A
quotient that terminates sooner is exact: 7 / 2 = 3.5, 84 / 4 = 21, 10 / 3 = 3.333, 2 / 3 = 0.666.

Operands: x1 has ``digits`` digits (2-5 / 6-10 / 11-20 for S / M / L); x2 has between 1 and that many digits.
Each operand carries a decimal point with probability ``decimal_probability``; neither has leading zeros or
(after a point) trailing zeros, and both are positive.

Trace: both operands are first scaled by the same power of ten to whole numbers A / B. The states then walk
A's digits from the left and, once they are used up, bring down zeros for the decimal places, while the
remainder is not zero and fewer than ``places`` decimal places are written. Each state re-writes the remainder
and the digit it reads, forms cur = 10 * remainder + digit, writes the quotient digit q = cur // B with its
product q * B, and the new remainder. The trace ends with the stop condition and the quotient.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask, random_number
from reasonry.numbers import canonical_decimal
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import DIVISION

TEMPLATES = (
    "What is {x1} / {x2}? Truncate the quotient after {places} decimal places.",
    "Compute {x1} divided by {x2}, keeping at most {places} decimal places (truncate, do not round).",
    "Divide {x1} by {x2}. Give the quotient truncated to {places} decimal places.",
    "Find the quotient of {x1} and {x2}, cut off after {places} decimal places.",
    "Calculate {x1} / {x2} by long division, stopping after {places} decimal places.",
    "Evaluate {x1} ÷ {x2}. Write the result truncated to {places} digits after the decimal point.",
    "How much is {x1} divided by {x2}? Truncate after {places} decimal places.",
    "Work out {x1} / {x2} with long division; stop at {places} decimal places without rounding.",
    "Determine {x1} / {x2}, truncated toward zero at {places} decimal places.",
    "Perform the division {x1} / {x2} and report the quotient to {places} decimal places, truncated.",
    "If {x1} is shared equally into {x2} parts, how large is each part? Truncate after {places} decimal places.",
    "{x1} / {x2} = ? (truncate after {places} decimal places)",
    "Please divide {x1} by {x2}. Keep no more than {places} decimal places and do not round.",
    "What do you get when you divide {x1} by {x2}? Cut the answer after {places} decimal places.",
    "Use long division to find {x1} divided by {x2}, truncated to {places} decimal places.",
    "Give the value of {x1} over {x2} with at most {places} decimal places, truncated.",
    "A total of {x1} is split into pieces of size {x2}. How many pieces is that? "
    "Truncate after {places} decimal places.",
    "Find {x1} ÷ {x2}. If the decimals do not end, keep only the first {places} of them.",
    "Calculate the ratio {x1} : {x2} as a decimal number truncated to {places} decimal places.",
    "What is the exact quotient {x1} / {x2}, truncated after {places} decimal places?",
    "Divide the number {x1} by the number {x2}; write at most {places} decimal places, dropping the rest.",
    "Compute the quotient x1 / x2 for x1 = {x1} and x2 = {x2}, truncated after {places} decimal places.",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (2, 5), "M": (6, 10), "L": (11, 20)}


@dataclass(frozen=True)
class DivisionConfig(TailConfig):
    decimal_probability: float = 0.5
    places: int = 3
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        require(0.0 <= self.decimal_probability <= 1.0, "decimal_probability", "must be in [0, 1]")
        require(0 <= self.places <= 50, "places", "must be in [0, 50]")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "operands have at least one digit")


def _scaled(x1: str, x2: str) -> tuple[str, int]:
    """Both operands times the same power of ten, as whole numbers (dividend digits, divisor)."""
    i1, _, f1 = x1.partition(".")
    i2, _, f2 = x2.partition(".")
    k = max(len(f1), len(f2))
    a = (i1 + f1 + "0" * (k - len(f1))).lstrip("0") or "0"
    b = int(i2 + f2 + "0" * (k - len(f2)))
    return a, b


def divide_trace(x1: str, x2: str, places: int, rendering: Rendering) -> tuple[str, list[str]]:
    """The truncated quotient and its TAIL trace lines (without the final-answer line)."""
    a, b = _scaled(x1, x2)
    write = DIVISION.writer(rendering)
    lines = [write("header", x1=x1, x2=x2, a=a, b=b)]
    r, quotient, i, decimals = 0, [], 0, 0
    while True:
        in_integer = i < len(a)
        d = int(a[i]) if in_integer else 0
        cur = 10 * r + d
        q = cur // b
        prod = q * b
        lines.append(write("state", i=i, r=r, d=d, cur=cur, q=q, b=b, prod=prod, rest=cur - prod))
        r = cur - prod
        quotient.append(str(q))
        if not in_integer:
            decimals += 1
        if i + 1 >= len(a) and (r == 0 or decimals >= places):
            break
        lines.append(write("move_point" if i + 1 == len(a) else "move", i=i, next=i + 1))
        i += 1
    digits = "".join(quotient)
    int_part = digits[: len(a)].lstrip("0") or "0"
    frac_part = digits[len(a):]
    result = canonical_decimal(int_part + ("." + frac_part if frac_part else ""))
    lines.append(write("stop", r=r, places=decimals))
    lines.append(write("result", quotient=result))
    return result, lines


class DivisionTask(TailTask):
    Config = DivisionConfig
    answer_type = "float"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: DivisionConfig, key: ItemKey, rng: random.Random) -> dict | None:
        d1 = self.draw_size(config, key, rng)
        d2 = rng.randint(1, d1)
        dec1 = rng.random() < config.decimal_probability
        dec2 = rng.random() < config.decimal_probability
        x1, x2 = random_number(rng, d1, dec1), random_number(rng, d2, dec2)
        template, prompt = self.pose(rng, x1=x1, x2=x2, places=config.places)
        answer, lines = divide_trace(x1, x2, config.places, config.rendering)
        spec = {"x1": x1, "x2": x2, "places": config.places}
        return self.finish(key, config, problem=spec, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec=spec,
                           difficulty={"digits": [d1, d2], "decimal": [dec1, dec2]})
