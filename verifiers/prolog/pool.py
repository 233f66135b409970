"""A pool of long-lived SWI-Prolog worker processes.

Each worker is one ``swipl`` process running ``server.pl``; requests and replies travel as JSON lines over two
private pipes. Starting ``swipl`` and loading the JSON and CLP(FD) libraries costs far more than running a
typical program, so a worker serves many programs, each consulted into a fresh temporary module (no state
leaks between programs). The pool is thread-safe: a caller borrows an idle worker for one program.

Limits per program: a time limit and an inference limit enforced inside Prolog, a stack limit for the
worker, an address-space limit and a zero file-size limit on the process (defence in depth behind the
sandbox), and a wall-clock watchdog here that kills and replaces a worker that stops answering. A worker that
dies or is killed is replaced before it is lent again; a worker is also recycled after ``max_programs``.

Nothing starts at import: ``get_pool()`` creates the process-wide pool on first use, ``shutdown_pool()``
stops it, and a process forked from an owner builds its own instead of sharing pipes with its parent.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import resource
import select
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

SERVER = Path(__file__).with_name("server.pl")


class WorkerLost(RuntimeError):
    """The worker died or stopped answering; ``reason`` says which."""

    def __init__(self, reason: str, detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True)
class PoolSettings:
    size: int = 1
    time_limit: float = 5.0  # seconds of one program, enforced inside Prolog
    inference_limit: int = 50_000_000
    stack_limit_mb: int = 128  # Prolog stacks; an infinite recursion overflows them in about a second
    memory_limit_mb: int = 2048  # address space of the process (bignums and C allocations)
    grace: float = 3.0  # seconds past the time limit before the watchdog kills a silent worker
    max_programs: int = 5000  # recycle a worker after this many programs
    swipl: str = "swipl"

    def __post_init__(self):
        if self.size < 1:
            raise ValueError(f"size: a pool has at least one worker, got {self.size}")
        if self.time_limit <= 0 or self.inference_limit <= 0:
            raise ValueError("time_limit and inference_limit must be positive")


@dataclass(frozen=True)
class RunResult:
    ok: bool
    output: str = ""
    reason: str = ""
    detail: str = ""
    inferences: int = 0
    seconds: float = 0.0


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident set size of a process in KiB, from /proc."""
    current = peak = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    current = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1])
    except OSError:
        pass
    return current, peak


class PrologWorker:
    """One ``swipl`` process speaking the JSON-lines protocol of ``server.pl``."""

    def __init__(self, settings: PoolSettings, workdir: str):
        self.settings = settings
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.programs = 0
        self._req = self._resp = -1
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> None:
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        cmd = [self.settings.swipl, "-q", "--no-packs", f"--stack-limit={self.settings.stack_limit_mb}m",
               "-f", str(SERVER), "-g", "main", "-t", "halt", "--", str(req_r), str(resp_w)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, pass_fds=(req_r, resp_w), cwd=self.workdir,
                                    start_new_session=True)
            self.proc = proc
        finally:
            os.close(req_r)
            os.close(resp_w)
        self._req, self._resp, self._buffer, self.programs = req_w, resp_r, b"", 0
        self._limit_process(proc.pid)
        reply = self._read_reply(time.monotonic() + 60.0)
        if reply.get("status") != "ready":
            self.close()
            raise WorkerLost("start_failed", f"unexpected greeting {reply!r}")

    def _limit_process(self, pid: int) -> None:
        mem = self.settings.memory_limit_mb * 1024 * 1024
        try:
            resource.prlimit(pid, resource.RLIMIT_AS, (mem, mem))
            # No program may create or grow a file, whatever the sandbox lets through; pipes are not files.
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, 0))
            resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))
        except (OSError, ValueError):
            pass  # the process already exited; the greeting read reports it

    def run(self, request: dict, deadline: float) -> dict:
        if self.proc is None:
            self.start()
        data = (json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._req, view)
                view = view[written:]
        except OSError as exc:
            self.kill()
            raise WorkerLost("worker_crashed", f"could not send the program: {exc}") from None
        self.programs += 1
        return self._read_reply(deadline)

    def _read_reply(self, deadline: float) -> dict:
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise WorkerLost("wedged", "the worker did not answer in time and was killed")
            ready, _, _ = select.select([self._resp], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._resp, 1 << 16)
            if not chunk:
                code = self.kill()
                raise WorkerLost("worker_crashed", f"the worker exited (status {code})")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            self.kill()
            raise WorkerLost("protocol", f"unreadable reply {line[:200]!r}") from None

    def kill(self) -> int | None:
        code = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            code = self.proc.wait()
        self._close_fds()
        self.proc = None
        return code

    def close(self) -> None:
        """Ask the worker to finish (end of input), then make sure it has."""
        if self.proc is None:
            return
        if self._req >= 0:
            os.close(self._req)
            self._req = -1
        try:
            self.proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def _close_fds(self) -> None:
        for fd in (self._req, self._resp):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._req = self._resp = -1


