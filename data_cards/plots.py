"""Figures for the data card, written as PNG next to the data.

Rendered with matplotlib's Agg backend, fixed size, dpi and no timestamp metadata, so the same data gives the
same bytes. Every figure is ``WIDTH`` inches at 100 dpi: the width of the Hub's dataset page, so nothing is
scaled down or scrolled. Categories go on the vertical axis, one row each, so long task names are never
rotated or clipped: the left margin is sized from the longest label.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from reasonry.hashing import content_hash
from reasonry.storage import exists, glob, join, parquet_pieces, read_bytes, write_bytes

ASSETS = "assets"
WIDTH = 8.0          # inches; 800 pixels at 100 dpi
ROW = 0.24           # inches per category row
LABEL_INCH = 0.065   # inches per character of a tick label at FONT points
FONT = 8
SPLITS = ("train", "test")
BUCKETS = ("S", "M", "L", "all")


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "reasonry"
    return plt, plt.figure(figsize=(width, height), dpi=100)


def _save(plt, fig, path: str, margins: dict | None = None) -> None:
    import io

    # fixed margins where the layout is known: tight_layout costs an extra drawing pass
    fig.subplots_adjust(**margins) if margins else fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    write_bytes(path, buffer.getvalue())


def _cached(cache_dir: str | None, digest: str, path: str) -> bool:
    """Copy a figure drawn from the same data by an earlier build; drawing is most of a rebuild's finishing."""
    if not cache_dir or not exists(join(cache_dir, f"{digest}.png")):
        return False
    write_bytes(path, read_bytes(join(cache_dir, f"{digest}.png")))
    return True


def _remember(cache_dir: str | None, digest: str, path: str) -> None:
    if cache_dir:
        write_bytes(join(cache_dir, f"{digest}.png"), read_bytes(path))


def _rows_figure(labels: list[str], extra_height: float = 1.1):
    height = max(2.2, ROW * len(labels) + extra_height)
    plt, fig = _figure(WIDTH, height)
    return plt, fig, height


def _row_margins(labels: list[str], height: float, legend: bool = False) -> dict:
    left = min(0.55 * WIDTH, 0.25 + LABEL_INCH * max((len(x) for x in labels), default=4)) / WIDTH
    right = 1 - (1.6 if legend else 0.25) / WIDTH
    return {"left": left, "right": right, "top": 1 - 0.45 / height, "bottom": 0.6 / height}


def _order(split: str, bucket: str) -> tuple:
    return (SPLITS.index(split) if split in SPLITS else len(SPLITS), split,
            BUCKETS.index(bucket) if bucket in BUCKETS else len(BUCKETS), bucket)


def trace_counts(records: pl.DataFrame) -> dict[tuple[str, str, str, str], dict[int, int]]:
    """(family, task, split, bucket) -> trace length -> records of a frame of records (or of their trace
    lengths, ``chars``); records without a trace are left out. Adding these up piece by piece keeps the plots'
    memory independent of the number of records."""
    if "chars" not in records.columns:  # the lengths may come precomputed, without the traces
        records = records.with_columns(pl.col("trace").str.len_chars().alias("chars"))
    frame = records.filter(pl.col("chars").is_not_null()).with_columns(pl.col("length_bucket").fill_null("all"))
    counts: dict[tuple[str, str, str, str], dict[int, int]] = {}
    for family, task, split, bucket, chars, n in frame.group_by("family", "task", "split", "length_bucket",
                                                                "chars").len().iter_rows():
        lengths = counts.setdefault((family, task, split, bucket), {})
        lengths[chars] = lengths.get(chars, 0) + n
    return counts


def _add_counts(total: dict, part: dict) -> None:
    for key, values in part.items():
        into = total.setdefault(key, {})
        for value, n in values.items():
            into[value] = into.get(value, 0) + n


def _trace_rows(counts: dict, family: str) -> tuple[list[str], list[dict[int, int]]]:
    """Row labels ``<task> <split> <bucket>`` (by task, then train before test, then S, M, L) and the trace
    length counts of each row."""
    keys = sorted((key for key in counts if key[0] == family), key=lambda k: (k[1], *_order(k[2], k[3])))
    return [f"{task.split('/', 1)[1]} {split} {bucket}" for _f, task, split, bucket in keys], [counts[k] for k in keys]


