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
    gvm_targets,
    judge_applies,
    majority,
    summarize,
    wilson_halfwidth,
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
                         "reason": "no_answer: no 'Final answer:' line and no \\boxed{}", "rule_correct": False,
                         "judge": ""}
    hedged = grade_rollout(record, f"Final answer: {record['answer']}\nFinal answer: {wrong}")
    assert not hedged["correct"] and hedged["answer"] is None and hedged["reason"].startswith("hedged")


def test_judge_only_after_the_rule_says_no_and_both_verdicts_are_kept():
    record = addition_record()
    calls = []

    def judge(rec, answer):  # a scripted judge: the model judge itself is tested against the real server
        calls.append(answer)
        return Verdict(True, "yes")

    assert grade_rollout(record, f"Final answer: {record['answer']}", judge)["correct"]
    assert calls == []  # a rule-based yes is final
    rescued = grade_rollout(record, "Final answer: 12", judge)
    assert rescued["correct"] and "judge: yes" in rescued["reason"] and calls == ["12"]
    assert rescued["rule_correct"] is False and rescued["judge"] == "yes"
    assert grade_rollout(record, "nothing\nat all", judge)["reason"].startswith("no_answer") and calls == ["12"]


@pytest.mark.parametrize("kind, answer_type, task, applies", [
    ("pddl", "plan", "pddl/blocksworld/plan_generation", False),
    ("pddl", "string", "webqa/pddl", False),  # an exact verifier's no is final, whatever the answer type
    ("prolog", "json", "prolog/zebra/solve", False),
    ("tail", "integer", "tail/addition", False),
    ("countdown", "expression", "mcts/countdown", False),
    ("math", "expression", "mcts/algebra", True),
    ("math", "string", "webqa/history", True),
    ("math", "integer", "webqa/physics", True),  # web Q&A by task pattern
    ("math", "integer", "mcts/arith", False),  # an integer's rule check does not miss
])
def test_judge_applies_only_where_a_rule_can_wrongly_say_no(kind, answer_type, task, applies):
    from reasonry.verifiers.judge import JudgeConfig

    record = {"verifier": {"kind": kind, "spec": {}}, "answer_type": answer_type, "task": task}
    config = JudgeConfig()
    assert judge_applies(record, config.answer_types, config.tasks) is applies


def test_judge_config_refuses_exact_answer_types():
    from reasonry.verifiers.judge import JudgeConfig

    with pytest.raises(ConfigError, match="judge.answer_types"):
        from_dict(JudgeConfig, {"answer_types": ["expression", "plan"]}, "judge")


def test_parse_judge_decision():
    assert parse_decision("reasoning... Final Decision: Yes") is True
    assert parse_decision("Final Decision: yes\nwait. Final decision: **No**") is False
    assert parse_decision("I think they match") is None
    prompt = judge_prompt("2+2?", "4", "four")
    assert "2+2?" in prompt and "four" in prompt and "Final Decision: Yes" in prompt


# --- buckets, majority, summaries -----------------------------------------------------------------


@pytest.mark.parametrize("p, bucket", [
    (0.0, None), (0.1, "hard"), (0.3, "hard"), (0.34, "hard"), (0.35, "medium"), (0.4, "medium"), (0.6, "medium"),
    (0.65, "easy"), (0.7, "easy"), (0.9, "easy"), (1.0, None), (None, None),
])
def test_default_buckets_are_protoreasonings_widened_to_meet(p, bucket):
    assert bucket_of(p) == bucket


def test_buckets_partition_the_open_unit_interval():
    # The pass rates the old ranges left without a bucket: 2/6, 3/8, 3/9, 5/8, 4/6, 6/9.
    gaps = [2 / 6, 3 / 8, 3 / 9, 5 / 8, 4 / 6, 6 / 9]
    assert [bucket_of(p) for p in gaps] == ["hard", "medium", "hard", "medium", "easy", "easy"]
    for k in range(1, 41):  # every pass rate k samples can produce lands in exactly one bucket
        for c in range(1, k):
            assert bucket_of(c / k) in {"hard", "medium", "easy"}


