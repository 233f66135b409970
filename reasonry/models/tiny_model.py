"""A tiny random Llama with a word-level tokenizer, for exercising the real vLLM server offline.

Nothing can be downloaded here, so tests and benchmarks build their own model. Its head size is 64 because the
CPU build of vLLM rejects smaller attention heads. The weights are random: it produces the plumbing (token
counts, n samples, stop strings), not meaningful text. ``build_tiny_model`` runs the builder in the vLLM
interpreter, which has torch and transformers; the pipeline's own environment needs neither.

``hidden``, ``layers`` and ``extra_words`` scale it towards the per-token cost of a real small model (a real
vocabulary is tens of thousands of tokens), for benchmarks where the serving overhead must not dominate.

``build_qwen_shaped`` makes a random-weight model of Qwen2.5-0.5B's shape (24 layers, hidden 896, 14 query and
2 key-value heads of size 64, a 151,936-word vocabulary, bf16): a GPU benchmark on it costs what the real model
costs per token, without downloading it.

Run directly: ``<vllm python> tiny_model.py OUT_DIR [SEED [HIDDEN LAYERS EXTRA_WORDS]]`` or
``<vllm python> tiny_model.py OUT_DIR SEED qwen2.5-0.5b``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Small enough for a fast start, wide enough that every token is reasonably likely under random weights.
VOCAB = (
    ["<unk>", "<s>", "</s>"]
    + [str(d) for d in range(10)]
    + ["+", "-", "*", "=", "?", ":", ".", ",", "{", "}", "\\", "boxed", "Final", "answer", "Decision", "Yes", "No",
       "what", "is", "the", "of", "sum", "and", "a", "b", "x", "y", "Question", "Reference", "Candidate"]
)


QWEN_0_5B: dict[str, int | float] = {
    "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
    "num_key_value_heads": 2, "vocab_size": 151936, "rope_theta": 1000000.0}


def _build(out_dir: str, seed: int = 0, hidden: int = 64, layers: int = 2, extra_words: int = 0,
           shape: str = "llama") -> None:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    if shape == "qwen2.5-0.5b":
        extra_words = int(QWEN_0_5B["vocab_size"]) - len(VOCAB)
    words = VOCAB + [f"w{i}" for i in range(extra_words)]
    vocab = {word: i for i, word in enumerate(words)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", bos_token="<s>",
                                        eos_token="</s>", model_max_length=512)
    tokenizer.chat_template = (
        "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} {% endfor %}"
        "{% if add_generation_prompt %}answer : {% endif %}"
    )
    torch.manual_seed(seed)
    if shape == "qwen2.5-0.5b":
        config = Qwen2Config(**QWEN_0_5B, max_position_embeddings=4096, tie_word_embeddings=True,
                             bos_token_id=vocab["<s>"], eos_token_id=vocab["</s>"], pad_token_id=vocab["<unk>"],
                             torch_dtype="bfloat16")
        model = Qwen2ForCausalLM(config).to(torch.bfloat16)
        model.save_pretrained(out_dir)
        tokenizer.model_max_length = 4096
        tokenizer.save_pretrained(out_dir)
        return
    heads = max(1, hidden // 64)
    config = LlamaConfig(vocab_size=len(words), hidden_size=hidden, intermediate_size=2 * hidden,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads, head_dim=64,
                         max_position_embeddings=512,
                         bos_token_id=vocab["<s>"], eos_token_id=vocab["</s>"], pad_token_id=vocab["<unk>"],
                         tie_word_embeddings=False)
    model = LlamaForCausalLM(config).to(torch.float32)
    with torch.no_grad():
        # Rarely end early, so completions run to max_tokens or a stop string and token counts are comparable.
        model.lm_head.weight[vocab["</s>"]].mul_(0.0).add_(-0.05)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def build_tiny_model(out_dir: str | os.PathLike, python: str = ".venv-vllm/bin/python", seed: int = 0,
                     hidden: int = 64, layers: int = 2, extra_words: int = 0) -> Path:
    """Build the model into ``out_dir`` (skipped when it is already there) with the vLLM interpreter."""
    out = Path(out_dir)
    if (out / "config.json").exists() and (out / "tokenizer.json").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    argv = [str(out), str(seed), str(hidden), str(layers), str(extra_words)]
    subprocess.run([os.path.abspath(python), os.path.abspath(__file__), *argv], check=True,
                   env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"})
    return out


def build_qwen_shaped(out_dir: str | os.PathLike, python: str = ".venv-vllm/bin/python", seed: int = 0) -> Path:
    """A random-weight model of Qwen2.5-0.5B's shape in ``out_dir`` (skipped when it is already there)."""
    out = Path(out_dir)
    if (out / "config.json").exists() and (out / "tokenizer.json").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([os.path.abspath(python), os.path.abspath(__file__), str(out), str(seed), "qwen2.5-0.5b"],
                   check=True, env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"})
    return out


if __name__ == "__main__":
    if len(sys.argv) > 3 and not sys.argv[3].isdigit():
        _build(sys.argv[1], int(sys.argv[2]), shape=sys.argv[3])
    else:
        seed, hidden, layers, extra_words = (int(a) for a in sys.argv[2:6])  # as build_tiny_model passes them
        _build(sys.argv[1], seed, hidden, layers, extra_words)
