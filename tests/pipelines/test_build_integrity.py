"""Build integrity: one writer per output, cache entries that check themselves, accounting per shard.

Every test runs the real pipeline (FnApiRunner, multi-processing) into a temporary folder and compares the
result with a clean build of the same config, byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from reasonry.config import load_config
from reasonry.errors import BuildFailed
from reasonry.pipelines.build import run_build

DATA = {"build": {"name": "integrity", "seed": 4, "shard_size": 5, "output_shards": 2},
        "runner": {"workers": 2},
        "tasks": {"tail/addition": {"train": {"S": 10}, "test": {"M": 5}},
                  "tail/division": {"train": {"S": 10}}}}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and not p.relative_to(root).parts[0].startswith(".")}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A clean build, and a copy of its folder (with its caches) for each test to damage."""
    root = tmp_path_factory.mktemp("clean")
    run_build(load_config(data=DATA), root / "out")
    return root / "out"


@pytest.fixture
def built(clean, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    return out


def _rebuild(out: Path):
    warnings: list[str] = []
    result = run_build(load_config(data=DATA), out, on_warning=warnings.append)
    return result, warnings


# --- shard cache -------------------------------------------------------------------------------------------


def test_swapped_garbled_and_truncated_shard_entries_are_recomputed(built, clean):
    shutil.rmtree(built / ".cache/fragments")  # so that the rebuild reads every shard from the shard cache
    entries = sorted((built / ".cache/shards").rglob("*.json.gz"))
    assert len(entries) == 5
    swapped, garbled, truncated = entries[0], entries[1], entries[2]
    shutil.copyfile(entries[3], swapped)  # a valid entry, under another key's name
    blob = bytearray(garbled.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    garbled.write_bytes(bytes(blob))
    truncated.write_bytes(truncated.read_bytes()[:-20])
    result, warnings = _rebuild(built)
    assert len(warnings) == 3, warnings
    assert all("shard cache entry" in w and "recomputing" in w for w in warnings)
    assert any("belongs to key" in w for w in warnings) and sum("checksum" in w for w in warnings) == 2
    assert result.manifest["run"]["beam_counters"]["shards_computed"] == 3
    assert _files(built) == _files(clean)
    # recomputed entries were written again: a further rebuild has nothing to warn about
    shutil.rmtree(built / ".cache/fragments")
    assert _rebuild(built)[1] == []


def test_a_correctly_sealed_entry_of_the_wrong_shard_fails_accounting_naming_both_shards(built, clean):
    """An entry that passes its own checks but holds another shard's items (say a bug that seals the wrong
    content) would hide a loss behind duplicates in per-task totals; per-shard accounting names both."""
    from reasonry.plan import plan_shards, shard_cache_keys
    from reasonry.shard_cache import ShardCache

    config = load_config(data=DATA)
    keys = shard_cache_keys(config, plan_shards(config))
    first, second = [s for s in plan_shards(config) if s.task == "tail/addition" and s.split == "train"]
    cache = ShardCache(built / ".cache/shards")
    cache.put(keys[second], *cache.get(keys[first]))
    shutil.rmtree(built / ".cache/fragments")
    before = _files(built)
    with pytest.raises(BuildFailed) as failed:
        _rebuild(built)
    message = str(failed.value)
    assert f"{second.key()} (5 missing)" in message and f"{first.key()} (5 too many)" in message
    assert "runner lost" not in message
    assert _files(built) == before == _files(clean)  # the previous build stays installed
    assert not (built / ".staging").exists()


# --- fragment cache ----------------------------------------------------------------------------------------


def _fragments(out: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for index in sorted((out / ".cache/fragments").rglob("*.json")):
        found[json.loads(index.read_text())["task"]] = sorted(index.with_suffix("").glob("*.arrow"))
    return found


def test_swapped_garbled_and_truncated_fragments_are_rebuilt(built, clean):
    fragments = _fragments(built)
    a0, a1 = fragments["tail/addition"]
    d0, d1 = fragments["tail/division"]
    blob0, blob1 = a0.read_bytes(), a1.read_bytes()
    a0.write_bytes(blob1)
    a1.write_bytes(blob0)
    blob = bytearray(d0.read_bytes())
    blob[-30] ^= 0xFF
    d0.write_bytes(bytes(blob))
    d1.write_bytes(d1.read_bytes()[: len(d1.read_bytes()) // 2])
    result, warnings = _rebuild(built)
    assert len(warnings) == 4, warnings
    assert sum("tail/addition again" in w for w in warnings) == 2
    assert sum("tail/division again" in w for w in warnings) == 2
    assert sum("belongs to key" in w for w in warnings) == 2 and sum("checksum" in w for w in warnings) == 2
    # both tasks were put together again from the shard cache
    assert result.manifest["run"]["beam_counters"]["shards_reused"] == 5
    assert _files(built) == _files(clean)
    assert _rebuild(built)[1] == []


def test_a_fragment_deleted_mid_build_is_rebuilt(built, clean, monkeypatch):
    """The fragment is there when the build plans to reuse it and gone when the writer reads it."""
    import reasonry.pipelines.build as build

    plan = build.plan_reuse
    victim = _fragments(built)["tail/division"][0]
    calls = []

    def plan_then_delete(*args, **kwargs):
        reuse = plan(*args, **kwargs)
        calls.append(len(reuse.cached))
        if victim.exists():
            victim.unlink()
        return reuse

    monkeypatch.setattr(build, "plan_reuse", plan_then_delete)
    _result, warnings = _rebuild(built)
    assert calls[0] == 4 and calls[1] == 2  # planned whole, then tail/division built again
    assert len(warnings) == 1 and "tail/division" in warnings[0] and "unreadable" in warnings[0]
    assert _files(built) == _files(clean)


# --- one writer per output ---------------------------------------------------------------------------------


def test_a_held_output_refuses_a_second_writer_naming_the_holder(tmp_path):
    from reasonry.output_lock import OutputLock, OutputLocked

    out = tmp_path / "out"
    with OutputLock(str(out)):
        with pytest.raises(OutputLocked) as refused:
            run_build(load_config(data=DATA), out)
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message and socket.gethostname() in message and "started 20" in message
    assert not (out / ".staging").exists() and not (out / "records").exists()


def test_a_stale_lock_of_a_dead_build_is_taken_over(tmp_path):
    from reasonry.output_lock import OutputLock

    out = tmp_path / "out"
    out.mkdir()
    dead = {"host": socket.gethostname(), "pid": 999999999, "started": "2020-01-01T00:00:00Z", "heartbeat": 0}
    (out / ".lock").write_text(json.dumps(dead))  # what a SIGKILLed build leaves (its flock died with it)
    (out / ".staging" / "records").mkdir(parents=True)  # and its half-staged files
    with OutputLock(str(out)) as lock:
        assert lock.holder["pid"] == os.getpid()
    assert not (out / ".lock").exists()


def test_object_store_lock_is_created_if_absent_and_a_dead_holder_is_taken_over():
    """The object-store variant on fsspec's in-memory file system (its exclusive create is the if-absent
    precondition gcsfs and s3fs give)."""
    import fsspec

    from reasonry.output_lock import OutputLock, OutputLocked

    out = "memory://reasonry-lock-test/out"
    first = OutputLock(out).acquire()
    with pytest.raises(OutputLocked, match=f"pid {os.getpid()} on host {socket.gethostname()}"):
        OutputLock(out).acquire()
    first.release()
    fs = fsspec.filesystem("memory")
    fs.pipe("/reasonry-lock-test/out/.lock", json.dumps(
        {"host": socket.gethostname(), "pid": 999999999, "started": "x", "heartbeat": 9e12}).encode())
    taken = OutputLock(out).acquire()
    assert taken.holder["pid"] == os.getpid()
    taken.release()
    assert not fs.exists("/reasonry-lock-test/out/.lock")
