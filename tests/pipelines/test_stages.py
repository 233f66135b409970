"""The stage list: every stage decides what of it keys the fragment cache, and the list's order is checked.

A stage added without that decision must not be able to reuse fragments built without it: a trainer would get
records the new stage never saw, silently.
"""

from __future__ import annotations

import pytest

from reasonry.config import BuildConfig, load_config
from reasonry.errors import ConfigError
from reasonry.pipelines.build import _stages_key
from reasonry.stages import CONFIG, NOT_APPLIED, NOT_REUSABLE, STAGES, Kind, Stage, check_order, stages_key

TASKS = {"tail/addition": {"train": {"S": 2}}}


def _extra(cache_key: str, kind: Kind = Kind.BATCH) -> Stage:
    # a throwaway stage whose section is a MinHashConfig (any validated dataclass will do)
    return Stage("extra", "reasonry.filters.dedup:MinHashConfig", kind, "reasonry.filters.decontaminate:batch_logic",
                 cache_key, "Extra")


def _config(extra: dict | None) -> BuildConfig:
    base = load_config(data={"tasks": TASKS})
    return BuildConfig(build=base.build, runner=base.runner, tasks=base.tasks,
                       stages={} if extra is None else {"extra": extra})


def test_a_stage_cannot_be_declared_without_a_cache_key_decision():
    with pytest.raises(TypeError):
        Stage("extra", "reasonry.filters.dedup:MinHashConfig", Kind.BATCH, "x:y", label="Extra")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="not a decision"):
        _extra("")
    # a stage that sees generated records cannot claim it leaves them alone
    for kind in (Kind.BATCH, Kind.ADD):
        with pytest.raises(ValueError, match="sees generated records"):
            _extra(NOT_APPLIED, kind)


def test_the_key_follows_a_config_stage_and_a_model_stage_turns_reuse_off():
    stages = (*STAGES, _extra(CONFIG))
    without = stages_key(_config(None), stages)
    low = stages_key(_config({"threshold": 0.5}), stages)
    high = stages_key(_config({"threshold": 0.9}), stages)
    assert without == [] and low != high and [] not in (low, high)
    assert stages_key(_config({"threshold": 0.5}), (*STAGES, _extra(NOT_REUSABLE))) is None


def test_every_stage_that_sees_generated_records_keys_the_cache():
    for stage in STAGES:
        if stage.kind in (Kind.BATCH, Kind.ADD):
            assert stage.cache_key != NOT_APPLIED, stage.name


def test_a_disabled_stage_does_not_key_the_cache():
    client = {"url": "http://127.0.0.1:9", "model": "m"}
    off = load_config(data={"tasks": TASKS, "stages": {"sampling": {"enabled": False, "client": client}}})
    on = load_config(data={"tasks": TASKS, "stages": {"sampling": {"client": client}}})
    assert _stages_key(off) == _stages_key(load_config(data={"tasks": TASKS})) is not None
    assert _stages_key(on) is None


def test_sources_come_before_batch_stages():
    check_order(STAGES)
    source = Stage("web2", "reasonry.generators.webqa.config:WebQAStageConfig", Kind.SOURCE, "x:y", NOT_APPLIED,
                   "Web2")
    with pytest.raises(ValueError, match="must come before"):
        check_order((*STAGES, source))
    with pytest.raises(ValueError, match="repeat"):
        check_order((*STAGES, STAGES[-1]))


def test_an_unknown_stage_is_a_config_error_with_did_you_mean():
    with pytest.raises(ConfigError, match="did you mean 'decontaminate'"):
        load_config(data={"tasks": TASKS, "stages": {"decontaminte": {}}})
