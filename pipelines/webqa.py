"""Beam wiring of the web Q&A source.

``WebQASource(stage_config, scratch)`` is a root transform: it runs the configured crawl (if any, in one worker: the
crawl is rate-limited per host anyway), lists the WARC inputs (local globs or fsspec URLs, sorted), and turns
each file into record batches with ``reasonry.generators.webqa.records.warc_to_records``; records of the
same question from different files meet by question (``reasonry.pipelines.spill``: records wait on disk,
only keys are shuffled), and a question answered differently is rejected (``conflicting_answer``). It returns
``{"records": batches, "rejects": batches of rejects}``.

Every URL the crawl did not fetch is a reject (stage ``webqa/crawl``), every page read that gave no pair one
too (``webqa/page``), and Beam counters count what came in (``webqa/crawl_urls``, ``webqa/crawl_fetched``,
``webqa/pages``, ``webqa/pages_with_pairs``, ``webqa/redirects``, ``webqa/pairs``), so the manifest's
``web`` section can show that the two agree.
"""

from __future__ import annotations

from collections import Counter

import apache_beam as beam

from reasonry.config import from_dict
from reasonry.generators.webqa.config import WebQAStageConfig
from reasonry.generators.webqa.records import conflict_removals, prepared_reject, question_keys
from reasonry.pipelines.spill import Spilled
from reasonry.pipelines.stages import REJECTS, emit


def stage_config(value) -> WebQAStageConfig:
    """``stages.webqa`` as a validated config (a mapping from YAML, or an already built config)."""
    if isinstance(value, WebQAStageConfig):
        return value
    return from_dict(WebQAStageConfig, value, "stages.webqa")


def list_inputs(config: WebQAStageConfig) -> list[str]:
    """Run the crawl if one is configured, then expand ``warc_paths``: sorted, duplicates removed."""
    return crawl_and_list(config)[0]


def crawl_and_list(config: WebQAStageConfig) -> tuple[list[str], list[dict], dict[str, int]]:
    """(WARC paths, crawl-level rejects, crawl counts): the crawl (if configured), then ``warc_paths``."""
    import fsspec

    from reasonry.generators.webqa.records import CRAWL_STAGE, make_reject

    paths: list[str] = []
    rejects: list[dict] = []
    counts = {"urls": 0, "fetched": 0}
    if config.crawl.seeds:
        from reasonry.generators.webqa.crawler import crawl

        summary = crawl(config.crawl)
        paths += summary.warc_files
        rejects = [make_reject(reason, detail, url=url, stage=CRAWL_STAGE) for url, reason, detail in summary.drops]
        counts = {"urls": summary.fetched + len(summary.drops), "fetched": summary.fetched}
    for pattern in config.warc_paths:
        if any(ch in pattern for ch in "*?["):
            fs, _token, found = fsspec.get_fs_token_paths(pattern, storage_options=config.storage_options)
            protocol = fs.protocol[0] if isinstance(fs.protocol, (list, tuple)) else fs.protocol
            paths += [p if protocol in ("file", "local") else f"{protocol}://{p}" for p in found]
        else:
            paths.append(pattern)
    return sorted(set(paths)), rejects, counts


class _CrawlAndListFn(beam.DoFn):
    def __init__(self, config: WebQAStageConfig):
        self.config = config

    def process(self, _none):
        paths, rejects, counts = crawl_and_list(self.config)
        yield from paths  # one element per path, not a batch
        yield from emit([], rejects, {"crawl_urls": counts["urls"], "crawl_fetched": counts["fetched"]}, "webqa")


class _WarcToRecordsFn(beam.DoFn):
    def __init__(self, config: WebQAStageConfig):
        self.config = config
        self.client = None

    def setup(self):
        # model-based extraction, when configured: one client (and server) per worker
        if self.config.extract.model is not None:
            from reasonry.models import ModelClient

            self.client = ModelClient(self.config.extract.model.client)
            self.client.connect()

    def teardown(self):
        if self.client is not None:
            self.client.close()

    def process(self, path: str):
        from reasonry.generators.webqa.records import PAGE_STAGE, REDIRECT, make_reject, warc_to_records

        try:
            records, rejects, counts = warc_to_records(path, split=self.config.split, config=self.config.extract,
                                                       storage_options=self.config.storage_options,
                                                       client=self.client, conflicts=False)
        except (OSError, ValueError) as exc:  # a file that cannot be opened is one reject; the others go on
            records, rejects = [], [make_reject("unreadable_warc", f"{path}: {exc}", stage=PAGE_STAGE)]
            counts = Counter(pages=1)
        counted = {"pages": counts.get("pages", 0), "pages_with_pairs": counts.get("pages_with_pairs", 0),
                   "redirects": counts.get(REDIRECT, 0), "pairs": counts.get("pairs", 0)}
        yield from emit(records, rejects, counted, "webqa", batch_size=self.config.batch_size)


class WebQASource(beam.PTransform):
    """``scratch``: a folder every worker can reach, where the conflicts step keeps the records while it decides
    (the build passes one under its ``.runs``)."""

    def __init__(self, config, scratch: str | None = None):
        super().__init__()
        if not scratch:
            raise ValueError("WebQASource needs a scratch folder every worker can reach (the build passes its .runs)")
        self.config = stage_config(config)
        self.scratch = scratch

    def expand(self, pbegin):
        config = self.config
        listed = (pbegin
                  | "Start" >> beam.Create([None])
                  | "CrawlAndList" >> beam.ParDo(_CrawlAndListFn(config)).with_outputs(REJECTS, main="paths"))
        out = (listed.paths
               | "Reshuffle" >> beam.Reshuffle()
               | "Extract" >> beam.ParDo(_WarcToRecordsFn(config)).with_outputs(REJECTS, main="records"))
        # records of one question in different files meet here; only keys and references are shuffled
        resolved = out.records | "Conflicts" >> Spilled(self.scratch, question_keys, conflict_removals,
                                                        prepared_reject)
        rejects = ((listed[REJECTS], out[REJECTS], resolved["rejects"]) | "WebRejects" >> beam.Flatten())
        return {"records": resolved["records"], "rejects": rejects}
