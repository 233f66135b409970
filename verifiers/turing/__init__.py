"""Verifier for TAIL tasks: recompute the answer from ``spec`` and replay the trace's states.

Each task has a module here with ``answer(spec) -> str`` (an independent recomputation, sharing no code with
the trace writer), ``same(candidate, gold) -> bool`` and ``check_trace(spec, trace) -> Verdict``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from reasonry.verdict import Verdict

# task name -> module under reasonry.verifiers.turing
CHECKERS: dict[str, str] = {
    "tail/addition": "addition",
    "tail/knapsack": "knapsack",
    "tail/lcs": "lcs",
    "tail/levenshtein": "levenshtein",
    "tail/binary_search": "binary_search",
    "tail/palindrome_combination": "palindrome_combination",
    "tail/population_growth": "population_growth",
    "tail/dijkstra": "dijkstra",
    "tail/multi_machine_schedule": "multi_machine_schedule",
    "tail/count_letters": "count_letters",
    "tail/diophantine": "diophantine",
    "tail/prime_search": "prime_search",
    "tail/division": "division",
    "tail/bubble_sort": "bubble_sort",
    "tail/word_flip": "word_flip",
    "tail/compare_numbers": "compare_numbers",
    "tail/any_substring": "any_substring",
    "tail/derangement": "derangement",
}


def _checker(spec: dict) -> ModuleType | Verdict:
    task = spec.get("task") if isinstance(spec, dict) else None
    if task not in CHECKERS:
        return Verdict.no(f"spec names no known TAIL task: {task!r}")
    return importlib.import_module(f"{__name__}.{CHECKERS[task]}")


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
