"""Verifier for TAIL tasks: recompute the answer from ``spec`` and replay the trace's states.

Each task of the family's index (``reasonry.generators.turing.index``) has the module here named after it, with
``answer(spec) -> str`` (an independent recomputation, sharing no code with the trace writer),
``same(candidate, gold) -> bool`` and ``check_trace(spec, trace) -> Verdict``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from reasonry.generators.turing.index import TASKS
from reasonry.verdict import Verdict


def _checker(spec: dict) -> ModuleType | Verdict:
    task = spec.get("task") if isinstance(spec, dict) else None
    if task not in TASKS:
        return Verdict.no(f"spec names no known TAIL task: {task!r}")
    return importlib.import_module(f"{__name__}.{task.removeprefix('tail/')}")


def verify(spec: dict, candidate: str) -> Verdict:
    checker = _checker(spec)
    if isinstance(checker, Verdict):
        return checker
    if not isinstance(candidate, str):
        return Verdict.no("candidate is not text")
    try:
        gold = checker.answer(spec)
    except Exception as exc:  # a broken spec is the record's fault, not the candidate's
        return Verdict.no(f"bad spec: {type(exc).__name__}: {exc}")
    try:
        ok = checker.same(candidate, gold)
    except Exception as exc:
        return Verdict.no(f"unparsable candidate: {type(exc).__name__}")
    return Verdict.yes("answer matches") if ok else Verdict.no(f"wrong answer: expected {gold!r}")


def check_trace(spec: dict, trace: str) -> Verdict:
    checker = _checker(spec)
    if isinstance(checker, Verdict):
        return checker
    if not isinstance(trace, str) or not trace.strip():
        return Verdict.no("empty trace")
    try:
        return checker.check_trace(spec, trace)
    except Exception as exc:
        return Verdict.no(f"trace check failed: {type(exc).__name__}: {exc}")
