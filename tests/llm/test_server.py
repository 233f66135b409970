"""Spawn mode's process handling: start-up failures with clear errors, health checks and a shutdown that ends
the whole process group. The real vLLM start is what the session fixture does (tests/vllm_server.py); here a
stand-in ``vllm.entrypoints.openai.api_server`` module (a real HTTP server in a real child process, with a
grandchild) makes start-up failures and shutdown observable in a second instead of a minute."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from reasonry.config import load_config
from reasonry.generators.llm.stage import SamplingStageConfig
from reasonry.models import ClientConfig, ServerConfig
from reasonry.models.server import ServerStartError, VLLMServer

STAND_IN = """
import argparse, http.server, os, subprocess, sys, time
parser = argparse.ArgumentParser()
parser.add_argument("--model"); parser.add_argument("--host"); parser.add_argument("--port", type=int)
parser.add_argument("--served-model-name"); parser.add_argument("--fail", action="store_true")
args = parser.parse_args()
if args.fail:
    print("stand-in: cannot load model", args.model, flush=True)
    sys.exit(3)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(os.environ["PID_FILE"], "a").write(f"{os.getpid()} {child.pid}\\n")
open(os.environ["PID_FILE"] + ".devices", "a").write(os.environ.get("CUDA_VISIBLE_DEVICES", "all") + "\\n")
time.sleep(0.5)
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer((args.host, args.port), Health).serve_forever()
"""


def stand_in_config(tmp_path, *args: str, share: str = "process", gpus: tuple[str, ...] = ()) -> ClientConfig:
    package = tmp_path / "fake" / "vllm" / "entrypoints" / "openai"
    package.mkdir(parents=True)
    for folder in (package, package.parent, package.parent.parent):
        (folder / "__init__.py").write_text("")
    (package / "api_server.py").write_text(textwrap.dedent(STAND_IN))
    env = {"PYTHONPATH": str(tmp_path / "fake"), "PID_FILE": str(tmp_path / "pids")}
    return ClientConfig(model="m", mode="spawn", server=ServerConfig(
        python=sys.executable, args=args, env=env, startup_timeout_s=30, log_dir=str(tmp_path), share=share,
        state_dir=str(tmp_path / "state"), gpus=gpus))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie is dead for our purposes
        return fh.read().split(")")[-1].split()[0] != "Z"


def test_start_waits_for_health_and_stop_ends_the_process_group(tmp_path):
    server = VLLMServer(stand_in_config(tmp_path))
    url = server.start()
    assert url == server.url and server.healthy()
    pid, child = map(int, (tmp_path / "pids").read_text().split())
    assert alive(pid) and alive(child)
    server.stop()
    assert not alive(pid) and not alive(child)
    assert not server.healthy()
    server.stop()  # idempotent


def test_machine_share_starts_once_and_the_last_user_stops_it(tmp_path):
    # Two users in one process stand for two worker processes: flock locks belong to separate open files.
    from reasonry.models.server import MachineServer

    config = stand_in_config(tmp_path, share="machine")
    first, second = MachineServer(config), MachineServer(config)
    url = first.acquire()
    assert second.acquire() == url
    starts = (tmp_path / "pids").read_text().splitlines()
    assert len(starts) == 1  # the second user reused the running server
    pid, child = map(int, starts[0].split())
    first.release()  # the user that started it leaves first: the other still needs it
    assert alive(pid) and alive(child)
    third = MachineServer(config)
    assert third.acquire() == url and len((tmp_path / "pids").read_text().splitlines()) == 1
    second.release()
    third.release()  # the last user stops the whole process group
    assert not alive(pid) and not alive(child)
    assert not list((tmp_path / "state").glob("*.json"))


def test_one_server_per_gpu_and_requests_spread_over_them(tmp_path):
    from reasonry.models import ModelClient
    from reasonry.models.server import stop_servers

    config = stand_in_config(tmp_path, gpus=("0", "1,2"))
    client = ModelClient(config)
    try:
        urls = client.urls
        assert len(set(urls)) == 2  # two servers, each on its own port
        devices = (tmp_path / "pids.devices").read_text().split()
        assert sorted(devices) == ["0", "1,2"]  # each saw only its own GPUs
        assert [client._next_url() for _ in range(4)] == [urls[0], urls[1], urls[0], urls[1]]
    finally:
        stop_servers(config)  # only these two: the session's real vLLM server stays up for the other tests
    pids = [int(line.split()[0]) for line in (tmp_path / "pids").read_text().splitlines()]
    assert len(pids) == 2 and not any(alive(pid) for pid in pids)
    with pytest.raises(Exception, match="server.port"):
        ServerConfig(gpus=("0", "1"), port=8000)


def test_server_that_exits_gives_its_log(tmp_path):
    server = VLLMServer(stand_in_config(tmp_path, "--fail"))
    with pytest.raises(ServerStartError, match="exited with status 3") as info:
        server.start()
    message = str(info.value)
    assert "stand-in: cannot load model m" in message and "\n" not in message  # one line, and where the log is
    assert str(server.log_path) in message and server.log_path.exists()


def test_missing_interpreter_names_the_fix(tmp_path):
    config = ClientConfig(model="m", mode="spawn", server=ServerConfig(python=str(tmp_path / "nope" / "python")))
    with pytest.raises(ServerStartError, match="make vllm-cpu"):
        VLLMServer(config).start()


def test_shipped_llm_config_validates():
    config = load_config(Path(__file__).resolve().parents[2] / "configs" / "llm.yaml")
    stage = SamplingStageConfig.from_stages(config.stages)
    assert stage.client.mode == "spawn" and stage.client.server.python == ".venv-vllm/bin/python"
    assert stage.self_consistency.bucket_names == ("hard", "medium", "easy")
    assert stage.self_consistency.bucket_edges == (0.35, 0.65)
    allocation = stage.self_consistency.allocation
    assert allocation.rule == "gvm" and allocation.budget_per_record < allocation.k_max


KILLED_STARTER = """
import json, sys
from reasonry.config import from_dict
from reasonry.models import ClientConfig
from reasonry.models.server import shared_server
server = shared_server(from_dict(ClientConfig, json.loads(sys.argv[1])))
print(server.process.pid, flush=True)
sys.stdin.read()
"""


def test_per_process_server_dies_with_a_killed_worker(tmp_path):
    import json
    import signal
    import subprocess
    import time

    from reasonry.config import to_dict

    config = stand_in_config(tmp_path)
    worker = subprocess.Popen([sys.executable, "-c", KILLED_STARTER, json.dumps(to_dict(config))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    server_pid = int(worker.stdout.readline())
    assert alive(server_pid)
    worker.send_signal(signal.SIGKILL)  # no atexit handler runs
    worker.wait()
    deadline = time.monotonic() + 10
    while alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    grandchild = int((tmp_path / "pids").read_text().split()[1])
    os.kill(grandchild, signal.SIGKILL)  # the stand-in's own child is ours to clean up, not the feature's
    assert not alive(server_pid)
