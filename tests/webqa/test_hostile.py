"""The web source against a hostile web: real servers on 127.0.0.1 that drip, stall, rate-limit, reset,
redirect in loops and serve pages in other languages and encodings (``tests.webqa_server.HostileServer``).

The numbers in the test names are those of the problems this suite pins down: (1) fetch deadlines, (2) WARC
losses (with ``test_warc_fuzz.py``), (3) crawl-level drops reaching rejects/ and the manifest,
(4) retries, (5) the address guard, (6) answer typing and conflicts, (7) extraction across languages and
encodings, (8) Crawl-delay from the first request.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections import Counter

import pytest

from reasonry.generators.webqa.config import CrawlConfig, ExtractConfig
from reasonry.generators.webqa.crawler import crawl, fetch, retry_after
from reasonry.generators.webqa.netguard import AddressRefused, check_address, embedded_ipv4, resolve_allowed
from reasonry.generators.webqa.records import page_accounting, warc_to_records
from tests.webqa_server import CONFLICT_QUESTION, LANGUAGE_PAGES, HostileServer


def _crawl(server: HostileServer, tmp_path, paths: list[str], **kw):
    config = {"seeds": tuple(server.base + p for p in paths), "out_dir": str(tmp_path / "crawl"),
              "allow_addresses": ("127.0.0.1",), "per_host_delay_s": 0.0, "concurrency": 4,
              "per_host_concurrency": 4, "max_depth": 0, "timeout_s": 5.0, "fsync": False,
              "retry_backoff_s": 0.05, **kw}
    return crawl(CrawlConfig(**config))


def _read(summary) -> tuple[list[dict], list[dict], Counter]:
    records, rejects, counts = [], [], Counter()
    for path in summary.warc_files:
        r, j, c = warc_to_records(path)
        records += r
        rejects += j
        counts.update(c)
    return records, rejects, counts


# ------------------------------------------------------------------------------------------------ 1 deadlines


def test_1_dripping_body_ends_within_timeout_and_frees_its_host(tmp_path):
    with HostileServer() as server:
        started = time.monotonic()
        summary = _crawl(server, tmp_path, ["/drip.html", "/target.html"], timeout_s=2.0, per_host_concurrency=1,
                         concurrency=1)
        elapsed = time.monotonic() - started
        target_at = server.time_of("/target.html") - server.time_of("/drip.html")
    assert elapsed < 2.0 + 1.0, elapsed
    assert target_at < 2.0 + 1.0  # the host was free again once the deadline passed
    assert summary.fetched == 2 and summary.counts["truncated_time"] == 1
    records, rejects, _counts = _read(summary)
    [cut] = [r for r in rejects if r["detail"].startswith(server.base + "/drip.html")]
    assert cut["reason"] == "oversized" and "time" in cut["detail"]
    assert len(records) == 1


def test_1_dripping_status_line_and_silent_server_end_within_timeout(tmp_path):
    config = CrawlConfig(allow_addresses=("127.0.0.1",), timeout_s=1.5)
    with HostileServer() as server:
        for path in ("/drip-head.html", "/stall.html"):
            started = time.monotonic()
            result = fetch(server.base + path, config)
            elapsed = time.monotonic() - started
            assert elapsed < 1.5 + 1.0, (path, elapsed)
            assert result.reason == "fetch_timeout", (path, result.error)


def test_1_max_total_s_bounds_the_crawl_and_pool_shutdown(tmp_path):
    """Fetches stuck in servers that never answer are cut at the crawl's end; the URLs not reached are
    dropped as crawl_stopped, the ones cut off as interrupted."""
    with HostileServer() as server:
        started = time.monotonic()
        summary = _crawl(server, tmp_path, ["/stall.html", "/drip.html", "/drip-head.html", "/target.html"],
                         timeout_s=30.0, max_total_s=1.0, per_host_concurrency=2, concurrency=2)
        elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 1.0, elapsed
    assert summary.stopped == "time_limit" and summary.fetched == 0
    reasons = Counter(reason for _url, reason, _d in summary.drops)
    # two fetches were cut off in flight (claimed, so not asked again on resume), two never started
    assert reasons == {"interrupted": 2, "crawl_stopped": 2}, summary.drops


# ------------------------------------------------------------------------------------------------ 3 crawl drops


def test_3_every_crawl_level_drop_has_a_reason_and_redirects_are_followed(tmp_path):
    with HostileServer() as server:
        summary = _crawl(server, tmp_path, ["/"], max_depth=1, max_redirects=3, max_retries=1, timeout_s=2.0)
    by_path = {url[len(server.base):]: reason for url, reason, _d in summary.drops}
    assert by_path["/private/secret.html"] == "robots_disallowed"
    assert by_path["/bad-status.html"] == "fetch_error"
    assert by_path["/429-forever.html"] == "rate_limited"
    assert by_path["/503-always.html"] == "unavailable"
    assert [r for p, r in by_path.items() if p.startswith("/loop-")] == ["redirect_loop"]
    assert [r for p, r in by_path.items() if p.startswith("/chain-")] == ["too_many_redirects"]
    # redirects are followed, not dropped: /moved.html's target is a page of its own, with its pairs
    records, rejects, counts = _read(summary)
    assert not [r for r in rejects if r["reason"] == "http_status" and " 30" in r["detail"]]
    assert counts["redirect"] >= 1 + 4  # moved, loop-a/b, chain-0..3 (the hop over the cap is not fetched)
    assert any(r["meta"]["url"].endswith("/target.html") for r in records)
    ledger = page_accounting(counts, rejects)
    assert ledger["uncounted"] == 0 and ledger["pages"] == summary.fetched
    # every queued URL was fetched or dropped; the loop and the hop over the cap were refused before queueing
    refused_targets = [url for url, _r, _d in summary.drops if "#loop-from=" in url or url.endswith("/chain-4")]
    assert summary.fetched + len(summary.drops) - len(refused_targets) == summary.queued


# ------------------------------------------------------------------------------------------------ 4 retries


def test_4_429_503_and_resets_are_retried_honouring_retry_after(tmp_path):
    with HostileServer() as server:
        summary = _crawl(server, tmp_path, ["/429.html", "/503.html", "/reset.html"], max_retries=3)
        counts = Counter(server.fetched())
        times = [t for p, t in server.times if p == "/429.html"]
    assert (counts["/429.html"], counts["/503.html"], counts["/reset.html"]) == (3, 2, 2)
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.99  # Retry-After: 1
    assert summary.fetched == 3 and summary.drops == []
    records, _rejects, _counts = _read(summary)
    assert len(records) == 3


def test_4_retries_give_up_with_their_reason(tmp_path):
    with HostileServer() as server:
        started = time.monotonic()
        summary = _crawl(server, tmp_path, ["/429-forever.html", "/503-always.html"], max_retries=2,
                         max_retry_wait_s=5.0)
        elapsed = time.monotonic() - started
        counts = Counter(server.fetched())
    drops = {url[len(server.base):]: (reason, detail) for url, reason, detail in summary.drops}
    assert drops["/429-forever.html"][0] == "rate_limited" and "Retry-After 3600s" in drops["/429-forever.html"][1]
    assert counts["/429-forever.html"] == 1  # asked to wait an hour: not asked again
    assert drops["/503-always.html"] == ("unavailable", "status 503 on each of 3 tries")
    assert counts["/503-always.html"] == 3 and elapsed < 2.0


def test_4_retry_after_forms():
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 02 Dec 2026 10:00:10 GMT", now=1796205600.0) == pytest.approx(10.0)
    assert retry_after("soon") is None and retry_after(None) is None


# ------------------------------------------------------------------------------------------------ 5 guard


@pytest.mark.parametrize("address", [
    "100.100.100.200",  # cloud metadata in the shared 100.64.0.0/10 space
    "169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1", "127.0.0.1", "0.0.0.0", "255.255.255.255",
    "192.0.2.1", "198.18.0.1", "224.0.0.1", "240.0.0.1",
    "::1", "::", "fe80::1", "fd00::1", "ff02::1",
    "2002:a00:1::",  # 6to4 wrapping 10.0.0.1
    "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
    "::ffff:10.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped
    "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1",  # NAT64 wrapping 169.254.169.254 and 10.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo (client 10.0.0.1)
])
def test_5_guard_refuses_non_global_and_wrapped_addresses(address):
    assert check_address(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2002:808:808::",
                                     "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_5_guard_allows_global_addresses(address):
    assert check_address(address) is None


def test_5_guard_unwraps_embedded_ipv4_and_allows_only_exact_entries():
    assert embedded_ipv4(ipaddress.ip_address("2002:a00:1::")) == [ipaddress.ip_address("10.0.0.1")]
    teredo = ipaddress.ip_address("2001:0:4136:e378:8000:63bf:f5ff:fffe")
    assert ipaddress.ip_address("10.0.0.1") in embedded_ipv4(teredo)  # the client address, de-obfuscated
    assert embedded_ipv4(ipaddress.ip_address("64:ff9b::a00:1")) == [ipaddress.ip_address("10.0.0.1")]
    assert check_address("127.0.0.1", ("127.0.0.1",)) is None
    assert check_address("127.0.0.2", ("127.0.0.1",)) is not None
    assert "wraps 10.0.0.1" in check_address("2002:a00:1::")
    with pytest.raises(AddressRefused, match="allow_addresses"):
        resolve_allowed("127.0.0.1", 80, ())


def test_5_connection_goes_to_the_checked_address(tmp_path, monkeypatch):
    """DNS rebinding: the name resolves to an allowed address for the check and to another one afterwards.
    The fetch must connect to the address it checked (a counting wrapper around the real resolver returns
    127.0.0.2 on later calls; only 127.0.0.1 is allowed and listened on)."""
    real = socket.getaddrinfo
    calls = []

    def rebinding(host, port, *args, **kw):
        if host == "rebind.test":
            calls.append(host)
            return real("127.0.0.1" if len(calls) == 1 else "127.0.0.2", port, *args, **kw)
        return real(host, port, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with HostileServer() as server:
        result = fetch(f"http://rebind.test:{server.port}/target.html",
                       CrawlConfig(allow_addresses=("127.0.0.1",), timeout_s=3.0))
        assert result.status == 200 and result.ip == "127.0.0.1" and server.fetched() == ["/target.html"]
    assert b"Host: rebind.test:" in result.request_head
    assert len(calls) == 1


# ------------------------------------------------------------------------------------------------ 6 typing


def test_6_money_is_numeric_and_conflicting_answers_are_rejected(tmp_path):
    from reasonry.registry import get_verifier

    with HostileServer() as server:
        summary = _crawl(server, tmp_path, ["/price.html", "/conflict-a.html", "/conflict-b.html",
                                            "/agree-a.html", "/agree-b.html"])
    records, rejects, _counts = _read(summary)
    [price] = [r for r in records if r["meta"]["url"].endswith("/price.html")]
    assert (price["answer_type"], price["answer"], price["meta"]["unit"]) == ("integer", "100", "USD")
    verifier = get_verifier("math")
    spec = price["verifier"]["spec"]
    for same in ("$100.00", "100 USD", "100", "100 dollars"):
        assert verifier.verify(spec, same).ok, same
    for other in ("$101", "€100", "100.5"):
        assert not verifier.verify(spec, other).ok, other
    conflicts = [r for r in rejects if r["reason"] == "conflicting_answer"]
    assert len(conflicts) == 2 and not [r for r in records if r["prompt"] == CONFLICT_QUESTION]
    for r in conflicts:
        mine, other = ("a", "b") if r["detail"].startswith(server.base + "/conflict-a") else ("b", "a")
        assert f"/conflict-{other}.html answers" in r["detail"] and r["record"] is not None
    # pages that agree (8 and 8.0) are both kept; deduplication later keeps one
    assert len([r for r in records if "spider" in r["prompt"]]) == 2


# ------------------------------------------------------------------------------------------------ 7 languages


def test_7_solution_pages_in_four_languages_and_three_encodings(tmp_path):
    with HostileServer() as server:
        summary = _crawl(server, tmp_path, [p for p, *_ in LANGUAGE_PAGES])
    records, rejects, _counts = _read(summary)
    assert not rejects, rejects
    for path, encoding, declared, _page, expected in LANGUAGE_PAGES:
        found = sorted((r["prompt"][:len(q)], r["answer"], r["answer_type"]) for r in records
                       if r["meta"]["url"].endswith(path) for q, _a, _t in expected if r["prompt"].startswith(q))
        assert found == sorted(expected), (path, encoding, declared)
    assert {enc for _p, enc, *_ in LANGUAGE_PAGES} >= {"iso-8859-1", "windows-1252", "iso-8859-15"}
    assert {d for _p, _e, d, *_ in LANGUAGE_PAGES} >= {"header", "meta", "undeclared"}


def test_7_declared_charset_that_lies_is_still_an_encoding_error():
    from reasonry.generators.webqa.records import page_to_pairs

    _path, _enc, _decl, page, _expected = LANGUAGE_PAGES[0]
    fetched = {"url": "u", "status": 200, "body": page.encode("iso-8859-1"),
               "content_type": "text/html; charset=utf-8"}
    _pairs, reject, _notes = page_to_pairs(fetched, ExtractConfig())
    assert reject["reason"] == "encoding_error"


# ------------------------------------------------------------------------------------------------ 8 crawl-delay


def test_8_crawl_delay_applies_from_the_first_request_after_robots(tmp_path):
    with HostileServer(robots="User-agent: *\nCrawl-delay: 0.4\n") as server:
        _crawl(server, tmp_path, ["/target.html", "/price.html"], per_host_delay_s=0.0, per_host_concurrency=1)
        times = sorted(t for _p, t in server.times)
    assert len(times) == 3
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert all(0.39 <= g <= 0.41 + 0.05 for g in gaps), gaps


# ------------------------------------------------------------------------------------------------ build


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """A real build: a live crawl of the hostile server plus a crawl WARC cut inside a response record."""
    import pyarrow.parquet as pq

    from reasonry.config import load_config
    from reasonry.pipelines.build import run_build

    root = tmp_path_factory.mktemp("hostile-build")
    with HostileServer() as server:
        earlier = _crawl(server, root / "earlier", ["/price.html", "/lang/fr.html", "/target.html"])
        data = open(earlier.warc_files[0], "rb").read()
        cut_file = root / "cut.warc.gz"
        cut_file.write_bytes(data[: len(data) - 200])  # inside the last response record
        stage = {"warc_paths": [str(cut_file)],
                 "crawl": {"seeds": [server.base + "/"], "out_dir": str(root / "crawl"), "max_depth": 1,
                           "allow_addresses": ["127.0.0.1"], "per_host_delay_s": 0.0, "concurrency": 4,
                           "per_host_concurrency": 4, "max_redirects": 3, "max_retries": 3, "timeout_s": 3.0,
                           "retry_backoff_s": 0.05, "fsync": False}}
        result = run_build(load_config(data={"build": {"name": "hostile", "seed": 1}, "runner": {"workers": 2},
                                             "stages": {"webqa": stage, "dedup": {"exact": True}}}), root / "out")
        served = [p for p in server.fetched() if p != "/robots.txt"]
    rejects = [r for p in sorted((root / "out" / "rejects").rglob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    return {"manifest": result.manifest, "rejects": rejects, "served": served, "base": server.base,
            "cut_file": str(cut_file), "earlier_pages": earlier.fetched}


def test_2_3_6_build_rejects_name_every_drop(hostile_build):
    rejects, base = hostile_build["rejects"], hostile_build["base"]
    crawl_drops = {r["detail"].split(": ", 1)[0][len(base):].split("#")[0]: r["reason"] for r in rejects
                   if r["stage"] == "webqa/crawl"}
    assert crawl_drops == {"/private/secret.html": "robots_disallowed", "/bad-status.html": "fetch_error",
                           "/429-forever.html": "rate_limited", "/503-always.html": "unavailable",
                           "/loop-a": "redirect_loop", "/chain-4": "too_many_redirects"}
    [cut] = [r for r in rejects if r["reason"] == "truncated_warc"]
    assert cut["stage"] == "webqa/page" and cut["detail"].startswith(f"{hostile_build['cut_file']} at byte ")
    conflicts = [r for r in rejects if r["reason"] == "conflicting_answer"]
    assert sorted(r["detail"].split(": ", 1)[0][len(base):] for r in conflicts) == ["/conflict-a.html",
                                                                                   "/conflict-b.html"]
    assert not [r for r in rejects if r["reason"] == "http_status" and "status 30" in r["detail"]]


def test_manifest_web_counts_add_up(hostile_build):
    web = hostile_build["manifest"]["web"]
    assert web["crawl"]["uncounted"] == 0 and web["pages"]["uncounted"] == 0 and web["pairs"]["uncounted"] == 0
    # what came in matches the outside world: every page the server answered for good is a page read, and
    # the cut file gave its complete records plus one truncated one
    served = len(hostile_build["served"]) - hostile_build["earlier_pages"]  # requests the build's crawl made
    retried = {"/429.html": 2, "/503.html": 1, "/reset.html": 1}  # answers that were asked again
    answered_but_dropped = {"/429-forever.html": 1, "/503-always.html": 4, "/bad-status.html": 1}
    assert web["crawl"]["fetched"] == served - sum(retried.values()) - sum(answered_but_dropped.values())
    assert web["pages"]["read"] == web["crawl"]["fetched"] + hostile_build["earlier_pages"]
    assert web["pages"]["redirects"] >= 5 and web["pages"]["dropped"]["truncated_warc"] == 1
    assert web["pairs"]["dropped"]["conflicting_answer"] == 2 and web["pairs"]["kept"] >= 10
    assert sum(web["crawl"]["dropped"].values()) == 6
