"""What every TAIL task shares: length buckets, renderings, question templates, trace assembly.

TAIL traces imitate a Turing machine: every loop is unrolled into one ordered list of states (linear
transition), each state does one elementary step (atomic state), and each state first re-writes the operands
it reads (memory fetcher). A trace is a list of lines; the terse rendering is symbolic, the styled one adds
connective prose. Both end with ``Final answer: <answer>`` and both are parsed back by the trace checker in
``reasonry.verifiers.turing``.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from reasonry.config import require
from reasonry.task import ItemKey, Task
from reasonry.verifiers.turing.lines import Rendering

BUCKETS = ("S", "M", "L")
FINAL_ANSWER = "Final answer:"


@dataclass(frozen=True)
class TailConfig:
    """Knobs every TAIL task has. Subclasses add their own and set ``sizes``' defaults."""

    rendering: Rendering = "terse"
    # bucket -> inclusive (low, high) range of the task's size parameter
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self):
        for bucket, pair in self.sizes.items():
            require(bucket in BUCKETS, f"sizes.{bucket}", f"bucket must be one of {BUCKETS}")
            require(len(pair) == 2 and 0 <= pair[0] <= pair[1], f"sizes.{bucket}",
                    f"a size range is [low, high] with 0 <= low <= high, got {list(pair)}")


@dataclass(frozen=True)
class StringPairConfig(TailConfig):
    """Knobs of the tasks over two strings (LCS, Levenshtein)."""

    alphabet: str = "abcdefghijklmnopqrstuvwxyz"
    # each item spells both strings with 2..palette_size letters of the alphabet: few letters keep matches
    # frequent (an interesting table), a large alphabet keeps the short S problems from repeating
    palette_size: int = 5

    def __post_init__(self):
        super().__post_init__()
        require(len(self.alphabet) >= 1 and len(set(self.alphabet)) == len(self.alphabet)
                and self.alphabet.isalpha() and self.alphabet.islower(), "alphabet",
                "distinct lowercase letters, at least one")
        require(self.palette_size >= 1, "palette_size", "must be >= 1")
        for bucket, (low, _high) in self.sizes.items():
            require(low >= 1, f"sizes.{bucket}", "strings have at least one letter")

    def draw_pair(self, m: int, n: int, rng: random.Random) -> tuple[str, str]:
        """Two strings of lengths m and n over one random palette of this item's letters."""
        palette = rng.sample(self.alphabet, rng.randint(min(2, len(self.alphabet)),
                                                        min(self.palette_size, len(self.alphabet))))
        return "".join(rng.choice(palette) for _ in range(m)), "".join(rng.choice(palette) for _ in range(n))


def grid_lines(s: str, t: str, write: Callable[..., str], border: Callable[[int, int], int],
               rule: Callable[[bool, int, int, int], int]) -> tuple[int, list[str]]:
    """The cell, move and result lines of a DP table over the prefixes of two strings, filled row by row, and
    its last cell. ``border(i, j)`` is a cell of row 0 or column 0; ``rule(equal, diag, up, left)`` a cell from
    its neighbours (the letters s_i and t_j are ``equal`` or not)."""
    m, n = len(s), len(t)
    dp = [[border(i, j) if i == 0 or j == 0 else 0 for j in range(n + 1)] for i in range(m + 1)]
    cells = [(i, j) for i in range(1, m + 1) for j in range(1, n + 1)]
    lines = []
    for k, (i, j) in enumerate(cells):
        a, b = s[i - 1], t[j - 1]
        diag, up, left = dp[i - 1][j - 1], dp[i - 1][j], dp[i][j - 1]
        dp[i][j] = rule(a == b, diag, up, left)
        lines.append(write("match" if a == b else "differ", i=i, j=j, pi=i - 1, pj=j - 1, a=a, b=b, diag=diag,
                           up=up, left=left, cell=dp[i][j]))
        if k + 1 < len(cells):
            ni, nj = cells[k + 1]
            lines.append(write("move", i=i, j=j, ni=ni, nj=nj))
    lines.append(write("result", m=m, n=n, cell=dp[m][n]))
    return dp[m][n], lines


def random_number(rng: random.Random, digits: int, decimal: bool) -> str:
    """A number with ``digits`` digits and no leading zero; with ``decimal``, a point somewhere inside."""
    chars = [str(rng.randint(1, 9))] + [str(rng.randint(0, 9)) for _ in range(digits - 1)]
    if decimal and digits >= 2:
        chars[-1] = str(rng.randint(1, 9))  # a trailing zero after the point would not be canonical
        point = rng.randint(1, digits - 1)
        return "".join(chars[:point]) + "." + "".join(chars[point:])
    return "".join(chars)


