"""Turning graded items into the eval report, and the report into what people read.

``build_report`` gives the ``eval.json`` object: what was evaluated (model, source, sampling), one row per
(task, length bucket) with the metrics of ``reasonry.evaluation.metrics``, one row per family and one overall.
It holds no timings or request counts, so the same items and samples give the same bytes. ``table_text`` is
the terminal table, ``write_markdown`` writes ``eval.md`` with one length-generalisation plot per family
(pass@1 against S/M/L, one line per task, 800 px wide), and ``compare`` sets two reports side by side.
"""

from __future__ import annotations

import io
import json

from reasonry.errors import ConfigError
from reasonry.evaluation.metrics import ItemScore, difference_interval, summarize_group
from reasonry.storage import join, write_bytes

REPORT_VERSION = 1
BUCKET_ORDER = {"S": 0, "M": 1, "L": 2, "all": 3}
ASSETS = "assets"


def _score(item: dict) -> ItemScore:
    return ItemScore(n=item["n"], correct=item["correct"], no_answer=item["no_answer"],
                     majority_correct=item["majority_correct"], output_tokens=item["output_tokens"])


def _summary(items: list[dict], k: int) -> dict:
    ok = [_score(i) for i in items if i["error"] is None]
    return summarize_group(ok, k, errors=sum(1 for i in items if i["error"] is not None))


def tokens_unit(items: list[dict]) -> str:
    """What ``mean_output_tokens`` counts, as the workers that graded the items counted it."""
    units = sorted({i["tokens_unit"] for i in items if i.get("tokens_unit")})
    return units[0] if len(units) == 1 else ("tokens or words (mixed)" if units else "tokens")


def build_report(items: list[dict], *, k: int, model: str, source: dict, sampling: dict) -> dict:
    groups: dict[tuple[str, str], list[dict]] = {}
    for item in items:
        groups.setdefault((item["task"], item["bucket"]), []).append(item)
    rows = []
    for task, bucket in sorted(groups, key=lambda tb: (tb[0], BUCKET_ORDER.get(tb[1], 9), tb[1])):
        rows.append({"task": task, "family": task.split("/", 1)[0], "bucket": bucket,
                     **_summary(groups[(task, bucket)], k)})
    families = {}
    for family in sorted({i["family"] for i in items}):
        families[family] = _summary([i for i in items if i["family"] == family], k)
    return {"reasonry_eval": REPORT_VERSION, "model": model, "source": source, "sampling": sampling, "k": k,
            "tokens_unit": tokens_unit(items), "rows": rows, "families": families, "overall": _summary(items, k)}


def dumps(report: dict) -> str:
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read eval report {path!r}: {exc}", path="--compare") from None
    if not isinstance(report, dict) or report.get("reasonry_eval") != REPORT_VERSION:
        raise ConfigError(f"{path!r} is not a reasonry eval.json (version {REPORT_VERSION})", path="--compare")
    return report


# ------------------------------------------------------------------------------------------------
# Text
# ------------------------------------------------------------------------------------------------


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _ci(row: dict) -> str:
    ci = row.get("pass_at_1_ci95")
    return "-" if ci is None else f"{100 * ci[0]:.1f}-{100 * ci[1]:.1f}"


