"""The build graph and its driver.

    Create(shard specs) -> Reshuffle -> Generate -> Verify -> DedupAndWrite (by id hash) -> manifest + card

Outputs are written into ``OUT/.staging`` and moved into place only when the whole build has finished, so a
crash leaves the previous build intact and a rerun starts clean and gives the same files.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import apache_beam as beam

from reasonry import storage
from reasonry.capacity import capacity_warnings, crowded_tasks
from reasonry.config import BuildConfig
from reasonry.data_cards.plots import write_plots
from reasonry.data_cards.render import write_card
from reasonry.errors import BuildFailed, ConfigError
from reasonry.fragment_cache import FragmentCache
from reasonry.fragments import family_of, fragment_key
from reasonry.hashing import content_hash
from reasonry.output_lock import OutputLock
from reasonry.pipelines.manifest import build_manifest, write_manifest
from reasonry.pipelines.runner import counters, make_runner, pipeline_options
from reasonry.pipelines.stages import RunStage
from reasonry.pipelines.transforms import NAMESPACE, REJECTS, RUNS, DedupAndWrite, Generate
from reasonry.plan import ShardSpec, plan_shards, shard_cache_keys
from reasonry.stages import STAGES, Kind, load, stages_key

OUTPUT_DIRS = ("records", "sft", "rl", "preference", "preference_steps", "stepwise", "rejects", "assets")
STAGING = ".staging"
CACHE = ".cache/shards"
PLOT_CACHE = ".cache/plots"
ERROR_REASONS = ("error", "verifier_error")


@dataclass
class BuildResult:
    out: Path | str  # a local folder, or the URL of a remote one
    manifest: dict
    seconds: float

    @property
    def tasks(self) -> dict:
        return self.manifest["tasks"]


def check_writable(out: str) -> None:
    import os

    probe = storage.join(out, f".write-probe-{os.getpid()}")
    try:
        storage.write_bytes(probe, b"ok")
        storage.remove(probe)
    except (OSError, ImportError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigError(f"cannot write to output folder {out!r}: {reason}", path="--out") from None


def build_graph(p: beam.Pipeline, config: BuildConfig, specs: list[ShardSpec], root: str,
                progress_dir: str | None = None, cache_dir: str | None = None, reuse: Reuse | None = None):
    """Generated tasks, then every stage of ``reasonry.stages.STAGES`` the config runs, in its order::

        generated tasks ----------------------------+
        web Q&A source -> dedup (exact, MinHash) --+-> decontaminate -> [model-written Prolog prototypes]
                                                   -> [sample + self-consistency] -> dedup by id and write

    Near-duplicate removal runs on web text only: the symbolic sources are deduplicated exactly by id, and
    their templated prompts and programs share most n-grams by construction. ``reuse`` (from ``plan_reuse``)
    names the tasks whose output fragments come from the cache: their shards are left out of ``specs``.
    """

    reuse = reuse or Reuse(specs, [], {})
    generated, sources, rejects = [], [], []
    if specs:
        out = (
            p
            | "ShardSpecs" >> beam.Create(specs)
            | "Reshuffle" >> beam.Reshuffle()
            | "GenerateAndVerify" >> Generate(config, progress_dir, cache_dir)
        )
        generated.append(out.records)
        rejects.append(out[REJECTS])
    records = None  # every source's records in one stream, from the first batch stage on
    for stage in STAGES:
        settings = stage.settings(config)
        if stage.kind is Kind.SOURCE:
            if settings is not None:
                out = p | stage.label >> load(stage.logic)(settings, storage.join(root, RUNS, stage.name))
                sources.append(out["records"])
                rejects.append(out["rejects"])
        elif stage.kind is Kind.ON_SOURCES:
            if sources:
                own = sources[0] if len(sources) == 1 else tuple(sources) | f"{stage.label}Sources" >> beam.Flatten()
                out = own | stage.label >> load(stage.logic)(settings or stage.config_class()(),
                                                             storage.join(root, RUNS, stage.name))
                sources = [out["records"]]
                rejects.append(out["rejects"])
        elif settings is not None:
            if records is None:
                records = _all_sources(p, generated + sources)
            out = records | stage.label >> RunStage(stage.name, settings, config.build.seed)
            if stage.kind is Kind.ADD:
                records = (records, out.records) | f"With{stage.name.capitalize()}" >> beam.Flatten()
            else:
                records = out.records
            rejects.append(out[REJECTS])
    if records is None:
        records = _all_sources(p, generated + sources)
    if not rejects:
        rejects.append(p | "NoRejects" >> beam.Create([]))
    all_rejects = tuple(rejects) | "AllRejects" >> beam.Flatten()

    fragment_dir = _fragment_dir(cache_dir) if cache_dir else None
    return (records, all_rejects) | "DedupAndWrite" >> DedupAndWrite(
        root, config.build.output_shards, config.build.exports, fragment_dir, reuse.task_keys, reuse.cached,
        progress_dir, crowded_tasks(config))


def _all_sources(p: beam.Pipeline, batches: list):
    if not batches:  # every task's output is reused
        return p | "NoRecords" >> beam.Create([])
    return batches[0] if len(batches) == 1 else tuple(batches) | "AllSources" >> beam.Flatten()


@dataclass
class Reuse:
    """What a build computes and what it takes whole from the fragment cache."""

    specs: list[ShardSpec]  # the shards to run
    cached: list  # ((family, output shard), (task, (fragment key, output shard))) of reused tasks
    task_keys: dict[str, str]  # fragment key of every task whose fragments may be cached
    reused_specs: list[ShardSpec] = field(default_factory=list)


def _fragment_dir(cache_dir: str) -> str:
    return storage.join(storage.parent(cache_dir), "fragments")


def _stages_key(config: BuildConfig) -> str | None:
    """What the stages between generation and writing do to a task's records (each stage of
    ``reasonry.stages.STAGES`` declares it); None: fragments are never reused."""

    parts = stages_key(config)
    if parts is None:
        return None
    return content_hash(["stages", parts or None])


def plan_reuse(config: BuildConfig, specs: list[ShardSpec], cache_dir: str | None) -> Reuse:
    """Leave out every task whose fragments a previous build with the same shards and stages left complete."""

    stages = _stages_key(config) if cache_dir else None
    if stages is None or cache_dir is None:
        return Reuse(specs, [], {})
    keys = shard_cache_keys(config, specs)
    by_task: dict[str, list[ShardSpec]] = {}
    for spec in specs:
        by_task.setdefault(spec.task, []).append(spec)
    task_keys = {task: fragment_key(task, [keys[s] for s in task_specs], config.build.output_shards,
                                    config.build.exports, stages) for task, task_specs in by_task.items()}
    cache = FragmentCache(_fragment_dir(cache_dir))
    run, cached, reused = [], [], []
    for task, task_specs in by_task.items():
        shards = cache.shards(task_keys[task])
        if shards is None:
            run += task_specs
            continue
        cached += [((family_of(task), s), (task, (task_keys[task], s))) for s in shards]
        reused += task_specs
    return Reuse(run, cached, task_keys, reused)


def _mark_reused(progress_dir: str, specs: list[ShardSpec]) -> None:
    """Progress markers for the shards of reused tasks, as their workers would have written them (one file:
    a thousand small writes cost more than the rest of a rebuild's start)."""
    if specs:
        storage.write_bytes(storage.join(progress_dir, "reused-tasks.json"), json.dumps(
            [{"shard": s.key(), "task": s.task, "items": s.size, "reused": True, "seconds": 0.0}
             for s in specs]).encode())


def _seal(cache_dir: str, reuse: Reuse) -> None:
    cache = FragmentCache(_fragment_dir(cache_dir))
    for task in sorted({s.task for s in reuse.specs}):
        if task in reuse.task_keys:
            cache.seal(reuse.task_keys[task], task)


def _run_pipeline(config: BuildConfig, specs: list[ShardSpec], staging: str, progress_dir: str,
                  cache_dir: str | None, beam_args: tuple[str, ...], reuse: Reuse | None = None) -> dict[str, int]:
    options = pipeline_options(config.runner, beam_args)
    runner = make_runner(config.runner)
    p = beam.Pipeline(runner=runner, options=options) if runner else beam.Pipeline(options=options)
    build_graph(p, config, specs, staging, progress_dir, cache_dir, reuse)
    result = p.run()
    result.wait_until_finish()
    return counters(result, NAMESPACE)


def _install(staging: str, out: str) -> None:
    """Move the finished build into place, replacing the previous one's files."""
    for name in (*OUTPUT_DIRS, "manifest.json", "README.md"):
        target = storage.join(out, name)
        storage.remove(target)
        source = storage.join(staging, name)
        if storage.exists(source):
            storage.move(source, target)
    storage.remove(staging)


def run_build(config: BuildConfig, out: str | Path, *, beam_args: tuple[str, ...] = (),
              on_progress: Callable[[int, int, int], None] | None = None, use_cache: bool = True,
              on_warning: Callable[[str], None] | None = None) -> BuildResult:
    """Run the whole build into ``out``. ``on_progress(items_done, shards_done, items_total)`` is polled;
    ``on_warning(line)`` gets each warning (a discarded cache entry, a request above a task's capacity).

    With ``use_cache`` (the default) finished shards are kept in ``OUT/.cache/shards``: a rebuild reuses every
    shard whose task, generator version, options, seed and index range are unchanged, and a killed build
    resumes where it stopped. ``use_cache=False`` clears that cache first.

    One build at a time holds ``out`` (``OutputLock``): a second fails at once naming the holder, so nothing
    here ever touches files of another running build. A build that fails or is interrupted removes its
    ``.staging``; the shard cache stays, and the next run (``--resume`` or not) starts from it.
    """

    out = str(out)
    check_writable(out)
    warn = on_warning or _log_warning
    with OutputLock(out) as lock:
        staging = storage.join(out, STAGING)
        try:
            return _locked_build(config, out, staging, lock, beam_args, on_progress, use_cache, warn)
        except BaseException:
            storage.remove(staging)  # whatever failed, a half-staged build is of no use to anyone
            raise


def _log_warning(line: str) -> None:
    import logging

    logging.getLogger("reasonry").warning(line)


def _locked_build(config: BuildConfig, out: str, staging: str, lock, beam_args: tuple[str, ...],
                  on_progress, use_cache: bool, warn: Callable[[str], None]) -> BuildResult:

    for line in capacity_warnings(config):
        warn(line)
    progress_dir = storage.join(staging, ".progress")
    cache_dir = storage.join(out, CACHE)
    if not use_cache:
        storage.remove(cache_dir)
        storage.remove(_fragment_dir(cache_dir))
    specs = plan_shards(config)
    total = sum(s.size for s in specs)
    started = time.time()
    # A cached fragment found unusable while writing is discarded and its task built again from the shard
    # cache; a second run never meets the same entry, so one retry is enough.
    for attempt in (1, 2):
        storage.remove(staging)  # left by a dead build: the lock is ours
        storage.makedirs(progress_dir)
        reuse = plan_reuse(config, specs, cache_dir)
        _mark_reused(progress_dir, reuse.reused_specs)
        counters = _watch_pipeline(config, reuse, staging, progress_dir, cache_dir, beam_args, on_progress, total,
                                   lock)
        for line in _cache_problems(progress_dir):
            warn(line)
        unusable = _unusable_fragments(progress_dir)
        if not unusable:
            break

        cache = FragmentCache(_fragment_dir(cache_dir))
        for task, problem, key in unusable:
            warn(f"{problem}; building {task} again from the shard cache")
            cache.discard(key)
        if attempt == 2:
            raise BuildFailed("cached fragments were unusable twice in a row: "
                              + ", ".join(sorted({u[0] for u in unusable})))
    seconds = time.time() - started
    manifest = finalize_build(config, out, seconds=seconds, planned_items=total, shards=len(specs),
                              counters=counters)
    _seal(cache_dir, reuse)  # only a build whose every item is accounted for lends its fragments to the next
    return BuildResult(out if storage.is_url(out) else Path(out), manifest, seconds)


def _watch_pipeline(config, reuse: Reuse, staging: str, progress_dir: str, cache_dir: str,
                    beam_args: tuple[str, ...], on_progress, total: int, lock) -> dict[str, int]:
    """Run the pipeline in a thread and poll its progress from this one (which also receives signals)."""
    errors: list[BaseException] = []
    counters: dict[str, int] = {}

    def target():
        try:
            counters.update(_run_pipeline(config, reuse.specs, staging, progress_dir, cache_dir, beam_args, reuse))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    seen: dict[str, list[dict]] = {}
    worker = threading.Thread(target=target, name="beam-pipeline", daemon=True)
    worker.start()
    poll = 2.0 if storage.is_url(staging) else 1.0  # each poll lists every shard marker: a thousand files
    while worker.is_alive():
        worker.join(timeout=poll)
        lock.refresh()
        if on_progress:
            on_progress(*_progress(progress_dir, seen), total)
    if errors:
        raise errors[0]
    if on_progress:
        on_progress(*_progress(progress_dir, seen), total)
    return counters


def _cache_problems(progress_dir: str) -> list[str]:
    """Shard cache entries the workers found unusable (and recomputed), one line each."""
    return sorted(m["cache_problem"] for m in _markers(progress_dir) if m.get("cache_problem"))


def _unusable_fragments(progress_dir: str) -> list[tuple[str, str, str]]:
    """(task, problem, fragment key) of every cached fragment the writers could not use."""
    found = []
    for path in storage.glob(progress_dir, "fragments/*.json"):
        bad = json.loads(storage.read_bytes(path))
        found.append((bad["task"], bad["problem"], bad["key"]))
    return sorted(set(found))


def staging_root(out: str) -> str:
    return storage.join(str(out), STAGING)


def finalize_build(config: BuildConfig, out: str, *, seconds: float | None = None, planned_items: int | None = None,
                   shards: int | None = None, counters: dict | None = None) -> dict:
    """Turn a finished pipeline's staging folder into the build: manifest, plots, card, then move into place.

    ``reasonry build`` calls this itself; a job submitted without waiting (a Dataflow flex template) is finished
    later with ``reasonry finalize``.
    """

    out = str(out)
    staging = staging_root(out)
    if not storage.exists(staging):
        raise ConfigError(f"nothing to finalize: {staging!r} does not exist", path="--out")
    progress_dir = storage.join(staging, ".progress")
    markers = _markers(progress_dir)
    storage.remove(progress_dir)
    storage.remove(storage.join(staging, RUNS))
    specs = plan_shards(config)
    reused = sorted(m["shard"] for m in markers if m.get("reused"))
    run = {"seconds": round(seconds, 3) if seconds is not None else None, "shards": shards or len(specs),
           "items_planned": planned_items if planned_items is not None else sum(s.size for s in specs),
           "shards_reused": len(reused), "reused": reused,
           "shard_seconds": _task_seconds(markers), "beam_counters": counters or {},
           "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    manifest = build_manifest(staging, config, run)
    histograms = {name: t["pass_rate_histogram"] for name, t in manifest["tasks"].items() if t["pass_rate_histogram"]}
    families = sorted({name.split("/", 1)[0] for name in config.tasks})
    manifest["assets"] = write_plots(staging, families, histograms, storage.join(out, PLOT_CACHE), manifest["tasks"])
    write_manifest(staging, manifest)
    write_card(staging, manifest)
    _check_accounted(config, manifest, staging)
    _install(staging, out)
    _check_failure_rate(config, manifest)
    _check_sampling_kept(config, counters or {})
    return manifest


def _check_sampling_kept(config: BuildConfig, counters: dict) -> None:
    """A sampling build that keeps nothing warns; under ``stages.sampling.min_kept_fraction`` it fails."""
    sampling = config.stage("sampling")
    if sampling is not None and sampling.enabled:
        # lazy: the model client needs httpx, which only the llm extra installs
        from reasonry.generators.llm.stage import check_kept

        check_kept(sampling, counters)


def _check_accounted(config: BuildConfig, manifest: dict, staging: str) -> None:
    """Every planned item must be in the output or in rejects/, exactly once, shard by shard.

    Per task totals are not enough: a shard's items counted twice (a cache entry stored under another shard's
    name, two builds writing one folder) hide as many lost ones. Items are placed in their planned shard by
    (split, bucket, index); the message names each shard that has items missing or in excess. The previous
    build stays in place and nothing is sealed for reuse.
    """
    problems = _shard_accounting(config, staging)
    lost = {name: t["planned"] - t["kept"] - sum(t["dropped"].values())
            for name, t in manifest["tasks"].items() if name in config.tasks}
    lost = {name: n for name, n in lost.items() if n > 0}
    if not problems and not lost:
        return
    missing = _listed([f"{key} ({-n} missing)" for key, n in problems if n < 0])
    extra = _listed([f"{key} ({n} too many)" for key, n in problems if n > 0])
    parts = []
    if missing or lost:
        count = sum(-n for _k, n in problems if n < 0) or sum(lost.values())
        listed = missing if missing else ", ".join(f"{name} ({n})" for name, n in sorted(lost.items()))
        parts.append(f"{count} planned items reached neither the output nor rejects/: {listed}")
    if extra:
        parts.append("items counted more than once (a cache entry or a file that belongs to another shard, or "
                     "another writer in this folder): " + extra)
    raise BuildFailed(". ".join(parts) + ". The previous build is untouched; run the build again: finished "
                      "shards come from the cache.")


def _listed(items: list[str], limit: int = 12) -> str:
    more = f" and {len(items) - limit} more shards" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _shard_accounting(config: BuildConfig, staging: str) -> list[tuple[str, int]]:
    """(shard key, found - planned) of every planned shard whose items are not each there exactly once."""
    import polars as pl

    specs = plan_shards(config)
    if not specs:
        return []
    tasks = sorted(config.tasks)
    # a task's shards all have one size (a bucket's last may be shorter): an index's shard starts at
    # index // size * size
    size = {s.task: max(x.size for x in specs if x.task == s.task) for s in specs}
    # a reject that names no item (none of the generated tasks' rejects) cannot be placed: such a task is
    # checked by its total only
    unplaced: set[str] = set()
    counts: dict[tuple, int] = {}

    def count(items: pl.DataFrame) -> None:
        # one row group at a time, keeping the count of each shard only: memory does not grow with the build
        items = items.filter(pl.col("task").is_in(tasks))
        unplaced.update(items.filter(pl.col("index").is_null())["task"].to_list())
        size_of = pl.col("task").replace_strict(size, return_dtype=pl.Int64)
        items = items.filter(pl.col("index").is_not_null()).with_columns(
            (pl.col("index") // size_of * size_of).alias("start"))
        for task, split, bucket, start, n in items.group_by("task", "split", "length_bucket",
                                                            "start").len().iter_rows():
            key = (task, split, bucket, start)
            counts[key] = counts.get(key, 0) + n

    for piece in storage.parquet_pieces(
            storage.glob(staging, "records/*/*.parquet"), ["task", "split", "length_bucket", "provenance"],
            lambda f: f.select("task", "split", "length_bucket",
                               pl.col("provenance").str.json_path_match("$.index").cast(pl.Int64).alias("index"))):
        count(piece)
    for piece in storage.parquet_pieces(storage.glob(staging, "rejects/*/*.parquet"),
                                        ["task", "split", "length_bucket", "index"]):
        count(piece.select("task", "split", "length_bucket", pl.col("index").cast(pl.Int64)))
    counts = {key: n for key, n in counts.items() if key[0] not in unplaced}
    problems = []
    planned_keys = set()
    for spec in specs:
        if spec.task in unplaced:
            continue
        key = (spec.task, spec.split, spec.bucket, spec.start)
        planned_keys.add(key)
        diff = counts.get(key, 0) - spec.size
        if diff:
            problems.append((spec.key(), diff))
    for key, n in counts.items():
        if key not in planned_keys:
            problems.append((f"{key[0]}|{key[1]}|{key[2] or 'all'}|from {key[3]} (not planned)", n))
    return sorted(problems)


def _markers(progress_dir: str, seen: dict[str, list[dict]] | None = None) -> list[dict]:
    """Every shard marker; ``seen`` keeps those already read (a marker never changes once written), so
    polling a build of a thousand shards does not read a thousand files each time."""
    seen = {} if seen is None else seen
    for marker in storage.glob(progress_dir, "*.json"):
        if marker in seen:
            continue
        try:
            found = json.loads(storage.read_bytes(marker))
        except (OSError, ValueError):
            continue  # a marker being written right now
        seen[marker] = found if isinstance(found, list) else [found]
    return [m for markers in seen.values() for m in markers]


def _progress(progress_dir: str, seen: dict[str, list[dict]]) -> tuple[int, int]:
    markers = _markers(progress_dir, seen)
    return sum(m.get("items", 0) for m in markers), len(markers)


def _task_seconds(markers: list[dict]) -> dict[str, float]:
    seconds: dict[str, float] = {}
    for m in markers:
        seconds[m["task"]] = round(seconds.get(m["task"], 0.0) + m.get("seconds", 0.0), 3)
    return dict(sorted(seconds.items()))


def _check_failure_rate(config: BuildConfig, manifest: dict) -> None:
    planned = sum(t["planned"] for t in manifest["tasks"].values()) or 1
    failed = sum(n for t in manifest["tasks"].values() for r, n in t["dropped"].items() if r in ERROR_REASONS)
    rate = failed / planned
    if rate > config.build.max_failure_rate:
        raise BuildFailed(f"{failed} of {planned} items failed with an error ({rate:.2%} > "
                          f"build.max_failure_rate {config.build.max_failure_rate:.2%}); outputs and rejects are "
                          f"written, see rejects/ for the errors")
