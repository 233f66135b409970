"""TAIL knapsack, LCS, Levenshtein, binary search and palindrome combination: answers against brute force,
both renderings replay, and single-state corruptions are caught."""

from __future__ import annotations

import random
from collections import Counter
from functools import cache
from itertools import combinations, permutations

import pytest

from reasonry.errors import ConfigError
from reasonry.generators.turing.binary_search import search_trace
from reasonry.generators.turing.knapsack import knapsack_trace
from reasonry.generators.turing.palindrome_combination import palindrome_trace
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verifiers import turing as tail_verifier
from reasonry.verifiers.turing import binary_search as bs_check
from reasonry.verifiers.turing import knapsack as ks_check
from reasonry.verifiers.turing import lcs as lcs_check
from reasonry.verifiers.turing import levenshtein as lev_check
from reasonry.verifiers.turing import palindrome_combination as pal_check

TASKS = ("tail/knapsack", "tail/lcs", "tail/levenshtein", "tail/binary_search", "tail/palindrome_combination")


def _items(name, bucket, count, seed=11, **options):
    task = get_task(name)
    config = task.Config(**options)
    out = []
    for index in range(count):
        key = ItemKey(name, "test", bucket, index)
        record = task.generate(config, key, item_rng(seed, name, index, "test", bucket))
        assert record is not None
        out.append(record)
    return out


# --- brute-force references -------------------------------------------------------------------------------


def _knapsack_brute(weights, values, capacity):
    best = 0
    for r in range(len(weights) + 1):
        for subset in combinations(range(len(weights)), r):
            if sum(weights[i] for i in subset) <= capacity:
                best = max(best, sum(values[i] for i in subset))
    return best


def _is_subsequence(word, text):
    it = iter(text)
    return all(ch in it for ch in word)


def _lcs_brute(s, t):
    for r in range(len(s), -1, -1):
        if any(_is_subsequence("".join(c), t) for c in combinations(s, r)):
            return r
    return 0


def _lev_brute(s, t):
    # the definition, unmemoised: fine for the short strings used here
    if not s or not t:
        return len(s) + len(t)
    if s[0] == t[0]:
        return _lev_brute(s[1:], t[1:])
    return 1 + min(_lev_brute(s[1:], t), _lev_brute(s, t[1:]), _lev_brute(s[1:], t[1:]))


@cache
def _palindromes_brute(items):
    return len({p for p in permutations(items) if p == p[::-1]})


def _brute(name, spec):
    if name == "tail/knapsack":
        return _knapsack_brute(spec["weights"], spec["values"], spec["capacity"])
    if name == "tail/lcs":
        return _lcs_brute(spec["s"], spec["t"])
    if name == "tail/levenshtein":
        return _lev_brute(spec["s"], spec["t"])
    if name == "tail/binary_search":
        return spec["numbers"].index(spec["target"]) if spec["target"] in spec["numbers"] else -1
    return _palindromes_brute(tuple(sorted(spec["items"])))


@pytest.mark.parametrize("name", TASKS)
@pytest.mark.parametrize("bucket", ["S", "M", "L"])
def test_answers_match_brute_force(name, bucket):
    count = 12 if (name, bucket) in {("tail/levenshtein", "L"), ("tail/lcs", "L")} else 60
    for record in _items(name, bucket, count):
        spec = record["verifier"]["spec"]
        truth = str(_brute(name, spec))
        assert record["answer"] == truth, spec
        assert tail_verifier.verify(spec, truth).ok