def _num(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def columns(report: dict) -> list[str]:
    k = report["k"]
    return ["task", "bucket", "items", "errors", "pass@1 %", "95% CI", f"pass@{k} %", f"maj@{k} %",
            f"mean {report['tokens_unit']}", "no answer %"]


def _cells(label: str, bucket: str, row: dict) -> list[str]:
    return [label, bucket, str(row["items"]), str(row["errors"]), _pct(row["pass_at_1"]), _ci(row),
            _pct(row["pass_at_k"]), _pct(row["maj_at_k"]), _num(row["mean_output_tokens"]),
            _pct(row["no_answer_share"])]


def table_rows(report: dict) -> list[list[str]]:
    rows = [_cells(r["task"], r["bucket"], r) for r in report["rows"]]
    rows += [_cells(f"{family} (all tasks)", "", row) for family, row in report["families"].items()]
    rows.append(_cells("overall", "", report["overall"]))
    return rows


def title(report: dict) -> str:
    s = report["sampling"]
    return (f"{report['model']} on {report['source'].get('name', '?')}: k={report['k']} "
            f"temperature={s['temperature']} max_tokens={s['max_tokens']} ({s['api']})")


def table_text(report: dict, width: int = 140) -> str:
    """The terminal table as plain text (what ``reasonry eval`` prints)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title(report))
    for i, name in enumerate(columns(report)):
        table.add_column(name, justify="left" if i < 2 else "right")
    rows = table_rows(report)
    for i, cells in enumerate(rows):
        table.add_row(*cells, style="bold" if i >= len(report["rows"]) else None,
                      end_section=i == len(report["rows"]) - 1)
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None, highlight=False)
    console.print(table)
    return console.export_text()


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


# ------------------------------------------------------------------------------------------------
# Plot and markdown
# ------------------------------------------------------------------------------------------------

WIDTH_IN = 8.0  # 800 px at 100 dpi: page width, never scaled down


def plot_family(report: dict, family: str, path: str) -> bool:
    """pass@1 (with its 95% interval) against S/M/L, one line per task of ``family``; False when the family
    has no length buckets (nothing to plot)."""
    rows = [r for r in report["rows"] if r["family"] == family and r["bucket"] in ("S", "M", "L")
            and r["pass_at_1"] is not None]
    if not rows:
        return False
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = sorted({r["task"] for r in rows})
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2), dpi=100)
    for n, task in enumerate(tasks):
        points = sorted(((BUCKET_ORDER[r["bucket"]], r) for r in rows if r["task"] == task), key=lambda p: p[0])
        dodge = (n - (len(tasks) - 1) / 2) * min(0.05, 0.3 / len(tasks))  # equal lines stay visible side by side
        xs = [x + dodge for x, _ in points]
        ys = [100 * r["pass_at_1"] for _, r in points]
        lo = [100 * (r["pass_at_1"] - r["pass_at_1_ci95"][0]) for _, r in points]
        hi = [100 * (r["pass_at_1_ci95"][1] - r["pass_at_1"]) for _, r in points]
        ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, linewidth=1.6, label=task.split("/", 1)[-1])
    ax.set_xticks([0, 1, 2], ["S (train length)", "M", "L"])
    ax.set_xlim(-0.3, 2.3)
    ax.set_ylim(-3, 103)
    ax.set_ylabel("pass@1 (%), 95% interval")
    ax.set_title(f"{family}: accuracy by length, {report['model']}", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.subplots_adjust(left=0.09, right=0.72, top=0.9, bottom=0.1)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    write_bytes(path, buffer.getvalue())
    return True


def write_markdown(report: dict, out: str, comparison: dict | None = None) -> str:
    """Write ``eval.md`` (and its plots under ``assets/``) into ``out``; returns the markdown."""
    s = report["sampling"]
    lines = [f"# Eval: {report['model']}", "",
             f"Source: `{report['source'].get('name', '?')}`"
             + (f" (revision `{report['source']['revision']}`)" if report["source"].get("revision") else "")
             + f". Sampling: k={report['k']}, temperature={s['temperature']}, top_p={s['top_p']}, "
               f"max_tokens={s['max_tokens']}, seed={s['seed']}, API `{s['api']}`.", "",
             "pass@1 is the mean over samples; pass@k the unbiased estimator; maj@k scores the most common "
             "answer; the 95% interval is Wilson's over items. Items whose request failed are counted under "
             f"*errors* and left out of the metrics. Output length in {report['tokens_unit']}.", ""]
    families = sorted(report["families"])
    plotted = []
    for family in families:
        rel = f"{ASSETS}/eval-{family}.png"
        if plot_family(report, family, join(out, rel)):
            plotted.append((family, rel))
    if plotted:
        lines += ["## Length generalisation", ""]
        for family, rel in plotted:
            lines += [f"![{family}: pass@1 by length bucket]({rel})", ""]
    lines += ["## Results", ""]
    lines += _md_table(columns(report), table_rows(report))
    if comparison is not None:
        lines += ["", f"## Compared with {comparison['other_model']}", ""]
        lines += _md_table(compare_columns(comparison), compare_rows(comparison))
    text = "\n".join(lines) + "\n"
    write_bytes(join(out, "eval.md"), text.encode("utf-8"))
    return text


# ------------------------------------------------------------------------------------------------
# Comparison
# ------------------------------------------------------------------------------------------------


def _delta(a: dict, b: dict) -> dict:
    if a.get("pass_at_1") is None or b.get("pass_at_1") is None:
        return {"difference": None, "difference_ci95": None, "excludes_zero": None}
    (a_lo, a_hi), (b_lo, b_hi) = a["pass_at_1_ci95"], b["pass_at_1_ci95"]
    lo, hi = difference_interval(a["pass_at_1"], a_lo, a_hi, b["pass_at_1"], b_lo, b_hi)
    return {"difference": a["pass_at_1"] - b["pass_at_1"], "difference_ci95": [lo, hi],
            "excludes_zero": lo > 0 or hi < 0}


def compare(report: dict, other: dict) -> dict:
    """This report against ``other``, row by row (task and bucket present in either): pass@1 of each, the
    difference this minus other, its 95% interval and whether that interval excludes 0."""
    mine = {(r["task"], r["bucket"]): r for r in report["rows"]}
    theirs = {(r["task"], r["bucket"]): r for r in other["rows"]}
    empty = {"pass_at_1": None, "pass_at_1_ci95": None, "items": 0}
    rows = []
    for key in sorted(set(mine) | set(theirs), key=lambda tb: (tb[0], BUCKET_ORDER.get(tb[1], 9), tb[1])):
        a, b = mine.get(key, empty), theirs.get(key, empty)
        rows.append({"task": key[0], "bucket": key[1], "items": a["items"], "other_items": b["items"],
                     "pass_at_1": a["pass_at_1"], "other_pass_at_1": b["pass_at_1"], **_delta(a, b)})
    overall = {"task": "overall", "bucket": "", "items": report["overall"]["items"],
               "other_items": other["overall"]["items"], "pass_at_1": report["overall"]["pass_at_1"],
               "other_pass_at_1": other["overall"]["pass_at_1"], **_delta(report["overall"], other["overall"])}
    return {"model": report["model"], "other_model": other["model"], "rows": rows, "overall": overall}


def compare_columns(comparison: dict) -> list[str]:
    return ["task", "bucket", f"{comparison['model']} pass@1 %", f"{comparison['other_model']} pass@1 %",
            "difference", "95% CI of difference", "excludes 0"]


def compare_rows(comparison: dict) -> list[list[str]]:
    out = []
    for row in [*comparison["rows"], comparison["overall"]]:
        d = row["difference"]
        ci = row["difference_ci95"]
        out.append([row["task"], row["bucket"], _pct(row["pass_at_1"]), _pct(row["other_pass_at_1"]),
                    "-" if d is None else f"{100 * d:+.1f}",
                    "-" if ci is None else f"{100 * ci[0]:+.1f} to {100 * ci[1]:+.1f}",
                    "-" if row["excludes_zero"] is None else ("yes" if row["excludes_zero"] else "no")])
    return out


def compare_text(comparison: dict, width: int = 140) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{comparison['model']} vs {comparison['other_model']} (pass@1)")
    for i, name in enumerate(compare_columns(comparison)):
        table.add_column(name, justify="left" if i < 2 else "right")
    for cells in compare_rows(comparison):
        table.add_row(*cells)
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None, highlight=False)
    console.print(table)
    return console.export_text()
