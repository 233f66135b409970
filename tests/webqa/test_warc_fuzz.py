"""A real crawl's WARC.gz, cut at every record boundary and at random points inside records: the reader never
raises, and pages read plus counted rejects account for every record that started before the cut."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from reasonry.generators.webqa.config import CrawlConfig
from reasonry.generators.webqa.crawler import crawl
from reasonry.generators.webqa.records import page_accounting, warc_to_records
from reasonry.generators.webqa.warc import read_warc
from tests.webqa_server import FixtureServer


@pytest.fixture(scope="module")
def crawl_warc(tmp_path_factory):
    out = tmp_path_factory.mktemp("fuzzcrawl")
    with FixtureServer() as server:
        summary = crawl(CrawlConfig(seeds=(server.base + "/",), out_dir=str(out), allow_addresses=("127.0.0.1",),
                                    per_host_delay_s=0.0, concurrency=4, per_host_concurrency=4,
                                    max_page_bytes=1_000_000, fsync=False))
    [path] = summary.warc_files
    data = open(path, "rb").read()
    from warcio.archiveiterator import ArchiveIterator

    records = []  # (start, end, is a response)
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for record in it:
            kind = record.rec_type
            record.content_stream().read()
            records.append((it.get_record_offset(), it.get_record_offset() + it.get_record_length(),
                            kind == "response"))
    assert records[-1][1] == len(data) and sum(r[2] for r in records) == summary.fetched > 40
    return {"data": data, "records": records}


def _cut_points(records, size):
    starts = [s for s, _e, _r in records]
    rng = random.Random(17)
    inside = [rng.randrange(s + 1, e) for s, e, _r in records for _ in range(2) if e - s > 1]
    return sorted(set(starts + [size] + inside))


def test_every_cut_is_accounted_for(crawl_warc, tmp_path):
    data, records = crawl_warc["data"], crawl_warc["records"]
    cuts = _cut_points(records, len(data))
    assert len(cuts) > 3 * len(records) - 5
    path = tmp_path / "cut.warc.gz"
    for cut in cuts:
        path.write_bytes(data[:cut])
        counts, problems = Counter(), []
        pages = list(read_warc(str(path), counts, problems=problems))  # must not raise
        started = [r for r in records if r[0] < cut]
        complete = [r for r in started if r[1] <= cut]
        assert len(pages) + counts["not_response"] + len(problems) == len(started), cut
        assert len(pages) == sum(r[2] for r in complete), cut  # no partial page is passed on as a page
        if len(complete) < len(started):
            [problem] = problems
            assert problem["reason"] == "truncated_warc" and problem["offset"] == started[-1][0]
            assert f"{path} at byte {started[-1][0]}" in problem["detail"]
        else:
            assert problems == []


def test_cut_file_pages_add_up_in_records(crawl_warc, tmp_path):
    """Through extraction: pages = pages with pairs + redirects + page-level rejects, at a cut inside a page."""
    data, records = crawl_warc["data"], crawl_warc["records"]
    responses = [r for r in records if r[2]]
    start, end, _ = responses[len(responses) // 2]
    path = tmp_path / "cut-in-page.warc.gz"
    path.write_bytes(data[: (start + end) // 2])
    _records, rejects, counts = warc_to_records(str(path))
    ledger = page_accounting(counts, rejects)
    assert ledger["uncounted"] == 0 and ledger["dropped"].get("truncated_warc") == 1
    assert ledger["pages"] == len(responses) // 2 + 1


def test_garbled_member_is_a_corrupt_record_and_reading_resumes(crawl_warc, tmp_path):
    data, records = crawl_warc["data"], crawl_warc["records"]
    rng = random.Random(3)
    for start, end, _resp in rng.sample(records[1:-1], 8):
        bad = bytearray(data)
        for i in range(start + 12, end - 4, 7):  # past the gzip header, so the member is found and fails
            bad[i] ^= 0x5A
        path = tmp_path / "garbled.warc.gz"
        path.write_bytes(bytes(bad))
        counts, problems = Counter(), []
        pages = list(read_warc(str(path), counts, problems=problems))
        assert [p["reason"] for p in problems] == ["corrupt_record"] and problems[0]["offset"] == start
        assert len(pages) + counts["not_response"] + 1 == len(records)


def test_uncompressed_warc_cut_anywhere_is_accounted_for(tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    from reasonry.generators.webqa import fixture_site

    full = tmp_path / "site.warc"
    fixture_site.write_warc(str(full), compress=False)
    data = full.read_bytes()
    records = []
    with open(full, "rb") as fh:
        it = ArchiveIterator(fh)
        for record in it:
            record.content_stream().read()
            records.append((it.get_record_offset(), it.get_record_offset() + it.get_record_length(), True))
    path = tmp_path / "cut.warc"
    for cut in _cut_points(records, len(data)):
        path.write_bytes(data[:cut])
        counts, problems = Counter(), []
        pages = list(read_warc(str(path), counts, problems=problems))
        started = [r for r in records if r[0] < cut]
        complete = [r for r in started if r[1] <= cut]
        assert len(pages) + counts["not_response"] + len(problems) == len(started), cut
        assert len(pages) == len(complete), cut
        assert [p["reason"] for p in problems] == ["truncated_warc"] * (len(started) - len(complete)), cut
