import pytest

from reasonry.config import dump_config, load_config, parse_override
from reasonry.errors import ConfigError


def _write(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


BASE = """
build: {name: t, seed: 3}
tasks:
  tail/addition:
    train: {S: 4}
    test: {M: 2}
"""


def test_valid_config_loads_with_defaults(tmp_path):
    config = load_config(_write(tmp_path, BASE))
    assert config.build.seed == 3 and config.build.shard_size == 200
    assert config.tasks["tail/addition"].train == {"S": 4}
    assert config.task_options("tail/addition").rendering == "terse"


def test_unknown_key_is_named_with_suggestion(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, BASE.replace("seed: 3", "sed: 3")))
    message = str(info.value)
    assert "build.sed" in message and "seed" in message and "c.yaml" in message


def test_unknown_task_option_is_named(tmp_path):
    text = BASE + "    options: {renderin: styled}\n"
    with pytest.raises(ConfigError, match=r"tasks\.tail/addition\.options.*renderin"):
        load_config(_write(tmp_path, text))


def test_bad_option_value_is_named(tmp_path):
    with pytest.raises(ConfigError, match="rendering"):
        load_config(_write(tmp_path, BASE + "    options: {rendering: fancy}\n"))


def test_unknown_task_gets_did_you_mean(tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'tail/addition'"):
        load_config(_write(tmp_path, BASE.replace("tail/addition", "tail/additon")))


def test_wrong_type_and_range(tmp_path):
    with pytest.raises(ConfigError, match="build.seed.*integer"):
        load_config(_write(tmp_path, BASE.replace("seed: 3", "seed: three")))
    with pytest.raises(ConfigError, match="build.shard_size"):
        load_config(_write(tmp_path, BASE), ["build.shard_size=0"])
    with pytest.raises(ConfigError, match="bucket 'XL'"):
        load_config(_write(tmp_path, BASE.replace("M: 2", "XL: 2")))


def test_overrides_apply_before_validation(tmp_path):
    config = load_config(_write(tmp_path, BASE), ["build.seed=99", "tasks.tail/addition.options.rendering=styled",
                                                  "tasks.tail/addition.train.L=5"])
    assert config.build.seed == 99
    assert config.task_options("tail/addition").rendering == "styled"
    assert config.tasks["tail/addition"].train == {"S": 4, "L": 5}
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_override("build.seed")


def test_invalid_yaml_names_line(tmp_path):
    with pytest.raises(ConfigError, match="line"):
        load_config(_write(tmp_path, "build: {name: [\n"))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.yaml")


def test_dump_is_loadable_and_config_hash_tracks_content(tmp_path):
    import yaml

    config = load_config(_write(tmp_path, BASE))
    again = load_config(data=yaml.safe_load(dump_config(config)))
    assert again == config and again.config_hash() == config.config_hash()
    other = load_config(_write(tmp_path, BASE), ["build.seed=4"])
    assert other.config_hash() != config.config_hash()
    # how it runs does not change what it builds
    assert load_config(_write(tmp_path, BASE), ["runner.workers=1"]).config_hash() == config.config_hash()


def test_shipped_configs_load():
    from pathlib import Path

    for path in sorted(Path(__file__).resolve().parent.parent.joinpath("configs").glob("*.yaml")):
        try:
            load_config(path)
        except ConfigError as exc:  # a config for a source that is not installed here is still named
            assert "unknown task" in str(exc), exc


def test_nested_optional_section_errors_name_the_inner_field():
    from dataclasses import dataclass

    from reasonry.config import from_dict

    @dataclass(frozen=True)
    class Inner:
        delay: float = 1.0

    @dataclass(frozen=True)
    class Outer:
        inner: Inner | None = None

    assert from_dict(Outer, {"inner": {"delay": 2}}).inner.delay == 2.0
    with pytest.raises(ConfigError, match=r"stage\.inner\.delay.*number"):
        from_dict(Outer, {"inner": {"delay": "slow"}}, "stage")
    with pytest.raises(ConfigError, match=r"stage\.inner\.dely"):
        from_dict(Outer, {"inner": {"dely": 2}}, "stage")


def test_spelling_out_a_default_option_is_the_same_build(tmp_path):
    plain = load_config(_write(tmp_path, BASE))
    explicit = load_config(_write(tmp_path, BASE), ["tasks.tail/addition.options.rendering=terse"])
    styled = load_config(_write(tmp_path, BASE), ["tasks.tail/addition.options.rendering=styled"])
    assert plain.config_hash() == explicit.config_hash() != styled.config_hash()


def test_task_options_are_resolved_once_and_travel_with_the_config(tmp_path, monkeypatch):
    """The config check resolves each task's options; the hash, the plan and the workers (which receive the
    config pickled) reuse that result instead of resolving again."""
    import pickle

    import reasonry.task_options
    from reasonry.plan import options_hash

    config = load_config(_write(tmp_path, BASE), overrides=["tasks.tail/addition.options.rendering=styled"])
    resolved = config.resolved("tail/addition")
    assert resolved.config.rendering == "styled" and config.task_options("tail/addition") is resolved.config
    assert resolved.hash == options_hash(resolved.config)

    def again(*_args, **_kwargs):
        raise AssertionError("options resolved a second time")

    worker_copy = pickle.loads(pickle.dumps(config))
    monkeypatch.setattr(reasonry.task_options, "resolve_options", again)
    assert config.resolved("tail/addition") is resolved
    assert worker_copy.resolved("tail/addition") == resolved
    assert worker_copy.config_hash() == config.config_hash()
