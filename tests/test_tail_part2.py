"""TAIL tasks population_growth, dijkstra, multi_machine_schedule, count_letters, diophantine, prime_search.

Each verifier's ``answer`` is compared with a brute-force computation written here (individual pairs, Floyd-
Warshall, exhaustive schedules, exhaustive (x, y) enumeration, naive primality); both renderings' gold traces
must replay; and single-state corruptions (every digit of sampled states, dropped, repeated or swapped states,
trailing lines, the other rendering's line) must be rejected.
"""

from __future__ import annotations

import itertools
import random

import pytest

from reasonry.errors import ConfigError
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verifiers import turing
from reasonry.verifiers.turing import (
    count_letters,
    dijkstra,
    diophantine,
    multi_machine_schedule,
    population_growth,
    prime_search,
)

TASKS = ("tail/population_growth", "tail/dijkstra", "tail/multi_machine_schedule", "tail/count_letters",
         "tail/diophantine", "tail/prime_search")
SIZE_KEY = {"tail/population_growth": "n", "tail/dijkstra": "vertices", "tail/multi_machine_schedule": "n",
            "tail/count_letters": "letters", "tail/diophantine": "n", "tail/prime_search": "m"}


def make(name: str, rendering: str = "terse", bucket: str = "S", index: int = 0, split: str = "test",
         seed: int = 11) -> dict:
    task = get_task(name)
    config = task.Config(rendering=rendering)
    return task.generate(config, ItemKey(name, split, bucket, index), item_rng(seed, name, index, split, bucket))


def checks(record: dict, trace: str) -> bool:
    return turing.check_trace(record["verifier"]["spec"], trace).ok


# --- the shared contract, for both renderings and all buckets ------------------------------------------------


@pytest.mark.parametrize("rendering", ["terse", "styled"])
@pytest.mark.parametrize("bucket", ["S", "M", "L"])
@pytest.mark.parametrize("name", TASKS)
def test_gold_verifies_and_corruptions_fail(name, bucket, rendering):
    task = get_task(name)
    low, high = task.default_sizes[bucket]
    for index in range(12):
        record = make(name, rendering, bucket, index)
        spec = record["verifier"]["spec"]
        assert record["meta"]["rendering"] == rendering
        assert low <= record["difficulty"]["size"][SIZE_KEY[name]] <= high
        assert turing.verify(spec, record["answer"]).ok
        verdict = turing.check_trace(spec, record["trace"])
        assert verdict.ok, verdict.reason
        rng = random.Random(index)
        assert not turing.verify(spec, task.corrupt_answer(record, rng)).ok
        bad = task.corrupt_trace(record, rng)
        assert bad is not None and bad != record["trace"]
        assert not checks(record, bad)


@pytest.mark.parametrize("name", TASKS)
def test_templates_and_renderings(name):
    task = get_task(name)
    assert len(task.templates) >= 20 and len(set(task.templates)) == len(task.templates)
    terse, styled = make(name, "terse", "M", 3), make(name, "styled", "M", 3)
    # The rendering changes the trace only, never the problem, its id or its answer.
    assert terse["id"] == styled["id"] and terse["answer"] == styled["answer"]
    assert terse["trace"] != styled["trace"]
    assert terse["trace"].endswith(f"Final answer: {terse['answer']}")


def test_train_and_test_items_differ():
    for name in TASKS:
        train = {make(name, split="train", index=i)["id"] for i in range(20)}
        test = {make(name, split="test", index=i)["id"] for i in range(20)}
        assert len(train) > 1 and len(test) > 1


# --- targeted corruptions of one state ----------------------------------------------------------------------


