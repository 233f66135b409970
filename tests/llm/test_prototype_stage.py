"""``stages.prototypes`` in the build: model-written Prolog programs become records next to their sources."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from reasonry.config import from_dict, to_dict
from reasonry.generators.llm.prototype_stage import PrototypeStage, PrototypeStageConfig
from reasonry.record import make_record, validate
from reasonry.registry import get_verifier
from tests.llm.test_prototypes import ANSWER, HARDER, ScriptedClient


def _source(problem: str, split: str, index: int, task: str = "webqa/qa", answer: str = "37") -> dict:
    record = make_record(family=task.split("/")[0], task=task, problem={"q": problem}, prompt=problem,
                         answer=answer, answer_type="integer", verifier_kind="math",
                         verifier_spec={"answer": answer, "answer_type": "integer"}, split=split,
                         provenance={"index": index})
    return record


def test_stage_adds_verified_prototypes_in_the_source_split():
    """A scripted model: the only model that runs offline is a random one, which never writes a program.
    The Prolog side is the real sandboxed pool."""
    def replies(prompt):
        if prompt.startswith("Here is a problem"):
            return ["Problem: Find three numbers with sum 24 and product 440.\n```prolog\n" + HARDER + "```"]
        if "sum 10" in prompt:
            return [f"```prolog\n{ANSWER}```"]
        return ["I cannot write that."]

    config = from_dict(PrototypeStageConfig, {"client": {"model": "scripted"}, "tasks": ["webqa/*"],
                                              "prototype": {"samples": 1, "evolve": True}})
    stage = PrototypeStage(config, client=ScriptedClient(replies))
    batch = [_source("Two digits with sum 10 and product 21.", "test", 4),
             _source("Something no program solves.", "train", 5),
             _source("Ignored: not a web task.", "train", 6, task="tail/addition")]
    records, rejects, stats = stage.process(batch)
    assert len(records) == 2 and stats["kept"] == 1 and stats["evolved"] == 1
    for record in records:
        validate(record)
        assert record["task"] == "prolog/model_written/execution" and record["split"] == "test"
        assert record["provenance"]["source_id"] == batch[0]["id"]
        assert get_verifier("prolog").verify(record["verifier"]["spec"], record["answer"]).ok
    assert [(r["reason"], r["id"]) for r in rejects] == [("no_anchored_program", batch[1]["id"])]
    assert (rejects[0]["stage"], rejects[0]["split"], rejects[0]["index"]) == ("prototypes", "train", 5)


@pytest.mark.slow
def test_beam_stage_against_the_real_server_rejects_what_does_not_run(vllm_server):
    config = from_dict(PrototypeStageConfig, {"client": to_dict(vllm_server.client_config()),
                                              "prototype": {"samples": 2, "max_tokens": 32}})
    from reasonry.pipelines.stages import REJECTS, RunStage

    batch = [_source("What is the sum of 2 and 3 ?", "train", 0), _source("Is 7 prime ?", "train", 1)]
    with test_pipeline.TestPipeline(runner=FnApiRunner()) as p:
        out = p | beam.Create([batch]) | RunStage("prototypes", config)
        assert_that(out.records | "n" >> beam.Map(len), equal_to([]), label="no program runs")
        reasons = out[REJECTS] | beam.FlatMap(lambda rs: [r["reason"] for r in rs])
        assert_that(reasons, equal_to(["no_anchored_program"] * 2), label="reasons")
