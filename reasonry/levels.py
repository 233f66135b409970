"""Difficulty levels: one monotone integer knob per task that sets every size knob.

A task lists its levels as ``Task.levels``, a tuple of option mappings (level 1 is the first). ``difficulty: N``
in a task's options (``tasks.X.options.difficulty`` in a build config) starts from level N's mapping; options
written next to it override single knobs of that level. Without ``difficulty`` a task keeps its hand-set
defaults, as before levels existed.

Knobs added after a task's first release are declared with :func:`knob`: while such a knob holds its default it
is left out of the options hash (``options_dict``), so adding a knob does not change the bytes of a build that
does not use it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from reasonry.config import from_dict, require, to_dict
from reasonry.errors import ConfigError

_WHEN_SET = {"hashed": "when_set"}


def knob(default: Any) -> Any:
    """A dataclass field hashed only when it differs from ``default`` (see the module docstring)."""
    return dataclasses.field(default=default, metadata=_WHEN_SET)


def options_dict(options: Any) -> Any:
    """The plain form of a task's resolved options as it is hashed: knobs at their defaults left out."""
    data = to_dict(options)
    if dataclasses.is_dataclass(options):
        for f in dataclasses.fields(options):
            if f.metadata.get("hashed") == "when_set" and getattr(options, f.name) == f.default:
                data.pop(f.name, None)
    return data


def check_level(value: Any) -> None:
    """Validation every config with a ``difficulty`` field shares (the task checks the upper end)."""
    require(value is None or (isinstance(value, int) and value >= 1), "difficulty",
            f"a level is an integer >= 1, got {value!r}")


def resolve(task: Any, options: dict | None, path: str = "options") -> Any:
    """The task's validated config from ``options``, with ``difficulty`` expanded into its level's knobs."""
    options = dict(options or {})
    level = options.get("difficulty")
    if level is not None:
        levels = getattr(task, "levels", ())
        if not levels:
            raise ConfigError(f"{task.name} has no difficulty levels", path=f"{path}.difficulty")
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= len(levels):
            raise ConfigError(f"a level of {task.name} is an integer in 1..{len(levels)}, got {level!r}",
                              path=f"{path}.difficulty")
        options = {**levels[level - 1], **options}
    return from_dict(task.Config, options, path)


def stamp(config: Any, difficulty: dict) -> dict:
    """A record's ``difficulty`` object with the config's level in it, where the build asked for one."""
    level = getattr(config, "difficulty", None)
    return difficulty if level is None else {"level": level, **difficulty}
