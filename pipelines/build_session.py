"""What surrounds ``reasonry build`` on the command line: its log file, its signals, its one-line failures.

- Everything the build's processes write to stderr (Beam's INFO chatter, worker tracebacks, engine output)
  and every log record goes to ``OUT/.logs/<build id>.log``; the terminal gets progress, warnings, the
  summary, and on failure one line that names the cause and that log.
- SIGINT and SIGTERM stop the whole process tree (``reasonry.processes``), remove ``OUT/.staging`` and end in
  ``reasonry: interrupted`` with exit code 130 / 143. The shard cache keeps every finished shard, so a rerun
  (with or without ``--resume``) continues from there.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
from typing import Any

from reasonry import storage

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
_OS_ERROR = re.compile(r"\[Errno \d+\] ([^\[\n]+)")
_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Exit|Full)\b(?::.*)?$")


class Interrupted(KeyboardInterrupt):
    """The build got SIGINT or SIGTERM; its processes are already stopped."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = EXIT_CODES.get(signal.Signals(signum), 128 + signum)


def log_name(build_id: str) -> str:
    return f"{build_id}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}.log"


class BuildLog:
    """Send file descriptor 2 (inherited by every child process) and the logging module to the build's log.

    Python's own ``sys.stderr`` keeps pointing at the terminal, for the lines meant for the user. A build into
    an object store logs to a local temporary file and copies it to ``OUT/.logs`` at the end.
    """

    def __init__(self, out: str, build_id: str):
        self.out = str(out)
        name = log_name(build_id)
        self.target = storage.join(self.out, ".logs", name)
        self.path = self.target if not storage.is_url(self.out) else os.path.join(tempfile.gettempdir(), name)
        # set one by one while entering; a signal can stop that half-way, and leaving undoes what was set
        self._saved_fd: int | None = None
        self.file: Any = None
        self.terminal: Any = None
        self._drain: threading.Thread | None = None
        self._old_stderr: Any = None
        self.handler: logging.Handler | None = None
        self._old_handlers: list[logging.Handler] | None = None
        self._old_level = logging.NOTSET
        self._old_excepthook: Any = None

    @property
    def shown_path(self) -> str:
        return self.target

    def __enter__(self) -> BuildLog:
        try:
            self._enter()
        except BaseException:  # a signal (or a failure) half-way: put back what was set before it goes on
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _enter(self) -> None:
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self.file = open(self.path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - closed in __exit__
        except OSError as exc:
            from reasonry.errors import ConfigError

            raise ConfigError(f"cannot write to output folder {self.out!r}: {exc.strerror or exc}",
                              path="--out") from None
        sys.stderr.flush()
        self._saved_fd = os.dup(2)
        self.terminal = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
        # fd 2 becomes a pipe drained into the log by a thread here, not the log file itself: a child whose
        # stderr write fails (the log's disk is full) stalled Beam's workers, a pipe never fails them
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
        drain = threading.Thread(target=self._copy_to_log, args=(read_end,), name="stderr-to-log", daemon=True)
        drain.start()
        self._drain = drain  # only a started thread can be joined on the way out
        self._old_stderr = sys.stderr
        sys.stderr = self.terminal
        root = logging.getLogger()
        self._old_level, self._old_handlers = root.level, list(root.handlers)
        for handler in self._old_handlers:
            root.removeHandler(handler)
        self.handler = _QuietHandler(self.file)
        self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(self.handler)
        root.setLevel(logging.INFO)
        logging.captureWarnings(True)
        # Beam's threads die with tracebacks when its workers are stopped: those belong in the log too
        self._old_excepthook = threading.excepthook
        threading.excepthook = self._thread_died
        logging.getLogger("reasonry").info("build log of pid %d, argv %s", os.getpid(), sys.argv)

    def _copy_to_log(self, read_end: int) -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while True:
                chunk = pipe.read(65536)
                if not chunk:
                    return
                try:
                    self.file.buffer.write(chunk)
                    self.file.buffer.flush()
                except (OSError, ValueError):
                    pass  # a full disk, or the log already closed: the line on the terminal is what counts

    def _thread_died(self, args) -> None:
        try:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(f"thread {args.thread.name if args.thread else '?'} died:\n")
                fh.write("".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)))
        except OSError:
            pass

    def write_traceback(self, exc: BaseException) -> None:
        try:
            self.file.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
            self.file.flush()
        except OSError:
            pass  # a full disk: the line on the terminal still names the cause

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None and self._old_excepthook is not None:
            # a failed build's threads may still die after this: their tracebacks keep going to the log
            threading.excepthook = self._old_excepthook
        root = logging.getLogger()
        if self.handler is not None:
            root.removeHandler(self.handler)
        if self._old_handlers is not None:
            for handler in self._old_handlers:
                if handler not in root.handlers:
                    root.addHandler(handler)
            root.setLevel(self._old_level)
        logging.captureWarnings(False)
        if self._old_stderr is not None:
            sys.stderr = self._old_stderr
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        if self._saved_fd is not None:
            os.dup2(self._saved_fd, 2)  # closes this process's end of the pipe: the drain sees its end
            os.close(self._saved_fd)
            self._saved_fd = None
        if self._drain is not None:
            self._drain.join(timeout=2.0)  # children that outlive the build keep it open; it is a daemon
        if self.terminal is not None:
            self.terminal.close()
        if self.file is None:
            return
        try:
            self.file.close()
        except OSError:
            pass
        if self.path != self.target:
            try:
                storage.write_bytes(self.target, open(self.path, "rb").read())  # noqa: SIM115
            except OSError:
                self.target = self.path


