"""The nightly build: its config, the GitHub Actions workflow, and scripts/nightly.sh run for real.

The script's publish step talks to ``tests/hub_server.HubStandIn`` (a real HTTP server on 127.0.0.1) because
the real Hub is unreachable offline; the build and verify steps are the real pipeline on configs/tiny.yaml.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from reasonry.config import load_config
from reasonry.registry import FAMILY_INDEXES, task_index
from tests.hub_server import HubStandIn

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "hf_nightlyStandIn_41b7"
SYMBOLIC = ("tail", "mcts", "pddl", "prolog")


def test_nightly_config_builds_registered_symbolic_tasks_and_every_tail_task():
    config = load_config(ROOT / "configs/nightly.yaml")
    # the built-in tasks only: other tests register plugin tasks (tests/plugins) in this process
    registered = {name for module in FAMILY_INDEXES.values()
                  for name in importlib.import_module(module).TASKS}
    assert registered <= set(task_index())
    tasks = set(config.tasks)
    assert tasks <= registered
    assert {t.split("/", 1)[0] for t in tasks} <= set(SYMBOLIC)
    assert {t for t in registered if t.startswith("tail/")} <= tasks
    assert config.runner.name == "local" and config.build.max_failure_rate <= 0.01
    for name, entry in config.tasks.items():
        assert entry.test, f"{name} has no test split"


def test_workflow_is_scheduled_and_builds_verifies_and_publishes_with_a_dated_tag():
    workflow = yaml.safe_load((ROOT / ".github/workflows/nightly.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True
    (cron,) = [entry["cron"] for entry in triggers["schedule"]]
    assert len(cron.split()) == 5
    steps = workflow["jobs"]["nightly"]["steps"]
    runs = [s.get("run", "") for s in steps]
    order = [next(i for i, r in enumerate(runs) if needle in r)
             for needle in ("make setup", "reasonry build", "reasonry verify", "reasonry publish")]
    assert order == sorted(order)
    assert any(s.get("uses", "").startswith("actions/checkout") for s in steps)
    publish = steps[order[-1]]
    assert publish["env"]["HF_TOKEN"] == "${{ secrets.HF_TOKEN }}"
    assert "secrets." not in publish["run"]  # the token travels in the environment, never on a command line
    assert '--tag "$TAG"' in publish["run"] and "build-$(date -u +%Y%m%d)" in steps[runs.index(
        next(r for r in runs if "GITHUB_OUTPUT" in r))]["run"]
    assert workflow["jobs"]["nightly"]["env"]["CONFIG"] == "configs/nightly.yaml"


def _script_env(hub: HubStandIn, out: Path, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    env.update(REASONRY_HUB_REPO="reasonry-test/nightly", CONFIG="configs/tiny.yaml", OUT=str(out), SKIP_SETUP="1",
               BIN=str(Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"), HF_ENDPOINT=hub.endpoint,
               HF_TOKEN=TOKEN, HF_HOME=str(home), HF_HUB_OFFLINE="0", PYTHONPATH=str(ROOT))
    return env


@pytest.mark.slow
def test_nightly_script_builds_verifies_and_publishes_a_tagged_commit(tmp_path):
    with HubStandIn(TOKEN) as hub:
        env = _script_env(hub, tmp_path / "out", tmp_path / "home")
        days = {time.strftime("%Y%m%d", time.gmtime())}
        run = subprocess.run(["bash", "scripts/nightly.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=300)
        days.add(time.strftime("%Y%m%d", time.gmtime()))  # the run may cross midnight
        assert run.returncode == 0, run.stderr[-3000:]
        repo = hub.repos["reasonry-test/nightly"]
        (tag,) = repo["tags"]
        assert tag in {f"build-{day}" for day in days}
        assert repo["tags"][tag] == repo["branches"]["main"]
        assert "data/sft-tail/train-00000-of-00002.parquet" in hub.files("reasonry-test/nightly")
        assert "records verify" in run.stdout
        assert TOKEN not in run.stdout + run.stderr

        # a second nightly while the first still holds the lock does nothing
        requests = len(hub.requests)
        with open(f"{tmp_path / 'out'}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            again = subprocess.run(["bash", "scripts/nightly.sh"], cwd=ROOT, env=env, capture_output=True,
                                   text=True, timeout=60)
        assert again.returncode == 0 and "another build holds" in again.stderr
        assert len(hub.requests) == requests


def test_nightly_script_refuses_to_run_without_a_target_repository(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REASONRY_HUB_REPO"}
    run = subprocess.run(["bash", "scripts/nightly.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=30)
    assert run.returncode != 0 and "REASONRY_HUB_REPO" in run.stderr
