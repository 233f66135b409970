"""The bookkeeping every step of the build shares, and the one adapter that runs a stage's plain-Python logic.

``emit`` is how a DoFn hands on what it did: its batch of records (main output), its reject rows (tagged
``rejects``), a counter per count and one ``dropped/<task>/<reason>`` counter per reject. ``RunStage`` runs a
``BATCH`` or ``ADD`` stage of ``reasonry.stages.STAGES`` over record batches: the stage's module holds the logic
(``setup``, ``process(batch) -> (records, rejects, counts)``, ``teardown``), made once per worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from reasonry.config import from_dict
from reasonry.stages import BatchLogic, Kind, get, load

REJECTS = "rejects"
NAMESPACE = "reasonry"


def count_rejects(rejects: list[dict]) -> None:
    from reasonry.duplicates import block_size, is_block

    for r in rejects:
        if is_block(r):  # a compact block of many duplicates
            Metrics.counter(NAMESPACE, f"dropped/{r['task']}/duplicate_id").inc(block_size(r))
        else:
            Metrics.counter(NAMESPACE, f"dropped/{r['task']}/{r['reason']}").inc()


def count(counts: dict[str, int], prefix: str = "") -> None:
    for name, value in counts.items():
        Metrics.counter(NAMESPACE, f"{prefix}/{name}" if prefix else name).inc(value)


def emit(records: list[dict], rejects: list[dict], counts: dict[str, int] | None = None, prefix: str = "",
         batch_size: int | None = None) -> Iterator[Any]:
    """Count, then yield ``records`` as one batch (or batches of ``batch_size``) and ``rejects`` tagged."""
    count(counts or {}, prefix)
    count_rejects(rejects)
    if records:
        size = batch_size or len(records)
        for start in range(0, len(records), size):
            yield records[start:start + size]
    if rejects:
        yield beam.pvalue.TaggedOutput(REJECTS, rejects)


class StageFn(beam.DoFn):
    """The adapter of every batch stage: makes its logic once per worker, runs it on each batch, emits."""

    def __init__(self, name: str, settings: Any, build_seed: int):
        self.name, self.settings, self.build_seed = name, settings, build_seed
        self.logic: BatchLogic | None = None

    def setup(self):
        self.logic = load(get(self.name).logic)(self.settings, self.build_seed)
        self.logic.setup()

    def teardown(self):
        if self.logic is not None:
            self.logic.teardown()

    def process(self, batch: list[dict]):
        assert self.logic is not None
        records, rejects, counts = self.logic.process(batch)
        yield from emit(records, rejects, counts, prefix=self.name)


class RunStage(beam.PTransform):
    """Batches -> the stage's batches (``records``) and reject rows (``rejects``). For an ``ADD`` stage the
    records are the new ones only; the caller keeps the input beside them. ``settings``: the validated
    ``stages.<name>`` section or its plain mapping."""

    def __init__(self, name: str, settings: Any = None, build_seed: int = 0):
        super().__init__()
        stage = get(name)
        if stage.kind not in (Kind.BATCH, Kind.ADD):
            raise ValueError(f"stage {name!r} is a {stage.kind.value} stage, not one run batch by batch")
        cls = stage.config_class()
        if not isinstance(settings, cls):
            settings = from_dict(cls, settings or {}, f"stages.{name}")
        self.name, self.settings, self.build_seed = name, settings, build_seed

    def expand(self, batches):
        fn = StageFn(self.name, self.settings, self.build_seed)
        return batches | beam.ParDo(fn).with_outputs(REJECTS, main="records")
