"""A synthetic corpus with planted near-duplicates and known Jaccard similarities (tests and benchmarks).

Base documents are random word sequences over a large vocabulary, so two bases never look alike; each planted
copy substitutes a few words of its base, which sets its shingle Jaccard similarity to the base. The truth is
computed exactly, so precision and recall of a dedup method can be measured.
"""

from __future__ import annotations

import random
import string

from reasonry.filters.dedup import normalise_text


def shingle_set(text: str, n: int) -> set[tuple[str, ...]]:
    words = normalise_text(text).split()
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def jaccard(a: str, b: str, n: int) -> float:
    sa, sb = shingle_set(a, n), shingle_set(b, n)
    return len(sa & sb) / len(sa | sb)


def make_corpus(n_base: int, *, words: int = 150, copy_rate: float = 0.5, edits: tuple[int, ...] = (1, 2, 3, 5, 8),
                seed: int = 0, vocabulary: int = 20000) -> list[dict]:
    """Documents ``{"id", "text", "base"}``; a copy's ``base`` is its original's id."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(vocabulary)]
    docs = []
    for i in range(n_base):
        base_words = rng.choices(vocab, k=words)
        base_id = f"d{i:07d}"
        docs.append({"id": base_id, "text": " ".join(base_words), "base": base_id})
        if rng.random() < copy_rate:
            copy = list(base_words)
            for pos in rng.sample(range(words), rng.choice(edits)):
                copy[pos] = rng.choice(vocab)
            docs.append({"id": f"c{i:07d}", "text": " ".join(copy), "base": base_id})
    rng.shuffle(docs)
    return docs


def truth(docs: list[dict], n: int) -> dict[frozenset, float]:
    """Jaccard similarity of every planted (base, copy) pair."""
    by_id = {d["id"]: d for d in docs}
    return {frozenset((d["id"], d["base"])): jaccard(d["text"], by_id[d["base"]]["text"], n)
            for d in docs if d["id"] != d["base"]}


def score(docs: list[dict], removed: dict[str, str], n: int, min_jaccard: float = 0.85) -> dict:
    """Recall on planted pairs with Jaccard >= ``min_jaccard`` and precision of the removals.

    ``removed`` maps each removed id to the id it duplicated (or to any id, where a method does not say which:
    then a removal counts as right when the removed document has a planted partner).
    """
    pairs = truth(docs, n)
    by_id = {d["id"]: d for d in docs}
    strong = [p for p, j in pairs.items() if j >= min_jaccard]
    found = sum(1 for p in strong if any(x in removed for x in p))
    partnered = {x for p in pairs for x in p}
    right = 0
    for rid, other in removed.items():
        right += (by_id[rid]["base"] == by_id[other]["base"]) if other is not None else (rid in partnered)
    return {"recall": found / len(strong) if strong else 1.0, "precision": right / len(removed) if removed else 1.0,
            "strong_pairs": len(strong), "removed": len(removed)}
