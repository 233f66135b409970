"""tail/count_letters: how many times a letter occurs in a sentence, one letter per state.

The sentence is lowercase words of random letters drawn from a small alphabet, so letters repeat; the target
is one of the sentence's letters, or (with ``absent_probability``) a letter it lacks, and then the answer is 0.
The size parameter is the number of letters in the sentence, spaces not counted: 2-6 (S), 7-10 (M), 11-20
(L). The trace enumerates the letters left to right (letters are numbered from 1, skipping spaces); each
state re-writes the letter and the running count it reads, compares the letter with the target, and writes
the new count.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import COUNT_LETTERS

TEMPLATES = (
    "How many times does the letter '{c}' appear in \"{text}\"?",
    "Count the occurrences of the letter '{c}' in the sentence \"{text}\".",
    "In the text \"{text}\", how many '{c}'s are there?",
    "How many '{c}' letters does \"{text}\" contain?",
    "Count how often '{c}' occurs in: {text}",
    "What is the number of times the letter {c} appears in the sentence \"{text}\"?",
    "Find the count of the letter '{c}' in \"{text}\".",
    "The sentence is \"{text}\". How many times is the letter '{c}' used?",
    "Letter count: how many '{c}' are in \"{text}\"?",
    "Tally the letter '{c}' in the phrase \"{text}\".",
    "How many occurrences of '{c}' are there in \"{text}\"?",
    "Scan \"{text}\" letter by letter and count the letter '{c}'.",
    "Determine how many times '{c}' shows up in \"{text}\".",
    "In \"{text}\", count the letter {c}.",
    "A message reads \"{text}\". How many times does it contain the letter '{c}'?",
    "How frequent is the letter '{c}' in \"{text}\"? Give the count.",
    "Count every '{c}' in the following sentence: {text}",
    "Given the string \"{text}\", return the number of '{c}' characters.",
    "How many letters '{c}' can you find in \"{text}\"?",
    "Number of '{c}' in \"{text}\"?",
    "Look at \"{text}\". How many of its letters are '{c}'?",
    "Please count the letter '{c}' in the sentence \"{text}\" and report the total.",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (2, 6), "M": (7, 10), "L": (11, 20)}


@dataclass(frozen=True)
class CountLettersConfig(TailConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    # how many distinct letters the sentence draws from
    alphabet_size: tuple[int, int] = (2, 6)
    max_word_length: int = 6
    absent_probability: float = 0.1

    def __post_init__(self):
        super().__post_init__()
        low, high = self.alphabet_size
        require(1 <= low <= high <= 26, "alphabet_size", f"a range within 1..26, got {[low, high]}")
        require(self.max_word_length >= 1, "max_word_length", "words have at least one letter")
        require(0.0 <= self.absent_probability <= 1.0, "absent_probability", "must be in [0, 1]")
        for bucket, (low_n, _high) in self.sizes.items():
            require(low_n >= 1, f"sizes.{bucket}", "at least one letter")


def count_trace(text: str, target: str, rendering: Rendering) -> tuple[str, list[str]]:
    """The count and the trace lines (without the final-answer line)."""
    write = COUNT_LETTERS.writer(rendering)
    lines = [write("text", text=text, letter=target)]
    count = 0
    for k, ch in enumerate((ch for ch in text if ch != " "), start=1):
        if ch == target:
            lines.append(write("match", k=k, ch=ch, letter=target, count=count, new=count + 1))
            count += 1
        else:
            lines.append(write("differ", k=k, ch=ch, letter=target, count=count))
    lines.append(write("result", count=count))
    return str(count), lines


def random_sentence(rng: random.Random, letters: int, alphabet: list[str], max_word: int) -> str:
    words = []
    left = letters
    while left:
        size = rng.randint(1, min(max_word, left))
        words.append("".join(rng.choice(alphabet) for _ in range(size)))
        left -= size
    return " ".join(words)


class CountLettersTask(TailTask):
    Config = CountLettersConfig
    answer_type = "integer"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: CountLettersConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        alphabet = rng.sample(string.ascii_lowercase, rng.randint(*config.alphabet_size))
        text = random_sentence(rng, n, alphabet, config.max_word_length)
        present = sorted(set(text) - {" "})
        absent = sorted(set(string.ascii_lowercase) - set(present))
        # Mostly a letter of the sentence (so it tends to repeat); now and then one it lacks, answer 0.
        target = rng.choice(absent if rng.random() < config.absent_probability else present)
        template, prompt = self.pose(rng, c=target, text=text)
        answer, lines = count_trace(text, target, config.rendering)
        problem = {"text": text, "letter": target}
        return self.finish(key, config, problem=problem, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec=problem, difficulty={"letters": n})
