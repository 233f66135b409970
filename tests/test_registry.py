import subprocess
import sys

import pytest

from reasonry.errors import UnknownNameError
from reasonry.registry import VERIFIERS, describe, get_task, get_verifier, register_verifier, task_names


def test_known_task_loads_and_matches_its_name():
    task = get_task("tail/addition")
    assert task.name == "tail/addition"
    assert "tail/addition" in task_names()
    assert describe("tail/addition")


def test_unknown_task_suggests_close_names():
    with pytest.raises(UnknownNameError) as info:
        get_task("tail/adition")
    assert "did you mean" in str(info.value) and "tail/addition" in str(info.value)


def test_unknown_verifier_is_named():
    with pytest.raises(UnknownNameError, match="verifier"):
        get_verifier("tial")


def test_every_verifier_says_whether_it_checks_traces():
    answer_only = {kind for kind in VERIFIERS if get_verifier(kind).check_trace is None}
    assert answer_only == {"prolog", "judge"}
    assert callable(get_verifier("tail").check_trace)


def test_a_verifier_without_check_trace_is_refused_in_one_line(monkeypatch):
    # ``reasonry.verdict`` defines no verify and no check_trace: a module written against an older protocol
    monkeypatch.setitem(VERIFIERS, "bare", "reasonry.verdict")
    get_verifier.cache_clear()
    try:
        with pytest.raises(TypeError, match="defines no verify"):
            get_verifier("bare")
        register_verifier("bare", "reasonry.verifiers.countdown")
        assert get_verifier("bare").check_trace is not None
        register_verifier("bare", "tests.plugins.no_trace_flag")
        with pytest.raises(TypeError, match="must define check_trace") as info:
            get_verifier("bare")
        assert "\n" not in str(info.value)
    finally:
        VERIFIERS.pop("bare", None)
        get_verifier.cache_clear()


def test_listing_tasks_imports_no_task_module_and_no_beam():
    code = ("import sys; from reasonry.registry import task_names; names = task_names(); "
            "heavy = [m for m in sys.modules if m.startswith('apache_beam') or m.endswith('.addition')]; "
            "print(len(names), heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, heavy = out.split(" ", 1)
    assert int(count) >= 1
    assert heavy.strip() == "[]"
