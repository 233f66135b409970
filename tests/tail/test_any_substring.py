"""TAIL any substring: the verifier's answer against an independent computation, and checks of the trace
that only this task has (the family-wide ones are in test_family.py)."""

from __future__ import annotations

import itertools
import random

from reasonry.verifiers import turing as tail
from reasonry.verifiers.turing import any_substring as v_sub
from tests.tail.helpers import line_index, replace_line


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
