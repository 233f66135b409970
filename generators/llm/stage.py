"""The model stage without Beam: sample every eligible record of a batch, grade, and filter by self-consistency.

``SamplingStage(config).process(batch)`` returns (records, rejects, stats). All prompts of a round go to the
server in one ``generate`` call (concurrent requests, ``n`` samples per request), so batching is across
records. Rounds follow the dynamic allocator; each round has its own seed, so a rerun with the same config
asks for exactly the same requests and the disk cache answers all of them.

A server that stays unreachable raises ``ModelServerUnavailable`` (nothing is dropped: a rerun resumes from
the cache); a request the server refuses rejects only its record, with reason ``model_request_error``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from reasonry.config import from_dict, require
from reasonry.filters.self_consistency import (
    Allocator,
    SelfConsistencyConfig,
    apply_policy,
    grade_rollout,
    needs_pseudo_label,
)
from reasonry.generators.llm.client import ModelClient, ModelRequestError
from reasonry.generators.llm.config import ClientConfig
from reasonry.verifiers.judge import JudgeConfig, decide


@dataclass(frozen=True)
class SamplingStageConfig:
    """``stages.sampling`` of a build configuration."""

    enabled: bool = True
    client: ClientConfig | None = None
    tasks: tuple[str, ...] = ("*",)  # glob patterns: which records are sampled (the rest pass through)
    prompt_template: str = "{prompt}"
    max_tokens: int = 1024
    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int = 0
    self_consistency: SelfConsistencyConfig = field(default_factory=SelfConsistencyConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)

    def __post_init__(self):
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


def reject(reason: str, detail: str, record: dict) -> dict:
    return {"reason": reason, "detail": detail, "task": record.get("task", ""), "id": record.get("id"),
            "record": record}


class SamplingStage:
    """Holds the model clients of one worker; ``setup`` connects (or starts the server), ``process`` runs."""

    def __init__(self, config: SamplingStageConfig, client: ModelClient | None = None,
                 judge_client: ModelClient | None = None):
        self.config = config
        self.client = client
        self.judge_client = judge_client

    def setup(self) -> None:
        if self.client is None:
            self.client = ModelClient(self.config.client)
        self.client.connect()
        if self.config.judge.enabled and self.judge_client is None:
            if self.config.judge.client:
                self.judge_client = ModelClient(from_dict(ClientConfig, self.config.judge.client, "judge.client"))
                self.judge_client.connect()
            else:
                self.judge_client = self.client

    def teardown(self) -> None:
        for client in (self.client, self.judge_client):
            if client is not None:
                client.close()

    def wants(self, record: dict) -> bool:
        return self.config.enabled and any(fnmatch.fnmatchcase(record["task"], p) for p in self.config.tasks)

    def _prompt(self, record: dict) -> str:
        return self.config.prompt_template.replace("{prompt}", record["prompt"])

    def _judge(self, records: list[dict], graded: list[list[dict]]) -> None:
        """Second opinion on every rule-based 'no' that has an answer, in one batched model call."""
        where, items = [], []
        for record, rollouts in zip(records, graded, strict=True):
            if needs_pseudo_label(record, self.config.self_consistency.pseudo_label):
                continue  # no trusted reference to compare against
            for rollout in rollouts:
                if not rollout["correct"] and rollout["answer"] is not None:
                    where.append(rollout)
                    items.append((record["prompt"], record["answer"], rollout["answer"]))
        if not items:
            return
        for rollout, verdict in zip(where, decide(self.judge_client, items, self.config.judge), strict=True):
            rollout["correct"] = verdict.ok
            rollout["reason"] = f"{rollout['reason']}; judge: {verdict.reason}"

    def process(self, batch: list[dict]) -> tuple[list[dict], list[dict], dict]:
        cfg = self.config
        if self.client is None:
            self.setup()
        eligible = [i for i, record in enumerate(batch) if self.wants(record)]
        allocator = Allocator(len(eligible), cfg.self_consistency.allocation)
        rollouts: list[list[dict]] = [[] for _ in eligible]
        failed: dict[int, Exception] = {}
        round_no = 0
        while True:
            plan = {i: k for i, k in allocator.next_round().items() if i not in failed}
            if not plan:
                break
            for k in sorted(set(plan.values())):
                idxs = [i for i in sorted(plan) if plan[i] == k]
                records = [batch[eligible[i]] for i in idxs]
                results = self.client.generate_each(
                    [self._prompt(r) for r in records], n=k, max_tokens=cfg.max_tokens,
                    temperature=cfg.temperature, top_p=cfg.top_p, stop=list(cfg.stop) or None,
                    seed=cfg.seed + round_no)
                for result in results:
                    # Only a refused request is the record's fault; an unreachable or unstartable server
                    # stops the stage (nothing is dropped, a rerun resumes from the cache).
                    if isinstance(result, Exception) and not isinstance(result, ModelRequestError):
                        raise result
                ok_idxs, ok_records, graded = [], [], []
                for i, record, result in zip(idxs, records, results, strict=True):
                    if isinstance(result, Exception):
                        failed[i] = result
                        continue
                    ok_idxs.append(i)
                    ok_records.append(record)
                    graded.append([grade_rollout(record, text) for text in result])
                if self.judge_client is not None and cfg.judge.enabled:
                    self._judge(ok_records, graded)
                for i, group in zip(ok_idxs, graded, strict=True):
                    rollouts[i].extend(group)
                    allocator.record(i, [r["correct"] for r in group])
            round_no += 1

        out: list[dict] = []
        rejects: list[dict] = []
        stats: dict[str, int] = {"records_in": len(batch), "records_sampled": len(eligible)}
        position = {batch_index: j for j, batch_index in enumerate(eligible)}
        for batch_index, record in enumerate(batch):
            j = position.get(batch_index)
            if j is None:
                out.append(record)
                continue
            if j in failed:
                rejects.append(reject("model_request_error", str(failed[j]), record))
                stats["dropped_model_request_error"] = stats.get("dropped_model_request_error", 0) + 1
                continue
            annotated, keep, reason = apply_policy(record, rollouts[j], cfg.self_consistency)
            summary = annotated["meta"].get("self_consistency", {})
            stats["samples_correct"] = stats.get("samples_correct", 0) + summary.get("correct", 0)
            if keep:
                out.append(annotated)
                bucket = summary.get("bucket") or "none"
                stats[f"bucket_{bucket}"] = stats.get(f"bucket_{bucket}", 0) + 1
            else:
                detail = f"pass_rate={summary.get('pass_rate', 0):.3f} k={summary.get('k', 0)} " \
                         f"agreement={summary.get('agreement', 0):.3f}"
                rejects.append(reject(reason, detail, annotated))
                stats[f"dropped_{reason}"] = stats.get(f"dropped_{reason}", 0) + 1
        report = allocator.report()
        for name in ("samples_used", "samples_fixed_k", "samples_saved"):
            stats[name] = report[name]
        stats["records_out"] = len(out)
        return out, rejects, stats
