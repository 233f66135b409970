"""tail/word_flip: write a sentence backwards, one character per state.

Definition: the sentence is lowercase English words separated by single spaces; its size n is the number of
letters (spaces not counted): 10-20 / 21-50 / 51-100 for S / M / L. The answer is the sentence's characters in
reverse order, spaces included ("the cat" -> "tac eht").

Trace: state i reads position p = len - 1 - i of the sentence; it re-writes that position and its character
(quoted, so a space is visible) and writes the character at position i of the output. Because every state names
the position it reads, a trace that takes the right letter from the wrong place (easy with repeated letters)
is caught. The trace ends with the output read in order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import WORD_FLIP

WORDS = (
    "a i an as at be by do go he if in is it me my no of on or so to up us we "
    "all and any are big but can day did for get had has her him his how its let man may new not now old one "
    "our out own put red run say see she sun the too two use was way who why yes yet you "
    "also back been blue book call came come door each even find food five four from full give good hand "
    "have here home keep kind know land last left life like line long look made make many more most much must "
    "name near need next only open over part play read room said same seen ship side some star stop such take "
    "tell than that them then they this time tree true very wall want well went were what when will wind with "
    "word work year about above after again along apple began being below black bread bring build carry "
    "clean close could count dream early earth every field first found green happy heard horse house large "
    "later learn light might money month never night often order other paper place plant point quiet river "
    "right round seven small sound spell still story study table their there these thing think three today "
    "under until water where which while white whole world write young animal answer before better bridge "
    "friend garden letter little mother number people picture planet simple spring summer window winter"
).split()
_BY_LENGTH: dict[int, tuple[str, ...]] = {}
for _w in WORDS:
    _BY_LENGTH.setdefault(len(_w), ())
    _BY_LENGTH[len(_w)] += (_w,)
_LENGTHS = sorted(_BY_LENGTH)

TEMPLATES = (
    "Reverse the sentence \"{s}\" character by character.",
    "Write \"{s}\" backwards, letter by letter (spaces stay where the reversal puts them).",
    "Flip the sentence \"{s}\" so that its last character comes first.",
    "What is \"{s}\" when read from right to left, character by character?",
    "Spell the sentence \"{s}\" in reverse order, including the spaces.",
    "Give the character-by-character reversal of: {s}",
    "Mirror the text \"{s}\": write all of its characters in the opposite order.",
    "Reverse every character of the following sentence.\n{s}",
    "Read \"{s}\" backwards and write down exactly what you read.",
    "Turn the sentence \"{s}\" around, character for character.",
    "If you write \"{s}\" from the end to the beginning, what do you get?",
    "Produce the reverse of the string \"{s}\".",
    "What does \"{s}\" look like in a mirror-order listing of its characters (last first)?",
    "Flip this sentence backwards, keeping spaces as characters: \"{s}\"",
    "A message was written as \"{s}\". Encode it by reversing the order of its characters.",
    "Write the string \"{s}\" in reverse.",
    "Reverse the text below, including spaces.\n{s}",
    "Starting from the last character, copy \"{s}\" back to its first character.",
    "Give \"{s}\" spelled backwards.",
    "Invert the order of the characters in \"{s}\".",
    "Output the sentence \"{s}\" with its characters reversed.",
    "Word flip: reverse \"{s}\" character by character.",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (10, 20), "M": (21, 50), "L": (51, 100)}


@dataclass(frozen=True)
class WordFlipConfig(TailConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))

    def __post_init__(self):
        super().__post_init__()
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "a sentence has at least one letter")


def sentence(rng: random.Random, letters: int) -> str:
    """Words whose letters add up to exactly ``letters`` (one-letter words always fit the remainder)."""
    words = []
    left = letters
    while left:
        length = rng.choice([k for k in _LENGTHS if k <= left])
        words.append(rng.choice(_BY_LENGTH[length]))
        left -= length
    return " ".join(words)


def flip_trace(s: str, rendering: Rendering) -> tuple[str, list[str]]:
    """The reversed sentence and its TAIL trace lines (without the final-answer line)."""
    write = WORD_FLIP.writer(rendering)
    lines = [write("header", s=s, n=len(s))]
    out = []
    last = len(s) - 1
    for i in range(len(s)):
        p = last - i
        c = s[p]
        out.append(c)
        lines.append(write("state", i=i, p=p, c=c))
        if i < last:
            lines.append(write("move", i=i, next=i + 1))
    result = "".join(out)
    lines.append(write("result", out=result))
    return result, lines


class WordFlipTask(TailTask):
    Config = WordFlipConfig
    answer_type = "string"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: WordFlipConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        s = sentence(rng, n)
        template, prompt = self.pose(rng, s=s)
        answer, lines = flip_trace(s, config.rendering)
        return self.finish(key, config, problem={"sentence": s}, template=template, prompt=prompt,
                           answer=answer, trace_lines=lines, spec={"sentence": s}, difficulty={"letters": n})

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        """The sentence itself when it is not a palindrome, else one letter changed."""
        s = record["verifier"]["spec"]["sentence"]
        if s != s[::-1]:
            return s
        i = rng.choice([k for k, ch in enumerate(record["answer"]) if ch != " "])
        ch = record["answer"][i]
        return record["answer"][:i] + ("b" if ch == "a" else "a") + record["answer"][i + 1:]

    def corrupt_trace(self, record: dict, rng: random.Random) -> str | None:
        """One state writes a wrong letter (both its fetch and its write), so only the letter is wrong."""
        lines = record["trace"].split("\n")
        states = [i for i, line in enumerate(lines) if line.startswith(("State ", "Step ")) and "' '" not in line]
        if not states:
            return super().corrupt_trace(record, rng)
        li = rng.choice(states)
        line = lines[li]
        q = line.index("'")
        ch = line[q + 1]
        new = "b" if ch == "a" else "a"
        lines[li] = line.replace(f"'{ch}'", f"'{new}'")
        return "\n".join(lines)
