"""tail/addition: large-number addition, one digit column per state.

Operands have 10-30 (S), 31-40 (M) or 41-50 (L) digits; with probability ``decimal_probability`` the second
operand has a decimal point. The operands are aligned on the decimal point and zero-padded; the trace walks
the columns from the right, each state re-writing the two digits and the carry it reads before writing the
column's digit and the new carry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask, random_number
from reasonry.numbers import align_decimals, canonical_decimal
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import ADDITION

TEMPLATES = (
    "What is {x1} + {x2}?",
    "Compute {x1} + {x2}.",
    "Add {x1} and {x2}.",
    "Find the sum of {x1} and {x2}.",
    "Calculate the sum {x1} + {x2}.",
    "What do you get when you add {x2} to {x1}?",
    "Evaluate {x1} + {x2} exactly.",
    "Work out {x1} plus {x2}.",
    "Determine the exact value of {x1} + {x2}.",
    "Give the sum of the numbers {x1} and {x2}.",
    "Sum these two numbers: {x1} and {x2}.",
    "If you add {x1} and {x2}, what is the total?",
    "What is the total of {x1} and {x2}?",
    "Perform the addition {x1} + {x2}.",
    "Please add {x2} to {x1} and report the result.",
    "{x1} + {x2} = ?",
    "Find {x1} plus {x2}, digit by digit.",
    "Compute the exact sum: {x1} + {x2}.",
    "A ledger has entries {x1} and {x2}. What is their sum?",
    "Two quantities measure {x1} and {x2}. What is the combined amount?",
    "Add the two numbers below.\n{x1}\n{x2}",
    "What number is {x2} more than {x1}?",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (10, 30), "M": (31, 40), "L": (41, 50)}


@dataclass(frozen=True)
class AdditionConfig(TailConfig):
    decimal_probability: float = 0.5
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        require(0.0 <= self.decimal_probability <= 1.0, "decimal_probability", "must be in [0, 1]")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "operands have at least one digit")


def add_trace(x1: str, x2: str, rendering: Rendering) -> tuple[str, list[str]]:
    """The sum and its TAIL trace lines (without the final-answer line)."""
    a, b, frac = align_decimals(x1, x2)
    write = ADDITION.writer(rendering)
    lines = [write("header", a=_show(a, frac), b=_show(b, frac))]
    carry = 0
    digits: list[str] = []
    n = len(a)
    for col in range(n):
        da, db = int(a[n - 1 - col]), int(b[n - 1 - col])
        total = da + db + carry
        digit, new_carry = total % 10, total // 10
        lines.append(write("state", i=col, da=da, db=db, carry=carry, total=total, digit=digit, out=new_carry))
        if col + 1 < n:
            lines.append(write("move", i=col, next=col + 1))
        digits.append(str(digit))
        carry = new_carry
    if carry:
        digits.append(str(carry))
    raw = "".join(reversed(digits))
    total_text = raw[: len(raw) - frac] + ("." + raw[len(raw) - frac:] if frac else "")
    lines.extend(write("result", carry=carry, digits=total_text).split("\n"))  # terse: carry and result lines
    return canonical_decimal(total_text), lines


def _show(digits: str, frac: int) -> str:
    return digits[: len(digits) - frac] + ("." + digits[len(digits) - frac:] if frac else "")


class AdditionTask(TailTask):
    Config = AdditionConfig
    answer_type = "float"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: AdditionConfig, key: ItemKey, rng: random.Random) -> dict | None:
        low, high = self.size_range(config, key.bucket)
        d1, d2 = rng.randint(low, high), rng.randint(low, high)
        decimal = rng.random() < config.decimal_probability
        x1 = random_number(rng, d1, False)
        x2 = random_number(rng, d2, decimal)
        template, prompt = self.pose(rng, x1=x1, x2=x2)
        answer, lines = add_trace(x1, x2, config.rendering)
        return self.finish(key, config, problem={"x1": x1, "x2": x2}, template=template, prompt=prompt,
                           answer=answer, trace_lines=lines, spec={"x1": x1, "x2": x2},
                           difficulty={"digits": [d1, d2], "decimal": decimal})
