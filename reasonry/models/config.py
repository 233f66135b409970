"""Configuration of the model client and of the vLLM server it may start.

Two modes: ``url`` talks to a server the user runs; ``spawn`` starts vLLM's OpenAI-compatible server from a
configured interpreter (a separate virtual environment, because vLLM's pins conflict with apache-beam), once
per worker process (or machine), and stops it when the process ends.

Data parallelism: ``server.gpus: ["0", "1", ...]`` starts one server per entry, each seeing only its own GPUs
(``CUDA_VISIBLE_DEVICES``; an entry "0,1" with ``--tensor-parallel-size 2`` shards one model over two), and
``urls: [...]`` names several servers in url mode; either way the client spreads requests over them in turn.
Every sample has its own seed, so which server answers does not change what is asked for.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

from reasonry.config import require
from reasonry.errors import ConfigError


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
    # One server per entry, each with CUDA_VISIBLE_DEVICES set to it; empty = one server that sees every device.
    gpus: tuple[str, ...] = ()

    def __post_init__(self):
        require(all(g.strip() for g in self.gpus) and len(set(self.gpus)) == len(self.gpus), "server.gpus",
                'distinct device lists such as ["0", "1"] or ["0,1", "2,3"]')
        require(not (self.gpus and self.port), "server.port", "one port cannot serve several replicas: use 0")
        require(bool(self.python), "server.python", "name the interpreter that has vllm installed")
        require(0 <= self.port <= 65535, "server.port", f"must be in 0..65535, got {self.port}")
        require(self.startup_timeout_s > 0, "server.startup_timeout_s", "must be > 0")


@dataclass(frozen=True)
class ClientConfig:
    """Where the model is and how requests are sent."""

    model: str = ""  # HF id or local path; what the server loads
    mode: Literal["url", "spawn"] = "url"
    url: str = "http://127.0.0.1:8000"  # mode url: the server's base URL (without /v1)
    urls: tuple[str, ...] = ()  # mode url: several identical servers (data parallel); replaces ``url``
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
            for url in self.urls or (self.url,):
                require(url.startswith(("http://", "https://")), "url", f"an http(s) URL, got {url!r}")

    def replicas(self) -> list[ClientConfig]:
        """One configuration per server in spawn mode: one per ``server.gpus`` entry, or just this one."""
        if not self.server.gpus:
            return [self]
        return [dataclasses.replace(self, server=dataclasses.replace(
            self.server, gpus=(), env={**self.server.env, "CUDA_VISIBLE_DEVICES": gpus})) for gpus in self.server.gpus]

    @property
    def name(self) -> str:
        """The model name requests carry (what the server serves it as)."""
        return self.served_model_name or self.model


def required_client(config: ClientConfig | None, path: str) -> ClientConfig:
    """A stage's client configuration when the stage runs (its config check already asked for one)."""
    if config is None:
        raise ConfigError("the stage needs a client", path=path)
    return config
