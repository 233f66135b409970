"""tail/palindrome_combination: count the palindromic arrangements of a list of letters, by backtracking.

The question (the paper only names the task): given a list of n letters, possibly repeated, how many
distinct arrangements of all n letters read the same forwards and backwards? Arrangements that differ only by
swapping equal letters count once. The size parameter is n: 2-4 (S), 5-6 (M), 7-8 (L). With probability
``palindromic_probability`` the list is built from pairs (plus one middle letter when n is odd), so that the
answer is usually not 0; otherwise its letters are drawn at random.

The trace is the backtracking program that enumerates the palindromes: it counts each letter (one state per
element), checks that at most one letter has an odd count (that letter is the middle; with two or more
there is no palindrome and the answer is 0), then builds the left half depth first from the pool of half
counts, trying the letters of each prefix in alphabetical order. Each state re-writes the pool it reads and
the letter tried last at that prefix; a complete half gives one palindrome (half + middle + mirrored half).
Moves into a longer prefix and back out are states of their own, so the search tree is walked as one line.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from reasonry.generators.turing.common import TailConfig, TailTask

from reasonry.config import require
from reasonry.task import ItemKey

TEMPLATES = (
    "How many distinct arrangements of all the letters in {items} are palindromes?",
    "Count the distinct permutations of the list {items} that read the same forwards and backwards.",
    "Using every element of {items} exactly once, how many different palindromes can be formed?",
    "In how many distinct ways can the letters {letters} be lined up so that the line is a palindrome?",
    "Find the number of distinct palindromic permutations of {items}.",
    "Rearrange all of {items}. How many different orderings are palindromes? (Orderings that only swap equal "
    "letters are the same.)",
    "A palindrome reads the same in both directions. How many distinct palindromes use exactly the letters "
    "{letters}?",
    "By backtracking, count the distinct arrangements of {items} that are palindromes.",
    "How many different strings that read the same backwards can be spelled with all the tiles {letters}?",
    "Given the multiset of letters {items}, how many distinct palindromes of length {n} can be made from it?",
    "Count the palindromic orderings of {items}, counting each distinct sequence once.",
    "What is the number of distinct permutations of {items} that are equal to their own reverse?",
    "You have the letter tiles {letters}. Using all of them, how many distinct palindromes can you lay out?",
    "How many distinct palindromic sequences use each element of {items} exactly once?",
    "Determine how many different palindromes are anagrams of \"{word}\".",
    "How many distinct anagrams of {word} are palindromes?",
    "Enumerate, by backtracking, the distinct palindromes that are permutations of {items}. How many are there?",
    "List {items} can be reordered in many ways. How many distinct reorderings are palindromes?",
    "Beads labelled {letters} are strung in a row, all of them. How many distinct rows look the same from both "
    "ends?",
    "What is the count of distinct palindromic arrangements of the {n} letters {letters}?",
    "Find how many distinct palindromes can be built from all the characters of {word}.",
    "Count the distinct ways to arrange {items} into a palindrome (every element used once).",
)


@dataclass(frozen=True)
class PalindromeCombinationConfig(TailConfig):
    alphabet: str = "abcdefghijklmnopqrstuvwxyz"
    palindromic_probability: float = 0.7
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(PalindromeCombinationTask.default_sizes))

    def __post_init__(self):
        super().__post_init__()
        require(len(self.alphabet) >= 1 and len(set(self.alphabet)) == len(self.alphabet)
                and self.alphabet.isalpha() and self.alphabet.islower(), "alphabet",
                "distinct lowercase letters, at least one")
        require(0.0 <= self.palindromic_probability <= 1.0, "palindromic_probability", "must be in [0, 1]")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "the list has at least one letter")


def _pool(rest: Counter, terse: bool) -> str:
    text = " ".join(f"{c}:{rest[c]}" for c in sorted(rest) if rest[c])
    return text or ("-" if terse else "none")


def palindrome_trace(items: list[str], rendering: str) -> tuple[int, list[str]]:
    """The number of distinct palindromic arrangements and its TAIL trace lines (without the final answer)."""
    terse = rendering == "terse"
    none = "-" if terse else "none"
    lines: list[str] = []
    counts: Counter = Counter()
    for i, x in enumerate(items):
        old = counts[x]
        counts[x] += 1
        lines.append(f"Count {i}: fetch x{i}={x}; count[{x}]={old}+1={old + 1}" if terse else
                     f"Letter {i} is {x}, so count[{x}] goes from {old} to {old + 1}.")
    letters = sorted(counts)
    odd = [c for c in letters if counts[c] % 2]
    tally = (" " if terse else ", ").join(f"{c}={counts[c]}" for c in letters)
    if len(odd) > 1:
        lines.append(f"Tally: fetch {tally}; odd={' '.join(odd)}; {len(odd)} odd letters, no palindrome" if terse
                     else f"The counts are {tally}. Letters with an odd count: {' '.join(odd)}. A palindrome allows "
                          f"at most one, so there is none.")
        lines.append("Result: found=0" if terse else "In total found=0 palindromes.")
        return 0, lines
    middle = odd[0] if odd else ""
    rest = Counter({c: counts[c] // 2 for c in letters})
    half = _pool(rest, terse)
    lines.append(f"Tally: fetch {tally}; odd={middle or none}; middle={middle or none}; half={half}" if terse else
                 f"The counts are {tally}. Letters with an odd count: {middle or none}. At most one is allowed, so "
                 f"the middle is {middle or none} and each half uses {half}.")
    size = sum(rest.values())
    found = 0
    # explicit stack of (prefix, letter tried last) so the walk is one loop, like the machine it imitates
    stack: list[list] = [["", ""]]
    while stack:
        prefix, tried = stack[-1]
        if len(prefix) == size:
            found += 1
            word = prefix + middle + prefix[::-1]
            lines.append(f"State [{prefix}]: complete; fetch middle={middle or none}; palindrome={word}; "
                         f"found={found - 1}+1={found}" if terse else
                         f"Prefix [{prefix}] is a complete half; with middle {middle or none} it gives the palindrome "
                         f"{word}, so found goes from {found - 1} to {found}.")
            choice = None
        else:
            choice = next((c for c in sorted(rest) if rest[c] and c > tried), None)
            pool = _pool(rest, terse)
            if choice is None:
                lines.append(f"State [{prefix}]: fetch rest={pool} tried={tried or none}; no choice left" if terse
                             else f"At prefix [{prefix}] the unused half letters are {pool} and the last letter tried "
                                  f"here is {tried or none}; no letter is left to try.")
            else:
                lines.append(f"State [{prefix}]: fetch rest={pool} tried={tried or none}; choose {choice}" if terse
                             else f"At prefix [{prefix}] the unused half letters are {pool} and the last letter tried "
                                  f"here is {tried or none}; place {choice} next.")
        if choice is None:
            stack.pop()
            if stack:
                rest[prefix[-1]] += 1
                lines.append(f"Backtrack [{prefix}] -> [{prefix[:-1]}]" if terse else
                             f"Go back from [{prefix}] to [{prefix[:-1]}].")
        else:
            stack[-1][1] = choice
            rest[choice] -= 1
            stack.append([prefix + choice, ""])
            lines.append(f"Transition [{prefix}] -> [{prefix + choice}]" if terse else
                         f"Move from [{prefix}] to [{prefix + choice}].")
    lines.append(f"Result: found={found}" if terse else f"In total found={found} palindromes.")
    return found, lines


class PalindromeCombinationTask(TailTask):
    name = "tail/palindrome_combination"
    description = "TAIL backtracking: number of distinct palindromic arrangements of a list of letters"
    version = "1"
    Config = PalindromeCombinationConfig
    answer_type = "integer"
    default_sizes = {"S": (2, 4), "M": (5, 6), "L": (7, 8)}
    templates = TEMPLATES

    def generate(self, config: PalindromeCombinationConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        palette = rng.sample(config.alphabet, min(len(config.alphabet), rng.randint(1, n)))
        if n >= 2 and rng.random() < config.palindromic_probability:
            half = [rng.choice(palette) for _ in range(n // 2)]
            items = half + half + ([rng.choice(config.alphabet)] if n % 2 else [])
            rng.shuffle(items)
        else:
            items = [rng.choice(palette) for _ in range(n)]
        template, prompt = self.pose(rng, items="[" + ", ".join(items) + "]", letters=" ".join(items),
                                     word="".join(items), n=n)
        count, lines = palindrome_trace(items, config.rendering)
        return self.finish(key, config, problem={"items": items}, template=template, prompt=prompt,
                           answer=str(count), trace_lines=lines, spec={"items": list(items)},
                           difficulty={"n": n, "distinct": len(set(items))})

    def corrupt_trace(self, record: dict, rng: random.Random) -> str | None:
        """Change one value of one state: a digit, or a letter of the list (styled lines carry values before
        and after colons alike, and here letters are values as much as counts are)."""
        lines = record["trace"].split("\n")
        spots = []
        for li, line in enumerate(lines[:-1]):
            spots += [(li, pos) for pos, ch in enumerate(line) if ch.isdigit()]
            for m in re.finditer(r"[a-z]+", line):
                if m.end() - m.start() == 1 or line[m.start() - 1: m.start()] in ("=", "["):
                    spots += [(li, pos) for pos in range(m.start(), m.end())]
        if not spots:
            return None
        li, pos = rng.choice(spots)
        line = lines[li]
        ch = line[pos]
        pool = "0123456789" if ch.isdigit() else "abcdefghijklmnopqrstuvwxyz"
        lines[li] = line[:pos] + rng.choice([c for c in pool if c != ch]) + line[pos + 1:]
        return "\n".join(lines)
