"""Web Q&A benchmarks.

1. Pages/s through page checks + Q&A extraction + answer typing + gold verification, on the fixture site's
   pages, against datatrove's Trafilatura extractor (text only, no Q&A) on the same pages in the same run.
2. Our MinHash dedup (``reasonry.filters.dedup``) against datatrove's four-step MinHash pipeline on the same
   generated corpus of planted near-duplicates, at the same shingle size (5 words), bands (14 x 8) and
   threshold: throughput ratio (target >= 3.0) and precision/recall of both (target: recall >= 0.95 on
   planted pairs with Jaccard >= 0.85, precision >= 0.99). Both sides read and write JSONL, single process.

Usage: ``python bench/webqa.py [--bases 1000] [--page-rounds 20]``
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

from reasonry.filters.dedup import MinHashConfig, minhash_dedup
from reasonry.filters.near_dup_corpus import make_corpus, score
from reasonry.generators.webqa.config import ExtractConfig
from reasonry.generators.webqa.fixture_site import build_site
from reasonry.generators.webqa.records import page_to_pairs, pairs_to_records

NGRAM, BANDS, ROWS, THRESHOLD = 5, 14, 8, 0.8


def _pages() -> list[dict]:
    pages = []
    for path, page in sorted(build_site().items()):
        headers = {k.lower(): v for k, v in page.headers}
        if page.status == 200 and "html" in headers.get("content-type", "") and len(page.body) < 1_000_000:
            pages.append({"url": "http://bench.invalid" + path, "date": "2026-01-01T00:00:00Z", "status": 200,
                          "body": page.body, "content_type": headers["content-type"], "truncated": None})
    return pages


def bench_extraction(rounds: int) -> dict:
    from datatrove.pipeline.extractors import Trafilatura

    pages = _pages()
    config = ExtractConfig()
    page_to_pairs(pages[0], config)  # warm imports on both sides before timing
    t0 = time.perf_counter()
    n_pairs = n_records = 0
    for _ in range(rounds):
        for page in pages:
            pairs, _reject, _notes = page_to_pairs(page, config)
            records, _rejects = pairs_to_records(pairs, config=config)
            n_pairs += len(pairs)
            n_records += len(records)
    ours = time.perf_counter() - t0
    extractor = Trafilatura(favour_precision=True, timeout=5)
    html = [p["body"].decode("utf-8", "replace") for p in pages]
    extractor.extract(html[0])
    t0 = time.perf_counter()
    for _ in range(rounds):
        for text in html:
            extractor.extract(text)
    theirs = time.perf_counter() - t0
    n = rounds * len(pages)
    return {"pages": n, "pairs": n_pairs, "records": n_records, "ours_pages_per_s": n / ours,
            "datatrove_trafilatura_pages_per_s": n / theirs, "ratio": (n / ours) / (n / theirs)}


def ours_minhash(in_path: Path, out_path: Path) -> tuple[float, dict[str, str]]:
    t0 = time.perf_counter()
    with open(in_path, encoding="utf-8") as fh:
        records = [{"id": d["id"], "prompt": d["text"], "task": "bench/x", "meta": {}} for d in map(json.loads, fh)]
    kept, rejects = minhash_dedup(records, MinHashConfig(threshold=THRESHOLD, ngram=NGRAM, num_perm=BANDS * ROWS,
                                                         bands=BANDS))
    with open(out_path, "w", encoding="utf-8") as fh:
        for r in kept:
            fh.write(json.dumps({"id": r["id"], "text": r["prompt"]}) + "\n")
    seconds = time.perf_counter() - t0
    return seconds, {r["id"]: r["record"]["meta"]["duplicate_of"] for r in rejects}


def datatrove_minhash(in_path: Path, work: Path) -> tuple[float, dict[str, None]]:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    config = MinhashConfig(n_grams=NGRAM, num_buckets=BANDS, hashes_per_bucket=ROWS)
    reader = JsonlReader(str(in_path.parent), glob_pattern=in_path.name, text_key="text", id_key="id")

    def run(pipeline, name, tasks=1):
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=str(work / "logs" / name),
                              skip_completed=False).run()

    t0 = time.perf_counter()
    run([reader, MinhashDedupSignature(output_folder=str(work / "sigs"), config=config)], "sigs")
    # the bucket step runs one task per band (datatrove's requirement), one after another in one worker
    run([MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=config)],
        "buckets", tasks=BANDS)
    run([MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove"), config=config)],
        "cluster")
    run([JsonlReader(str(in_path.parent), glob_pattern=in_path.name, text_key="text", id_key="id"),
         MinhashDedupFilter(input_folder=str(work / "remove")),
         JsonlWriter(str(work / "kept"), compression=None)], "filter")
    seconds = time.perf_counter() - t0
    kept = set()
    for path in (work / "kept").glob("*.jsonl"):
        with open(path, encoding="utf-8") as fh:
            kept.update(json.loads(line)["id"] for line in fh)
    with open(in_path, encoding="utf-8") as fh:
        all_ids = [json.loads(line)["id"] for line in fh]
    return seconds, {i: None for i in all_ids if i not in kept}


def bench_minhash(bases: int) -> dict:
    docs = make_corpus(bases, words=150, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "in" / "corpus.jsonl"
        corpus.parent.mkdir()
        with open(corpus, "w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(json.dumps({"id": d["id"], "text": d["text"]}) + "\n")
        ours_s, ours_removed = ours_minhash(corpus, root / "ours.jsonl")
        dt_s, dt_removed = datatrove_minhash(corpus, root / "dt")
    ours_q = score(docs, ours_removed, NGRAM, 0.85)
    dt_q = score(docs, dt_removed, NGRAM, 0.85)
    return {"docs": len(docs), "ours_s": ours_s, "datatrove_s": dt_s, "ours_docs_per_s": len(docs) / ours_s,
            "datatrove_docs_per_s": len(docs) / dt_s, "throughput_ratio": dt_s / ours_s, "ours": ours_q,
            "datatrove": dt_q}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=1000, help="base documents of the near-duplicate corpus")
    parser.add_argument("--page-rounds", type=int, default=20, help="passes over the fixture site's pages")
    args = parser.parse_args()
    logging.getLogger("datatrove").setLevel(logging.ERROR)
    try:
        from loguru import logger

        logger.remove()
    except ImportError:
        pass
    ex = bench_extraction(args.page_rounds)
    print(f"extract+Q&A: {ex['pages']} pages, {ex['records']} records: {ex['ours_pages_per_s']:.1f} pages/s; "
          f"datatrove Trafilatura text-only extraction: {ex['datatrove_trafilatura_pages_per_s']:.1f} pages/s; "
          f"ratio ours/datatrove {ex['ratio']:.2f}")
    mh = bench_minhash(args.bases)
    print(f"minhash dedup on {mh['docs']} docs ({NGRAM}-gram shingles, {BANDS}x{ROWS} bands, threshold {THRESHOLD}):")
    print(f"  ours:      {mh['ours_s']:.2f} s ({mh['ours_docs_per_s']:.0f} docs/s), recall@J>=0.85 "
          f"{mh['ours']['recall']:.3f}, precision {mh['ours']['precision']:.3f}, removed {mh['ours']['removed']}")
    print(f"  datatrove: {mh['datatrove_s']:.2f} s ({mh['datatrove_docs_per_s']:.0f} docs/s), recall@J>=0.85 "
          f"{mh['datatrove']['recall']:.3f}, precision {mh['datatrove']['precision']:.3f}, "
          f"removed {mh['datatrove']['removed']}")
    print(f"  throughput ratio ours/datatrove: {mh['throughput_ratio']:.2f} (target >= 3.0); planted pairs with "
          f"J>=0.85: {mh['ours']['strong_pairs']}")


if __name__ == "__main__":  # datatrove's local executor spawns processes: keep the entry point guarded
    main()
