#!/usr/bin/env bash
# The GPU path in one go, on a fresh machine with an NVIDIA GPU and nothing reachable but package registries:
#   1. builds the pipeline venv and CUDA vLLM (`make system-deps .venv/.installed vllm-gpu`);
#   2. builds a random-weight model of Qwen2.5-0.5B's shape (no download: the cost per token of the real one);
#   3. runs bench/llm.py on it: tokens/s through our client and through the whole sampling stage, each against
#      vLLM's offline engine on the same prompts;
#   4. runs a small self-consistency build from configs/llm-gpu.yaml on that model and prints its counts.
# Meant to finish in under 10 minutes on one GPU once packages are cached. Usage (from the repository root):
#   bash scripts/gpu_check.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-${TMPDIR:-/tmp}/reasonry-gpu-check}
mkdir -p "$WORK"
started=$(date +%s)
step() { echo "== $(( $(date +%s) - started ))s: $*"; }

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu_check: no NVIDIA GPU visible (nvidia-smi -L failed); this check needs one" >&2
  exit 2
fi
nvidia-smi -L

step "environments (make system-deps .venv/.installed vllm-gpu)"
make -s system-deps .venv/.installed vllm-gpu
VLLM_PY=.venv-vllm-gpu/bin/python

step "random-weight model of Qwen2.5-0.5B's shape"
MODEL="$WORK/qwen2.5-0.5b-shape"
.venv/bin/python -c "import sys; from reasonry.models.tiny_model import build_qwen_shaped
build_qwen_shaped(sys.argv[1], python=sys.argv[2])" "$MODEL" "$VLLM_PY"

step "bench/llm.py: our client and the whole stage against vLLM offline"
FLAGS=(--server-arg=--dtype=bfloat16 --server-arg=--max-model-len=2048 --server-arg=--max-num-seqs=256
       --server-arg=--gpu-memory-utilization=0.85 --server-arg=--enable-prefix-caching)
.venv/bin/python bench/llm.py --model "$MODEL" --python "$VLLM_PY" --prompts 128 --n 4 --max-tokens 256 \
    --concurrency 128 --repeat 2 "${FLAGS[@]}" | tee "$WORK/bench.txt"

step "a small self-consistency build (configs/llm-gpu.yaml on the random model)"
.venv/bin/python - "$MODEL" "$WORK" "$VLLM_PY" <<'EOF'
import sys
from pathlib import Path

import yaml

model, work, python = sys.argv[1:4]
config = yaml.safe_load(Path("configs/llm-gpu.yaml").read_text())
config["build"]["name"] = "gpu-check"
config["tasks"] = {"tail/addition": {"train": {"S": 64}}, "pddl/blocksworld/plan_generation": {"train": {"all": 32}}}
sampling = config["stages"]["sampling"]
sampling["max_tokens"] = 256
client = sampling["client"]
client.update({"model": model, "cache_dir": f"{work}/cache"})
client["server"]["python"] = python
client["server"]["args"] = ["--dtype", "bfloat16", "--max-model-len", "4096", "--gpu-memory-utilization", "0.85",
                            "--max-num-seqs", "256", "--enable-prefix-caching"]
Path(work, "gpu-check.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
EOF
rm -rf "$WORK/cache" "$WORK/build"
t0=$(date +%s)
.venv/bin/reasonry build "$WORK/gpu-check.yaml" --out "$WORK/build"
build_s=$(( $(date +%s) - t0 ))
.venv/bin/python - "$WORK/build/manifest.json" "$build_s" <<'EOF'
import json
import sys

manifest = json.load(open(sys.argv[1]))
counters = {k.split("/", 1)[1]: v for k, v in manifest["run"]["beam_counters"].items() if k.startswith("sampling/")}
kept = sum(t["kept"] for t in manifest["tasks"].values())
print(f"build: {sys.argv[2]} s wall, {kept} records kept; samples used {counters.get('samples_used', 0)} "
      f"(fixed k at the same budget: {counters.get('samples_fixed_k', 0)}), failed {counters.get('samples_failed', 0)}")
print("sampling counters:", json.dumps(counters, sort_keys=True))
EOF

step "done"
grep -E "^(our client|vLLM offline|ratio|stage|whole)" "$WORK/bench.txt"
