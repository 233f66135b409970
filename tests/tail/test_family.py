"""What every TAIL task must do, checked for each task the registry lists.

Gold traces of both renderings replay in every bucket; the rendering changes only the trace; every template is
drawn; the task's own corruptions, any changed digit, a dropped, repeated, swapped or extra state, a line of the
other rendering and a wrong final answer are all rejected; malformed or hostile specs and candidates give a
verdict, never an exception.
"""

from __future__ import annotations

import random

import pytest

from reasonry.errors import ConfigError
from reasonry.registry import get_task
from reasonry.verifiers import turing as tail
from tests.tail.helpers import RENDERINGS, TAIL_TASKS, checks, items, make, spec_of

# the difficulty entry that holds the size parameter drawn from the bucket (a list: its first number)
SIZE_KEY = {"tail/addition": "digits", "tail/knapsack": "items", "tail/lcs": "lengths", "tail/levenshtein": "lengths",
            "tail/binary_search": "n", "tail/palindrome_combination": "n", "tail/population_growth": "n",
            "tail/dijkstra": "vertices", "tail/multi_machine_schedule": "n", "tail/count_letters": "letters",
            "tail/diophantine": "n", "tail/prime_search": "m", "tail/division": "digits", "tail/bubble_sort": "n",
            "tail/word_flip": "letters", "tail/compare_numbers": "digits", "tail/any_substring": "length",
            "tail/derangement": "n"}


def test_every_task_is_listed():
    assert set(TAIL_TASKS) == set(SIZE_KEY)


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("name", TAIL_TASKS)
def test_gold_traces_replay_in_every_bucket(name, rendering):
    task = get_task(name)
    for bucket in ("S", "M", "L"):
        low, high = task.default_sizes[bucket]
        for record in items(name, bucket, 12, rendering=rendering):
            spec = spec_of(record)
            assert record["meta"]["rendering"] == rendering
            size = record["difficulty"]["size"][SIZE_KEY[name]]
            assert low <= (size[0] if isinstance(size, list) else size) <= high
            assert record["trace"].endswith(f"Final answer: {record['answer']}")
            assert tail.verify(spec, record["answer"]).ok
            verdict = tail.check_trace(spec, record["trace"])
            assert verdict.ok, f"{bucket}/{record['provenance']['index']}: {verdict.reason}\n{record['trace']}"


@pytest.mark.parametrize("name", TAIL_TASKS)
def test_buckets_templates_and_renderings(name):
    task = get_task(name)
    (low_s, high_s), (low_m, high_m), (low_l, high_l) = (task.default_sizes[b] for b in ("S", "M", "L"))
    assert low_s <= high_s < low_m <= high_m < low_l <= high_l
    assert len(task.templates) >= 20 and len(set(task.templates)) == len(task.templates)
    drawn = {make(name, seed=seed)["meta"]["template"] for seed in range(400)}
    assert drawn == set(range(len(task.templates))), "some template is never drawn"
    # the rendering changes the trace only, never the problem, its id or its answer
    terse, styled = make(name, "M", 3, "terse"), make(name, "M", 3, "styled")
    assert terse["id"] == styled["id"] and terse["answer"] == styled["answer"]
    assert terse["trace"] != styled["trace"]


