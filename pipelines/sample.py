"""Beam wiring of the model stage: sample on vLLM, grade, filter by self-consistency.

``SampleAndGrade(config)`` takes a PCollection of batches (lists of records) and returns a tuple-like result
with ``records`` (batches with ``rollouts`` and the self-consistency summary filled in) and ``rejects``
(lists of reject dicts, like every other stage). ``config`` is the validated ``stages.sampling`` section
(``SamplingStageConfig``) or its plain mapping.
"""

from __future__ import annotations

import functools

import apache_beam as beam
from apache_beam.metrics import Metrics

from reasonry.config import from_dict
from reasonry.generators.llm.stage import SamplingStage, SamplingStageConfig
from reasonry.pipelines.transforms import NAMESPACE, REJECTS


class ModelStageFn(beam.DoFn):
    """Runs a model stage (``SamplingStage``, ``PrototypeStage``) over batches: its ``process(batch)`` gives
    (records, rejects, stats); stats become counters under ``prefix``. The stage, and with it the model client
    (and the server it may start), is made once per worker."""

    def __init__(self, make_stage, prefix: str, connect_at_setup: bool):
        self.make_stage = make_stage
        self.prefix = prefix
        self.connect_at_setup = connect_at_setup
        self.stage = None

    def setup(self):
        self.stage = self.make_stage()
        if self.connect_at_setup:
            self.stage.setup()

    def teardown(self):
        if self.stage is not None:
            self.stage.teardown()

    def process(self, records: list[dict]):
        out, rejects, stats = self.stage.process(records)
        for name, value in stats.items():
            Metrics.counter(NAMESPACE, f"{self.prefix}/{name}").inc(value)
        for r in rejects:
            Metrics.counter(NAMESPACE, f"dropped/{r['task']}/{r['reason']}").inc()
        if out:
            yield out
        if rejects:
            yield beam.pvalue.TaggedOutput(REJECTS, rejects)


def _sampling_stage(config: SamplingStageConfig, build_seed: int):
    return SamplingStage(config, build_seed=build_seed)


def _prototype_stage(config):
    from reasonry.generators.llm.prototype_stage import PrototypeStage

    return PrototypeStage(config)


class SampleAndGrade(beam.PTransform):
    """Batches -> batches with rollouts; a ``rejects`` side output holds what self-consistency dropped."""

    def __init__(self, config: SamplingStageConfig | dict, build_seed: int = 0):
        super().__init__()
        if not isinstance(config, SamplingStageConfig):
            config = from_dict(SamplingStageConfig, config, "stages.sampling")
        self.config = config
        self.build_seed = build_seed

    def expand(self, batches):
        # The stage's setup makes the clients but connects nothing: a batch answered from the cache needs no server.
        fn = ModelStageFn(functools.partial(_sampling_stage, self.config, self.build_seed), "sampling",
                          connect_at_setup=True)
        return batches | beam.ParDo(fn).with_outputs(REJECTS, main="records")


class WritePrototypes(beam.PTransform):
    """Batches -> batches of new ``prolog/model_written/execution`` records (the input batches are not
    consumed), with a ``rejects`` output. The client connects only when a batch has an eligible record."""

    def __init__(self, config):
        super().__init__()
        self.config = config

    def expand(self, batches):
        fn = ModelStageFn(functools.partial(_prototype_stage, self.config), "prototypes", connect_at_setup=False)
        return batches | beam.ParDo(fn).with_outputs(REJECTS, main="records")
