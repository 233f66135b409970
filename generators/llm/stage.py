"""The model stage without Beam: sample every eligible record of a batch, grade, and filter by self-consistency.

``SamplingStage(config, build_seed).process(batch)`` returns (records, rejects, stats). Every sample is its own
request (``n = 1``) with its own seed, derived from (build seed, stage seed, record id, round, sample index):
samples never share a seed, so they are independent draws whatever rule the server uses to seed the ``n``
samples of one request (vLLM seeds sample i with seed + i, which made rounds seeded seed + round overlap).
All requests of a round go to the server at once (concurrent), so batching is across records and samples;
a rerun with the same config asks for exactly the same requests and the disk cache answers all of them,
without connecting to a server.

A server that stays unreachable raises ``ModelServerUnavailable`` (nothing is dropped: a rerun resumes from
the cache); a request the server refuses (HTTP 4xx, e.g. a prompt longer than the context) rejects only its
record, with reason ``model_request_error`` and the server's message.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
from dataclasses import dataclass, field

from reasonry.answers import answer_instruction
from reasonry.config import from_dict, require
from reasonry.errors import BuildFailed
from reasonry.filters.self_consistency import (
    Allocator,
    SelfConsistencyConfig,
    apply_judge,
    apply_policy,
    grade_rollout,
    judge_applies,
    needs_pseudo_label,
)
from reasonry.models.client import ModelClient, ModelRequestError
from reasonry.models.config import ClientConfig, required_client
from reasonry.rejects import Reject
from reasonry.verifiers.judge import JudgeConfig, decide

log = logging.getLogger(__name__)


def sample_seed(build_seed: int, stage_seed: int, record_id: str, round_no: int, index: int) -> int:
    """The seed of one sample: a 63-bit hash, so it is valid for any server that takes a signed 64-bit seed."""
    key = f"reasonry.sample.v1|{build_seed}|{stage_seed}|{record_id}|{round_no}|{index}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") & (2**63 - 1)


@dataclass(frozen=True)
class SamplingStageConfig:
    """``stages.sampling`` of a build configuration."""

    enabled: bool = True
    client: ClientConfig | None = None
    tasks: tuple[str, ...] = ("*",)  # glob patterns: which records are sampled (the rest pass through)
    # ``{instruction}`` is the answer-format sentence for the record's answer type (reasonry.answers), the same
    # the RL export ends its prompts with, so the reply is read the way the model was told to write it.
    prompt_template: str = "{prompt}\n\n{instruction}"
    max_tokens: int = 1024
    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int = 0
    self_consistency: SelfConsistencyConfig = field(default_factory=SelfConsistencyConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    # A build whose sampled records are kept at a lower rate fails (0 = never; a build keeping nothing warns).
    min_kept_fraction: float = 0.0

    def __post_init__(self):
        require(0.0 <= self.min_kept_fraction <= 1.0, "min_kept_fraction", "must be in [0, 1]")
        require(not self.enabled or self.client is not None, "client", "the sampling stage needs a client")
        require("{prompt}" in self.prompt_template, "prompt_template", "must contain {prompt}")
        require(self.max_tokens >= 1, "max_tokens", "must be >= 1")
        require(self.temperature >= 0, "temperature", "must be >= 0")
        require(0 < self.top_p <= 1, "top_p", "must be in (0, 1]")

    @classmethod
    def from_stages(cls, stages: dict, key: str = "sampling") -> SamplingStageConfig | None:
        """The validated section ``stages.<key>`` of a build config, or None when it is absent."""
        if key not in stages:
            return None
        return from_dict(cls, stages[key], f"stages.{key}")


STAGE = "sampling"


def _short(exc: Exception, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "..."


class SamplingStage:
    """Holds the model clients of one worker. Nothing connects before a request misses the cache."""

    def __init__(self, config: SamplingStageConfig, client: ModelClient | None = None,
                 judge_client: ModelClient | None = None, build_seed: int = 0):
        self.config = config
        self.client = client
        self.judge_client = judge_client
        self.build_seed = build_seed

    def setup(self) -> None:
        if self.client is None:
            self.client = ModelClient(required_client(self.config.client, "stages.sampling.client"))
        if self.config.judge.enabled and self.judge_client is None:
            if self.config.judge.client:
                self.judge_client = ModelClient(from_dict(ClientConfig, self.config.judge.client, "judge.client"))
            else:
                self.judge_client = self.client

    def teardown(self) -> None:
        for client in (self.client, self.judge_client):
            if client is not None:
                client.close()

    def wants(self, record: dict) -> bool:
        return self.config.enabled and any(fnmatch.fnmatchcase(record["task"], p) for p in self.config.tasks)

    def _prompt(self, record: dict) -> str:
        instruction = answer_instruction(record.get("answer_type", "string"))
        return self.config.prompt_template.replace("{instruction}", instruction).replace("{prompt}", record["prompt"])

    def _judge(self, records: list[dict], graded: list[list[dict]], stats: dict[str, int]) -> None:
        """Second opinion on the rule-based 'no's that a rule can get wrong, in one batched model call."""
        cfg = self.config
        where, items = [], []
        for record, rollouts in zip(records, graded, strict=True):
            if needs_pseudo_label(record, cfg.self_consistency.pseudo_label):
                continue  # no trusted reference to compare against
            if not judge_applies(record, cfg.judge.answer_types, cfg.judge.tasks):
                continue  # an exact verifier's no is final
            for rollout in rollouts:
                if not rollout["correct"] and rollout["answer"] is not None:
                    where.append(rollout)
                    items.append((record["prompt"], record["answer"], rollout["answer"]))
        if not items:
            return
        for rollout, verdict in zip(where, decide(self.judge_client, items, cfg.judge), strict=True):
            apply_judge(rollout, verdict)
            stats["judge_consulted"] = stats.get("judge_consulted", 0) + 1
            if verdict.ok:
                stats["judge_overruled"] = stats.get("judge_overruled", 0) + 1

    def process(self, batch: list[dict]) -> tuple[list[dict], list[dict], dict]:
        cfg = self.config
        if self.client is None:
            self.setup()
        client = self.client
        assert client is not None  # setup made it
        stats: dict[str, int] = {"records_in": len(batch)}
        eligible = [i for i, record in enumerate(batch) if self.wants(record)]
        allocator = Allocator(len(eligible), cfg.self_consistency.allocation)
        rollouts: list[list[dict]] = [[] for _ in eligible]
        asked = [0] * len(eligible)
        failed: dict[int, str] = {}
        round_no = 0
        while plan := {i: k for i, k in allocator.next_round().items() if i not in failed}:
            jobs = []  # (record position, seed) per sample
            for i in sorted(plan):
                record_id = batch[eligible[i]]["id"]
                for n in range(plan[i]):
                    jobs.append((i, sample_seed(self.build_seed, cfg.seed, record_id, round_no, asked[i] + n)))
                asked[i] += plan[i]
            results = client.generate_each(
                [self._prompt(batch[eligible[i]]) for i, _ in jobs], n=1, max_tokens=cfg.max_tokens,
                temperature=cfg.temperature, top_p=cfg.top_p, stop=list(cfg.stop) or None,
                seed=[seed for _, seed in jobs])
            for result in results:
                # Only a refused request is the record's fault; an unreachable or unstartable server (or one
                # that serves another model) stops the stage: nothing is dropped, a rerun resumes from the cache.
                if isinstance(result, Exception) and not isinstance(result, ModelRequestError):
                    raise result
            texts: dict[int, list[str]] = {}
            refused: dict[int, int] = {}
            for (i, _), result in zip(jobs, results, strict=True):
                if isinstance(result, Exception):
                    failed.setdefault(i, _short(result))
                    refused[i] = refused.get(i, 0) + 1
                else:
                    texts.setdefault(i, []).extend(result)
            for i, count in refused.items():
                allocator.fail(i, count)
            ok = [i for i in sorted(texts) if i not in failed]
            graded = [[grade_rollout(batch[eligible[i]], text) for text in texts[i]] for i in ok]
            if self.judge_client is not None and cfg.judge.enabled:
                self._judge([batch[eligible[i]] for i in ok], graded, stats)
            for i, group in zip(ok, graded, strict=True):
                rollouts[i].extend(group)
                allocator.record(i, [r["correct"] for r in group])
            round_no += 1

        out: list[dict] = []
        rejects: list[dict] = []
        stats["records_sampled"] = len(eligible)
        position = {batch_index: j for j, batch_index in enumerate(eligible)}
        for batch_index, record in enumerate(batch):
            j = position.get(batch_index)
            if j is None:
                out.append(record)
                continue
            if j in failed:
                rejects.append(Reject.from_record(record, STAGE, "model_request_error", failed[j]).row())
                stats["dropped_model_request_error"] = stats.get("dropped_model_request_error", 0) + 1
                continue
            annotated, keep, reason = apply_policy(record, rollouts[j], cfg.self_consistency)
            summary = annotated["meta"].get("self_consistency", {})
            stats["samples_correct"] = stats.get("samples_correct", 0) + (summary.get("correct") or 0)
            if keep:
                out.append(annotated)
                stats["records_kept"] = stats.get("records_kept", 0) + 1
                bucket = summary.get("bucket") or "none"
                stats[f"bucket_{bucket}"] = stats.get(f"bucket_{bucket}", 0) + 1
            else:
                p = summary.get("pass_rate")
                rate = f"{p:.3f}" if p is not None else "n/a (no reference)"
                detail = f"pass_rate={rate} k={summary.get('k', 0)} agreement={summary.get('agreement', 0):.3f}"
                rejects.append(Reject.from_record(annotated, STAGE, reason, detail).row())
                stats[f"dropped_{reason}"] = stats.get(f"dropped_{reason}", 0) + 1
        report = allocator.report()
        for name in ("samples_used", "samples_failed", "samples_budget", "samples_fixed_k",
                     "records_extended_unanimous"):
            stats[name] = report[name]
        stats["records_out"] = len(out)
        return out, rejects, stats


def batch_logic(config: SamplingStageConfig, build_seed: int) -> SamplingStage:
    return SamplingStage(config, build_seed=build_seed)


def check_kept(config: SamplingStageConfig, counters: dict[str, int], prefix: str = "sampling/") -> str | None:
    """After a build: a warning (returned, and logged) when sampling kept none of the records it sampled; an
    error (``BuildFailed``) when it kept fewer than ``min_kept_fraction`` of them. None when all is well."""
    sampled = counters.get(prefix + "records_sampled", 0)
    kept = counters.get(prefix + "records_kept", 0)
    if not sampled:
        return None
    dropped = {name[len(prefix) + len("dropped_"):]: n for name, n in counters.items()
               if name.startswith(prefix + "dropped_")}
    why = ", ".join(f"{reason} {n}" for reason, n in sorted(dropped.items(), key=lambda kv: -kv[1]))
    message = f"sampling kept {kept} of {sampled} records ({why or 'no drops counted'})"
    if kept < config.min_kept_fraction * sampled:
        raise BuildFailed(f"{message}: below stages.sampling.min_kept_fraction {config.min_kept_fraction}; "
                          "outputs and rejects/ are written")
    if kept == 0:
        log.warning("%s: the build has no sampled record; see rejects/", message)
        return message
    return None