def test_random_specs_against_brute_force():
    rng = random.Random(5)
    for _ in range(300):
        n = rng.randint(1, 7)
        spec = {"weights": [rng.randint(0, 6) for _ in range(n)], "values": [rng.randint(1, 9) for _ in range(n)],
                "capacity": rng.randint(0, 10)}
        assert ks_check.answer(spec) == str(_knapsack_brute(**spec))
        s = "".join(rng.choice("abc") for _ in range(rng.randint(0, 6)))
        t = "".join(rng.choice("abc") for _ in range(rng.randint(0, 6)))
        assert lcs_check.answer({"s": s, "t": t}) == str(_lcs_brute(s, t))
        assert lev_check.answer({"s": s[:4], "t": t[:4]}) == str(_lev_brute(s[:4], t[:4]))
        numbers = sorted(rng.sample(range(-20, 20), rng.randint(1, 12)))
        target = rng.randint(-21, 21)
        expected = numbers.index(target) if target in numbers else -1
        assert bs_check.answer({"numbers": numbers, "target": target}) == str(expected)
        items = [rng.choice((1, 2, 30)) for _ in range(rng.randint(1, 7))]
        assert pal_check.answer({"items": items}) == str(_palindromes_brute(tuple(sorted(items))))


# --- gold traces in both renderings ----------------------------------------------------------------------


@pytest.mark.parametrize("name", TASKS)
@pytest.mark.parametrize("rendering", ["terse", "styled"])
def test_both_renderings_replay(name, rendering):
    for bucket in ("S", "M", "L"):
        for record in _items(name, bucket, 8, rendering=rendering):
            assert record["meta"]["rendering"] == rendering
            verdict = tail_verifier.check_trace(record["verifier"]["spec"], record["trace"])
            assert verdict.ok, (verdict.reason, record["trace"])
            assert record["trace"].endswith(f"Final answer: {record['answer']}")


def test_renderings_differ_and_same_problem_same_id():
    for name in TASKS:
        terse = _items(name, "S", 3, rendering="terse")
        styled = _items(name, "S", 3, rendering="styled")
        for a, b in zip(terse, styled, strict=True):
            assert a["id"] == b["id"] and a["answer"] == b["answer"]
            assert a["trace"] != b["trace"]


@pytest.mark.parametrize("name", TASKS)
def test_at_least_twenty_templates_that_all_format(name):
    task = get_task(name)
    assert len(task.templates) >= 20 and len(set(task.templates)) == len(task.templates)
    record = _items(name, "S", 1)[0]
    seen = set()
    for index in range(400):
        seen.add(_items(name, "S", 1, seed=index)[0]["meta"]["template"])
    assert seen == set(range(len(task.templates))), "some template is never drawn"
    assert record["prompt"]


# --- single-state corruptions ----------------------------------------------------------------------------


def _digit_corruptions(trace):
    lines = trace.split("\n")
    for li, line in enumerate(lines[:-1]):
        for pos, ch in enumerate(line):
            if ch.isdigit():
                bad = line[:pos] + str((int(ch) + 1) % 10) + line[pos + 1:]
                yield li, "\n".join([*lines[:li], bad, *lines[li + 1:]])


@pytest.mark.parametrize("name", TASKS)
@pytest.mark.parametrize("rendering", ["terse", "styled"])
def test_every_single_digit_change_is_rejected(name, rendering):
    for record in _items(name, "S", 3, rendering=rendering):
        spec = record["verifier"]["spec"]
        tried = 0
        for li, bad in _digit_corruptions(record["trace"]):
            tried += 1
            assert not tail_verifier.check_trace(spec, bad).ok, f"digit change on line {li + 1} passes"
        assert tried > 0


@pytest.mark.parametrize("name", TASKS)
def test_sampled_digit_changes_on_long_traces_are_rejected(name):
    rng = random.Random(3)
    for rendering in ("terse", "styled"):
        for record in _items(name, "L", 2, rendering=rendering):
            spec = record["verifier"]["spec"]
            corrupted = list(_digit_corruptions(record["trace"]))
            for li, bad in rng.sample(corrupted, min(60, len(corrupted))):
                assert not tail_verifier.check_trace(spec, bad).ok, f"digit change on line {li + 1} passes"


