"""tail/diophantine: all non-negative integer solutions (x, y) of a*x + b*y = n, by enumerating x.

a and b are drawn from 2-12 and n is the size parameter: 10-50 (S), 51-100 (M), 101-200 (L). The answer
lists the solutions in increasing x as ``(x, y), (x, y)``; an equation without a non-negative solution (for
example when gcd(a, b) does not divide n) has the answer ``none``.

The trace starts at x = 0 with rest = n and alternates two atomic states: a check that re-writes x and the
rest and tests whether b divides the rest (then y = rest / b), and a move to x + 1 that re-writes the rest and a
before subtracting a. When the rest is smaller than a the enumeration stops.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import DIOPHANTINE

NONE = "none"
_FORMAT = " List the solutions as (x, y) pairs in increasing order of x, or answer none if there is no solution."

_QUESTIONS = (
    "Find all non-negative integer solutions (x, y) of {a}x + {b}y = {n}.",
    "Solve {a}*x + {b}*y = {n} over the non-negative integers.",
    "Which pairs of non-negative integers (x, y) satisfy {a}x + {b}y = {n}?",
    "Enumerate every solution in non-negative integers of the Diophantine equation {a}x + {b}y = {n}.",
    "Stamps come in values {a} and {b}. In which ways, as (number of {a}-stamps, number of {b}-stamps), can "
    "you make postage of exactly {n}?",
    "Give all (x, y) with x, y >= 0 integers such that {a}x + {b}y = {n}.",
    "A shop sells pencils for {a} coins and pens for {b} coins. List every (pencils, pens) combination that "
    "costs exactly {n} coins.",
    "Determine the non-negative integer solutions of the linear Diophantine equation {a}x + {b}y = {n}.",
    "For which non-negative integers x and y is {a}x + {b}y equal to {n}?",
    "Find every pair (x, y) of whole numbers with {a}x + {b}y = {n}.",
    "How can {n} be written as {a}x + {b}y with x and y non-negative integers? Give all (x, y).",
    "Boxes hold {a} or {b} items. List all ways (x boxes of {a}, y boxes of {b}) to pack exactly {n} items "
    "with every box full.",
    "Solve for non-negative integers: {a}x + {b}y = {n}.",
    "List all non-negative integer pairs (x, y) satisfying the equation {a}*x + {b}*y = {n}.",
    "A frog jumps {a} or {b} metres at a time. In which ways (x jumps of {a}, y jumps of {b}) can it cover "
    "exactly {n} metres?",
    "Find the complete set of solutions (x, y) in non-negative integers to {a}x + {b}y = {n}.",
    "Which (x, y), with x and y natural numbers including 0, solve {a}x + {b}y = {n}?",
    "Coins are worth {a} and {b}. Find every (x, y) where x coins of {a} and y coins of {b} total {n}.",
    "Enumerate x = 0, 1, 2, ... to find all non-negative solutions of {a}x + {b}y = {n}.",
    "Integer equation: {a}x + {b}y = {n}, x >= 0, y >= 0. All solutions?",
    "Tiles of length {a} and {b} are laid in a row of length {n} with no gaps. List every (x, y), x tiles of "
    "length {a} and y of length {b}, that fills it exactly.",
    "Find all pairs of non-negative integers x, y for which {a}x + {b}y = {n} holds.",
)
TEMPLATES = tuple(q + _FORMAT for q in _QUESTIONS)
# Templates that tell the two unknowns apart only by their values ("stamps of values 3 and 3"); with a == b
# they read ambiguously, so such an equation is posed with one of the others.
BY_VALUE = (4, 11, 14, 17, 20)
SYMBOLIC = tuple(i for i in range(len(TEMPLATES)) if i not in BY_VALUE)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (10, 50), "M": (51, 100), "L": (101, 200)}


@dataclass(frozen=True)
class DiophantineConfig(TailConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    # 2-12 leaves about a third of the equations without a non-negative solution
    coefficients: tuple[int, int] = (2, 12)

    def __post_init__(self):
        super().__post_init__()
        low, high = self.coefficients
        require(1 <= low <= high, "coefficients", f"a range [low, high] with 1 <= low <= high, got {[low, high]}")


def solve_trace(a: int, b: int, n: int, rendering: Rendering) -> tuple[str, list[str]]:
    """The solutions (answer text) and the trace lines (without the final-answer line)."""
    write = DIOPHANTINE.writer(rendering)
    lines = [write("equation", a=a, b=b, n=n)]
    solutions = []
    x, rest = 0, n
    while True:
        m = rest % b
        if m == 0:
            y = rest // b
            solutions.append(f"({x}, {y})")
            lines.append(write("hit", x=x, rest=rest, b=b, y=y))
        else:
            lines.append(write("miss", x=x, rest=rest, b=b, m=m))
        if rest < a:
            lines.append(write("stop", rest=rest, a=a))
            break
        lines.append(write("move", x=x, next=x + 1, rest=rest, a=a, left=rest - a))
        x, rest = x + 1, rest - a
    answer = ", ".join(solutions) or NONE
    lines.append(write("result", solutions=answer))
    return answer, lines


class DiophantineTask(TailTask):
    version = "2"  # 2: equal coefficients are never posed with a template that names them by value
    Config = DiophantineConfig
    answer_type = "list"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: DiophantineConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        a, b = rng.randint(*config.coefficients), rng.randint(*config.coefficients)
        if a == b:
            template = SYMBOLIC[rng.randrange(len(SYMBOLIC))]
            prompt = TEMPLATES[template].format(a=a, b=b, n=n)
        else:
            template, prompt = self.pose(rng, a=a, b=b, n=n)
        answer, lines = solve_trace(a, b, n, config.rendering)
        problem = {"a": a, "b": b, "n": n}
        solutions = 0 if answer == NONE else answer.count("(")
        return self.finish(key, config, problem=problem, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec=problem, difficulty={"n": n, "solutions": solutions})
