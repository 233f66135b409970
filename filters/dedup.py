"""Deduplication of records by question text: exact (normalised) and near-duplicate (MinHash LSH).

Both keep the record with the smallest id of each group, so the result does not depend on input order or
on how records were batched; every removed record becomes a reject naming the id it duplicated.

MinHash: words of the normalised text -> word n-gram shingles hashed to 32 bits (crc32 of each word, stable
across processes unlike ``hash()``, combined polynomially per n-gram) -> ``num_perm`` universal hashes
``(a*x + b) mod (2^61 - 1)`` vectorised in numpy -> ``bands`` x ``rows`` LSH buckets. Records sharing a
bucket are candidates; a candidate pair is a duplicate only when its estimated Jaccard similarity (agreeing
signature slots) reaches ``threshold``, which keeps precision high without a second pass over the texts.
Duplicates are joined with union-find.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from reasonry.config import require
from reasonry.rejects import Reject

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_MIX = np.uint64(1_000_003)  # odd multiplier < 2^20: (32-bit * _MIX + 32-bit) stays below 2^64
_WORD = re.compile(r"\w+")


def normalise_text(text: str) -> str:
    """Case-folded, accent-free words separated by single spaces: punctuation and layout never matter."""
    if not text.isascii():  # the per-character pass is the slow part; most text does not need it
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(text.casefold()))


STAGE = "dedup"


def duplicate(record: dict, keeper: str, reason: str, detail: str) -> dict:
    """The stored reject of ``record``, a duplicate of ``keeper``: the record names its keeper in its meta."""
    marked = {**record, "meta": {**record.get("meta", {}), "duplicate_of": keeper}}
    return Reject.from_record(marked, STAGE, reason, detail).row()


def _text(record: dict, field: str) -> str:
    return record.get(field) or ""


def exact_dedup(records: list[dict], field: str = "prompt") -> tuple[list[dict], list[dict]]:
    """(kept sorted by id, rejects) by normalised ``field``; the smallest id of each text stays."""
    best: dict[str, dict] = {}
    rejects = []
    for record in sorted(records, key=lambda r: r["id"]):
        key = normalise_text(_text(record, field))
        kept = best.get(key)
        if kept is None:
            best[key] = record
        else:
            rejects.append(removal_reject(record, ("exact_duplicate", kept["id"], None)))
    return sorted(best.values(), key=lambda r: r["id"]), rejects


@dataclass(frozen=True)
class MinHashConfig:
    threshold: float = 0.8
    ngram: int = 3
    num_perm: int = 112
    bands: int = 14
    seed: int = 1
    field: str = "prompt"

    def __post_init__(self):
        require(0.0 < self.threshold <= 1.0, "threshold", "must be in (0, 1]")
        require(self.ngram >= 1, "ngram", "must be >= 1")
        require(self.bands >= 1 and self.num_perm % self.bands == 0, "bands",
                f"must divide num_perm ({self.num_perm})")
        require(self.num_perm >= self.bands, "num_perm", "must be >= bands")

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


class MinHasher:
    def __init__(self, config: MinHashConfig):
        self.config = config
        rng = np.random.default_rng(config.seed)
        # a, b < 2^32 and shingles < 2^32 keep a*x + b below 2^64: exact, no silent wrap-around
        self.a = rng.integers(1, 1 << 32, size=config.num_perm, dtype=np.uint64)
        self.b = rng.integers(0, 1 << 32, size=config.num_perm, dtype=np.uint64)

    def shingles(self, text: str) -> np.ndarray:
        """32-bit hashes of the word n-grams: each word is hashed once, n-grams are combined in numpy."""
        words = normalise_text(text).split() or [""]
        hashes = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
        n = min(self.config.ngram, len(hashes))
        grams = hashes[: len(hashes) - n + 1].copy()
        for k in range(1, n):
            grams = (grams * _MIX + hashes[k: len(hashes) - n + 1 + k]) & _MAX32
        return np.unique(grams)

    def signature(self, text: str) -> np.ndarray:
        x = self.shingles(text)
        hashed = (x[:, None] * self.a[None, :] + self.b[None, :]) % _MERSENNE
        return (hashed & _MAX32).min(axis=0).astype(np.uint32)

    def signatures(self, texts: list[str]) -> np.ndarray:
        """(len(texts), num_perm) signatures, each row what ``signature`` gives: the hashing of a batch's
        shingles is one numpy operation, and each document's minimum one ``reduceat``."""
        shingles = [self.shingles(t) for t in texts]
        starts = np.cumsum([0] + [len(x) for x in shingles[:-1]])
        x = np.concatenate(shingles)
        hashed = ((x[:, None] * self.a[None, :] + self.b[None, :]) % _MERSENNE) & _MAX32
        return np.minimum.reduceat(hashed, starts, axis=0).astype(np.uint32)

    def band_keys(self, signature: np.ndarray) -> list[bytes]:
        rows = self.config.rows
        return [bytes([band]) + signature[band * rows:(band + 1) * rows].tobytes()
                for band in range(self.config.bands)]


def similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


class UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        if parent != x:
            root = self.find(parent)
            self.parent[x] = root
            return root
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:  # the smaller id becomes the root, so a cluster's root is the id we keep
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def candidate_pairs(buckets: dict[bytes, list[str]]) -> set[tuple[str, str]]:
    pairs = set()
    for ids in buckets.values():
        if len(ids) < 2:
            continue
        ids = sorted(set(ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                pairs.add((a, b))
    return pairs


def clusters(signatures: dict[str, np.ndarray], hasher: MinHasher) -> dict[str, tuple[str, float]]:
    """id -> (id it duplicates, estimated similarity) for every record that is not its cluster's keeper."""
    buckets: dict[bytes, list[str]] = defaultdict(list)
    for rid, sig in signatures.items():
        for key in hasher.band_keys(sig):
            buckets[key].append(rid)
    return resolve(candidate_pairs(buckets), signatures, hasher.config.threshold)


def resolve(pairs, signatures: dict[str, np.ndarray], threshold: float) -> dict[str, tuple[str, float]]:
    return join_edges((a, b, sim) for a, b in sorted(pairs)
                      if (sim := similarity(signatures[a], signatures[b])) >= threshold)


def join_edges(edges) -> dict[str, tuple[str, float]]:
    """Confirmed (id, id, similarity) edges -> id -> (its cluster's smallest id, its best similarity) for every
    id that is not the smallest of its cluster."""
    uf = UnionFind()
    best: dict[str, float] = {}
    for a, b, sim in edges:
        uf.union(a, b)
        best[a] = max(best.get(a, 0.0), sim)
        best[b] = max(best.get(b, 0.0), sim)
    out = {}
    for rid in uf.parent:
        root = uf.find(rid)
        if root != rid:
            out[rid] = (root, best.get(rid, 0.0))
    return out


_BATCH = 64  # documents hashed together: (64 x ~150 shingles x num_perm) uint64 temporaries, a few MB
_PAIRS = 4_096  # candidate pairs checked together: two (pairs x num_perm) uint32 blocks, under 4 MB


def near_duplicates(docs: Iterable[tuple[str, str]], config: MinHashConfig | None = None,
                    workdir: str | None = None) -> dict[str, tuple[str, float]]:
    """id -> (the id it duplicates, estimated similarity) for every document of ``docs`` ((id, text), ids
    distinct) that is not the smallest id of its near-duplicate cluster; the same answer as ``clusters``.

    Memory does not hold the corpus: ``docs`` is read once and hashed ``_BATCH`` documents at a time, and
    ``duplicates_of_signatures`` does the rest with the signatures on disk.
    """
    config = config or MinHashConfig()
    hasher = MinHasher(config)

    def chunks():
        for chunk in _batched(docs, _BATCH):
            yield [rid for rid, _text in chunk], hasher.signatures([text for _id, text in chunk])

    return duplicates_of_signatures(chunks(), config, workdir)


def duplicates_of_signatures(chunks: Iterable[tuple[list[str], np.ndarray]], config: MinHashConfig,
                             workdir: str | None = None) -> dict[str, tuple[str, float]]:
    """``near_duplicates`` over signatures already made: ``chunks`` gives (ids, (len(ids), num_perm) uint32
    signatures), every id once.

    Ids, signatures and band keys go to files in a temporary folder (under ``workdir``). What stays in memory
    is 8 bytes a document (where its id starts in the id file), one band's keys at a time (8 bytes a document:
    64-bit hashes of the band rows; a hash collision only adds a candidate, which the similarity check then
    judges), the candidate pairs, and ``_PAIRS`` pairs' signatures at a time. Only the ids of confirmed pairs
    are read back, so a corpus of distinct documents costs 16 bytes each whatever the length of its ids.
    """
    import os
    import tempfile

    rows, width = config.rows, config.num_perm * 4
    with tempfile.TemporaryDirectory(prefix="minhash-", dir=workdir) as tmp:
        bands = [open(os.path.join(tmp, f"band-{b}"), "wb") for b in range(config.bands)]
        with open(os.path.join(tmp, "signatures"), "wb") as sig_file, IdFile(os.path.join(tmp, "ids")) as ids:
            for chunk_ids, sigs in chunks:
                if len(chunk_ids) != len(sigs):
                    raise ValueError(f"{len(chunk_ids)} ids for {len(sigs)} signatures")
                ids.extend(chunk_ids)
                sig_file.write(np.ascontiguousarray(sigs, dtype=np.uint32).tobytes())
                for b, keys in enumerate(_band_hashes(sigs, config.bands, rows).T):
                    bands[b].write(np.ascontiguousarray(keys).tobytes())
            sig_file.close()  # read back below, by position
            for fh in bands:
                fh.close()
            count = len(ids)
            pairs = np.unique(np.concatenate([_bucket_pairs(np.fromfile(fh.name, dtype=np.uint64), count)
                                              for fh in bands] or [np.zeros(0, np.int64)]))
            edges = []
            sig_fd = os.open(os.path.join(tmp, "signatures"), os.O_RDONLY)
            try:
                for start in range(0, len(pairs), _PAIRS):
                    chunk = pairs[start:start + _PAIRS]
                    left, right = chunk // count, chunk % count
                    sims = (_rows(sig_fd, left, width) == _rows(sig_fd, right, width)).sum(axis=1) / config.num_perm
                    for i, j, sim in zip(left.tolist(), right.tolist(), sims.tolist(), strict=True):
                        if sim >= config.threshold:
                            first, second = sorted((ids[i], ids[j]))
                            edges.append((first, second, sim))
            finally:
                os.close(sig_fd)
    return join_edges(sorted(edges))


class IdFile:
    """Ids written to a file, read back by position: 8 bytes of memory a document (where its id starts),
    whatever the length of the ids. Written while open; readable (``ids[i]``) once ``finish`` or the end of the
    ``with`` block has closed the writing side."""

    def __init__(self, path: str):
        self.path = path
        self.fh = open(path, "wb")
        self.starts: list[np.ndarray] = []
        self.offsets: np.ndarray | None = None
        self.position = self.count = 0
        self.fd: int | None = None

    def extend(self, ids: list[str]) -> None:
        encoded = [rid.encode("utf-8") for rid in ids]
        lengths = np.fromiter(map(len, encoded), dtype=np.uint64, count=len(encoded))
        self.starts.append(np.cumsum(lengths) - lengths + np.uint64(self.position))
        self.position += int(lengths.sum())
        self.count += len(ids)
        self.fh.write(b"".join(encoded))

    def finish(self) -> None:
        import os

        if self.fd is None:
            self.fh.close()
            self.offsets = np.concatenate([*self.starts, np.array([self.position], np.uint64)])
            self.starts = []
            self.fd = os.open(self.path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> str:
        import os

        self.finish()
        assert self.offsets is not None and self.fd is not None
        start = int(self.offsets[i])
        return os.pread(self.fd, int(self.offsets[i + 1]) - start, start).decode("utf-8")

    def close(self) -> None:
        import os

        self.fh.close()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> IdFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def text_keys(texts: list[str]) -> np.ndarray:
    """(len(texts), 2) uint64: a 128-bit hash of each normalised text, the key of exact dedup."""
    return hash_keys([normalise_text(t) for t in texts])


def hash_keys(strings: list[str]) -> np.ndarray:
    """(len(strings), 2) uint64: a 128-bit hash of each string (two of n strings collide with probability about
    n^2 / 2^129)."""
    import hashlib

    digests = b"".join(hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest() for t in strings)
    return np.frombuffer(digests, dtype=">u8").astype(np.uint64).reshape(len(strings), 2)


def equal_runs(keys: np.ndarray) -> Iterator[np.ndarray]:
    """The places (row numbers) of each set of two or more equal rows of an (n, 2) key array, one array per
    set: a sort of the keys, 24 bytes a row, and no dict of them."""
    if not len(keys):
        return
    order = np.lexsort((keys[:, 1], keys[:, 0]))
    ordered = keys[order]
    same = np.flatnonzero((ordered[1:] == ordered[:-1]).all(axis=1))
    del ordered
    if len(same):
        for run in np.split(same, np.flatnonzero(np.diff(same) != 1) + 1):
            yield order[run[0]:run[-1] + 2]


Chunk = tuple[list[str], np.ndarray | None, np.ndarray | None]  # ids, text keys, MinHash signatures


def removals(chunks: Callable[[], Iterable[Chunk]], config: DedupConfig,
             workdir: str | None = None) -> Iterator[tuple[list[str], dict[int, tuple[str, str, float | None]]]]:
    """What ``dedup`` removes, decided from the records' keys alone: per chunk of ``chunks()`` (ids, ``text_keys``,
    ``MinHasher.signatures``), in order, its ids and {position in the chunk: (reason, keeper, estimated
    similarity or None)}. Exact duplicates go first (of one normalised text the smallest id stays, one copy of
    it if the id repeats), then near duplicates among the rest. ``chunks()`` is called once per pass, each time
    giving the same chunks in the same order.

    Memory: 24 bytes a record for the exact pass (its key and place in the sort), what
    ``duplicates_of_signatures`` holds for the near one, and the removals.
    """
    import os
    import tempfile

    exact: dict[int, tuple[str, str, float | None]] = {}  # by place among all records
    if config.exact:
        with tempfile.TemporaryDirectory(prefix="dedup-", dir=workdir) as tmp, \
                IdFile(os.path.join(tmp, "ids")) as ids:
            keys = []
            for chunk_ids, chunk_keys, _sigs in chunks():
                if chunk_keys is None or len(chunk_keys) != len(chunk_ids):
                    raise ValueError("exact dedup needs one text key per id")
                ids.extend(chunk_ids)
                keys.append(chunk_keys)
            for run in equal_runs(np.concatenate(keys) if keys else np.zeros((0, 2), np.uint64)):
                members = sorted((ids[int(i)], int(i)) for i in run)
                for _rid, at in members[1:]:
                    exact[at] = ("exact_duplicate", members[0][0], None)
    near: dict[str, tuple[str, float]] = {}
    if config.near:
        def rest():
            place = 0
            for chunk_ids, _keys, sigs in chunks():
                if sigs is None or len(sigs) != len(chunk_ids):
                    raise ValueError("near-duplicate removal needs one signature per id")
                keep = [i for i in range(len(chunk_ids)) if place + i not in exact]
                place += len(chunk_ids)
                if keep:
                    yield [chunk_ids[i] for i in keep], sigs[keep]

        near = duplicates_of_signatures(rest(), config.minhash, workdir)
    place = 0
    for chunk_ids, _keys, _sigs in chunks():  # every chunk, removals or not: a caller applies them chunk by chunk
        found: dict[int, tuple[str, str, float | None]] = {}
        for i, rid in enumerate(chunk_ids):
            if place + i in exact:
                found[i] = exact[place + i]
            elif rid in near:
                found[i] = ("near_duplicate", *near[rid])
        place += len(chunk_ids)
        yield chunk_ids, found


def removal_reject(record: dict, removal: tuple[str, str, float | None]) -> dict:
    """The reject of a record ``removals`` names, as ``dedup`` writes it."""
    reason, keeper, sim = removal
    if reason == "exact_duplicate":
        return duplicate(record, keeper, reason, f"duplicate of {keeper}")
    return duplicate(record, keeper, reason, f"near duplicate of {keeper} (estimated jaccard {sim:.2f})")


def _batched(items: Iterable, n: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)


def _band_hashes(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(documents, bands) 64-bit hashes of each band's rows (multiply-add with wrap-around, on purpose)."""
    by_band = sigs.reshape(len(sigs), bands, rows).astype(np.uint64)
    keys = np.zeros((len(sigs), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys = keys * _BAND_MIX + by_band[:, :, r] + np.uint64(1)
    return keys


def _bucket_pairs(keys: np.ndarray, n: int) -> np.ndarray:
    """Every pair (i < j) of documents with equal keys in one band, encoded as i * n + j."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not len(same):
        return np.zeros(0, np.int64)
    # runs of equal keys: a run starts where the previous position does not continue one
    starts = same[np.r_[True, same[1:] != same[:-1] + 1]]
    ends = np.r_[same[np.flatnonzero(same[1:] != same[:-1] + 1)], same[-1]] + 2
    found = []
    twos = ends - starts == 2  # by far the most common bucket: one pair, done in numpy
    a, b = order[starts[twos]], order[starts[twos] + 1]
    found.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
    for s, e in zip(starts[~twos].tolist(), ends[~twos].tolist(), strict=True):
        members = np.sort(order[s:e]).astype(np.int64)
        i, j = np.triu_indices(len(members), k=1)
        found.append(members[i] * n + members[j])
    return np.concatenate(found)


def _rows(fd: int, index: np.ndarray, width: int) -> np.ndarray:
    import os

    return np.frombuffer(b"".join(os.pread(fd, width, int(i) * width) for i in index.tolist()),
                         dtype=np.uint32).reshape(len(index), width // 4)


def minhash_dedup(records: list[dict], config: MinHashConfig | None = None) -> tuple[list[dict], list[dict]]:
    """(kept sorted by id, rejects) keeping the smallest id of each near-duplicate cluster."""
    config = config or MinHashConfig()
    by_id = {r["id"]: r for r in records}
    dup_of = near_duplicates(((rid, _text(r, config.field)) for rid, r in sorted(by_id.items())), config)
    kept, rejects = [], []
    for rid in sorted(by_id):
        record = by_id[rid]
        if rid in dup_of:
            keeper, sim = dup_of[rid]
            rejects.append(removal_reject(record, ("near_duplicate", keeper, sim)))
        else:
            kept.append(record)
    return kept, rejects


@dataclass(frozen=True)
class DedupConfig:
    """``stages.dedup``: exact dedup on normalised question text, then MinHash near-dup removal."""

    exact: bool = True
    near: bool = True
    minhash: MinHashConfig = MinHashConfig()


def dedup(records: list[dict], config: DedupConfig | None = None) -> tuple[list[dict], list[dict]]:
    config = config or DedupConfig()
    rejects: list[dict] = []
    if config.exact:
        records, rej = exact_dedup(records, config.minhash.field)
        rejects += rej
    if config.near:
        records, rej = minhash_dedup(records, config.minhash)
        rejects += rej
    return records, rejects