@pytest.mark.parametrize("name", TASKS)
@pytest.mark.parametrize("rendering", ["terse", "styled"])
def test_missing_reordered_extra_and_mixed_states_are_rejected(name, rendering):
    record = next(r for r in _items(name, "M", 10, rendering=rendering) if r["trace"].count("\n") >= 4)
    spec = record["verifier"]["spec"]
    lines = record["trace"].split("\n")
    body, final = lines[:-1], lines[-1]
    k = len(body) // 2
    cases = {
        "dropped state": body[:k] + body[k + 1:],
        "swapped states": body[:k - 1] + [body[k], body[k - 1]] + body[k + 1:],
        "duplicated state": body[:k] + [body[k]] + body[k:],
        "trailing garbage": body + ["and so on"],
        "garbage after final": body + [final, "extra"],
        "no final answer": body,
    }
    other = "styled" if rendering == "terse" else "terse"
    twin = next(r for r in _items(name, "M", 10, rendering=other) if r["id"] == record["id"])
    other_body = twin["trace"].split("\n")[:-1]
    if len(other_body) == len(body):
        cases["rendering switched half-way"] = body[:k] + other_body[k:]
    for why, new_body in cases.items():
        trace = "\n".join(new_body if why in ("garbage after final", "no final answer") else [*new_body, final])
        assert not tail_verifier.check_trace(spec, trace).ok, why
    wrong_final = "\n".join([*body, "Final answer: " + task_wrong(record["answer"])])
    assert not tail_verifier.check_trace(spec, wrong_final).ok


def task_wrong(answer):
    return str(int(answer) + 1)


@pytest.mark.parametrize("name", TASKS)
def test_task_corrupt_hooks_are_rejected(name):
    task = get_task(name)
    rng = random.Random(0)
    for rendering in ("terse", "styled"):
        for record in _items(name, "S", 20, rendering=rendering):
            spec = record["verifier"]["spec"]
            bad = task.corrupt_trace(record, rng)
            assert bad is not None and bad != record["trace"]
            assert not tail_verifier.check_trace(spec, bad).ok
            wrong = task.corrupt_answer(record, rng)
            assert not tail_verifier.verify(spec, wrong).ok


def test_palindrome_element_changes_are_rejected():
    # swap one occurrence of an element for another value that is in the list, so the line stays well formed
    rng = random.Random(9)
    for rendering in ("terse", "styled"):
        for record in _items("tail/palindrome_combination", "L", 6, rendering=rendering):
            values = sorted(set(record["verifier"]["spec"]["items"]))
            if len(values) < 2:
                continue
            lines = record["trace"].split("\n")
            changed = 0
            for li in rng.sample(range(len(lines) - 1), min(30, len(lines) - 1)):
                words = lines[li].split(" ")
                spots = [i for i, w in enumerate(words) if w.strip("[].,;") in map(str, values)]
                if not spots:
                    continue
                i = rng.choice(spots)
                old = words[i].strip("[].,;")
                new = str(next(v for v in values if str(v) != old))
                words[i] = words[i].replace(old, new)
                bad = lines[:li] + [" ".join(words)] + lines[li + 1:]
                assert not tail_verifier.check_trace(record["verifier"]["spec"], "\n".join(bad)).ok, (li, words)
                changed += 1
            assert changed > 0


def test_strict_integer_answers():
    spec = {"task": "tail/binary_search", "numbers": [1, 5, 9], "target": 9}
    assert tail_verifier.verify(spec, "2").ok
    assert tail_verifier.verify(spec, " 2\n").ok
    for same in ("+2", "2.0", "2.00"):  # integers written as decimals or with a sign are the same integer
        assert tail_verifier.verify(spec, same).ok, same
    for wrong in ("02", "2.5", "two", "", "-2", "1", "[2]", "2 2", "1+1", "2e0"):
        assert not tail_verifier.verify(spec, wrong).ok, wrong
    missing = {"task": "tail/binary_search", "numbers": [1, 5, 9], "target": 4}
    assert tail_verifier.verify(missing, "-1").ok
    for wrong in ("-0", "1", "0", "none", "-01"):
        assert not tail_verifier.verify(missing, wrong).ok, wrong


# --- edge cases ------------------------------------------------------------------------------------------


