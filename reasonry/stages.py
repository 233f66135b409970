"""The build's stages after generation, in the order they run: one list, read by config checks, the build graph
and the fragment cache.

A stage is a name (its key under ``stages:`` in a build config), the dataclass that validates that section,
what it does (``kind`` and ``logic``) and what of it decides a generated task's output (``cache_key``).
Targets are ``"module:name"`` strings, so this module imports neither Beam nor the stages' own modules.

Kinds:

- ``SOURCE``: a Beam transform over the pipeline root that adds records of its own tasks (the web source).
- ``ON_SOURCES``: a Beam transform over the sources' records only, before they meet the generated ones; it
  runs with its default config whenever a source runs (dedup: templated generated prompts share most n-grams).
- ``BATCH``: plain-Python logic run by the one adapter of ``reasonry.pipelines.stages`` on every batch of
  records: ``make(config, build_seed)`` gives an object with ``setup()``, ``process(batch) -> (records,
  rejects, counts)`` and ``teardown()``; its records replace the batch.
- ``ADD``: the same, but its records are new ones added beside the batch (model-written prototypes).

A ``SOURCE`` or ``ON_SOURCES`` transform is made as ``Transform(config, scratch)``: ``scratch`` is a folder of
the build's (under its ``.runs``, removed when the build is finalized) for records it keeps on disk instead of
shuffling them (``reasonry.pipelines.spill``: the local runner shuffles in memory).

``cache_key`` says whether a task's cached fragments stay valid when the stage runs: ``NOT_APPLIED`` (the stage
never sees a generated task's records), ``NOT_REUSABLE`` (its output is not decided by settings: a live model),
``CONFIG`` (the validated section decides it) or a ``"module:function"`` of the config that returns what
decides it (None: nothing can be reused). It has no default: a stage cannot be added without deciding it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from reasonry.config import BuildConfig, from_dict, to_dict
from reasonry.errors import UnknownNameError


class Kind(Enum):
    SOURCE = "source"
    ON_SOURCES = "on_sources"
    BATCH = "batch"
    ADD = "add"


NOT_APPLIED = "not_applied"
NOT_REUSABLE = "not_reusable"
CONFIG = "config"


class BatchLogic(Protocol):
    """The plain-Python side of a ``BATCH`` or ``ADD`` stage, made once per worker."""

    def setup(self) -> None: ...

    def process(self, batch: list[dict]) -> tuple[list[dict], list[dict], dict[str, int]]:
        """(records, reject rows, counts); counts become Beam counters ``<stage>/<name>``."""
        ...

    def teardown(self) -> None: ...


@dataclass(frozen=True)
class Stage:
    name: str
    config: str  # "module:Class" validating ``stages.<name>``
    kind: Kind
    logic: str  # "module:name": a PTransform class (SOURCE, ON_SOURCES) or make(config, build_seed) (BATCH, ADD)
    cache_key: str  # NOT_APPLIED, NOT_REUSABLE, CONFIG or "module:function"
    label: str  # the step's name in the Beam graph

    def __post_init__(self):
        if self.cache_key not in (NOT_APPLIED, NOT_REUSABLE, CONFIG) and ":" not in self.cache_key:
            raise ValueError(f"stage {self.name!r}: cache_key {self.cache_key!r} is not a decision")
        if self.cache_key == NOT_APPLIED and self.kind in (Kind.BATCH, Kind.ADD):
            raise ValueError(f"stage {self.name!r} sees generated records: its cache_key cannot be NOT_APPLIED")

    def config_class(self) -> type:
        return load(self.config)

    def settings(self, config: BuildConfig) -> Any:
        """The stage's validated config when it runs in this build, else None (absent or ``enabled: false``)."""
        if self.name not in config.stages:
            return None
        settings = from_dict(self.config_class(), config.stages[self.name], f"stages.{self.name}")
        return settings if getattr(settings, "enabled", True) else None

    def key(self, settings: Any) -> Any:
        """What of this stage decides a generated task's output: ``NOT_APPLIED``, a JSON-able value, or None
        (output is not reusable)."""
        if self.cache_key == NOT_APPLIED:
            return NOT_APPLIED
        if self.cache_key == NOT_REUSABLE:
            return None
        if self.cache_key == CONFIG:
            return to_dict(settings)
        return load(self.cache_key)(settings)


STAGES: tuple[Stage, ...] = (
    Stage("webqa", "reasonry.generators.webqa.config:WebQAStageConfig", Kind.SOURCE,
          "reasonry.pipelines.webqa:WebQASource", NOT_APPLIED, "WebQA"),
    Stage("dedup", "reasonry.filters.dedup:DedupConfig", Kind.ON_SOURCES,
          "reasonry.pipelines.dedup:Dedup", NOT_APPLIED, "WebDedup"),
    Stage("decontaminate", "reasonry.filters.decontaminate:DecontaminateConfig", Kind.BATCH,
          "reasonry.filters.decontaminate:batch_logic", "reasonry.filters.decontaminate:cache_key", "Decontaminate"),
    Stage("prototypes", "reasonry.generators.llm.prototype_stage:PrototypeStageConfig", Kind.ADD,
          "reasonry.generators.llm.prototype_stage:batch_logic", NOT_REUSABLE, "WritePrototypes"),
    Stage("sampling", "reasonry.generators.llm.stage:SamplingStageConfig", Kind.BATCH,
          "reasonry.generators.llm.stage:batch_logic", NOT_REUSABLE, "SampleAndGrade"),
)


def check_order(stages: tuple[Stage, ...]) -> None:
    """Sources and what runs on them alone come first: after a batch stage every record is in one stream."""
    seen_batch = False
    for stage in stages:
        if stage.kind in (Kind.BATCH, Kind.ADD):
            seen_batch = True
        elif seen_batch:
            raise ValueError(f"stage {stage.name!r} ({stage.kind.value}) must come before every batch stage")
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise ValueError(f"stage names repeat: {names}")


check_order(STAGES)


def names() -> list[str]:
    return [s.name for s in STAGES]


def get(name: str) -> Stage:
    for stage in STAGES:
        if stage.name == name:
            return stage
    raise UnknownNameError("stage", name, names())


def load(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def stages_key(config: BuildConfig, stages: tuple[Stage, ...] = STAGES) -> list | None:
    """What the stages between generation and writing do to a generated task's records, as a JSON-able list;
    None when a running stage makes output non-reusable."""
    parts: list = []
    for stage in stages:
        settings = stage.settings(config)
        if settings is None:
            continue
        key = stage.key(settings)
        if key is None:
            return None
        if key != NOT_APPLIED:
            parts.append([stage.name, key])
    return parts
