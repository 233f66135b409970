"""Self-consistency logic on controlled sample sets: extraction, grading by the record's own verifier, buckets,
majority vote, pseudo-labels, policies and dynamic allocation within its budget."""

from __future__ import annotations

import random

import pytest

from reasonry.answers import vote_key
from reasonry.config import from_dict
from reasonry.errors import ConfigError
from reasonry.filters.self_consistency import (
    AllocationConfig,
    Allocator,
    SelfConsistencyConfig,
    apply_policy,
    bucket_of,
    grade_rollout,
    majority,
    summarize,
)
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.task import ItemKey
from reasonry.verdict import Verdict
from reasonry.verifiers.judge import judge_prompt, parse_decision


def addition_record(index: int = 0) -> dict:
    task = get_task("tail/addition")
    key = ItemKey("tail/addition", "train", "S", index)
    return task.generate(task.Config(), key, item_rng(0, "tail/addition", index, "train", "S"))


def rollout(answer: str | None, correct: bool, text: str | None = None) -> dict:
    text = text if text is not None else (f"Final answer: {answer}" if answer is not None else "no idea")
    return {"text": text, "answer": answer, "correct": correct, "reason": "test"}


# --- voting keys (extraction and grading rules: tests/test_answers.py) ---------------------------


def test_vote_keys():
    assert vote_key("1,000.50", "float") == vote_key("1000.5", "float")
    assert vote_key('{"b": 1, "a": 2}', "json") == vote_key('{"a":2,"b":1}', "json")
    assert vote_key("True.", "boolean") == vote_key("true", "boolean")
    assert vote_key("12", "integer") != vote_key("13", "integer")


# --- grading with the record's own verifier --------------------------------------------------------


def test_grade_rollout_with_the_records_verifier():
    record = addition_record()
    gold = grade_rollout(record, f"adding column by column...\nFinal answer: {record['answer']}")
    assert gold["correct"] and gold["answer"] == record["answer"] and gold["reason"].startswith("tail")
    wrong = task_wrong = get_task("tail/addition").corrupt_answer(record, random.Random(1))
    bad = grade_rollout(record, f"Final answer: {wrong}")
    assert not bad["correct"] and bad["answer"] == task_wrong and bad["reason"].startswith("tail")
    malformed = grade_rollout(record, "7 7 what is\nthe sum")
    assert malformed == {"text": "7 7 what is\nthe sum", "answer": None, "correct": False,
                         "reason": "no_answer: no 'Final answer:' line and no \\boxed{}"}
    hedged = grade_rollout(record, f"Final answer: {record['answer']}\nFinal answer: {wrong}")
    assert not hedged["correct"] and hedged["answer"] is None and hedged["reason"].startswith("hedged")


def test_judge_only_after_the_rule_says_no():
    record = addition_record()
    calls = []

    def judge(rec, answer):  # a scripted judge: the model judge itself is tested against the real server
        calls.append(answer)
        return Verdict(True, "yes")

    assert grade_rollout(record, f"Final answer: {record['answer']}", judge)["correct"]
    assert calls == []  # a rule-based yes is final
    rescued = grade_rollout(record, "Final answer: 12", judge)
    assert rescued["correct"] and "judge: yes" in rescued["reason"] and calls == ["12"]
    assert grade_rollout(record, "nothing\nat all", judge)["reason"].startswith("no_answer") and calls == ["12"]


def test_parse_judge_decision():
    assert parse_decision("reasoning... Final Decision: Yes") is True
    assert parse_decision("Final Decision: yes\nwait. Final decision: **No**") is False
    assert parse_decision("I think they match") is None
    prompt = judge_prompt("2+2?", "4", "four")
    assert "2+2?" in prompt and "four" in prompt and "Final Decision: Yes" in prompt


# --- buckets, majority, summaries -----------------------------------------------------------------


@pytest.mark.parametrize("p, bucket", [
    (0.0, None), (0.1, "hard"), (0.3, "hard"), (0.35, None), (0.4, "medium"), (0.6, "medium"),
    (0.65, None), (0.7, "easy"), (0.9, "easy"), (1.0, None),
])
def test_default_buckets_are_protoreasonings(p, bucket):
    assert bucket_of(p) == bucket


