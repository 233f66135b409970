"""tail/knapsack: 0-1 knapsack by dynamic programming, one table cell per state.

The size parameter is the number of items: 2-3 (S), 4-5 (M), 6-8 (L). Each item has an integer weight in
[0, max_weight] (weight 0 with probability ``zero_weight_probability``: such an item fits in every capacity,
including a capacity of 0, and is always worth taking) and a value in [1, max_value]; the knapsack's capacity
is drawn from [1, max_capacity]. The answer is the largest total value of a set of items whose weights sum to
at most the capacity (each item taken at most once).

The trace fills ``dp[i][c]`` (best value from the first i items within capacity c) row by row, c = 0..W,
after a row ``dp[0][*] = 0``. Each state re-writes the item it considers and the cells it reads before the
max, as in the paper: "We have got dp[9][5]+6=16. We have got dp[9][11]=15. So dp[10][11]=16."
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import KNAPSACK

TEMPLATES = (
    "A knapsack holds at most {capacity} units of weight. The items are {items}. Each item can be taken at most "
    "once. What is the largest total value that fits?",
    "Solve the 0-1 knapsack problem: capacity {capacity}, items {items}. Give the maximum total value.",
    "You may pack each of these items at most once: {items}. The bag's capacity is {capacity}. What is the best "
    "total value you can carry?",
    "Items with weights {weights} have values {values}. With a capacity of {capacity} and no item used twice, "
    "what is the maximum achievable value?",
    "0-1 knapsack. Weights: {weights}. Values: {values}. Capacity: {capacity}. Maximum value?",
    "A thief can carry {capacity} kg. The loot is {items}. Taking each piece at most once, what is the highest "
    "total value he can steal?",
    "Choose a subset of the items {items} with total weight at most {capacity} so that the total value is as "
    "large as possible. What is that value?",
    "Given capacity {capacity} and the items {items}, compute the optimal 0-1 knapsack value.",
    "What is the maximum total value of a subset of {items} whose weights add up to no more than {capacity}?",
    "A hiker's backpack can take {capacity} units of weight. The gear on offer is {items}; each piece can be "
    "packed once at most. What total value does the best packing have?",
    "Find the best value for a 0-1 knapsack of capacity {capacity} filled from these items: {items}.",
    "The weights are {weights} and the matching values are {values}. Pick items (each once at most) within a "
    "weight limit of {capacity}. What is the greatest value you can reach?",
    "Maximize the total value of the items {items} you put into a knapsack of capacity {capacity}, using each "
    "item at most once. Report the maximum.",
    "Use dynamic programming to find the 0-1 knapsack optimum for capacity {capacity} and items {items}.",
    "A truck can load {capacity} tons. The crates are {items}. Each crate is loaded whole or not at all, and "
    "there is one of each. What is the largest total value the truck can carry?",
    "Knapsack capacity = {capacity}; items = {items}. Each item is either taken once or left. What is the best "
    "possible total value?",
    "How much value can you fit into a knapsack of capacity {capacity} if the items are {items} and none may be "
    "taken twice?",
    "There are {count} items: {items}. Under a weight budget of {capacity}, what is the maximum sum of values of "
    "the items you select (each at most once)?",
    "With weights {weights}, values {values} and capacity {capacity}, what does the 0-1 knapsack problem's "
    "optimal solution score?",
    "An investor can fund projects with a total cost of at most {capacity}. The projects are {items}, where the "
    "weight is the cost and the value is the return; each project is funded at most once. What is the largest "
    "total return?",
    "Compute max total value subject to total weight <= {capacity}, choosing each of {items} at most once.",
    "Fill a knapsack of capacity {capacity} from the items {items} (0-1: every item once at most). What is the "
    "highest total value?",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (2, 3), "M": (4, 5), "L": (6, 8)}


@dataclass(frozen=True)
class KnapsackConfig(TailConfig):
    max_weight: int = 8
    max_value: int = 20
    max_capacity: int = 12
    zero_weight_probability: float = 0.1
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        require(self.max_weight >= 1, "max_weight", "must be >= 1")
        require(self.max_value >= 1, "max_value", "must be >= 1")
        require(self.max_capacity >= 1, "max_capacity", "must be >= 1")
        require(0.0 <= self.zero_weight_probability <= 1.0, "zero_weight_probability", "must be in [0, 1]")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "a knapsack problem has at least one item")


def knapsack_trace(weights: list[int], values: list[int], capacity: int,
                   rendering: Rendering) -> tuple[int, list[str]]:
    """The optimum and its TAIL trace lines (without the final-answer line)."""
    write = KNAPSACK.writer(rendering)
    n = len(weights)
    lines = [write("header", n=n, weights=_words(weights), values=_words(values), W=capacity),
             write("init", W=capacity)]
    prev = [0] * (capacity + 1)
    cells = [(i, c) for i in range(1, n + 1) for c in range(capacity + 1)]
    for k, (i, c) in enumerate(cells):
        if c == 0:
            row = [0] * (capacity + 1)
        w, v = weights[i - 1], values[i - 1]
        keep = prev[c]
        if w > c:
            row[c] = keep
            lines.append(write("skip", i=i, c=c, w=w, v=v, p=i - 1, keep=keep, best=keep))
        else:
            base = prev[c - w]
            take = base + v
            row[c] = max(take, keep)
            lines.append(write("cell", i=i, c=c, w=w, v=v, p=i - 1, r=c - w, base=base, keep=keep, take=take,
                               best=row[c]))
        if c == capacity:
            prev = row
        if k + 1 < len(cells):
            ni, nc = cells[k + 1]
            lines.append(write("move", i=i, c=c, ni=ni, nc=nc))
    best = prev[capacity]
    lines.append(write("result", n=n, W=capacity, best=best))
    return best, lines


def _words(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))


def _items_text(weights: list[int], values: list[int]) -> str:
    return ", ".join(f"(weight {w}, value {v})" for w, v in zip(weights, values, strict=True))


class KnapsackTask(TailTask):
    Config = KnapsackConfig
    answer_type = "integer"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: KnapsackConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        weights = [0 if rng.random() < config.zero_weight_probability else rng.randint(1, config.max_weight)
                   for _ in range(n)]
        values = [rng.randint(1, config.max_value) for _ in range(n)]
        capacity = rng.randint(1, config.max_capacity)
        template, prompt = self.pose(rng, capacity=capacity, items=_items_text(weights, values),
                                     weights=_words(weights), values=_words(values), count=n)
        best, lines = knapsack_trace(weights, values, capacity, config.rendering)
        problem = {"weights": weights, "values": values, "capacity": capacity}
        return self.finish(key, config, problem=problem, template=template, prompt=prompt, answer=str(best),
                           trace_lines=lines, spec=dict(problem),
                           difficulty={"items": n, "capacity": capacity,
                                       "zero_weight_items": weights.count(0)})
