"""Beam transforms of the build: composite PTransforms over the plain functions of each stage.

Elements are whole shards (lists of records), not single items: the local runner costs about 30 us per
element, so one element carries a shard's worth of work.
"""

from __future__ import annotations

import gc
import json
import pickle
import struct
import time
import zlib

import apache_beam as beam
from apache_beam.metrics import Metrics

from reasonry.capacity import crowded_tasks
from reasonry.config import BuildConfig
from reasonry.duplicates import is_block, split_duplicates
from reasonry.errors import BuildFailed
from reasonry.fragment_cache import FragmentCache, FragmentUnusable
from reasonry.fragments import build_fragment, family_of
from reasonry.generators.run import generate_shard
from reasonry.hashing import content_hash, shard_of
from reasonry.pipelines.outputs import write_fragments
from reasonry.pipelines.stages import NAMESPACE, REJECTS, emit
from reasonry.plan import ShardSpec
from reasonry.registry import get_task, load_plugins, shutdown_engines
from reasonry.shard_cache import ShardCache
from reasonry.storage import join, read_range, write_bytes
from reasonry.verifiers.gold import verify_batch


class GenerateShardFn(beam.DoFn):
    """ShardSpec -> one batch of verified records (main) and a list of rejects (tagged ``rejects``).

    Generation and gold verification of a shard run together so that a finished shard can be cached as a
    whole: an incremental or resumed build reuses it without generating or verifying again.
    """

    def __init__(self, config: BuildConfig, progress_dir: str | None = None, cache_dir: str | None = None):
        self.config = config
        self.progress_dir = progress_dir
        self.cache_dir = cache_dir

    def setup(self):
        # Engines (Prolog pools, planners) start here, once per worker, never at import time.
        load_plugins(self.config.build.plugins)
        self.crowded = crowded_tasks(self.config)
        # per task on first use: a rebuild that runs one task imports that task's generator only
        self.task_configs: dict = {}
        self.option_hashes: dict[str, str] = {}
        self.cache = ShardCache(self.cache_dir) if self.cache_dir else None
        self.started: set[str] = set()

    def _start(self, name: str):
        """Start a task's engines the first time this worker computes one of its shards: a rebuild that takes
        every shard of a task from the cache never starts its planner or Prolog pool."""
        task = get_task(name)
        if name not in self.started:
            task.setup()
            self.started.add(name)
        return task

    def teardown(self):
        for name in getattr(self, "started", ()):
            get_task(name).teardown()
        shutdown_engines()
        # The worker usually exits next, and its last garbage collection walks every object generation left
        # behind: that held up the end of each build by about a second. Frozen objects are skipped by it;
        # objects made later are collected as usual.
        gc.freeze()

    def _compute(self, spec: ShardSpec):
        self._start(spec.task)
        records, rejects, _stats = generate_shard(spec, self.task_configs[spec.task], seed=self.config.build.seed,
                                                  options_hash=self.option_hashes[spec.task])
        kept, dropped = verify_batch(records)
        return kept, rejects + dropped

    def process(self, spec: ShardSpec):
        started = time.perf_counter()
        if spec.task not in self.task_configs:
            options = self.config.resolved(spec.task)
            self.task_configs[spec.task], self.option_hashes[spec.task] = options.config, options.hash
        key = spec.cache_key(self.config.build.seed, get_task(spec.task).version, self.option_hashes[spec.task])
        cached, problem = self.cache.lookup(key) if self.cache else (None, None)
        if cached is not None:
            records, rejects = cached
        else:
            records, rejects = self._compute(spec)
            if self.cache:
                self.cache.put(key, records, rejects)
        if spec.task in self.crowded:
            # far more copies than problems: only one of each id leaves the shard, the rest as compact rows
            records, blocks = split_duplicates(records, self.config.build.output_shards)
            rejects = rejects + blocks
        if self.progress_dir:
            # The driver polls these markers to draw progress and lists reused shards in the manifest.
            marker = join(self.progress_dir, f"{content_hash(spec.key(), 8)}.json")
            write_bytes(marker, json.dumps({"shard": spec.key(), "task": spec.task, "items": spec.size,
                                            "kept": len(records), "reused": cached is not None,
                                            "seconds": round(time.perf_counter() - started, 4),
                                            **({"cache_problem": problem} if problem else {})}).encode())
        yield from emit(records, rejects, {"items_planned": spec.size, "items_kept": len(records),
                                           "shards_reused" if cached is not None else "shards_computed": 1})


class VerifyBatchFn(beam.DoFn):
    """Batch -> verified batch; records whose gold answer or trace fails become rejects."""

    def __init__(self, plugins: tuple[str, ...] = ()):
        self.plugins = plugins

    def setup(self):
        load_plugins(self.plugins)

    def teardown(self):
        shutdown_engines()

    def process(self, records: list[dict]):
        kept, rejects = verify_batch(records)
        yield from emit(kept, rejects, {"items_verified": len(kept)})


