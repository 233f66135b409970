"""Configuration of the web Q&A source: crawl politeness and caps, extraction limits, the stage as a whole.

The pipeline reads the stage from ``stages.webqa`` of a build config and validates it with
``reasonry.config.from_dict(WebQAStageConfig, ...)``; every check names its field.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from reasonry.config import require
from reasonry.models.config import ClientConfig


@dataclass(frozen=True)
class CrawlConfig:
    seeds: tuple[str, ...] = ()
    # Regexes a URL must match (any) to be fetched; empty = stay on the seeds' hosts.
    allow_patterns: tuple[str, ...] = ()
    deny_patterns: tuple[str, ...] = ()
    out_dir: str = "crawl"
    max_pages: int = 1000
    max_depth: int = 6
    concurrency: int = 4
    per_host_concurrency: int = 1
    per_host_delay_s: float = 1.0
    max_redirects: int = 5
    max_page_bytes: int = 2_000_000
    # One deadline per fetch: connect, headers and body together, however slowly the server sends.
    timeout_s: float = 10.0
    max_total_s: float = 3600.0
    # 429, 503 and connection resets: retried with backoff (retry_backoff_s, doubling), waiting at least what
    # Retry-After asks; a server asking for more than max_retry_wait_s is given up on at once.
    max_retries: int = 3
    retry_backoff_s: float = 1.0
    max_retry_wait_s: float = 60.0
    # Only addresses Python's ipaddress calls global are fetched, plus these (exact addresses, or CIDR
    # networks allowed explicitly, e.g. "127.0.0.1" for tests).
    allow_addresses: tuple[str, ...] = ()
    user_agent: str = "reasonry-webqa/0.1"
    fsync: bool = True
    # A URL in flight when a crawl crashed may or may not have reached the server. False (default): never
    # request it again (at most one fetch per URL); True: fetch it again on resume (no page lost).
    retry_interrupted: bool = False

    def __post_init__(self):
        for i, seed in enumerate(self.seeds):
            require(bool(re.match(r"^https?://[^/\s]+", seed)), f"seeds[{i}]", f"an http(s) URL, got {seed!r}")
        for name in ("allow_patterns", "deny_patterns"):
            for i, pattern in enumerate(getattr(self, name)):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    require(False, f"{name}[{i}]", f"not a valid regex: {exc}")
        for i, addr in enumerate(self.allow_addresses):
            try:
                ipaddress.ip_network(addr, strict=False)
            except ValueError:
                require(False, f"allow_addresses[{i}]", f"an IP address or CIDR network, got {addr!r}")
        require(self.max_pages >= 1, "max_pages", "must be >= 1")
        require(self.max_depth >= 0, "max_depth", "must be >= 0")
        require(1 <= self.concurrency <= 256, "concurrency", "must be in 1..256")
        require(1 <= self.per_host_concurrency <= self.concurrency, "per_host_concurrency",
                "must be in 1..concurrency")
        require(self.per_host_delay_s >= 0, "per_host_delay_s", "must be >= 0")
        require(0 <= self.max_redirects <= 30, "max_redirects", "must be in 0..30")
        require(self.max_page_bytes >= 1024, "max_page_bytes", "must be >= 1024")
        require(self.timeout_s > 0, "timeout_s", "must be > 0")
        require(self.max_total_s > 0, "max_total_s", "must be > 0")
        require(0 <= self.max_retries <= 10, "max_retries", "must be in 0..10")
        require(self.retry_backoff_s >= 0, "retry_backoff_s", "must be >= 0")
        require(self.max_retry_wait_s >= 0, "max_retry_wait_s", "must be >= 0")
        require(bool(self.out_dir), "out_dir", "must not be empty")


@dataclass(frozen=True)
class ModelExtractConfig:
    """Model-based extraction (General-Reasoner's step): pages where the rules found no Q&A are shown to a
    model, which quotes a question and its human-written answer; both must appear in the page."""

    client: ClientConfig
    max_tokens: int = 256
    max_page_chars: int = 6000  # of the page's main text, sent to the model

    def __post_init__(self):
        require(self.max_tokens >= 16, "max_tokens", "must be >= 16")
        require(self.max_page_chars >= 200, "max_page_chars", "must be >= 200")


@dataclass(frozen=True)
class ExtractConfig:
    max_page_bytes: int = 2_000_000
    min_question_words: int = 4
    max_question_chars: int = 4000
    max_answer_words: int = 8
    max_answer_chars: int = 120
    subject: Literal["keywords", "none"] = "keywords"
    model: ModelExtractConfig | None = None  # off unless configured

    def __post_init__(self):
        require(self.max_page_bytes >= 1024, "max_page_bytes", "must be >= 1024")
        require(self.min_question_words >= 1, "min_question_words", "must be >= 1")
        require(self.max_question_chars >= 20, "max_question_chars", "must be >= 20")
        require(self.max_answer_words >= 1, "max_answer_words", "must be >= 1")
        require(self.max_answer_chars >= 1, "max_answer_chars", "must be >= 1")


@dataclass(frozen=True)
class WebQAStageConfig:
    """``stages.webqa``: where pages come from (a crawl, WARC files, or both) and how they become records."""

    enabled: bool = True
    warc_paths: tuple[str, ...] = ()  # local paths, globs or fsspec URLs (s3://, gs://, https://)
    # A crawl runs when it has seeds (an optional nested section would lose field names in config errors).
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    split: Literal["train", "test"] = "train"
    batch_size: int = 200
    storage_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        require(self.batch_size >= 1, "batch_size", "must be >= 1")
        require(not self.enabled or bool(self.warc_paths) or bool(self.crawl.seeds), "warc_paths",
                "give warc_paths or crawl.seeds")
