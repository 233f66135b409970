"""Self-consistency: grade k model samples per record, then bucket, keep, label or drop by pass rate.

Plain Python (no Beam, no HTTP): the caller passes the sampled texts in, so every rule here is testable with
controlled sample sets.

- ``rule_verdict``: the rule-based check of one reply (answer extraction plus the record's own verifier). It
  is the only place that knows how a reply is graded by rules.
- ``grade_rollout``: one rollout ``{text, answer, correct, reason, rule_correct, judge}``. A model judge is
  consulted only where ``judge_applies`` says a rule can wrongly say no; the rule's verdict (``rule_correct``)
  and the judge's (``judge``: "" when not asked, else "yes"/"no"/"no decision") are both kept.
- ``summarize``: pass rate, majority answer (by a normalised key) and its agreement.
- ``bucket_of``: difficulty buckets that partition (0, 1) at configurable edges. The default is
  ProtoReasoning's (hard 0<p<=0.3, medium 0.4<=p<=0.6, easy 0.7<=p<1) widened to meet: hard (0, 0.35),
  medium [0.35, 0.65), easy [0.65, 1). Each bucket holds its lower edge; p = 0 and p = 1 have no bucket.
- ``apply_policy``: ``rl`` keeps 0<p<1; ``sft`` keeps p>0 and takes the best correct rollout as the trace where
  the source has none; records without a reliable reference take the majority answer as a pseudo-label when
  agreement reaches a threshold (and have no pass rate when it does not).
- ``Allocator``: how many samples each record of a batch gets, within a total budget (see its docstring).
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
class PseudoLabelConfig:
    """Records without a reliable reference (web Q&A, or an empty answer) are labelled by majority vote."""

    enabled: bool = True
    tasks: tuple[str, ...] = ()  # glob patterns of tasks whose references are not trusted
    min_agreement: float = 0.6

    def __post_init__(self):
        require(0.0 < self.min_agreement <= 1.0, "pseudo_label.min_agreement", "must be in (0, 1]")


def wilson_halfwidth(correct: int, n: int, z: float) -> float:
    if n == 0:
        return 0.5
    p = correct / n
    denom = 1 + z * z / n
    return z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom


@dataclass(frozen=True)
class AllocationConfig:
    """How many samples a record gets. Every rule starts with ``k0`` per record and never gives a record more
    than ``k_max``, nor the batch more than ``budget_per_record`` x records in all.

    - ``gvm`` (default): after the k0 round, the rest of the budget is spread in one step by GVM-RAFT's rule
      (see ``gvm_targets``): more samples where the smoothed acceptance rate is low and its estimate uncertain.
    - ``wilson``: ``step`` more at a time while the Wilson interval of the pass rate is wider than
      ``target_halfwidth`` (which must be reachable at ``k_max``); then, with ``extend_unanimous``, records that
      were all right or all wrong get what is left, so p = 0 and p = 1 are told apart from small and large p.
    - ``fixed``: exactly ``k_max`` per record.
    """

    rule: Literal["gvm", "wilson", "fixed"] = "gvm"
    k0: int = 4
    k_max: int = 16
    budget_per_record: float = 8.0
    prior: tuple[float, float] = (1.0, 1.0)  # gvm: Beta(a, b) prior that smooths the acceptance rate
    step: int = 2  # wilson
    target_halfwidth: float = 0.3  # wilson
    z: float = 1.96  # wilson
    extend_unanimous: bool = True  # wilson

    def __post_init__(self):
        require(self.k0 >= 1, "allocation.k0", f"must be >= 1, got {self.k0}")
        require(self.step >= 1, "allocation.step", f"must be >= 1, got {self.step}")
        require(self.k_max >= self.k0, "allocation.k_max", "must be >= k0")
        require(self.budget_per_record >= self.k0, "allocation.budget_per_record", "must be >= k0")
        require(len(self.prior) == 2 and min(self.prior) > 0, "allocation.prior", "two numbers > 0: [a, b]")
        require(0.0 < self.target_halfwidth <= 0.5, "allocation.target_halfwidth", "must be in (0, 0.5]")
        require(self.z > 0, "allocation.z", "must be > 0")
        if self.rule == "wilson":
            widest = max(wilson_halfwidth(c, self.k_max, self.z) for c in range(self.k_max + 1))
            require(self.target_halfwidth >= widest, "allocation.target_halfwidth",
                    f"{self.target_halfwidth} is not reachable at k_max={self.k_max}: the widest Wilson "
                    f"half-width there is {widest:.3f}; raise the target or k_max")


@dataclass(frozen=True)
class SelfConsistencyConfig:
    policy: Literal["rl", "sft", "none"] = "rl"
    # Bucket j holds pass rates in [edge_{j-1}, edge_j), the first from just above 0, the last to just below 1.
    bucket_names: tuple[str, ...] = ("hard", "medium", "easy")
    bucket_edges: tuple[float, ...] = (0.35, 0.65)
    pseudo_label: PseudoLabelConfig = field(default_factory=PseudoLabelConfig)
    allocation: AllocationConfig = field(default_factory=AllocationConfig)

    def __post_init__(self):
        require(len(self.bucket_names) == len(self.bucket_edges) + 1, "bucket_names",
                "one more name than bucket_edges")
        require(len(set(self.bucket_names)) == len(self.bucket_names) and all(self.bucket_names),
                "bucket_names", "names must be distinct and non-empty")
        edges = (0.0, *self.bucket_edges, 1.0)
        require(all(a < b for a, b in zip(edges, edges[1:], strict=False)), "bucket_edges",
                "must rise strictly inside (0, 1)")


# ------------------------------------------------------------------------------------------------
# Grading and summaries
# ------------------------------------------------------------------------------------------------

Judge = Callable[[dict, str], Verdict]  # (record, candidate answer) -> verdict of a model judge

# Verifiers that decide exactly (an interpreter or a complete equivalence check): a model may never overrule
# them, whatever the configuration says.
EXACT_VERIFIERS = frozenset({"tail", "prolog", "pddl", "countdown"})


def rule_verdict(record: dict, text: str) -> tuple[str | None, Verdict]:
    """(extracted answer or None, verdict) of the rule-based check of one reply: ``reasonry.answers.grade``."""
    answer_type = record.get("answer_type", "string")
    answer, how = extract_answer(text, answer_type)
    kind = record["verifier"]["kind"]
    try:
        verdict = grade(record["verifier"], answer_type, text)
    except Exception as exc:  # a verifier must not raise; if one does, the sample is counted, not lost
        verdict = Verdict.no(f"verifier_error: {type(exc).__name__}: {exc}")
    if answer is None:
        return None, Verdict(False, verdict.reason or how)
    return answer, Verdict(verdict.ok, f"{kind}: {verdict.reason}" if verdict.reason else kind)


def judge_applies(record: dict, answer_types: tuple[str, ...], tasks: tuple[str, ...]) -> bool:
    """Whether a rule-based "no" on this record may be a false one that a judge could rescue: never for an exact
    verifier; otherwise for the configured free-form answer types and task patterns (web Q&A)."""
    if record["verifier"]["kind"] in EXACT_VERIFIERS:
        return False
    return record.get("answer_type") in answer_types or any(fnmatch.fnmatchcase(record["task"], p) for p in tasks)


def grade_rollout(record: dict, text: str, judge: Judge | None = None) -> dict:
    """One rollout graded by rules, then by ``judge`` (when given) if the rules said no to an answer. The caller
    decides with ``judge_applies`` whether a judge may be passed at all."""
    answer, verdict = rule_verdict(record, text)
    rollout = {"text": text, "answer": answer, "correct": bool(verdict.ok), "reason": verdict.reason,
               "rule_correct": bool(verdict.ok), "judge": ""}
    if not verdict.ok and answer is not None and judge is not None:
        apply_judge(rollout, judge(record, answer))
    return rollout


def apply_judge(rollout: dict, decision: Verdict) -> None:
    rollout["judge"] = decision.reason or ("yes" if decision.ok else "no")
    rollout["correct"] = bool(decision.ok)
    rollout["reason"] = f"{rollout['reason']}; judge: {rollout['judge']}"


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


def bucket_of(pass_rate: float | None, names: tuple[str, ...] = ("hard", "medium", "easy"),
              edges: tuple[float, ...] = (0.35, 0.65)) -> str | None:
    if pass_rate is None or pass_rate <= 0.0 or pass_rate >= 1.0:
        return None
    for name, edge in zip(names, edges, strict=False):
        if pass_rate < edge:
            return name
    return names[-1]


def summarize(rollouts: list[dict], answer_type: str, config: SelfConsistencyConfig | None = None) -> dict:
    config = config or SelfConsistencyConfig()
    k = len(rollouts)
    correct = sum(1 for r in rollouts if r["correct"])
    answer, votes = majority(rollouts, answer_type)
    pass_rate = correct / k if k else 0.0
    return {"k": k, "correct": correct, "pass_rate": pass_rate, "majority_answer": answer,
            "agreement": votes / k if k else 0.0,
            "bucket": bucket_of(pass_rate, config.bucket_names, config.bucket_edges)}


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
            # No label, so nothing was right or wrong: the summary has no pass rate (not a pass rate of 0).
            summary = {**summarize(rollouts, answer_type, config), "correct": None, "pass_rate": None,
                       "bucket": None, "pseudo_label": True}
            out["meta"] = {**out["meta"], "self_consistency": summary}
            return out, False, "sc_low_agreement"
        key = vote_key(answer, answer_type)
        for rollout in rollouts:
            agrees = rollout["answer"] is not None and vote_key(rollout["answer"], answer_type) == key
            rollout["correct"] = agrees
            rollout["reason"] = "majority_vote: agrees" if agrees else "majority_vote: disagrees"
        out["answer"] = answer
        if "answer" in out["verifier"]["spec"]:
            out["verifier"]["spec"]["answer"] = answer
    summary = summarize(rollouts, answer_type, config)
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
            assert best is not None, "a pass rate above 0 without a correct rollout"
            out["trace"] = best["text"]
            out["meta"]["trace_source"] = "model_rollout"
    return out, True, "kept"


# ------------------------------------------------------------------------------------------------
# Allocation
# ------------------------------------------------------------------------------------------------


def gvm_weight(correct: int, n: int, prior: tuple[float, float]) -> float:
    """sqrt((1 - p~) / p~) with p~ = (correct + a) / (n + a + b): the per-sample standard deviation of the
    relative error of the acceptance estimate. The prior keeps p~ > 0, so a prompt with no accepted sample
    gets the largest weight instead of being dropped (or of an infinite one)."""
    a, b = prior
    p = (correct + a) / (n + a + b)
    return math.sqrt((1.0 - p) / p)


def gvm_targets(n: list[int], correct: list[int], budget: int, k_max: int, prior: tuple[float, float]) -> list[int]:
    """GVM-RAFT's budgeted allocation with the gradient-norm factor set to 1 (a data build has no gradients):
    total samples per record n_i* = lambda x w_i with w_i = ``gvm_weight``, which minimises the summed relative
    variance sum_i (1 - p_i) / (p_i n_i) of the acceptance estimates for sum_i n_i* = budget. Each n_i* is
    clipped to [samples already drawn, k_max] (the water level lambda rises until the budget is spent or every
    record is at k_max) and rounded by largest remainder, ties to the lower index, so the totals are integers
    summing to exactly min(budget, what the clipping allows)."""
    weights = [gvm_weight(c, k, prior) for c, k in zip(correct, n, strict=True)]
    lo, hi = list(n), [max(k, k_max) for k in n]
    budget = max(budget, sum(lo))
    if budget >= sum(hi):
        return hi

    def filled(level: float) -> list[float]:
        return [min(h, max(low, level * w)) for low, h, w in zip(lo, hi, weights, strict=True)]

    low_level, high_level = 0.0, 1.0
    while sum(filled(high_level)) < budget:
        high_level *= 2
    for _ in range(200):  # bisection on lambda: the total is monotone in it
        mid = (low_level + high_level) / 2
        if sum(filled(mid)) < budget:
            low_level = mid
        else:
            high_level = mid
    real = filled(high_level)
    whole = [min(h, int(math.floor(x + 1e-9))) for x, h in zip(real, hi, strict=True)]
    left = budget - sum(whole)
    order = sorted(range(len(real)), key=lambda i: (-(real[i] - whole[i]), i))
    for i in order:
        if left <= 0:
            break
        if whole[i] < hi[i]:
            whole[i] += 1
            left -= 1
    return whole


class Allocator:
    """Decides how many samples each record of a batch gets, round by round, within a total budget.

    ``next_round()`` returns {record index: extra samples}; ``record(i, outcomes)`` adds graded outcomes;
    ``fail(i, samples)`` takes a record whose request failed out of the allocation (its samples are counted as
    failed, not used). The samples asked for over all rounds never exceed ``budget`` = floor(budget_per_record x
    records) (``k_max`` x records for the fixed rule).
    """

    def __init__(self, n_records: int, config: AllocationConfig):
        self.config = config
        self.n = [0] * n_records
        self.correct = [0] * n_records
        self.failed: set[int] = set()
        self.samples_failed = 0
        self.budget = config.k_max * n_records if config.rule == "fixed" \
            else int(math.floor(config.budget_per_record * n_records + 1e-9))
        self.asked = 0
        self.rounds = 0
        self.extended_unanimous = 0

    @property
    def used(self) -> int:
        return sum(self.n)

    def record(self, index: int, outcomes: list[bool]) -> None:
        self.n[index] += len(outcomes)
        self.correct[index] += sum(1 for o in outcomes if o)

    def fail(self, index: int, samples: int) -> None:
        self.failed.add(index)
        self.samples_failed += samples

    def _unanimous(self, i: int) -> bool:
        return self.n[i] > 0 and self.correct[i] in (0, self.n[i])

    def _first_round(self, left: int) -> dict[int, int]:
        first = self.config.k_max if self.config.rule == "fixed" else self.config.k0
        plan = {}
        for i in range(len(self.n)):
            take = min(first, left)
            if take <= 0:
                break
            plan[i] = take
            left -= take
        return plan

    def _gvm_round(self, left: int) -> dict[int, int]:
        live = [i for i in range(len(self.n)) if i not in self.failed]
        if self.rounds > 1 or not live:
            return {}  # GVM-RAFT's two stages: estimate with k0, then allocate the rest once
        targets = gvm_targets([self.n[i] for i in live], [self.correct[i] for i in live],
                              sum(self.n[i] for i in live) + left, self.config.k_max, self.config.prior)
        return {i: t - self.n[i] for i, t in zip(live, targets, strict=True) if t > self.n[i]}

    def _wilson_round(self, left: int) -> dict[int, int]:
        cfg = self.config
        live = [i for i in range(len(self.n)) if i not in self.failed and self.n[i] < cfg.k_max]
        wanted = [i for i in live if not self._unanimous(i)
                  and wilson_halfwidth(self.correct[i], self.n[i], cfg.z) > cfg.target_halfwidth]
        # The widest intervals first, so a tight budget goes where it tells us most.
        wanted.sort(key=lambda i: (-wilson_halfwidth(self.correct[i], self.n[i], cfg.z), i))
        if not wanted and cfg.extend_unanimous:
            wanted = [i for i in live if self._unanimous(i)]
        plan = {}
        for i in wanted:
            take = min(cfg.step, cfg.k_max - self.n[i], left)
            if take <= 0:
                break
            plan[i] = take
            left -= take
        return plan

    def next_round(self) -> dict[int, int]:
        left = self.budget - self.asked
        if self.rounds == 0:
            plan = self._first_round(left)
        elif self.config.rule == "fixed" or left <= 0:
            plan = {}
        elif self.config.rule == "gvm":
            plan = self._gvm_round(left)
        else:
            plan = self._wilson_round(left)
        if self.rounds > 0:
            self.extended_unanimous += sum(1 for i in plan if self._unanimous(i))
        self.rounds += 1
        self.asked += sum(plan.values())
        return plan

    def report(self) -> dict:
        """Samples used (answered) and failed, against a fixed k at the same average budget."""
        records = len(self.n)
        fixed_k = self.budget // records if records else 0
        return {"records": records, "samples_used": self.used, "samples_failed": self.samples_failed,
                "samples_budget": self.budget, "fixed_k_same_budget": fixed_k,
                "samples_fixed_k": fixed_k * records, "rounds": self.rounds,
                "records_extended_unanimous": self.extended_unanimous}
