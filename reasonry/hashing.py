"""Stable content hashes (ids, config hashes, shard keys)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the byte form every hash is taken over, and the form records
    store their free-form objects in. orjson is several times faster than the standard library here (it is on
    the per-record path of every build); integers beyond 64 bits, which orjson refuses, take the slow path."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)


def content_hash(value: Any, digest_size: int = 16) -> str:
    return hashlib.blake2b(canonical_json(value).encode("utf-8"), digest_size=digest_size).hexdigest()


def record_id(family: str, task: str, problem: Any) -> str:
    """The id of a record: the same (family, task, canonical problem) always gives the same id."""
    return content_hash(["reasonry.v1", family, task, problem])


def shard_of(key: str, shards: int) -> int:
    """Which of ``shards`` output files a key belongs to (independent of worker count and order)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards
