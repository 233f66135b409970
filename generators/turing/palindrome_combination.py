"""tail/palindrome_combination: count the palindromic arrangements of a list of numbers, by backtracking.

The question (the paper only names the task): given a list of n positive integers, possibly repeated, how
many distinct arrangements of all n elements read the same forwards and backwards? Arrangements that differ
only by swapping equal elements count once. The size parameter is n: 2-4 (S), 5-6 (M), 7-8 (L). Elements are
drawn from [1, max_value] through a per-item palette of at most n values, so repeats are common; with
probability ``palindromic_probability`` the list is built from pairs (plus one middle element when n is
odd), so that the answer is usually not 0. Numbers rather than letters: lists of 2-4 letters repeat so often
that a 100k-item S split would be mostly duplicates (about 10% distinct ids with letters; about 70% with the
default max_value, the rest mostly the few lists of 2 equal numbers).

The trace is the backtracking program that enumerates the palindromes: it counts each element (one state
per element), checks that at most one value has an odd count (that value is the middle; with two or more
there is no palindrome and the answer is 0), then builds the left half depth first from the pool of half
counts, trying the values at each prefix in increasing order. Each state re-writes the pool it reads and
the value tried last at that prefix; a complete half gives one palindrome (half + middle + mirrored half).
Moves into a longer prefix and back out are states of their own, so the search tree is walked as one line.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.lines import PerRendering, spaced
from reasonry.verifiers.turing.shapes import NOTHING, PALINDROME_COMBINATION

TEMPLATES = (
    "How many distinct arrangements of all the elements of {items} are palindromes?",
    "Count the distinct permutations of the list {items} that read the same forwards and backwards.",
    "Using every element of {items} exactly once, how many different palindromic lists can be formed?",
    "In how many distinct ways can the numbers {spaced} be lined up so that the line is a palindrome?",
    "Find the number of distinct palindromic permutations of {items}.",
    "Rearrange all of {items}. How many different orderings are palindromes? (Orderings that only swap equal "
    "numbers are the same.)",
    "A sequence is a palindrome if it reads the same in both directions. How many distinct palindromes use "
    "exactly the numbers {spaced}?",
    "By backtracking, count the distinct arrangements of {items} that are palindromes.",
    "Cards numbered {spaced} are laid in a row, all of them. How many distinct rows read the same from the "
    "left and from the right?",
    "Given the multiset {items}, how many distinct palindromic sequences of length {n} can be made from it?",
    "Count the palindromic orderings of {items}, counting each distinct sequence once.",
    "What is the number of distinct permutations of {items} that are equal to their own reverse?",
    "You have the number tiles {spaced}. Using all of them, how many distinct palindromes can you lay out?",
    "How many distinct palindromic sequences use each element of {items} exactly once?",
    "Beads labelled {spaced} are strung in a row, all of them. How many distinct rows look the same from both "
    "ends?",
    "Enumerate, by backtracking, the distinct palindromes that are permutations of {items}. How many are there?",
    "The list {items} can be reordered in many ways. How many distinct reorderings are palindromes?",
    "What is the count of distinct palindromic arrangements of the {n} numbers {spaced}?",
    "Count the distinct ways to arrange {items} into a palindrome (every element used once).",
    "A display shows the numbers {spaced}. In how many distinct orders can all of them be shown so that the "
    "sequence is a palindrome?",
    "How many permutations of {items}, counted without repeats, are palindromes?",
    "Determine how many different palindromic lists are rearrangements of {items}.",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (2, 4), "M": (5, 6), "L": (7, 8)}


@dataclass(frozen=True)
class PalindromeCombinationConfig(TailConfig):
    max_value: int = 9999
    palindromic_probability: float = 0.7
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        require(self.max_value >= 1, "max_value", "must be >= 1")
        require(0.0 <= self.palindromic_probability <= 1.0, "palindromic_probability", "must be in [0, 1]")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "the list has at least one element")


def _pool(rest: Counter) -> str | PerRendering:
    return " ".join(f"{v}:{rest[v]}" for v in sorted(rest) if rest[v]) or NOTHING


def _show(values: list[int] | tuple[int, ...]) -> str:
    return "[" + " ".join(map(str, values)) + "]"


def palindrome_trace(items: list[int], rendering: Rendering) -> tuple[int, list[str]]:
    """The number of distinct palindromic arrangements and its TAIL trace lines (without the final answer)."""
    write = PALINDROME_COMBINATION.writer(rendering)
    lines: list[str] = []
    counts: Counter = Counter()
    for i, x in enumerate(items):
        old = counts[x]
        counts[x] += 1
        lines.append(write("count", i=i, x=x, old=old, new=old + 1))
    values = sorted(counts)
    odd = [v for v in values if counts[v] % 2]
    tally = spaced(f"count[{v}]={counts[v]}" for v in values)
    if len(odd) > 1:
        lines.append(write("no_palindrome", tally=tally, odd=" ".join(map(str, odd)), k=len(odd)))
        lines.append(write("result", found=0))
        return 0, lines
    middle = odd[:1]
    mid_text = str(middle[0]) if middle else NOTHING
    rest = Counter({v: counts[v] // 2 for v in values})
    lines.append(write("tally", tally=tally, mid=mid_text, half=_pool(rest)))
    size = sum(rest.values())
    found = 0
    # explicit stack of [prefix, value tried last] so the walk is one loop, like the machine it imitates
    stack: list[tuple[tuple[int, ...], int]] = [((), 0)]
    while stack:
        prefix, tried = stack[-1]
        here = _show(prefix)
        choice: int | None = None
        if len(prefix) == size:
            found += 1
            lines.append(write("complete", prefix=here, mid=mid_text, word=_show(prefix + tuple(middle) + prefix[::-1]),
                               old=found - 1, new=found))
        else:
            choice = next((v for v in sorted(rest) if rest[v] and v > tried), None)
            shown = {"prefix": here, "pool": _pool(rest), "tried": str(tried) if tried else NOTHING}
            lines.append(write("stuck", **shown) if choice is None else write("choose", c=choice, **shown))
        if choice is None:
            stack.pop()
            if stack:
                rest[prefix[-1]] += 1
                lines.append(write("back", child=here, prefix=_show(prefix[:-1])))
        else:
            stack[-1] = (prefix, choice)
            rest[choice] -= 1
            stack.append((prefix + (choice,), 0))
            lines.append(write("move", prefix=here, child=_show(prefix + (choice,))))
    lines.append(write("result", found=found))
    return found, lines


class PalindromeCombinationTask(TailTask):
    Config = PalindromeCombinationConfig
    answer_type = "integer"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: PalindromeCombinationConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        palette = rng.sample(range(1, config.max_value + 1), min(config.max_value, rng.randint(1, n)))
        if n >= 2 and rng.random() < config.palindromic_probability:
            half = [rng.choice(palette) for _ in range(n // 2)]
            items = half + half + ([rng.randint(1, config.max_value)] if n % 2 else [])
            rng.shuffle(items)
        else:
            items = [rng.choice(palette) for _ in range(n)]
        template, prompt = self.pose(rng, items="[" + ", ".join(map(str, items)) + "]",
                                     spaced=" ".join(map(str, items)), n=n)
        count, lines = palindrome_trace(items, config.rendering)
        return self.finish(key, config, problem={"items": items}, template=template, prompt=prompt,
                           answer=str(count), trace_lines=lines, spec={"items": list(items)},
                           difficulty={"n": n, "distinct": len(set(items))})

    def corrupt_trace(self, record: dict, rng: random.Random) -> str | None:
        """Change one digit of one state, anywhere in the line: styled lines carry values before and after
        colons alike, and here the elements themselves are numbers."""
        lines = record["trace"].split("\n")
        spots = [(li, pos) for li, line in enumerate(lines[:-1]) for pos, ch in enumerate(line) if ch.isdigit()]
        if not spots:
            return None
        li, pos = rng.choice(spots)
        line = lines[li]
        new = rng.choice([d for d in "0123456789" if d != line[pos]])
        lines[li] = line[:pos] + new + line[pos + 1:]
        return "\n".join(lines)