def test_binary_search_missing_value_answers_minus_one():
    for rendering in ("terse", "styled"):
        records = _items("tail/binary_search", "M", 15, rendering=rendering, missing_probability=1.0)
        for record in records:
            spec = record["verifier"]["spec"]
            assert spec["target"] not in spec["numbers"]
            assert record["answer"] == "-1" and record["difficulty"]["size"]["missing"]
            last_state = record["trace"].split("\n")[-2]
            assert "absent" in last_state or "not in the list" in last_state
            assert tail_verifier.check_trace(spec, record["trace"]).ok
            # a trace that stops at the empty range but claims an index must fail
            body = record["trace"].split("\n")[:-1]
            assert not tail_verifier.check_trace(spec, "\n".join([*body, "Final answer: 0"])).ok
    # values below the first and above the last number end in the empty ranges {0,-1} and {n,n-1}
    task = get_task("tail/binary_search")
    for target, last in ((-100, "State {0,-1}: empty range; find=-100 is absent"),
                         (100, "State {5,4}: empty range; find=100 is absent")):
        index, lines = search_trace([1, 3, 5, 7, 9], target, "terse")
        assert index == -1 and lines[-1] == last
        spec = {"task": task.name, "numbers": [1, 3, 5, 7, 9], "target": target}
        assert tail_verifier.check_trace(spec, "\n".join([*lines, "Final answer: -1"])).ok
        assert not tail_verifier.check_trace(spec, "\n".join([*lines, "Final answer: 4"])).ok


def test_knapsack_zero_weight_items():
    for record in _items("tail/knapsack", "L", 10, zero_weight_probability=1.0):
        spec = record["verifier"]["spec"]
        assert set(spec["weights"]) == {0}
        assert record["answer"] == str(sum(spec["values"]))  # every zero-weight item fits
        assert tail_verifier.check_trace(spec, record["trace"]).ok
    mixed = _items("tail/knapsack", "L", 30, zero_weight_probability=0.5)
    assert any(0 in r["verifier"]["spec"]["weights"] and set(r["verifier"]["spec"]["weights"]) != {0} for r in mixed)
    for record in mixed:
        assert record["answer"] == str(_brute("tail/knapsack", record["verifier"]["spec"]))
    # capacity 0: only the zero-weight items count, and the trace still replays
    weights, values = [0, 3, 0], [4, 9, 2]
    for rendering in ("terse", "styled"):
        best, lines = knapsack_trace(weights, values, 0, rendering)
        spec = {"task": "tail/knapsack", "weights": weights, "values": values, "capacity": 0}
        assert best == 6 and ks_check.answer(spec) == "6"
        assert tail_verifier.check_trace(spec, "\n".join([*lines, "Final answer: 6"])).ok
    # a zero-weight item must not be taken twice: dp[i][c] reads row i-1, never row i
    spec = {"task": "tail/knapsack", "weights": [0], "values": [5], "capacity": 3}
    assert ks_check.answer(spec) == "5"


def test_palindrome_odd_counts_and_single_elements():
    assert pal_check.answer({"items": [1, 1, 2, 2, 3]}) == "2"   # 1 2 3 2 1, 2 1 3 1 2
    assert pal_check.answer({"items": [1, 2, 3]}) == "0"
    assert pal_check.answer({"items": [7, 7, 7, 7]}) == "1"
    assert pal_check.answer({"items": [7]}) == "1"
    assert pal_check.answer({"items": [1, 1, 2, 2, 3, 3]}) == "6"
    # values above 9 sort numerically, not as text: 9 before 10 in the pool and the walk
    record_lines = palindrome_trace([10, 9, 9, 10], "terse")[1]
    assert "half=9:1 10:1" in record_lines[4]
    spec = {"task": "tail/palindrome_combination", "items": [10, 9, 9, 10]}
    assert tail_verifier.check_trace(spec, "\n".join([*record_lines, "Final answer: 2"])).ok
    for rendering in ("terse", "styled"):
        records = _items("tail/palindrome_combination", "M", 30, rendering=rendering, palindromic_probability=0.0)
        assert any(r["answer"] == "0" for r in records)
        for record in records:
            assert tail_verifier.check_trace(record["verifier"]["spec"], record["trace"]).ok


