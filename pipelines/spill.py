"""Decide over every record from small keys, with the records themselves on disk.

    batches -> Spill (per batch: its records to a run file, with the keys the decision needs beside them)
            -> one list of references -> Resolve (one worker: the decision, per batch the ids it removes)
            -> Apply (per batch: its records read back, removed ones become rejects)

The local runner keeps whatever it shuffles in memory. A stage that must see all records at once (the web
source's conflicts by question, dedup) shuffles only a reference per batch (a few dozen bytes) and each batch's
removals; the records wait in run files under ``scratch`` (a folder under the build's ``.runs``, removed when
the build is finalized; any fsspec URL the workers share). Records leave in their input batches, so the batches
after such a stage are the batches before it, less what it removed: what it does never depends on how the
runner bundled them.
"""

from __future__ import annotations

import hashlib
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import apache_beam as beam

from reasonry.errors import BuildFailed
from reasonry.pipelines.stages import REJECTS, emit
from reasonry.storage import join, read_range, write_bytes

_REF = struct.Struct(">16sQIII")  # run file digest, lengths of the records and keys blobs, CRC of each

# decide(refs, keys_of, records_of) -> (ref, {position in the batch: removal}) for every ref, in order; keys_of(ref)
# and records_of(ref) read a batch's keys and records back
Decide = Callable[[list[bytes], Callable[[bytes], Any], Callable[[bytes], list[dict]]],
                  Iterator[tuple[bytes, dict[str, Any]]]]


def _run_file(scratch: str, digest: bytes) -> str:
    name = digest.hex()
    return join(scratch, name[:2], name)


def spill(scratch: str, records: list[dict], keys: Any) -> bytes:
    """Write a batch and its keys to a run file named by their hash (a retried bundle rewrites the same file);
    the reference to read them back."""
    blob = zlib.compress(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL), 1)
    meta = pickle.dumps(keys, protocol=pickle.HIGHEST_PROTOCOL)
    data = blob + meta
    digest = hashlib.blake2b(data, digest_size=16).digest()
    write_bytes(_run_file(scratch, digest), data)
    return _REF.pack(digest, len(blob), len(meta), zlib.crc32(blob), zlib.crc32(meta))


def read(scratch: str, ref: bytes, part: str) -> Any:
    """The records (``part`` "records") or the keys (``part`` "keys") of a spilled batch, checked against the
    CRC its reference carries."""
    digest, n_records, n_keys, crc_records, crc_keys = _REF.unpack(ref)
    path = _run_file(scratch, digest)
    offset, length, crc = (0, n_records, crc_records) if part == "records" else (n_records, n_keys, crc_keys)
    blob = read_range(path, offset, length)
    if zlib.crc32(blob) != crc:
        raise BuildFailed(f"run file {path} is not what the build wrote ({part}: CRC mismatch)")
    return pickle.loads(zlib.decompress(blob)) if part == "records" else pickle.loads(blob)


class _SpillFn(beam.DoFn):
    def __init__(self, scratch: str, keys: Callable[[list[dict]], Any]):
        self.scratch, self.keys = scratch, keys

    def process(self, batch: list[dict]):
        if batch:
            yield None, spill(self.scratch, batch, self.keys(batch))


def _resolve(element, scratch: str, decide: Decide):
    _none, refs = element
    refs = sorted(refs)  # the order the runner grouped them in must not reach the decision
    decided = 0
    for ref, removed in decide(refs, lambda ref: read(scratch, ref, "keys"), lambda ref: read(scratch, ref, "records")):
        if ref != refs[decided]:
            raise BuildFailed(f"a spilled stage decided batch {ref.hex()[:32]} out of turn")
        decided += 1
        yield ref, removed
    if decided != len(refs):  # a batch no decision came back for would vanish from the build
        raise BuildFailed(f"a spilled stage decided {decided} of {len(refs)} batches")


class _ApplyFn(beam.DoFn):
    def __init__(self, scratch: str, reject: Callable[[dict, Any], dict]):
        self.scratch, self.reject = scratch, reject

    def process(self, element):
        ref, removed = element
        kept, rejects = [], []
        for i, record in enumerate(read(self.scratch, ref, "records")):
            removal = removed.get(i)
            if removal is None:
                kept.append(record)
            else:
                rejects.append(self.reject(record, removal))
        yield from emit(kept, rejects)


class Spilled(beam.PTransform):
    """batches -> ``records`` (the input batches less what ``decide`` removes, by position) and ``rejects``
    (``reject(record, removal)`` of each removed record). ``keys(batch)`` is what ``decide`` reads of a batch
    (picklable, small next to the records); ``decide`` runs once, in one worker, over the references of every
    batch."""

    def __init__(self, scratch: str, keys: Callable[[list[dict]], Any], decide: Decide,
                 reject: Callable[[dict, Any], dict]):
        super().__init__()
        if not scratch:
            raise ValueError("a spilled stage needs a scratch folder every worker can reach (the build's .runs)")
        self.scratch, self.keys, self.decide, self.reject = scratch, keys, decide, reject

    def expand(self, batches):
        out = (batches
               | "Spill" >> beam.ParDo(_SpillFn(self.scratch, self.keys))
               | "AllBatches" >> beam.GroupByKey()
               | "Resolve" >> beam.FlatMap(_resolve, self.scratch, self.decide)
               | "Spread" >> beam.Reshuffle()  # the batches go on in every worker, not the one that decided
               | "Apply" >> beam.ParDo(_ApplyFn(self.scratch, self.reject)).with_outputs(REJECTS, main="records"))
        return {"records": out.records, "rejects": out[REJECTS]}
