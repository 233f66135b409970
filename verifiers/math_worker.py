"""Symbolic comparisons in a worker process that is killed at a deadline.

Signal-based timeouts (sympy's, math-verify's) only work in the main thread, and a Beam worker runs DoFns on
other threads. So a comparison is sent to a long-lived child process (started on first use, one per parent
process) over a pipe, one JSON line each way; if the answer is not back by the deadline the child is killed
and a fresh one starts on the next call. The child is started with ``python -m`` rather than through
``multiprocessing``, so it never re-imports the parent's ``__main__`` (a script, a notebook, stdin). It caps
its own address space, so a comparison that explodes in memory fails instead of taking the machine down.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time

from reasonry.verifiers import expr

STARTUP_TIMEOUT = 60.0
MEMORY_LIMIT = 2 * 1024**3
READY = "ready"

_lock = threading.Lock()
_proc: subprocess.Popen | None = None
_proc_pid: int | None = None  # the parent process that owns _proc (a forked child must start its own)


def _start() -> subprocess.Popen | None:
    proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, bufsize=1)
    line = _read_line(proc, STARTUP_TIMEOUT)
    if line != READY:
        _stop(proc)
        return None
    return proc


def _stop(proc: subprocess.Popen) -> None:
    proc.kill()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    for stream in (proc.stdin, proc.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


def _read_line(proc: subprocess.Popen, timeout: float) -> str | None:
    stdout = proc.stdout
    assert stdout is not None  # the worker is started with stdout=PIPE
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([stdout], [], [], left)
        if ready:
            line = stdout.readline()
            return line.rstrip("\n") if line else None


def shutdown() -> None:
    """Stop the worker (a DoFn's teardown may call this)."""
    global _proc
    with _lock:
        if _proc is not None:
            _stop(_proc)
            _proc = None


def run_with_deadline(job: str, args: tuple, time_limit: float):
    """The result of ``JOBS[job](*args)`` computed in the worker, or None past ``time_limit`` or on failure."""
    global _proc, _proc_pid
    with _lock:
        if _proc is None or _proc_pid != os.getpid() or _proc.poll() is not None:
            _proc, _proc_pid = _start(), os.getpid()
            if _proc is None:
                return None
        stdin = _proc.stdin
        assert stdin is not None  # the worker is started with stdin=PIPE
        try:
            stdin.write(json.dumps({"job": job, "args": list(args)}) + "\n")
            stdin.flush()
            line = _read_line(_proc, time_limit)
        except OSError:
            line = None
        if line is None:
            _stop(_proc)
            _proc = None
            return None
        try:
            return tuple(json.loads(line))
        except ValueError:
            return None


# ---- runs in the worker ------------------------------------------------------------------------


def _equivalent(gold: str, candidate: str) -> tuple[bool, str]:
    import sympy

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


def _serve() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    import sympy  # noqa: F401  (warm the import before announcing readiness)

    print(READY, flush=True)
    for line in sys.stdin:
        try:
            request = json.loads(line)
            result = JOBS[request["job"]](*request["args"])
        except MemoryError:
            result = (False, "out of memory")
        except Exception as exc:
            result = (False, f"worker error: {type(exc).__name__}")
        print(json.dumps(list(result)), flush=True)


if __name__ == "__main__":
    _serve()
