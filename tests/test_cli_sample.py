"""`reasonry sample TASK --bucket L --format json` for every TAIL task, and a text sample of every family."""

from __future__ import annotations

import json

import pytest

from reasonry.pipelines.cli import main
from reasonry.record import validate
from reasonry.registry import get_verifier, task_names

TAIL = [name for name in task_names() if name.startswith("tail/")]


def test_all_eighteen_tail_tasks_are_registered():
    assert len(TAIL) == 18


@pytest.mark.parametrize("name", TAIL)
def test_sample_l_bucket_as_json(name, capsys):
    assert main(["sample", name, "-n", "2", "--bucket", "L", "--split", "test", "--format", "json"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 2
    for line in lines:
        record = validate(json.loads(line))
        assert record["task"] == name and record["length_bucket"] == "L"
        assert get_verifier(record["verifier"]["kind"]).verify(record["verifier"]["spec"], record["answer"]).ok


def test_sample_rejects_a_bucket_the_task_does_not_have(capsys):
    assert main(["sample", "prolog/nqueens/solve", "--bucket", "S"]) == 2
    assert "has no length buckets" in capsys.readouterr().err


def test_sample_text_with_an_option(capsys):
    assert main(["sample", "tail/lcs", "-n", "1", "-o", "rendering=styled"]) == 0
    out = capsys.readouterr().out
    assert "Final answer:" in out and "Prompt" in out
