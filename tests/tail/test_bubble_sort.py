"""TAIL bubble sort: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import itertools
import random

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import bubble_sort as v_bubble
from tests.tail.helpers import replace_line


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
