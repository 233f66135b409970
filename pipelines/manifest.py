"""The build manifest: resolved config, versions, commit, and counts read back from the written files.

Counts come from the output files themselves, not from runner metrics, so the manifest is right on any
runner. Everything that may differ between two runs of the same build (timings, dates) sits under ``run``;
the rest of the manifest, and the card rendered from it, are byte-identical across reruns.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import polars as pl

from reasonry import __version__
from reasonry.config import BuildConfig, to_dict
from reasonry.plan import planned_items
from reasonry.registry import get_task
from reasonry.storage import (
    glob,
    join,
    open_read,
    parquet_metadata,
    parquet_pieces,
    relative,
    write_bytes,
)

PACKAGES = ("apache-beam", "pyarrow", "polars", "datasets", "huggingface-hub", "sympy", "math-verify",
            "pyswip", "unified-planning", "up-fast-downward", "datatrove", "trafilatura")


def package_versions() -> dict[str, str]:
    versions = {"reasonry": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the code this process loaded (asked once, so one process never reports two)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."


def _nearest(n: int, q: float) -> int:
    """The index polars' ``quantile(q, "nearest")`` takes among ``n`` sorted values: (n - 1) * q rounded half
    away from zero."""
    at = (n - 1) * q
    whole = int(at)
    return min(whole + (1 if at - whole >= 0.5 else 0), n - 1)


def _percentiles(lengths: Counter) -> dict:
    """p50, p90, max and mean of values given as value -> count, as polars gives them over the values."""
    n = sum(lengths.values())
    if n == 0:
        return {}
    ordered = sorted(lengths.items())
    wanted = {q: _nearest(n, q) for q in (0.5, 0.9)}
    found: dict[float, int] = {}
    seen = 0
    for value, count in ordered:
        seen += count
        for q, index in wanted.items():
            if q not in found and index < seen:
                found[q] = value
    total = sum(value * count for value, count in ordered)
    return {"p50": int(found[0.5]), "p90": int(found[0.9]), "max": int(ordered[-1][0]), "mean": round(total / n, 1)}


class _Kept:
    """What the manifest says of the kept records, added up a row group at a time: per (task, split, bucket)
    the count, the smallest id and trace length -> count; per task a pass-rate histogram. Nothing here grows
    with the number of records, only with the number of distinct trace lengths."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str, str], list] = {}  # [count, smallest id, Counter of trace lengths]
        self.rates: dict[str, list[int] | None] = {}

    def add(self, piece: pl.DataFrame) -> None:
        for task, split, bucket, n, first in piece.group_by("task", "split", "length_bucket").agg(
                pl.len(), pl.col("id").min()).iter_rows():
            entry = self.buckets.setdefault((task, split, bucket), [0, first, Counter()])
            entry[0] += n
            entry[1] = min(entry[1], first)
        for task, split, bucket, chars, n in piece.group_by("task", "split", "length_bucket",
                                                            "trace_chars").len().iter_rows():
            self.buckets[(task, split, bucket)][2][chars] += n
        for task, rate in zip(piece["task"].to_list(), piece["pass_rate"].to_list(), strict=True):
            self.rates.setdefault(task, None)
            if rate is not None:
                bins = self.rates[task] = self.rates[task] or [0] * 10
                bins[min(int(rate * 10), 9)] += 1

    def tasks(self) -> dict[str, dict[tuple[str, str], list]]:
        by_task: dict[str, dict[tuple[str, str], list]] = {}
        for (task, split, bucket), entry in self.buckets.items():
            by_task.setdefault(task, {})[(split, bucket)] = entry
        return by_task


