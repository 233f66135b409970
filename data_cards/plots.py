"""Figures for the data card, written as PNG next to the data.

Rendered with matplotlib's Agg backend, fixed size, dpi and no timestamp metadata, so the same data gives the
same bytes.
"""

from __future__ import annotations

import polars as pl

ASSETS = "assets"


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "reasonry"
    return plt, plt.figure(figsize=(width, height), dpi=100)


def _save(plt, fig, path: str, margins: dict | None = None) -> None:
    import io

    from reasonry.storage import write_bytes

    # fixed margins where the layout is known: tight_layout costs an extra drawing pass
    fig.subplots_adjust(**margins) if margins else fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    write_bytes(path, buffer.getvalue())


def _cached(cache_dir: str | None, digest: str, path: str) -> bool:
    """Copy a figure drawn from the same data by an earlier build; drawing is most of a rebuild's finishing."""
    from reasonry.storage import exists, join, read_bytes, write_bytes

    if not cache_dir or not exists(join(cache_dir, f"{digest}.png")):
        return False
    write_bytes(path, read_bytes(join(cache_dir, f"{digest}.png")))
    return True


def _remember(cache_dir: str | None, digest: str, path: str) -> None:
    from reasonry.storage import join, read_bytes, write_bytes

    if cache_dir:
        write_bytes(join(cache_dir, f"{digest}.png"), read_bytes(path))


def trace_length_plot(records: pl.DataFrame, family: str, path: str, cache_dir: str | None = None) -> bool:
    """Box plot of trace length (characters) per task and length bucket; False if no record has a trace."""
    from reasonry.hashing import content_hash

    frame = records.filter((pl.col("family") == family) & pl.col("trace").is_not_null())
    if frame.height == 0:
        return False
    frame = frame.with_columns(pl.col("trace").str.len_chars().alias("chars"),
                               pl.col("length_bucket").fill_null("all"))
    groups = sorted(frame.group_by(["task", "length_bucket"]), key=lambda kv: kv[0])
    labels = [f"{task.split('/', 1)[1]} {bucket}" for (task, bucket), _ in groups]
    values = [sorted(part["chars"].to_list()) for _, part in groups]
    digest = content_hash(["trace_lengths_v1", family, labels, values])
    if _cached(cache_dir, digest, path):
        return True
    width = max(6.0, 0.35 * len(labels) + 2)
    plt, fig = _figure(width, 4.5)
    ax = fig.add_subplot(1, 1, 1)
    ax.boxplot(values, showfliers=False)
    ax.set_xticks(range(1, len(labels) + 1), labels, rotation=75, fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("trace length (characters)")
    ax.set_title(f"{family}: gold trace length per task and bucket")
    # margins in inches, whatever the width: room for the axis label and the rotated task names
    _save(plt, fig, path, {"left": 0.8 / width, "right": 1 - 0.2 / width, "top": 0.92, "bottom": 0.32})
    _remember(cache_dir, digest, path)
    return True


def pass_rate_plot(histograms: dict[str, list[int]], path: str) -> bool:
    """Bar chart of model pass rates per task (ten bins of 0.1); False when nothing was sampled."""
    histograms = {k: v for k, v in histograms.items() if sum(v)}
    if not histograms:
        return False
    plt, fig = _figure(7.0, 4.0)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.8 / len(histograms)
    for i, (task, counts) in enumerate(sorted(histograms.items())):
        ax.bar([b + i * width for b in range(10)], counts, width=width, label=task)
    ax.set_xticks(range(10), [f"{b / 10:.1f}" for b in range(10)])
    ax.set_xlabel("pass rate (bin start)")
    ax.set_ylabel("items")
    ax.legend(fontsize=7)
    _save(plt, fig, path)
    return True


def level_plot(records: pl.DataFrame, path: str) -> bool:
    """Items per difficulty level and task (``difficulty.level``); False when no record has a level."""
    import json

    counts: dict[str, dict[int, int]] = {}
    for task, text in zip(records["task"].to_list(), records["difficulty"].to_list(), strict=True):
        level = json.loads(text).get("level") if text else None
        if isinstance(level, int):
            counts.setdefault(task, {})
            counts[task][level] = counts[task].get(level, 0) + 1
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
                cache_dir: str | None = None) -> list[str]:
    """Every figure of the card; returns their paths relative to ``root``. With ``cache_dir``, a figure whose
    data did not change since an earlier build is copied instead of drawn again."""
    from reasonry.storage import glob, join, read_parquet_frame

    records = read_parquet_frame(glob(root, "records/*/*.parquet"),
                                 ["family", "task", "length_bucket", "trace", "difficulty"])
    written = []
    if records is not None:
        for family in families:
            rel = f"{ASSETS}/trace_lengths_{family}.png"
            if trace_length_plot(records, family, join(root, rel), cache_dir):
                written.append(rel)
        rel = f"{ASSETS}/difficulty_levels.png"
        if level_plot(records, join(root, rel)):
            written.append(rel)
    rel = f"{ASSETS}/pass_rates.png"
    if pass_rate_plot(histograms, join(root, rel)):
        written.append(rel)
    return written
