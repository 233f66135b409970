"""``reasonry eval``: metrics, item selection, and whole runs on the real Beam runner.

The numbers are checked against ``tests/replay_server.py``, a stand-in OpenAI-compatible server that replays
replies we choose (gold, corrupted, mixed), because only controlled answers have known pass rates; the real
vLLM CPU server (random tiny model) runs the same command end to end over every task of a small build.
"""

from __future__ import annotations

import json
import math
import random
import struct
from itertools import combinations
from pathlib import Path

import pytest

from reasonry.config import load_config
from reasonry.evaluation.items import load_build, select
from reasonry.evaluation.metrics import majority_correct, pass_at_k, wilson
from reasonry.evaluation.scoring import eval_prompt
from reasonry.exports import assistant_text
from reasonry.pipelines.cli import main
from reasonry.registry import get_task
from tests.replay_server import ReplayServer

SMALL = """
build: {name: evalsmall, seed: 5, shard_size: 10, output_shards: 1, exports: [rl]}
runner: {name: local, workers: 2}
tasks:
  tail/addition: {test: {S: 2, M: 2, L: 2}}
  tail/lcs: {test: {S: 1, M: 1, L: 1}}
  prolog/list_recursion/execution: {test: {all: 2}}
  pddl/blocksworld/plan_generation: {test: {all: 1}}
  mcts/addition/direct: {test: {all: 2}}
"""


# ------------------------------------------------------------------------------------------------
# Metrics
# ------------------------------------------------------------------------------------------------


def _pass_at_k_by_enumeration(n: int, c: int, k: int) -> float:
    outcomes = [True] * c + [False] * (n - c)
    draws = list(combinations(range(n), k))
    return sum(any(outcomes[i] for i in d) for d in draws) / len(draws)


