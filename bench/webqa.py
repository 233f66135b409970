"""Web Q&A benchmarks.

1. Pages/s through page checks + Q&A extraction + answer typing + gold verification, on the fixture site's
   pages, against datatrove's Trafilatura extractor (text only, no Q&A) on the same pages in the same run.
2. Our MinHash dedup (``reasonry.filters.dedup``) against datatrove's four-step MinHash pipeline on the same
   generated corpus of planted near-duplicates, at the same shingle size (5 words), bands (14 x 8) and
   threshold: throughput ratio (target >= 3.0) and precision/recall of both (target: recall >= 0.95 on
   planted pairs with Jaccard >= 0.85, precision >= 0.99). Both sides read and write JSONL, single process.

Each MinHash side runs in a process of its own, so its peak RSS is printed too; ours streams the corpus
(signatures and band keys go to a temporary folder), as datatrove's steps do.

Usage: ``python bench/webqa.py [--bases 1000] [--page-rounds 20]``;
MinHash only at scale: ``python bench/webqa.py --docs 20000 200000``
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.near_dup_corpus: the planted corpus

from reasonry.filters.dedup import MinHashConfig, near_duplicates  # noqa: E402
from reasonry.generators.webqa.config import ExtractConfig  # noqa: E402
from reasonry.generators.webqa.fixture_site import build_site  # noqa: E402
from reasonry.generators.webqa.records import page_to_pairs, pairs_to_records  # noqa: E402
from tests.near_dup_corpus import make_corpus, score  # noqa: E402

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
    """Streams the corpus twice, as datatrove's pipeline does: signatures and band keys to a temporary folder,
    then the kept documents out; the corpus itself is never held in memory."""
    t0 = time.perf_counter()
    config = MinHashConfig(threshold=THRESHOLD, ngram=NGRAM, num_perm=BANDS * ROWS, bands=BANDS)

    def docs():
        with open(in_path, encoding="utf-8") as fh:
            for d in map(json.loads, fh):
                yield d["id"], d["text"]

    dup_of = near_duplicates(docs(), config, workdir=str(out_path.parent))
    with open(in_path, encoding="utf-8") as fh, open(out_path, "w", encoding="utf-8") as out:
        for line in fh:
            if json.loads(line)["id"] not in dup_of:
                out.write(line)
    seconds = time.perf_counter() - t0
    return seconds, {rid: keeper for rid, (keeper, _sim) in dup_of.items()}


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


def _side(side: str, corpus: Path, work: Path) -> None:
    """One side of the MinHash comparison in this (fresh) process: its seconds, removals and peak RSS."""
    import resource

    if side == "ours":
        seconds, removed = ours_minhash(corpus, work / "ours.jsonl")
    else:
        seconds, removed = datatrove_minhash(corpus, work / "dt")
    # Linux keeps a process's ru_maxrss across exec: started from this benchmark's parent, which holds the whole
    # corpus, it would report the parent's size. VmHWM is the peak of this process image alone. A child's
    # ru_maxrss can only carry this process's size at fork, which VmHWM already bounds.
    peak = max(_image_peak_kib() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    (work / f"{side}.json").write_text(json.dumps({"seconds": seconds, "removed": removed, "peak_kib": peak}))


def _image_peak_kib() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), None)
    except OSError:  # not Linux
        return None


def bench_minhash(docs_wanted: int) -> dict:
    """Both sides on the same corpus of about ``docs_wanted`` documents (two thirds bases, planted copies of
    half of them), each in a process of its own so that its peak RSS is its own."""
    import subprocess
    import sys

    docs = make_corpus(max(1, round(docs_wanted / 1.5)), words=150, seed=7)
    result = {"docs": len(docs)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "in" / "corpus.jsonl"
        corpus.parent.mkdir()
        with open(corpus, "w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(json.dumps({"id": d["id"], "text": d["text"]}) + "\n")
        for side in ("ours", "datatrove"):
            subprocess.run([sys.executable, __file__, "--side", side, str(corpus), str(root)], check=True)
            found = json.loads((root / f"{side}.json").read_text())
            result[side] = {**score(docs, found["removed"], NGRAM, 0.85), "seconds": found["seconds"],
                            "docs_per_s": len(docs) / found["seconds"], "peak_mib": found["peak_kib"] / 1024}
    result["throughput_ratio"] = result["datatrove"]["seconds"] / result["ours"]["seconds"]
    return result


def _print_minhash(mh: dict) -> None:
    print(f"minhash dedup on {mh['docs']} docs ({NGRAM}-gram shingles, {BANDS}x{ROWS} bands, threshold {THRESHOLD}):")
    for name in ("ours", "datatrove"):
        q = mh[name]
        print(f"  {name:10} {q['seconds']:8.2f} s ({q['docs_per_s']:6.0f} docs/s), peak RSS {q['peak_mib']:6.0f} MiB, "
              f"recall@J>=0.85 {q['recall']:.3f}, precision {q['precision']:.3f}, removed {q['removed']}")
    print(f"  throughput ratio ours/datatrove: {mh['throughput_ratio']:.2f} (target >= 3.0); planted pairs with "
          f"J>=0.85: {mh['ours']['strong_pairs']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=1000, help="base documents of the near-duplicate corpus")
    parser.add_argument("--docs", type=int, nargs="+", help="MinHash only, on corpora of about these many "
                                                           "documents each (e.g. --docs 20000 200000)")
    parser.add_argument("--page-rounds", type=int, default=20, help="passes over the fixture site's pages")
    parser.add_argument("--side", nargs=3, metavar=("SIDE", "CORPUS", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.getLogger("datatrove").setLevel(logging.ERROR)
    try:
        from loguru import logger

        logger.remove()
    except ImportError:
        pass
    if args.side:
        side, corpus, work = args.side
        _side(side, Path(corpus), Path(work))
        return
    if args.docs:
        for n in args.docs:
            _print_minhash(bench_minhash(n))
        return
    ex = bench_extraction(args.page_rounds)
    print(f"extract+Q&A: {ex['pages']} pages, {ex['records']} records: {ex['ours_pages_per_s']:.1f} pages/s; "
          f"datatrove Trafilatura text-only extraction: {ex['datatrove_trafilatura_pages_per_s']:.1f} pages/s; "
          f"ratio ours/datatrove {ex['ratio']:.2f}")
    _print_minhash(bench_minhash(round(args.bases * 1.5)))


if __name__ == "__main__":  # datatrove's local executor spawns processes: keep the entry point guarded
    main()