class TailTask(Task):
    """Base of the TAIL tasks. A task's module is named after it: ``tail/lcs`` lives in ``lcs.py``."""

    family: ClassVar[str] = "tail"
    verifier_kind: ClassVar[str] = "tail"
    buckets: ClassVar[tuple[str, ...]] = BUCKETS
    # The paper's ranges of the size parameter, per bucket.
    default_sizes: ClassVar[dict[str, tuple[int, int]]] = {}
    templates: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        cls.name = f"{cls.family}/{cls.__module__.rpartition('.')[2]}"

    def size_range(self, config: TailConfig, bucket: str | None) -> tuple[int, int]:
        sizes = {**self.default_sizes, **config.sizes}
        low, high = sizes[bucket or "S"]  # a list where the options came from YAML
        return low, high

    def draw_size(self, config: TailConfig, key: ItemKey, rng: random.Random) -> int:
        low, high = self.size_range(config, key.bucket)
        return rng.randint(low, high)

    def pose(self, rng: random.Random, **values: Any) -> tuple[int, str]:
        """Pick a question template; returns (template id, prompt)."""
        i = rng.randrange(len(self.templates))
        return i, self.templates[i].format(**values)

    def finish(self, key: ItemKey, config: TailConfig, *, problem: Any, template: int, prompt: str,
               answer: str, trace_lines: list[str], spec: dict, difficulty: dict) -> dict:
        spec = {"task": self.name, **spec}
        trace = "\n".join([*trace_lines, f"{FINAL_ANSWER} {answer}"])
        return self.record(key, problem=problem, prompt=prompt, answer=answer, verifier_spec=spec, trace=trace,
                           difficulty={"size": difficulty},
                           meta={"template": template, "rendering": config.rendering})

    def corrupt_trace(self, record: dict, rng: random.Random) -> str | None:
        """Change one value inside one intermediate state (never the final-answer line)."""
        lines = record["trace"].split("\n")
        candidates = []
        for li, line in enumerate(lines[:-1]):
            head, sep, body = line.partition(":")
            if not sep:
                continue
            offset = len(head) + 1
            positions = [offset + j for j, ch in enumerate(body) if ch.isdigit()]
            if positions:
                candidates.append((li, positions))
        if not candidates:
            return None
        li, positions = rng.choice(candidates)
        pos = rng.choice(positions)
        line = lines[li]
        new_digit = str((int(line[pos]) + rng.randint(1, 9)) % 10)
        lines[li] = line[:pos] + new_digit + line[pos + 1:]
        return "\n".join(lines)


def variant(name: str) -> type[TailTask]:
    """The task class of a name in the family's index: the one ``TailTask`` subclass defined in the module
    named after the task."""
    module = importlib.import_module(f"{__package__}.{name.removeprefix('tail/')}")
    found = [value for value in vars(module).values() if isinstance(value, type) and issubclass(value, TailTask)
             and value.__module__ == module.__name__]
    if len(found) != 1:
        raise TypeError(f"{module.__name__} must define exactly one TailTask subclass, found {len(found)}")
    return found[0]


class StringPairTask(TailTask):
    """Base of the tasks over two strings (LCS, Levenshtein): both lengths drawn from the bucket, both strings
    spelled from one palette; a subclass sets ``trace(s, t, rendering) -> (answer, lines)``."""

    answer_type: ClassVar[str] = "integer"

    @staticmethod
    def trace(s: str, t: str, rendering: Rendering) -> tuple[int, list[str]]:
        """The answer and the trace lines (without the final-answer line)."""
        raise NotImplementedError

    def generate(self, config: StringPairConfig, key: ItemKey, rng: random.Random) -> dict | None:
        m, n = self.draw_size(config, key, rng), self.draw_size(config, key, rng)
        s, t = config.draw_pair(m, n, rng)
        template, prompt = self.pose(rng, s=s, t=t)
        best, lines = self.trace(s, t, config.rendering)
        return self.finish(key, config, problem={"s": s, "t": t}, template=template, prompt=prompt,
                           answer=str(best), trace_lines=lines, spec={"s": s, "t": t},
                           difficulty={"lengths": [m, n]})
