"""Trace parsing helpers shared by the TAIL checkers."""

from __future__ import annotations

import re

from reasonry.verdict import Verdict

FINAL = re.compile(r"^Final answer:\s*(.*?)\s*$")


def split_final(trace: str) -> tuple[list[str], str | None]:
    """The lines before the final answer, and the final answer (None if the trace has none)."""
    lines = [line for line in trace.strip().split("\n")]
    if not lines:
        return [], None
    m = FINAL.match(lines[-1])
    if not m:
        return lines, None
    return lines[:-1], m.group(1)


def fail_at(line_no: int, message: str) -> Verdict:
    return Verdict.no(f"trace line {line_no + 1}: {message}")