class Generate(beam.PTransform):
    """ShardSpecs -> verified record batches, with a ``rejects`` side output."""

    def __init__(self, config: BuildConfig, progress_dir: str | None = None, cache_dir: str | None = None):
        super().__init__()
        self.fn = GenerateShardFn(config, progress_dir, cache_dir)

    def expand(self, specs):
        return specs | beam.ParDo(self.fn).with_outputs(REJECTS, main="records")


class Verify(beam.PTransform):
    def __init__(self, plugins: tuple[str, ...] = ()):
        super().__init__()
        self.plugins = plugins

    def expand(self, batches):
        return batches | beam.ParDo(VerifyBatchFn(self.plugins)).with_outputs(REJECTS, main="records")


def _pack(items: list[dict]) -> bytes:
    # Shuffled values travel as one opaque blob: the local runner groups in its own (single) process, and
    # decoding every record there cost more than the whole rest of an incremental rebuild.
    # Traces repeat themselves a lot: a fast compression level shrinks what crosses the runner several times.
    return zlib.compress(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(blob: bytes) -> list[dict]:
    return pickle.loads(zlib.decompress(blob))


def _shard_key(r: dict) -> str:
    """What places a record or reject in an output shard: its id (every record has one; a reject of an item
    that never became a record has none, and is placed by where it came from)."""
    return r.get("id") or "|".join(str(r.get(k)) for k in ("task", "split", "length_bucket", "index", "stage",
                                                            "detail"))


RUNS = ".runs"  # under the output root: the build's transient run files, removed when it is finalized


def _runs(root: str, *parts: str) -> str:
    return join(root, RUNS, *parts)


RECORDS, REJECTED = 0, 1  # what a reference points at: a part of records or a part of rejects
_REF = struct.Struct(">B16sQII")  # kind, run file digest, offset, length, CRC


class SpillPartsFn(beam.DoFn):
    """Records or rejects -> ((task, output shard), reference to their packed part in a run file).

    All copies of an id meet in one (task, output shard) group. The rows go to one run file per input batch,
    named by the hash of its contents (a retried bundle rewrites the same file), and only a 33-byte reference
    (what it holds, file, offset, length, CRC) travels through the shuffle: the local runner groups in memory,
    where rows held made a build's memory grow with its size, and a reference as a tuple of Python objects
    still cost a few hundred bytes each (a build of a million items has over a hundred thousand of them).
    """

    def __init__(self, root: str, shards: int, kind: int = RECORDS):
        self.root, self.shards, self.kind = root, shards, kind

    def process(self, items: list[dict]):
        import hashlib


        groups: dict[tuple[str, int], list[dict]] = {}
        for r in items:
            shard = r["shard"] if is_block(r) else shard_of(_shard_key(r), self.shards)
            groups.setdefault((r["task"], shard), []).append(r)
        blobs = [(key, _pack(group)) for key, group in groups.items()]
        data = b"".join(blob for _, blob in blobs)
        digest = hashlib.blake2b(data, digest_size=16).digest()
        write_bytes(_run_file(self.root, digest), data)
        offset = 0
        for key, blob in blobs:
            yield key, _REF.pack(self.kind, digest, offset, len(blob), zlib.crc32(blob))
            offset += len(blob)


def _run_file(root: str, digest: bytes) -> str:
    name = digest.hex()
    return _runs(root, "parts", name[:2], name)


def ref_kind(ref: bytes) -> int:
    return ref[0]


def _read_part(root: str, ref: bytes) -> list[dict]:
    """The records or rejects of a reference made by ``SpillPartsFn``, checked against its CRC."""

    _kind, digest, offset, length, crc = _REF.unpack(ref)
    path = _run_file(root, digest)
    blob = read_range(path, offset, length)
    if zlib.crc32(blob) != crc:
        raise BuildFailed(f"run file {path} changed while the build was reading it (CRC mismatch at {offset})")
    return _unpack(blob)


class BuildFragmentFn(beam.DoFn):
    """(task, output shard) with the references to every copy of its ids and its rejects -> that task's
    fragment of the file.

    The fragment goes into the fragment cache (tasks with a key in ``task_keys``, for later rebuilds) or into
    the build's run files; either way only its (key, shard) travels on to the writer.
    """

    def __init__(self, root: str, exports: tuple[str, ...], cache_dir: str | None = None,
                 task_keys: dict[str, str] | None = None, crowded: frozenset[str] = frozenset()):
        self.root, self.exports, self.cache_dir, self.task_keys = root, exports, cache_dir, dict(task_keys or {})
        self.crowded = crowded

    def process(self, element):
        (task, shard), refs = element
        refs = list(refs)
        records = [r for ref in refs if ref_kind(ref) == RECORDS for r in _read_part(self.root, ref)]
        rejects = [r for ref in refs if ref_kind(ref) == REJECTED for r in _read_part(self.root, ref)]
        fragment = build_fragment(records, rejects, self.exports, compact=task in self.crowded)
        del records, rejects
        key = self.task_keys.get(task)
        if self.cache_dir and key:
            FragmentCache(self.cache_dir).put(key, shard, fragment)
            yield (family_of(task), shard), (task, (key, shard))
        else:
            key = content_hash([task, shard, zlib.crc32(fragment)])
            FragmentCache(_runs(self.root, "fragments")).put(key, shard, fragment)
            yield (family_of(task), shard), (task, (RUNS, key, shard))


class WriteGroupFn(beam.DoFn):
    """(family, output shard) with its tasks' fragments -> files, one row group at a time.

    A fragment is read from the fragment cache (built now, or a reused task's entry) or from the build's run
    files. A cached fragment that fails its checks (gone, garbled, another entry's) is not written: the group
    is left out and a marker under ``progress_dir/fragments`` names the task, whose fragments the driver then
    discards and builds again from the shard cache.
    """

    def __init__(self, root: str, shards: int, exports: tuple[str, ...], cache_dir: str | None = None,
                 progress_dir: str | None = None):
        self.root, self.shards, self.exports = root, shards, exports
        self.cache_dir, self.progress_dir = cache_dir, progress_dir

    def process(self, element):
        (family, shard), parts = element
        fragments, unusable = [], []
        for task, f in parts:
            if f[0] == RUNS:  # made by this build: a problem with it is the build's own failure
                fragments.append((task, FragmentCache(_runs(self.root, "fragments")).open(*f[1:])))
                continue
            try:
                fragments.append((task, FragmentCache(self.cache_dir).open(*f)))
            except FragmentUnusable as exc:
                if not self.progress_dir:
                    raise
                unusable.append({"task": task, "key": f[0], "shard": f[1], "problem": str(exc)})
        if unusable:
            for bad in unusable:
                write_bytes(join(self.progress_dir, "fragments", f"{content_hash([bad['key'], bad['shard']], 8)}"
                                                                 f".json"), json.dumps(bad).encode())
            return
        written = write_fragments(self.root, family, shard, self.shards, fragments, self.exports)
        Metrics.counter(NAMESPACE, "items_written").inc(sum(n for k, n in written.items()
                                                             if k.startswith("records/")))
        yield written


class DedupAndWrite(beam.PTransform):
    """Group every copy of an id (and every reject) by task and output shard, dedup by id, write Parquet.

    The output shard is a hash of the id, so all copies of an id meet in one group and exact dedup is complete
    without a per-record shuffle. Rows go through the shuffle as references to run files under
    ``root/.runs`` (which ``finalize_build`` removes), and files are written a row group at a time, so memory is
    bounded by a (task, output shard) group and a row group, not by the build. ``cached`` holds
    ((family, shard), (task, (key, shard))) of reused fragments: those tasks' records never enter the pipeline.
    """

    def __init__(self, root: str, shards: int, exports: tuple[str, ...], cache_dir: str | None = None,
                 task_keys: dict[str, str] | None = None, cached: list | None = None,
                 progress_dir: str | None = None, crowded: frozenset[str] = frozenset()):
        super().__init__()
        self.crowded = crowded
        self.root, self.shards, self.exports = root, shards, exports
        self.cache_dir, self.task_keys, self.cached = cache_dir, task_keys, list(cached or [])
        self.progress_dir = progress_dir

    def expand(self, inputs):
        records, rejects = inputs
        shards = self.shards
        keyed = tuple[tuple[str, int], bytes]
        keyed_records = records | "KeyRecords" >> beam.ParDo(
            SpillPartsFn(self.root, shards, RECORDS)).with_output_types(keyed)
        keyed_rejects = rejects | "KeyRejects" >> beam.ParDo(
            SpillPartsFn(self.root, shards, REJECTED)).with_output_types(keyed)
        fragments = (
            (keyed_records, keyed_rejects)
            | "AllParts" >> beam.Flatten()
            | "GroupByTask" >> beam.GroupByKey()
            | "BuildFragments" >> beam.ParDo(BuildFragmentFn(self.root, self.exports, self.cache_dir,
                                                             self.task_keys, self.crowded))
        )
        if self.cached:
            reused = records.pipeline | "ReusedFragments" >> beam.Create(self.cached)
            fragments = (fragments, reused) | "AllFragments" >> beam.Flatten()
        return (
            fragments
            | "GroupByShard" >> beam.GroupByKey()
            | "Write" >> beam.ParDo(WriteGroupFn(self.root, shards, self.exports, self.cache_dir,
                                                 self.progress_dir))
        )
