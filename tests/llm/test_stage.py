"""The sampling stage: against the real vLLM CPU server (malformed output, caching, resume after a kill, the Beam
transform, the judge's plumbing) and, for the paths a random model cannot reach (correct answers), with a
scripted client."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from reasonry.config import RunnerSection, from_dict, to_dict
from reasonry.generators.llm.stage import SamplingStage, SamplingStageConfig
from reasonry.models import ModelClient
from reasonry.models.cache import ResponseCache
from reasonry.pipelines.runner import make_runner, pipeline_options
from reasonry.pipelines.stages import REJECTS, RunStage
from reasonry.registry import get_task
from reasonry.rng import item_rng
from reasonry.task import ItemKey


def records(n: int, start: int = 0) -> list[dict]:
    task = get_task("tail/addition")
    return [task.generate(task.Config(), ItemKey("tail/addition", "train", "S", i),
                          item_rng(0, "tail/addition", i, "train", "S")) for i in range(start, start + n)]


def passthrough_record() -> dict:
    record = records(1, 99)[0]
    return {**record, "task": "tail/untouched", "id": "untouched"}


def stage_config(client_config, **overrides) -> SamplingStageConfig:
    data = {"client": to_dict(client_config), "tasks": ["tail/addition"], "max_tokens": 16, "seed": 7,
            "prompt_template": "{prompt}\nEnd with 'Final answer: <number>'.",
            "self_consistency": {"policy": "rl", "allocation": {"k0": 2, "step": 2, "k_max": 4,
                                                                "budget_per_record": 4}}}
    data.update(overrides)
    return from_dict(SamplingStageConfig, data, "stages.sampling")


# --- real server ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_malformed_output_counts_as_incorrect_with_its_reason(vllm_server, tmp_path):
    config = stage_config(vllm_server.client_config(cache_dir=str(tmp_path / "cache")))
    stage = SamplingStage(config)
    stage.setup()
    batch = records(3) + [passthrough_record()]
    kept, rejects, stats = stage.process(batch)
    assert kept == [batch[3]]  # not asked for: passed through untouched
    assert [r["id"] for r in rejects] == [r["id"] for r in batch[:3]]
    for reject, record in zip(rejects, batch, strict=False):
        assert reject["reason"] == "sc_pass_rate_zero" and reject["task"] == "tail/addition"
        assert (reject["stage"], reject["split"], reject["index"]) == ("sampling", "train",
                                                                      record["provenance"]["index"])
        rollouts = reject["record"]["rollouts"]
        # k0 = 2, then the rest of the budget (4 per record): all-wrong records are extended, not given up
        assert len(rollouts) == 4
        assert len({r["text"] for r in rollouts}) == 4  # independent samples, none repeated across rounds
        for rollout in rollouts:
            # a random model's reply is no answer, or (one line of text: a bare answer) a wrong one
            assert rollout["correct"] is False and rollout["text"] and rollout["judge"] == ""
            assert rollout["reason"].startswith("no_answer" if rollout["answer"] is None else "tail: wrong answer")
        assert reject["record"]["meta"]["self_consistency"]["pass_rate"] == 0.0
    assert stats["samples_used"] == 12 and stats["samples_fixed_k"] == 12 and stats["samples_failed"] == 0
    assert stage.client.requests_made == 12  # one request per sample, each with its own seed
    # A rerun is answered from the cache and gives the same result, without a server: the client points at a
    # port where nothing listens, and connects only on a cache miss.
    from reasonry.models.server import free_port

    dead = dataclasses.replace(config, client=dataclasses.replace(config.client,
                                                                  url=f"http://127.0.0.1:{free_port()}"))
    again = SamplingStage(dead)
    again.setup()
    assert again.process(batch) == (kept, rejects, stats) and again.client.requests_made == 0


@pytest.mark.slow
def test_distinct_seeds_give_independent_draws_on_the_real_server(vllm_server):
    from reasonry.generators.llm.stage import sample_seed

    client = ModelClient(vllm_server.client_config())
    prompt = "what is the sum of 2 and 3 ?"
    params = {"n": 1, "max_tokens": 16, "temperature": 1.0}
    seeds = [sample_seed(1, 0, "record", r, i) for r in range(2) for i in range(4)]
    assert len(set(seeds)) == 8
    draws = [texts[0] for texts in client.generate_each([prompt] * 8, seed=seeds, **params)]
    assert len(set(draws)) == 8  # eight seeds, eight different samples
    assert client.generate_each([prompt], seed=seeds[:1], **params)[0][0] == draws[0]  # and reproducible
    # Why samples are never asked for with n > 1 and a round seed: the server seeds sample i of a request
    # with seed + i, so a request seeded s + 1 repeats the second sample of one seeded s.
    two = client.generate([prompt], n=2, max_tokens=16, temperature=1.0, seed=100)[0]
    assert client.generate([prompt], n=1, max_tokens=16, temperature=1.0, seed=101)[0][0] == two[1]


@pytest.mark.slow
def test_a_refused_prompt_rejects_only_its_record(vllm_server, tmp_path):
    config = stage_config(vllm_server.client_config(cache_dir=str(tmp_path / "cache")))
    batch = records(2)
    too_long = {**batch[1], "id": "too-long", "prompt": " ".join(["sum"] * 400)}  # past --max-model-len 256
    stage = SamplingStage(config)
    stage.setup()
    kept, rejects, stats = stage.process([batch[0], too_long])
    assert kept == [] and [r["id"] for r in rejects] == [batch[0]["id"], "too-long"]
    refused = rejects[1]
    assert refused["reason"] == "model_request_error" and refused["stage"] == "sampling"
    assert refused["detail"].startswith("HTTP 400") and "\n" not in refused["detail"]
    assert (refused["split"], refused["index"]) == ("train", too_long["provenance"]["index"])
    assert rejects[0]["reason"] == "sc_pass_rate_zero"  # the other record went on
    assert stats["samples_failed"] == 2 and stats["samples_used"] == 4  # k0 = 2 refused; the other got 2 + 2
    assert stats["dropped_model_request_error"] == 1 and stage.client.requests_failed == 2


CHILD = """
import json, sys, time
from reasonry.config import from_dict
from reasonry.generators.llm.stage import SamplingStage, SamplingStageConfig
stage = SamplingStage(from_dict(SamplingStageConfig, json.loads(sys.argv[1])))
stage.setup()
with open(sys.argv[3], "a") as out:
    for batch in json.load(open(sys.argv[2])):
        kept, rejects, stats = stage.process(batch)
        out.write(json.dumps({"kept": kept, "rejects": rejects}) + "\\n")
        out.flush()
        time.sleep(2)  # a slow build, so the kill lands between batches 1 and 2 at the latest
