"""Beam composite transforms for deduplication over record batches (``stages.dedup``): exact and near.

``ExactDedup`` groups records by a hash of their normalised question text and keeps the smallest id.
``MinHashDedup`` is the near-duplicate stage: signatures per record, LSH band buckets grouped by key,
candidate pairs confirmed by estimated Jaccard, one union-find over the (few) confirmed edges, and a join
that drops every record that is not its cluster's smallest id. Both take a PCollection of batches
(``list[dict]``) and return ``{"records": batches, "rejects": batches of rejects}``; the output batches are
regrouped by a hash of the id, so they do not depend on input batching. The plain-Python logic is in
``reasonry.filters.dedup``.
"""

from __future__ import annotations

import apache_beam as beam
import numpy as np

from reasonry.filters.dedup import (
    DedupConfig,
    MinHashConfig,
    MinHasher,
    duplicate,
    normalise_text,
    resolve,
    similarity,
)
from reasonry.hashing import content_hash, shard_of
from reasonry.pipelines.stages import REJECTS, count_rejects


def _rebatch(pcoll, label: str, shards: int):
    return (pcoll
            | f"{label}Key" >> beam.Map(lambda r: (shard_of(r["id"], shards), r))
            | f"{label}Group" >> beam.GroupByKey()
            | f"{label}Sort" >> beam.MapTuple(lambda _k, rs: sorted(rs, key=lambda r: r["id"])))


def _exact_groups(key_and_records):
    _key, records = key_and_records
    ordered = sorted(records, key=lambda r: r["id"])
    yield ordered[0]
    rejects = [duplicate(dup, ordered[0]["id"], "exact_duplicate", f"duplicate of {ordered[0]['id']}")
               for dup in ordered[1:]]
    count_rejects(rejects)
    for reject in rejects:  # one at a time: they are regrouped by id hash
        yield beam.pvalue.TaggedOutput(REJECTS, reject)


class ExactDedup(beam.PTransform):
    def __init__(self, field: str = "prompt", shards: int = 8):
        super().__init__()
        self.field, self.shards = field, shards

    def expand(self, batches):
        field = self.field
        out = (batches
               | "Flatten" >> beam.FlatMap(lambda batch: batch)
               | "KeyText" >> beam.Map(lambda r: (content_hash(normalise_text(r.get(field) or "")), r))
               | "GroupText" >> beam.GroupByKey()
               | "KeepSmallest" >> beam.FlatMap(_exact_groups).with_outputs(REJECTS, main="records"))
        return {"records": _rebatch(out.records, "Records", self.shards),
                "rejects": _rebatch(out[REJECTS], "Rejects", self.shards)}


class _SignatureFn(beam.DoFn):
    def __init__(self, config: MinHashConfig):
        self.config = config

    def setup(self):
        self.hasher = MinHasher(self.config)

    def process(self, record: dict):
        sig = self.hasher.signature(record.get(self.config.field) or "")
        for key in self.hasher.band_keys(sig):
            yield key, (record["id"], sig.tobytes())


def _bucket_edges(key_and_members, threshold: float):
    _key, members = key_and_members
    members = sorted(set(members))
    if len(members) < 2:
        return
    sigs = [np.frombuffer(s, dtype=np.uint32) for _id, s in members]
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            if similarity(sigs[i], sigs[j]) >= threshold:
                yield members[i][0], members[j][0], sigs[i].tobytes(), sigs[j].tobytes()


def _clusters(edges: list, threshold: float):
    signatures = {}
    pairs = set()
    for a, b, sa, sb in edges:
        signatures[a] = np.frombuffer(sa, dtype=np.uint32)
        signatures[b] = np.frombuffer(sb, dtype=np.uint32)
        pairs.add((a, b))
    yield from resolve(pairs, signatures, threshold).items()


def _apply(key_and_groups):
    _id, groups = key_and_groups
    dups = list(groups["dup"])
    for record in groups["record"]:
        if dups:
            keeper, sim = dups[0]
            reject = duplicate(record, keeper, "near_duplicate",
                               f"near duplicate of {keeper} (estimated jaccard {sim:.2f})")
            count_rejects([reject])
            yield beam.pvalue.TaggedOutput(REJECTS, reject)
        else:
            yield record


class MinHashDedup(beam.PTransform):
    """Near-duplicate removal with MinHash LSH; keeps the smallest id of every cluster."""

    def __init__(self, config: MinHashConfig | None = None, shards: int = 8):
        super().__init__()
        self.config = config or MinHashConfig()
        self.shards = shards

    def expand(self, batches):
        threshold = self.config.threshold
        records = batches | "Flatten" >> beam.FlatMap(lambda batch: batch)
        edges = (records
                 | "Signatures" >> beam.ParDo(_SignatureFn(self.config))
                 | "GroupBands" >> beam.GroupByKey()
                 | "CandidateEdges" >> beam.FlatMap(_bucket_edges, threshold)
                 | "Distinct" >> beam.Distinct())
        dup_of = (edges
                  | "AllEdges" >> beam.combiners.ToList()
                  | "UnionFind" >> beam.FlatMap(_clusters, threshold))
        keyed = records | "KeyById" >> beam.Map(lambda r: (r["id"], r))
        out = ({"record": keyed, "dup": dup_of}
               | "Join" >> beam.CoGroupByKey()
               | "Apply" >> beam.FlatMap(_apply).with_outputs(REJECTS, main="records"))
        return {"records": _rebatch(out.records, "Records", self.shards),
                "rejects": _rebatch(out[REJECTS], "Rejects", self.shards)}


class Dedup(beam.PTransform):
    """``stages.dedup``: exact then near-duplicate removal; rejects of both are flattened together."""

    def __init__(self, config: DedupConfig | None = None, shards: int = 8):
        super().__init__()
        self.config = config or DedupConfig()
        self.shards = shards

    def expand(self, batches):
        rejects = []
        if self.config.exact:
            exact = batches | "Exact" >> ExactDedup(self.config.minhash.field, self.shards)
            batches = exact["records"]
            rejects.append(exact["rejects"])
        if self.config.near:
            near = batches | "Near" >> MinHashDedup(self.config.minhash, self.shards)
            batches = near["records"]
            rejects.append(near["rejects"])
        if not rejects:
            rejects = [batches.pipeline | "NoRejects" >> beam.Create([])]
        return {"records": batches, "rejects": tuple(rejects) | "FlattenRejects" >> beam.Flatten()}
