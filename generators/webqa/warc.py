"""Reading fetched pages back out of WARC / WARC.gz files, local or remote (any fsspec URL).

A Common Crawl segment, or one of our own crawl files, is a sequence of records; we keep HTTP ``response``
records and turn each into a page dict. A record that cannot be parsed is skipped with a counted reason
(``corrupt_record``) and reading resumes at the next record boundary (WARC.gz files compress each record as
its own gzip member, so the next member's magic bytes mark it). A file that ends inside a record counts
``truncated_warc``; the build goes on with the next file.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections import Counter
from collections.abc import Iterator

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_SCAN_CHUNK = 1 << 20


def _header_charset(content_type: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", content_type or "", re.IGNORECASE)
    return m.group(1) if m else None


def decode_body(body: bytes, content_type: str) -> tuple[str | None, str]:
    """(html, "") or (None, reason). The declared charset decides; undeclared means UTF-8.

    We never guess an encoding: a page whose bytes do not match what it declares is dropped as
    ``encoding_error`` rather than turned into mojibake questions.
    """
    declared = _header_charset(content_type)
    if declared is None:
        m = _CHARSET.search(body[:4096])
        declared = m.group(1).decode("ascii", "replace") if m else None
    charset = declared or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        return None, f"unknown charset {charset!r}"
    try:
        return body.decode(charset), ""
    except UnicodeDecodeError as exc:
        return None, f"bytes are not valid {charset} at offset {exc.start}"


def _next_marker(fh, start: int, marker: bytes) -> int | None:
    """Offset of the next ``marker`` (a gzip member or a WARC header) at or after ``start``, or None."""
    fh.seek(start)
    offset, tail = start, b""
    while True:
        chunk = fh.read(_SCAN_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        found = data.find(marker)
        if found >= 0:
            return offset - len(tail) + found
        tail = data[-(len(marker) - 1):]
        offset += len(chunk)


def read_warc(path: str, counts: Counter | None = None, storage_options: dict | None = None) -> Iterator[dict]:
    """Yield page dicts (``url, date, status, content_type, body, truncated, warc, offset``) from one file.

    A record that cannot be read is skipped: reading resumes at the next gzip member (or, in an uncompressed
    file, the next ``WARC/1.`` header). ``counts`` receives ``corrupt_record`` for each skipped record,
    ``truncated_warc`` when the file ends inside a record, and ``not_response`` for other record types.
    """
    import fsspec

    counts = counts if counts is not None else Counter()
    with fsspec.open(path, "rb", **(storage_options or {})) as fh:
        head = fh.read(2)
        marker = _GZIP_MAGIC if head == _GZIP_MAGIC[:2] else b"WARC/1."
        pos = 0
        while pos is not None:
            fh.seek(pos)
            outcome, last_start = yield from _read_from(fh, path, counts)
            if outcome == "eof":
                return
            if outcome == "short":  # the body ended before its Content-Length: the file is cut off
                counts["truncated_warc"] += 1
                return
            # the broken record is the one after the last good one (or the first one read from ``pos``)
            broken = pos if last_start is None else _next_marker(fh, last_start + 1, marker)
            nxt = None if broken is None else _next_marker(fh, broken + 1, marker)
            counts["truncated_warc" if nxt is None and outcome == "truncated" else "corrupt_record"] += 1
            pos = nxt


def _read_from(fh, path: str, counts: Counter):
    """Read records from the current position; returns (outcome, start offset of the last good record)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    iterator = ArchiveIterator(fh, no_record_parse=False)
    last_start = None
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return "eof", last_start
        except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as exc:
            return ("truncated" if _is_truncation(exc) else "corrupt"), last_start
        if record.format != "warc":
            # warcio also reads legacy ARC; here that only happens when the bytes are not a WARC record
            return "corrupt", last_start
        try:
            page = _page(record, path, iterator)
            record.raw_stream.read()  # drain, so a missing tail shows up as an unmet Content-Length
            # only after the record is read: asking warcio for the offset earlier skips the record's body
            start = iterator.get_record_offset()
        except (EOFError, zlib.error, OSError, ValueError) as exc:
            return ("truncated" if _is_truncation(exc) else "corrupt"), last_start
        if getattr(record.raw_stream, "limit", 0):
            # warcio hands back a short body when the file ends inside a record
            return "short", last_start
        last_start = start
        if page is None:
            counts["not_response"] += 1
            continue
        yield page


def _is_truncation(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return isinstance(exc, EOFError) or "eof" in text or "truncat" in text or "incomplete" in text or (
        isinstance(exc, zlib.error))


def _page(record, path: str, iterator) -> dict | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    headers = record.rec_headers
    body = record.content_stream().read()
    status_line = record.http_headers.get_statuscode() or "0"
    http = {k.lower(): v for k, v in record.http_headers.headers}
    return {
        "url": headers.get_header("WARC-Target-URI"),
        "date": headers.get_header("WARC-Date"),
        "status": int(status_line) if status_line.isdigit() else 0,
        "content_type": http.get("content-type", ""),
        "location": http.get("location"),
        "body": body,
        "truncated": headers.get_header("WARC-Truncated"),
        "warc": path,
        "offset": iterator.get_record_offset(),
    }


def is_html(content_type: str) -> bool:
    return (content_type or "text/html").split(";")[0].strip().lower() in _HTML_TYPES
