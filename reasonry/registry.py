"""Lazy registries of tasks and verifiers.

Each family publishes a tiny, import-free ``index`` module: ``TASKS`` maps every task name of the family to a
one-line description (the one place a name is written) and ``VARIANTS = "module:function"`` names the
family's factory, next to its base class, that turns a name into its ``Task`` class. Nothing heavy is imported
until a task is used, so ``reasonry list`` is instant.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from reasonry.errors import UnknownNameError
from reasonry.verifier import Verifier, as_verifier

if TYPE_CHECKING:  # mypy holds every built-in verifier module to the protocol
    from reasonry.verifiers import countdown, judge, math, pddl, prolog, turing

    _countdown: Verifier = countdown
    _judge: Verifier = judge
    _math: Verifier = math
    _pddl: Verifier = pddl
    _prolog: Verifier = prolog
    _turing: Verifier = turing

FAMILY_INDEXES: dict[str, str] = {
    "tail": "reasonry.generators.turing.index",
    "prolog": "reasonry.generators.prolog.index",
    "pddl": "reasonry.generators.pddl.index",
    "mcts": "reasonry.generators.mcts.index",
    "webqa": "reasonry.generators.webqa.index",
}

# verifier kind -> module implementing reasonry.verifier.Verifier: verify(spec, candidate) -> Verdict and
# check_trace(spec, trace) -> Verdict, or check_trace = None
VERIFIERS: dict[str, str] = {
    "tail": "reasonry.verifiers.turing",
    "prolog": "reasonry.verifiers.prolog",
    "pddl": "reasonry.verifiers.pddl",
    "math": "reasonry.verifiers.math",
    "countdown": "reasonry.verifiers.countdown",
    "judge": "reasonry.verifiers.judge",
}


# Tasks and verifiers registered at run time (plugins named in a config's build.plugins, or tests).
_EXTRA_TASKS: dict[str, tuple[str, str]] = {}


def register_task(name: str, target: str, description: str = "") -> None:
    """Add a task from outside the built-in families, e.g. from a plugin module."""
    _EXTRA_TASKS[name] = (target, description)
    task_index.cache_clear()
    get_task.cache_clear()


def register_verifier(kind: str, target: str) -> None:
    VERIFIERS[kind] = target
    get_verifier.cache_clear()


def load_plugins(modules) -> None:
    """Import plugin modules; each registers its tasks and verifiers when imported."""
    for name in modules:
        importlib.import_module(name)


# Process-wide engines started lazily by verifiers; stopped when a worker tears down.
ENGINE_SHUTDOWNS = ("reasonry.verifiers.math_worker:shutdown", "reasonry.verifiers.prolog:shutdown_pool")


def shutdown_engines() -> None:
    """Stop every engine this process started (a module never imported started none)."""
    import sys

    for target in ENGINE_SHUTDOWNS:
        module_name, _, attr = target.partition(":")
        if module_name in sys.modules:
            getattr(sys.modules[module_name], attr)()


def _load(target: str):
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


@cache
def task_index() -> dict[str, tuple[str, str]]:
    """name -> (target, description) for every task of every family that is installed. A target is
    ``"module:Class"`` (a plugin's task) or ``"module:function"`` with a ``#`` suffix (a family's factory)."""
    tasks: dict[str, tuple[str, str]] = {}
    for family, module_name in FAMILY_INDEXES.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # the family is not part of this installation
            raise
        for name, description in module.TASKS.items():
            if not name.startswith(family + "/"):
                raise ValueError(f"{module_name}: task {name!r} is not in family {family!r}")
            tasks[name] = (module.VARIANTS + "#", description)
    tasks.update(_EXTRA_TASKS)
    return dict(sorted(tasks.items()))


def task_names() -> list[str]:
    return list(task_index())


def describe(name: str) -> str:
    return _entry(name)[1]


def _entry(name: str) -> tuple[str, str]:
    index = task_index()
    if name not in index:
        raise UnknownNameError("task", name, list(index))
    return index[name]


@cache
def get_task(name: str):
    """The task instance registered under ``name``; unknown names get a did-you-mean."""
    target = _entry(name)[0]
    cls = _load(target[:-1])(name) if target.endswith("#") else _load(target)
    task = cls()
    if task.name != name:
        raise ValueError(f"{cls.__qualname__}.name is {task.name!r} but it is registered as {name!r}")
    return task


@cache
def get_verifier(kind: str) -> Verifier:
    if kind not in VERIFIERS:
        raise UnknownNameError("verifier", kind, list(VERIFIERS))
    return as_verifier(_load(VERIFIERS[kind]), f"{kind!r} ({VERIFIERS[kind]})")
