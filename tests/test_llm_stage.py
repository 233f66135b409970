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
from reasonry.generators.llm import ModelClient
from reasonry.generators.llm.cache import ResponseCache
from reasonry.generators.llm.stage import SamplingStage, SamplingStageConfig
from reasonry.pipelines.runner import make_runner, pipeline_options
from reasonry.pipelines.sample import REJECTS, SampleAndGrade
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
    for reject in rejects:
        assert reject["reason"] == "sc_pass_rate_zero" and reject["task"] == "tail/addition"
        rollouts = reject["record"]["rollouts"]
        assert len(rollouts) == 2  # unanimous after k0: no more samples spent
        for rollout in rollouts:
            # a random model's reply is no answer, or (one line of text: a bare answer) a wrong one
            assert rollout["correct"] is False and rollout["text"]
            assert rollout["reason"].startswith("no_answer" if rollout["answer"] is None else "tail: wrong answer")
        assert reject["record"]["meta"]["self_consistency"]["pass_rate"] == 0.0
    assert stats["samples_used"] == 6 and stats["samples_fixed_k"] == 12 and stats["samples_saved"] == 6
    assert stage.client.requests_made == 3  # one request per record, n=2 in it
    # A rerun is answered from the cache and gives the same result.
    again = SamplingStage(config)
    again.setup()
    assert again.process(batch) == (kept, rejects, stats) and again.client.requests_made == 0


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
        out = p | beam.Create(batches) | SampleAndGrade(to_dict(config))
        kept = out.records | "kept" >> beam.FlatMap(lambda rs: [r["id"] for r in rs])
        dropped = out[REJECTS] | "dropped" >> beam.FlatMap(
            lambda rs: [(r["id"], r["reason"], len(r["record"]["rollouts"])) for r in rs])
        assert_that(kept, equal_to(["untouched"]), label="kept")
        assert_that(dropped, equal_to([(r["id"], "sc_pass_rate_zero", 2) for b in batches for r in b[:2]]),
                    label="rejects")
    assert len(ResponseCache(config.client.cache_dir)) == 4  # the worker process sampled through the cache


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
        self.calls: list[tuple[int, int, int | None]] = []

    def connect(self):
        return "scripted"

    def close(self):
        pass

    def generate_each(self, prompts, *, n=1, max_tokens=256, temperature=1.0, top_p=1.0, stop=None, seed=None):
        self.calls.append((len(prompts), n, seed))
        return [self.script(prompt, n, seed) for prompt in prompts]

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
                                   {"policy": "rl", "allocation": {"k0": 2, "step": 2, "k_max": 8,
                                                                   "budget_per_record": 4}}),
        prompt_template="{prompt}")
    client = ScriptedClient(script)
    kept, rejects, stats = SamplingStage(config, client=client).process(batch)
    assert [r["id"] for r in kept] == [batch[1]["id"]]
    assert kept[0]["difficulty"]["pass_rate"] == 0.5 and kept[0]["difficulty"]["bucket"] == "medium"
    assert len(kept[0]["rollouts"]) == 8  # budget 12: 6 for k0, the other 6 only for the uncertain record
    assert sorted(r["reason"] for r in rejects) == ["sc_pass_rate_one", "sc_pass_rate_zero"]
    assert stats["samples_used"] == 12 and stats["samples_saved"] == 3 * 8 - 12
    assert [c[2] for c in client.calls] == [7, 8, 9, 10]  # one seed per round, so reruns hit the cache
    assert all(c[0] == 1 for c in client.calls[1:]) and client.calls[0] == (3, 2, 7)


def test_stage_batches_judge_calls_and_records_them_in_the_reason():
    batch = records(2)

    def script(prompt, n, seed):
        if prompt.startswith("Question:"):  # the judge prompt
            return ["looks equivalent. Final Decision: Yes" if "Candidate answer:\n0" in prompt else
                    "Final Decision: No"] * n
        return ["Final answer: 0", "Final answer: 1"][:n]

    config = stage_config(vllm_config_stub(), judge={"enabled": True},
                          self_consistency={"policy": "none", "allocation": {"dynamic": False, "k0": 2, "k_max": 2,
                                                                            "budget_per_record": 2}})
    client = ScriptedClient(script)
    kept, rejects, _ = SamplingStage(config, client=client, judge_client=client).process(batch)
    assert rejects == [] and len(kept) == 2
    for record in kept:
        first, second = record["rollouts"]
        assert first["correct"] and first["reason"].endswith("judge: yes")
        assert not second["correct"] and second["reason"].endswith("judge: no")
    assert [c[:2] for c in client.calls] == [(2, 2), (4, 1)]  # all four judge questions in one call


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
    from reasonry.generators.llm import ClientConfig

    return ClientConfig(model="scripted")


def test_unreachable_server_stops_the_stage_and_drops_nothing(tmp_path):
    from reasonry.generators.llm import ClientConfig, ModelServerUnavailable
    from reasonry.generators.llm.server import free_port

    dead = ClientConfig(model="m", url=f"http://127.0.0.1:{free_port()}", max_retries=1, backoff_s=0.01,
                        cache_dir=str(tmp_path))
    client = ModelClient(dead)
    stage = SamplingStage(stage_config(dead), client=client)
    with pytest.raises(ModelServerUnavailable, match="after 2 attempts"):
        stage.process(records(2))
    assert client.requests_made == 4  # two records, one retry each, then the stage gives up (no rejects)
