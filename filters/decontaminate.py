"""Decontamination: drop records whose question shares a word n-gram with a benchmark question.

Benchmark questions come from local JSONL or Parquet files named in the config (``stages.decontaminate``).
Texts are normalised as for dedup (case, accents and punctuation ignored). The default n is 13, the common
choice for training-set decontamination; ``ngram_sizes: [13, 8]`` adds the stricter 8-gram check. A
benchmark question shorter than n words is matched as a whole (its full word sequence inside the record's).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

from reasonry.config import require
from reasonry.errors import ConfigError
from reasonry.filters.dedup import normalise_text
from reasonry.rejects import Reject

STAGE = "decontaminate"
QUESTION_FIELDS = ("question", "problem", "prompt", "query", "input", "text")


@dataclass(frozen=True)
class DecontaminateConfig:
    benchmarks: tuple[str, ...] = ()
    ngram_sizes: tuple[int, ...] = (13,)
    field: str = ""  # column holding the question; empty = the first of QUESTION_FIELDS present
    record_field: str = "prompt"

    def __post_init__(self):
        require(bool(self.ngram_sizes), "ngram_sizes", "give at least one n")
        for i, n in enumerate(self.ngram_sizes):
            require(1 <= n <= 64, f"ngram_sizes[{i}]", f"must be in 1..64, got {n}")


def _rows(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ConfigError(f"line {line_no}: not JSON: {exc.msg}", source=str(path)) from None
    return rows


def load_questions(path: str, field: str = "") -> list[str]:
    p = Path(path)
    if not p.is_file():
        raise ConfigError("no such benchmark file", source=path)
    rows = _rows(p)
    out = []
    for i, row in enumerate(rows):
        name = field or next((f for f in QUESTION_FIELDS if isinstance(row.get(f), str)), None)
        if name is None or not isinstance(row.get(name), str):
            raise ConfigError(f"row {i}: no question field (looked for {field or QUESTION_FIELDS})", source=path)
        out.append(row[name])
    return out


def _grams(words: list[str], n: int) -> list[str]:
    return [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]


def _h(text: str) -> int:
    return zlib.crc32(text.encode("utf-8")) << 32 | zlib.adler32(text.encode("utf-8"))


class Decontaminator:
    def __init__(self, config: DecontaminateConfig, questions: dict[str, list[str]] | None = None):
        """``questions``: source name -> texts; by default read from ``config.benchmarks``."""
        self.config = config
        if questions is None:
            questions = {path: load_questions(path, config.field) for path in config.benchmarks}
        self.index: dict[int, dict[int, str]] = {n: {} for n in config.ngram_sizes}
        self.short: dict[int, list[tuple[str, str]]] = {n: [] for n in config.ngram_sizes}
        for source, texts in sorted(questions.items()):
            for row, text in enumerate(texts):
                words = normalise_text(text).split()
                where = f"{source}#{row}"
                for n in config.ngram_sizes:
                    if len(words) < n:
                        if words:
                            self.short[n].append((" ".join(words), where))
                        continue
                    for gram in _grams(words, n):
                        self.index[n].setdefault(_h(gram), where)

    def match(self, text: str) -> str | None:
        """Where ``text`` overlaps a benchmark question (``"<n>-gram with <file>#<row>: '<gram>'"``), or None."""
        words = normalise_text(text).split()
        padded = " " + " ".join(words) + " "
        for n in self.config.ngram_sizes:
            index = self.index[n]
            for gram in _grams(words, n):
                where = index.get(_h(gram))
                if where is not None:
                    return f"{n}-gram overlap with {where}: {gram!r}"
            for short, where in self.short[n]:
                if f" {short} " in padded:
                    return f"whole question of {where} contained: {short!r}"
        return None

    def setup(self) -> None:
        pass  # the benchmark index is built when the stage is made, once per worker

    def teardown(self) -> None:
        pass

    def process(self, batch: list[dict]) -> tuple[list[dict], list[dict], dict[str, int]]:
        kept, rejects = self.filter(batch)
        return kept, rejects, {}

    def filter(self, records: list[dict]) -> tuple[list[dict], list[dict]]:
        kept, rejects = [], []
        for record in records:
            hit = self.match(record.get(self.config.record_field) or "")
            if hit is None:
                kept.append(record)
            else:
                rejects.append(Reject.from_record(record, STAGE, "contaminated", hit).row())
        return kept, rejects


def batch_logic(config: DecontaminateConfig, build_seed: int) -> Decontaminator:
    return Decontaminator(config)


def cache_key(config: DecontaminateConfig) -> list | None:
    """The section and the contents of its benchmark files (a file edited in place changes what is dropped);
    None when a file cannot be read: the stage itself reports it."""
    import hashlib

    from reasonry import storage
    from reasonry.config import to_dict

    try:
        benchmarks = [hashlib.blake2b(storage.read_bytes(path), digest_size=16).hexdigest()
                      for path in config.benchmarks]
    except OSError:
        return None
    return [to_dict(config), benchmarks]
