"""What a trainer sees, checked by the trainers: one small real build, then

- ``load_dataset`` on it without a config name, and the card that ``publish`` renders (repo id, configs, field
  documentation, citations, intended use, limitations, plots sized to the Hub page);
- verl's column contract and reward-loader call (verl itself is too heavy to install here: its documented
  ``RLHFDataset`` columns and its keyword call of ``compute_score`` stand in for it);
- TRL 1.16's SFTTrainer, GRPOTrainer (with ``reasonry.rewards``) and DPOTrainer, two steps each on a tiny local
  model, in their own venv (``make consumers``);
- the light install (``pip install reasonry``) in a venv of its own, scoring every family; and a venv with
  reasonry alone, no dependencies, where every reward names what it misses.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from reasonry.exports import FINAL_ANSWER, rl_row
from reasonry.registry import get_task, task_names
from reasonry.rng import item_rng
from reasonry.task import ItemKey

ROOT = Path(__file__).resolve().parent.parent
TRL_PYTHON = ROOT / ".venv-trl" / "bin" / "python"
LIGHT_PYTHON = ROOT / ".venv-light" / "bin" / "python"
SMALL = {
    "build": {"name": "small", "seed": 5, "shard_size": 10, "output_shards": 1,
              "exports": ["sft", "rl", "preference", "preference_steps", "stepwise"]},
    "runner": {"name": "local", "workers": 2},
    "tasks": {"tail/addition": {"train": {"S": 8}, "test": {"S": 2, "M": 2}},
              "mcts/countdown/direct": {"train": {"all": 8}},
              "pddl/blocksworld/plan_generation": {"train": {"all": 4}},
              "prolog/graph_coloring/solve": {"train": {"all": 4}}},
}
VERL_COLUMNS = {"data_source", "prompt", "ability", "reward_model", "extra_info"}


def _need(python: Path, target: str) -> Path:
    if not python.exists():
        message = f"{python.parent.parent.name} is missing: run `make {target}` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return python


def reply(answer: str, answer_type: str) -> str:
    if answer_type == "plan":
        return f"Here is the plan.\n```plan\n{answer}\n```"
    if answer_type == "json":
        return f"Reasoning...\n```json\n{answer}\n```"
    return f"Some reasoning.\n{FINAL_ANSWER} {answer}"


def _records(root: Path) -> list[dict]:
    out = []
    for path in sorted(root.glob("records/*/*.parquet")):
        for row in pq.read_table(path).to_pylist():
            out.append({**row, **{k: json.loads(row[k]) for k in ("verifier", "meta", "provenance", "difficulty")}})
    return out


@pytest.fixture(scope="module")
def small_build(tmp_path_factory) -> Path:
    from reasonry.config import load_config
    from reasonry.pipelines.build import run_build

    out = tmp_path_factory.mktemp("trainer-view") / "small"
    run_build(load_config(data=json.loads(json.dumps(SMALL))), out)
    return out


@pytest.fixture(scope="module")
def replies(small_build, tmp_path_factory) -> Path:
    """Record id -> a gold reply and a corrupted one, written for the trainer scripts."""
    table = {}
    for record in _records(small_build):
        wrong = get_task(record["task"]).corrupt_answer(record, random.Random(0))
        table[record["id"]] = {"gold": reply(record["answer"], record["answer_type"]),
                               "wrong": reply(wrong, record["answer_type"])}
    path = tmp_path_factory.mktemp("replies") / "replies.json"
    path.write_text(json.dumps(table))
    return path


# ---- load_dataset and the card -----------------------------------------------------------------


def test_load_dataset_without_a_config_name_gives_the_default_sft(small_build):
    from datasets import load_dataset

    ds = load_dataset(str(small_build))
    assert set(ds) == {"train", "test"}
    assert ds["train"].column_names == ["id", "task", "length_bucket", "messages"]
    manifest = json.loads((small_build / "manifest.json").read_text())
    sft_train = sum(n for files in manifest["files"]["sft"].values() for p, n in files.items() if "/train-" in p)
    assert ds["train"].num_rows == sft_train
    assert {r["task"] for r in ds["train"]} == {t for t in SMALL["tasks"]}
    rl = load_dataset(str(small_build), "rl", split="train")
    assert set(rl.column_names) == VERL_COLUMNS


def test_publish_dry_run_card_names_the_repo(small_build):
    from reasonry.pipelines.publish import publish

    result = publish(small_build, "my-org/x", dry_run=True, log=lambda _m: None)
    card = next(u.content for u in result.files if u.path_in_repo == "README.md").decode()
    assert 'load_dataset("my-org/x")' in card and 'load_dataset("my-org/x", "rl")' in card
    assert "ORG/NAME" not in card
    import yaml

    front = yaml.safe_load(card.split("---\n")[1])
    defaults = [c["config_name"] for c in front["configs"] if c.get("default")]
    assert defaults == ["sft"]
    combined = {c["config_name"]: c for c in front["configs"]}
    assert {d["path"] for d in combined["rl"]["data_files"]} == {"data/rl-*/train-*.parquet",
                                                                 "data/rl-*/test-*.parquet"}
    infos = {i["config_name"]: i for i in front["dataset_info"]}
    assert infos["sft"]["splits"] and sum(s["num_examples"] for s in infos["sft"]["splits"]) == sum(
        s["num_examples"] for name, i in infos.items() if name.startswith("sft-") for s in i["splits"])


def test_card_documents_every_export_and_cites_the_papers(small_build):
    from reasonry.data_cards.render import CITATIONS, FIELDS
    from reasonry.tables import EXPORT_SCHEMAS, RECORD_SCHEMA, REJECT_SCHEMA

    card = (small_build / "README.md").read_text()
    schemas = {**EXPORT_SCHEMAS, "records": RECORD_SCHEMA, "rejects": REJECT_SCHEMA}
    for export, schema in schemas.items():
        documented = set()
        for column, _type, _meaning in FIELDS[export]:
            for part in column.replace(" / ", ", ").split(", "):
                documented.add(part.split(".")[0])
        assert set(schema.names) <= documented, (export, set(schema.names) - documented)
    manifest = json.loads((small_build / "manifest.json").read_text())
    for export in manifest["files"]:
        assert f"### `{export}`" in card
    for paper in ("TAIL", "ProtoReasoning", "ASTRO", "CPL"):
        assert CITATIONS[paper][3] in card
    assert "General-Reasoner" not in card.split("## Citations")[1]  # no webqa in this build
    assert "## Intended use" in card and "## Limitations" in card
    assert "length-generalisation" in card and "deliberate wrong steps" in card
    assert "pip install reasonry" in card
    assert "end-of-sequence" in card  # the caveat of step-only pairs


def _white_border(path: Path) -> bool:
    from PIL import Image

    image = Image.open(path).convert("L")
    w, h = image.size
    border = [image.getpixel((x, y)) for y in range(h) for x in (0, 1, w - 2, w - 1)]
    border += [image.getpixel((x, y)) for x in range(w) for y in (0, 1, h - 2, h - 1)]
    return min(border) > 245


def test_plots_fit_the_hub_page_without_clipping(small_build, tmp_path):
    from PIL import Image

    from reasonry.data_cards.plots import drops_plot, pass_rate_plot

    manifest = json.loads((small_build / "manifest.json").read_text())
    assert {"assets/counts.png", "assets/trace_lengths_tail.png"} <= set(manifest["assets"])
    drawn = [small_build / a for a in manifest["assets"]]
    tasks = {"pddl/blocksworld/plan_generation_optimal": {"dropped": {"no_instance": 3, "verify_failed": 1}},
             "tail/addition": {"dropped": {"generator_error: ValueError": 2}}}
    assert drops_plot(tasks, str(tmp_path / "drops.png"))
    assert pass_rate_plot({"tail/a-rather-long-task-name/with_parts": [1, 2, 0, 0, 5, 0, 0, 1, 0, 0],
                           "mcts/countdown/direct": [0, 0, 3, 0, 0, 0, 0, 0, 2, 1]}, str(tmp_path / "pass.png"))
    drawn += [tmp_path / "drops.png", tmp_path / "pass.png"]
    for path in drawn:
        assert Image.open(path).size[0] == 800, path
        assert _white_border(path), f"{path.name}: something is drawn to the edge (a clipped label)"
    assert "![Items per task, split and length bucket](assets/counts.png)" in (small_build / "README.md").read_text()


def test_trace_plot_rows_keep_train_and_test_apart_in_bucket_order(small_build):
    import polars as pl

    from reasonry.data_cards.plots import trace_groups

    frame = pl.from_arrow(pq.read_table(next((small_build / "records" / "tail").glob("*.parquet"))))
    for path in list((small_build / "records" / "tail").glob("*.parquet"))[1:]:
        frame = pl.concat([frame, pl.from_arrow(pq.read_table(path))])
    labels, values = trace_groups(frame, "tail")
    assert labels == ["addition train S", "addition test S", "addition test M"]
    assert [len(v) for v in values] == [8, 2, 2]


# ---- verl ----------------------------------------------------------------------------------------


def test_rl_export_meets_verls_column_contract_and_reward_call(small_build):
    """verl's RLHFDataset reads data_source, prompt (chat messages), ability, reward_model.ground_truth and
    extra_info; its reward manager calls compute_score with keyword arguments and adds keys such as num_turns to
    extra_info (and passes reward_kwargs from the config)."""
    from reasonry import rewards

    rows = []
    for path in sorted(small_build.glob("rl/*/*.parquet")):
        table = pq.read_table(path)
        assert set(table.column_names) == VERL_COLUMNS
        rows += table.to_pylist()
    by_id = {r["id"]: r for r in _records(small_build)}
    errors_before = rewards.scoring_errors()
    assert len({r["extra_info"]["index"] for r in rows}) == len(rows)
    for row in rows:
        assert row["prompt"][0]["role"] == "user" and row["prompt"][0]["content"]
        assert row["reward_model"]["style"] == "rule" and row["reward_model"]["ground_truth"]
        record = by_id[row["extra_info"]["id"]]
        extra_info = {**row["extra_info"], "num_turns": 2, "rollout_reward_scores": {}}
        gold = reply(row["reward_model"]["ground_truth"], row["extra_info"]["answer_type"])
        wrong = reply(get_task(record["task"]).corrupt_answer(record, random.Random(0)),
                      row["extra_info"]["answer_type"])
        call = dict(data_source=row["data_source"], ground_truth=row["reward_model"]["ground_truth"])
        assert rewards.compute_score(solution_str=gold, extra_info=extra_info, **call, some_reward_kwarg=1) == 1.0
        assert rewards.compute_score(solution_str=wrong, extra_info=extra_info, **call) == 0.0
        # a dataset without our extra_info still pays by the ground truth
        assert rewards.compute_score(solution_str=gold, extra_info=None, **call) == 1.0
        assert rewards.compute_score(solution_str=wrong, extra_info={"num_turns": 1}, **call) == 0.0
    assert rewards.scoring_errors() == errors_before, "a row failed to score"


# ---- TRL -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_trl_sft_grpo_dpo_run_on_the_build(small_build, replies, tmp_path):
    python = _need(TRL_PYTHON, "consumers")
    from reasonry.models.tiny_model import build_tiny_model

    model = build_tiny_model(tmp_path / "tiny", python=str(python))
    report = tmp_path / "report.json"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": ""}
    script = ROOT / "tests" / "consumers" / "trl_trainers.py"
    done = subprocess.run([str(python), str(script), str(small_build), str(model), str(replies),
                           str(tmp_path / "work"), str(report)], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(report.read_text())
    for trainer in ("sft", "grpo", "dpo"):
        assert result[trainer]["steps"] == 2, result
        assert result[trainer]["loss"] == result[trainer]["loss"]  # not NaN
    assert result["sft_columns"] == ["id", "task", "length_bucket", "messages"]
    calls = result["grpo_reward_calls"]
    assert len(calls) == 2 and all(len(c["gold"]) == 8 for c in calls)
    for call in calls:
        assert call["gold"] == [1.0] * len(call["gold"]), call
        assert call["wrong"] == [0.0] * len(call["wrong"]), call
        assert {"reward_model", "data_source"} <= set(call["kwargs"])
    assert result["scoring_errors"] == {}
    assert {"prompt", "chosen", "rejected"} <= set(result["dpo_columns"])


# ---- the light install ---------------------------------------------------------------------------


def _rows_per_family() -> list[dict]:
    """The first task of every family: its RL row, a gold reply and a corrupted one."""
    seen: dict[str, str] = {}
    for name in task_names():
        seen.setdefault(name.split("/", 1)[0], name)
    out = []
    for name in sorted(seen.values()):
        task = get_task(name)
        bucket = task.buckets[0] if task.buckets else None
        for index in range(20):
            record = task.generate(task.default_config(), ItemKey(name, "train", bucket, index),
                                   item_rng(3, name, index, "train", bucket))
            if record is not None:
                break
        record["provenance"]["index"] = index
        row = rl_row(record)
        out.append({"row": row, "gold": reply(record["answer"], record["answer_type"]),
                    "wrong": reply(task.corrupt_answer(record, random.Random(0)), record["answer_type"])})
    return out


SCORE_IN_VENV = r"""
import importlib.util, json, sys
absent = [m for m in ("apache_beam", "pyarrow", "polars", "datasets", "matplotlib", "httpx", "trafilatura",
                      "huggingface_hub") if importlib.util.find_spec(m) is not None]
