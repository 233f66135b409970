"""Difficulty levels: every level of every task resolves, and generates records that keep the task contract.

The contract per level is the one of tests/test_contract.py (same key gives the same record, valid schema v1,
the gold answer verifies, a corrupted answer does not), plus, outside PDDL, the verifier matrix of
tests/test_answer_matrix.py, on one item per (task, level), for every level of every task. The two modes of a
Prolog family, the two of an MCTS environment and the five PDDL task kinds of a domain share their instance
generator, so every task of a generator draws its instances from the generator's rng stream: the tasks of a
generator pose the same instance, the planner's own cache answers the PDDL kinds after the first, and a Prolog
program that one mode has run is answered from a memo for the other (the program text is the same, so is
SWI-Prolog's output). Two top levels are checked on their cheaper draws, which bench/difficulty.py measures in
full: a 12x12 n-queens count takes 15-45 s here (checked: 11x11 boards), and a product of two 4-digit words with
8-10 letters up to 30 s (checked: at most 7 letters).
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
# one task per instance generator: the one whose rng stream every task of that generator draws from
REPRESENTATIVES = [n for n in LEVELLED if n.endswith(("/solve", "/plan_generation", "/direct"))]


def _generator(name: str) -> str:
    """The representative task of ``name``'s instance generator."""
    family = name.rsplit("/", 1)[0] + "/"
    return next(n for n in REPRESENTATIVES if n.startswith(family))


def _generate(task, config, index: int, seed: int = 11):
    key = ItemKey(task.name, "train", None, index)
    return task.generate(config, key, item_rng(seed, _generator(task.name), index, "train", None))


_SHARED = {"use": False}


