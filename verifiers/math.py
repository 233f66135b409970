"""Verifier kind ``math``: is a candidate answer equivalent to the gold answer?

``verify(spec, candidate)`` with ``spec = {"answer": gold, "answer_type": type, ...}``. Optional spec keys:
``rel_tol`` (float and percentage answers, default 1e-6), ``unordered`` (list answers compared as multisets),
``time_limit`` (seconds for a symbolic comparison, default 5), ``currency`` (an ISO 4217 code: the candidate
may write the amount with that currency, ``$100.00`` or ``100 USD``, but not with another), and ``steps``
(a trace language for ``check_trace``, see ``reasonry.verifiers.math_steps``).

Numbers, fractions, percentages, booleans, choices, strings and lists are compared exactly in-process. Symbolic
answers (expressions, matrices, anything else) are compared in a worker process with a deadline: sympy and
math-verify can take unbounded time, and their own timeouts use signals that only work in the main thread
(so they are turned off with ``parsing_timeout=None, timeout_seconds=None``). Text never reaches ``eval``:
plain expressions go through ``reasonry.verifiers.expr``; math-verify is used only with its LaTeX extractor.
"""

from __future__ import annotations

import re
from fractions import Fraction

from reasonry.answers import clean_scalar
from reasonry.currency import split_currency
from reasonry.numbers import parse_written_number
from reasonry.verdict import Verdict
from reasonry.verifiers import expr, math_steps
from reasonry.verifiers.math_worker import run_with_deadline

DEFAULT_TIME_LIMIT = 5.0
DEFAULT_REL_TOL = 1e-6
MAX_CANDIDATE = 4000

_ASSIGN = re.compile(r"^\s*[A-Za-z]\w*\s*=\s*(?!=)(.+)$", re.DOTALL)
_TRUE = {"true", "yes", "y", "t", "1", "correct"}
_FALSE = {"false", "no", "n", "f", "0", "incorrect"}


def extract(candidate: str) -> str:
    """The answer text without decoration (emphasis, ``$``, one ``\\boxed{}``, a closing full stop) and
    without a leading ``x =``. Locating the answer in a reply is ``reasonry.answers``' job, not this one's."""
    text = clean_scalar(candidate)
    m = _ASSIGN.match(text)
    if m:
        text = clean_scalar(m.group(1))
    return text


def _latex_number(text: str) -> str:
    """``\\frac{3}{4}`` and ``\\dfrac{3}{4}`` as ``(3)/(4)``; ``\\cdot`` and ``\\times`` as ``*``."""
    text = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = text.replace("\\cdot", "*").replace("\\times", "*").replace("\\left", "").replace("\\right", "")
    text = text.replace("\\,", "").replace("\\!", "").replace("{", "(").replace("}", ")")
    return text


def number(text: str) -> Fraction | None:
    """An exact number from candidate text (``-3/4``, ``1,250``, ``\\frac{1}{2}``, ``2.5``)."""
    text = text.strip()
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    return expr.rational(_latex_number(text))


def _close(a: Fraction, b: Fraction, rel_tol: float) -> bool:
    if a == b:
        return True
    scale = max(abs(a), abs(b))
    return abs(a - b) <= Fraction(rel_tol) * scale


def _same_scalar(gold: str, cand: str, answer_type: str, spec: dict) -> Verdict:
    rel_tol = float(spec.get("rel_tol", DEFAULT_REL_TOL))
    if spec.get("currency"):  # a money amount: the number counts, a currency other than the gold's does not
        money = split_currency(cand)
        if money is not None:
            if money[1] != spec["currency"]:
                return Verdict.no(f"amount in {money[1]}, expected {spec['currency']}")
            cand = money[0]
    if answer_type == "percentage":
        gold, cand = gold.rstrip().rstrip("%").replace("\\%", ""), cand.rstrip().replace("\\%", "").rstrip("%")
    g, c = number(gold), parse_written_number(cand)
    if g is None:
        return Verdict.no(f"gold answer {gold!r} is not a number")
    if c is None:
        return Verdict.no("candidate is not a number written as digits (or a fraction of them)")
    if answer_type in ("integer", "fraction"):
        return Verdict.yes("equal") if g == c else Verdict.no("different value")
    return Verdict.yes("equal within tolerance") if _close(g, c, rel_tol) else Verdict.no("different value")


def _norm_text(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip(".").strip()).casefold()


_CHOICE = re.compile(r"^(?:option\s+|choice\s+)?[(\[]?([A-Za-z])[)\]]?(?:[.):]\s*(.*))?$", re.IGNORECASE)


