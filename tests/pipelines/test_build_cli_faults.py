"""``reasonry build`` under faults, run as a user runs it: a real process, real signals, a real full disk.

Each case ends in one line on stderr and an exit code; none leaves a process behind (this test process makes
itself a child subreaper, so anything the build leaves orphaned would be re-parented here and show up).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from reasonry.processes import become_subreaper, descendants, reap

ROOT = Path(__file__).resolve().parents[2]
# engines in worker processes as well: a Prolog pool (swipl) and the planner (Fast Downward)
CONFIG = {"build": {"name": "faults", "seed": 7, "shard_size": 10, "output_shards": 2},
          "runner": {"workers": 2},
          "tasks": {"tail/addition": {"train": {"S": 40}},
                    "prolog/nqueens/solve": {"train": {"all": 2}},
                    "pddl/blocksworld/plan_generation": {"train": {"all": 1}}}}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and not p.relative_to(root).parts[0].startswith(".")}


class Build:
    """``reasonry build`` in a child process; its stdout lines are collected as they come."""

    def __init__(self, config: Path, out: Path, *extra: str):
        self.out = out
        self.proc = subprocess.Popen([sys.executable, "-m", "reasonry.pipelines.cli", "build", str(config),
                                      "--out", str(out), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, cwd=ROOT)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True)
        self.reader.start()

    def wait_for(self, condition, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.proc.poll() is None, f"the build ended first: {self.proc.stderr.read()}"
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.02)

    def finish(self, timeout: float = 180.0) -> tuple[int, str]:
        err = self.proc.stderr.read()
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code, err


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    assert become_subreaper()
    root = tmp_path_factory.mktemp("faults")
    config = root / "faults.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    clean = Build(config, root / "clean")
    code, err = clean.finish()
    assert code == 0 and err == "", err
    yield config, root / "clean"
    reap()
    become_subreaper(False)  # the tests after these expect orphans to go to init, as usual


def _no_processes_left(before: set[int]) -> None:
    """No process the build started outlives it. ``before``: this test process's own children from earlier
    tests in the session (a Prolog pool, math workers), which are not the build's."""
    time.sleep(0.2)
    reap()
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:80] for pid in set(descendants()) - before
            if Path(f"/proc/{pid}/cmdline").exists()}
    assert left == {}


def _progress(build: Build) -> int:
    """Items done by the last progress line (the plain printer prints every 10%)."""
    done = [int(line.split()[1].split("/")[0]) for line in list(build.lines) if line.startswith("progress:")]
    return done[-1] if done else 0


POINTS = {
    "starting": lambda b: (b.out / ".logs").exists(),  # while Beam loads and the pipeline starts
    "generating": lambda b: 0 < _progress(b) < 43,
    "writing": lambda b: (b.out / ".staging" / "records").exists(),
}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("point", list(POINTS))
def test_a_signal_stops_everything_in_one_line_and_resume_finishes_the_build(setup, tmp_path, point, signum):
    config, clean = setup
    out = tmp_path / "out"
    before = set(descendants())
    build = Build(config, out)
    build.wait_for(lambda: POINTS[point](build))
    build.proc.send_signal(signum)
    code, err = build.finish()
    assert code == {signal.SIGINT: 130, signal.SIGTERM: 143}[signum]
    assert err == "reasonry: interrupted\n"
    _no_processes_left(before)
    # the interrupted build removed its staging and its lock; its finished shards are in the cache
    assert not (out / ".staging").exists() and not (out / ".lock").exists()
    if point != "starting":
        resumed = Build(config, out, "--resume")
        code, err = resumed.finish()
        assert code == 0 and err == "", err
        assert _files(out) == _files(clean)
        _no_processes_left(before)


def test_a_second_build_into_a_busy_folder_fails_at_once_and_the_first_is_intact(setup, tmp_path):
    config, clean = setup
    out = tmp_path / "out"
    before = set(descendants())
    first = Build(config, out)
    first.wait_for(lambda: (out / ".staging").exists())
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({**CONFIG, "build": {**CONFIG["build"], "seed": 8}}))
    started = time.monotonic()
    second = Build(other, out)
    code, err = second.finish()
    assert code == 1 and time.monotonic() - started < 30
    assert err.count("\n") == 1 and f"in use by pid {first.proc.pid} on host " in err, err
    assert first.finish()[0] == 0
    assert _files(out) == _files(clean)
    _no_processes_left(before)


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_a_full_disk_ends_in_one_line_naming_the_cause_and_the_log(setup, tmp_path, monkeypatch, capsys):
    """On a real 160 KiB tmpfs where this test may mount one; elsewhere ENOSPC is raised by the storage layer
    of the build's own process (the driver writing the manifest), and the CLI runs in this process."""
    config, _clean = setup
    disk = tmp_path / "disk"
    before = set(descendants())
    if _mount_tmpfs(disk, "160k"):
        try:
            build = Build(config, disk / "out")
            code, err = build.finish()
            staged = (disk / "out" / ".staging").exists()
            logs = sorted((disk / "out" / ".logs").glob("*.log"))
        finally:
            subprocess.run(["umount", str(disk)], check=True)
        _no_processes_left(before)
    else:
        import errno

        from reasonry import storage
        from reasonry.pipelines.cli import main

        real = storage.write_bytes

        def full(path, data):
            if str(path).endswith("manifest.json"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            real(path, data)

        monkeypatch.setattr(storage, "write_bytes", full)
        code = main(["build", str(config), "--out", str(disk / "out")])
        err = capsys.readouterr().err
        staged = (disk / "out" / ".staging").exists()
        logs = sorted((disk / "out" / ".logs").glob("*.log"))
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("reasonry: error: No space left on device"), err
    assert "(full log: " in err and str(disk / "out" / ".logs") in err
    assert not staged
    assert len(logs) <= 1  # a disk too full for the log file still gets the line


def test_a_plugin_that_raises_on_import_is_one_line(tmp_path, capsys):
    from reasonry.pipelines.cli import main

    config = tmp_path / "broken.yaml"
    config.write_text(yaml.safe_dump({"build": {"plugins": ["tests.plugins.broken"]},
                                      "tasks": {"tail/addition": {"train": {"S": 1}}}}))
    assert main(["build", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == ("reasonry: error: " + str(config) + ": build.plugins: plugin 'tests.plugins.broken' failed "
                   "while importing: RuntimeError: this plugin cannot start\n")
    assert not (tmp_path / "out").exists()