@pytest.fixture(scope="module", autouse=True)
def _shared_prolog_runs():
    """SWI-Prolog's output for a program text, run once for both modes of a family (see the docstring)."""
    from reasonry.generators.prolog import common
    from reasonry.verifiers.prolog import ProgramRejected

    run, memo = common.run_json, {}

    def remembered(program, goal="solve_json", **limits):
        key = (program, goal, tuple(sorted(limits.items())))
        if key not in memo or not _SHARED["use"]:  # a representative runs everything itself
            try:
                memo[key] = run(program, goal, **limits)
            except ProgramRejected as exc:
                memo[key] = exc
        if isinstance(memo[key], ProgramRejected):
            raise ProgramRejected(memo[key].reason, memo[key].detail)
        return memo[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(common, "run_json", remembered)
        yield


AFFORDABLE = {
    "prolog/nqueens/": lambda problem: problem["n"] < 12,
    "prolog/cryptarithm/": lambda problem: len(set("".join(problem["addends"]) + problem["sum"])) <= 7,
}


def _affordable(task, config, index: int) -> bool:
    family = task.name.rsplit("/", 1)[0] + "/"
    if family not in AFFORDABLE or config.difficulty != len(task.levels):
        return True
    inst = task.problem_family.build(config, item_rng(11, _generator(task.name), index, "train", None))
    return inst is not None and AFFORDABLE[family](inst.problem)


def _check(task, config, index: int) -> bool:
    """The contract on one item; False where the draw was given up (counted by a build, not an error)."""
    if not _affordable(task, config, index):
        return False
    _SHARED["use"] = task.name not in REPRESENTATIVES
    try:
        first = _generate(task, config, index)
    except Exception as exc:  # a limit reached is a counted reject in a build, never a wrong record
        assert getattr(exc, "reason", None), f"{task.name}: {exc}"
        return False
    if first is None:
        return False
    if task.name in REPRESENTATIVES:  # the other tasks of a generator share its instances
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
    if task.family != "pddl":  # the plan validator's ~50 ms a reply is paid in tests/test_answer_matrix.py
        _matrix(task, first, index)
    return True


def _matrix(task, record: dict, index: int) -> None:
    """The verifier matrix of tests/test_answer_matrix.py on a record of this level: every corruption family
    scores 0 and every equivalent form of the gold scores 1, by the one rule-based grader."""
    from reasonry.answers import grade

    for expect, families in ((False, task.corruptions(record, random.Random(index))),
                             (True, task.equivalents(record))):
        for family, replies in families.items():
            for reply in replies:
                verdict = grade(record["verifier"], record["answer_type"], reply)
                assert verdict.ok == expect, f"{family}: {reply[-80:]!r} -> {verdict.reason}"


def _level_cases():
    """Every (task, level); a generator's representative first, so the other tasks find its runs shared."""
    for rep in REPRESENTATIVES:
        group = [rep] + [n for n in LEVELLED if n != rep and _generator(n) == rep]
        for level in range(1, max(len(get_task(n).levels) for n in group) + 1):
            for name in group:
                if level <= len(get_task(name).levels):
                    yield pytest.param(name, level, id=f"{name}@{level}")


def test_every_level_of_every_task_is_checked():
    cases = {tuple(p.values) for p in _level_cases()}
    assert cases == {(n, lv) for n in LEVELLED for lv in range(1, len(get_task(n).levels) + 1)}


@pytest.mark.parametrize("name,level", list(_level_cases()))
def test_level_keeps_the_contract(name, level):
    task = get_task(name)
    config = task.make_config({"difficulty": level})
    tries = 4 if level < len(task.levels) else 8
    assert any(_check(task, config, index) for index in range(tries)), f"{name} level {level}: no item"


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


def test_sudoku_exchange_moves_dig_past_a_minimal_puzzle():
    """Random digging stops at a minimal puzzle; exchange moves go on from there and keep one completion."""
    from reasonry.generators.prolog.sudoku import _dig, count_completions, full_grid

    full = full_grid(random.Random(3), 3, 3)
    minimal = _dig(full, 3, 3, False, (0, 0), 0, random.Random(4))  # (0, 0): as many as it can
    moved = _dig(full, 3, 3, False, (0, 0), 10, random.Random(4))
    blanks = [sum(v == 0 for row in p for v in row) for p in (minimal, moved)]
    assert blanks[1] > blanks[0] >= 50
    assert count_completions(moved, 3, 3, False) == 1
    assert all(v in (0, full[i][j]) for i, row in enumerate(moved) for j, v in enumerate(row))
    for i, j in ((i, j) for i in range(9) for j in range(9) if minimal[i][j]):  # minimal: no given can go
        assert count_completions([[0 if (a, b) == (i, j) else v for b, v in enumerate(row)]
                                  for a, row in enumerate(minimal)], 3, 3, False) == 2


def test_a_unique_check_failure_is_a_counted_reject():
    from reasonry.generators.prolog.common import one_solution

    assert one_solution({"solutions": 1}) is None
    assert one_solution({"solutions": 2})[0] == "not_unique"


def test_curriculum_gives_the_build_records_and_rewards_and_raises_its_level():
    """The object a trainer uses: the records of a build at that level and seed, scored by the RL reward."""
    from reasonry.curriculum import Curriculum
    from reasonry.generators.run import generate_shard
    from reasonry.plan import ShardSpec

    name = "mcts/countdown/direct"
    build = load_config(data={"build": {"seed": 5}, "tasks": {name: {"train": {"all": 3},
                                                                      "options": {"difficulty": 2}}}})
    options = build.task_options(name)
    expected, _, _ = generate_shard(ShardSpec(name, "train", None, 0, 3), options, seed=5,
                                    options_hash=options_hash(options))
    with Curriculum(name, level=2, seed=5, window=4, raise_at=0.75) as cur:
        got = cur.batch(3)
        assert got == expected
        assert all(r["difficulty"]["level"] == 2 for r in got)
        first = got[0]
        assert cur.score(first, f"So the answer is this.\nFinal answer: {first['answer']}") == 1.0
        assert cur.score(first, "Final answer: 1 + 1") == 0.0
        assert not cur.report([1.0, 0.0, 1.0])  # the window is not full yet
        assert cur.report([1.0]) and cur.level == 3  # 3 of 4 >= 0.75
        nxt = cur.batch(1)[0]
        assert nxt["difficulty"]["level"] == 3 and nxt["difficulty"]["count"] == 5
        cur.set_level(2)
        assert cur.batch(1)[0]["provenance"]["index"] == 3  # a level continues where it stopped
    with pytest.raises(ConfigError, match="difficulty"):
        Curriculum(name, level=9)


def test_the_card_plots_levels_only_when_records_have_them(tmp_path):
    import json

    import polars as pl

    from reasonry.data_cards.plots import level_plot

    with_levels = pl.DataFrame({"task": ["a/x", "a/x", "a/y"],
                                "difficulty": [json.dumps({"level": 1}), json.dumps({"level": 3}), None]})
    assert level_plot(with_levels, str(tmp_path / "levels.png"))
    assert (tmp_path / "levels.png").stat().st_size > 1000
    without = pl.DataFrame({"task": ["a/x"], "difficulty": [json.dumps({"count": 4})]})
    assert not level_plot(without, str(tmp_path / "none.png"))
    assert not (tmp_path / "none.png").exists()


def test_sample_shows_a_level_and_names_the_draws_it_gave_up(capsys):
    import json

    from reasonry.pipelines.cli import main

    assert main(["sample", "prolog/knights_knaves/solve", "-n", "3", "--option", "difficulty=6",
                 "--format", "json"]) == 0
    out = capsys.readouterr()
    records = [json.loads(line) for line in out.out.splitlines() if line.startswith("{")]
    assert records and all(r["difficulty"]["level"] == 6 for r in records)
    assert "rejected (no_solution)" in out.err  # index 0 and 2 of seed 0 have no consistent assignment