def test_buckets_from_config():
    config = from_dict(SelfConsistencyConfig, {"buckets": [
        {"name": "lo", "low": 0.0, "high": 0.5, "low_inclusive": False, "high_inclusive": False},
        {"name": "hi", "low": 0.5, "high": 1.0, "high_inclusive": False}]})
    assert [bucket_of(p, config.buckets) for p in (0.0, 0.2, 0.5, 0.99, 1.0)] == [None, "lo", "hi", "hi", None]
    with pytest.raises(ConfigError, match="low <= high"):
        from_dict(SelfConsistencyConfig, {"buckets": [{"name": "x", "low": 0.8, "high": 0.2}]})


def test_majority_vote_normalises_and_breaks_ties_by_first_seen():
    rollouts = [rollout("1,000", False), rollout("7", True), rollout("1000", False), rollout("7", True),
                rollout(None, False)]
    assert majority(rollouts, "integer") == ("1,000", 2)  # 2 vs 2: the answer seen first wins
    rollouts.append(rollout("7", True))
    assert majority(rollouts, "integer") == ("7", 3)
    summary = summarize(rollouts, "integer")
    assert summary == {"k": 6, "correct": 3, "pass_rate": 0.5, "majority_answer": "7", "agreement": 0.5,
                       "bucket": "medium"}
    assert majority([rollout(None, False)], "integer") == (None, 0)


# --- policies -------------------------------------------------------------------------------------


def test_rl_policy_keeps_only_mixed_pass_rates():
    record = addition_record()
    config = SelfConsistencyConfig(policy="rl")
    mixed = [rollout(record["answer"], True), rollout("1", False), rollout("2", False), rollout("3", False)]
    out, keep, reason = apply_policy(record, mixed, config)
    assert keep and reason == "kept"
    assert out["difficulty"]["pass_rate"] == 0.25 and out["difficulty"]["bucket"] == "hard"
    assert out["meta"]["self_consistency"]["k"] == 4 and out["rollouts"] == mixed
    assert record["rollouts"] is None  # the input record is not modified
    _, keep, reason = apply_policy(record, [rollout("1", False)] * 4, config)
    assert (keep, reason) == (False, "sc_pass_rate_zero")
    _, keep, reason = apply_policy(record, [rollout(record["answer"], True)] * 4, config)
    assert (keep, reason) == (False, "sc_pass_rate_one")


def test_sft_policy_uses_best_correct_rollout_as_missing_trace():
    record = {**addition_record(), "trace": None}
    long_ok = rollout(record["answer"], True, text="long long reasoning\nFinal answer: " + record["answer"])
    short_ok = rollout(record["answer"], True, text="Final answer: " + record["answer"])
    config = SelfConsistencyConfig(policy="sft")
    out, keep, _ = apply_policy(record, [rollout("5", False), long_ok, short_ok], config)
    assert keep and out["trace"] == short_ok["text"] and out["meta"]["trace_source"] == "model_rollout"
    all_ok = [short_ok] * 3  # p = 1 is kept for SFT
    assert apply_policy(record, all_ok, config)[1]
    with_trace = addition_record()
    assert apply_policy(with_trace, all_ok, config)[0]["trace"] == with_trace["trace"]
    assert apply_policy(record, [rollout("5", False)] * 3, config)[1:] == (False, "sc_pass_rate_zero")


def test_drop_unbucketed():
    record = addition_record()
    config = SelfConsistencyConfig(policy="rl", drop_unbucketed=True)
    gap = [rollout(record["answer"], True)] * 2 + [rollout("1", False)] * 1  # p = 0.667: between medium, easy
    assert apply_policy(record, gap, config)[1:] == (False, "sc_unbucketed")