@pytest.mark.parametrize("n,c,k", [(4, 3, 1), (4, 1, 2), (4, 0, 4), (4, 1, 4), (10, 3, 5), (7, 7, 3), (9, 2, 8)])
def test_pass_at_k_is_the_chance_that_k_drawn_samples_hold_a_correct_one(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(_pass_at_k_by_enumeration(n, c, k))
    with pytest.raises(ValueError):
        pass_at_k(n, c, n + 1)


def test_wilson_interval_matches_the_formula_and_stays_in_0_1():
    lo, hi = wilson(0.5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    lo, hi = wilson(1.0, 3)
    assert hi == 1.0 and 0.4 < lo < 0.5
    assert wilson(0.0, 0) == (0.0, 1.0)


def test_majority_counts_stated_answers_and_ties_go_to_the_first():
    assert majority_correct(["1", "2", "2", None], ["1", "2", "2", None], [True, False, False, False]) is False
    assert majority_correct(["1", "2"], ["1", "2"], [True, False]) is True   # tie: first seen
    assert majority_correct(["1", "2"], ["1", "2"], [False, True]) is False
    assert majority_correct([None, None], [None, None], [False, False]) is False


# ------------------------------------------------------------------------------------------------
# Selection
# ------------------------------------------------------------------------------------------------


def _records(tasks=("tail/a", "tail/b"), buckets=("S", "M"), per=6):
    return [{"id": f"{t}-{b}-{i}", "task": t, "split": "test", "length_bucket": b}
            for t in tasks for b in buckets for i in range(per)] + [{"id": "train", "task": "tail/a", "split": "train",
                                                                    "length_bucket": "S"}]


def test_subsample_is_seeded_stable_and_nested():
    records = _records()
    two = select(records, limit=2, seed=3)
    assert len(two) == 8 and "train" not in {r["id"] for r in two}
    shuffled = list(records)
    random.Random(0).shuffle(shuffled)
    assert [r["id"] for r in select(shuffled, limit=2, seed=3)] == [r["id"] for r in two]
    three = {r["id"] for r in select(records, limit=3, seed=3)}
    assert {r["id"] for r in two} <= three
    assert [r["id"] for r in select(records, limit=2, seed=4)] != [r["id"] for r in two]


def test_task_globs_and_buckets_filter():
    records = _records()
    picked = select(records, tasks=("tail/b*",), buckets=("M",))
    assert {(r["task"], r["length_bucket"]) for r in picked} == {("tail/b", "M")} and len(picked) == 6
    from reasonry.errors import ConfigError

    with pytest.raises(ConfigError, match="no test items"):
        select(records, tasks=("prolog/*",))


def test_config_section_and_flags(tmp_path):
    from reasonry.errors import ConfigError
    from reasonry.pipelines.cli import make_parser
    from reasonry.pipelines.eval_cli import resolve_config

    path = tmp_path / "eval.yaml"
    path.write_text("eval:\n  k: 8\n  temperature: 0.6\n  tasks: ['tail/*']\n"
                    "  client: {model: m, url: 'http://127.0.0.1:9', api: chat}\n")
    args = make_parser().parse_args(["eval", "b", "--config", str(path), "--k", "2", "--buckets", "S,L"])
    config = resolve_config(args)
    assert (config.k, config.temperature, config.tasks, config.buckets) == (2, 0.6, ("tail/*",), ("S", "L"))
    assert (config.client.model, config.client.api, config.client.cache_dir) == ("m", "chat", "cache/llm")
    path.write_text("eval:\n  kk: 8\n  client: {model: m}\n")
    with pytest.raises(ConfigError, match="kk"):
        resolve_config(make_parser().parse_args(["eval", "b", "--config", str(path)]))
    with pytest.raises(ConfigError, match="k"):
        resolve_config(make_parser().parse_args(["eval", "b", "--model", "m", "--k", "0"]))


# ------------------------------------------------------------------------------------------------
# Whole runs
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    from reasonry.pipelines.build import run_build

    root = tmp_path_factory.mktemp("eval-build")
    (root / "small.yaml").write_text(SMALL)
    out = root / "build"
    run_build(load_config(root / "small.yaml"), out)
    return out


def _reply(record: dict, answer: str) -> str:
    return assistant_text({**record, "answer": answer, "trace": None})


def _replies(records: list[dict], model: str, policy) -> dict:
    return {(model, eval_prompt(r)): policy(r) for r in records}


def mixed_policy(record: dict) -> list[str] | None:
    """gold for tail/addition, corrupted for tail/lcs, 1 gold + 3 without an answer for mcts, 3 of 4 gold for
    the rest; one tail/addition item is unknown to the server (its request is refused)."""
    gold = assistant_text(record)
    bad = _reply(record, get_task(record["task"]).corrupt_answer(record, random.Random(7)))
    if record["task"] == "tail/addition":
        return None if record["length_bucket"] == "L" and record["_first"] else [gold] * 4
    if record["task"] == "tail/lcs":
        return [bad] * 4
    if record["task"].startswith("mcts/"):
        # several lines and no final-answer marker: nothing to extract (one bare line would be an answer)
        return ["Let me think.\nI am not sure.", gold, "Step one.\nStep two.", "Hmm.\nNo idea."]
    return [gold, gold, bad, gold]


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["eval", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


def test_report_numbers_second_run_compare_and_resume(build, tmp_path, capsys):
    records = load_build(str(build))
    first_l = sorted(r["id"] for r in records if r["task"] == "tail/addition" and r["length_bucket"] == "L")[0]
    for r in records:
        r["_first"] = r["id"] == first_l
    a_replies = {k: v for k, v in _replies(records, "model-a", mixed_policy).items() if v is not None}
    b_replies = _replies(records, "model-b", lambda r: [assistant_text(r)] * 4)
    with ReplayServer({**a_replies, **b_replies}) as server:
        common = ["--url", server.url, "--k", "4", "--temperature", "0.7"]
        code, out1, err1 = _run(capsys, build, "--model", "model-a", *common, "--cache-dir", tmp_path / "cache",
                                "--out", tmp_path / "a")
        assert code == 0, err1
        assert server.requests == len(records)  # one request per item (k samples in it), nothing else
        report = json.loads((tmp_path / "a" / "eval.json").read_text())
        rows = {(r["task"], r["bucket"]): r for r in report["rows"]}
        assert set(rows) == {(r["task"], r["length_bucket"] or "all") for r in records}
        for bucket in ("S", "M"):
            row = rows[("tail/addition", bucket)]
            assert (row["pass_at_1"], row["pass_at_k"], row["maj_at_k"], row["errors"]) == (1.0, 1.0, 1.0, 0)
        refused = rows[("tail/addition", "L")]
        assert (refused["items"], refused["errors"], refused["pass_at_1"]) == (1, 1, 1.0)
        for bucket in ("S", "M", "L"):
            row = rows[("tail/lcs", bucket)]
            assert (row["pass_at_1"], row["pass_at_k"], row["maj_at_k"], row["no_answer_share"]) == (0, 0, 0, 0)
        for key in (("prolog/list_recursion/execution", "all"), ("pddl/blocksworld/plan_generation", "all")):
            row = rows[key]
            assert row["pass_at_1"] == 0.75 and row["pass_at_k"] == 1.0 and row["maj_at_k"] == 1.0
            assert row["samples"] == 4 * row["items"]
        mcts = rows[("mcts/addition/direct", "all")]
        assert mcts["pass_at_1"] == 0.25 and mcts["no_answer_share"] == 0.75 and mcts["pass_at_k"] == 1.0
        assert report["overall"]["errors"] == 1 and report["k"] == 4
        assert report["tokens_unit"] == "words"  # "model-a" has no tokenizer to count with, and the report says so
        lo, hi = report["overall"]["pass_at_1_ci95"]
        assert lo < report["overall"]["pass_at_1"] < hi
        assert "pass@4 %" in out1 and "tail/addition" in out1

        md = (tmp_path / "a" / "eval.md").read_text()
        assert "![tail: pass@1 by length bucket](assets/eval-tail.png)" in md
        assert _png_width(tmp_path / "a" / "assets" / "eval-tail.png") == 800
        assert "eval-prolog.png" not in md  # no length buckets, no plot

        # second run, fresh folder, same cache: the same report; only the refused request is asked again (a
        # refusal is never cached), every answered one comes from the cache
        code, out2, err2 = _run(capsys, build, "--model", "model-a", *common, "--cache-dir", tmp_path / "cache",
                                "--out", tmp_path / "a2")
        assert code == 0, err2
        assert server.requests == len(records) + 1
        assert out2 == out1
        assert (tmp_path / "a2" / "eval.json").read_bytes() == (tmp_path / "a" / "eval.json").read_bytes()
        assert f"requests: 1 sent, {len(records) - 1} answered from the cache" in err2

        # another model, through datasets.load_dataset on the local build folder, compared with the first
        before = server.requests
        code, out3, err3 = _run(capsys, "--dataset", build, "--model", "model-b", *common, "--batch-size", "4",
                                "--cache-dir", tmp_path / "cache-b", "--out", tmp_path / "b",
                                "--compare", tmp_path / "a" / "eval.json")
        assert code == 0, err3
        assert server.requests - before == len(records)
        comparison = json.loads((tmp_path / "b" / "compare.json").read_text())
        by_key = {(r["task"], r["bucket"]): r for r in comparison["rows"]}
        lcs = by_key[("tail/lcs", "S")]
        assert lcs["difference"] == 1.0 and lcs["excludes_zero"] is False  # one item a side is no evidence
        same = by_key[("tail/addition", "S")]
        assert same["difference"] == 0.0 and same["excludes_zero"] is False
        assert comparison["overall"]["excludes_zero"] is True
        assert "excludes 0" in out3 and "model-b vs model-a" in out3
        assert "## Compared with model-a" in (tmp_path / "b" / "eval.md").read_text()

        # a run killed after some batches: the rerun redoes only the unfinished ones, all from the cache
        parts = sorted((tmp_path / "b" / ".eval" / "parts").glob("*.json"))
        assert len(parts) == math.ceil(len(records) / 4)
        lost = sum(len(json.loads(p.read_text())["items"]) for p in parts[:2])
        for p in parts[:2]:
            p.unlink()
        before = server.requests
        code, out4, err4 = _run(capsys, "--dataset", build, "--model", "model-b", *common, "--batch-size", "4",
                                "--cache-dir", tmp_path / "cache-b", "--out", tmp_path / "b",
                                "--compare", tmp_path / "a" / "eval.json")
        assert code == 0, err4
        assert server.requests == before  # zero requests
        assert (f"requests: 0 sent, {lost} answered from the cache; {len(parts) - 2} of {len(parts)} batches "
                "reused") in err4
        assert out4 == out3


def test_an_unreachable_server_stops_the_eval_in_one_line(build, tmp_path, capfd):
    from reasonry.models.server import free_port

    path = tmp_path / "eval.yaml"
    path.write_text(f"eval:\n  client: {{model: m, url: 'http://127.0.0.1:{free_port()}', max_retries: 0}}\n")
    # capfd: while Beam runs, the user's lines go to the terminal's file descriptor, not to sys.stderr
    code, out, err = _run(capfd, build, "--config", path, "--tasks", "tail/lcs", "--cache-dir", tmp_path / "c",
                          "--out", tmp_path / "e")
    assert code == 1 and out == ""
    lines = [line for line in err.splitlines() if not line.startswith("progress:")]
    assert len(lines) == 1 and lines[0].startswith("reasonry: error: eval stopped:") and "rerun to resume" in lines[0]
    assert "Connection refused" in lines[0]
    assert not (tmp_path / "e" / "eval.json").exists()


def test_vllm_server_end_to_end_over_every_task(build, tmp_path, capsys, vllm_server):
    records = load_build(str(build))
    code, out, err = _run(capsys, build, "--url", vllm_server.url, "--model", vllm_server.model_dir,
                          "--served-model-name", "tiny", "--k", "2", "--temperature", "1.0", "--max-tokens", "8",
                          "--limit", "1", "--max-failure-rate", "1", "--cache-dir", tmp_path / "cache",
                          "--out", tmp_path / "e")
    assert code == 0, err
    report = json.loads((tmp_path / "e" / "eval.json").read_text())
    groups = {(r["task"], r["length_bucket"] or "all") for r in records}
    assert {(r["task"], r["bucket"]) for r in report["rows"]} == groups
    for row in report["rows"]:
        assert row["items"] + row["errors"] == 1, row  # --limit 1: one item per group, scored or counted
        if row["items"]:
            assert row["samples"] == 2 and 0 <= row["pass_at_1"] <= 1
            assert 0 < row["mean_output_tokens"] <= 8  # counted with the model's own tokenizer
    assert report["tokens_unit"] == "tokens"
    assert report["overall"]["items"] >= 1
    assert "tail/addition" in out and (tmp_path / "e" / "eval.md").exists()
