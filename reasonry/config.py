"""Build configuration: YAML loaded into validated, frozen dataclasses.

Unknown keys are errors that name the key path and suggest close matches; ``--set a.b=c`` overrides any key
before validation; every range check raises ``ConfigError`` naming the field.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import yaml

from reasonry.errors import ConfigError, UnknownNameError
from reasonry.hashing import content_hash
from reasonry.registry import get_task, load_plugins, task_names

if TYPE_CHECKING:
    from reasonry.task_options import TaskOptions

# ------------------------------------------------------------------------------------------------
# Generic dataclass loading
# ------------------------------------------------------------------------------------------------


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(value: Any, tp: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:  # Optional[X]: X's own error names the inner field
            return _coerce(value, options[0], path)
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, path)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(f"expected {' or '.join(_type_name(a) for a in args)}, got {value!r}", path=path)
    if origin is Literal:
        if value not in args:
            raise ConfigError(f"expected one of {list(args)}, got {value!r}", path=path)
        return value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return from_dict(tp, value, path)
    if origin in (list, tuple) or tp in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"expected a list, got {value!r}", path=path)
        item_tp = args[0] if args else Any
        return tuple(_coerce(v, item_tp, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"expected a mapping, got {value!r}", path=path)
        key_tp, val_tp = args if args else (Any, Any)
        return {_coerce(k, key_tp, path): _coerce(v, val_tp, f"{path}.{k}") for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"expected true or false, got {value!r}", path=path)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"expected an integer, got {value!r}", path=path)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"expected a number, got {value!r}", path=path)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"expected a string, got {value!r}", path=path)
        return value
    if isinstance(tp, type) and not isinstance(value, tp):
        raise ConfigError(f"expected {tp.__name__}, got {value!r}", path=path)
    return value


def from_dict(cls: type, data: Any, path: str = "") -> Any:
    """Build dataclass ``cls`` from a mapping; unknown keys and wrong types raise ``ConfigError``."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping for {cls.__name__}, got {data!r}", path=path or None)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in data:
        if key not in fields:
            hint = UnknownNameError("key", str(key), list(fields)).message
            raise ConfigError(hint, path=f"{path}.{key}" if path else str(key))
    kwargs = {}
    for name in fields:
        if name in data:
            sub = f"{path}.{name}" if path else name
            kwargs[name] = _coerce(data[name], hints[name], sub)
    try:
        return cls(**kwargs)
    except ConfigError as exc:
        if path and exc.path and not exc.path.startswith(path):
            raise ConfigError(str(exc).split(": ", 1)[-1], path=f"{path}.{exc.path}") from None
        raise
    except TypeError as exc:
        raise ConfigError(str(exc), path=path or None) from None


def to_dict(obj: Any) -> Any:
    """Plain YAML/JSON form of a config dataclass (tuples as lists)."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def require(condition: bool, path: str, message: str) -> None:
    if not condition:
        raise ConfigError(message, path=path)


# ------------------------------------------------------------------------------------------------
# The build configuration
# ------------------------------------------------------------------------------------------------

Counts = dict[str, int]  # bucket ("S", "M", "L", or "all") -> number of items


@dataclass(frozen=True)
class TaskEntry:
    """How many items of one task to build, and the task's own knobs."""

    train: Counts = field(default_factory=dict)
    test: Counts = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        for split in ("train", "test"):
            for bucket, n in getattr(self, split).items():
                require(n >= 0, f"{split}.{bucket}", f"a count is >= 0, got {n}")


@dataclass(frozen=True)
class BuildSection:
    name: str = "default"
    seed: int = 0
    shard_size: int = 200
    output_shards: int = 1
    max_failure_rate: float = 0.01
    exports: tuple[Literal["sft", "rl", "preference", "preference_steps", "stepwise"], ...] = ("sft", "rl")
    # Modules imported before tasks are looked up (in the driver and in every worker): user-defined tasks.
    plugins: tuple[str, ...] = ()
    # A request for more items than a task's bucket has distinct problems: "warn" (the surplus ends up as
    # duplicate_id rejects) or "error" (the build stops before it starts).
    over_capacity: Literal["warn", "error"] = "warn"

    def __post_init__(self):
        require(bool(self.name) and "/" not in self.name, "build.name", "a non-empty name without '/'")
        require(self.shard_size >= 1, "build.shard_size", f"must be >= 1, got {self.shard_size}")
        require(1 <= self.output_shards <= 99999, "build.output_shards", "must be in 1..99999")
        require(0.0 <= self.max_failure_rate <= 1.0, "build.max_failure_rate", "must be in [0, 1]")


@dataclass(frozen=True)
class RunnerSection:
    """Beam runner. ``local`` is the FnApiRunner with multi-processing; anything else is passed to Beam."""

    name: str = "local"
    workers: int = 0  # 0 = number of cores
    beam_args: tuple[str, ...] = ()

    def __post_init__(self):
        require(self.workers >= 0, "runner.workers", f"must be >= 0, got {self.workers}")


