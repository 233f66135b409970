"""The build graph and its driver.

    Create(shard specs) -> Reshuffle -> Generate -> Verify -> DedupAndWrite (by id hash) -> manifest + card

Outputs are written into ``OUT/.staging`` and moved into place only when the whole build has finished, so a
crash leaves the previous build intact and a rerun starts clean and gives the same files.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import apache_beam as beam
from reasonry.pipelines.manifest import build_id, build_manifest, write_manifest
from reasonry.pipelines.runner import make_runner, pipeline_options
from reasonry.pipelines.transforms import REJECTS, DedupAndWrite, Generate, Verify

from reasonry.config import BuildConfig
from reasonry.errors import BuildFailed, ConfigError
from reasonry.plan import ShardSpec, plan_shards

OUTPUT_DIRS = ("records", "sft", "rl", "preference", "stepwise", "rejects")
STAGING = ".staging"
ERROR_REASONS = ("error", "verifier_error")


@dataclass
class BuildResult:
    out: Path
    manifest: dict
    seconds: float

    @property
    def tasks(self) -> dict:
        return self.manifest["tasks"]


def check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"cannot write to output folder {str(out)!r}: {exc.strerror or exc}", path="--out") from None


def build_graph(p: beam.Pipeline, config: BuildConfig, specs: list[ShardSpec], root: str,
                progress_dir: str | None = None):
    generated = (
        p
        | "ShardSpecs" >> beam.Create(specs)
        | "Reshuffle" >> beam.Reshuffle()
        | "Generate" >> Generate(config, build_id(config), progress_dir)
    )
    verified = generated.records | "Verify" >> Verify(config.build.plugins)
    rejects = (generated[REJECTS], verified[REJECTS]) | "AllRejects" >> beam.Flatten()
    return (verified.records, rejects) | "DedupAndWrite" >> DedupAndWrite(root, config.build.output_shards,
                                                                          config.build.exports)


def _run_pipeline(config: BuildConfig, specs: list[ShardSpec], staging: Path, progress_dir: Path,
                  beam_args: tuple[str, ...]) -> None:
    options = pipeline_options(config.runner, beam_args)
    runner = make_runner(config.runner)
    p = beam.Pipeline(runner=runner, options=options) if runner else beam.Pipeline(options=options)
    build_graph(p, config, specs, str(staging), str(progress_dir))
    result = p.run()
    result.wait_until_finish()


def _install(staging: Path, out: Path) -> None:
    """Move the finished build into place, replacing the previous one's files."""
    for name in (*OUTPUT_DIRS, "manifest.json", "README.md"):
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        source = staging / name
        if source.exists():
            source.rename(target)
    shutil.rmtree(staging, ignore_errors=True)


def run_build(config: BuildConfig, out: str | Path, *, beam_args: tuple[str, ...] = (),
              on_progress: Callable[[int, int, int], None] | None = None) -> BuildResult:
    """Run the whole build into ``out``. ``on_progress(items_done, shards_done, items_total)`` is polled."""
    from reasonry.data_cards.render import write_card

    out = Path(out)
    check_writable(out)
    if not config.tasks:
        raise ConfigError("the config selects no tasks", path="tasks")
    staging = out / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    progress_dir = staging / ".progress"
    progress_dir.mkdir(parents=True)
    specs = plan_shards(config)
    total = sum(s.size for s in specs)
    started = time.time()
    errors: list[BaseException] = []

    def target():
        try:
            _run_pipeline(config, specs, staging, progress_dir, beam_args)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    worker = threading.Thread(target=target, name="beam-pipeline", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(timeout=0.5)
        if on_progress:
            on_progress(*_progress(progress_dir), total)
    if errors:
        raise errors[0]
    if on_progress:
        on_progress(*_progress(progress_dir), total)
    seconds = time.time() - started
    shutil.rmtree(progress_dir, ignore_errors=True)
    run = {"seconds": round(seconds, 3), "shards": len(specs), "items_planned": total,
           "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    manifest = build_manifest(staging, config, run)
    write_manifest(staging, manifest)
    write_card(staging, manifest)
    _install(staging, out)
    _check_failure_rate(config, manifest)
    return BuildResult(out, manifest, seconds)


def _progress(progress_dir: Path) -> tuple[int, int]:
    import json

    done = shards = 0
    for marker in progress_dir.glob("*.json"):
        try:
            done += json.loads(marker.read_text())["items"]
            shards += 1
        except (OSError, ValueError, KeyError):
            continue  # a marker being written right now
    return done, shards


def _check_failure_rate(config: BuildConfig, manifest: dict) -> None:
    planned = sum(t["planned"] for t in manifest["tasks"].values()) or 1
    failed = sum(n for t in manifest["tasks"].values() for r, n in t["dropped"].items() if r in ERROR_REASONS)
    rate = failed / planned
    if rate > config.build.max_failure_rate:
        raise BuildFailed(f"{failed} of {planned} items failed with an error ({rate:.2%} > "
                          f"build.max_failure_rate {config.build.max_failure_rate:.2%}); outputs and rejects are "
                          f"written, see rejects/ for the errors")