@pytest.mark.parametrize("rendering", ["terse", "styled"])
@pytest.mark.parametrize("name", TASKS)
def test_every_changed_digit_is_rejected(name, rendering):
    """Changing any one digit of any sampled state (the final-answer line excepted) fails the replay."""
    rng = random.Random(5)
    for index in range(3):
        record = make(name, rendering, "S", index)
        lines = record["trace"].split("\n")
        positions = [(li, ci) for li, line in enumerate(lines[:-1]) for ci, ch in enumerate(line) if ch.isdigit()]
        assert positions
        for li, ci in rng.sample(positions, min(len(positions), 150)):
            line = lines[li]
            changed = line[:ci] + str((int(line[ci]) + rng.randint(1, 9)) % 10) + line[ci + 1:]
            bad = "\n".join([*lines[:li], changed, *lines[li + 1:]])
            assert not checks(record, bad), f"line {li + 1} with a changed digit passes: {changed!r}"


@pytest.mark.parametrize("rendering", ["terse", "styled"])
@pytest.mark.parametrize("name", TASKS)
def test_missing_repeated_swapped_and_extra_states_are_rejected(name, rendering):
    for index in range(3):
        record = make(name, rendering, "M", index)
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
        assert not checks(record, "\n".join([*body, "Final answer: " + get_task(name).corrupt_answer(
            record, random.Random(index))]))


@pytest.mark.parametrize("name", TASKS)
def test_a_line_of_the_other_rendering_is_rejected(name):
    terse, styled = make(name, "terse", "S", 2), make(name, "styled", "S", 2)
    t_lines, s_lines = terse["trace"].split("\n"), styled["trace"].split("\n")
    assert len(t_lines) == len(s_lines)
    for li in range(1, len(t_lines) - 1):
        mixed = [*t_lines[:li], s_lines[li], *t_lines[li + 1:]]
        assert not checks(terse, "\n".join(mixed))


def test_count_letters_rejects_a_changed_letter():
    changed = 0
    for rendering in ("terse", "styled"):
        record = make("tail/count_letters", rendering, "L", 1)
        lines = record["trace"].split("\n")
        for li in range(1, len(lines) - 2):
            letter = record["verifier"]["spec"]["text"].replace(" ", "")[li - 1]
            other = "z" if letter != "z" else "y"
            for old in (f"={letter} ", f"'{letter}' and"):
                if old in lines[li]:
                    new_line = lines[li].replace(old, old.replace(letter, other), 1)
                    assert not checks(record, "\n".join([*lines[:li], new_line, *lines[li + 1:]]))
                    changed += 1
    assert changed > 20


# --- answers against brute force ----------------------------------------------------------------------------


def _pairs_one_by_one(n: int, x: int, y: int, z: int) -> int:
    ages = [0] * y
    for _ in range(n):
        ages = [a + 1 for a in ages]
        ages += [0] * (z * sum(1 for a in ages if a >= x))
    return len(ages)


def test_population_answer_matches_pair_by_pair_simulation():
    rng = random.Random(1)
    checked = 0
    while checked < 150:
        spec = {"n": rng.randint(0, 14), "x": rng.randint(1, 5), "y": rng.randint(1, 4), "z": rng.randint(1, 3)}
        if int(population_growth.answer(spec)) > 30_000:
            continue
        assert population_growth.answer(spec) == str(_pairs_one_by_one(**spec)), spec
        checked += 1
    fibonacci = [population_growth.answer({"n": n, "x": 2, "y": 1, "z": 1}) for n in range(10)]
    assert fibonacci == ["1", "1", "2", "3", "5", "8", "13", "21", "34", "55"]


def _floyd_warshall(n: int, edges: list, source: int) -> list:
    inf = float("inf")
    d = [[0 if i == j else inf for j in range(n)] for i in range(n)]
    for u, v, w in edges:
        d[u][v] = d[v][u] = min(d[u][v], w)
    for k, i, j in itertools.product(range(n), repeat=3):
        if d[i][k] + d[k][j] < d[i][j]:
            d[i][j] = d[i][k] + d[k][j]
    return ["inf" if x == inf else str(x) for x in d[source]]


def test_dijkstra_answer_matches_floyd_warshall():
    rng = random.Random(2)
    for _ in range(200):
        n = rng.randint(1, 12)
        p = rng.random()
        edges = [[u, v, rng.randint(1, 20)] for u in range(n) for v in range(u + 1, n) if rng.random() < p]
        spec = {"n": n, "source": rng.randrange(n), "edges": edges}
        assert dijkstra.answer(spec) == ", ".join(_floyd_warshall(n, edges, spec["source"]))


