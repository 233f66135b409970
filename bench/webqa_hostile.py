"""The web source against a fixed set of hostile servers (on 127.0.0.1) and cut WARC files.

For every case: wall time against the bound the configuration promises (``bound``; the ratio should stay
below 1), and the pages the server answered or the WARC held against the pages kept plus the pages counted
as drops. The target is 0 uncounted everywhere. A well-behaved page crawled the same way is the baseline
row, measured in the same run.

Cases:
- clean: one good page (baseline);
- drip-body / drip-status / stall: a server that sends one byte every 0.5 s, or nothing, with timeout_s 2;
- time-limit: four stuck pages with timeout_s 30 but max_total_s 1;
- retries: 429 (Retry-After: 1, twice), 503 (once) and a connection reset (once), each then answering;
- site: the whole hostile site (robots, redirect loops and chains, rate limits that never end, a non-HTTP
  answer, conflicting answers, pages in four languages and three encodings), crawled then read;
- warc-cuts: a real crawl's WARC.gz cut at every record boundary and at two random points inside every
  record, each cut read back.

Usage: ``python bench/webqa_hostile.py``
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.webqa_server: the hostile servers

from reasonry.generators.webqa.config import CrawlConfig  # noqa: E402
from reasonry.generators.webqa.crawler import crawl  # noqa: E402
from reasonry.generators.webqa.records import page_accounting, warc_to_records  # noqa: E402
from reasonry.generators.webqa.warc import read_warc  # noqa: E402
from tests.webqa_server import LANGUAGE_PAGES, HostileServer  # noqa: E402


def _crawl_case(name: str, paths: list[str], bound: float, **kw) -> dict:
    """Crawl, then read the WARC: every URL the server was asked for must be a page read or a counted drop,
    and every page read must have pairs, be a redirect or be a counted page drop."""
    with HostileServer() as server, tempfile.TemporaryDirectory() as tmp:
        config = {"seeds": tuple(server.base + p for p in paths), "out_dir": tmp, "allow_addresses": ("127.0.0.1",),
                  "per_host_delay_s": 0.0, "concurrency": 4, "per_host_concurrency": 4, "max_depth": 0,
                  "timeout_s": 2.0, "retry_backoff_s": 0.05, "fsync": False, **kw}
        started = time.monotonic()
        summary = crawl(CrawlConfig(**config))
        records, rejects, counts, read = [], [], Counter(), set()
        for path in summary.warc_files:
            r, j, c = warc_to_records(path)
            records += r
            rejects += j
            counts.update(c)
            read |= {page["url"] for page in read_warc(path)}
        seconds = time.monotonic() - started
        served = {server.base + p for p in server.fetched() if p != "/robots.txt"}
    dropped = {url.split("#")[0] for url, _reason, _detail in summary.drops}
    pages = page_accounting(counts, rejects)
    return {"case": name, "seconds": seconds, "bound": bound, "served": len(served),
            "kept": pages["pages_with_pairs"] + pages["redirects"], "records": len(records),
            "counted": sum(pages["dropped"].values()) + len(summary.drops),
            "uncounted": len(served - read - dropped) + pages["uncounted"]}


def _warc_cuts() -> dict:
    from warcio.archiveiterator import ArchiveIterator

    with HostileServer() as server, tempfile.TemporaryDirectory() as tmp:
        summary = crawl(CrawlConfig(seeds=(server.base + "/",), out_dir=tmp, allow_addresses=("127.0.0.1",),
                                    per_host_delay_s=0.0, concurrency=4, per_host_concurrency=4, max_depth=1,
                                    timeout_s=2.0, retry_backoff_s=0.05, fsync=False))
        data = Path(summary.warc_files[0]).read_bytes()
    spans = []
    with tempfile.NamedTemporaryFile(suffix=".warc.gz") as fh:
        fh.write(data)
        fh.flush()
        with open(fh.name, "rb") as src:
            it = ArchiveIterator(src)
            for record in it:
                record.content_stream().read()
                spans.append((it.get_record_offset(), it.get_record_offset() + it.get_record_length()))
    rng = random.Random(17)
    cuts = sorted({s for s, _e in spans} | {len(data)} | {rng.randrange(s + 1, e) for s, e in spans for _ in range(2)})
    started_total = counted = uncounted = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cut.warc.gz"
        for cut in cuts:
            path.write_bytes(data[:cut])
            counts, problems = Counter(), []
            pages = list(read_warc(str(path), counts, problems=problems))
            began = sum(1 for s, _e in spans if s < cut)
            started_total += began
            counted += len(pages) + counts["not_response"] + len(problems)
            uncounted += began - (len(pages) + counts["not_response"] + len(problems))
    return {"case": f"warc-cuts ({len(cuts)} cuts)", "seconds": time.monotonic() - started, "bound": None,
            "served": started_total, "kept": counted - uncounted, "records": None, "counted": counted,
            "uncounted": uncounted}


def main() -> int:
    _crawl_case("warm-up", ["/target.html"], 2.0)  # imports and first-use costs stay out of the baseline
    rows = [
        _crawl_case("clean (baseline)", ["/target.html"], 2.0),
        _crawl_case("drip-body", ["/drip.html"], 2.0 + 1.0),
        _crawl_case("drip-status", ["/drip-head.html"], 2.0 + 1.0),
        _crawl_case("stall", ["/stall.html"], 2.0 + 1.0),
        _crawl_case("time-limit", ["/stall.html", "/drip.html", "/drip-head.html", "/target.html"], 1.0 + 1.0,
                    timeout_s=30.0, max_total_s=1.0, concurrency=2, per_host_concurrency=2),
        _crawl_case("retries", ["/429.html", "/503.html", "/reset.html"], 2.0 + 2.0 + 1.0),
        _crawl_case("site", ["/"], 30.0, max_depth=1, max_redirects=3, max_retries=2),
        _crawl_case("languages", [p for p, *_ in LANGUAGE_PAGES], 2.0),
        _warc_cuts(),
    ]
    base = rows[0]["seconds"]
    print(f"{'case':28} {'wall s':>8} {'bound s':>8} {'wall/bound':>10} {'x clean':>8} {'served':>7} "
          f"{'kept':>5} {'counted':>8} {'records':>8} {'uncounted':>9}")
    for r in rows:
        bound = f"{r['bound']:.1f}" if r["bound"] else "-"
        ratio = f"{r['seconds'] / r['bound']:.2f}" if r["bound"] else "-"
        records = "-" if r["records"] is None else r["records"]
        print(f"{r['case']:28} {r['seconds']:8.2f} {bound:>8} {ratio:>10} {r['seconds'] / base:8.1f} "
              f"{r['served']:7d} {r['kept']:5d} {r['counted']:8d} {records!s:>8} {r['uncounted']:9d}")
    total = sum(r["uncounted"] for r in rows)
    over = [r["case"] for r in rows if r["bound"] and r["seconds"] > r["bound"]]
    print(f"uncounted pages in all cases: {total} (target 0); cases over their time bound: {over or 'none'}")
    return 0 if total == 0 and not over else 1


if __name__ == "__main__":
    raise SystemExit(main())
