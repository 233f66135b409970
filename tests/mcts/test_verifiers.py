"""The ``math`` and ``countdown`` verifiers and the safe expression parser they share."""

from __future__ import annotations

import threading
import time

import pytest

from reasonry.answers import grade
from reasonry.registry import get_verifier
from reasonry.verifiers import countdown, expr, math_worker
from reasonry.verifiers import math as mathv

# (spec, gold-equivalent candidates, wrong candidates)
MATH_CASES = [
    ({"answer": "42", "answer_type": "integer"}, ["42", "Final answer: 42", "x = 42", "\\boxed{42}", "42.0",
                                                   "Adding them up.\nSo the final answer is 42."],
     ["43", "-42", "forty-two", ""]),
    ({"answer": "-3/4", "answer_type": "fraction"}, ["-3/4", "-0.75", "\\frac{-3}{4}", "-6/8"], ["3/4", "-0.7"]),
    ({"answer": "3.14159", "answer_type": "float"}, ["3.14159", "3.141590000001"], ["3.1416", "3.14"]),
    ({"answer": "12.5%", "answer_type": "percentage"}, ["12.5%", "12.5", "12.50 %"], ["13%", "0.125"]),
    ({"answer": "yes", "answer_type": "boolean"}, ["Yes", "true", "Final answer: yes"], ["no", "maybe"]),
    ({"answer": "B", "answer_type": "multiple_choice"}, ["B", "(B)", "b", "Option B"], ["C", "A"]),
    ({"answer": "Paris", "answer_type": "string"}, ["paris", " Paris. "], ["London"]),
    ({"answer": "1, 2, 3", "answer_type": "list"}, ["[1, 2, 3]", "1,2,3"], ["1, 3, 2", "1, 2"]),
    ({"answer": "1, 2, 3", "answer_type": "list", "unordered": True}, ["3, 1, 2"], ["3, 1, 1"]),
    ({"answer": "2*x + 2", "answer_type": "expression"}, ["2(x+1)", "x + x + 2", "\\boxed{2x+2}"], ["2x+1", "x^2"]),
    ({"answer": "\\frac{\\sqrt{2}}{2}", "answer_type": "expression"}, ["\\frac{1}{\\sqrt{2}}", "sqrt(2)/2"],
     ["\\frac{\\sqrt{3}}{2}"]),
]


@pytest.mark.parametrize("spec,good,bad", MATH_CASES, ids=[c[0]["answer_type"] for c in MATH_CASES])
def test_math_gold_passes_corrupted_fails(spec, good, bad):
    """Candidates are replies, read the way every consumer reads them (``reasonry.answers.grade``)."""
    assert get_verifier("math").verify(spec, spec["answer"]).ok
    verifier = {"kind": "math", "spec": spec}
    for candidate in good:
        assert grade(verifier, spec["answer_type"], candidate).ok, candidate
    for candidate in bad:
        assert not grade(verifier, spec["answer_type"], candidate).ok, candidate


@pytest.mark.parametrize("candidate", [
    "__import__('os').system('touch /tmp/reasonry-pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "x" * 5000,
    "9^9^9^9",
    None,
    "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))",
])
def test_math_never_evaluates_or_raises_on_hostile_text(candidate, tmp_path):
    spec = {"answer": "2*x", "answer_type": "expression", "time_limit": 5}
    verdict = mathv.verify(spec, candidate)
    assert not verdict.ok
    assert verdict.reason


def test_parser_refuses_python():
    for text in ["__import__('os')", "a.b", "x[0]", "x if y else z", "'text'"]:
        with pytest.raises(expr.ParseError):
            expr.parse(text)
    assert expr.to_fraction(expr.parse("2^10 - 3/4*(2+2)", variables=False)) == 1021
    assert expr.rational("1,250") == 1250


def test_symbolic_deadline_works_outside_the_main_thread():
    """A comparison that runs past its deadline is cut off in a worker process, from a non-main thread."""
    results = []

    def run():
        started = time.monotonic()
        # sympy cannot simplify this away quickly; the deadline must stop it
        verdict = mathv.symbolic("sin(x)^40*cos(x)^40 - (sin(2*x)/2)^40 + x^300*(x+1)^300",
                                 "(x*(x+1))^300 + 1", time_limit=0.5)
        results.append((verdict, time.monotonic() - started))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    (verdict, elapsed), = results
    assert not verdict.ok
    assert elapsed < 20
    # the worker is usable again afterwards
    assert mathv.symbolic("x*(x+1)", "x^2 + x", time_limit=30).ok
    math_worker.shutdown()


def test_math_check_trace_without_step_language_checks_the_final_line():
    spec = {"answer": "7", "answer_type": "integer"}
    assert mathv.check_trace(spec, "We add.\nFinal answer: 7").ok
    assert not mathv.check_trace(spec, "We add.\nFinal answer: 8").ok
    assert not mathv.check_trace(spec, "no final line").ok


EQ_SPEC = {"answer": "-6", "answer_type": "integer", "steps": "linear_equation", "equation": "3*x + 5 = x - 7"}
EQ_TRACE = """Let's solve it.
Step 1: subtract x from both sides => 2*x + 5 = -7
Step 2: subtract 5 from both sides => 2*x = -2
x = -1? That cannot be right. Let's go back to where we had 2*x + 5 = -7, after step 1.
Step 2: subtract 5 from both sides => 2*x = -12
Step 3: divide both sides by 2 => x = -6
Final answer: -6"""


