"""tail/lcs: length of the longest common subsequence of two strings, one DP cell per state.

The size parameter is each string's length, drawn independently: 2-6 (S), 7-9 (M), 10-12 (L); both strings use
a palette of 2..``palette_size`` letters drawn from ``alphabet`` per item. The answer is the length of a
longest common subsequence (not the subsequence itself, which is not unique). The trace fills ``dp[i][j]``
(LCS length of the first i letters of s and the first j of t) row by row after the zero borders; each state
re-writes the two letters it compares and the cells it reads before writing the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reasonry.generators.turing.common import Rendering, StringPairConfig, StringPairTask, grid_lines
from reasonry.verifiers.turing.shapes import LCS

TEMPLATES = (
    "What is the length of the longest common subsequence of \"{s}\" and \"{t}\"?",
    "Find the length of the LCS of the strings {s} and {t}.",
    "Compute the longest common subsequence length for s = {s} and t = {t}.",
    "How many characters long is the longest common subsequence of {s} and {t}?",
    "Given the strings \"{s}\" and \"{t}\", determine the length of their longest common subsequence.",
    "A subsequence keeps letters in order but may skip some. What is the longest length of a string that is a "
    "subsequence of both {s} and {t}?",
    "LCS length of {s} and {t}?",
    "Use dynamic programming to find the length of the longest common subsequence of {s} and {t}.",
    "Two DNA-like strings are {s} and {t}. How long is their longest common subsequence?",
    "Delete letters from {s} and from {t}, keeping the order of the rest, until both read the same. What is the "
    "longest length the common result can have?",
    "Determine LCS(\"{s}\", \"{t}\") as a number of characters.",
    "Report the length of the longest sequence of letters that appears, in order, in both {s} and {t}.",
    "String A is {s} and string B is {t}. What is the length of their longest common subsequence?",
    "Find the size of the longest common subsequence between \"{s}\" and \"{t}\".",
    "How long is the longest string that can be obtained from both {s} and {t} by deleting characters?",
    "Calculate the length of the longest common subsequence (LCS) of {s} and {t}.",
    "Compare the words {s} and {t}: what is the length of their longest common subsequence?",
    "Consider s = \"{s}\" and t = \"{t}\". Give the length of a longest common subsequence of s and t.",
    "Two versions of a file read {s} and {t}, one letter per line. How many lines does their longest common "
    "subsequence have?",
    "What is the LCS length for the pair ({s}, {t})?",
    "Without reordering letters, what is the longest length of a sequence contained in both {s} and {t}?",
    "Solve: longest common subsequence of {s} and {t}. Answer with its length.",
)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (2, 6), "M": (7, 9), "L": (10, 12)}


@dataclass(frozen=True)
class LcsConfig(StringPairConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))


def lcs_trace(s: str, t: str, rendering: Rendering) -> tuple[int, list[str]]:
    """The LCS length and its TAIL trace lines (without the final-answer line)."""
    write = LCS.writer(rendering)
    head = [write("header", s=s, t=t, m=len(s), n=len(t)), write("init", m=len(s), n=len(t))]
    best, cells = grid_lines(s, t, write, lambda i, j: 0,
                             lambda equal, diag, up, left: diag + 1 if equal else max(up, left))
    return best, head + cells


class LcsTask(StringPairTask):
    Config = LcsConfig
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES
    trace = staticmethod(lcs_trace)