from reasonry import rewards
out = {"present_pipeline_modules": absent, "scores": []}
for case in json.load(open(sys.argv[1])):
    row = case["row"]
    try:
        got = [rewards.compute_score(data_source=row["data_source"], solution_str=case[k],
                                     ground_truth=row["reward_model"]["ground_truth"], extra_info=row["extra_info"])
               for k in ("gold", "wrong")]
        replies = [[{"role": "assistant", "content": case[k]}] for k in ("gold", "wrong")]
        got += rewards.trl_reward([row["prompt"]] * 2, replies, extra_info=[row["extra_info"]] * 2)
    except Exception as exc:
        got = f"{type(exc).__name__}: {exc}"
    out["scores"].append([row["data_source"], got])
out["errors"] = rewards.scoring_errors()
print(json.dumps(out))
"""


def _score_in(python: Path, tmp_path: Path) -> dict:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(_rows_per_family()))
    done = subprocess.run([str(python), "-c", SCORE_IN_VENV, str(cases)], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_light_install_scores_every_family_without_the_pipeline(tmp_path):
    python = _need(LIGHT_PYTHON, "consumers")
    result = _score_in(python, tmp_path)
    assert result["present_pipeline_modules"] == [], "the light install pulled in pipeline dependencies"
    families = {source.split("/")[1] for source, _ in result["scores"]}
    assert families == {"tail", "prolog", "pddl", "mcts", "webqa"}
    for source, got in result["scores"]:
        assert got == [1.0, 0.0, 1.0, 0.0], (source, got)
    assert result["errors"] == {}


@pytest.mark.slow
def test_rewards_without_their_dependencies_name_them(tmp_path):
    """A venv with reasonry alone (``--no-deps``): every family that needs a package raises, naming it and
    the install line, instead of paying 0.0."""
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "-e", str(ROOT)], check=True, capture_output=True)
    result = _score_in(venv / "bin" / "python", tmp_path)
    got = {source.split("/")[1]: value for source, value in result["scores"]}
    assert got["tail"] == [1.0, 0.0, 1.0, 0.0]  # the Turing replay needs nothing
    for family, package in (("prolog", "orjson"), ("pddl", "unified-planning"), ("webqa", "sympy")):
        assert isinstance(got[family], str) and got[family].startswith("MissingDependencyError"), got[family]
        assert f"pip install {package}" in got[family] and "pip install reasonry" in got[family]
