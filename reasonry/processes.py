"""Stopping every process a build started, and reaping them.

A build's processes form a tree under the driver: Beam's worker processes, and under them the engines they
start (swipl workers, Fast Downward, a vLLM server). The driver makes itself a child subreaper, so an engine
whose worker dies is handed to the driver rather than to init; ``stop_descendants`` kills the whole tree
at once (collected before the first kill, so that nobody escapes by being re-parented) and reaps it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper(enable: bool = True) -> bool:
    """Orphaned descendants become this process's children (Linux); False where that is not available.
    ``enable=False`` gives the role up again."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1 if enable else 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name (field 2) is in parentheses and may hold spaces: parse after its closing one
        fields = stat[stat.rfind(b")") + 2:].split()
        found[int(entry)] = int(fields[1])
    return found


def descendants(pid: int | None = None) -> list[int]:
    """Every live process under ``pid`` (default: this one), children first."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found, todo = [], list(children.get(root, ()))
    while todo:
        child = todo.pop(0)
        found.append(child)
        todo += children.get(child, ())
    return found


def reap() -> int:
    """Collect every child that has exited; the number collected."""
    count = 0
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return count
        if pid == 0:
            return count
        count += 1


def stop_descendants(timeout: float = 5.0) -> int:
    """SIGKILL the whole process tree under this process and reap it; the number of processes stopped.

    SIGKILL, not SIGTERM: a worker in the middle of a bundle, or an engine in a long search, is not asked
    but stopped, and nothing it writes afterwards can land (all writes are to temporary names, renamed).
    """
    victims = descendants()
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reap()
        if not [pid for pid in descendants()]:
            break
        for pid in descendants():  # started by a worker between the listing and its death
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    reap()
    return len(victims)