@pytest.mark.parametrize("name", TAIL_TASKS)
def test_train_and_test_items_differ(name):
    train = {make(name, index=i, split="train")["id"] for i in range(20)}
    test = {make(name, index=i, split="test")["id"] for i in range(20)}
    assert len(train) > 1 and len(test) > 1


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("name", TAIL_TASKS)
def test_own_corruptions_always_fail(name, rendering):
    task = get_task(name)
    for record in items(name, "S", 10, rendering=rendering):
        spec = spec_of(record)
        for k in range(8):
            rng = random.Random(record["provenance"]["index"] * 100 + k)
            bad = task.corrupt_trace(record, rng)
            assert bad is not None and bad != record["trace"]
            assert not tail.check_trace(spec, bad).ok, bad
            wrong = task.corrupt_answer(record, rng)
            assert not tail.verify(spec, wrong).ok, wrong


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("name", TAIL_TASKS)
def test_every_changed_digit_is_rejected(name, rendering):
    """Changing any one digit of any sampled state (the final-answer line excepted) fails the replay."""
    rng = random.Random(5)
    for record in items(name, "S", 3, rendering=rendering):
        lines = record["trace"].split("\n")
        positions = [(li, ci) for li, line in enumerate(lines[:-1]) for ci, ch in enumerate(line) if ch.isdigit()]
        assert positions
        for li, ci in rng.sample(positions, min(len(positions), 150)):
            line = lines[li]
            changed = line[:ci] + str((int(line[ci]) + rng.randint(1, 9)) % 10) + line[ci + 1:]
            bad = "\n".join([*lines[:li], changed, *lines[li + 1:]])
            assert not checks(record, bad), f"line {li + 1} with a changed digit passes: {changed!r}"


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("name", TAIL_TASKS)
def test_missing_repeated_swapped_and_extra_states_are_rejected(name, rendering):
    task = get_task(name)
    for record in items(name, "S", 3, rendering=rendering):
        lines = record["trace"].split("\n")
        body, final = lines[:-1], lines[-1]
        for li in range(len(body)):
            assert not checks(record, "\n".join([*body[:li], *body[li + 1:], final])), f"dropping line {li + 1}"
            assert not checks(record, "\n".join([*body[:li + 1], body[li], *body[li + 1:], final])), \
                f"repeating line {li + 1}"
        for li in range(len(body) - 1):
            if body[li] != body[li + 1]:
                swapped = [*body[:li], body[li + 1], body[li], *body[li + 2:]]
                assert not checks(record, "\n".join([*swapped, final])), f"swapping lines {li + 1}, {li + 2}"
        assert not checks(record, "\n".join([*body, "State 999: fetch nothing", final]))
        assert not checks(record, "\n".join([*body, final, "Final answer: 0"]))
        assert not checks(record, "\n".join(body))  # no final answer
        wrong = task.corrupt_answer(record, random.Random(0))
        assert not checks(record, "\n".join([*body, f"Final answer: {wrong}"]))


@pytest.mark.parametrize("name", TAIL_TASKS)
def test_a_line_of_the_other_rendering_is_rejected(name):
    terse, styled = make(name, "S", 2, "terse"), make(name, "S", 2, "styled")
    t_lines, s_lines = terse["trace"].split("\n"), styled["trace"].split("\n")
    for li in range(min(len(t_lines), len(s_lines)) - 1):
        if t_lines[li] != s_lines[li]:
            assert not checks(terse, "\n".join([*t_lines[:li], s_lines[li], *t_lines[li + 1:]])), li
            assert not checks(styled, "\n".join([*s_lines[:li], t_lines[li], *s_lines[li + 1:]])), li
    assert not checks(terse, "\n".join(s_lines[:1] + t_lines[1:]))
    assert not checks(terse, "\n".join(t_lines[:1] + s_lines[1:]))


@pytest.mark.parametrize("name", TAIL_TASKS)
def test_malformed_candidates_and_traces_never_raise(name):
    spec = spec_of(make(name))
    for junk in ("", " ", "\n\n", "[", "]", "[,]", "1e5", "abc", "-", "NaN", "[1,,2]", "\x00", "9" * 5000, "''",
                 "Final answer:", "State 1: fetch" * 1000):
        assert not tail.verify(spec, junk).ok
        assert not tail.check_trace(spec, junk).ok


def test_unknown_tasks_fail_in_one_line():
    for spec in ({"task": "tail/nope"}, {"task": None}, {}, "tail/addition"):
        assert "no known TAIL task" in tail.verify(spec, "1").reason
        assert "no known TAIL task" in tail.check_trace(spec, "Final answer: 1").reason


@pytest.mark.parametrize("spec", [
    {"task": "tail/addition", "x1": "1", "x2": "x"},
    {"task": "tail/binary_search", "numbers": [3, 1], "target": 1},
    {"task": "tail/knapsack", "weights": [1], "values": [], "capacity": 2},
    {"task": "tail/palindrome_combination", "items": [0, 0]},
    {"task": "tail/lcs", "s": 1, "t": "a"},
    {"task": "tail/dijkstra", "n": 3, "source": 7, "edges": []},
    {"task": "tail/diophantine", "a": 0, "b": 1, "n": 3},
    {"task": "tail/population_growth", "n": 3},
    {"task": "tail/multi_machine_schedule", "machines": 0, "benefits": [1], "deadlines": [1]},
    {"task": "tail/prime_search", "n": "x", "m": 3},
])
def test_bad_specs_do_not_raise(spec):
    assert not tail.verify(spec, "1").ok
    assert not tail.check_trace(spec, "Final answer: 1").ok


