"""tail/any_substring: list every distinct substring of a string, by recursion over its suffixes.

Definition: a substring is a non-empty contiguous run s[i:j] (0 <= i < j <= n). The answer is the list of the
**distinct** substrings, each exactly once, written ``[a, ab, b]`` in the order the recursion first meets
them: by start position i, then by end position j. Grading compares the set: any order is accepted, but a
repeated or missing item, or an item that is not a substring, is wrong. The string has 3-5 / 6-9 / 10-14
characters for S / M / L. Each string draws its characters from ``alphabet_size`` lowercase letters picked
at random for that item: few letters per string, so substrings repeat and the "already found" branch is
exercised, yet many different strings, so a large train set is not mostly duplicates.

Trace: the recursion substrings(s[i:]) = prefixes of s[i:] + substrings(s[i+1:]) unrolled. Call i re-writes
the suffix it works on; each state re-writes one prefix s[i:j] and either counts it as new (with the running
number of distinct substrings) or names the earlier position s[a:b] where it was already found. Call i ends
with the count so far; call n meets the empty suffix and the recursion returns.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import ANY_SUBSTRING

TEMPLATES = (
    "List all distinct substrings of \"{s}\".",
    "What are all the different non-empty substrings of the string \"{s}\"?",
    "Find every distinct contiguous substring of \"{s}\".",
    "Enumerate the distinct substrings of {s}, each once.",
    "Write down each non-empty substring of \"{s}\" exactly once.",
    "Give the set of all substrings of \"{s}\" (no repeats).",
    "Which strings occur as contiguous pieces of \"{s}\"? List each one once.",
    "Using recursion over suffixes, list all distinct substrings of \"{s}\".",
    "List every substring s[i:j] of s = \"{s}\", dropping duplicates.",
    "Collect all distinct non-empty substrings of the word \"{s}\".",
    "A string is \"{s}\". Output all of its different substrings.",
    "What substrings does \"{s}\" contain? Give each distinct one once.",
    "Return the list of unique substrings of \"{s}\".",
    "Name all contiguous, non-empty parts of \"{s}\", without repetition.",
    "Find all unique consecutive-character substrings of \"{s}\".",
    "Produce every distinct substring of the following string.\n{s}",
    "Slide windows of every width over \"{s}\" and list each distinct window content once.",
    "List the distinct substrings of \"{s}\" in a bracketed, comma-separated list.",
    "Recursively enumerate the substrings of \"{s}\" and report the distinct ones.",
    "Find any substring of \"{s}\": list all distinct ones.",
    "For the string \"{s}\", give all different substrings (each once, any order).",
    "Extract all distinct non-empty substrings from \"{s}\".",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (3, 5), "M": (6, 9), "L": (10, 14)}


@dataclass(frozen=True)
class AnySubstringConfig(TailConfig):
    alphabet_size: int = 4
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        require(1 <= self.alphabet_size <= 26, "alphabet_size", "must be in [1, 26]")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "a string has at least one character")


def show(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def substring_trace(s: str, rendering: Rendering) -> tuple[str, list[str]]:
    """The distinct substrings and their TAIL trace lines (without the final-answer line)."""
    write = ANY_SUBSTRING.writer(rendering)
    n = len(s)
    lines = [write("header", s=s, n=n)]
    first_seen: dict[str, tuple[int, int]] = {}
    found: list[str] = []
    for i in range(n):
        lines.append(write("call", i=i, suffix=s[i:]))
        for j in range(i + 1, n + 1):
            sub = s[i:j]
            if sub in first_seen:
                a, b = first_seen[sub]
                lines.append(write("seen", i=i, j=j, sub=sub, a=a, b=b))
            else:
                first_seen[sub] = (i, j)
                found.append(sub)
                lines.append(write("new", i=i, j=j, sub=sub, count=len(found)))
        lines.append(write("back", i=i, count=len(found)))
    lines.append(write("empty", n=n))
    lines.append(write("result", items=show(found)))
    return show(found), lines


class AnySubstringTask(TailTask):
    Config = AnySubstringConfig
    answer_type = "list"
    ordered_answer = False  # the prompts ask for the substrings in any order
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: AnySubstringConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        letters = rng.sample(string.ascii_lowercase, config.alphabet_size)
        s = "".join(rng.choice(letters) for _ in range(n))
        template, prompt = self.pose(rng, s=s)
        answer, lines = substring_trace(s, config.rendering)
        return self.finish(key, config, problem={"string": s}, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec={"string": s}, difficulty={"length": n})

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        """One substring dropped, or (for a one-item answer) one added that the string does not contain."""
        items = record["answer"][1:-1].split(", ")
        if len(items) > 1:
            items.pop(rng.randrange(len(items)))
        else:
            items.append(items[0] + "z")
        return show(items)

    def corrupt_trace(self, record: dict, rng: random.Random) -> str | None:
        """Either a digit in one state (generic) or one state's substring with a letter changed."""
        if rng.random() < 0.5:
            return super().corrupt_trace(record, rng)
        lines = record["trace"].split("\n")
        states = [i for i, line in enumerate(lines) if line.startswith(("State ", "Substring "))]
        li = rng.choice(states)
        line = lines[li]
        key = "]=" if line.startswith("State ") else "] is "
        at = line.index(key) + len(key)
        new = "z" if line[at] != "z" else "y"
        lines[li] = line[:at] + new + line[at + 1:]
        return "\n".join(lines)
