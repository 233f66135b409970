"""What a verifier kind is: ``verify`` for answers and an explicit ``check_trace`` (a function, or ``None``).

A verifier kind is registered in ``reasonry.registry.VERIFIERS`` as a module that defines both names at
module level. A kind that cannot replay traces says so with ``check_trace = None``; nothing probes for the
name, and ``registry.get_verifier`` refuses, in one line, a module that leaves either name out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from reasonry.verdict import Verdict

TraceCheck = Callable[[dict, str], Verdict]


class Verifier(Protocol):
    def verify(self, spec: dict, candidate: str) -> Verdict:
        """Is ``candidate`` the answer ``spec`` describes? Decided by the verifier, never by the generator."""
        ...

    @property
    def check_trace(self) -> TraceCheck | None:
        """``check_trace(spec, trace)`` replays a whole trace; ``None`` for a kind that checks answers only."""
        ...


def as_verifier(module: Any, where: str) -> Verifier:
    """``module`` checked against the protocol (names and callability; signatures are mypy's job)."""
    if not callable(getattr(module, "verify", None)):
        raise TypeError(f"verifier {where} defines no verify(spec, candidate) -> Verdict")
    missing = object()
    check = getattr(module, "check_trace", missing)
    if check is missing:
        raise TypeError(f"verifier {where} must define check_trace: a function, or None when it checks answers only")
    if check is not None and not callable(check):
        raise TypeError(f"verifier {where}: check_trace is {type(check).__name__}, not a function or None")
    return cast(Verifier, module)


def trace_check(verifier: Verifier, kind: str) -> TraceCheck:
    """The verifier's trace replay, for callers that need one; a kind without it is a configuration error."""
    if verifier.check_trace is None:
        raise TypeError(f"verifier kind {kind!r} does not check traces (its check_trace is None)")
    return verifier.check_trace