@pytest.mark.parametrize("spec", [
    {"task": "tail/division", "x1": "1", "x2": "3", "places": 10**9},
    {"task": "tail/division", "x1": "1", "x2": "0", "places": 3},
    {"task": "tail/division", "x1": "1"},
    {"task": "tail/any_substring", "string": "ab" * 10_000},
    {"task": "tail/bubble_sort", "values": list(range(100_000))},
    {"task": "tail/derangement", "n": 10**7},
    {"task": "tail/derangement", "n": "x"},
    {"task": "tail/compare_numbers", "x1": "1"},
    {"task": "tail/population_growth", "n": 10**7, "x": 1, "y": 1, "z": 1},
    {"task": "tail/population_growth", "n": 10, "x": 1, "y": 1, "z": 10**9},
    {"task": "tail/dijkstra", "n": 10**6, "source": 0, "edges": []},
    {"task": "tail/dijkstra", "n": 5, "source": 0, "edges": [[0, 1, 1]] * 10**5},
    {"task": "tail/multi_machine_schedule", "machines": 1, "benefits": [1] * 10**5, "deadlines": [1] * 10**5},
    {"task": "tail/count_letters", "text": "a" * 10**6, "letter": "a"},
    {"task": "tail/diophantine", "a": 1, "b": 1, "n": 10**9},
    {"task": "tail/prime_search", "n": 1, "m": 10**9},
    {"task": "tail/knapsack", "weights": [1] * 10, "values": [1] * 10, "capacity": 10**12},
    {"task": "tail/lcs", "s": "a" * 100_000, "t": "a" * 100_000},
    {"task": "tail/levenshtein", "s": "ab" * 50_000, "t": "b" * 5_000},
    {"task": "tail/binary_search", "numbers": list(range(10**6)), "target": 3},
    {"task": "tail/palindrome_combination", "items": [1, 2] * 1000},
    {"task": "tail/palindrome_combination", "items": ["a", "b"]},
    {"task": "tail/palindrome_combination", "items": [True, True]},
])
def test_hostile_specs_are_refused_quickly(spec):
    assert not tail.verify(spec, "1").ok
    assert not tail.check_trace(spec, "State 0: x\nFinal answer: 1").ok


@pytest.mark.parametrize("name,options,field", [
    ("tail/binary_search", {"low": 0, "high": 10}, "high"),
    ("tail/binary_search", {"missing_probability": 1.5}, "missing_probability"),
    ("tail/knapsack", {"max_capacity": 0}, "max_capacity"),
    ("tail/knapsack", {"zero_weight_probability": -0.1}, "zero_weight_probability"),
    ("tail/lcs", {"alphabet": "aab"}, "alphabet"),
    ("tail/levenshtein", {"sizes": {"S": (0, 2)}}, "sizes.S"),
    ("tail/palindrome_combination", {"palindromic_probability": 2.0}, "palindromic_probability"),
    ("tail/population_growth", {"breeding_age": (0, 2)}, "breeding_age"),
    ("tail/dijkstra", {"sizes": {"S": (1, 3)}}, "sizes.S"),
    ("tail/multi_machine_schedule", {"machines": (3, 2)}, "machines"),
    ("tail/count_letters", {"alphabet_size": (0, 30)}, "alphabet_size"),
    ("tail/diophantine", {"coefficients": (0, 5)}, "coefficients"),
    ("tail/prime_search", {"sizes": {"X": (1, 5)}}, "sizes.X"),
    ("tail/division", {"places": -1}, "places"),
    ("tail/division", {"sizes": {"S": (0, 3)}}, "sizes.S"),
    ("tail/addition", {"decimal_probability": 2.0}, "decimal_probability"),
])
def test_bad_options_name_the_field(name, options, field):
    with pytest.raises(ConfigError) as info:
        get_task(name).Config(**options)
    assert field in str(info.value)
