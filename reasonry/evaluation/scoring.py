"""Sampling and grading of eval items, without Beam: ``EvalScorer(config).score(batch)``.

Every prompt is the record's prompt plus the answer-format instruction that the RL export appends
(``reasonry.answers.answer_instruction``), so the model is told the format the grader reads. Each item gets
``k`` samples in one request (``reasonry.models.client``: concurrent, retried, cached on disk by
(model, prompt, sampling parameters), so a rerun makes no request). Samples are graded by
``reasonry.answers.grade``, the one answer semantics shared with ``reasonry verify`` and ``reasonry.rewards``.

A request the server refuses (``ModelRequestError``) or a verifier that raises makes that item an *error*: it
is counted in its group's ``errors`` and left out of the metrics, never scored as wrong. A server that stays
unreachable raises ``ModelServerUnavailable``: the eval stops and a rerun resumes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from reasonry.answers import answer_instruction, extract_answer, grade, vote_key
from reasonry.config import require
from reasonry.evaluation.items import bucket_of
from reasonry.evaluation.metrics import majority_correct
from reasonry.models.client import ModelClient, ModelRequestError
from reasonry.models.config import ClientConfig


@dataclass(frozen=True)
class EvalConfig:
    """What to sample and which items: the flags of ``reasonry eval`` (or an ``eval`` config section)."""

    client: ClientConfig
    k: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 1024
    seed: int = 0                      # the sampling seed and the subsample's
    tasks: tuple[str, ...] = ("*",)    # glob patterns
    buckets: tuple[str, ...] = ()      # () = every bucket
    limit: int = 0                     # items per (task, bucket); 0 = all
    batch_size: int = 16               # items per unit of work (one Beam element)
    tokenizer: str = ""                # tokenizer.json or a folder holding it; "" = the model's own
    max_failure_rate: float = 0.1      # items in error beyond this share fail the eval

    def __post_init__(self):
        require(self.k >= 1, "k", f"must be >= 1, got {self.k}")
        require(self.temperature >= 0, "temperature", "must be >= 0")
        require(0 < self.top_p <= 1, "top_p", "must be in (0, 1]")
        require(self.max_tokens >= 1, "max_tokens", "must be >= 1")
        require(self.limit >= 0, "limit", "must be >= 0")
        require(self.batch_size >= 1, "batch_size", "must be >= 1")
        require(0 <= self.max_failure_rate <= 1, "max_failure_rate", "must be in [0, 1]")
        for bucket in self.buckets:
            require(bucket in ("S", "M", "L", "all"), "buckets", f"S, M, L or all, not {bucket!r}")

    def sampling(self) -> dict:
        """The sampling parameters: part of every cache key and of the report."""
        return {"k": self.k, "temperature": self.temperature, "top_p": self.top_p, "max_tokens": self.max_tokens,
                "seed": self.seed, "api": self.client.api}


def eval_prompt(record: dict) -> str:
    return record["prompt"] + "\n\n" + answer_instruction(record["answer_type"])


class TokenCounter:
    """Output tokens by the model's own tokenizer (``tokenizer.json`` of a local model folder, of the local HF
    cache, or the one named by ``tokenizer``); without one it counts whitespace-separated words and says so."""

    def __init__(self, model: str, tokenizer: str = ""):
        self._tok = None
        self.unit = "words"
        path = self._find(model, tokenizer)
        if path:
            try:
                from tokenizers import Tokenizer

                self._tok = Tokenizer.from_file(path)
                self.unit = "tokens"
            except Exception:
                self._tok = None

    @staticmethod
    def _find(model: str, tokenizer: str) -> str | None:
        for candidate in (tokenizer, model):
            if not candidate:
                continue
            if os.path.isfile(candidate):
                return candidate
            if os.path.isfile(os.path.join(candidate, "tokenizer.json")):
                return os.path.join(candidate, "tokenizer.json")
        if tokenizer:
            return None
        try:
            from huggingface_hub import hf_hub_download

            return hf_hub_download(model, "tokenizer.json", local_files_only=True)
        except Exception:
            return None

    def count(self, text: str) -> int:
        if self._tok is None:
            return len(text.split())
        return len(self._tok.encode(text, add_special_tokens=False).ids)


def grade_item(record: dict, texts: list[str], counter: TokenCounter) -> dict:
    """One item's result: per-sample verdicts and the counts the metrics use."""
    answer_type = record["answer_type"]
    samples: list[dict[str, Any]] = []
    keys: list[str | None] = []
    correct: list[bool] = []
    for text in texts:
        verdict = grade(record["verifier"], answer_type, text)
        answer, _how = extract_answer(text, answer_type)
        samples.append({"text": text, "answer": answer, "correct": bool(verdict.ok), "reason": verdict.reason,
                        "tokens": counter.count(text)})
        keys.append(vote_key(answer, answer_type) if answer is not None else None)
        correct.append(bool(verdict.ok))
    return {**_head(record), "n": len(texts), "correct": sum(correct),
            "no_answer": sum(1 for s in samples if s["answer"] is None),
            "majority_correct": majority_correct([s["answer"] for s in samples], keys, correct),
            "output_tokens": sum(s["tokens"] for s in samples), "tokens_unit": counter.unit, "error": None,
            "samples": samples}


def _head(record: dict) -> dict:
    return {"id": record["id"], "task": record["task"], "family": record["family"], "bucket": bucket_of(record)}


def error_item(record: dict, error: str) -> dict:
    return {**_head(record), "n": 0, "correct": 0, "no_answer": 0, "majority_correct": False, "output_tokens": 0,
            "tokens_unit": None, "error": error, "samples": []}


@dataclass
class EvalScorer:
    """Holds one worker's model client and tokenizer; ``score(batch)`` samples and grades a batch of items."""

    config: EvalConfig
    client: ModelClient | None = None
    counter: TokenCounter | None = field(default=None)

    def setup(self) -> None:
        if self.client is None:
            self.client = ModelClient(self.config.client)
        if self.counter is None:
            self.counter = TokenCounter(self.config.client.model, self.config.tokenizer)

    def teardown(self) -> None:
        if self.client is not None:
            self.client.close()

    def score(self, batch: list[dict]) -> list[dict]:
        if self.client is None or self.counter is None:
            self.setup()
        client, counter = self.client, self.counter
        assert client is not None and counter is not None  # setup made both
        cfg = self.config
        results = client.generate_each([eval_prompt(r) for r in batch], n=cfg.k, max_tokens=cfg.max_tokens,
                                            temperature=cfg.temperature, top_p=cfg.top_p, seed=cfg.seed)
        out = []
        for record, result in zip(batch, results, strict=True):
            if isinstance(result, ModelRequestError):
                out.append(error_item(record, f"model_request_error: {result}"))
            elif isinstance(result, Exception):
                raise result  # unreachable server: stop, a rerun resumes from the cache
            else:
                try:
                    out.append(grade_item(record, result, counter))
                except Exception as exc:  # a verifier must not raise; if one does, the item is an error
                    out.append(error_item(record, f"verifier_error: {type(exc).__name__}: {exc}"))
        return out
