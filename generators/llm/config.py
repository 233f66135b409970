"""Configuration of the model client and of the vLLM server it may start.

Two modes: ``url`` talks to a server the user runs; ``spawn`` starts vLLM's OpenAI-compatible server from a
configured interpreter (a separate virtual environment, because vLLM's pins conflict with apache-beam), once
per worker process, and stops it when the process ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reasonry.config import require


@dataclass(frozen=True)
class ServerConfig:
    """How to start vLLM ourselves (``mode: spawn``)."""

    python: str = ".venv-vllm/bin/python"
    host: str = "127.0.0.1"
    port: int = 0  # 0 = pick a free port
    # Extra command-line flags for ``vllm.entrypoints.openai.api_server`` (e.g. --max-model-len 2048).
    args: tuple[str, ...] = ()
    # Extra environment; the CPU build needs VLLM_CPU_KVCACHE_SPACE (GiB of KV cache).
    env: dict[str, str] = field(default_factory=dict)
    startup_timeout_s: float = 600.0
    log_dir: str = ""  # "" = a temporary directory
    # process: one server per worker process; machine: one per machine, shared by its worker processes.
    share: Literal["process", "machine"] = "process"
    state_dir: str = ""  # where machine-shared servers keep their lock and state files ("" = temp dir)

    def __post_init__(self):
        require(bool(self.python), "server.python", "name the interpreter that has vllm installed")
        require(0 <= self.port <= 65535, "server.port", f"must be in 0..65535, got {self.port}")
        require(self.startup_timeout_s > 0, "server.startup_timeout_s", "must be > 0")


@dataclass(frozen=True)
class ClientConfig:
    """Where the model is and how requests are sent."""

    model: str = ""  # HF id or local path; what the server loads
    mode: Literal["url", "spawn"] = "url"
    url: str = "http://127.0.0.1:8000"  # mode url: the server's base URL (without /v1)
    served_model_name: str = ""  # "" = model
    # Part of every cache key: change it when the weights behind the same name change.
    model_revision: str = ""
    api: Literal["completions", "chat"] = "completions"
    api_key: str = ""  # sent as a bearer token when set; never written to caches or logs
    cache_dir: str = ""  # "" = no disk cache
    concurrency: int = 16
    request_timeout_s: float = 600.0
    max_retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    server: ServerConfig = field(default_factory=ServerConfig)

    def __post_init__(self):
        require(bool(self.model), "model", "name the model (HF id or local path)")
        require(self.concurrency >= 1, "concurrency", f"must be >= 1, got {self.concurrency}")
        require(self.request_timeout_s > 0, "request_timeout_s", "must be > 0")
        require(self.max_retries >= 0, "max_retries", f"must be >= 0, got {self.max_retries}")
        require(self.backoff_s >= 0 and self.max_backoff_s >= 0, "backoff_s", "backoff times are >= 0")
        if self.mode == "url":
            require(self.url.startswith(("http://", "https://")), "url", f"an http(s) URL, got {self.url!r}")

    @property
    def name(self) -> str:
        """The model name requests carry (what the server serves it as)."""
        return self.served_model_name or self.model