class PrologPool:
    """``size`` workers lent one program at a time; ``run`` is safe to call from several threads."""

    def __init__(self, settings: PoolSettings | None = None, **overrides):
        if settings is None:
            settings = PoolSettings(**overrides)
        elif overrides:
            raise TypeError("give either settings or keyword overrides")
        if shutil.which(settings.swipl) is None:
            raise RuntimeError(f"SWI-Prolog ({settings.swipl!r}) is not installed; apt-get install swi-prolog-nox")
        self.settings = settings
        self.owner_pid = os.getpid()
        self._workdir = tempfile.mkdtemp(prefix="reasonry-prolog-")
        self._idle: queue.Queue[PrologWorker] = queue.Queue()
        self._workers: list[PrologWorker] = []
        self._lock = threading.Lock()
        self.restarts = 0
        self.programs = 0
        self.closed = False
        for _ in range(settings.size):
            worker = PrologWorker(settings, self._workdir)
            worker.start()
            self._workers.append(worker)
            self._idle.put(worker)

    def run(self, program: str, goal: str = "solve_json", *, time_limit: float | None = None,
            inference_limit: int | None = None, sandbox: bool = True) -> RunResult:
        """Consult ``program`` into a fresh module and call ``goal``; never raises for a bad program."""
        if self.closed:
            raise RuntimeError("the Prolog pool is shut down")
        limit = float(time_limit or self.settings.time_limit)
        request = {"program": program, "goal": goal, "time_limit": limit,
                   "inference_limit": int(inference_limit or self.settings.inference_limit), "sandbox": sandbox}
        worker = self._idle.get()
        started = time.monotonic()
        try:
            if worker.proc is None or worker.programs >= self.settings.max_programs:
                self._replace(worker)
            reply = worker.run(request, started + limit + self.settings.grace)
        except WorkerLost as lost:
            self._replace(worker)
            return RunResult(False, reason=lost.reason, detail=lost.detail, seconds=time.monotonic() - started)
        finally:
            self._idle.put(worker)
            with self._lock:
                self.programs += 1
        seconds = time.monotonic() - started
        if reply.get("status") == "ok":
            return RunResult(True, output=reply.get("output", ""), inferences=int(reply.get("inferences", 0)),
                             seconds=seconds)
        return RunResult(False, reason=str(reply.get("reason", "error")), detail=str(reply.get("detail", "")),
                         seconds=seconds)

    def run_many(self, programs: list[str], goal: str = "solve_json", **limits) -> list[RunResult]:
        """Run programs on all workers at once; results in input order."""
        if self.settings.size == 1 or len(programs) <= 1:
            return [self.run(p, goal, **limits) for p in programs]
        with ThreadPoolExecutor(self.settings.size) as executor:
            return list(executor.map(lambda p: self.run(p, goal, **limits), programs))

    def _replace(self, worker: PrologWorker) -> None:
        worker.kill()
        with self._lock:
            self.restarts += 1
        try:
            worker.start()
        except (OSError, WorkerLost):
            worker.kill()  # left stopped; the next borrower tries again

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self._workers if w.pid]

    def memory_kb(self) -> tuple[int, int]:
        """(current, peak) resident memory summed over the live workers, in KiB."""
        stats = [rss_kb(pid) for pid in self.worker_pids()]
        return sum(s[0] for s in stats), sum(s[1] for s in stats)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if os.getpid() == self.owner_pid:
            for worker in self._workers:
                worker.close()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> PrologPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_pool: PrologPool | None = None
_pool_lock = threading.Lock()


def _default_size() -> int:
    text = os.environ.get("REASONRY_PROLOG_WORKERS", "")
    return int(text) if text.isdigit() and int(text) > 0 else 1


def start_pool(settings: PoolSettings | None = None) -> PrologPool:
    """Create the process-wide pool (idempotent); a Beam DoFn calls this from ``setup()``."""
    global _pool
    with _pool_lock:
        if _pool is not None and (_pool.closed or _pool.owner_pid != os.getpid()):
            _pool = None  # shut down, or inherited from the parent across fork: its pipes are not ours
        if _pool is None:
            _pool = PrologPool(settings or PoolSettings(size=_default_size()))
        return _pool


def get_pool() -> PrologPool:
    pool = _pool
    if pool is not None and not pool.closed and pool.owner_pid == os.getpid():
        return pool
    return start_pool()


def shutdown_pool() -> None:
    """Stop the process-wide pool's workers; the next ``get_pool()`` starts a new one."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None


atexit.register(shutdown_pool)
