"""tail/levenshtein: edit distance of two strings, one DP cell per state.

The size parameter is each string's length, drawn independently: 2-4 (S), 5-7 (M), 8-9 (L); both strings use a
palette of 2..``palette_size`` letters drawn from ``alphabet`` per item. The answer is the Levenshtein
distance: the least number of single-letter insertions, deletions and substitutions that turn s into t. The
trace writes the borders ``dp[0][j] = j`` and ``dp[i][0] = i``, then fills ``dp[i][j]`` row by row; each state
re-writes the two letters it compares and the cells it reads. Equal letters copy the diagonal (never worse
than an insertion or deletion, since neighbouring cells differ by at most one); different letters take 1 + the
least of replace, delete, insert.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reasonry.generators.turing.common import Rendering, StringPairConfig, StringPairTask, grid_lines
from reasonry.verifiers.turing.shapes import LEVENSHTEIN

TEMPLATES = (
    "What is the Levenshtein distance between \"{s}\" and \"{t}\"?",
    "Compute the edit distance from {s} to {t} (insertions, deletions and substitutions each cost 1).",
    "How many single-letter edits (insert, delete, substitute) are needed at least to turn {s} into {t}?",
    "Find the minimum number of edit operations that transform \"{s}\" into \"{t}\".",
    "Levenshtein distance of {s} and {t}?",
    "A spell checker compares the typed word {s} with the dictionary word {t}. What is their edit distance?",
    "Determine the Levenshtein distance d({s}, {t}).",
    "What is the smallest number of insertions, deletions and replacements of single characters that changes "
    "{s} into {t}?",
    "Use dynamic programming to compute the edit distance between {s} and {t}.",
    "Given s = \"{s}\" and t = \"{t}\", how far apart are they in Levenshtein distance?",
    "Calculate the edit distance between the strings {s} and {t}.",
    "Each edit inserts, deletes or substitutes one letter. What is the fewest edits that turn {s} into {t}?",
    "How many character edits separate {s} from {t}, at minimum?",
    "Report the Levenshtein distance from the source string {s} to the target string {t}.",
    "String A is {s} and string B is {t}. What is the minimum edit distance between them?",
    "Two gene fragments read {s} and {t}. Counting each point mutation, insertion or deletion as one step, what "
    "is the least number of steps between them?",
    "Transform {s} into {t} with as few single-character insertions, deletions and substitutions as possible. "
    "How many operations does it take?",
    "Find the edit (Levenshtein) distance for the pair ({s}, {t}).",
    "What is lev(\"{s}\", \"{t}\")?",
    "Solve: minimum number of unit-cost edits converting {s} to {t}.",
    "How many typos, each an inserted, missing or wrong letter, at least turn {t} into {s}?",
    "Measure the Levenshtein distance between the words {s} and {t}.",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (2, 4), "M": (5, 7), "L": (8, 9)}


@dataclass(frozen=True)
class LevenshteinConfig(StringPairConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))


def levenshtein_trace(s: str, t: str, rendering: Rendering) -> tuple[int, list[str]]:
    """The edit distance and its TAIL trace lines (without the final-answer line)."""
    write = LEVENSHTEIN.writer(rendering)
    m, n = len(s), len(t)
    head = [write("header", s=s, t=t, m=m, n=n),
            write("init", m=m, n=n, top=" ".join(str(j) for j in range(n + 1)),
                  side=" ".join(str(i) for i in range(m + 1)))]
    best, cells = grid_lines(s, t, write, lambda i, j: i + j,
                             lambda equal, diag, up, left: diag if equal else 1 + min(diag, up, left))
    return best, head + cells


class LevenshteinTask(StringPairTask):
    Config = LevenshteinConfig
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES
    trace = staticmethod(levenshtein_trace)
