"""Beam wiring of the model stage: sample on vLLM, grade, filter by self-consistency.

``SampleAndGrade(config)`` takes a PCollection of batches (lists of records) and returns a tuple-like result
with ``records`` (batches with ``rollouts`` and the self-consistency summary filled in) and ``rejects``
(lists of reject dicts, like every other stage). ``config`` is the validated ``stages.sampling`` section
(``SamplingStageConfig``) or its plain mapping.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from reasonry.config import from_dict
from reasonry.generators.llm.stage import SamplingStage, SamplingStageConfig

REJECTS = "rejects"
NAMESPACE = "reasonry"


class SampleBatchFn(beam.DoFn):
    """Batch -> sampled and graded batch; ``setup`` connects to the server or starts it (once per worker)."""

    def __init__(self, config: SamplingStageConfig):
        self.config = config
        self.stage: SamplingStage | None = None

    def setup(self):
        self.stage = SamplingStage(self.config)
        self.stage.setup()

    def teardown(self):
        if self.stage is not None:
            self.stage.teardown()

    def process(self, records: list[dict]):
        kept, rejects, stats = self.stage.process(records)
        for name, value in stats.items():
            Metrics.counter(NAMESPACE, f"sampling/{name}").inc(value)
        for r in rejects:
            Metrics.counter(NAMESPACE, f"dropped/{r['task']}/{r['reason']}").inc()
        if kept:
            yield kept
        if rejects:
            yield beam.pvalue.TaggedOutput(REJECTS, rejects)


class SampleAndGrade(beam.PTransform):
    """Batches -> batches with rollouts; a ``rejects`` side output holds what self-consistency dropped."""

    def __init__(self, config: SamplingStageConfig | dict):
        super().__init__()
        if not isinstance(config, SamplingStageConfig):
            config = from_dict(SamplingStageConfig, config, "stages.sampling")
        self.config = config

    def expand(self, batches):
        return batches | beam.ParDo(SampleBatchFn(self.config)).with_outputs(REJECTS, main="records")


class PrototypeBatchFn(beam.DoFn):
    """Batch -> new batch of model-written Prolog prototype records (the input batch is not consumed)."""

    def __init__(self, config):
        self.config = config
        self.stage = None

    def setup(self):
        from reasonry.generators.llm.prototype_stage import PrototypeStage

        self.stage = PrototypeStage(self.config)

    def teardown(self):
        if self.stage is not None:
            self.stage.teardown()

    def process(self, records: list[dict]):
        new, rejects, stats = self.stage.process(records)
        for name, value in stats.items():
            Metrics.counter(NAMESPACE, f"prototypes/{name}").inc(value)
        for r in rejects:
            Metrics.counter(NAMESPACE, f"dropped/{r['task']}/{r['reason']}").inc()
        if new:
            yield new
        if rejects:
            yield beam.pvalue.TaggedOutput(REJECTS, rejects)


class WritePrototypes(beam.PTransform):
    """Batches -> batches of new ``prolog/model_written/execution`` records, with a ``rejects`` output."""

    def __init__(self, config):
        super().__init__()
        self.config = config

    def expand(self, batches):
        return batches | beam.ParDo(PrototypeBatchFn(self.config)).with_outputs(REJECTS, main="records")
