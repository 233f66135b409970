"""Beam wiring of ``stages.dedup``: exact, then near-duplicate removal, decided over keys with the records on
disk (``reasonry.pipelines.spill``).

Each batch spills its records with their ids, 128-bit text keys and MinHash signatures; one worker runs
``reasonry.filters.dedup.removals`` over the keys (24 bytes a record for the exact pass, what
``duplicates_of_signatures`` holds for the near one), and each batch then drops its removed records as
rejects. The result is that of ``reasonry.filters.dedup.dedup`` over all records at once, whatever the batching.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import apache_beam as beam

from reasonry.filters.dedup import DedupConfig, MinHasher, removal_reject, removals, text_keys
from reasonry.pipelines.spill import Spilled


class _Keys:
    """A batch -> (ids, text keys, signatures), each part only when its pass is on."""

    def __init__(self, config: DedupConfig):
        self.config = config
        self.hasher: MinHasher | None = None

    def __call__(self, batch: list[dict]):
        field = self.config.minhash.field
        texts = [r.get(field) or "" for r in batch]
        if self.config.near and self.hasher is None:
            self.hasher = MinHasher(self.config.minhash)
        return ([r["id"] for r in batch], text_keys(texts) if self.config.exact else None,
                self.hasher.signatures(texts) if self.hasher is not None else None)

    def __getstate__(self):
        return {"config": self.config, "hasher": None}  # made again where it runs


class _Decide:
    def __init__(self, config: DedupConfig):
        self.config = config

    def __call__(self, refs: list[bytes], keys_of: Callable[[bytes], Any], _records_of):
        decided = removals(lambda: (keys_of(ref) for ref in refs), self.config)
        for ref, (_ids, removed) in zip(refs, decided, strict=True):
            yield ref, removed


class Dedup(beam.PTransform):
    """``stages.dedup`` over record batches -> ``{"records": batches, "rejects": batches of rejects}``.

    ``scratch``: a folder every worker can read and write (the build passes one under its ``.runs``).
    """

    def __init__(self, config: DedupConfig | None = None, scratch: str | None = None):
        super().__init__()
        if not scratch:
            raise ValueError("Dedup needs a scratch folder every worker can reach (the build passes its .runs)")
        self.config = config or DedupConfig()
        self.scratch = scratch

    def expand(self, batches):
        if not (self.config.exact or self.config.near):
            return {"records": batches, "rejects": batches.pipeline | "NoRejects" >> beam.Create([])}
        return batches | "Resolve" >> Spilled(self.scratch, _Keys(self.config), _Decide(self.config),
                                              removal_reject)
