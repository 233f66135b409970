"""Per-shard cache of generated and verified items, for incremental and resumed builds.

A shard's output is decided by (task, generator version, the task's options, seed, index range), which is the
cache key; a rebuild reuses every shard whose key is unchanged, and a killed build resumes from the shards it
finished. Entries are written to a temporary name and renamed, so a crash never leaves a torn entry.

An entry proves that it belongs to its key: its first line holds the key and a checksum of the compressed
content after it. An entry copied under another key's name, garbled or cut short is reported and recomputed,
never used.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib

from reasonry.hashing import canonical_json, loads
from reasonry.storage import join, open_read, read_bytes, write_bytes

MAGIC = b"reasonry-shard/1"


def checksum(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def seal_entry(magic: bytes, key: str, body: bytes) -> bytes:
    """``magic key checksum\\n`` + body: what makes an entry self-checking."""
    return b" ".join((magic, key.encode(), checksum(body).encode())) + b"\n" + body


def open_entry(magic: bytes, key: str, blob: bytes) -> bytes:
    """The body of an entry made by ``seal_entry`` for ``key``; ValueError says what is wrong with it."""
    head, sep, body = blob.partition(b"\n")
    parts = head.split(b" ")
    if not sep or len(parts) != 3 or parts[0] != magic:
        raise ValueError("not a cache entry (no header)")
    if parts[1].decode(errors="replace") != key:
        raise ValueError(f"entry belongs to key {parts[1][:16].decode(errors='replace')}..., not this one")
    if parts[2].decode(errors="replace") != checksum(body):
        raise ValueError("checksum mismatch (garbled or truncated)")
    return body


def check_entry(path: str, magic: bytes, key: str, chunk: int = 1 << 20) -> tuple[int, int]:
    """(offset, size) of the body of the entry at ``path`` made by ``seal_entry`` for ``key``, checked as
    ``open_entry`` does but reading the file in chunks, never whole; ValueError says what is wrong with it."""
    with open_read(path) as fh:
        head = fh.readline(1024)
        parts = head.rstrip(b"\n").split(b" ")
        if not head.endswith(b"\n") or len(parts) != 3 or parts[0] != magic:
            raise ValueError("not a cache entry (no header)")
        if parts[1].decode(errors="replace") != key:
            raise ValueError(f"entry belongs to key {parts[1][:16].decode(errors='replace')}..., not this one")
        digest, size = hashlib.blake2b(digest_size=16), 0
        while data := fh.read(chunk):
            digest.update(data)
            size += len(data)
    if parts[2].decode(errors="replace") != digest.hexdigest():
        raise ValueError("checksum mismatch (garbled or truncated)")
    return len(head), size


class ShardCache:
    def __init__(self, root: str | os.PathLike):
        self.root = str(root)

    def _path(self, key: str) -> str:
        return join(self.root, key[:2], f"{key}.json.gz")

    def lookup(self, key: str) -> tuple[tuple[list[dict], list[dict]] | None, str | None]:
        """(records, rejects) of a valid entry, else None and, for an entry that exists but is unusable, why."""
        path = self._path(key)
        try:
            blob = read_bytes(path)
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            return None, f"shard cache entry {path} is unreadable ({exc.strerror or exc}); recomputing it"
        try:
            data = loads(gzip.decompress(open_entry(MAGIC, key, blob)))
            return (data["records"], data["rejects"]), None
        except (ValueError, KeyError, TypeError, EOFError, OSError, zlib.error) as exc:
            return None, f"shard cache entry {path} discarded: {exc}; recomputing it"

    def get(self, key: str) -> tuple[list[dict], list[dict]] | None:
        return self.lookup(key)[0]

    def put(self, key: str, records: list[dict], rejects: list[dict]) -> None:
        data = canonical_json({"records": records, "rejects": rejects}).encode("utf-8")
        write_bytes(self._path(key), seal_entry(MAGIC, key, gzip.compress(data, compresslevel=3, mtime=0)))