@pytest.mark.parametrize("name,options,field", [
    ("tail/binary_search", {"low": 0, "high": 10}, "high"),
    ("tail/binary_search", {"missing_probability": 1.5}, "missing_probability"),
    ("tail/knapsack", {"max_capacity": 0}, "max_capacity"),
    ("tail/knapsack", {"zero_weight_probability": -0.1}, "zero_weight_probability"),
    ("tail/lcs", {"alphabet": "aab"}, "alphabet"),
    ("tail/levenshtein", {"sizes": {"S": (0, 2)}}, "sizes.S"),
    ("tail/palindrome_combination", {"palindromic_probability": 2.0}, "palindromic_probability"),
])
def test_bad_options_name_the_field(name, options, field):
    with pytest.raises(ConfigError) as info:
        get_task(name).Config(**options)
    assert field in str(info.value)


def test_bad_specs_do_not_raise():
    for spec in ({"task": "tail/binary_search", "numbers": [3, 1], "target": 1},
                 {"task": "tail/knapsack", "weights": [1], "values": [], "capacity": 2},
                 {"task": "tail/palindrome_combination", "items": [0, 0]},
                 {"task": "tail/lcs", "s": 1, "t": "a"}):
        assert not tail_verifier.verify(spec, "1").ok
        assert not tail_verifier.check_trace(spec, "Final answer: 1").ok


@pytest.mark.parametrize("spec", [
    {"task": "tail/knapsack", "weights": [1] * 10, "values": [1] * 10, "capacity": 10**12},
    {"task": "tail/lcs", "s": "a" * 100_000, "t": "a" * 100_000},
    {"task": "tail/levenshtein", "s": "ab" * 50_000, "t": "b" * 5_000},
    {"task": "tail/binary_search", "numbers": list(range(10**6)), "target": 3},
    {"task": "tail/palindrome_combination", "items": [1, 2] * 1000},
    {"task": "tail/palindrome_combination", "items": ["a", "b"]},
    {"task": "tail/palindrome_combination", "items": [True, True]},
])
def test_hostile_specs_are_refused_quickly(spec):
    assert not tail_verifier.verify(spec, "1").ok
    assert not tail_verifier.check_trace(spec, "State 0: x\nFinal answer: 1").ok


def test_many_palindromes_answer_but_refuse_a_trace():
    spec = {"task": "tail/palindrome_combination", "items": list(range(1, 17)) * 2}
    gold = pal_check.answer(spec)
    assert int(gold) > pal_check.MAX_PALINDROMES and tail_verifier.verify(spec, gold).ok
    assert "more than" in tail_verifier.check_trace(spec, "Final answer: " + gold).reason


def test_sizes_follow_the_buckets():
    expected = {"tail/knapsack": ("items", {"S": (2, 3), "M": (4, 5), "L": (6, 8)}),
                "tail/binary_search": ("n", {"S": (5, 20), "M": (21, 40), "L": (41, 70)}),
                "tail/palindrome_combination": ("n", {"S": (2, 4), "M": (5, 6), "L": (7, 8)})}
    for name, (knob, ranges) in expected.items():
        for bucket, (low, high) in ranges.items():
            sizes = {r["difficulty"]["size"][knob] for r in _items(name, bucket, 40)}
            assert min(sizes) >= low and max(sizes) <= high
    for name, ranges in (("tail/lcs", {"S": (2, 6), "M": (7, 9), "L": (10, 12)}),
                         ("tail/levenshtein", {"S": (2, 4), "M": (5, 7), "L": (8, 9)})):
        for bucket, (low, high) in ranges.items():
            for record in _items(name, bucket, 20):
                assert all(low <= n <= high for n in record["difficulty"]["size"]["lengths"])
    assert Counter(len(r["verifier"]["spec"]["items"]) for r in _items("tail/palindrome_combination", "S", 60)).keys() \
        == {2, 3, 4}