def task_stats(root: str, config: BuildConfig) -> dict:
    """Per task: planned / kept / dropped-by-reason, per split and bucket, trace lengths and one example."""
    planned = planned_items(config)

    def new_entry(planned_count: int | None) -> dict:
        # planned None: a source that is not planned by index (the web crawl): planned = what it produced
        return {"planned": planned_count, "kept": 0, "generated": 0, "dropped": {}, "buckets": {},
                "pass_rate_histogram": None, "example": None}

    stats: dict = {name: new_entry(planned[name]) for name in sorted(planned)}
    # Row group by row group, keeping counts only: memory does not grow with the build. The example rows
    # (smallest id per task and per bucket) are read again afterwards.
    for piece in parquet_pieces(glob(root, "rejects/*/*.parquet"), ["task", "reason", "stage"]):
        for task, reason, stage, n in piece.group_by("task", "reason", "stage").len().iter_rows():
            entry = stats.setdefault(task, new_entry(None))
            entry["dropped"][reason] = entry["dropped"].get(reason, 0) + n
            entry.setdefault("_gen_dropped", 0)
            if stage == "generate":
                entry["_gen_dropped"] += n
    kept = _Kept()
    for piece in parquet_pieces(glob(root, "records/*/*.parquet"), ["id", "task", "split", "length_bucket",
                                                                    "trace", "difficulty"], _small):
        kept.add(piece)
    by_task = kept.tasks()
    wanted = {min(entry[1] for entry in parts.values()) for parts in by_task.values()}
    wanted |= {entry[1] for entry in kept.buckets.values()}
    examples = _examples(root, wanted)
    for task, parts in by_task.items():
        entry = stats.setdefault(task, new_entry(None))
        entry["kept"] = sum(part[0] for part in parts.values())
        buckets: dict = {}
        for (split, bucket), (count, smallest, lengths) in parts.items():
            sample = examples[smallest]
            buckets[f"{split}/{bucket}"] = {"count": count, "trace_chars": _percentiles(lengths),
                                            "example": {"id": sample["id"], "prompt": _clip(sample["prompt"], 400),
                                                        "answer": _clip(sample["answer"], 200)}}
        entry["buckets"] = dict(sorted(buckets.items()))
        entry["pass_rate_histogram"] = kept.rates.get(task)
        first = examples[min(part[1] for part in parts.values())]
        trace = first["trace"] or ""
        entry["example"] = {"id": first["id"], "split": first["split"], "length_bucket": first["length_bucket"],
                            "prompt": first["prompt"], "answer": first["answer"],
                            "trace": trace if len(trace) <= 1500 else trace[:1500] + "\n..."}
    for entry in stats.values():
        if entry["planned"] is None:
            entry["planned"] = entry["kept"] + sum(entry["dropped"].values())
        entry["generated"] = entry["planned"] - entry.pop("_gen_dropped", 0)
        entry["dropped"] = dict(sorted(entry["dropped"].items()))
    return dict(sorted(stats.items()))


def _small(frame: pl.DataFrame) -> pl.DataFrame:
    """A piece of the records without its texts: trace length and the pass rate out of ``difficulty``."""
    return frame.select("id", "task", "split", pl.col("length_bucket").fill_null("all"),
                        pl.col("trace").fill_null("").str.len_chars().alias("trace_chars"),
                        pl.Series("pass_rate", [_pass_rate(t) for t in frame["difficulty"].to_list()],
                                  dtype=pl.Float64))


def _pass_rate(text: str | None) -> float | None:
    rate = json.loads(text).get("pass_rate") if text else None
    return float(rate) if isinstance(rate, (int, float)) else None


def _examples(root: str, wanted: set[str]) -> dict[str, dict]:
    """id -> full row of each record in ``wanted`` (the examples of each task and each (split, bucket)). Only
    the ids are read of a row group that holds none of them."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    ids = pa.array(sorted(wanted), pa.string())
    found: dict[str, dict] = {}
    for path in glob(root, "records/*/*.parquet"):
        with open_read(path) as fh:
            reader = pq.ParquetFile(fh)
            for group in range(reader.num_row_groups):
                mask = pc.is_in(reader.read_row_group(group, columns=["id"])["id"], value_set=ids)
                if pc.any(mask).as_py():
                    rows = reader.read_row_group(group, columns=["id", "split", "length_bucket", "prompt", "answer",
                                                                 "trace"]).filter(mask)
                    found.update((row["id"], row) for row in rows.to_pylist())
    return found


def file_index(root: str) -> tuple[dict[str, dict[str, dict[str, int]]], dict[str, int]]:
    """(export -> family -> {relative path: rows}, {relative path: uncompressed data bytes}) of every output
    Parquet file ``<export>/<family>/<name>.parquet``, reading each file's footer once. The bytes are what the
    Hub's ``num_bytes`` counts."""
    index: dict[str, dict[str, dict[str, int]]] = {}
    sizes: dict[str, int] = {}
    for path in glob(root, "*/*/*.parquet"):
        rel = relative(path, root).replace("\\", "/")
        export, family, _name = rel.split("/")
        meta = parquet_metadata(path)
        index.setdefault(export, {}).setdefault(family, {})[rel] = meta.num_rows
        sizes[rel] = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    return index, sizes


