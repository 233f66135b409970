"""The build manifest: resolved config, versions, commit, and counts read back from the written files.

Counts come from the output files themselves, not from runner metrics, so the manifest is right on any
runner. Everything that may differ between two runs of the same build (timings, dates) sits under ``run``;
the rest of the manifest, and the card rendered from it, are byte-identical across reruns.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter, defaultdict
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import cast

import polars as pl

from reasonry import __version__
from reasonry.config import BuildConfig, to_dict
from reasonry.plan import planned_items
from reasonry.registry import get_task
from reasonry.storage import glob, join, parquet_metadata, read_parquet_frame, relative, write_bytes

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


def _read(root: str, pattern: str, columns: list[str]) -> pl.DataFrame | None:
    return read_parquet_frame(glob(root, pattern), columns)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."


def _percentiles(values: pl.Series) -> dict:
    if values.len() == 0:
        return {}
    # a non-empty integer column: its statistics are numbers
    p50, p90 = cast(float, values.quantile(0.5, "nearest")), cast(float, values.quantile(0.9, "nearest"))
    top, mean = cast(int, values.max()), cast(float, values.mean())
    return {"p50": int(p50), "p90": int(p90), "max": int(top), "mean": round(float(mean), 1)}


def task_stats(root: str, config: BuildConfig) -> dict:
    """Per task: planned / kept / dropped-by-reason, per split and bucket, trace lengths and one example."""
    planned = planned_items(config)
    # the texts are not held: each piece keeps its trace length and pass rate, and the example rows (smallest
    # id per task and per bucket) are read again afterwards
    records = read_parquet_frame(glob(root, "records/*/*.parquet"), ["id", "task", "split", "length_bucket",
                                                                     "trace", "difficulty"], _small)
    rejects = _read(root, "rejects/*/*.parquet", ["task", "reason", "stage"])
    def new_entry(planned_count: int | None) -> dict:
        # planned None: a source that is not planned by index (the web crawl): planned = what it produced
        return {"planned": planned_count, "kept": 0, "generated": 0, "dropped": {}, "buckets": {},
                "pass_rate_histogram": None, "example": None}

    stats: dict = {name: new_entry(planned[name]) for name in sorted(planned)}
    if rejects is not None:
        for (task, reason, stage), n in Counter(zip(rejects["task"], rejects["reason"], rejects["stage"],
                                                    strict=True)).items():
            entry = stats.setdefault(task, new_entry(None))
            entry["dropped"][reason] = entry["dropped"].get(reason, 0) + n
            entry.setdefault("_gen_dropped", 0)
            if stage == "generate":
                entry["_gen_dropped"] += n
    if records is not None:
        records = records.with_columns(pl.col("length_bucket").fill_null("all"))
        examples = _examples(root, records)
        for (task,), frame in records.group_by(["task"], maintain_order=False):
            entry = stats.setdefault(task, new_entry(None))
            entry["kept"] = frame.height
            buckets: dict = defaultdict(dict)
            for (split, bucket), part in sorted(frame.group_by(["split", "length_bucket"]),
                                                key=lambda kv: kv[0]):
                sample = examples[part["id"].min()]
                buckets[f"{split}/{bucket}"] = {"count": part.height,
                                                "trace_chars": _percentiles(part["trace_chars"]),
                                                "example": {"id": sample["id"], "prompt": _clip(sample["prompt"], 400),
                                                            "answer": _clip(sample["answer"], 200)}}
            entry["buckets"] = dict(sorted(buckets.items()))
            entry["pass_rate_histogram"] = _pass_rate_histogram(frame["pass_rate"])
            first = examples[frame["id"].min()]
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
    return frame.select("id", "task", "split", "length_bucket",
                        pl.col("trace").fill_null("").str.len_chars().alias("trace_chars"),
                        pl.Series("pass_rate", [_pass_rate(t) for t in frame["difficulty"].to_list()],
                                  dtype=pl.Float64))


def _pass_rate(text: str | None) -> float | None:
    rate = json.loads(text).get("pass_rate") if text else None
    return float(rate) if isinstance(rate, (int, float)) else None


def _examples(root: str, records: pl.DataFrame) -> dict[str, dict]:
    """id -> full row of the records each task and each (split, bucket) shows as its example."""
    wanted = set(records.group_by("task").agg(pl.col("id").min())["id"].to_list())
    wanted |= set(records.group_by("task", "split", "length_bucket").agg(pl.col("id").min())["id"].to_list())
    ids = pl.Series(sorted(wanted), dtype=pl.String)
    rows = read_parquet_frame(glob(root, "records/*/*.parquet"),
                              ["id", "split", "length_bucket", "prompt", "answer", "trace"],
                              lambda f: f.filter(pl.col("id").is_in(ids)))
    return {row["id"]: row for row in rows.iter_rows(named=True)}


def _pass_rate_histogram(rates: pl.Series) -> list[int] | None:
    """Ten bins of 0.1 over the model pass rates that sampling wrote into ``difficulty``; None if unsampled."""
    bins = [0] * 10
    seen = False
    for rate in rates.to_list():
        if rate is not None:
            bins[min(int(rate * 10), 9)] += 1
            seen = True
    return bins if seen else None


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
    rejects = _read(root, "rejects/*/*.parquet", ["task", "stage", "reason", "record"])
    records = _read(root, "records/*/*.parquet", ["task", "meta"])
    dropped: dict[str, Counter] = {"webqa/crawl": Counter(), "webqa/page": Counter(), "pairs": Counter()}
    if rejects is not None:
        for task, stage, reason, record in rejects.iter_rows():
            if task != WEB_TASK:
                continue
            if stage in ("webqa/crawl", "webqa/page"):
                dropped[stage][reason] += 1
            elif stage == "webqa" or (record is not None and '"warc":' in record):
                dropped["pairs"][reason] += 1
    kept = 0
    if records is not None:
        kept = sum(1 for task, meta in records.iter_rows() if task == WEB_TASK and '"warc":' in (meta or ""))

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
