"""tail/population_growth: pairs of animals after n time units, one unit per state.

The rules (the paper leaves them open; this is the definition the verifier follows):

- at unit 0 there are ``y`` newborn pairs (age 0); every unit each pair ages by one and no pair ever dies;
- a pair of age ``x`` or more breeds: at every unit it produces ``z`` newborn pairs (age 0 at that unit);
- the answer is the number of pairs at unit ``n``.

Pairs of age >= x at unit t are exactly the pairs that already existed at unit t - x, so
``P[t] = y`` for ``t < x`` and ``P[t] = P[t-1] + z * P[t-x]`` for ``t >= x`` (x=2, y=1, z=1 is Fibonacci).
Each state t re-writes P[t-1] (and P[t-x] once breeding starts), then computes the newborns and the new total.
The size parameter is n: 1-10 (S), 11-25 (M), 26-50 (L).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import POPULATION_GROWTH

_RULES = ("starting with {y} newborn pairs, where every pair begins to breed once it is {x} units old and "
          "from then on produces {z} new pairs every unit, and no pair ever dies")

TEMPLATES = (
    "A farm starts with {y} newborn pairs of rabbits. A pair starts breeding when it is {x} months old and then "
    "produces {z} new pairs every month. Rabbits never die. How many pairs are there after {n} months?",
    "Consider a population " + _RULES + ". How many pairs are there after {n} units of time?",
    "Rabbit pairs: initial pairs y={y}, a pair breeds from age x={x} on, each breeding pair gives z={z} new "
    "pairs per unit, no deaths. Number of pairs at unit n={n}?",
    "An island is settled by {y} pairs of newborn birds. Every pair that is at least {x} years old raises {z} "
    "new pairs each year, and no bird dies. How many pairs live on the island after {n} years?",
    "Compute the number of pairs after {n} units for a population " + _RULES + ".",
    "In a lab, {y} newborn pairs of mice are placed in a cage. A pair begins to reproduce at age {x} weeks and "
    "then has {z} new pairs every week. None die. How many pairs are in the cage after {n} weeks?",
    "Fibonacci-style growth: start with {y} pairs of age 0; pairs aged {x} or more each add {z} pairs per step; "
    "nothing dies. How many pairs after {n} steps?",
    "A zoo gets {y} young pairs of guinea pigs. Each pair is mature at {x} months, after which it produces {z} "
    "new pairs monthly. Assuming none die, how many pairs does the zoo have after {n} months?",
    "Population model " + _RULES + ". What is the population, in pairs, at time {n}?",
    "Starting from {y} newborn pairs, each pair breeds from the age of {x} units on, adding {z} pairs per unit. "
    "No pair dies. Find the number of pairs after {n} units.",
    "A pond is stocked with {y} pairs of newborn fish. A pair spawns {z} new pairs every season once it is {x} "
    "seasons old; fish never die. How many pairs are in the pond after {n} seasons?",
    "How many pairs exist after {n} generations if you begin with {y} newborn pairs, a pair becomes fertile at "
    "age {x}, each fertile pair yields {z} new pairs per generation, and there are no deaths?",
    "Let P(t) count the pairs at unit t. P(0) = {y} newborn pairs; a pair aged at least {x} produces {z} new "
    "pairs every unit; no deaths. What is P({n})?",
    "A colony begins with {y} newborn pairs of ants. From the age of {x} days each pair founds {z} new pairs per "
    "day. No ant dies. How many pairs are there after {n} days?",
    "Breeding rules: {y} initial newborn pairs; maturity at age {x}; {z} offspring pairs per mature pair per "
    "unit; immortal. Pairs after {n} units?",
    "A game starts with {y} baby dragon pairs. Each pair, once {x} turns old, hatches {z} new pairs every turn. "
    "Dragons never die. How many pairs are there after turn {n}?",
    "You keep rabbits: {y} newborn pairs at the start, maturity after {x} months, {z} new pairs per mature pair "
    "each month, no losses. How many pairs will you have in {n} months?",
    "Find the number of pairs after {n} units in a population " + _RULES + ".",
    "Given y = {y} starting pairs, breeding age x = {x} and z = {z} new pairs per breeding pair per unit, with "
    "no deaths, how many pairs are there after n = {n} units?",
    "A greenhouse starts with {y} newly planted pairs of plants. A pair that is {x} or more weeks old produces "
    "{z} new pairs each week, and plants never die. How many pairs are there after {n} weeks?",
    "Simulate a population " + _RULES + ", for {n} units. How many pairs are there at the end?",
    "Each unit, every pair that is at least {x} units old produces {z} new pairs; pairs never die. Beginning "
    "with {y} newborn pairs, how many pairs are there after {n} units?",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (1, 10), "M": (11, 25), "L": (26, 50)}


@dataclass(frozen=True)
class PopulationGrowthConfig(TailConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    breeding_age: tuple[int, int] = (1, 4)
    # a wide range of y keeps S (n <= 10) from being a few hundred distinct problems
    initial_pairs: tuple[int, int] = (1, 100)
    new_pairs: tuple[int, int] = (1, 3)

    def __post_init__(self):
        super().__post_init__()
        for name in ("breeding_age", "initial_pairs", "new_pairs"):
            low, high = getattr(self, name)
            require(1 <= low <= high, name, f"a range [low, high] with 1 <= low <= high, got {[low, high]}")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "at least one unit")


def growth_trace(n: int, x: int, y: int, z: int, rendering: Rendering) -> tuple[str, list[str]]:
    """The number of pairs at unit n and the trace lines (without the final-answer line)."""
    write = POPULATION_GROWTH.writer(rendering)
    lines = [write("rule", x=x, y=y, z=z), write("start", y=y)]
    pop = [y]
    for t in range(1, n + 1):
        lines.append(write("move", i=t - 1, next=t))
        prev = pop[t - 1]
        if t < x:
            pop.append(prev)
            lines.append(write("wait", t=t, p=t - 1, prev=prev, x=x))
            continue
        breeders = pop[t - x]
        born = z * breeders
        pop.append(prev + born)
        lines.append(write("breed", t=t, p=t - 1, prev=prev, back=t - x, breeders=breeders, z=z, born=born,
                           now=pop[t]))
    lines.append(write("result", n=n, now=pop[n]))
    return str(pop[n]), lines


class PopulationGrowthTask(TailTask):
    Config = PopulationGrowthConfig
    answer_type = "integer"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: PopulationGrowthConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        x = rng.randint(*config.breeding_age)
        y = rng.randint(*config.initial_pairs)
        z = rng.randint(*config.new_pairs)
        template, prompt = self.pose(rng, n=n, x=x, y=y, z=z)
        answer, lines = growth_trace(n, x, y, z, config.rendering)
        problem = {"n": n, "x": x, "y": y, "z": z}
        return self.finish(key, config, problem=problem, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec=problem, difficulty={"n": n})

    def capacity(self, config: PopulationGrowthConfig, bucket: str | None) -> int:
        low, high = self.size_range(config, bucket)
        width = [b - a + 1 for a, b in (config.breeding_age, config.initial_pairs, config.new_pairs)]
        return (high - low + 1) * width[0] * width[1] * width[2]  # the problem is (n, x, y, z)
