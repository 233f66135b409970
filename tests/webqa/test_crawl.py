"""End to end: crawl the fixture site on 127.0.0.1 (killed midway, then resumed) -> WARC -> Q&A records ->
exact and near-duplicate dedup -> decontamination against a benchmark file.

The site is served by a real ``http.server`` in this process; the first crawl runs in a child process that
is SIGKILLed after a number of requests, the resume runs in-process from the journal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from reasonry.filters.decontaminate import DecontaminateConfig, Decontaminator
from reasonry.filters.dedup import DedupConfig, dedup
from reasonry.generators.webqa import fixture_site
from reasonry.generators.webqa.config import CrawlConfig
from reasonry.generators.webqa.crawler import crawl
from reasonry.generators.webqa.records import warc_to_records
from tests.webqa_server import FixtureServer

ROOT = Path(__file__).resolve().parents[2]


def _config(server: FixtureServer, out: Path, **kw) -> dict:
    return {"seeds": [server.base + "/"], "out_dir": str(out), "allow_addresses": ["127.0.0.1"],
            "per_host_delay_s": 0.02, "concurrency": 4, "per_host_concurrency": 2, "max_page_bytes": 1_000_000,
            "max_redirects": 3, "timeout_s": 5.0, "fsync": False, **kw}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl")
    with FixtureServer() as server:
        cfg_path = out / "crawl.json"
        cfg_path.write_text(json.dumps(_config(server, out / "state", per_host_delay_s=0.05)))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen([sys.executable, "-m", "reasonry.generators.webqa.crawler", str(cfg_path)],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(server.fetched()) < 20 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        before_kill = server.fetched()
        summary = crawl(CrawlConfig(**{k: tuple(v) if isinstance(v, list) else v
                                       for k, v in _config(server, out / "state").items()}))
        requests = server.fetched()
    return {"out": out, "summary": summary, "requests": requests, "before_kill": before_kill,
            "killed_rc": child.returncode}


def test_crawl_was_interrupted_then_resumed(crawled):
    assert crawled["killed_rc"] == -signal.SIGKILL
    assert 20 <= len(crawled["before_kill"]) < len(crawled["requests"])
    # both sessions left a WARC file; the resume started a new one instead of appending to a cut-off file
    assert len(crawled["summary"].warc_files) == 2


def test_no_page_fetched_twice_across_resume(crawled):
    counts = Counter(crawled["requests"])
    assert [path for path, n in counts.items() if n > 1] == []
    assert counts["/robots.txt"] == 1  # robots.txt was journaled, not fetched again by the resumed crawl


def test_disallowed_pages_never_fetched(crawled):
    assert not [p for p in crawled["requests"] if p.startswith("/private/")]
    assert crawled["summary"].counts["robots_disallowed"] == len(fixture_site.PRIVATE)


def test_every_public_page_reached(crawled):
    site = fixture_site.build_site()
    requested = set(crawled["requests"])
    interrupted = crawled["summary"].counts["interrupted"]
    missing = [p for p in site if p not in requested and not p.startswith("/private/")]
    # a page in flight at the kill is journaled as claimed and never retried: at most concurrency of them
    assert len(missing) <= interrupted <= 4


def test_redirect_loop_and_oversized_page(crawled):
    counts = crawled["summary"].counts
    requests = Counter(crawled["requests"])
    assert requests["/loop/a"] == 1 and requests["/loop/b"] == 1
    assert counts["redirect_loop"] + counts["interrupted"] >= 1
    if requests["/archive/big.html"]:
        assert counts["truncated_length"] + counts["interrupted"] >= 1


@pytest.fixture(scope="module")
def built(crawled, tmp_path_factory):
    records, rejects = [], []
    for path in crawled["summary"].warc_files:
        r, j, _counts = warc_to_records(path)
        records += r
        rejects += j
    bench = tmp_path_factory.mktemp("bench") / "benchmark.jsonl"
    bench.write_text("".join(json.dumps({"question": q, "answer": "x"}) + "\n"
                             for q in fixture_site.BENCHMARK_QUESTIONS))
    kept, dedup_rejects = dedup(records, DedupConfig())
    kept, contam_rejects = Decontaminator(DecontaminateConfig(benchmarks=(str(bench),))).filter(kept)
    # pages whose response reached the WARC (a page in flight at the kill was requested but not recorded)
    recorded = {_path(r) for r in records} | {_url_path(r["detail"].split(": ", 1)[0]) for r in rejects
                                              if r["detail"].startswith("http")}
    return {"records": records, "rejects": rejects, "kept": kept, "dedup": dedup_rejects,
            "contaminated": contam_rejects, "requests": recorded}


def _url_path(url: str) -> str:
    return url[url.index("/", len("http://")):]


def _path(record: dict) -> str:
    return _url_path(record["meta"]["url"])


def test_expected_pairs_with_answer_types(built):
    found = {(_path(r), r["answer"], r["answer_type"]) for r in built["records"]}
    expected = {e for e in fixture_site.expected_pairs() if e[0] in built["requests"]}
    assert len(expected) >= len(fixture_site.expected_pairs()) - 4
    assert expected <= found
    types = {t for _p, _a, t in expected}
    assert types >= {"integer", "float", "fraction", "percentage", "expression", "boolean", "multiple_choice",
                     "string", "list", "matrix"}
    for record in built["records"]:
        meta = record["meta"]
        assert meta["url"].startswith("http://127.0.0.1:") and meta["crawl_date"].endswith("Z")
        assert "https://creativecommons.org/licenses/by-sa/4.0/" in meta["license"]
        assert record["verifier"] == {"kind": "math", "spec": {"answer": record["answer"],
                                                               "answer_type": record["answer_type"]}}


def test_pages_without_answers_dropped_with_reason(built):
    by_url = {_url_path(r["detail"].split(": ", 1)[0]): r["reason"] for r in built["rejects"]
              if r["record"] is None and r["detail"].startswith("http")}
    for page in fixture_site.no_answer_pages():
        if page in built["requests"]:
            assert by_url.get(page) in {"no_answer", "no_qa_found", "no_solution", "no_short_answer"}, page
    checks = {"/questions/cafe.html": "encoding_error", "/questions/broken-jsonld.html": "malformed_jsonld",
              "/archive/big.html": "oversized", "/missing.html": "http_status"}
    for page, reason in checks.items():
        if page in built["requests"]:
            assert by_url.get(page) == reason, page
    # redirects are followed (their targets are pages of their own), never rejected
    assert not {"/loop/a", "/loop/b", "/old/train-speed"} & set(by_url)


def test_near_duplicates_and_contamination_removed(built):
    kept_paths = {_path(r) for r in built["kept"]}
    removed = {_path(r["record"]): r for r in built["dedup"]}
    kept_ids = {r["id"] for r in built["kept"]}
    for copy, original in {**fixture_site.NEAR_DUPLICATES, **fixture_site.EXACT_DUPLICATES}.items():
        if copy in built["requests"] and original in built["requests"]:
            # exactly one of the pair survives, and the removed one names the kept one
            assert (copy in kept_paths) != (original in kept_paths)
            gone = removed[copy] if copy in removed else removed[original]
            assert gone["record"]["meta"]["duplicate_of"] in kept_ids
            assert gone["record"]["meta"]["duplicate_of"] in gone["detail"]
    reasons = Counter(r["reason"] for r in built["dedup"])
    assert reasons["near_duplicate"] >= 1 and reasons["exact_duplicate"] >= 1
    contaminated = {_path(r["record"]) for r in built["contaminated"]}
    planted = {p for p in fixture_site.CONTAMINATED if p in built["requests"]}
    assert planted and contaminated == planted
    assert not contaminated & kept_paths
    for r in built["contaminated"]:
        assert "13-gram overlap with" in r["detail"]


def test_private_addresses_refused_without_allow_list(tmp_path):
    with FixtureServer() as server:
        cfg = _config(server, tmp_path / "state")
        cfg["allow_addresses"] = []
        summary = crawl(CrawlConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()}))
        assert server.fetched() == []
    assert summary.fetched == 0
    assert summary.counts["address_refused"] == 1


def test_per_host_rate_limit_and_page_cap(tmp_path):
    with FixtureServer() as server:
        cfg = _config(server, tmp_path / "state", per_host_delay_s=0.05, concurrency=4, per_host_concurrency=1,
                      max_pages=8)
        summary = crawl(CrawlConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()}))
        times = list(server.times)
    assert summary.fetched == 8 and summary.stopped == "max_pages"
    assert len(times) == 9  # robots.txt + 8 pages
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # The crawler spaces its requests 50 ms apart when it sends them; the server sees them after a thread
    # switch each, so one gap can shrink by that jitter, but the whole run cannot (no delay: about 1 ms a gap).
    assert min(gaps) >= 0.035 and times[-1] - times[0] >= 8 * 0.05 - 0.01, gaps


def test_time_cap_on_slow_page(tmp_path):
    with FixtureServer() as server:
        cfg = _config(server, tmp_path / "state", timeout_s=0.3, max_depth=0)
        cfg["seeds"] = [server.base + "/slow.html"]
        started = time.monotonic()
        summary = crawl(CrawlConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()}))
        elapsed = time.monotonic() - started
    assert summary.fetched == 0 and summary.counts["fetch_timeout"] == 1
    assert [(reason, url.rsplit("/", 1)[-1]) for url, reason, _d in summary.drops] == [("fetch_timeout", "slow.html")]
    assert elapsed < 1.5


def test_retry_interrupted_refetches_in_flight_urls(tmp_path):
    """A journal that ends with a claim (the crash happened mid-request): retried only when configured."""
    import json as _json

    with FixtureServer() as server:
        cfg = _config(server, tmp_path / "state", max_depth=0)
        state = tmp_path / "state"
        state.mkdir()
        url = server.base + "/"
        (state / "state.jsonl").write_text(
            _json.dumps({"e": "queue", "url": url, "depth": 0, "hops": 0}) + "\n"
            + _json.dumps({"e": "claim", "url": url}) + "\n")
        first = crawl(CrawlConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()}))
        assert first.fetched == 0 and first.counts["interrupted"] == 1 and "/" not in server.fetched()
        cfg["retry_interrupted"] = True
        second = crawl(CrawlConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()}))
        assert second.fetched == 1 and server.fetched().count("/") == 1
