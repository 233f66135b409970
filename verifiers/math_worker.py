"""Symbolic comparisons in a worker process that can be killed at a deadline.

Signal-based timeouts (sympy's, math-verify's) only work in the main thread, and a Beam worker runs DoFns on
other threads. So a comparison is sent to a long-lived child process (created on first use, one per parent
process); if it has not answered by the deadline the child is killed and a fresh one starts on the next call.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_pid: int | None = None


def _get_pool() -> ProcessPoolExecutor:
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        # spawn, not fork: the parent may be multi-threaded (Beam), and a forked child could inherit held locks
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        _pool_pid = os.getpid()
    return _pool


def _kill_pool() -> None:
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    for proc in list(getattr(pool, "_processes", {}).values()):
        proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the worker (the DoFn's teardown calls this)."""
    with _lock:
        _kill_pool()


def run_with_deadline(job: str, args: tuple, time_limit: float):
    """The result of ``JOBS[job](*args)`` in the worker, or None if it took longer than ``time_limit``."""
    with _lock:
        for _attempt in range(2):
            pool = _get_pool()
            try:
                future = pool.submit(_run, job, args)
                return future.result(timeout=time_limit)
            except FutureTimeout:
                _kill_pool()
                return None
            except BrokenProcessPool:
                _kill_pool()  # the child died (e.g. out of memory); try once with a fresh one
        return None


def _run(job: str, args: tuple):
    return JOBS[job](*args)


# ---- runs in the worker ------------------------------------------------------------------------


def _equivalent(gold: str, candidate: str) -> tuple[bool, str]:
    import sympy
    from reasonry.verifiers import expr

    def as_sympy(text: str):
        try:
            return expr.to_sympy(expr.parse(text))
        except (expr.ParseError, ZeroDivisionError, ValueError, TypeError):
            return None

    g, c = as_sympy(gold), as_sympy(candidate)
    if g is not None and c is not None:
        try:
            diff = sympy.simplify(g - c)
            if diff == 0:
                return True, "symbolically equal"
            if diff.is_number and diff.is_zero is False:
                return False, "different value"
        except Exception as exc:
            return False, f"sympy failed: {type(exc).__name__}"
    return _math_verify(gold, candidate)


def _math_verify(gold: str, candidate: str) -> tuple[bool, str]:
    try:
        from math_verify import LatexExtractionConfig, parse, verify
    except ImportError:
        return False, "not comparable without math-verify"

    def latex(text: str):
        wrapped = text if "$" in text or "\\boxed" in text else f"${text}$"
        return parse(wrapped, extraction_config=[LatexExtractionConfig()], parsing_timeout=None)

    try:
        g, c = latex(gold), latex(candidate)
        if not g or not c:
            return False, "could not parse the answer"
        ok = verify(g, c, timeout_seconds=None)
    except Exception as exc:
        return False, f"math-verify failed: {type(exc).__name__}"
    return (True, "math-verify equivalent") if ok else (False, "not equivalent")


JOBS = {"equivalent": _equivalent}
