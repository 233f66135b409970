"""A polite, resumable crawler that writes standard WARC files.

- robots.txt is fetched once per host (and journaled, so a resumed crawl does not fetch it again) and parsed
  with protego; a disallowed URL is never requested.
- Requests to one host are spaced by ``per_host_delay_s`` (or the robots ``Crawl-delay`` if larger, from the
  first request after robots.txt on), counted from the later of the previous request's start and end (so the
  host sees the spacing even when a request leaves late), and at most ``per_host_concurrency`` run at once;
  ``concurrency`` bounds the whole crawl.
- Every fetch has one deadline (``timeout_s``, and never past the crawl's ``max_total_s``) covering connect,
  headers and body whatever the server's pace: the socket timeout is set to the time left before each read,
  bodies are read with ``read1`` (returns whatever has arrived) and checked against the clock after each read,
  and a watchdog shuts the socket down at the deadline, so a server that drips a byte at a time cannot hold a
  fetch, its host or the pool's shutdown.
- 429, 503 and connection resets are retried up to ``max_retries`` times with exponential backoff, waiting
  at least what ``Retry-After`` asks (a request to wait longer than ``max_retry_wait_s`` gives up at once);
  other requests to that host wait too. A page that still fails is dropped with its reason.
- Redirects are followed: the target is a newly discovered URL with a hop count, so the redirect cap and
  loop detection (a target already seen) fall out of the frontier's seen set.
- Bodies are read up to ``max_page_bytes``; a longer page is stored cut off with ``WARC-Truncated: length``
  (``time`` when the deadline cut it).
- Every request/response pair is written to WARC (request and response records, gzip per record).
- Every queued URL ends in exactly one place: fetched (in a WARC file) or in ``CrawlSummary.drops`` with a
  reason (robots_disallowed, address_refused, fetch_error, fetch_timeout, redirect_loop,
  too_many_redirects, rate_limited, unavailable, connection_reset, interrupted, crawl_stopped), which the
  pipeline writes to ``rejects/``.

Resume: an append-only journal (``state.jsonl``) records each URL when it is queued, when it is claimed (just
before the request is sent, flushed and fsynced) and when its records are safely in the WARC. On restart the
journal is replayed: done URLs are never fetched again, and URLs claimed but not done (in flight at the crash)
are counted as ``interrupted`` and not retried, because the server may already have answered them
(``retry_interrupted: true`` trades that guarantee for completeness). Each
session writes a new WARC file, so a record cut off by a crash never sits in front of new ones.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import ssl
import threading
import time
import uuid
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin, urlsplit

from reasonry.config import from_dict
from reasonry.generators.webqa.config import CrawlConfig
from reasonry.generators.webqa.netguard import AddressRefused, resolve_allowed

if TYPE_CHECKING:
    from protego import Protego

_CHUNK = 65536


@dataclass
class FetchResult:
    url: str
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    truncated: str | None = None
    ip: str | None = None
    request_head: bytes = b""
    error: str | None = None  # "<reason>: <detail>"
    date: str = ""

    @property
    def reason(self) -> str | None:
        return self.error.split(":", 1)[0] if self.error else None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class CrawlSummary:
    fetched: int = 0
    warc_files: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    stopped: str = "done"
    # every URL the crawl did not fetch: (url, reason, detail), in journal order
    drops: list[tuple[str, str, str]] = field(default_factory=list)
    # URLs queued over the whole crawl (all sessions). Every one is fetched or in ``drops``; ``drops`` also
    # holds redirect targets refused before queueing (a loop, one hop too many, out of scope)
    queued: int = 0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_url(url: str) -> str | None:
    url, _frag = urldefrag(url.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower(), path=parts.path or "/").geturl()


class Journal:
    """The crawl's persistent state: an append-only JSON-lines file, replayed on start."""

    def __init__(self, path: Path, fsync: bool):
        self.path = path
        self.fsync = fsync
        self.lock = threading.Lock()
        self.queued: dict[str, dict] = {}
        self.claimed: set[str] = set()
        self.done: set[str] = set()
        self.skipped: dict[str, tuple[str, str]] = {}  # url -> (reason, detail)
        self.robots: dict[str, tuple[int, str]] = {}
        # what earlier sessions counted, so a resumed crawl reports the whole crawl
        self.previous: Counter = Counter()
        if path.exists():
            self._replay()
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the crawl's lifetime

    def _replay(self) -> None:
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut off by a crash: the event did not happen
                kind, url = event.get("e"), event.get("url")
                if kind == "queue":
                    self.queued.setdefault(url, {"depth": event["depth"], "hops": event.get("hops", 0),
                                                 "via": event.get("via")})
                elif kind == "claim":
                    self.claimed.add(url)
                elif kind == "done":
                    self.done.add(url)
                    self.previous["fetched"] += 1
                    if event.get("truncated"):
                        self.previous["truncated_" + event["truncated"]] += 1
                elif kind == "skip":
                    self.skipped[url] = (event["reason"], event.get("detail", ""))
                    self.previous[event["reason"]] += 1
                elif kind == "robots":
                    self.robots[event["host"]] = (event["status"], event["body"])

    def write(self, event: dict, durable: bool = False) -> None:
        with self.lock:
            self.fh.write(json.dumps(event, sort_keys=True) + "\n")
            self.fh.flush()
            if durable and self.fsync:
                os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()


