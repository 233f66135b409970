"""Error classes shared by every part of reasonry.

Three kinds matter to the pipeline: a ``ConfigError`` stops a build before it starts, a ``RecordError``
drops one record (counted and kept in ``rejects/``), and a ``RetryableError`` may succeed if tried again
(a model server that is still starting, a transient network fault).
"""

from __future__ import annotations

import difflib


class ReasonryError(Exception):
    """Base class of every error reasonry raises on purpose."""


class ConfigError(ReasonryError, ValueError):
    """Bad configuration: names the file, the key path and what was expected."""

    def __init__(self, message: str, *, path: str | None = None, source: str | None = None):
        self.path = path
        self.source = source
        where = ""
        if source:
            where += f"{source}: "
        if path:
            where += f"{path}: "
        super().__init__(where + message)


class RecordError(ReasonryError, ValueError):
    """One record is malformed; ``field`` names the offending field."""

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class RetryableError(ReasonryError):
    """A transient failure; the caller may retry with backoff."""


class UnknownNameError(ReasonryError, KeyError):
    """An unknown task, verifier or key, with close matches suggested."""

    def __init__(self, kind: str, name: str, known: list[str] | tuple[str, ...]):
        self.kind = kind
        self.name = name
        self.suggestions = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
        message = f"unknown {kind} {name!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        else:
            message += f"; known: {', '.join(sorted(known)[:20])}"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


class BuildFailed(ReasonryError):
    """The build finished its outputs but broke a declared limit (e.g. the failure threshold)."""