def test_dijkstra_unreachable_vertices_answer_inf():
    """Vertices 3 and 4 form a component the source cannot reach: their distances are inf."""
    spec = {"task": "tail/dijkstra", "n": 5, "source": 0, "edges": [[0, 1, 4], [1, 2, 1], [0, 2, 7], [3, 4, 2]]}
    assert dijkstra.answer(spec) == "0, 4, 5, inf, inf"
    from reasonry.generators.turing.dijkstra import dijkstra_trace

    for rendering in ("terse", "styled"):
        answer, lines = dijkstra_trace(5, [tuple(e) for e in spec["edges"]], 0, rendering)
        assert answer == "0, 4, 5, inf, inf"
        trace = "\n".join([*lines, f"Final answer: {answer}"])
        assert turing.check_trace(spec, trace).ok
        assert any("3=inf 4=inf" in line and ("stop" in line or "I stop" in line) for line in lines)
        # claiming the stop state reached vertex 3 fails
        bad = trace.replace("3=inf 4=inf;", "3=9 4=inf;", 1)
        assert bad != trace and not turing.check_trace(spec, bad).ok
    assert turing.verify(spec, "[0, 4, 5, inf, inf]").ok
    assert turing.verify(spec, "0, 4, 5, ∞, Infinity").ok
    for wrong in ("0, 4, 5, inf", "0, 4, 5, inf, inf, inf", "0, 4, 5, 0, 0", "0, 4, 5, inf, inf.", "0 4 5 inf inf x"):
        assert not turing.verify(spec, wrong).ok, wrong
    generated = [make("tail/dijkstra", bucket=b, index=i) for b in "SML" for i in range(40)]
    assert any("inf" in r["answer"] for r in generated), "the generator never makes an unreachable vertex"


def _best_schedule(benefits: list[int], deadlines: list[int], x: int) -> int:
    """Every assignment of each task to a slot 1..max deadline or to nothing, machines per slot <= x."""
    horizon = max(deadlines)
    best = 0
    for slots in itertools.product(range(horizon + 1), repeat=len(benefits)):
        used = [0] * (horizon + 1)
        total = 0
        ok = True
        for task, slot in enumerate(slots):
            if slot == 0:
                continue
            if slot > deadlines[task]:
                ok = False
                break
            used[slot] += 1
            total += benefits[task]
        if ok and all(u <= x for u in used[1:]):
            best = max(best, total)
    return best


def test_schedule_greedy_matches_exhaustive_search():
    from reasonry.generators.turing.multi_machine_schedule import schedule_trace

    rng = random.Random(3)
    for _ in range(120):
        n = rng.randint(1, 6)
        x = rng.randint(1, 3)
        benefits = [rng.randint(1, 12) for _ in range(n)]  # small range so ties happen
        deadlines = [rng.randint(1, 3) for _ in range(n)]
        best = str(_best_schedule(benefits, deadlines, x))
        spec = {"task": "tail/multi_machine_schedule", "machines": x, "benefits": benefits, "deadlines": deadlines}
        assert multi_machine_schedule.answer(spec) == best, spec
        traced, lines = schedule_trace(list(zip(benefits, deadlines, strict=True)), x, "terse")
        assert traced == best
        assert turing.check_trace(spec, "\n".join([*lines, f"Final answer: {traced}"])).ok


def test_schedule_greedy_matches_exhaustive_search_on_generated_items():
    config = get_task("tail/multi_machine_schedule").Config(sizes={"S": (5, 7)})
    task = get_task("tail/multi_machine_schedule")
    for index in range(10):
        key = ItemKey(task.name, "test", "S", index)
        record = task.generate(config, key, item_rng(4, task.name, index, "test", "S"))
        spec = record["verifier"]["spec"]
        if max(spec["deadlines"]) ** len(spec["deadlines"]) > 300_000:
            continue
        assert record["answer"] == str(_best_schedule(spec["benefits"], spec["deadlines"], spec["machines"]))


