"""The GPU path a user follows: configs/llm-gpu.yaml, `make vllm-gpu`, the Dataflow GPU image and example, the
README walkthrough and scripts/gpu_check.sh name the same model, vLLM version and flags, and the configuration
the check script writes is one the build accepts. (No GPU here: the script itself runs on a GPU machine.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from reasonry.config import load_config
from reasonry.generators.llm.stage import SamplingStageConfig

ROOT = Path(__file__).resolve().parents[2]


def gpu_stage(path: Path = ROOT / "configs" / "llm-gpu.yaml") -> SamplingStageConfig:
    return SamplingStageConfig.from_stages(load_config(path).stages)


def test_gpu_config_validates_and_uses_the_cuda_venv():
    stage = gpu_stage()
    assert stage.client.mode == "spawn" and stage.client.server.python == ".venv-vllm-gpu/bin/python"
    args = " ".join(stage.client.server.args)
    for flag in ("--dtype bfloat16", "--gpu-memory-utilization", "--max-num-seqs", "--tensor-parallel-size",
                 "--enable-prefix-caching"):
        assert flag in args
    max_num_seqs = int(stage.client.server.args[stage.client.server.args.index("--max-num-seqs") + 1])
    assert stage.client.concurrency >= max_num_seqs  # the server's batch can be kept full
    assert stage.self_consistency.allocation.rule == "gvm"


def test_model_and_vllm_version_agree_across_config_image_makefile_and_readme():
    model = gpu_stage().client.model
    docker = (ROOT / "dataflow" / "Dockerfile.gpu").read_text()
    assert re.search(r"^ARG MODEL=(\S+)$", docker, re.M).group(1) == model
    make_version = re.search(r"^VLLM_GPU_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert re.search(r"^ARG VLLM_VERSION=(\S+)$", docker, re.M).group(1) == make_version
    readme = (ROOT / "README.md").read_text()
    dataflow = readme[readme.index("GPU workers (model sampling"):readme.index("As a flex template")]
    assert "--config configs/llm-gpu.yaml" in dataflow
    assert "--set stages.sampling.client.server.python=/opt/vllm/bin/python" in dataflow
    walkthrough = readme[readme.index("### On one GPU, from an empty machine"):readme.index("## Benchmarks")]
    assert f"hf download {model}" in walkthrough and "make system-deps .venv/.installed vllm-gpu" in walkthrough
    assert "reasonry build configs/llm-gpu.yaml" in walkthrough
    for flag in ("--tensor-parallel-size", "--max-num-seqs", "--gpu-memory-utilization", "--dtype"):
        assert flag in walkthrough


def test_gpu_check_script_parses_and_writes_a_valid_config(tmp_path):
    script = ROOT / "scripts" / "gpu_check.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    writer = text[text.index("<<'EOF'\n") + len("<<'EOF'\n"):text.index("\nEOF\n")]
    model = tmp_path / "model"
    subprocess.run([sys.executable, "-", str(model), str(tmp_path), "/opt/vllm/bin/python"], input=writer,
                   text=True, check=True, cwd=ROOT)
    stage = gpu_stage(tmp_path / "gpu-check.yaml")
    assert stage.client.model == str(model) and stage.client.server.python == "/opt/vllm/bin/python"
    assert stage.client.cache_dir == f"{tmp_path}/cache"
    assert set(load_config(tmp_path / "gpu-check.yaml").tasks) == {"tail/addition",
                                                                   "pddl/blocksworld/plan_generation"}