def trace_groups(records: pl.DataFrame, family: str) -> tuple[list[str], list[list[int]]]:
    """Row labels ``<task> <split> <bucket>`` (by task, then train before test, then S, M, L) and the sorted
    trace lengths of each row."""
    labels, counts = _trace_rows(trace_counts(records), family)
    return labels, [[value for value, n in sorted(c.items()) for _ in range(n)] for c in counts]


def trace_length_plot(counts: dict, family: str, path: str, cache_dir: str | None = None) -> bool:
    """Box plot of trace length (characters) per task, split and length bucket, one row each: train and test
    apart, buckets in S, M, L order; False if no record has a trace. ``counts`` is what ``trace_counts``
    gives."""
    labels, rows = _trace_rows(counts, family)
    if not labels:
        return False
    digest = content_hash(["trace_lengths_v3", family, labels, [sorted(c.items()) for c in rows]])
    if _cached(cache_dir, digest, path):
        return True
    # each row's sorted lengths as one integer array (the values a list of them would give, a fifth the size)
    values = [np.repeat(np.array(sorted(c), dtype=np.int64), [c[v] for v in sorted(c)]) for c in rows]
    # top to bottom in reading order
    labels, values = labels[::-1], values[::-1]
    plt, fig, height = _rows_figure(labels)
    ax = fig.add_subplot(1, 1, 1)
    ax.boxplot(values, orientation="horizontal", showfliers=False)
    ax.set_yticks(range(1, len(labels) + 1), labels, fontsize=FONT)
    ax.set_xscale("log")
    ax.set_xlabel("trace length (characters, log scale)", fontsize=FONT)
    ax.set_title(f"{family}: gold trace length per task, split and bucket", fontsize=FONT + 1)
    _save(plt, fig, path, _row_margins(labels, height))
    _remember(cache_dir, digest, path)
    return True