def test_buckets_from_config():
    config = from_dict(SelfConsistencyConfig, {"bucket_names": ["lo", "hi"], "bucket_edges": [0.5]})
    names, edges = config.bucket_names, config.bucket_edges
    assert [bucket_of(p, names, edges) for p in (0.0, 0.2, 0.5, 0.99, 1.0)] == [None, "lo", "hi", "hi", None]
    with pytest.raises(ConfigError, match="bucket_edges"):
        from_dict(SelfConsistencyConfig, {"bucket_edges": [0.65, 0.35]})
    with pytest.raises(ConfigError, match="bucket_edges"):
        from_dict(SelfConsistencyConfig, {"bucket_names": ["a", "b"], "bucket_edges": [1.0]})
    with pytest.raises(ConfigError, match="bucket_names"):
        from_dict(SelfConsistencyConfig, {"bucket_names": ["a", "b"]})


def test_majority_vote_normalises_and_breaks_ties_by_first_seen():
    rollouts = [rollout("1,000", False), rollout("7", True), rollout("1000", False), rollout("7", True),
                rollout(None, False)]
    assert majority(rollouts, "integer") == ("1,000", 2)  # 2 vs 2: the answer seen first wins
    rollouts.append(rollout("7", True))
    assert majority(rollouts, "integer") == ("7", 3)
    summary = summarize(rollouts, "integer")
    assert summary == {"k": 6, "correct": 3, "pass_rate": 0.5, "majority_answer": "7", "agreement": 0.5,
                       "bucket": "medium"}
    assert summarize(rollouts[:4], "integer")["bucket"] == "medium" and summarize([], "integer")["pass_rate"] == 0.0
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
    out, keep, reason = apply_policy(record, split, config)  # agreement 0.5 < 0.6
    assert (keep, reason) == (False, "sc_low_agreement")
    # No label, so no sample was right or wrong: no pass rate, rather than a pass rate of 0.
    summary = out["meta"]["self_consistency"]
    assert summary["pass_rate"] is None and summary["correct"] is None and summary["agreement"] == 0.5
    by_task = from_dict(SelfConsistencyConfig, {"pseudo_label": {"tasks": ["tail/*"], "min_agreement": 0.5}})
    out, keep, _ = apply_policy(addition_record(), split, by_task)  # the reference is ignored for tail/*
    assert keep and out["answer"] == "12"


