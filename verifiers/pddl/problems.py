"""PDDL text -> unified-planning problem + STRIPS view, parsed once per process and cached.

Parsing PDDL with unified-planning's reader takes tens of milliseconds, far more than validating a plan, so
records that share a problem (the same instance posed to several candidates) reuse the parsed form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reasonry.verifiers.pddl.strips import StripsModel, from_up


class ProblemError(ValueError):
    """The domain or problem text cannot be read; the message names which and why."""


@dataclass(frozen=True)
class Loaded:
    problem: object  # unified_planning.model.Problem
    model: StripsModel


def quiet_environment():
    """unified-planning prints engine credits on first use; records and logs must not carry them."""
    from unified_planning.shortcuts import get_environment

    env = get_environment()
    env.credits_stream = None
    env.error_used_name = False
    return env


@lru_cache(maxsize=128)
def load(domain_text: str, problem_text: str) -> Loaded:
    from unified_planning.io import PDDLReader

    quiet_environment()
    if not isinstance(domain_text, str) or "(define" not in domain_text.lower():
        raise ProblemError("domain: not a PDDL domain (no '(define')")
    try:
        problem = PDDLReader().parse_problem_string(domain_text, problem_text)
    except Exception as exc:  # the reader raises pyparsing and its own errors alike
        which = _which_text(domain_text)
        raise ProblemError(f"{which}: {type(exc).__name__}: {_first_line(exc)}") from None
    try:
        model = from_up(problem)
    except ValueError as exc:
        raise ProblemError(f"domain: {exc}") from None
    return Loaded(problem, model)


def _which_text(domain_text: str) -> str:
    """Blame the domain when it does not parse on its own, else the problem."""
    from unified_planning.io import PDDLReader

    try:
        PDDLReader().parse_problem_string(domain_text)
    except Exception:
        return "malformed domain"
    return "malformed problem"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""