def build_manifest(root: str, config: BuildConfig, run: dict) -> dict:
    files, sizes = file_index(root)
    return {
        "schema_version": 1,
        "build": {"name": config.build.name, "seed": config.build.seed, "config_hash": config.config_hash(),
                  "build_id": build_id(config)},
        # The runner section says how the build ran, not what it built: it sits with the other run facts.
        "config": {k: v for k, v in to_dict(config).items() if k != "runner"},
        "versions": package_versions(),
        "git_commit": git_commit(),
        "generators": {name: get_task(name).version for name in sorted(config.tasks)},
        "tasks": task_stats(root, config),
        "files": files,
        "file_bytes": sizes,
        "run": {**run, "runner": to_dict(config.runner)},
        **({"web": web_stats(root, run.get("beam_counters") or {})} if config.stage("webqa") is not None else {}),
    }


WEB_TASK = "webqa/qa"


def web_stats(root: str, counters: dict[str, int]) -> dict:
    """The web source's three ledgers, each what came in (Beam counters) against where it went (the files).

    crawl: URLs = fetched + dropped (stage ``webqa/crawl``); pages: read (WARC records, unreadable ones
    included) = with pairs + redirects (followed, so neither a page of their own nor a drop) + dropped (stage
    ``webqa/page``); pairs: extracted = kept + dropped (every later stage: typing, conflicts, dedup,
    decontamination). ``uncounted`` is what came in minus where it went: 0 when nothing was lost silently.
    Records of ``webqa/qa`` generated from the built-in corpus (no ``warc`` in their meta) are not counted.
    """
    # a row group at a time, the web task's rows only: the texts of the rest are never held
    web = pl.col("task") == WEB_TASK
    dropped: dict[str, Counter] = {"webqa/crawl": Counter(), "webqa/page": Counter(), "pairs": Counter()}
    for piece in parquet_pieces(glob(root, "rejects/*/*.parquet"), ["task", "stage", "reason", "record"],
                                lambda f: f.filter(web).drop("task")):
        for stage, reason, record in piece.iter_rows():
            if stage in ("webqa/crawl", "webqa/page"):
                dropped[stage][reason] += 1
            elif stage == "webqa" or (record is not None and '"warc":' in record):
                dropped["pairs"][reason] += 1
    kept = 0
    for piece in parquet_pieces(glob(root, "records/*/*.parquet"), ["task", "meta"], lambda f: f.filter(web)["meta"]):
        kept += sum(1 for meta in piece.to_list() if '"warc":' in (meta or ""))

    def counter(name: str) -> int:
        return int(counters.get(f"webqa/{name}", 0))

    def ledger(came_in: int, went: dict, crawl: Counter) -> dict:
        return {**went, "dropped": dict(sorted(crawl.items())),
                "uncounted": came_in - sum(v for v in went.values()) - sum(crawl.values())}

    return {
        "crawl": {"urls": counter("crawl_urls"), **ledger(counter("crawl_urls"),
                                                          {"fetched": counter("crawl_fetched")},
                                                          dropped["webqa/crawl"])},
        "pages": {"read": counter("pages"), **ledger(counter("pages"),
                                                     {"with_pairs": counter("pages_with_pairs"),
                                                      "redirects": counter("redirects")}, dropped["webqa/page"])},
        "pairs": {"extracted": counter("pairs"), **ledger(counter("pairs"), {"kept": kept}, dropped["pairs"])},
    }


def build_id(config: BuildConfig) -> str:
    return f"{config.build.name}-{config.config_hash()[:12]}"


def write_manifest(root: str, manifest: dict) -> str:
    path = join(root, "manifest.json")
    write_bytes(path, (json.dumps(manifest, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8"))
    return path