class WarcSink:
    """One WARC.gz file per crawl session; request and response records written under a lock."""

    def __init__(self, path: Path, config: CrawlConfig, fsync: bool):
        from warcio.warcwriter import WARCWriter

        self.path = path
        self.fsync = fsync
        self.lock = threading.Lock()
        self.fh = open(path, "wb")  # noqa: SIM115
        self.writer = WARCWriter(self.fh, gzip=True)
        info = self.writer.create_warcinfo_record(path.name, {
            "software": "reasonry-webqa", "format": "WARC File Format 1.1",
            "robots": "obey", "http-header-user-agent": config.user_agent})
        self.writer.write_record(info)
        self.fh.flush()

    def write(self, result: FetchResult, date: str) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        request_id = f"<urn:uuid:{uuid.uuid4()}>"
        warc_headers = {"WARC-Date": date}
        if result.ip:
            warc_headers["WARC-IP-Address"] = result.ip
        req_line, _, req_rest = result.request_head.decode("latin-1").partition("\r\n")
        req_headers = [tuple(h.split(": ", 1)) for h in req_rest.split("\r\n") if ": " in h]
        request = self.writer.create_warc_record(
            result.url, "request", payload=BytesIO(b""),
            http_headers=StatusAndHeaders(req_line, req_headers, is_http_request=True),
            warc_headers_dict={**warc_headers, "WARC-Record-ID": request_id})
        reason = http.client.responses.get(result.status, "Unknown")
        resp_headers = StatusAndHeaders(f"{result.status} {reason}", result.headers, protocol="HTTP/1.1")
        response_headers = {**warc_headers, "WARC-Concurrent-To": request_id}
        if result.truncated:
            response_headers["WARC-Truncated"] = result.truncated
        response = self.writer.create_warc_record(result.url, "response", payload=BytesIO(result.body),
                                                  http_headers=resp_headers, warc_headers_dict=response_headers)
        with self.lock:
            self.writer.write_record(request)
            self.writer.write_record(response)
            self.fh.flush()
            if self.fsync:
                os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()