def _choice(text: str) -> str | None:
    """The one choice letter a text names: ``B``, ``(B)``, ``B.``, ``option B``, ``B) 42``. ``B or C``, ``B B1``
    and ``B) or C`` name no single choice (None), so a hedged answer never matches."""
    m = _CHOICE.match(text.strip().rstrip(".").strip())
    if not m:
        return None
    rest = m.group(2) or ""
    if re.search(r"(?<![A-Za-z])[A-Z](?![A-Za-z])|\bor\b|/", rest):
        return None
    return m.group(1).upper()


def _split_list(text: str) -> list[str]:
    text = text.strip()
    if text[:1] in "[({" and text[-1:] in "])}":
        text = text[1:-1]
    return [part.strip() for part in text.split(",") if part.strip()]


def _same_item(gold: str, cand: str, spec: dict) -> bool:
    g, c = number(gold), parse_written_number(cand)
    if g is not None and c is not None:
        return g == c
    return _norm_text(gold) == _norm_text(cand)


def _same_list(gold: str, cand: str, spec: dict) -> Verdict:
    gs, cs = _split_list(gold), _split_list(cand)
    if len(gs) != len(cs):
        return Verdict.no(f"expected {len(gs)} items, got {len(cs)}")
    if spec.get("unordered"):
        rest = list(cs)
        for g in gs:
            match = next((i for i, c in enumerate(rest) if _same_item(g, c, spec)), None)
            if match is None:
                return Verdict.no(f"no item matches {g!r}")
            rest.pop(match)
        return Verdict.yes("same items")
    for i, (g, c) in enumerate(zip(gs, cs, strict=True)):
        if not _same_item(g, c, spec):
            return Verdict.no(f"item {i + 1} differs")
    return Verdict.yes("same list")


def verify(spec: dict, candidate: str) -> Verdict:
    if not isinstance(spec, dict) or not isinstance(spec.get("answer"), str):
        return Verdict.no("spec has no gold 'answer' text")
    if not isinstance(candidate, str):
        return Verdict.no("candidate is not text")
    if len(candidate) > MAX_CANDIDATE:
        return Verdict.no("candidate too long")
    answer_type = spec.get("answer_type", "expression")
    gold, cand = extract(spec["answer"]), extract(candidate)
    if not cand:
        return Verdict.no("empty answer")
    try:
        if answer_type in ("integer", "fraction", "float", "percentage"):
            return _same_scalar(gold, cand, answer_type, spec)
        if answer_type == "boolean":
            gb = _norm_text(gold) in _TRUE
            cn = _norm_text(cand)
            if cn not in _TRUE | _FALSE:
                return Verdict.no("candidate is not a yes/no answer")
            return Verdict.yes("same truth value") if (cn in _TRUE) == gb else Verdict.no("different truth value")
        if answer_type == "multiple_choice":
            want, got = _choice(gold), _choice(cand)
            if want is None:
                return Verdict.no(f"gold answer {gold!r} names no single choice")
            if got is None:
                return Verdict.no("the answer must name exactly one choice")
            return Verdict.yes("same choice") if want == got else Verdict.no("different choice")
        if answer_type == "string":
            return Verdict.yes("same text") if _norm_text(gold) == _norm_text(cand) else Verdict.no("different text")
        if answer_type == "list":
            return _same_list(gold, cand, spec)
    except Exception as exc:  # a malformed candidate is a wrong answer, never a crash
        return Verdict.no(f"cannot compare: {type(exc).__name__}")
    return symbolic(gold, cand, time_limit=float(spec.get("time_limit", DEFAULT_TIME_LIMIT)))


def symbolic(gold: str, candidate: str, *, time_limit: float = DEFAULT_TIME_LIMIT) -> Verdict:
    """Symbolic equivalence, decided in a worker process that is killed at the deadline."""
    g, c = number(gold), number(candidate)
    if g is not None and c is not None:
        return Verdict.yes("equal") if g == c else Verdict.no("different value")
    if _norm_text(gold) == _norm_text(candidate):
        return Verdict.yes("same text")
    outcome = run_with_deadline("equivalent", (gold, candidate), time_limit)
    if outcome is None:
        return Verdict.no(f"no decision within {time_limit:g}s")
    ok, reason = outcome
    return Verdict(ok, reason)


def check_trace(spec: dict, trace: str) -> Verdict:
    """Replay a step trace where the spec names a step language; otherwise check the final answer line."""
    if not isinstance(trace, str) or not trace.strip():
        return Verdict.no("empty trace")
    return math_steps.check(spec, trace, verify)
