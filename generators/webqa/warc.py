"""Reading fetched pages back out of WARC / WARC.gz files, local or remote (any fsspec URL).

A Common Crawl segment, or one of our own crawl files, is a sequence of records; we keep HTTP ``response``
records and turn each into a page dict. Each record's bytes are delimited before warcio parses them: a
WARC.gz gzip member by member (each record is its own member: a member that does not inflate to its end or
fails its CRC is known), an uncompressed WARC by its header's Content-Length. A file that ends inside a
record counts ``truncated_warc``; any other record that cannot be read (bad gzip data, a header without a
length, an exception of any kind inside warcio) counts ``corrupt_record``, and reading resumes at the next
record (the next gzip member's or ``WARC/1.`` header's magic bytes). Each one is reported with the file and
the byte offset where the record starts. The build goes on with the next record and the next file.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from io import BytesIO

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_SCAN_CHUNK = 1 << 20
# One WARC.gz member holds one record; a member that inflates past this is not a page we would keep anyway.
_MAX_MEMBER = 256 << 20
_MAX_HEADER = 64 << 10
_WARC_MAGIC = b"WARC/1."


def _header_charset(content_type: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", content_type or "", re.IGNORECASE)
    return m.group(1) if m else None


def decode_body(body: bytes, content_type: str) -> tuple[str | None, str]:
    """(html, "") or (None, reason). A declared charset (HTTP header, else ``<meta>``) decides.

    A page whose bytes do not match what it declares is dropped as ``encoding_error`` rather than turned into
    mojibake questions. A page that declares nothing is UTF-8 when its bytes are valid UTF-8; otherwise its
    encoding is detected with charset-normalizer (many older pages are undeclared latin-1 or windows-1252).
    """
    declared = _header_charset(content_type)
    if declared is None:
        m = _CHARSET.search(body[:4096])
        declared = m.group(1).decode("ascii", "replace") if m else None
    if declared is None:
        try:
            return body.decode("utf-8"), ""
        except UnicodeDecodeError as exc:
            detected = _detect(body)
            if detected is None:
                return None, f"no charset declared, bytes are not UTF-8 (offset {exc.start}) and none detected"
            return detected, ""
    charset = declared
    try:
        codecs.lookup(charset)
    except LookupError:
        return None, f"unknown charset {charset!r}"
    try:
        return body.decode(charset), ""
    except UnicodeDecodeError as exc:
        return None, f"bytes are not valid {charset} at offset {exc.start}"


def _detect(body: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return None if best is None else str(best)


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


class _Problems:
    """Unreadable records: counted by reason and kept with the file and byte offset where each one starts."""

    def __init__(self, path: str, counts: Counter, problems: list[dict] | None):
        self.path, self.counts, self.items = path, counts, problems if problems is not None else []

    def add(self, reason: str, offset: int, why: str) -> None:
        self.counts[reason] += 1
        self.items.append({"reason": reason, "offset": offset,
                           "detail": f"{self.path} at byte {offset}: {why}"[:500]})


def read_warc(path: str, counts: Counter | None = None, storage_options: dict | None = None,
              problems: list[dict] | None = None) -> Iterator[dict]:
    """Yield page dicts (``url, date, status, content_type, body, truncated, warc, offset``) from one file.

    Never raises on bad bytes: every record that cannot be read is counted in ``counts`` as
    ``truncated_warc`` (the file ends inside it) or ``corrupt_record`` (anything else), and appended to
    ``problems`` as ``{reason, offset, detail}`` naming the file and byte offset; reading resumes at the next
    record boundary. Records of other types count as ``not_response``. Opening the file may still raise
    ``OSError`` (a missing file is the caller's to report).
    """
    import fsspec

    counts = counts if counts is not None else Counter()
    bad = _Problems(path, counts, problems)
    with fsspec.open(path, "rb", **(storage_options or {})) as fh:
        head = fh.read(2)
        fh.seek(0)
        if head == _GZIP_MAGIC[:2]:
            yield from _read_gzip(fh, path, counts, bad)
        else:
            yield from _read_plain(fh, path, counts, bad)


def _read_member(fh, start: int) -> tuple[bytes | None, int, str]:
    """(decompressed member, offset after it, "") or (None, start, "eof" | "truncated" | why it is corrupt)."""
    fh.seek(start)
    magic = fh.read(3)
    if not magic:
        return None, start, "eof"
    if len(magic) < 3 and _GZIP_MAGIC.startswith(magic):
        return None, start, "truncated"
    if magic != _GZIP_MAGIC:
        return None, start, f"no gzip member here (bytes {magic!r})"
    fh.seek(start)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out, size, consumed = [], 0, 0
    while True:
        chunk = fh.read(_SCAN_CHUNK)
        if not chunk:
            return None, start, "truncated"
        try:
            data = inflater.decompress(chunk)
        except zlib.error as exc:
            return None, start, f"zlib: {exc}"
        out.append(data)
        size += len(data)
        if size > _MAX_MEMBER:
            return None, start, f"gzip member inflates past {_MAX_MEMBER} bytes"
        if inflater.eof:
            consumed += len(chunk) - len(inflater.unused_data)
            return b"".join(out), start + consumed, ""
        consumed += len(chunk)


def _read_gzip(fh, path: str, counts: Counter, bad: _Problems) -> Iterator[dict]:
    """Gzip member by member (a WARC.gz compresses each record as its own member), so a member that does not
    inflate completely, or whose CRC does not match, is known before any of its bytes are trusted."""
    pos = 0
    while True:
        member, end, why = _read_member(fh, pos)
        if why == "eof":
            return
        if why == "truncated":
            bad.add("truncated_warc", pos, "the file ends inside this gzip member")
            return
        if member is None:
            bad.add("corrupt_record", pos, why)
            nxt = _next_marker(fh, pos + 1, _GZIP_MAGIC)
            if nxt is None:
                return
            pos = nxt
            continue
        yield from _member_records(member, pos, path, counts, bad)
        pos = end


def _member_records(member: bytes, offset: int, path: str, counts: Counter, bad: _Problems) -> Iterator[dict]:
    from warcio.archiveiterator import ArchiveIterator

    iterator = ArchiveIterator(BytesIO(member), no_record_parse=False)
    while True:
        try:
            record = next(iterator)
            if record.format != "warc":
                raise ValueError(f"not a WARC record ({record.format})")
            page = _page(record, path, offset)
            record.raw_stream.read()
            short = getattr(record.raw_stream, "limit", 0)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - any failure inside warcio is this record's, never the build's
            bad.add("corrupt_record", offset, f"{type(exc).__name__}: {exc}")
            return
        if short:
            # the member inflated completely, so a body shorter than its Content-Length was written that way
            bad.add("corrupt_record", offset, f"record body is {short} bytes short of its Content-Length")
            return
        if page is None:
            counts["not_response"] += 1
            continue
        yield page


def _read_plain(fh, path: str, counts: Counter, bad: _Problems) -> Iterator[dict]:
    """An uncompressed WARC, record by record: the WARC header's Content-Length says where each record ends,
    so a record the file ends inside is known before any of its bytes are trusted. After an unreadable
    record, reading resumes at the next ``WARC/1.`` header."""
    pos = 0
    while True:
        fh.seek(pos)
        head = fh.read(_MAX_HEADER)
        skip = len(head) - len(head.lstrip(b"\r\n"))  # blank lines between records
        if skip == len(head):
            return
        pos += skip
        head = head[skip:]
        end = head.find(b"\r\n\r\n")
        length = _content_length(head[:end]) if end >= 0 else None
        if end < 0 and len(head) + skip < _MAX_HEADER and _WARC_MAGIC.startswith(head[:len(_WARC_MAGIC)]):
            bad.add("truncated_warc", pos, "the file ends inside this record's WARC header")
            return
        if not head.startswith(_WARC_MAGIC) or length is None:
            bad.add("corrupt_record", pos, f"no WARC header with a Content-Length here (bytes {head[:16]!r})")
            nxt = _next_marker(fh, pos + 1, _WARC_MAGIC)
            if nxt is None:
                return
            pos = nxt
            continue
        total = end + 4 + length + 4  # header, blank line, content, the record's closing blank line
        if total > _MAX_MEMBER:
            bad.add("corrupt_record", pos, f"record of {total} bytes is larger than {_MAX_MEMBER}")
            pos += total
            continue
        fh.seek(pos)
        blob = fh.read(total)
        if len(blob) < total:
            bad.add("truncated_warc", pos, f"the file ends {total - len(blob)} bytes before this record does")
            return
        yield from _member_records(blob, pos, path, counts, bad)
        pos += total


def _content_length(header: bytes) -> int | None:
    m = re.search(rb"(?im)^content-length:[ \t]*(\d+)[ \t]*$", header)
    return int(m.group(1)) if m else None


def _page(record, path: str, offset: int | None) -> dict | None:
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
        "offset": offset,
    }


def is_html(content_type: str) -> bool:
    return (content_type or "text/html").split(";")[0].strip().lower() in _HTML_TYPES