@dataclass(frozen=True)
class BuildConfig:
    build: BuildSection = field(default_factory=BuildSection)
    runner: RunnerSection = field(default_factory=RunnerSection)
    tasks: dict[str, TaskEntry] = field(default_factory=dict)
    # Later stages (model sampling, filters, publishing) read their own sections; they are kept as plain
    # mappings here and validated by the stage that owns them.
    stages: dict[str, Any] = field(default_factory=dict)

    def config_hash(self) -> str:
        """Hash of everything that decides the output (not how it is run). Task options count as resolved, with
        their defaults, so spelling out a default does not make another build."""
        tasks = {name: {**to_dict(entry), "options": self.resolved(name).plain}
                 for name, entry in sorted(self.tasks.items())}
        # over_capacity decides whether a build runs, never what it writes
        build = {k: v for k, v in to_dict(self.build).items() if k != "over_capacity"}
        return content_hash({"build": build, "tasks": tasks, "stages": to_dict(self.stages)})

    def stage(self, name: str):
        """The validated config of ``stages.<name>``, or None when the build has no such stage."""
        from reasonry.stages import get

        if name not in self.stages:
            return None
        return from_dict(get(name).config_class(), self.stages[name], f"stages.{name}")

    @functools.cached_property
    def _resolved(self) -> dict[str, TaskOptions]:
        # Each task's options, resolved on first use and kept with this config (workers receive it pickled, so
        # they reuse it too). Not a field: it is derived from ``tasks`` and is neither compared nor dumped.
        return {}

    def resolved(self, name: str) -> TaskOptions:
        """The task's options resolved once: validated config, its hashed plain form and that hash."""
        if name not in self._resolved:
            # lazy: task_options imports reasonry.levels, which imports this module
            from reasonry.task_options import resolve_options

            self._resolved[name] = resolve_options(get_task(name), self.tasks[name].options,
                                                   f"tasks.{name}.options")
        return self._resolved[name]

    def task_options(self, name: str) -> Any:
        """The task's validated config dataclass (a ``difficulty`` level expanded into its knobs)."""
        return self.resolved(name).config


def parse_override(text: str) -> tuple[list[str], Any]:
    """``a.b=c`` -> (["a", "b"], parsed YAML value of c)."""
    if "=" not in text:
        raise ConfigError(f"an override is KEY=VALUE, got {text!r}", path="--set")
    key, _, raw = text.partition("=")
    parts = [p for p in key.strip().split(".") if p]
    if not parts:
        raise ConfigError(f"empty key in {text!r}", path="--set")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError(f"cannot parse value {raw!r}: {exc}", path="--set") from None
    return parts, value


def _apply_override(data: dict, parts: list[str], value: Any) -> None:
    node = data
    for i, part in enumerate(parts[:-1]):
        nxt = node.get(part)
        if nxt is None:
            nxt = node[part] = {}
        if not isinstance(nxt, dict):
            raise ConfigError(f"{'.'.join(parts[: i + 1])} is not a mapping", path="--set")
        node = nxt
    node[parts[-1]] = value




def load_config(path: str | os.PathLike | None = None, overrides: list[str] | tuple[str, ...] = (),
                data: dict | None = None) -> BuildConfig:
    """Load, override and validate a build configuration; every error names the file and key."""
    source = str(path) if path else "<config>"
    if data is None:
        if path is None:
            raise ConfigError("no configuration given")
        p = Path(path)
        if not p.is_file():
            raise ConfigError("no such configuration file", source=source)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            raise ConfigError(f"invalid YAML{where}: {getattr(exc, 'problem', exc)}", source=source) from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError("the top level must be a mapping", source=source)
    data = yaml.safe_load(yaml.safe_dump(data))  # deep copy, YAML-typed
    for text in overrides:
        parts, value = parse_override(text)
        _apply_override(data, parts, value)
    try:
        config = from_dict(BuildConfig, data)
        _check_tasks(config)
        _check_stages(config)
    except ConfigError as exc:
        if exc.source is None:
            raise ConfigError(str(exc), source=source) from None
        raise
    return config


def _check_tasks(config: BuildConfig) -> None:
    for plugin in config.build.plugins:
        try:
            load_plugins([plugin])
        except ImportError as exc:
            raise ConfigError(f"cannot import plugin: {exc}", path="build.plugins") from None
        except Exception as exc:  # the plugin's own code failed while importing: one line, not its traceback
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            raise ConfigError(f"plugin {plugin!r} failed while importing: {type(exc).__name__}: {first}",
                              path="build.plugins") from None

    known = task_names()
    for name, entry in config.tasks.items():
        if name not in known:
            raise ConfigError(UnknownNameError("task", name, known).message, path=f"tasks.{name}")
        task = get_task(name)
        allowed = set(task.buckets) if task.buckets else {"all"}
        for split in ("train", "test"):
            for bucket in getattr(entry, split):
                if bucket not in allowed:
                    raise ConfigError(f"bucket {bucket!r} is not one of {sorted(allowed)}",
                                      path=f"tasks.{name}.{split}.{bucket}")
        config.resolved(name)  # validates the task's own knobs, once: the build reuses the result


def _check_stages(config: BuildConfig) -> None:
    from reasonry.stages import names

    for name in config.stages:
        if name not in names():
            raise ConfigError(UnknownNameError("stage", name, names()).message, path=f"stages.{name}")
        config.stage(name)
    if not config.tasks and "webqa" not in config.stages:
        raise ConfigError("the config selects no tasks and no web source", path="tasks")


def dump_config(config: BuildConfig) -> str:
    return yaml.safe_dump(to_dict(config), sort_keys=False)
