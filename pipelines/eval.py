"""Beam wiring of ``reasonry eval``: sample and grade the selected test items, one batch per element.

``run_eval(config, items, out)`` splits the items into batches (in their seeded order, so the batches are the
same on every run), skips the batches whose result is already under ``out/.eval/parts`` (resume after a kill),
and runs ``Create -> Reshuffle -> ParDo(ScoreBatches)`` on the configured runner (local: FnApiRunner with
multi-processing, like a build; any other Beam runner unchanged). Each worker holds one model client (and may
start one vLLM server, as the sampling stage does); a finished batch is written atomically as one part file
that proves its key. The driver reads every part back and builds the report, so the report depends only on
the items and their samples, never on which worker ran what. Requests go through the client's disk cache: a
rerun into a fresh folder with the same cache makes no request.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.metrics import Metrics

from reasonry import storage
from reasonry.config import RunnerSection
from reasonry.errors import BuildFailed
from reasonry.evaluation.scoring import EvalConfig, EvalScorer
from reasonry.hashing import content_hash
from reasonry.pipelines.runner import counters, make_runner, pipeline_options

NAMESPACE = "reasonry-eval"
PARTS = ".eval/parts"


class EvalFailed(BuildFailed):
    """The eval finished its report but more items failed than ``max_failure_rate`` allows."""


def batch_key(config: EvalConfig, batch: list[dict]) -> str:
    """What a batch's result depends on: the model, the sampling parameters and the items."""
    client = config.client
    return content_hash(["reasonry.eval.v1", client.model, client.model_revision, config.sampling(),
                         [r["id"] for r in batch]])


def plan_batches(config: EvalConfig, items: list[dict]) -> list[tuple[str, list[dict]]]:
    size = config.batch_size
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    return [(batch_key(config, b), b) for b in batches]


def part_path(out: str, key: str) -> str:
    return storage.join(out, PARTS, f"{key}.json")


def read_part(out: str, key: str) -> list[dict] | None:
    """A finished batch's items, or None when absent or not provably this batch's (then it is redone)."""
    path = part_path(out, key)
    if not storage.exists(path):
        return None
    try:
        data = json.loads(storage.read_bytes(path))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("items"), list):
        return None
    return data["items"]


class ScoreBatches(beam.DoFn):
    """(key, batch) -> the key, once the batch's graded items are written to its part file."""

    def __init__(self, config: EvalConfig, out: str):
        self.config = config
        self.out = out
        self.scorer: EvalScorer | None = None

    def setup(self):
        self.scorer = EvalScorer(self.config)
        self.scorer.setup()

    def teardown(self):
        if self.scorer is not None:
            self.scorer.teardown()

    def process(self, element):
        key, batch = element
        client = self.scorer.client
        before = (client.requests_made, client.cache_hits)
        items = self.scorer.score(batch)
        body = json.dumps({"key": key, "items": items}, ensure_ascii=False, sort_keys=True)
        storage.write_bytes(part_path(self.out, key), body.encode("utf-8"))
        Metrics.counter(NAMESPACE, "requests").inc(client.requests_made - before[0])
        Metrics.counter(NAMESPACE, "cache_hits").inc(client.cache_hits - before[1])
        Metrics.counter(NAMESPACE, "items").inc(len(items))
        Metrics.counter(NAMESPACE, "errors").inc(sum(1 for i in items if i["error"] is not None))
        yield key


def _run_pipeline(config: EvalConfig, out: str, pending: list[tuple[str, list[dict]]], runner: RunnerSection,
                  beam_args: tuple[str, ...]) -> dict[str, int]:
    options = pipeline_options(runner, beam_args)
    pipeline = beam.Pipeline(runner=make_runner(runner), options=options)
    _ = (pipeline
         | "Batches" >> beam.Create(pending, reshuffle=False)
         | "Spread" >> beam.Reshuffle()
         | "SampleAndGrade" >> beam.ParDo(ScoreBatches(config, out)))
    result = pipeline.run()
    result.wait_until_finish()
    return counters(result, NAMESPACE)


@dataclass
class EvalRun:
    items: list[dict]          # every graded item, in the seeded order
    batches: int
    batches_reused: int        # found finished under out/.eval/parts
    requests: int              # HTTP requests sent by the workers in this run (retries included)
    cache_hits: int
    seconds: float


def run_eval(config: EvalConfig, items: list[dict], out: str, *, runner: RunnerSection | None = None,
             beam_args: tuple[str, ...] = (), on_progress=None) -> EvalRun:
    """Sample and grade ``items`` (already selected) into ``out``; ``on_progress(done, total)`` counts items."""
    start = time.monotonic()
    runner = runner or RunnerSection()
    planned = plan_batches(config, items)
    done = {key for key, _b in planned if read_part(out, key) is not None}
    pending = [(key, batch) for key, batch in planned if key not in done]
    sizes = {key: len(batch) for key, batch in planned}
    total = len(items)
    counters: dict[str, int] = {}
    if pending:
        errors: list[BaseException] = []

        def target():
            try:
                counters.update(_run_pipeline(config, out, pending, runner, beam_args))
            except BaseException as exc:  # re-raised in the caller's thread
                errors.append(exc)

        worker = threading.Thread(target=target, name="beam-eval", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(timeout=0.5)
            if on_progress:
                on_progress(_items_done(out, sizes), total)
        if errors:
            raise errors[0]
    if on_progress:
        on_progress(_items_done(out, sizes), total)
    graded: list[dict] = []
    for key, batch in planned:
        part = read_part(out, key)
        if part is None or [i["id"] for i in part] != [r["id"] for r in batch]:
            raise EvalFailed(f"batch {key} has no result after the run (part file missing or foreign); rerun")
        graded.extend(part)
    return EvalRun(items=graded, batches=len(planned), batches_reused=len(done),
                   requests=counters.get("requests", 0), cache_hits=counters.get("cache_hits", 0),
                   seconds=time.monotonic() - start)


def _items_done(out: str, sizes: dict[str, int]) -> int:
    names = {path.rsplit("/", 1)[-1][:-5] for path in storage.glob(out, f"{PARTS}/*.json")}
    return sum(n for key, n in sizes.items() if key in names)
