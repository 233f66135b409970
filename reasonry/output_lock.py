"""One writer per output folder.

A local folder is locked with an OS file lock (``flock``) on ``OUT/.lock``: the kernel drops it when its
holder dies, however it dies, so a lock left by a killed build is taken over without any guessing. The file
also names the holder (host, pid, start time) for the message a second build prints.

An object store has no such lock. There the lock is an object created only if absent (fsspec's exclusive
``"xb"`` mode, which gcsfs and s3fs map to the store's if-generation-match / if-none-match precondition),
refreshed by its holder while the build runs; a lock whose holder is a dead process on this host, or whose
refresh is older than ``STALE_SECONDS``, is taken over.
"""

from __future__ import annotations

import json
import os
import socket
import time

from reasonry import storage
from reasonry.errors import ReasonryError

LOCK_NAME = ".lock"
STALE_SECONDS = 600.0


class OutputLocked(ReasonryError):
    """Another build holds the output folder."""


def _holder() -> dict:
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "heartbeat": time.time()}


def describe(holder: dict | None) -> str:
    if not holder:
        return "another build (holder unknown)"
    return f"pid {holder.get('pid')} on host {holder.get('host')}, started {holder.get('started')}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutputLock:
    """``with OutputLock(out): ...`` holds ``out`` for one build; a second holder fails at once."""

    def __init__(self, out: str):
        self.out = str(out)
        self.path = storage.join(self.out, LOCK_NAME)
        self._fd: int | None = None
        self.holder: dict | None = None

    def acquire(self) -> OutputLock:
        if storage.is_url(self.out):
            self._acquire_remote()
        else:
            self._acquire_local()
        return self

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    # --- local: flock ---------------------------------------------------------------------------------

    def _acquire_local(self) -> None:
        import fcntl

        os.makedirs(self.out, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                try:
                    holder = json.loads(os.pread(fd, 4096, 0) or b"null")
                except ValueError:
                    holder = None
                os.close(fd)
                raise OutputLocked(f"output folder {self.out!r} is in use by {describe(holder)}; "
                                   f"wait for that build or choose another --out") from None
            # a holder that finished unlinks the file after unlocking: a lock on that old file is no lock
            try:
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        # the lock is ours: whatever the file says was left by a holder that died
        self.holder = _holder()
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(self.holder).encode(), 0)
        self._fd = fd

    # --- object stores: an if-absent lock object ----------------------------------------------------------

    def _acquire_remote(self) -> None:
        fs, path = storage._fs(self.path)
        for _attempt in range(2):
            self.holder = _holder()
            try:
                fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
                with fs.open(path, "xb") as fh:
                    fh.write(json.dumps(self.holder).encode())
                return
            except FileExistsError:
                current = self._read_remote(fs, path)
                if not self._stale(current):
                    raise OutputLocked(f"output {self.out!r} is in use by {describe(current)}; wait for that "
                                       f"build or choose another --out") from None
                fs.rm(path)  # a dead holder's lock: take it over (the create above decides any race)
        raise OutputLocked(f"output {self.out!r}: another build took the lock at the same moment")

    @staticmethod
    def _read_remote(fs, path: str) -> dict | None:
        try:
            with fs.open(path, "rb") as fh:
                return json.loads(fh.read())
        except (OSError, ValueError):
            return None

    @staticmethod
    def _stale(holder: dict | None) -> bool:
        if not holder:
            return True
        if holder.get("host") == socket.gethostname() and not _pid_alive(int(holder.get("pid", 0))):
            return True
        return time.time() - float(holder.get("heartbeat", 0)) > STALE_SECONDS

    def refresh(self) -> None:
        """Keep a remote lock fresh while the build runs (a local flock needs nothing)."""
        if self.holder is None or not storage.is_url(self.out):
            return
        if time.time() - self.holder["heartbeat"] < STALE_SECONDS / 10:
            return
        self.holder = {**self.holder, "heartbeat": time.time()}
        storage.write_bytes(self.path, json.dumps(self.holder).encode())

    def release(self) -> None:
        if self._fd is not None:
            import fcntl

            # unlinked while still locked, so that the folder holds no lock file between builds
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        elif self.holder is not None and storage.is_url(self.out):
            storage.remove(self.path)
        self.holder = None
