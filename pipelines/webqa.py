"""Beam wiring of the web Q&A source and of decontamination.

``WebQASource(stage_config)`` is a root transform: it runs the configured crawl (if any, in one worker: the
crawl is rate-limited per host anyway), lists the WARC inputs (local globs or fsspec URLs, sorted), and turns
each file into record batches with ``reasonry.generators.webqa.records.warc_to_records``. It returns
``{"records": batches, "rejects": batches of rejects}``. ``Decontaminate(config)`` drops records that overlap
benchmark questions (``reasonry.filters.decontaminate``).
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from reasonry.config import from_dict
from reasonry.filters.decontaminate import DecontaminateConfig
from reasonry.generators.webqa.config import WebQAStageConfig
from reasonry.pipelines.transforms import NAMESPACE, REJECTS


def stage_config(value) -> WebQAStageConfig:
    """``stages.webqa`` as a validated config (a mapping from YAML, or an already built config)."""
    if isinstance(value, WebQAStageConfig):
        return value
    return from_dict(WebQAStageConfig, value, "stages.webqa")


def list_inputs(config: WebQAStageConfig) -> list[str]:
    """Run the crawl if one is configured, then expand ``warc_paths``: sorted, duplicates removed."""
    import fsspec

    paths: list[str] = []
    if config.crawl.seeds:
        from reasonry.generators.webqa.crawler import crawl

        paths += crawl(config.crawl).warc_files
    for pattern in config.warc_paths:
        if any(ch in pattern for ch in "*?["):
            fs, _token, found = fsspec.get_fs_token_paths(pattern, storage_options=config.storage_options)
            protocol = fs.protocol[0] if isinstance(fs.protocol, (list, tuple)) else fs.protocol
            paths += [p if protocol in ("file", "local") else f"{protocol}://{p}" for p in found]
        else:
            paths.append(pattern)
    return sorted(set(paths))


class _WarcToRecordsFn(beam.DoFn):
    def __init__(self, config: WebQAStageConfig):
        self.config = config
        self.client = None

    def setup(self):
        # model-based extraction, when configured: one client (and server) per worker
        if self.config.extract.model is not None:
            from reasonry.generators.llm import ModelClient

            self.client = ModelClient(self.config.extract.model.client)
            self.client.connect()

    def teardown(self):
        if self.client is not None:
            self.client.close()

    def process(self, path: str):
        from reasonry.generators.webqa.records import make_reject, warc_to_records

        try:
            records, rejects, counts = warc_to_records(path, split=self.config.split, config=self.config.extract,
                                                       storage_options=self.config.storage_options,
                                                       client=self.client)
        except (OSError, ValueError) as exc:  # an unreadable file is one reject; the other files go on
            records, rejects, counts = [], [make_reject("unreadable_warc", f"{path}: {exc}")], {}
        Metrics.counter(NAMESPACE, "webqa/pages").inc(counts.get("pages", 0))
        for r in rejects:
            Metrics.counter(NAMESPACE, f"dropped/{r['task']}/{r['reason']}").inc()
        size = self.config.batch_size
        for start in range(0, len(records), size):
            yield records[start:start + size]
        if rejects:
            yield beam.pvalue.TaggedOutput(REJECTS, rejects)


class WebQASource(beam.PTransform):
    def __init__(self, config):
        super().__init__()
        self.config = stage_config(config)

    def expand(self, pbegin):
        config = self.config
        out = (pbegin
               | "Start" >> beam.Create([None])
               | "CrawlAndList" >> beam.FlatMap(lambda _none: list_inputs(config))
               | "Reshuffle" >> beam.Reshuffle()
               | "Extract" >> beam.ParDo(_WarcToRecordsFn(config)).with_outputs(REJECTS, main="records"))
        return {"records": out.records, "rejects": out[REJECTS]}


class _DecontaminateFn(beam.DoFn):
    def __init__(self, config: DecontaminateConfig):
        self.config = config

    def setup(self):
        from reasonry.filters.decontaminate import Decontaminator

        self.decontaminator = Decontaminator(self.config)

    def process(self, batch: list[dict]):
        kept, rejects = self.decontaminator.filter(batch)
        if kept:
            yield kept
        if rejects:
            yield beam.pvalue.TaggedOutput(REJECTS, rejects)


class Decontaminate(beam.PTransform):
    """``stages.decontaminate``: drop records sharing a word n-gram with a benchmark question."""

    def __init__(self, config):
        super().__init__()
        self.config = config if isinstance(config, DecontaminateConfig) else from_dict(
            DecontaminateConfig, config, "stages.decontaminate")

    def expand(self, batches):
        out = batches | "Decontaminate" >> beam.ParDo(_DecontaminateFn(self.config)).with_outputs(
            REJECTS, main="records")
        return {"records": out.records, "rejects": out[REJECTS]}
