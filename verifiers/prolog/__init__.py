"""Verifier for Prolog prototypes: canonical JSON equality against what SWI-Prolog prints.

``spec`` carries the program (``program``), its entry point (``goal``, default ``solve_json``) and optional
``time_limit`` / ``inference_limit``. The program runs sandboxed in the process-wide worker pool
(``reasonry.verifiers.prolog.pool``); its output must be exactly one JSON object. A candidate is right when
its canonical form (keys sorted, integral floats as integers) equals the canonical form of that object.

Traces are not checked here: the Prolog tasks' traces are prose, so ``check_trace`` is ``None``.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from reasonry.errors import RecordError
from reasonry.hashing import content_hash
from reasonry.verdict import Verdict
from reasonry.verifiers.prolog.output import OutputError, candidate_object, canonical, parse_single_object
from reasonry.verifiers.prolog.pool import get_pool, shutdown_pool, start_pool

__all__ = ["ProgramRejected", "check_trace", "run_json", "reference_answer", "verify", "start_pool", "shutdown_pool"]


class ProgramRejected(RecordError):
    """A program broke the contract (time, inferences, syntax, sandbox, output); ``reason`` is a short code."""

    def __init__(self, reason: str, detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(f"prolog program rejected ({reason}): {detail}", field="verifier.spec.program")


def run_json(program: str, goal: str = "solve_json", *, time_limit: float | None = None,
             inference_limit: int | None = None) -> tuple[dict, int]:
    """Run ``program`` in the pool; (the one JSON object it printed, inferences used) or ``ProgramRejected``."""
    result = get_pool().run(program, goal, time_limit=time_limit, inference_limit=inference_limit)
    if not result.ok:
        raise ProgramRejected(result.reason, result.detail)
    try:
        return parse_single_object(result.output), result.inferences
    except OutputError as exc:
        raise ProgramRejected(exc.reason, exc.detail) from None


MAX_CANDIDATE_CHARS = 1_000_000

_CACHE: OrderedDict[str, str | ProgramRejected] = OrderedDict()
_CACHE_SIZE = 2048
_CACHE_LOCK = Lock()


def reference_answer(spec: dict) -> str:
    """The canonical JSON the spec's program prints (memoised: a record is often checked several times)."""
    program = spec.get("program")
    goal = spec.get("goal", "solve_json")
    if not isinstance(program, str) or not isinstance(goal, str):
        raise ProgramRejected("bad_spec", "spec needs a string 'program' and a string 'goal'")
    limits = {"time_limit": spec.get("time_limit"), "inference_limit": spec.get("inference_limit")}
    key = content_hash([program, goal, limits])
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
    if cached is None:
        try:
            value, _ = run_json(program, goal, **limits)
            cached = canonical(value)
        except ProgramRejected as exc:
            cached = exc
        with _CACHE_LOCK:
            _CACHE[key] = cached
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    if isinstance(cached, ProgramRejected):
        raise cached
    return cached


check_trace = None  # the traces are prose: only the answer is checked


def verify(spec: dict, candidate: str) -> Verdict:
    if not isinstance(spec, dict):
        return Verdict.no("spec is not an object")
    if not isinstance(candidate, str):
        return Verdict.no("candidate is not text")
    try:
        gold = reference_answer(spec)
    except ProgramRejected as exc:
        return Verdict.no(f"reference program rejected ({exc.reason}): {exc.detail}")
    if len(candidate) > MAX_CANDIDATE_CHARS:
        return Verdict.no(f"candidate is longer than {MAX_CANDIDATE_CHARS} characters")
    try:
        answer = canonical(candidate_object(candidate))
    except OutputError as exc:
        return Verdict.no(f"candidate is not one JSON object ({exc.reason})")
    except (ValueError, RecursionError) as exc:  # e.g. nesting too deep for the JSON parser
        return Verdict.no(f"candidate is not usable JSON ({type(exc).__name__})")
    if answer == gold:
        return Verdict.yes("JSON matches SWI-Prolog's output")
    return Verdict.no(f"wrong answer: SWI-Prolog printed {gold}")