# --- allocation ------------------------------------------------------------------------------------


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
def test_allocation_never_exceeds_its_budget(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    pass_rates = [rng.choice([0.0, 1.0, rng.random()]) for _ in range(n)]
    k_max = rng.randint(4, 32)
    rule = ["gvm", "wilson"][seed % 2]
    target = max(wilson_halfwidth(c, k_max, 1.96) for c in range(k_max + 1)) + rng.uniform(0, 0.1)
    config = AllocationConfig(rule=rule, k0=rng.randint(1, 4), step=rng.randint(1, 4), k_max=k_max,
                              budget_per_record=rng.uniform(4, 12), target_halfwidth=min(0.5, target),
                              extend_unanimous=rng.random() < 0.7)
    allocator = run_allocation(pass_rates, config, seed)
    assert allocator.used == sum(allocator.n) <= allocator.budget
    assert max(allocator.n) <= config.k_max and min(allocator.n) >= config.k0  # everyone gets k0
    if rule == "gvm":  # the budget is spent, unless every record reached k_max
        assert allocator.used == min(allocator.budget, config.k_max * n)
    report = allocator.report()
    assert report["samples_budget"] == allocator.budget and report["samples_failed"] == 0
    assert report["samples_fixed_k"] == (allocator.budget // n) * n


def test_gvm_targets_follow_the_stated_rule():
    # Weights sqrt((1 - p~) / p~), p~ = (c + 1) / (n + 2): after 4 samples, c = 0 -> sqrt(5), 2 -> 1, 4 -> sqrt(.2).
    targets = gvm_targets([4, 4, 4], [0, 2, 4], budget=30, k_max=100, prior=(1.0, 1.0))
    assert sum(targets) == 30
    weights = [5 ** 0.5, 1.0, 0.2 ** 0.5]
    ideal = [30 * w / sum(weights) for w in weights]  # 18.5, 8.3, 3.7: the last is lifted to the 4 it has
    assert targets[0] > targets[1] > targets[2] == 4 and abs(targets[0] - ideal[0]) < 1.5
    assert gvm_targets([4, 4], [0, 4], budget=100, k_max=10, prior=(1.0, 1.0)) == [10, 10]  # capped at k_max
    assert gvm_targets([4, 4], [1, 1], budget=4, k_max=10, prior=(1.0, 1.0)) == [4, 4]  # nothing left


def test_gvm_spends_where_acceptance_is_low_and_smooths_p_zero():
    pass_rates = [0.0, 0.05, 0.1, 0.3, 0.5, 0.8, 1.0] * 6
    config = AllocationConfig(rule="gvm", k0=4, k_max=24, budget_per_record=8)
    n_by_p: dict[float, list[int]] = {}
    for seed in range(30):
        allocator = run_allocation(pass_rates, config, seed)
        assert allocator.used == allocator.budget  # the whole batch budget, no more
        for i, p in enumerate(pass_rates):
            n_by_p.setdefault(p, []).append(allocator.n[i])
    mean = {p: sum(ns) / len(ns) for p, ns in n_by_p.items()}
    assert mean[0.0] > mean[0.3] > mean[0.5] > mean[0.8] > mean[1.0]
    assert mean[0.0] > 8 and min(n_by_p[0.0]) > 4  # p = 0 prompts are sampled more, never dropped
    assert mean[1.0] == 4  # a tight budget goes to low acceptance first
    generous = run_allocation(pass_rates, AllocationConfig(rule="gvm", k0=4, k_max=24, budget_per_record=16))
    assert all(n > 4 for n in generous.n)  # with budget to spare, unanimous right records are extended too


def relative_variance(pass_rates, n):
    """sum_i (1 - p_i) / (p_i n_i): the variance of the acceptance estimates relative to p_i, at the true p."""
    return sum((1 - p) / (p * k) for p, k in zip(pass_rates, n, strict=True)) / len(pass_rates)


def test_gvm_beats_fixed_k_at_the_same_average_budget():
    pass_rates = [0.05, 0.1, 0.3, 0.5, 0.8, 0.95] * 5
    gvm = AllocationConfig(rule="gvm", k0=4, k_max=24, budget_per_record=8)
    fixed = AllocationConfig(rule="fixed", k0=4, k_max=8)  # the same 8 samples per record on average
    gvm_objective, fixed_objective = [], []
    low_errors: dict[str, list[float]] = {"gvm": [], "fixed": []}
    zero_low: dict[str, int] = {"gvm": 0, "fixed": 0}
    for seed in range(150):
        for name, config, objective in (("gvm", gvm, gvm_objective), ("fixed", fixed, fixed_objective)):
            allocator = run_allocation(pass_rates, config, seed)
            assert allocator.used == 8 * len(pass_rates)
            objective.append(relative_variance(pass_rates, allocator.n))
            for i, p in enumerate(pass_rates):
                if p <= 0.1:
                    low_errors[name].append((allocator.correct[i] / allocator.n[i] - p) ** 2)
                    zero_low[name] += allocator.correct[i] == 0
    # The quantity the rule minimises, and the squared error of the low pass rates it spends on.
    assert sum(gvm_objective) / len(gvm_objective) < 0.85 * sum(fixed_objective) / len(fixed_objective)
    # The estimate itself gains less (the second stage depends on the first), but it does gain.
    assert sum(low_errors["gvm"]) < sum(low_errors["fixed"])
    assert zero_low["gvm"] < 0.8 * zero_low["fixed"]  # small p told from p = 0 more often


def test_unanimous_records_are_extended_when_the_budget_allows():
    # A true p = 0.1 item looks like p = 0 after 4 samples with probability 0.9^4 = 0.66; extending unanimous
    # records makes that rarer.
    lost = {"k0 only": 0, "gvm": 0, "wilson": 0}
    configs = {"k0 only": AllocationConfig(rule="fixed", k0=4, k_max=4),
               "gvm": AllocationConfig(rule="gvm", k0=4, k_max=16, budget_per_record=10),
               "wilson": AllocationConfig(rule="wilson", k0=4, step=4, k_max=16, budget_per_record=10,
                                          target_halfwidth=0.25)}
    trials = 300
    for seed in range(trials):
        for name, config in configs.items():
            allocator = run_allocation([0.1] * 4 + [0.9] * 4, config, seed)
            lost[name] += sum(1 for i in range(4) if allocator.correct[i] == 0)
    rate = {name: n / (4 * trials) for name, n in lost.items()}
    assert 0.6 < rate["k0 only"] < 0.72
    assert rate["gvm"] < 0.35 and rate["wilson"] < 0.35


def test_wilson_rule_reaches_its_target_within_k_max():
    config = AllocationConfig(rule="wilson", k0=4, step=4, k_max=16, budget_per_record=16, target_halfwidth=0.25,
                              extend_unanimous=False)
    allocator = Allocator(5, config)
    outcomes = {0: [False], 1: [True], 2: [True, False], 3: [False], 4: [False, True]}  # repeating patterns
    while plan := allocator.next_round():
        for i, k in plan.items():
            allocator.record(i, [outcomes[i][(allocator.n[i] + j) % len(outcomes[i])] for j in range(k)])
    assert allocator.n[0] == allocator.n[1] == allocator.n[3] == 4  # unanimous, not extended when told so
    for i in (2, 4):  # the uncertain ones stop as soon as the interval is narrow enough, before k_max
        assert wilson_halfwidth(allocator.correct[i], allocator.n[i], 1.96) <= 0.25 and allocator.n[i] < 16
    with pytest.raises(ConfigError, match="not reachable at k_max=10"):
        AllocationConfig(rule="wilson", k_max=10, target_halfwidth=0.2)


def test_tight_budget_goes_to_the_widest_intervals_first():
    config = AllocationConfig(rule="wilson", k0=4, step=4, k_max=16, budget_per_record=5, target_halfwidth=0.25)
    allocator = Allocator(4, config)
    assert allocator.next_round() == {0: 4, 1: 4, 2: 4, 3: 4}
    for i, correct in enumerate([1, 2, 3, 0]):  # pass rates .25 .5 .75 0 (the last is unanimous)
        allocator.record(i, [True] * correct + [False] * (4 - correct))
    assert allocator.next_round() == {1: 4}  # budget 20, 16 spent: the widest interval (p=.5) gets it
    assert allocator.asked == 20 and allocator.next_round() == {}


def test_fixed_k():
    allocator = run_allocation([0.3] * 5, AllocationConfig(rule="fixed", k0=2, k_max=8))
    assert allocator.n == [8] * 5 and allocator.report()["samples_fixed_k"] == 40


def test_failed_requests_are_counted_apart_from_samples_used():
    allocator = Allocator(3, AllocationConfig(rule="gvm", k0=2, k_max=4, budget_per_record=4))
    assert allocator.next_round() == {0: 2, 1: 2, 2: 2}
    allocator.record(0, [True, False])
    allocator.record(1, [False, False])
    allocator.fail(2, 2)
    plan = allocator.next_round()
    assert 2 not in plan and sum(plan.values()) == 4  # the failed record gets nothing more
    report = allocator.report()
    assert report["samples_used"] == 4 and report["samples_failed"] == 2


def test_allocation_config_is_validated():
    with pytest.raises(ConfigError, match="allocation.budget_per_record"):
        from_dict(AllocationConfig, {"k0": 8, "budget_per_record": 4})
    with pytest.raises(ConfigError, match="allocation.k_max"):
        from_dict(AllocationConfig, {"k0": 8, "k_max": 4})
    with pytest.raises(ConfigError, match="allocation.prior"):
        from_dict(AllocationConfig, {"prior": [0, 1]})
