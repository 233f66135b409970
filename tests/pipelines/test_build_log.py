"""``BuildLog`` stopped half-way while it is set up (a signal lands between two of its steps): whatever it
had already changed is put back, so the one line a user is owed still reaches the terminal."""

from __future__ import annotations

import logging
import os
import sys
import threading

import pytest

from reasonry.pipelines import build_session
from reasonry.pipelines.build_session import BuildLog

# each step of entering, by what it calls: a KeyboardInterrupt raised there stands for a signal landing there
STEPS = [("os.pipe", os, "pipe"), ("os.dup2", os, "dup2"), ("Thread.start", threading.Thread, "start"),
         ("addHandler", logging.Logger, "addHandler"), ("captureWarnings", logging, "captureWarnings"),
         ("info", logging.Logger, "info")]


def _fd2():
    stat = os.fstat(2)
    return stat.st_dev, stat.st_ino


@pytest.mark.parametrize("name,owner,attr", STEPS, ids=[s[0] for s in STEPS])
def test_a_signal_while_entering_leaves_stderr_and_logging_as_they_were(tmp_path, monkeypatch, name, owner, attr):
    real = getattr(owner, attr)
    calls = []

    def interrupted(*args, **kwargs):
        # once: the build's signal handler ignores further signals while it stops everything
        if calls or (owner is logging.Logger and getattr(args[0], "name", None) not in ("root", "reasonry")):
            return real(*args, **kwargs)
        calls.append(1)
        raise KeyboardInterrupt

    before = (_fd2(), sys.stderr, list(logging.getLogger().handlers), logging.getLogger().level)
    monkeypatch.setattr(owner, attr, interrupted)
    with pytest.raises(KeyboardInterrupt):
        with BuildLog(str(tmp_path / "out"), "b"):
            pass
    monkeypatch.setattr(owner, attr, real)
    assert calls, f"{name} was never reached: the test injected nothing"
    assert (_fd2(), sys.stderr, list(logging.getLogger().handlers), logging.getLogger().level) == before
    assert build_session.threading.excepthook is not None


def test_a_whole_entry_redirects_and_restores(tmp_path):
    before = (_fd2(), sys.stderr, list(logging.getLogger().handlers))
    with BuildLog(str(tmp_path / "out"), "b") as log:
        assert _fd2() != before[0] and sys.stderr is not before[1]
        os.write(2, b"from a child's point of view\n")
    assert (_fd2(), sys.stderr, list(logging.getLogger().handlers)) == before
    assert "from a child's point of view" in open(log.path, encoding="utf-8").read()


def test_a_signal_that_surfaces_as_another_error_still_ends_as_interrupted(tmp_path):
    """A SIGTERM landing inside an import came out of it as a TypeError once (the import machinery made a new
    exception from ours): the build must still end as interrupted, exit code 143 and the one line, not as an
    error with code 1. Run in a process of its own: the signal handler stops every process under its own."""
    import subprocess

    script = (
        "import os, signal, sys, time\n"
        "from reasonry.pipelines import cli\n"
        "def cut_short(args):\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        time.sleep(5)\n"
        "    except KeyboardInterrupt:\n"
        "        raise TypeError('expected a message argument') from None\n"
        "cli._build = cut_short\n"
        "sys.exit(cli.main(['build', 'any.yaml']))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (143, "reasonry: interrupted\n")