"""


@pytest.mark.slow
def test_resume_after_killing_a_build_midway(vllm_server, tmp_path):
    cache_dir = str(tmp_path / "cache")
    config = stage_config(vllm_server.client_config(cache_dir=cache_dir))
    batches = [records(2, 2 * b) for b in range(4)]
    (tmp_path / "batches.json").write_text(json.dumps(batches))
    progress = tmp_path / "progress.jsonl"
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(to_dict(config)),
                              str(tmp_path / "batches.json"), str(progress)], start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (progress.exists() and progress.read_text().count("\n") >= 1):
            assert child.poll() is None, "the build died on its own"
            assert time.monotonic() < deadline, "the build made no progress"
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    done = [json.loads(line) for line in progress.read_text().splitlines()]
    assert 1 <= len(done) < 4
    cached = len(ResponseCache(cache_dir))
    assert cached >= 2  # the first batch's two requests at least

    stage = SamplingStage(config)
    stage.setup()
    results = [stage.process(batch) for batch in batches]
    total = len(ResponseCache(cache_dir))
    assert stage.client.requests_made == total - cached > 0  # only what the killed build had not finished
    for before, (kept, rejects, _) in zip(done, results, strict=False):
        assert {"kept": kept, "rejects": rejects} == before  # finished work is reused verbatim
    assert sum(len(k) + len(r) for k, r, _ in results) == 8  # every record accounted for


@pytest.mark.slow
def test_sample_and_grade_on_the_local_beam_runner(vllm_server, tmp_path):
    config = stage_config(vllm_server.client_config(cache_dir=str(tmp_path / "cache")))
    batches = [records(2), records(2, 2) + [passthrough_record()]]
    runner = RunnerSection(workers=1)
    with beam.Pipeline(runner=make_runner(runner), options=pipeline_options(runner)) as p:
        out = p | beam.Create(batches) | RunStage("sampling", to_dict(config))
        kept = out.records | "kept" >> beam.FlatMap(lambda rs: [r["id"] for r in rs])
        dropped = out[REJECTS] | "dropped" >> beam.FlatMap(
            lambda rs: [(r["id"], r["reason"], len(r["record"]["rollouts"])) for r in rs])
        assert_that(kept, equal_to(["untouched"]), label="kept")
        assert_that(dropped, equal_to([(r["id"], "sc_pass_rate_zero", 4) for b in batches for r in b[:2]]),
                    label="rejects")
    assert len(ResponseCache(config.client.cache_dir)) == 16  # the worker process sampled through the cache


@pytest.mark.slow
def test_judge_verifier_against_the_real_server(vllm_server):
    from reasonry.verifiers import judge

    spec = {"question": "what is 2 + 3 ?", "reference": "5",
            "client": to_dict(vllm_server.client_config(max_retries=0)), "max_tokens": 16}
    verdict = judge.verify(spec, "five")
    # A random model writes no "Final Decision:" line, which counts as No, with that reason.
    assert verdict.ok is False and verdict.reason == "no decision in judge reply"
    assert judge.client_for(spec["client"]).requests_made == 1
    assert judge.verify(spec, "  ").reason == "empty candidate"
    assert judge.verify({"question": "q"}, "x").reason.startswith("bad spec")


# --- scripted client: the paths where answers are right -------------------------------------------


class ScriptedClient(ModelClient):
    """Answers from a script instead of a model: a random tiny model never writes a correct answer, and these
    tests need controlled correct and wrong samples. Everything else (stage, grading, verifier) is real."""

    def __init__(self, script):
        self.script = script
        self.calls: list[tuple[int, int, list]] = []
        self.prompts: list[str] = []

    def connect(self):
        return "scripted"

    def close(self):
        pass

    def generate_each(self, prompts, *, n=1, max_tokens=256, temperature=1.0, top_p=1.0, stop=None, seed=None):
        seeds = list(seed) if isinstance(seed, list) else [seed] * len(prompts)
        self.calls.append((len(prompts), n, seeds))
        self.prompts += prompts
        return [self.script(prompt, n, s) for prompt, s in zip(prompts, seeds, strict=True)]

    def generate(self, prompts, **kw):
        return self.generate_each(prompts, **kw)


def test_stage_keeps_mixed_records_with_dynamic_allocation():
    batch = records(3)
    gold = {r["prompt"]: r["answer"] for r in batch}
    # record 0: always right (p=1), record 1: right every other sample (p=.5), record 2: never right
    pattern = {0: [True], 1: [True, False], 2: [False]}
    index = {r["prompt"]: i for i, r in enumerate(batch)}
    counter = {i: 0 for i in pattern}

    def script(prompt, n, seed):
        i = index[prompt]
        out = []
        for _ in range(n):
            right = pattern[i][counter[i] % len(pattern[i])]
            counter[i] += 1
            out.append(f"Final answer: {gold[prompt] if right else '0'}")
        return out

    config = dataclasses.replace(
        stage_config(vllm_config_stub()),
        self_consistency=from_dict(type(stage_config(vllm_config_stub()).self_consistency),
                                   {"policy": "rl", "allocation": {"rule": "wilson", "k0": 2, "step": 2, "k_max": 8,
                                                                   "budget_per_record": 4, "target_halfwidth": 0.3,
                                                                   "extend_unanimous": False}}),
        prompt_template="{prompt}")
    client = ScriptedClient(script)
    kept, rejects, stats = SamplingStage(config, client=client).process(batch)
    assert [r["id"] for r in kept] == [batch[1]["id"]]
    assert kept[0]["difficulty"]["pass_rate"] == 0.5 and kept[0]["difficulty"]["bucket"] == "medium"
    assert len(kept[0]["rollouts"]) == 8  # budget 12: 6 for k0, the other 6 only for the uncertain record
    assert sorted(r["reason"] for r in rejects) == ["sc_pass_rate_one", "sc_pass_rate_zero"]
    assert stats["samples_used"] == 12 and stats["samples_fixed_k"] == 12
    # One request per sample (n = 1), each with its own seed; a round sends all of its samples at once.
    assert [(c[0], c[1]) for c in client.calls] == [(6, 1), (2, 1), (2, 1), (2, 1)]
    seeds = [s for c in client.calls for s in c[2]]
    assert len(set(seeds)) == 12
    again = ScriptedClient(script)
    SamplingStage(config, client=again).process(batch)
    assert [s for c in again.calls for s in c[2]] == seeds  # the same requests again: a rerun hits the cache


def equation_record(index: int, answer_type: str = "expression") -> dict:
    task = get_task("mcts/equation/direct")
    record = task.generate(task.Config(), ItemKey("mcts/equation/direct", "train", None, index),
                           item_rng(0, "mcts/equation/direct", index, "train", None))
    return {**record, "answer_type": answer_type,
            "verifier": {"kind": "math", "spec": {"answer": record["answer"], "answer_type": answer_type}}}


def test_stage_batches_judge_calls_and_keeps_both_verdicts():
    batch = [equation_record(0), equation_record(1)]
    asked: dict[str, int] = {}

    def script(prompt, n, seed):
        if prompt.startswith("Question:"):  # the judge prompt
            return ["looks equivalent. Final Decision: Yes" if "Candidate answer:\nminus" in prompt else
                    "Final Decision: No"] * n
        asked[prompt] = asked.get(prompt, 0) + 1
        return [["Final answer: minus one", "Final answer: 1000"][asked[prompt] % 2]]

    config = stage_config(vllm_config_stub(), judge={"enabled": True}, tasks=["mcts/*"],
                          self_consistency={"policy": "none", "allocation": {"rule": "fixed", "k0": 2, "k_max": 2,
                                                                            "budget_per_record": 2}})
    client = ScriptedClient(script)
    kept, rejects, stats = SamplingStage(config, client=client, judge_client=client).process(batch)
    assert rejects == [] and len(kept) == 2
    rollouts = [r for record in kept for r in record["rollouts"]]
    assert all(r["rule_correct"] is False for r in rollouts)  # the rule's verdict stays on record
    for rollout in rollouts:
        rescued = rollout["answer"] == "minus one"
        assert rollout["correct"] is rescued and rollout["judge"] == ("yes" if rescued else "no")
        assert rollout["reason"].endswith(f"judge: {rollout['judge']}")
    assert client.calls[0][:2] == (4, 1) and client.calls[1][:2] == (4, 1)  # all four judge questions in one call
    assert stats["judge_consulted"] == 4 and stats["judge_overruled"] == sum(r["correct"] for r in rollouts) == 2


def test_judge_never_overrules_an_exact_verifier():
    task = get_task("pddl/blocksworld/plan_generation")
    record = task.generate(task.Config(), ItemKey("pddl/blocksworld/plan_generation", "train", None, 0),
                           item_rng(0, "pddl/blocksworld/plan_generation", 0, "train", None))

    def script(prompt, n, seed):
        if prompt.startswith("Question:"):
            return ["Final Decision: Yes"] * n  # a judge that says yes to everything
        return ["```plan\n(noop a)\n```"] * n

    config = stage_config(vllm_config_stub(), judge={"enabled": True, "answer_types": ["string", "expression"],
                                                     "tasks": ["*"]},
                          tasks=["pddl/*"], self_consistency={"policy": "none"})
    client = ScriptedClient(script)
    kept, _, stats = SamplingStage(config, client=client, judge_client=client).process([record])
    assert all(c[0] != 0 for c in client.calls) and not any("Question:" in p for p in client.prompts)
    rollouts = kept[0]["rollouts"]
    assert rollouts and all(not r["correct"] and r["judge"] == "" for r in rollouts)
    assert rollouts[0]["reason"].startswith("pddl:") and "judge" not in rollouts[0]["reason"]
    assert kept[0]["difficulty"]["pass_rate"] == 0.0 and "judge_consulted" not in stats


def test_split_votes_report_no_pass_rate():
    batch = [{**equation_record(0, "integer"), "task": "webqa/math", "answer": ""}]
    config = stage_config(vllm_config_stub(), tasks=["webqa/*"],
                          self_consistency={"allocation": {"rule": "fixed", "k0": 4, "k_max": 4}})
    answers = iter(["1", "2", "1", "3"])  # the best answer has 2 of 4 votes, below min_agreement 0.6
    client = ScriptedClient(lambda prompt, n, seed: [f"Final answer: {next(answers)}"])
    _, rejects, _ = SamplingStage(config, client=client).process(batch)
    assert rejects[0]["reason"] == "sc_low_agreement"
    assert rejects[0]["detail"].startswith("pass_rate=n/a (no reference)") and "0.000" not in rejects[0]["detail"]
    summary = rejects[0]["record"]["meta"]["self_consistency"]
    assert summary["pass_rate"] is None and summary["agreement"] == 0.5


def test_a_build_that_keeps_nothing_warns_or_fails(caplog):
    from reasonry.errors import BuildFailed
    from reasonry.generators.llm.stage import check_kept

    config = stage_config(vllm_config_stub())
    counters = {"sampling/records_sampled": 10, "sampling/dropped_sc_pass_rate_zero": 10}
    with caplog.at_level("WARNING"):
        message = check_kept(config, counters)
    assert message == "sampling kept 0 of 10 records (sc_pass_rate_zero 10)" and message in caplog.text
    assert check_kept(config, {**counters, "sampling/records_kept": 1}) is None
    strict = stage_config(vllm_config_stub(), min_kept_fraction=0.2)
    with pytest.raises(BuildFailed, match="kept 1 of 10 records.*min_kept_fraction 0.2"):
        check_kept(strict, {**counters, "sampling/records_kept": 1})
    assert check_kept(strict, {**counters, "sampling/records_kept": 2}) is None


def test_sampling_config_is_validated():
    from reasonry.errors import ConfigError

    with pytest.raises(ConfigError, match="stages.sampling.client"):
        from_dict(SamplingStageConfig, {}, "stages.sampling")
    with pytest.raises(ConfigError, match="stages.sampling.self_consistency.policy"):
        stage_config(vllm_config_stub(), self_consistency={"policy": "best"})
    with pytest.raises(ConfigError, match="unknown key"):
        stage_config(vllm_config_stub(), temprature=0.5)
    assert SamplingStageConfig.from_stages({}) is None
    assert SamplingStageConfig.from_stages({"sampling": {"client": {"model": "m"}}}).client.model == "m"


def vllm_config_stub():
    from reasonry.models import ClientConfig

    return ClientConfig(model="scripted")


def test_unreachable_server_stops_the_stage_and_drops_nothing(tmp_path):
    from reasonry.models import ClientConfig, ModelServerUnavailable
    from reasonry.models.server import free_port

    dead = ClientConfig(model="m", url=f"http://127.0.0.1:{free_port()}", max_retries=1, backoff_s=0.01,
                        cache_dir=str(tmp_path))
    client = ModelClient(dead)
    stage = SamplingStage(stage_config(dead), client=client)
    with pytest.raises(ModelServerUnavailable, match="not answering"):
        stage.process(records(2))
    assert client.requests_made == 0  # the connection check fails first: no request, no reject


@pytest.mark.slow
def test_a_server_serving_another_model_stops_the_stage(vllm_server, tmp_path):
    """A wrong model name is the configuration's fault: one error for the build, never a reject per record."""
    from reasonry.models import ModelNotServed

    config = stage_config(vllm_server.client_config(served_model_name="not-the-model",
                                                    cache_dir=str(tmp_path / "cache")))
    stage = SamplingStage(config)
    stage.setup()
    with pytest.raises(ModelNotServed, match="not 'not-the-model'"):
        stage.process(records(2))
    assert stage.client.requests_made == 0