def test_count_letters_answer_matches_a_plain_loop():
    for index in range(60):
        for bucket in "SML":
            record = make("tail/count_letters", bucket=bucket, index=index)
            spec = record["verifier"]["spec"]
            expected = 0
            for ch in spec["text"]:
                expected += ch == spec["letter"]
            assert count_letters.answer(spec) == record["answer"] == str(expected)
            assert len(spec["text"].replace(" ", "")) == record["difficulty"]["size"]["letters"]


def test_count_letters_absent_letter_counts_zero():
    zeros = [r for r in (make("tail/count_letters", rendering, "M", i) for i in range(60)
                         for rendering in ("terse", "styled")) if r["answer"] == "0"]
    assert zeros, "the generator never asks for a letter the sentence lacks"
    for record in zeros:
        assert record["verifier"]["spec"]["letter"] not in record["verifier"]["spec"]["text"]
        assert checks(record, record["trace"])
        assert not turing.verify(record["verifier"]["spec"], "1").ok


def test_diophantine_answer_matches_exhaustive_enumeration():
    rng = random.Random(6)
    for _ in range(300):
        a, b, n = rng.randint(1, 20), rng.randint(1, 20), rng.randint(0, 120)
        pairs = [(x, y) for x in range(n + 1) for y in range(n + 1) if a * x + b * y == n]
        expected = ", ".join(f"({x}, {y})" for x, y in pairs) or "none"
        assert diophantine.answer({"a": a, "b": b, "n": n}) == expected, (a, b, n)


def test_diophantine_without_solution_answers_none():
    from reasonry.generators.turing.diophantine import solve_trace

    for a, b, n in ((4, 6, 15), (5, 7, 23), (9, 12, 40)):  # gcd does not divide n; n below the Frobenius gap
        spec = {"task": "tail/diophantine", "a": a, "b": b, "n": n}
        assert diophantine.answer(spec) == "none"
        for rendering in ("terse", "styled"):
            answer, lines = solve_trace(a, b, n, rendering)
            assert answer == "none"
            assert turing.check_trace(spec, "\n".join([*lines, "Final answer: none"])).ok
            assert not turing.check_trace(spec, "\n".join([*lines, "Final answer: (0, 0)"])).ok
        for ok in ("none", "None", "no solution", "[]"):
            assert turing.verify(spec, ok).ok
        for wrong in ("(0, 0)", "", "0", "none (0, 0)"):
            assert not turing.verify(spec, wrong).ok
    generated = [make("tail/diophantine", bucket=b, index=i) for b in "SML" for i in range(40)]
    assert any(r["answer"] == "none" for r in generated), "the generator never makes an unsolvable equation"


def test_diophantine_answer_is_the_ordered_list_without_partial_credit():
    spec = {"task": "tail/diophantine", "a": 3, "b": 5, "n": 30}
    assert diophantine.answer(spec) == "(0, 6), (5, 3), (10, 0)"
    assert not turing.verify(spec, "(10, 0), (0, 6), (5, 3)").ok  # the prompt asks for increasing x
    assert turing.verify(spec, "[(0,6), (5,3), (10,0)]").ok
    for wrong in ("(0, 6), (5, 3)", "(0, 6), (5, 3), (10, 0), (10, 0)", "(0, 6), (5, 3), (10, 0), (1, 1)",
                  "x=0,y=6", "none"):
        assert not turing.verify(spec, wrong).ok, wrong


def test_prime_search_answer_matches_naive_primality():
    def is_prime(k):
        return k >= 2 and all(k % d for d in range(2, k))

    for n in range(1, 60, 3):
        for m in range(n, 320, 17):
            expected = ", ".join(str(k) for k in range(n, m + 1) if is_prime(k)) or "none"
            assert prime_search.answer({"n": n, "m": m}) == expected