class _Connection(http.client.HTTPConnection):
    """Connects to the address that passed the address check, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, ip: str, timeout: float, tls: bool):
        super().__init__(host, port, timeout=timeout)
        self._ip, self._tls = ip, tls
        # http.client lets go of ``sock`` once a ``Connection: close`` response starts; the deadline needs it
        self.raw_sock: socket.socket | None = None

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)
        if self._tls:
            self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)
        self.raw_sock = self.sock

    def time_left(self, deadline: float) -> float:
        left = deadline - time.monotonic()
        if self.raw_sock is not None:
            self.raw_sock.settimeout(max(0.001, left))
        return left


_RESET = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected)


def _kill(conn: _Connection) -> None:
    """Wake whatever read or connect is blocked on this connection (called by the deadline's watchdog)."""
    sock = conn.raw_sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def fetch(url: str, config: CrawlConfig, deadline: float | None = None,
          active: set | None = None) -> FetchResult:
    """One HTTP GET with the size, time and address caps; never raises (errors are in ``error``).

    ``deadline`` (monotonic) caps the fetch further, e.g. at the crawl's end; ``active`` is a set the
    connection sits in while it is open, so a stopping crawl can cut it off.
    """
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    result = FetchResult(url=url)
    hostname = parts.hostname
    if not hostname:
        result.error = f"bad_url: no host in {url!r}"
        return result
    try:
        result.ip = resolve_allowed(hostname, port, config.allow_addresses)
    except AddressRefused as exc:
        result.error = f"address_refused: {exc}"
        return result
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    own = time.monotonic() + config.timeout_s
    crawl_ends = deadline is not None and deadline < own  # the crawl's end, not this fetch's, is the limit
    deadline = min(own, deadline) if deadline is not None else own
    left = deadline - time.monotonic()
    if left <= 0:
        result.error = "crawl_stopped: no time left before the crawl's max_total_s"
        return result
    conn = _Connection(hostname, port, result.ip, left, tls)
    watchdog = threading.Timer(left, _kill, (conn,))
    watchdog.daemon = True
    headers = {"User-Agent": config.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
               "Accept-Encoding": "identity", "Connection": "close"}
    if active is not None:
        active.add(conn)
    watchdog.start()
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        result.request_head = (f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n" +
                               "".join(f"{k}: {v}\r\n" for k, v in headers.items())).encode("latin-1")
        conn.endheaders()
        conn.time_left(deadline)
        response = conn.getresponse()
        result.status = response.status
        result.headers = [(k, v) for k, v in response.getheaders()
                          if k.lower() not in ("transfer-encoding", "content-encoding")]
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > config.max_page_bytes:
            result.truncated = "length"
            return result  # not even started: the server said how big it is
        chunks, size = [], 0
        while True:
            if conn.time_left(deadline) <= 0:
                result.truncated = "time"
                break
            try:
                chunk = response.read1(min(_CHUNK, config.max_page_bytes + 1 - size))
            except (TimeoutError, OSError, http.client.IncompleteRead):
                if time.monotonic() >= deadline - 0.001:
                    result.truncated = "time"
                    break
                raise
            if not chunk:
                if time.monotonic() >= deadline - 0.001:  # the watchdog closed it
                    result.truncated = "time"
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > config.max_page_bytes:
                result.truncated = "length"
                break
        result.body = b"".join(chunks)[: config.max_page_bytes]
    except (OSError, http.client.HTTPException, ssl.SSLError, ValueError, AttributeError) as exc:
        # AttributeError/ValueError: http.client touching a socket the watchdog or a stop already closed
        if time.monotonic() >= deadline - 0.001:
            result.error = f"fetch_timeout: no complete response within {config.timeout_s:g}s"
        elif isinstance(exc, _RESET):
            result.error = f"connection_reset: {type(exc).__name__}: {exc}"
        else:
            result.error = f"fetch_error: {type(exc).__name__}: {exc}"
    finally:
        watchdog.cancel()
        if active is not None:
            active.discard(conn)
        conn.close()
    if crawl_ends and (result.truncated == "time" or result.reason == "fetch_timeout"):
        # cut off by the end of the whole crawl: not this page's fault, so not a page and not a timeout
        result.body, result.truncated = b"", None
        result.error = "crawl_stopped: the crawl's max_total_s ended this fetch"
    return result


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


_HREF = re.compile(rb"""<a\s[^>]*?href\s*=\s*["']([^"'#][^"']*)["']""", re.IGNORECASE)


def extract_links(base: str, body: bytes) -> list[str]:
    """Absolute http(s) links of a page, in order of appearance, without fragments or duplicates."""
    out, seen = [], set()
    for m in _HREF.finditer(body):
        href = m.group(1).decode("utf-8", "replace").strip()
        url = normalise_url(urljoin(base, href))
        if url and url not in seen:
            seen.add(url)
            out.append(url)
    return out


class _Stopped(Exception):
    """The crawl is stopping (``stop`` set, ``max_total_s`` reached) while a worker waits for its host."""


RETRY_STATUS = {429: "rate_limited", 503: "unavailable"}


class Crawler:
    def __init__(self, config: CrawlConfig, stop: threading.Event | None = None):
        self.config = config
        self.stop = stop or threading.Event()
        self.abort = threading.Event()  # set when the crawl ends: waits end and open fetches are cut off
        self.out = Path(config.out_dir)
        (self.out / "warc").mkdir(parents=True, exist_ok=True)
        self.journal = Journal(self.out / "state.jsonl", config.fsync)
        self.allow = [re.compile(p) for p in config.allow_patterns]
        self.deny = [re.compile(p) for p in config.deny_patterns]
        self.seed_hosts = {urlsplit(s).netloc.lower() for s in config.seeds}
        self.counts: Counter = Counter()
        self.robots: dict[str, Protego | str] = {}  # a host's parsed robots.txt, or "refused"
        self.robots_lock = threading.Lock()
        self.host_lock = threading.Lock()
        self.host_next: dict[str, float] = {}
        self.host_active: Counter = Counter()
        self.active: set = set()  # open connections
        self.deadline = float("inf")

    # -------------------------------------------------------------- scope

    def in_scope(self, url: str) -> bool:
        if any(p.search(url) for p in self.deny):
            return False
        if self.allow:
            return any(p.search(url) for p in self.allow)
        return urlsplit(url).netloc in self.seed_hosts

    def _queue(self, url: str, depth: int, hops: int, via: str | None = None) -> None:
        if url in self.journal.queued:
            return
        self.journal.queued[url] = {"depth": depth, "hops": hops, "via": via}
        self.journal.write({"e": "queue", "url": url, "depth": depth, "hops": hops, "via": via})
        self.frontier.append(url)

    def _count(self, reason: str) -> None:
        with self.host_lock:
            self.counts[reason] += 1

    def _redirect_chain(self, url: str) -> list[str]:
        chain = [url]
        while len(chain) <= self.config.max_redirects + 1:
            via = self.journal.queued.get(chain[-1], {}).get("via")
            if not via:
                break
            chain.append(via)
        return chain

    def _skip(self, url: str, reason: str, detail: str = "") -> None:
        self._count(reason)
        self.journal.skipped[url] = (reason, detail)
        self.journal.write({"e": "skip", "url": url, "reason": reason, "detail": detail[:300]})

    # -------------------------------------------------------------- robots

    def _robots_for(self, url: str):
        from protego import Protego

        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        with self.robots_lock:
            if host in self.robots:
                return self.robots[host]
            fetched_at = None
            if host in self.journal.robots:
                status, body = self.journal.robots[host]
            else:
                fetched_at = self._wait_for_host(parts.netloc)
                try:
                    result = fetch(host + "/robots.txt", self.config, self.deadline, self.active)
                finally:
                    self._release_host(parts.netloc)
                if result.reason == "crawl_stopped":
                    raise _Stopped("time_limit")  # not an answer about robots.txt: nothing to remember
                self._count("robots_fetched")
                status = result.status if not result.error else 0
                body = result.body.decode("utf-8", "replace") if status == 200 else ""
                if result.reason == "address_refused":
                    status = -1
                self.journal.write({"e": "robots", "host": host, "status": status, "body": body}, durable=True)
                self.journal.robots[host] = (status, body)
            parsed: Protego | str
            if status == -1:
                parsed = "refused"
            elif 500 <= status or status == 0:
                parsed = Protego.parse("User-agent: *\nDisallow: /\n")  # unreachable robots: assume nothing
            else:
                parsed = Protego.parse(body)  # 4xx: no rules
            self.robots[host] = parsed
            if fetched_at is not None:
                # the robots request itself was spaced before its Crawl-delay was known: the next request
                # to this host waits the Crawl-delay from when robots.txt was asked for
                with self.host_lock:
                    self.host_next[parts.netloc] = max(self.host_next.get(parts.netloc, 0.0),
                                                       fetched_at + self._delay(parts.netloc))
            return parsed

    def _delay(self, netloc: str) -> float:
        parsed = self.robots.get(f"http://{netloc}") or self.robots.get(f"https://{netloc}")
        crawl_delay = None
        if parsed is not None and not isinstance(parsed, str):  # "refused": no rules to read
            crawl_delay = parsed.crawl_delay(self.config.user_agent)
        return max(self.config.per_host_delay_s, float(crawl_delay or 0))

    def _host_ready(self, netloc: str, now: float) -> bool:
        return (self.host_active[netloc] < self.config.per_host_concurrency
                and now >= self.host_next.get(netloc, 0.0))

    def _wait_for_host(self, netloc: str) -> float:
        """Block until this host may get a request; returns when it was granted."""
        while True:
            with self.host_lock:
                now = time.monotonic()
                if self._host_ready(netloc, now):
                    self.host_active[netloc] += 1
                    self.host_next[netloc] = now + self._delay(netloc)
                    return now
                ready_at = self.host_next.get(netloc, 0.0)
            if self.abort.is_set() or self.stop.is_set():
                raise _Stopped("stopped")
            if ready_at >= self.deadline:
                raise _Stopped("time_limit")
            self.abort.wait(min(0.005, max(0.0, ready_at - now)) or 0.001)

    def _release_host(self, netloc: str) -> None:
        with self.host_lock:
            self.host_active[netloc] -= 1
            # Spaced from when the request ended as well: the grant is not when the server sees the request (a
            # first connection or a slow lookup can hold it back), so two requests granted a delay apart could
            # otherwise reach the host together.
            self.host_next[netloc] = max(self.host_next.get(netloc, 0.0), time.monotonic() + self._delay(netloc))

    def _hold_host(self, netloc: str, seconds: float) -> None:
        """The server asked us to come back later: no request to this host before then."""
        with self.host_lock:
            self.host_next[netloc] = max(self.host_next.get(netloc, 0.0), time.monotonic() + seconds)

    # -------------------------------------------------------------- work

    def _fetch_with_retries(self, url: str) -> FetchResult | None:
        """The final response (or error) after polite retries; None when the URL was dropped here."""
        config = self.config
        netloc = urlsplit(url).netloc
        for attempt in range(config.max_retries + 1):
            self._wait_for_host(netloc)
            try:
                if attempt == 0:
                    self.journal.write({"e": "claim", "url": url}, durable=True)
                    self.journal.claimed.add(url)
                date = _now()
                result = fetch(url, config, self.deadline, self.active)
            finally:
                self._release_host(netloc)
            result.date = date
            reason = RETRY_STATUS.get(result.status) if not result.error else (
                "connection_reset" if result.reason == "connection_reset" else None)
            if reason is None:
                return result
            if self.abort.is_set():
                return result
            what = f"status {result.status}" if result.status else result.error
            asked = retry_after(result.header("retry-after")) if result.status else None
            if asked is not None and asked > config.max_retry_wait_s:
                self._skip(url, reason, f"{what}; Retry-After {asked:g}s > max_retry_wait_s "
                                        f"{config.max_retry_wait_s:g}s")
                return None
            if attempt == config.max_retries:
                self._skip(url, reason, f"{what} on each of {attempt + 1} tries")
                return None
            wait_s = min(max(asked or 0.0, config.retry_backoff_s * 2 ** attempt), config.max_retry_wait_s)
            self._count("retries")
            self._hold_host(netloc, wait_s)
        return None  # not reached

    def _process(self, url: str) -> None:
        try:
            self._process_url(url)
        except _Stopped:
            pass  # not claimed (or claimed and cut off): counted when the crawl ends

    def _process_url(self, url: str) -> None:
        info = self.journal.queued[url]
        robots = self._robots_for(url)
        if robots == "refused":
            self._skip(url, "address_refused", "robots.txt host refused by the address guard")
            return
        if not robots.can_fetch(url, self.config.user_agent):
            self._skip(url, "robots_disallowed", "robots.txt disallows it")
            return
        result = self._fetch_with_retries(url)
        if result is None:
            return
        if self.abort.is_set() or result.reason == "crawl_stopped":
            return  # cut off by the crawl's end: claimed and not done, so counted as interrupted
        if result.error:
            self._skip(url, result.reason or "error", result.error.split(":", 1)[1].strip())
            return
        self.warc.write(result, result.date)
        self.journal.write({"e": "done", "url": url, "status": result.status, "warc": self.warc.path.name,
                            "truncated": result.truncated}, durable=True)
        self.journal.done.add(url)
        with self.host_lock:
            self.fetched += 1
        self._count("fetched")
        if result.truncated:
            self._count("truncated_" + result.truncated)
        if 300 <= result.status < 400:
            location = result.header("location")
            target = normalise_url(urljoin(url, location)) if location else None
            if target is None:
                return
            if info["hops"] + 1 > self.config.max_redirects:
                self._skip(target, "too_many_redirects", f"more than {self.config.max_redirects} hops, "
                                                         f"from {url}")
            elif target in self._redirect_chain(url):
                self._skip(target + "#loop-from=" + url, "redirect_loop", f"{url} redirects back to {target}")
            elif target in self.journal.queued:
                self._count("redirect_to_seen")
            elif self.in_scope(target):
                self._discovered.append((target, info["depth"], info["hops"] + 1, url))
            else:
                self._skip(target, "out_of_scope", f"redirect target of {url}")
            return
        content_type = result.header("content-type") or ""
        if result.status == 200 and "html" in content_type and not result.truncated \
                and info["depth"] < self.config.max_depth:
            for link in extract_links(url, result.body):
                if self.in_scope(link):
                    self._discovered.append((link, info["depth"] + 1, 0, None))

    def _drops(self, stopped: str) -> list[tuple[str, str, str]]:
        """Every queued URL that was not fetched, and every skip, with its reason (all sessions)."""
        drops = [(url, reason, detail) for url, (reason, detail) in self.journal.skipped.items()]
        for url in self.journal.queued:
            if url in self.journal.done or url in self.journal.skipped:
                continue
            if url in self.journal.claimed:
                drops.append((url, "interrupted", "requested when a crawl was stopped or killed; not asked "
                                                  "again (crawl.retry_interrupted)"))
            else:
                drops.append((url, "crawl_stopped", f"never requested: the crawl ended ({stopped})"))
        return drops

    def run(self) -> CrawlSummary:
        config = self.config
        session = len(list((self.out / "warc").glob("crawl-*.warc.gz")))
        self.warc = WarcSink(self.out / "warc" / f"crawl-{session:05d}.warc.gz", config, config.fsync)
        self.frontier: deque[str] = deque()
        self._discovered: deque[tuple[str, int, int, str | None]] = deque()
        self.fetched = len(self.journal.done)
        interrupted = self.journal.claimed - self.journal.done - set(self.journal.skipped)
        self.counts.update(self.journal.previous)
        self.counts["interrupted"] = len(interrupted)
        if config.retry_interrupted:
            self.journal.claimed -= interrupted
        for url in self.journal.queued:
            if url not in self.journal.claimed and url not in self.journal.skipped:
                self.frontier.append(url)
        for seed in config.seeds:
            seed_url = normalise_url(seed)
            if seed_url:
                self._queue(seed_url, 0, 0)
        started = time.monotonic()
        self.deadline = started + config.max_total_s
        summary = CrawlSummary()
        pending: set[Future] = set()
        pool = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="crawl")
        try:
            while self.frontier or pending or self._discovered:
                while self._discovered:
                    self._queue(*self._discovered.popleft())
                if self.stop.is_set():
                    summary.stopped = "stopped"
                    break
                if time.monotonic() >= self.deadline:
                    summary.stopped = "time_limit"
                    break
                while self.frontier and len(pending) < config.concurrency and \
                        self.fetched + len(pending) < config.max_pages:
                    pending.add(pool.submit(self._process, self.frontier.popleft()))
                if not pending:
                    if self.frontier:
                        summary.stopped = "max_pages"
                    break
                done, pending = wait(pending, timeout=min(0.5, max(0.001, self.deadline - time.monotonic())),
                                     return_when=FIRST_COMPLETED)
                for future in done:
                    exc = future.exception()
                    if exc is not None:
                        self._count("crawler_error")
        finally:
            # never wait on a stuck fetch: wake every wait, cut every open connection, then leave the pool
            self.abort.set()
            for conn in list(self.active):
                _kill(conn)
            wait(pending, timeout=2.0)
            pool.shutdown(wait=False, cancel_futures=True)
        with self.warc.lock:
            self.warc.close()
        with self.journal.lock:
            self.journal.close()
        summary.fetched = self.fetched
        summary.drops = self._drops(summary.stopped)
        summary.queued = len(self.journal.queued)
        drop_counts = Counter(reason for _u, reason, _d in summary.drops)
        for reason in ("interrupted", "crawl_stopped"):
            self.counts[reason] = drop_counts[reason]
        summary.counts = self.counts
        summary.warc_files = sorted(str(p) for p in (self.out / "warc").glob("crawl-*.warc.gz"))
        return summary


def crawl(config: CrawlConfig, stop: threading.Event | None = None) -> CrawlSummary:
    return Crawler(config, stop).run()


def main(argv: list[str] | None = None) -> int:
    """``python -m reasonry.generators.webqa.crawler CONFIG.json``: run (or resume) a crawl."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m reasonry.generators.webqa.crawler CONFIG.json", file=sys.stderr)
        return 2
    config = from_dict(CrawlConfig, json.loads(Path(args[0]).read_text(encoding="utf-8")))
    summary = crawl(config)
    print(json.dumps({"fetched": summary.fetched, "stopped": summary.stopped, "counts": dict(summary.counts),
                      "warc_files": summary.warc_files}, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