@pytest.mark.slow
def test_a_sampling_build_reports_its_samples_and_reruns_from_the_cache_without_a_server(vllm_server, tmp_path,
                                                                                         caplog):
    """The whole build (real Beam runner, real server): the manifest counts samples used, failed and the fixed-k
    comparison; every reject names its stage, split and index; a build that keeps nothing warns; a rerun from
    the response cache with the server's address gone gives byte-identical output."""
    import pyarrow.parquet as pq

    from reasonry.config import load_config
    from reasonry.models.server import free_port
    from reasonry.pipelines.build import run_build

    client = to_dict(vllm_server.client_config(cache_dir=str(tmp_path / "cache")))
    data = {"build": {"name": "sampled", "seed": 11, "shard_size": 3, "exports": ["rl"]},
            "runner": {"workers": 2},
            "tasks": {"tail/addition": {"train": {"S": 4}}},
            "stages": {"sampling": {"client": client, "tasks": ["tail/*"], "max_tokens": 8,
                                    "self_consistency": {"allocation": {"k0": 2, "k_max": 4,
                                                                        "budget_per_record": 3}}}}}
    with caplog.at_level("WARNING"):
        first = run_build(load_config(data=data), tmp_path / "a", use_cache=False)
    counters = first.manifest["run"]["beam_counters"]
    assert counters["sampling/records_sampled"] == 4 and counters.get("sampling/records_kept", 0) == 0
    assert counters["sampling/samples_failed"] == 0
    # Shards of 3 and 1 records: budgets floor(3 x 3) + floor(3 x 1) = 12 samples, all spent; fixed k = 3.
    assert counters["sampling/samples_used"] == 12 and counters["sampling/samples_fixed_k"] == 12
    assert "sampling kept 0 of 4 records (sc_pass_rate_zero 4)" in caplog.text
    rejects = [r for p in sorted((tmp_path / "a" / "rejects").rglob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    assert len(rejects) == 4
    assert all(r["stage"] == "sampling" and r["split"] == "train" and r["index"] is not None for r in rejects)
    assert sorted(r["index"] for r in rejects) == [0, 1, 2, 3]

    data["stages"]["sampling"]["client"]["url"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    second = run_build(load_config(data=data), tmp_path / "b", use_cache=False)
    for path in sorted((tmp_path / "a").rglob("*.parquet")):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
    assert second.manifest["run"]["beam_counters"]["sampling/samples_used"] == 12


def test_sample_seeds_are_distinct_per_sample_and_stable():
    from reasonry.generators.llm.stage import sample_seed

    seeds = {sample_seed(b, s, r, rnd, i) for b in (0, 1) for s in (0, 1) for r in ("x", "y")
             for rnd in range(3) for i in range(16)}
    assert len(seeds) == 2 * 2 * 2 * 3 * 16  # no two samples share a seed, across rounds, records and builds
    assert all(0 <= s < 2**63 for s in seeds)  # a signed 64-bit seed, which servers accept
    assert sample_seed(7, 0, "x", 1, 3) == sample_seed(7, 0, "x", 1, 3)  # a rerun asks for the same samples
    # The rule vLLM uses within one request (seed + i) cannot make two of our samples collide: no seed is
    # another's neighbour.
    assert not any(s + 1 in seeds for s in seeds)
