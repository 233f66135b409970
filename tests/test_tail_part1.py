"""TAIL division, bubble sort, word flip, compare numbers, any substring and derangement.

Per task: the verifier's ``answer`` against a brute-force or standard-library computation on many random
instances; gold traces in both renderings replay; targeted corruptions of one state are rejected; the task's
own ``corrupt_trace``/``corrupt_answer`` always produce something the checker rejects.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from decimal import ROUND_DOWN, Decimal, localcontext
from fractions import Fraction

import pytest

from reasonry.errors import ConfigError
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import any_substring as v_sub
from reasonry.verifiers.turing import bubble_sort as v_bubble
from reasonry.verifiers.turing import compare_numbers as v_cmp
from reasonry.verifiers.turing import derangement as v_der
from reasonry.verifiers.turing import division as v_div
from reasonry.verifiers.turing import word_flip as v_flip

MINE = ("tail/division", "tail/bubble_sort", "tail/word_flip", "tail/compare_numbers", "tail/any_substring",
        "tail/derangement")
RENDERINGS = ("terse", "styled")


def make(name: str, bucket: str = "S", index: int = 0, rendering: str = "terse", seed: int = 11, **knobs) -> dict:
    task = get_task(name)
    config = task.Config(rendering=rendering, **knobs)
    return task.generate(config, ItemKey(name, "test", bucket, index), item_rng(seed, name, index, "test", bucket))


def spec_of(record: dict) -> dict:
    return record["verifier"]["spec"]


def replace_line(trace: str, index: int, new: str) -> str:
    lines = trace.split("\n")
    lines[index] = new
    return "\n".join(lines)


def line_index(trace: str, pattern: str) -> int:
    return next(i for i, line in enumerate(trace.split("\n")) if re.search(pattern, line))


# --------------------------------------------------------------------------------------------------
# Shared: both renderings of every bucket replay; the task's own corruptions always fail
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MINE)
@pytest.mark.parametrize("rendering", RENDERINGS)
def test_gold_traces_replay_in_every_bucket(name, rendering):
    for bucket in ("S", "M", "L"):
        for index in range(12):
            record = make(name, bucket, index, rendering)
            spec = spec_of(record)
            assert tail.verify(spec, record["answer"]).ok
            verdict = tail.check_trace(spec, record["trace"])
            assert verdict.ok, f"{bucket}/{index}: {verdict.reason}\n{record['trace']}"
            assert record["meta"]["rendering"] == rendering


@pytest.mark.parametrize("name", MINE)
def test_sizes_follow_the_paper_buckets(name):
    task = get_task(name)
    low_s, high_s = task.default_sizes["S"]
    low_m, high_m = task.default_sizes["M"]
    low_l, high_l = task.default_sizes["L"]
    assert low_s <= high_s < low_m <= high_m < low_l <= high_l
    assert len(task.templates) >= 20 and len(set(task.templates)) == len(task.templates)


@pytest.mark.parametrize("name", MINE)
def test_renderings_share_the_problem_id(name):
    a, b = make(name, "M", 3, "terse"), make(name, "M", 3, "styled")
    assert a["id"] == b["id"] and a["answer"] == b["answer"] and a["trace"] != b["trace"]


@pytest.mark.parametrize("name", MINE)
@pytest.mark.parametrize("rendering", RENDERINGS)
def test_own_corruptions_always_fail(name, rendering):
    task = get_task(name)
    for index in range(10):
        record = make(name, "S", index, rendering)
        spec = spec_of(record)
        for k in range(8):
            rng = random.Random(index * 100 + k)
            bad = task.corrupt_trace(record, rng)
            assert bad is not None and bad != record["trace"]
            assert not tail.check_trace(spec, bad).ok, bad
            wrong = task.corrupt_answer(record, rng)
            assert not tail.verify(spec, wrong).ok, wrong


@pytest.mark.parametrize("name", MINE)
@pytest.mark.parametrize("rendering", RENDERINGS)
def test_structural_damage_fails(name, rendering):
    record = make(name, "M", 1, rendering)
    spec, lines = spec_of(record), record["trace"].split("\n")
    for i in range(1, len(lines) - 1):  # any one line dropped
        assert not tail.check_trace(spec, "\n".join(lines[:i] + lines[i + 1:])).ok, f"line {i} dropped"
    extra = "\n".join(lines[:-1] + [lines[-2], lines[-1]])
    assert not tail.check_trace(spec, extra).ok, "a repeated last state"
    assert not tail.check_trace(spec, "\n".join(lines[:-1])).ok, "no final answer"
    assert not tail.check_trace(spec, "\n".join(lines[:-1] + ["Final answer: 0"])).ok or record["answer"] == "0"
    if len(lines) > 4:
        swapped = lines[:1] + [lines[2], lines[1]] + lines[3:]
        assert not tail.check_trace(spec, "\n".join(swapped)).ok, "two states swapped"


@pytest.mark.parametrize("name", MINE)
def test_mixed_renderings_fail(name):
    terse = make(name, "S", 2, "terse")["trace"].split("\n")
    styled = make(name, "S", 2, "styled")["trace"].split("\n")
    spec = spec_of(make(name, "S", 2))
    assert not tail.check_trace(spec, "\n".join(terse[:1] + styled[1:])).ok
    assert not tail.check_trace(spec, "\n".join(styled[:1] + terse[1:])).ok


@pytest.mark.parametrize("name", MINE)
def test_malformed_candidates_never_raise(name):
    spec = spec_of(make(name))
    for junk in ("", " ", "[", "]", "[,]", "1e5", "abc", "-", "NaN", "[1,,2]", "\x00", "9" * 5000, "''"):
        assert not tail.verify(spec, junk).ok
        assert not tail.check_trace(spec, junk).ok


# --------------------------------------------------------------------------------------------------
# tail/division
# --------------------------------------------------------------------------------------------------


def _random_operand(rng: random.Random) -> str:
    digits = rng.randint(1, 12)
    text = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    if digits >= 2 and rng.random() < 0.5:
        point = rng.randint(1, digits - 1)
        text = text[:point] + "." + text[point:]
    return text


def test_division_answer_matches_decimal_truncation():
    rng = random.Random(1)
    for _ in range(2000):
        x1, x2, places = _random_operand(rng), _random_operand(rng), rng.randint(0, 6)
        with localcontext() as ctx:
            ctx.prec = 200
            expected = (Decimal(x1) / Decimal(x2)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
        got = v_div.answer({"x1": x1, "x2": x2, "places": places})
        assert Decimal(got) == expected, (x1, x2, places)
        assert got == got.rstrip("0").rstrip(".") or "." not in got  # canonical: no trailing zeros


@pytest.mark.parametrize("x1,x2,places,expected", [
    ("7", "2", 3, "3.5"),           # remainder, then an exact decimal
    ("84", "4", 3, "21"),           # no remainder
    ("10", "3", 3, "3.333"),        # remainder forever: truncated, not rounded
    ("2", "3", 3, "0.666"),         # would round up to 0.667
    ("1.5", "0.25", 3, "6"),        # decimals in both operands
    ("12.5", "4", 3, "3.125"),
    ("1", "7", 0, "0"),
    ("9.99", "3.3", 4, "3.0272"),
    ("100", "8", 1, "12.5"),
    ("1", "8", 2, "0.12"),          # 0.125 cut after two places
])
def test_division_remainders_and_decimals(x1, x2, places, expected):
    spec = {"task": "tail/division", "x1": x1, "x2": x2, "places": places}
    assert v_div.answer(spec) == expected
    assert tail.verify(spec, expected).ok
    assert tail.verify(spec, expected + ("0" if "." in expected else ".0")).ok  # 3.50 is the same number
    assert not tail.verify(spec, str(Decimal(expected) + Decimal("0.001"))).ok
    from reasonry.generators.turing.division import divide_trace
    for rendering in RENDERINGS:
        answer, lines = divide_trace(x1, x2, places, rendering)
        assert answer == expected
        trace = "\n".join([*lines, f"Final answer: {answer}"])
        assert tail.check_trace(spec, trace).ok


def test_division_terse_trace_by_hand():
    """10 / 3 to two places, written out by hand from the definition."""
    spec = {"task": "tail/division", "x1": "10", "x2": "3", "places": 2}
    trace = "\n".join([
        "Scale: 10 / 3 -> 10 / 3",
        "State 0: fetch r=0 d=1; cur=1; q=0 q*b=0; r=1",
        "Transition 0 -> 1",
        "State 1: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
        "Transition 1 -> 2 (decimal point)",
        "State 2: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
        "Transition 2 -> 3",
        "State 3: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
        "Stop: r=1 places=2",
        "Result: 3.33",
        "Final answer: 3.33",
    ])
    assert tail.check_trace(spec, trace).ok
    assert not tail.check_trace(spec, trace.replace("State 3: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
                                                    "State 3: fetch r=1 d=0; cur=10; q=3 q*b=9; r=0")).ok
    # a remainder that is wrong in one state, and the steps after it made consistent with it
    bad = trace.replace("State 1: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1",
                        "State 1: fetch r=1 d=0; cur=10; q=3 q*b=9; r=2")
    assert not tail.check_trace(spec, bad).ok
    # one decimal place more than asked for
    longer = trace.replace("Stop: r=1 places=2\nResult: 3.33\nFinal answer: 3.33",
                           "Transition 3 -> 4\nState 4: fetch r=1 d=0; cur=10; q=3 q*b=9; r=1\n"
                           "Stop: r=1 places=3\nResult: 3.333\nFinal answer: 3.333")
    assert not tail.check_trace(spec, longer).ok
    assert not tail.check_trace(spec, trace.replace(" (decimal point)", "")).ok


def test_division_wrong_quotient_digit_in_one_state_fails():
    for rendering in RENDERINGS:
        for index in range(20):
            record = make("tail/division", "M", index, rendering)
            lines = record["trace"].split("\n")
            states = [i for i, line in enumerate(lines) if line.startswith(("State ", "Step "))]
            i = states[index % len(states)]
            if rendering == "terse":
                m = re.search(r"q=(\d)", lines[i])
                lines[i] = lines[i][:m.start(1)] + str((int(m.group(1)) + 1) % 10) + lines[i][m.end(1):]
            else:
                m = re.search(r"into \d+ (\d) times", lines[i])
                lines[i] = lines[i][:m.start(1)] + str((int(m.group(1)) + 1) % 10) + lines[i][m.end(1):]
            assert not tail.check_trace(spec_of(record), "\n".join(lines)).ok


def test_division_config_is_validated():
    task = get_task("tail/division")
    with pytest.raises(ConfigError, match="places"):
        task.Config(places=-1)
    with pytest.raises(ConfigError, match="sizes.S"):
        task.Config(sizes={"S": (0, 3)})
    record = make("tail/division", places=5)
    assert spec_of(record)["places"] == 5 and "5" in record["prompt"]


# --------------------------------------------------------------------------------------------------
# tail/bubble_sort
# --------------------------------------------------------------------------------------------------


def test_bubble_sort_answer_matches_brute_force():
    rng = random.Random(2)
    for _ in range(300):
        values = rng.sample(range(-50, 50), rng.randint(2, 6))
        ordered = next(list(p) for p in itertools.permutations(values)
                       if all(p[i] < p[i + 1] for i in range(len(p) - 1)))
        gold = v_bubble.answer({"values": values})
        assert v_bubble.parse_list(gold) == ordered
        assert v_bubble.same(" ".join(gold.split()), gold)
        assert not v_bubble.same(str(list(reversed(ordered))), gold)
        assert not v_bubble.same(str(ordered[:-1]), gold)


def test_bubble_sort_same_is_strict():
    gold = "[-3, 1, 7]"
    assert v_bubble.same("[-3, 1, 7]", gold) and v_bubble.same("-3,1,7", gold)
    for wrong in ("[-3, 1, 7, 7]", "[1, -3, 7]", "[-3, 1]", "-3 1 7", "[-3, 1, 7.0]", "the list is [-3, 1, 7]"):
        assert not v_bubble.same(wrong, gold), wrong


def test_bubble_sort_wrong_swap_decision_fails():
    """A state that keeps a pair it should swap, with its list written consistently with that mistake."""
    spec = {"task": "tail/bubble_sort", "values": [3, 1, 2]}
    from reasonry.generators.turing.bubble_sort import sort_trace
    answer, lines = sort_trace([3, 1, 2], "terse")
    good = "\n".join([*lines, f"Final answer: {answer}"])
    assert tail.check_trace(spec, good).ok
    assert lines[1] == "State 0,0: fetch a0=3 a1=1; 3 > 1 swap; list=[1, 3, 2]"
    bad = replace_line(good, 1, "State 0,0: fetch a0=3 a1=1; 3 < 1 keep; list=[3, 1, 2]")
    assert not tail.check_trace(spec, bad).ok
    # stopping after a pass that did swap
    cut = good.split("\n")
    end = cut.index("End pass 0: swaps=2")
    early = "\n".join(cut[: end + 1] + ["Result: [1, 2, 3]", "Final answer: [1, 2, 3]"])
    assert not tail.check_trace(spec, early).ok
    # wrong swap count
    assert not tail.check_trace(spec, good.replace("End pass 0: swaps=2", "End pass 0: swaps=1")).ok


def test_bubble_sort_early_exit_and_full_passes():
    from reasonry.generators.turing.bubble_sort import sort_trace
    _, lines = sort_trace([1, 2, 3, 4], "terse")
    assert sum(line.startswith("End pass") for line in lines) == 1  # already sorted: one pass, no swaps
    _, lines = sort_trace([4, 3, 2, 1], "terse")
    assert sum(line.startswith("End pass") for line in lines) == 3  # reversed: n - 1 passes
    assert sum(line.startswith("State") for line in lines) == 6


# --------------------------------------------------------------------------------------------------
# tail/word_flip
# --------------------------------------------------------------------------------------------------


def test_word_flip_answer_and_sizes():
    from reasonry.generators.turing.word_flip import sentence
    rng = random.Random(3)
    for _ in range(500):
        n = rng.randint(1, 100)
        s = sentence(rng, n)
        assert sum(ch.isalpha() for ch in s) == n and "  " not in s and s == s.strip()
        assert v_flip.answer({"sentence": s}) == "".join(reversed(s))
    for bucket, (low, high) in (("S", (10, 20)), ("M", (21, 50)), ("L", (51, 100))):
        for index in range(10):
            record = make("tail/word_flip", bucket, index)
            assert low <= sum(ch.isalpha() for ch in spec_of(record)["sentence"]) <= high


def test_word_flip_duplicate_letters_need_the_right_positions():
    """With repeated letters, taking the right letter from the wrong position gives the same text; the
    checker still rejects it because every state names the position it reads."""
    s = "noon level deed"
    spec = {"task": "tail/word_flip", "sentence": s}
    from reasonry.generators.turing.word_flip import flip_trace
    for rendering in RENDERINGS:
        answer, lines = flip_trace(s, rendering)
        assert answer == "deed level noon"
        good = "\n".join([*lines, f"Final answer: {answer}"])
        assert tail.check_trace(spec, good).ok
        # state 0 reads s[14]='d'; s[11]='d' too: same letter, wrong place
        assert "14" in lines[1]
        bad = replace_line(good, 1, lines[1].replace("14", "11", 1))
        assert bad != good and not tail.check_trace(spec, bad).ok
    assert tail.verify(spec, "deed level noon").ok
    assert not tail.verify(spec, "deed levelnoon").ok
    assert not tail.verify(spec, s).ok
    assert not tail.verify(spec, "deed level noon.").ok


def test_word_flip_palindrome_corruption_still_wrong():
    spec = {"task": "tail/word_flip", "sentence": "a"}
    record = {"answer": "a", "verifier": {"spec": spec}, "trace": ""}
    wrong = get_task("tail/word_flip").corrupt_answer(record, random.Random(0))
    assert wrong != "a" and not tail.verify(spec, wrong).ok


# --------------------------------------------------------------------------------------------------
# tail/compare_numbers
# --------------------------------------------------------------------------------------------------


def test_compare_answer_matches_fractions():
    rng = random.Random(4)
    for _ in range(2000):
        x1 = _random_operand(rng)
        x2 = rng.choice([x1, _random_operand(rng), x1[:-1] + str(rng.randint(0, 9))])
        if x2.endswith(".") or (x2.startswith("0") and not x2.startswith("0.")):
            continue
        a, b = Fraction(x1), Fraction(x2)
        expected = "<" if a < b else ">" if a > b else "="
        assert v_cmp.answer({"x1": x1, "x2": x2}) == expected


@pytest.mark.parametrize("x1,x2,expected", [
    ("12.5", "12.5", "="),
    ("0.5", "0.50", "="),            # same value, another spelling: every padded digit ties
    ("1234567", "1234567", "="),
    ("12", "11.99", ">"),
    ("0.123", "0.1229999", ">"),
    ("99.9", "100", "<"),
    ("3.14159", "3.1416", "<"),
])
def test_compare_equal_values_and_decimals(x1, x2, expected):
    spec = {"task": "tail/compare_numbers", "x1": x1, "x2": x2}
    assert v_cmp.answer(spec) == expected
    from reasonry.generators.turing.compare_numbers import compare_trace
    for rendering in RENDERINGS:
        answer, lines = compare_trace(x1, x2, rendering)
        assert answer == expected
        good = "\n".join([*lines, f"Final answer: {answer}"])
        assert tail.check_trace(spec, good).ok
        for other in "<=>":
            if other != expected:
                assert not tail.check_trace(spec, good.replace(f"Final answer: {expected}",
                                                               f"Final answer: {other}")).ok
                assert not tail.verify(spec, other).ok
        if expected == "=":  # a tie is only known after every padded position was read
            padded = lines[0].split(": ", 1)[1].split(" ")[0] if rendering == "terse" else None
            states = sum(line.startswith(("State ", "Digit ")) for line in lines)
            if padded is not None:
                assert states == len(padded.replace(".", ""))


def test_compare_generator_makes_equal_and_deep_cases():
    kinds, answers = set(), set()
    for index in range(120):
        record = make("tail/compare_numbers", "M", index)
        kinds.add(record["difficulty"]["size"]["kind"])
        answers.add(record["answer"])
        x1, x2 = spec_of(record)["x1"], spec_of(record)["x2"]
        for x in (x1, x2):
            assert not (x.startswith("0") and not x.startswith("0.")) and not ("." in x and x.endswith("0"))
    assert kinds == {"equal", "prefix", "independent"} and answers == {"<", "=", ">"}


def test_compare_stopping_early_fails():
    spec = {"task": "tail/compare_numbers", "x1": "123.45", "x2": "123.5"}
    from reasonry.generators.turing.compare_numbers import compare_trace
    _, lines = compare_trace("123.45", "123.5", "terse")
    good = "\n".join([*lines, "Final answer: <"])
    assert tail.check_trace(spec, good).ok
    early = "\n".join(lines[:3] + ["Result: <", "Final answer: <"])
    assert not tail.check_trace(spec, early).ok
    assert not tail.check_trace(spec, good.replace("a=4 b=5; a < b, stop", "a=4 b=5; equal, next")).ok
    assert not tail.check_trace(spec, good.replace("Operands: 123.45 vs 123.50", "Operands: 123.45 vs 123.5")).ok
    assert tail.verify(spec, " < ").ok and not tail.verify(spec, "123.45 < 123.5").ok


# --------------------------------------------------------------------------------------------------
# tail/any_substring
# --------------------------------------------------------------------------------------------------


def test_any_substring_answer_matches_brute_force():
    rng = random.Random(5)
    for _ in range(400):
        s = "".join(rng.choice("abc") for _ in range(rng.randint(1, 10)))
        brute = {s[i:j] for i, j in itertools.combinations(range(len(s) + 1), 2)}
        gold = v_sub.answer({"string": s})
        items = v_sub.parse_items(gold)
        assert len(items) == len(set(items)) and set(items) == brute
        firsts = [min(i for i in range(len(s)) if s.startswith(item, i)) for item in items]
        assert firsts == sorted(firsts)  # ordered by first start, then by length
        shuffled = items[:]
        rng.shuffle(shuffled)
        assert v_sub.same(", ".join(shuffled), gold)


def test_any_substring_answer_format():
    spec = {"task": "tail/any_substring", "string": "aba"}
    assert v_sub.answer(spec) == "[a, ab, aba, b, ba]"
    assert tail.verify(spec, "[a, ab, aba, b, ba]").ok
    assert tail.verify(spec, "[ba, b, aba, ab, a]").ok            # order is free
    assert tail.verify(spec, "['a', 'ab', 'aba', 'b', 'ba']").ok  # quoted items
    for wrong in ("[a, ab, aba, b, ba, a]",  # a duplicate
                  "[a, ab, aba, b]",         # one missing
                  "[a, ab, aba, b, ba, bb]",  # one that is not a substring
                  "[a, ab, aba, b, ba, ]",   # an empty item
                  "a ab aba b ba"):
        assert not tail.verify(spec, wrong).ok, wrong


def test_any_substring_wrong_seen_reference_fails():
    s = "abab"
    spec = {"task": "tail/any_substring", "string": s}
    from reasonry.generators.turing.any_substring import substring_trace
    answer, lines = substring_trace(s, "terse")
    good = "\n".join([*lines, f"Final answer: {answer}"])
    assert tail.check_trace(spec, good).ok
    i = line_index(good, r"^State 2,3: ")
    assert lines[i] == "State 2,3: fetch s[2:3]=a; seen s[0:1]"
    assert not tail.check_trace(spec, replace_line(good, i, "State 2,3: fetch s[2:3]=a; seen s[2:3]")).ok
    assert not tail.check_trace(spec, replace_line(good, i, "State 2,3: fetch s[2:3]=a; new 8")).ok
    j = line_index(good, r"^State 0,2: ")
    assert not tail.check_trace(spec, replace_line(good, j, "State 0,2: fetch s[0:2]=ba; new 2")).ok


# --------------------------------------------------------------------------------------------------
# tail/derangement
# --------------------------------------------------------------------------------------------------


def test_derangement_matches_brute_force_small_n():
    for n in range(0, 9):
        brute = sum(all(p[i] != i for i in range(n)) for p in itertools.permutations(range(n)))
        assert v_der.answer({"n": n}) == str(brute)


def test_derangement_big_n_up_to_100():
    """D(n) is the integer nearest n!/e (n >= 1); e to 400 digits from its series."""
    with localcontext() as ctx:
        ctx.prec = 400
        e = sum(Decimal(1) / Decimal(math.factorial(k)) for k in range(300))
        for n in range(1, 101):
            nearest = (Decimal(math.factorial(n)) / e).to_integral_value()
            assert v_der.answer({"n": n}) == str(int(nearest)), n
    assert len(v_der.answer({"n": 100})) == 158
    from reasonry.generators.turing.derangement import derangement_trace
    for n in (2, 3, 61, 100):
        for rendering in RENDERINGS:
            answer, lines = derangement_trace(n, rendering)
            assert answer == v_der.answer({"n": n})
            spec = {"task": "tail/derangement", "n": n}
            assert tail.check_trace(spec, "\n".join([*lines, f"Final answer: {answer}"])).ok


def test_derangement_wrong_recurrence_step_fails():
    spec = {"task": "tail/derangement", "n": 6}
    from reasonry.generators.turing.derangement import derangement_trace
    answer, lines = derangement_trace(6, "terse")
    good = "\n".join([*lines, f"Final answer: {answer}"])
    i = line_index(good, r"^State 4: ")
    assert lines[i] == "State 4: fetch D(3)=2 D(2)=1; sum=3; D(4)=3*3=9"
    for bad in ("State 4: fetch D(3)=2 D(2)=1; sum=3; D(4)=4*3=12",   # multiplied by k instead of k - 1
                "State 4: fetch D(3)=2 D(2)=2; sum=4; D(4)=3*4=12",   # fetched a wrong operand
                "State 4: fetch D(3)=2 D(2)=1; sum=3; D(4)=3*3=8"):
        assert not tail.check_trace(spec, replace_line(good, i, bad)).ok
    assert not tail.check_trace(spec, good.replace("Base: D(1)=0 D(0)=1", "Base: D(1)=1 D(0)=1")).ok
    assert tail.verify(spec, "265").ok and tail.verify(spec, "265.0").ok and not tail.verify(spec, "2 65").ok


@pytest.mark.parametrize("spec", [
    {"task": "tail/division", "x1": "1", "x2": "3", "places": 10**9},
    {"task": "tail/division", "x1": "1", "x2": "0", "places": 3},
    {"task": "tail/division", "x1": "1"},
    {"task": "tail/any_substring", "string": "ab" * 10_000},
    {"task": "tail/bubble_sort", "values": list(range(100_000))},
    {"task": "tail/derangement", "n": 10**7},
    {"task": "tail/derangement", "n": "x"},
    {"task": "tail/compare_numbers", "x1": "1"},
])
def test_hostile_specs_are_refused_quickly(spec):
    assert not tail.verify(spec, "1").ok
    assert not tail.check_trace(spec, "State 0: x\nFinal answer: 1").ok