def test_equation_trace_allows_abandoned_mistakes_but_not_mistakes_on_the_final_path():
    assert mathv.check_trace(EQ_SPEC, EQ_TRACE).ok
    broken = EQ_TRACE.replace("=> 2*x = -12", "=> 2*x = -10")
    assert not mathv.check_trace(EQ_SPEC, broken).ok
    no_reflection = EQ_TRACE.replace("x = -1? That cannot be right. Let's go back to where we had 2*x + 5 = -7, "
                                     "after step 1.\n", "")
    assert "without a reflection" in mathv.check_trace(EQ_SPEC, no_reflection).reason
    assert not mathv.check_trace(EQ_SPEC, EQ_TRACE.replace("Final answer: -6", "Final answer: -5")).ok
    skipped = EQ_TRACE.replace("Step 3: divide", "Step 5: divide")
    assert not mathv.check_trace(EQ_SPEC, skipped).ok


ADD_SPEC = {"answer": "1042", "answer_type": "integer", "steps": "column_addition", "x1": "67", "x2": "975"}
ADD_TRACE = """Step 1: Column 0: fetch a=7 b=5 c=0; sum=12; digit=2 c=1
Step 2: Column 1: fetch a=6 b=7 c=1; sum=14; digit=4 c=1
Step 3: Column 2: fetch a=0 b=9 c=1; sum=10; digit=0 c=1
Result: 1042
Final answer: 1042"""


def test_column_addition_trace():
    assert mathv.check_trace(ADD_SPEC, ADD_TRACE).ok
    assert not mathv.check_trace(ADD_SPEC, ADD_TRACE.replace("a=6 b=7 c=1; sum=14", "a=6 b=7 c=0; sum=13")).ok
    assert not mathv.check_trace(ADD_SPEC, ADD_TRACE.replace("Step 3", "Step 2")).ok


CD_SPEC = {"numbers": [3, 7, 8, 2], "target": 23}


def test_countdown_verify():
    assert countdown.verify(CD_SPEC, "(7 - 3) * 8 - 2 * 2").ok is False  # 2 used twice
    assert countdown.verify(CD_SPEC, "3*7 + 8/... ").ok is False
    assert countdown.verify(CD_SPEC, "(8 - 3 + 7) * 2 - 1").ok is False  # 1 is not given
    assert countdown.verify(CD_SPEC, "7*3 + 8/2").ok is False  # 25, not 23
    assert countdown.verify(CD_SPEC, "Final answer: 7*3 + 8/2").reason.startswith("the expression is 25")
    assert countdown.verify(CD_SPEC, "(8 - 3 - 2) * 7 + 2").ok is False  # 2 twice, 7 once, ... not the multiset
    good = "(3 * 7) + (8 / 2) - 2"
    assert not countdown.verify(CD_SPEC, good).ok  # 2 used twice
    assert countdown.verify(CD_SPEC, "3*7 + 8/(2*2)").ok is False
    assert countdown.verify(CD_SPEC, "8*2 + 7 + 3 - 3").ok is False
    assert countdown.verify(CD_SPEC, "(8 * 2) + 7").ok is False  # 3 unused
    assert countdown.verify({"numbers": [3, 7, 8, 2], "target": 25}, "(8 * 2) + 7 + 3 - 1").ok is False
    assert countdown.verify({"numbers": [3, 7, 8, 2], "target": 26}, "(8 * 2) + 7 + 3").ok
    assert countdown.verify({"numbers": [3, 7, 8, 2], "target": 26}, "Final answer: ((8 * 2) + 7) + 3.").ok
    assert not countdown.verify({"numbers": [3, 7, 8, 2], "target": 26}, "(8 * 2) + 7 + 3 + 0*1").ok
    assert not countdown.verify(CD_SPEC, "8 / (3 - 3) + 7 + 2").ok
    assert not countdown.verify(CD_SPEC, "__import__('os')").ok
    assert not countdown.verify({"target": 3}, "3").ok


def test_countdown_trace():
    spec = {"numbers": [3, 7, 8, 2], "target": 26}
    trace = ("Step 1: 8 * 2 = 16; numbers left: 3, 7, 16\n"
             "Step 2: 16 * 7 = 112; numbers left: 3, 112\n"
             "That is far too big. Let's go back to where we had 3, 7, 16, after step 1.\n"
             "Step 2: 16 + 7 = 23; numbers left: 3, 23\n"
             "Step 3: 23 + 3 = 26; numbers left: 26\n"
             "Final answer: (8 * 2) + 7 + 3")
    assert countdown.check_trace(spec, trace).ok
    assert not countdown.check_trace(spec, trace.replace("16 + 7 = 23", "16 + 7 = 24")).ok
    assert not countdown.check_trace(spec, trace.replace("numbers left: 3, 23", "numbers left: 23")).ok
    assert not countdown.check_trace(spec, trace.replace("Final answer: (8 * 2) + 7 + 3", "Final answer: 26")).ok
