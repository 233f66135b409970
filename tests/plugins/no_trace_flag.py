"""A verifier module that leaves ``check_trace`` out: the registry must refuse it rather than guess."""

from __future__ import annotations

from reasonry.verdict import Verdict


def verify(spec: dict, candidate: str) -> Verdict:
    return Verdict(candidate == spec.get("answer"), "compared")