def test_pseudo_label_by_majority_when_agreement_reaches_threshold():
    record = {**addition_record(), "task": "tail/addition", "answer": ""}  # no reliable reference
    config = SelfConsistencyConfig(policy="rl")
    votes = [rollout("12", False), rollout("12", False), rollout("12", False), rollout("13", False),
             rollout(None, False)]
    out, keep, reason = apply_policy(record, votes, config)
    assert keep and out["answer"] == "12" and out["meta"]["self_consistency"]["pseudo_label"]
    assert [r["correct"] for r in out["rollouts"]] == [True, True, True, False, False]
    assert out["difficulty"]["pass_rate"] == 0.6
    split = [rollout("12", False), rollout("13", False), rollout("14", False), rollout("12", False)]
    _, keep, reason = apply_policy(record, split, config)  # agreement 0.5 < 0.6
    assert (keep, reason) == (False, "sc_low_agreement")
    by_task = from_dict(SelfConsistencyConfig, {"pseudo_label": {"tasks": ["tail/*"], "min_agreement": 0.5}})
    out, keep, _ = apply_policy(addition_record(), split, by_task)  # the reference is ignored for tail/*
    assert keep and out["answer"] == "12"


# --- dynamic allocation ---------------------------------------------------------------------------


def run_allocation(pass_rates: list[float], config: AllocationConfig, seed: int = 0) -> Allocator:
    rng = random.Random(seed)
    allocator = Allocator(len(pass_rates), config)
    while True:
        plan = allocator.next_round()
        if not plan:
            return allocator
        for i, k in plan.items():
            allocator.record(i, [rng.random() < pass_rates[i] for _ in range(k)])


@pytest.mark.parametrize("seed", range(20))
def test_dynamic_allocation_never_exceeds_its_budget(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    pass_rates = [rng.choice([0.0, 1.0, rng.random()]) for _ in range(n)]
    config = AllocationConfig(k0=rng.randint(1, 4), step=rng.randint(1, 4), k_max=rng.randint(4, 32),
                              budget_per_record=rng.uniform(4, 12), target_halfwidth=rng.uniform(0.05, 0.3),
                              extend_unanimous=rng.random() < 0.3)
    allocator = run_allocation(pass_rates, config, seed)
    assert allocator.used == sum(allocator.n) <= allocator.budget
    assert max(allocator.n) <= config.k_max and min(allocator.n) >= config.k0  # everyone gets k0
    report = allocator.report()
    assert report["samples_saved"] == config.k_max * n - allocator.used


def test_dynamic_allocation_spends_only_where_uncertain():
    config = AllocationConfig(k0=4, step=4, k_max=16, budget_per_record=16, target_halfwidth=0.2)
    allocator = Allocator(5, config)
    outcomes = {0: [False], 1: [True], 2: [True, False], 3: [False], 4: [False, True]}  # repeating patterns
    while plan := allocator.next_round():
        for i, k in plan.items():
            allocator.record(i, [outcomes[i][(allocator.n[i] + j) % len(outcomes[i])] for j in range(k)])
    # Unanimous after k0 stops; the uncertain ones grow to k_max (the interval at n=16 is still > 0.2 wide).
    assert allocator.n[0] == allocator.n[1] == allocator.n[3] == 4
    assert allocator.n[2] == allocator.n[4] == 16
    assert allocator.report()["samples_saved"] == 16 * 5 - (4 * 3 + 32)


def test_tight_budget_goes_to_the_widest_intervals_first():
    config = AllocationConfig(k0=4, step=4, k_max=16, budget_per_record=5, target_halfwidth=0.05)
    allocator = Allocator(4, config)
    assert allocator.next_round() == {0: 4, 1: 4, 2: 4, 3: 4}
    for i, correct in enumerate([1, 2, 3, 0]):  # pass rates .25 .5 .75 0 (the last is unanimous)
        allocator.record(i, [True] * correct + [False] * (4 - correct))
    assert allocator.next_round() == {1: 4}  # budget 20, 16 spent: the widest interval (p=.5) gets it
    assert allocator.used == 20 and allocator.next_round() == {}


def test_fixed_k_when_not_dynamic():
    config = AllocationConfig(dynamic=False, k0=2, k_max=8)
    allocator = run_allocation([0.3] * 5, config)
    assert allocator.n == [8] * 5 and allocator.report()["samples_saved"] == 0


def test_allocation_config_is_validated():
    with pytest.raises(ConfigError, match="allocation.budget_per_record"):
        from_dict(AllocationConfig, {"k0": 8, "budget_per_record": 4})
    with pytest.raises(ConfigError, match="allocation.k_max"):
        from_dict(AllocationConfig, {"k0": 8, "k_max": 4})
