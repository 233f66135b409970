"""The line format of search-derived (MCTS) traces, as a checker reads it.

A trace is prose lines and step lines ``Step k: <step>``. Step numbers are depths: ``Step k`` extends the
current path when the path has k-1 steps; a smaller k abandons the steps from k on and goes back to the state
after step k-1 (a backtrack, which must be preceded by at least one prose line: the reflection). The last line
is ``Final answer: <answer>``. What survives at the end is the final path; the checker replays it, so mistakes
in abandoned branches are allowed (they are what the reflection is about) but the final path must be sound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reasonry.verdict import Verdict

STEP = re.compile(r"^Step (\d+): (.+)$")
FINAL = re.compile(r"^Final answer:\s*(.*?)\s*$")


@dataclass(frozen=True)
class Replay:
    path: list[tuple[int, str]]  # (line number, step text) of the final path, in order
    final: str
    backtracks: int


def read(trace: str) -> Replay | Verdict:
    lines = trace.strip().split("\n")
    m = FINAL.match(lines[-1]) if lines else None
    if not m or not m.group(1):
        return Verdict.no("trace does not end with 'Final answer: ...'")
    path: list[tuple[int, str]] = []
    prose_since_step = True
    backtracks = 0
    for no, line in enumerate(lines[:-1]):
        s = STEP.match(line)
        if not s:
            if line.startswith("Final answer:"):
                return Verdict.no(f"trace line {no + 1}: a final answer before the end")
            prose_since_step = prose_since_step or bool(line.strip())
            continue
        k = int(s.group(1))
        if k < 1 or k > len(path) + 1:
            return Verdict.no(f"trace line {no + 1}: step {k} does not follow a path of {len(path)} steps")
        if k <= len(path):
            if not prose_since_step:
                return Verdict.no(f"trace line {no + 1}: goes back to step {k - 1} without a reflection")
            backtracks += 1
            del path[k - 1:]
        path.append((no, s.group(2)))
        prose_since_step = False
    if not path:
        return Verdict.no("trace has no steps")
    return Replay(path, m.group(1), backtracks)


def fail_at(line_no: int, message: str) -> Verdict:
    return Verdict.no(f"trace line {line_no + 1}: {message}")


_FAILED_AT = re.compile(r"^trace line (\d+): ")


def failed_line(verdict: Verdict) -> int | None:
    """The 0-based line a ``fail_at`` verdict names, or None when the verdict names no line."""
    m = _FAILED_AT.match(verdict.reason or "")
    return int(m.group(1)) - 1 if m and not verdict.ok else None
