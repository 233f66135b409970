import subprocess
import sys

import pytest

from reasonry.errors import UnknownNameError
from reasonry.registry import describe, get_task, get_verifier, task_names


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


def test_listing_tasks_imports_no_task_module_and_no_beam():
    code = ("import sys; from reasonry.registry import task_names; names = task_names(); "
            "heavy = [m for m in sys.modules if m.startswith('apache_beam') or m.endswith('.addition')]; "
            "print(len(names), heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, heavy = out.split(" ", 1)
    assert int(count) >= 1
    assert heavy.strip() == "[]"
