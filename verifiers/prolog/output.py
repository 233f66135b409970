"""What a Prolog program printed, judged by the program contract: exactly one JSON object.

Canonical form: keys sorted, no whitespace, and a float with an integral value written as the integer (SWI
prints ``2.0`` where another writer prints ``2``), so two texts are the same answer exactly when their
canonical forms are equal.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from reasonry.hashing import canonical_json

NO_SOLUTION = {"result": "No valid solution found"}

_DECODER = json.JSONDecoder(parse_constant=lambda name: (_ for _ in ()).throw(ValueError(f"{name} is not JSON")))
_FENCE = re.compile(r"^```(?:json)?\s*\n(.*?)\n?```$", re.DOTALL)


class OutputError(ValueError):
    """The output breaks the contract; ``reason`` is a short code for reject counts."""

    def __init__(self, reason: str, detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


def parse_single_object(text: str) -> dict:
    """The one JSON object in ``text``; raises ``OutputError`` for none, several, or anything else."""
    stripped = text.strip()
    if not stripped:
        raise OutputError("no_output", "the program printed nothing")
    try:
        value, end = _DECODER.raw_decode(stripped)
    except (ValueError, RecursionError) as exc:
        raise OutputError("not_json", f"output is not JSON: {exc}; starts {stripped[:80]!r}") from None
    rest = stripped[end:].strip()
    if rest:
        try:
            _DECODER.raw_decode(rest)
        except (ValueError, RecursionError):
            raise OutputError("trailing_output", f"text after the JSON object: {rest[:80]!r}") from None
        raise OutputError("multiple_json", "more than one JSON value printed")
    if not isinstance(value, dict):
        raise OutputError("not_object", f"printed a JSON {type(value).__name__}, not an object")
    return value


def normalise(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise OutputError("not_json", "non-finite number")
        if value.is_integer():
            return int(value)
        return value
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    return value


def canonical(value: Any) -> str:
    return canonical_json(normalise(value))


def candidate_object(candidate: str) -> dict:
    """A candidate answer as an object; a surrounding Markdown code fence is allowed."""
    text = candidate.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    return parse_single_object(text)
