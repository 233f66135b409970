"""Difficulty levels: every level of every task resolves, and generates records that keep the task contract.

The contract per level is the one of tests/test_contract.py (same key gives the same record, valid schema v1,
the gold answer verifies, a corrupted answer does not), on one item per (task, level); the hardest level of each
family is also checked on a second item. The two modes of a Prolog family and the five PDDL task kinds of a
domain share their instance generator, so the generated-item checks run one mode per family or domain at every
level and every task at its hardest level; the config checks run on every (task, level).
"""

from __future__ import annotations

import random

import pytest

from reasonry.config import load_config
from reasonry.errors import ConfigError
from reasonry.plan import options_hash
from reasonry.record import validate
from reasonry.registry import get_task, get_verifier, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey

LEVELLED = [n for n in task_names() if n.split("/")[0] in ("prolog", "pddl", "mcts")]
# one task per instance generator at every level
REPRESENTATIVES = [n for n in LEVELLED if n.endswith(("/solve", "/plan_generation", "/direct"))]


def _generate(task, config, index: int, seed: int = 11):
    key = ItemKey(task.name, "train", None, index)
    return task.generate(config, key, item_rng(seed, task.name, index, "train", None))


def _check(task, config, index: int) -> bool:
    """The contract on one item; False where the draw was given up (counted by a build, not an error)."""
    try:
        first = _generate(task, config, index)
    except Exception as exc:  # a limit reached is a counted reject in a build, never a wrong record
        assert getattr(exc, "reason", None), f"{task.name}: {exc}"
        return False
    if first is None:
        return False
    assert _generate(task, config, index) == first, "same key must give the same record"
    validate(first)
    assert first["difficulty"]["level"] == config.difficulty
    verifier = get_verifier(first["verifier"]["kind"])
    spec = first["verifier"]["spec"]
    verdict = verifier.verify(spec, first["answer"])
    assert verdict.ok, f"gold answer fails at level {config.difficulty}: {verdict.reason}"
    wrong = task.corrupt_answer(first, random.Random(index))
    assert wrong != first["answer"]
    assert not verifier.verify(spec, wrong).ok, f"corrupted answer {wrong!r} passes"
    return True


def _level_cases():
    for name in REPRESENTATIVES:
        for level in range(1, len(get_task(name).levels) + 1):
            yield pytest.param(name, level, id=f"{name}@{level}")
    for name in LEVELLED:
        if name not in REPRESENTATIVES:
            yield pytest.param(name, len(get_task(name).levels), id=f"{name}@{len(get_task(name).levels)}")


@pytest.mark.parametrize("name,level", list(_level_cases()))
def test_level_keeps_the_contract(name, level):
    task = get_task(name)
    config = task.make_config({"difficulty": level})
    tries = 4 if level < len(task.levels) else 6
    produced = 0
    for index in range(tries):
        produced += _check(task, config, index)
        if produced == (2 if level == len(task.levels) and name in REPRESENTATIVES else 1):
            break
    assert produced, f"{name} level {level}: no item in {tries} draws"


@pytest.mark.parametrize("name", LEVELLED)
def test_every_level_resolves_and_explicit_options_win(name):
    task = get_task(name)
    assert len(task.levels) >= 3, "every task has at least three levels"
    hashes = set()
    for level in range(1, len(task.levels) + 1):
        config = task.make_config({"difficulty": level})
        assert config.difficulty == level
        for knob, value in task.levels[level - 1].items():
            got = getattr(config, knob)
            assert got == (tuple(value) if isinstance(value, list) else value), f"level {level} sets {knob}"
        hashes.add(options_hash(config))
    assert len(hashes) == len(task.levels), "two levels with the same options"
    top = len(task.levels)
    with pytest.raises(ConfigError, match="difficulty"):
        task.make_config({"difficulty": top + 1})
    with pytest.raises(ConfigError, match="difficulty"):
        task.make_config({"difficulty": 0})


def test_build_config_resolves_a_level_and_overrides_one_knob():
    config = load_config(data={"tasks": {"prolog/nqueens/solve": {
        "train": {"all": 1}, "options": {"difficulty": 5, "max_blocked": 1}}}})
    options = config.task_options("prolog/nqueens/solve")
    assert options.difficulty == 5 and options.evolution == 2 and options.sizes[2] == (9, 10)
    assert options.max_blocked == 1  # the explicit option wins over the level's default
    with pytest.raises(ConfigError, match="tasks.prolog/nqueens/solve.options.difficulty"):
        load_config(data={"tasks": {"prolog/nqueens/solve": {"train": {"all": 1}, "options": {"difficulty": 99}}}})


def test_new_knobs_at_their_defaults_keep_the_options_hash():
    """A build that does not use levels keeps its bytes: knobs added with levels are hashed only when set."""
    task = get_task("prolog/zebra/solve")
    default = task.default_config()
    from reasonry.levels import options_dict

    plain = options_dict(default)
    assert "difficulty" not in plain and "unique" not in plain and "sizes" not in plain
    assert "clues" in plain
    assert options_hash(task.make_config({"unique": True})) != options_hash(default)


def test_unique_levels_are_unique_by_the_solver():
    """Zebra and Sudoku levels that ask for a unique solution state SWI-Prolog's count of exactly 1."""
    for name, level in (("prolog/zebra/solve", 7), ("prolog/sudoku/solve", 6)):
        task = get_task(name)
        record = next(r for i in range(4) if (r := _generate(task, task.make_config({"difficulty": level}), i)))
        assert '"solutions":1' in record["answer"]
    sudoku = get_task("prolog/sudoku/solve")
    record = _generate(sudoku, sudoku.make_config({"difficulty": 6}), 0)
    assert record["difficulty"]["givens"] <= 81 - 54


def test_a_unique_check_failure_is_a_counted_reject():
    from reasonry.generators.prolog.common import one_solution

    assert one_solution({"solutions": 1}) is None
    assert one_solution({"solutions": 2})[0] == "not_unique"