class _QuietHandler(logging.StreamHandler):
    def handleError(self, record) -> None:  # noqa: N802 - logging's naming
        pass  # a log that cannot be written (a full disk) must not print tracebacks on the terminal


_received: list[int] = []  # the signal that stopped this process's build, once one has


def pending_interrupt() -> Interrupted | None:
    """``Interrupted`` for the signal that stopped the build, if one did. Code the signal cut short can end in
    another error than the one raised (an import half-done turned it into a TypeError): whatever a build ends
    in after its signal, it ends as interrupted."""
    return Interrupted(_received[0]) if _received else None


class Signals:
    """SIGINT / SIGTERM during a build: stop every process under this one, then raise ``Interrupted``."""

    def __enter__(self) -> Signals:
        from reasonry.processes import become_subreaper

        become_subreaper()
        self._old = {s: signal.signal(s, self._handle) for s in EXIT_CODES}
        return self

    def _handle(self, signum, _frame) -> None:
        from reasonry.processes import stop_descendants

        for s in EXIT_CODES:  # a second Ctrl-C while stopping changes nothing
            signal.signal(s, signal.SIG_IGN)
        _received.append(signum)
        stopped = stop_descendants()
        # info: before the build log is set up nothing may reach the terminal but the one line
        logging.getLogger("reasonry").info("%s: stopped %d processes", signal.Signals(signum).name, stopped)
        raise Interrupted(signum)

    def __exit__(self, *exc) -> None:
        for s, handler in self._old.items():
            signal.signal(s, handler)


def describe_failure(exc: BaseException) -> str:
    """The cause of a failure in one line: an OS error anywhere in the chain (a full disk), else the last
    exception line in the message (Beam wraps worker errors in a text of their traceback), else the first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno is not None:
            where = f": {current.filename}" if current.filename else ""
            return f"{current.strerror or current}{where}"
        current = current.__cause__ or current.__context__
    text = str(exc)
    os_error = _OS_ERROR.findall(text)  # an OS error inside a worker, as Beam passes it on in text
    if os_error:
        return os_error[-1].strip()
    found = [line.strip() for line in text.splitlines() if _EXCEPTION_LINE.match(line.strip())]
    if found:
        line = found[-1]
    else:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return line if len(line) <= 300 else line[:300] + " ..."