def test_prime_search_strict_comparison():
    spec = {"task": "tail/prime_search", "n": 10, "m": 20}
    assert prime_search.answer(spec) == "11, 13, 17, 19"
    assert turing.verify(spec, "[11, 13, 17, 19]").ok and turing.verify(spec, "11 13 17 19").ok
    for wrong in ("11, 13, 17", "11, 13, 17, 19, 23", "11, 13, 13, 17, 19", "11, 13, 15, 17, 19", "none", "11-19"):
        assert not turing.verify(spec, wrong).ok, wrong
    empty = {"task": "tail/prime_search", "n": 24, "m": 28}
    assert prime_search.answer(empty) == "none" and turing.verify(empty, "none").ok
    assert not turing.verify(empty, "29").ok


def test_configs_are_validated():
    with pytest.raises(ConfigError):
        get_task("tail/population_growth").Config(breeding_age=(0, 2))
    with pytest.raises(ConfigError):
        get_task("tail/dijkstra").Config(sizes={"S": (1, 3)})
    with pytest.raises(ConfigError):
        get_task("tail/multi_machine_schedule").Config(machines=(3, 2))
    with pytest.raises(ConfigError):
        get_task("tail/count_letters").Config(alphabet_size=(0, 30))
    with pytest.raises(ConfigError):
        get_task("tail/diophantine").Config(coefficients=(0, 5))
    with pytest.raises(ConfigError):
        get_task("tail/prime_search").Config(sizes={"X": (1, 5)})


def test_malformed_specs_and_candidates_never_raise():
    for name, spec in (("tail/dijkstra", {"n": 3, "source": 7, "edges": []}),
                       ("tail/diophantine", {"a": 0, "b": 1, "n": 3}),
                       ("tail/population_growth", {"n": 3}),
                       ("tail/multi_machine_schedule", {"machines": 0, "benefits": [1], "deadlines": [1]}),
                       ("tail/prime_search", {"n": "x", "m": 3})):
        spec = {"task": name, **spec}
        assert not turing.verify(spec, "1").ok
        assert not turing.check_trace(spec, "Final answer: 1").ok
    record = make("tail/prime_search")
    for junk in ("", "\n\n", "Final answer:", "State 1: fetch" * 1000):
        assert not checks(record, junk)
        assert not turing.verify(record["verifier"]["spec"], junk).ok


@pytest.mark.parametrize("spec", [
    {"task": "tail/population_growth", "n": 10**7, "x": 1, "y": 1, "z": 1},
    {"task": "tail/population_growth", "n": 10, "x": 1, "y": 1, "z": 10**9},
    {"task": "tail/dijkstra", "n": 10**6, "source": 0, "edges": []},
    {"task": "tail/dijkstra", "n": 5, "source": 0, "edges": [[0, 1, 1]] * 10**5},
    {"task": "tail/multi_machine_schedule", "machines": 1, "benefits": [1] * 10**5, "deadlines": [1] * 10**5},
    {"task": "tail/count_letters", "text": "a" * 10**6, "letter": "a"},
    {"task": "tail/diophantine", "a": 1, "b": 1, "n": 10**9},
    {"task": "tail/prime_search", "n": 1, "m": 10**9},
])
def test_hostile_specs_are_refused(spec):
    assert not turing.verify(spec, "1").ok
    assert not turing.check_trace(spec, "State 0: x\nFinal answer: 1").ok


def test_long_malformed_list_answers_are_rejected_quickly():
    """Separators that two pattern parts could both read would backtrack exponentially on these."""
    dio = {"task": "tail/diophantine", "a": 3, "b": 5, "n": 30}
    primes = {"task": "tail/prime_search", "n": 10, "m": 20}
    for junk in ("(1, 2) ,  " * 3000 + "x", "(1,2)" * 3000 + " (", "[" + "(0, 6) " * 3000):
        assert not turing.verify(dio, junk).ok
    for junk in ("11 , " * 3000 + "x", "11  ;  " * 3000 + ";", "1 " * 5000 + ","):
        assert not turing.verify(primes, junk).ok