def counts_plot(tasks: dict, path: str) -> bool:
    """Kept items per task, one bar per task stacked by split and length bucket; False with no items."""
    series: dict[str, dict[str, int]] = {}
    for name, t in tasks.items():
        for key, b in (t.get("buckets") or {}).items():
            series.setdefault(key, {})[name] = b["count"]
    names = sorted(n for n in tasks if any(n in s for s in series.values()))
    if not names:
        return False
    keys = sorted(series, key=lambda k: _order(*(k.split("/", 1) + ["all"])[:2]))
    labels = names[::-1]
    plt, fig, height = _rows_figure(labels)
    ax = fig.add_subplot(1, 1, 1)
    left = [0] * len(labels)
    for key in keys:
        counts = [series[key].get(n, 0) for n in labels]
        ax.barh(range(len(labels)), counts, left=left, label=key, height=0.7)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_yticks(range(len(labels)), labels, fontsize=FONT)
    ax.set_xlabel("items kept", fontsize=FONT)
    ax.set_title("items per task, by split/bucket", fontsize=FONT + 1)
    ax.legend(fontsize=FONT - 1, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _save(plt, fig, path, _row_margins(labels, height, legend=True))
    return True


def drops_plot(tasks: dict, path: str) -> bool:
    """Dropped items per reason, summed over tasks; False when nothing was dropped."""
    totals: dict[str, int] = {}
    for t in tasks.values():
        for reason, n in (t.get("dropped") or {}).items():
            totals[reason] = totals.get(reason, 0) + n
    totals = {k: v for k, v in totals.items() if v}
    if not totals:
        return False
    ordered = sorted(totals.items(), key=lambda kv: (kv[1], kv[0]))
    labels = [k for k, _ in ordered]
    plt, fig, height = _rows_figure(labels)
    ax = fig.add_subplot(1, 1, 1)
    ax.barh(range(len(labels)), [v for _, v in ordered], height=0.7, color="#c0504d")
    ax.set_yticks(range(len(labels)), labels, fontsize=FONT)
    ax.set_xlabel("items dropped (all tasks)", fontsize=FONT)
    ax.set_title("drop reasons", fontsize=FONT + 1)
    _save(plt, fig, path, _row_margins(labels, height))
    return True


def pass_rate_plot(histograms: dict[str, list[int]], path: str) -> bool:
    """Bar chart of model pass rates per task (ten bins of 0.1); False when nothing was sampled."""
    histograms = {k: v for k, v in histograms.items() if sum(v)}
    if not histograms:
        return False
    height = 3.6
    plt, fig = _figure(WIDTH, height)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.8 / len(histograms)
    for i, (task, counts) in enumerate(sorted(histograms.items())):
        ax.bar([b + i * width for b in range(10)], counts, width=width, label=task)
    ax.set_xticks(range(10), [f"{b / 10:.1f}" for b in range(10)], fontsize=FONT)
    ax.set_xlabel("pass rate (bin start)", fontsize=FONT)
    ax.set_ylabel("items", fontsize=FONT)
    ax.set_title("model pass rates (self-consistency)", fontsize=FONT + 1)
    ax.legend(fontsize=FONT - 1, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    legend_inches = min(0.5 * WIDTH, 0.4 + LABEL_INCH * max(len(k) for k in histograms))
    _save(plt, fig, path, {"left": 0.7 / WIDTH, "right": 1 - legend_inches / WIDTH, "top": 1 - 0.4 / height,
                           "bottom": 0.55 / height})
    return True


def level_counts(records: pl.DataFrame) -> dict[str, dict[int, int]]:
    """task -> difficulty level -> records (``difficulty.level``) of a frame of records."""
    import json

    counts: dict[str, dict[int, int]] = {}
    for task, text in zip(records["task"].to_list(), records["difficulty"].to_list(), strict=True):
        level = json.loads(text).get("level") if text else None
        if isinstance(level, int):
            counts.setdefault(task, {})
            counts[task][level] = counts[task].get(level, 0) + 1
    return counts


def level_plot(records: pl.DataFrame | dict[str, dict[int, int]], path: str) -> bool:
    """Items per difficulty level and task (``difficulty.level``) of a frame of records or of its
    ``level_counts``; False when no record has a level."""
    counts = level_counts(records) if isinstance(records, pl.DataFrame) else records
    if not counts:
        return False
    levels = sorted({lv for per in counts.values() for lv in per})
    plt, fig = _figure(7.0, 4.0)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.8 / len(counts)
    for i, (task, per) in enumerate(sorted(counts.items())):
        ax.bar([k + i * width for k in range(len(levels))], [per.get(lv, 0) for lv in levels], width=width,
               label=task)
    ax.set_xticks(range(len(levels)), [str(lv) for lv in levels])
    ax.set_xlabel("difficulty level")
    ax.set_ylabel("items")
    ax.legend(fontsize=7)
    _save(plt, fig, path)
    return True


def write_plots(root: str, families: list[str], histograms: dict[str, list[int]],
                cache_dir: str | None = None, tasks: dict | None = None) -> list[str]:
    """Every figure of the card; returns their paths relative to ``root``. With ``cache_dir``, a figure whose
    data did not change since an earlier build is copied instead of drawn again. ``tasks`` is the manifest's
    per-task section (counts per bucket and drop reasons)."""
    written = []
    for rel, draw in ((f"{ASSETS}/counts.png", counts_plot), (f"{ASSETS}/drops.png", drops_plot)):
        if tasks and draw(tasks, join(root, rel)):
            written.append(rel)
    # a row group at a time, keeping counts only: the plots' memory does not grow with the build
    lengths: dict = {}
    levels: dict = {}
    for piece in parquet_pieces(glob(root, "records/*/*.parquet"),
                                ["family", "task", "split", "length_bucket", "trace", "difficulty"],
                                lambda f: f.with_columns(pl.col("trace").str.len_chars().alias("chars")).drop("trace")):
        _add_counts(lengths, trace_counts(piece))
        _add_counts(levels, level_counts(piece))
    if lengths or levels:
        for family in families:
            rel = f"{ASSETS}/trace_lengths_{family}.png"
            if trace_length_plot(lengths, family, join(root, rel), cache_dir):
                written.append(rel)
        rel = f"{ASSETS}/difficulty_levels.png"
        if level_plot(levels, join(root, rel)):
            written.append(rel)
    rel = f"{ASSETS}/pass_rates.png"
    if pass_rate_plot(histograms, join(root, rel)):
        written.append(rel)
    return written
