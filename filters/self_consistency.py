"""Self-consistency: grade k model samples per record, then bucket, keep, label or drop by pass rate.

Plain Python (no Beam, no HTTP): the caller passes the sampled texts in, so every rule here is testable with
controlled sample sets.

- ``grade_rollout``: extract the answer by ``answer_type`` and check it with the record's own verifier
  (optionally a model judge when the rule-based check says no). A reply without an answer is incorrect, and
  its reason says why.
- ``summarize``: pass rate, majority answer (by a normalised key) and its agreement.
- ``bucket_of``: ProtoReasoning's difficulty buckets by default (hard 0<p<=0.3, medium 0.4<=p<=0.6, easy
  0.7<=p<1); the ranges leave gaps, and a pass rate in a gap has no bucket.
- ``apply_policy``: ``rl`` keeps 0<p<1; ``sft`` keeps p>0 and takes the best correct rollout as the trace where
  the source has none; records without a reliable reference take the majority answer as a pseudo-label when
  agreement reaches a threshold.
- ``Allocator``: dynamic allocation (k0 samples, more only where the pass-rate estimate is still uncertain,
  never beyond the budget), with the samples saved against a fixed k.
"""

from __future__ import annotations

import copy
import fnmatch
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from reasonry.answers import extract_answer, grade, vote_key
from reasonry.config import require
from reasonry.verdict import Verdict

# ------------------------------------------------------------------------------------------------
# Configuration
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    name: str
    low: float
    high: float
    low_inclusive: bool = True
    high_inclusive: bool = True

    def __post_init__(self):
        require(bool(self.name), "buckets.name", "a bucket needs a name")
        require(0.0 <= self.low <= self.high <= 1.0, f"buckets.{self.name}", "needs 0 <= low <= high <= 1")

    def contains(self, p: float) -> bool:
        above = p >= self.low if self.low_inclusive else p > self.low
        below = p <= self.high if self.high_inclusive else p < self.high
        return above and below


DEFAULT_BUCKETS = (
    Bucket("hard", 0.0, 0.3, low_inclusive=False),
    Bucket("medium", 0.4, 0.6),
    Bucket("easy", 0.7, 1.0, high_inclusive=False),
)


@dataclass(frozen=True)
class PseudoLabelConfig:
    """Records without a reliable reference (web Q&A, or an empty answer) are labelled by majority vote."""

    enabled: bool = True
    tasks: tuple[str, ...] = ()  # glob patterns of tasks whose references are not trusted
    min_agreement: float = 0.6

    def __post_init__(self):
        require(0.0 < self.min_agreement <= 1.0, "pseudo_label.min_agreement", "must be in (0, 1]")


@dataclass(frozen=True)
class AllocationConfig:
    """Start with ``k0`` samples per record; add ``step`` at a time while the Wilson interval of the pass
    rate is wider than ``target_halfwidth``, up to ``k_max`` per record and ``budget_per_record`` on average
    over a batch. ``dynamic: false`` samples exactly ``k_max`` for every record."""

    dynamic: bool = True
    k0: int = 4
    step: int = 4
    k_max: int = 16
    budget_per_record: float = 10.0
    target_halfwidth: float = 0.2
    z: float = 1.96
    # All-correct or all-wrong after k0 usually means p=0 or p=1; spend more on them only if asked.
    extend_unanimous: bool = False

    def __post_init__(self):
        require(self.k0 >= 1, "allocation.k0", f"must be >= 1, got {self.k0}")
        require(self.step >= 1, "allocation.step", f"must be >= 1, got {self.step}")
        require(self.k_max >= self.k0, "allocation.k_max", "must be >= k0")
        require(self.budget_per_record >= self.k0, "allocation.budget_per_record", "must be >= k0")
        require(0.0 < self.target_halfwidth <= 0.5, "allocation.target_halfwidth", "must be in (0, 0.5]")
        require(self.z > 0, "allocation.z", "must be > 0")


