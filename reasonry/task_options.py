"""A task's options resolved once per build: validated, a difficulty level expanded into its knobs, hashed.

``BuildConfig.resolved(name)`` makes the one ``TaskOptions`` of a task and keeps it with the config, which
carries it into the workers: the config check, the config hash, the shard cache keys, the capacity check and
the generator all read that object, so none of them can resolve a task's knobs differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reasonry.hashing import content_hash
from reasonry.levels import options_dict

if TYPE_CHECKING:
    from reasonry.task import Task


@dataclass(frozen=True)
class TaskOptions:
    task: str
    config: Any  # the task's validated ``Config`` dataclass: what ``generate`` receives
    plain: Any  # its hashed plain form (``reasonry.levels.options_dict``: knobs at their defaults left out)
    hash: str  # what the shard cache key and each record's provenance name


def options_hash(config: Any) -> str:
    """The hash of a task's resolved options, defaults filled in: `{}` and `{rendering: terse}` are the same."""
    return content_hash(options_dict(config))


def resolve_options(task: Task, options: dict | None, path: str = "options") -> TaskOptions:
    config = task.make_config(options, path)
    plain = options_dict(config)
    return TaskOptions(task.name, config, plain, content_hash(plain))
