"""Seeded per-item randomness.

Every item's generator is a ``random.Random`` seeded from a hash of (build seed, task, split, bucket, index),
so any worker can produce any item in any order and a build is reproducible. Nothing else in reasonry draws
random numbers.
"""

from __future__ import annotations

import hashlib
import random


def derive_seed(*parts: object) -> int:
    """A 64-bit integer from the given parts; stable across processes and Python versions."""
    text = "\x1f".join(repr(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def item_rng(seed: int, task: str, index: int, split: str = "train", bucket: str | None = None) -> random.Random:
    """The generator for one item. Split and bucket are part of the key so streams never overlap."""
    return random.Random(derive_seed(int(seed), task, split, bucket, int(index)))