@dataclass(frozen=True)
class SelfConsistencyConfig:
    policy: Literal["rl", "sft", "none"] = "rl"
    buckets: tuple[Bucket, ...] = DEFAULT_BUCKETS
    drop_unbucketed: bool = False
    pseudo_label: PseudoLabelConfig = field(default_factory=PseudoLabelConfig)
    allocation: AllocationConfig = field(default_factory=AllocationConfig)


# ------------------------------------------------------------------------------------------------
# Grading and summaries
# ------------------------------------------------------------------------------------------------

Judge = Callable[[dict, str], Verdict]  # (record, candidate answer) -> verdict of a model judge


def grade_rollout(record: dict, text: str, judge: Judge | None = None) -> dict:
    """One rollout ``{text, answer, correct, reason}`` graded by the record's own verifier."""
    answer_type = record.get("answer_type", "string")
    answer, how = extract_answer(text, answer_type)
    kind = record["verifier"]["kind"]
    try:
        verdict = grade(record["verifier"], answer_type, text)
    except Exception as exc:  # a verifier must not raise; if one does, the sample is counted, not lost
        verdict = Verdict.no(f"verifier_error: {type(exc).__name__}: {exc}")
    if answer is None:
        return {"text": text, "answer": None, "correct": False, "reason": verdict.reason or how}
    reason = f"{kind}: {verdict.reason}" if verdict.reason else kind
    if not verdict.ok and judge is not None:
        decision = judge(record, answer)
        reason = f"{reason}; judge: {decision.reason}"
        return {"text": text, "answer": answer, "correct": bool(decision.ok), "reason": reason}
    return {"text": text, "answer": answer, "correct": bool(verdict.ok), "reason": reason}


def majority(rollouts: list[dict], answer_type: str) -> tuple[str | None, int]:
    """(most common answer, its count); ties go to the answer seen first, so the result is deterministic."""
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for rollout in rollouts:
        if rollout.get("answer") is None:
            continue
        key = vote_key(rollout["answer"], answer_type)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, rollout["answer"])
    if not counts:
        return None, 0
    best = max(counts, key=lambda k: (counts[k], -list(first).index(k)))
    return first[best], counts[best]


def summarize(rollouts: list[dict], answer_type: str, buckets: tuple[Bucket, ...] = DEFAULT_BUCKETS) -> dict:
    k = len(rollouts)
    correct = sum(1 for r in rollouts if r["correct"])
    answer, votes = majority(rollouts, answer_type)
    pass_rate = correct / k if k else 0.0
    return {"k": k, "correct": correct, "pass_rate": pass_rate, "majority_answer": answer,
            "agreement": votes / k if k else 0.0, "bucket": bucket_of(pass_rate, buckets)}


def bucket_of(pass_rate: float, buckets: tuple[Bucket, ...] = DEFAULT_BUCKETS) -> str | None:
    for bucket in buckets:
        if bucket.contains(pass_rate):
            return bucket.name
    return None


def needs_pseudo_label(record: dict, config: PseudoLabelConfig) -> bool:
    if not config.enabled:
        return False
    if not record.get("answer"):
        return True
    return any(fnmatch.fnmatchcase(record["task"], pattern) for pattern in config.tasks)


def best_correct(rollouts: list[dict]) -> dict | None:
    """The shortest correct rollout (first among equals): the least padding around a verified answer."""
    correct = [r for r in rollouts if r["correct"]]
    return min(correct, key=lambda r: len(r["text"])) if correct else None


def apply_policy(record: dict, rollouts: list[dict], config: SelfConsistencyConfig) -> tuple[dict, bool, str]:
    """(record with its rollouts and self-consistency summary, keep?, reason). A dropped record still carries
    its rollouts, so the reject shows why."""
    out = copy.deepcopy(record)
    out["rollouts"] = rollouts
    answer_type = record.get("answer_type", "string")
    pseudo = needs_pseudo_label(record, config.pseudo_label)
    if pseudo:
        # Without a trusted reference "correct" means "agrees with the majority".
        answer, votes = majority(rollouts, answer_type)
        agreement = votes / len(rollouts) if rollouts else 0.0
        if answer is None or agreement < config.pseudo_label.min_agreement:
            out["meta"] = {**out["meta"], "self_consistency": summarize(rollouts, answer_type, config.buckets)}
            return out, False, "sc_low_agreement"
        key = vote_key(answer, answer_type)
        for rollout in rollouts:
            agrees = rollout["answer"] is not None and vote_key(rollout["answer"], answer_type) == key
            rollout["correct"] = agrees
            rollout["reason"] = "majority_vote: agrees" if agrees else "majority_vote: disagrees"
        out["answer"] = answer
        if "answer" in out["verifier"]["spec"]:
            out["verifier"]["spec"]["answer"] = answer
    summary = summarize(rollouts, answer_type, config.buckets)
    summary["pseudo_label"] = pseudo
    p = summary["pass_rate"]
    out["difficulty"] = {**out["difficulty"], "pass_rate": p, "bucket": summary["bucket"]}
    out["meta"] = {**out["meta"], "self_consistency": summary}
    if config.policy == "rl" and not pseudo:
        if p <= 0.0:
            return out, False, "sc_pass_rate_zero"
        if p >= 1.0:
            return out, False, "sc_pass_rate_one"
    if config.policy == "sft":
        if p <= 0.0:
            return out, False, "sc_pass_rate_zero"
        if out["trace"] is None:
            best = best_correct(rollouts)
            out["trace"] = best["text"]
            out["meta"]["trace_source"] = "model_rollout"
    if config.drop_unbucketed and summary["bucket"] is None and not pseudo:
        return out, False, "sc_unbucketed"
    return out, True, "kept"


# ------------------------------------------------------------------------------------------------
# Dynamic allocation
# ------------------------------------------------------------------------------------------------


def wilson_halfwidth(correct: int, n: int, z: float) -> float:
    if n == 0:
        return 0.5
    p = correct / n
    denom = 1 + z * z / n
    return z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom


class Allocator:
    """Decides how many samples each record of a batch gets, round by round, within a total budget.

    ``next_round()`` returns {record index: extra samples}; ``record(i, outcomes)`` adds graded outcomes.
    The total over all rounds never exceeds ``budget`` (= budget_per_record x records).
    """

    def __init__(self, n_records: int, config: AllocationConfig):
        self.config = config
        self.n = [0] * n_records
        self.correct = [0] * n_records
        self.budget = int(math.floor(config.budget_per_record * n_records)) if config.dynamic \
            else config.k_max * n_records
        self.used = 0
        self.rounds = 0

    def record(self, index: int, outcomes: list[bool]) -> None:
        self.n[index] += len(outcomes)
        self.correct[index] += sum(1 for o in outcomes if o)

    def uncertain(self, i: int) -> bool:
        c, n, cfg = self.correct[i], self.n[i], self.config
        if n >= cfg.k_max:
            return False
        if not cfg.extend_unanimous and (c == 0 or c == n):
            return False
        return wilson_halfwidth(c, n, cfg.z) > cfg.target_halfwidth

    def next_round(self) -> dict[int, int]:
        cfg = self.config
        left = self.budget - self.used
        if self.rounds == 0:
            first = cfg.k0 if cfg.dynamic else cfg.k_max
            plan = {}
            for i in range(len(self.n)):
                take = min(first, left)
                if take <= 0:
                    break
                plan[i] = take
                left -= take
        elif not cfg.dynamic:
            plan = {}
        else:
            wanted = [i for i in range(len(self.n)) if self.uncertain(i)]
            # The widest intervals first, so a tight budget goes where it tells us most.
            wanted.sort(key=lambda i: (-wilson_halfwidth(self.correct[i], self.n[i], cfg.z), i))
            plan = {}
            for i in wanted:
                take = min(cfg.step, cfg.k_max - self.n[i], left)
                if take <= 0:
                    break
                plan[i] = take
                left -= take
        self.rounds += 1
        self.used += sum(plan.values())
        return plan

    def report(self) -> dict:
        fixed = self.config.k_max * len(self.n)
        return {"records": len(self.n), "samples_used": self.used, "samples_fixed_k": fixed,
                "samples_saved": fixed - self.used, "budget": self.budget, "rounds": self.rounds}
