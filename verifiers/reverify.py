"""Check a finished build again, or score a file of model answers against its records."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from reasonry.answers import grade
from reasonry.errors import ConfigError
from reasonry.record import from_row
from reasonry.verifiers.gold import check_gold


def _record_files(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    if target.is_dir():
        files = sorted((target / "records").glob("*/*.parquet")) or sorted(target.glob("*.parquet"))
        if files:
            return files
        raise ConfigError(f"no records Parquet files under {str(target)!r} (expected records/<family>/*.parquet)")
    raise ConfigError(f"no such build folder or file: {str(target)!r}")


def load_records(target: Path) -> list[dict]:
    records: list[dict] = []
    for path in _record_files(target):
        try:
            table = pq.read_table(path)
        except Exception as exc:
            raise ConfigError(f"cannot read {str(path)!r}: {exc}") from None
        records.extend(from_row(row) for row in table.to_pylist())
    return records


def reverify_build(target: Path) -> dict:
    tasks: dict[str, dict[str, int]] = {}
    failures = []
    for record in load_records(target):
        counts = tasks.setdefault(record["task"], {"ok": 0, "total": 0})
        counts["total"] += 1
        try:
            verdict, code = check_gold(record)
        except Exception as exc:
            verdict, code = None, f"verifier_error: {type(exc).__name__}: {exc}"
        if verdict is not None and verdict.ok:
            counts["ok"] += 1
        else:
            failures.append({"id": record["id"], "task": record["task"],
                             "reason": f"{code}: {verdict.reason}" if verdict else code})
    return {"tasks": dict(sorted(tasks.items())), "failures": failures,
            "ok": sum(c["ok"] for c in tasks.values()), "total": sum(c["total"] for c in tasks.values())}


def score_answers(target: Path, answers: Path) -> dict:
    """Verdict per candidate line ``{"id", "answer"}``; malformed lines and unknown ids are reported, not fatal.
    ``answer`` is read as a model's reply (``reasonry.answers``): a bare answer, or a whole reply ending with
    ``Final answer: ...``, judged exactly as the reward functions judge it."""
    by_id = {r["id"]: r for r in load_records(target)}
    if not answers.is_file():
        raise ConfigError(f"no such answers file: {str(answers)!r}")
    results, unknown = [], 0
    with answers.open(encoding="utf-8", errors="replace") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                rid, answer = item["id"], item["answer"]
                if not isinstance(rid, str) or not isinstance(answer, str):
                    raise TypeError("id and answer must be strings")
            except (ValueError, KeyError, TypeError) as exc:
                results.append({"id": f"<line {line_no}>", "ok": False, "reason": f"malformed line: {exc}"})
                continue
            record = by_id.get(rid)
            if record is None:
                unknown += 1
                results.append({"id": rid, "ok": False, "reason": "unknown id"})
                continue
            verdict = grade(record["verifier"], record["answer_type"], answer)
            results.append({"id": rid, "ok": verdict.ok, "reason": verdict.reason})
    return {"results": results, "correct": sum(r["ok"] for r in results), "total": len(results),
            "unknown_ids": unknown}
