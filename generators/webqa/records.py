"""From fetched pages to schema v1 records: page checks, Q/A extraction, answer typing, gold verification.

Web records come from a crawl, not from an index, so this is a set of pure functions the pipeline calls per
WARC file (``warc_to_records``) or per page (``page_to_pairs`` then ``pairs_to_records``). Every page or pair
that does not become a record comes back as a reject with a reason.
"""

from __future__ import annotations

import re
from collections import Counter

from reasonry.generators.webqa.answers import type_answer
from reasonry.generators.webqa.config import ExtractConfig, ModelExtractConfig
from reasonry.generators.webqa.extract import extract_page
from reasonry.generators.webqa.subjects import classify
from reasonry.generators.webqa.warc import decode_body, is_html
from reasonry.rejects import Reject

TASK = "webqa/qa"
# Three levels, each accounted on its own (see ``page_accounting``): URLs the crawl did not fetch, pages
# (WARC response records) that gave no pair, and pairs that did not become a kept record.
CRAWL_STAGE = "webqa/crawl"
PAGE_STAGE = "webqa/page"
STAGE = "webqa"


def make_reject(reason: str, detail: str, *, record: dict | None = None, url: str | None = None,
                stage: str = STAGE) -> dict:
    """The stored reject of a page, pair or record of the web source; page-level rejects carry the URL in
    ``detail``. A page or pair that never became a record has no place (split, index) of its own."""
    if url:
        detail = f"{url}: {detail}"
    if record is None:
        return Reject(TASK, None, None, None, stage, reason, detail).row()
    return Reject.from_record(record, stage, reason, detail, task=TASK).row()


REDIRECT = "redirect"  # the note a followed redirect leaves: the page is its target's, not a drop


def _page_reject(reason: str, detail: str, url: str) -> dict:
    return make_reject(reason, detail, url=url, stage=PAGE_STAGE)


def page_to_pairs(page: dict, config: ExtractConfig) -> tuple[list[dict], dict | None, list[str]]:
    """(pairs, reject or None, notes) for one fetched page dict (see ``warc.read_warc``).

    A redirect gives no pairs, no reject and the note ``redirect``: the crawler follows it (the target is a
    page of its own), so it is neither a page nor a drop.
    """
    url = page.get("url") or "?"
    status = page.get("status", 0)
    if 300 <= status < 400 and page.get("location"):
        return [], None, [REDIRECT]
    if page.get("truncated"):
        return [], _page_reject("oversized", f"fetch truncated ({page['truncated']})", url), []
    body = page.get("body") or b""
    if len(body) > config.max_page_bytes:
        return [], _page_reject("oversized", f"{len(body)} bytes > {config.max_page_bytes}", url), []
    if status != 200:
        return [], _page_reject("http_status", f"status {status}", url), []
    if not is_html(page.get("content_type", "")):
        return [], _page_reject("not_html", f"content type {page.get('content_type')!r}", url), []
    html, why = decode_body(body, page.get("content_type", ""))
    if html is None:
        return [], _page_reject("encoding_error", why, url), []
    try:
        result = extract_page(html, url)
    except Exception as exc:  # one pathological page must not stop the rest of its WARC file
        return [], _page_reject("extract_error", f"{type(exc).__name__}: {exc}"[:300], url), []
    for pair in result.pairs:
        pair["crawl_date"] = page.get("date")
        pair["warc"] = page.get("warc")
    if result.reason:
        return [], _page_reject(result.reason, result.detail, url), result.notes
    return result.pairs, None, result.notes


def _question_ok(question: str, config: ExtractConfig) -> str | None:
    if len(question.split()) < config.min_question_words:
        return "question_too_short"
    if len(question) > config.max_question_chars:
        return "question_too_long"
    return None


def pair_to_record(pair: dict, *, split: str = "train", index: int = 0,
                   config: ExtractConfig | None = None) -> tuple[dict | None, dict | None]:
    """(record, None) or (None, reject) for one extracted pair."""
    from reasonry.registry import get_task, get_verifier

    config = config or ExtractConfig()
    url = pair.get("url")
    question = re.sub(r"[ \t]+", " ", pair["question"]).strip()
    bad = _question_ok(question, config)
    if bad:
        return None, make_reject(bad, question[:200], url=url)
    typed = type_answer(pair["answer_text"], question=question, max_words=config.max_answer_words,
                        max_chars=config.max_answer_chars)
    if typed is None:
        return None, make_reject("answer_not_short", repr(pair["answer_text"][:200]), url=url)
    spec = {"answer": typed.answer, "answer_type": typed.answer_type}
    if typed.currency:
        spec["currency"] = typed.currency  # graded as a number: "$100.00" and "100 USD" match "100"
    meta = {
        "url": url,
        "crawl_date": pair.get("crawl_date"),
        "license": list(pair.get("license") or []),
        "source": pair.get("source"),
        "answer_selected": pair.get("selected"),
        "answer_raw": pair["answer_text"],
        "title": pair.get("title", ""),
        "subject": classify(question) if config.subject == "keywords" else None,
        "unit": typed.unit,
    }
    if pair.get("warc"):
        meta["warc"] = pair["warc"]
    task = get_task(TASK)
    from reasonry.task import ItemKey

    record = task.record(ItemKey(TASK, split, None, index), problem={"question": question}, prompt=question,
                         answer=typed.answer, verifier_spec=spec, meta=meta, answer_type=typed.answer_type,
                         difficulty={"answer_words": len(typed.answer.split())})
    verdict = get_verifier("math").verify(spec, typed.answer)
    if not verdict.ok:
        return None, make_reject("gold_unverifiable", verdict.reason, record=record, url=url)
    return record, None


def pairs_to_records(pairs: list[dict], *, split: str = "train",
                     config: ExtractConfig | None = None) -> tuple[list[dict], list[dict]]:
    """Records (sorted by id) and rejects for a list of pairs; ``index`` in provenance is the pair's position."""
    records: list[dict] = []
    rejects: list[dict] = []
    for i, pair in enumerate(pairs):
        record, rej = pair_to_record(pair, split=split, index=i, config=config)
        if record is not None:
            records.append(record)
        elif rej is not None:
            rejects.append(rej)
    records.sort(key=lambda r: r["id"])
    return records, rejects


# Pages the rules found no pair on; with ``extract.model`` configured they are asked again through the model.
MODEL_RETRY = ("no_qa_found", "no_short_answer", "no_answer", "no_solution")


def warc_to_records(path: str, *, split: str = "train", config: ExtractConfig | None = None,
                    storage_options: dict | None = None, client=None,
                    conflicts: bool = True) -> tuple[list[dict], list[dict], Counter]:
    """Everything one WARC file gives: records, rejects, and counts.

    Page accounting (``counts``): ``pages`` = every response record read plus every record that could not be
    read = ``pages_with_pairs`` + ``redirects`` + one page-level reject each (``page_accounting`` checks it).
    Pair accounting: ``pairs`` = records + pair-level rejects. With a model ``client`` and ``config.model``,
    pages the rules found nothing on go to the model in one batched call
    (``reasonry.generators.webqa.model_extract``). ``conflicts=False`` leaves ``resolve_conflicts`` to the
    caller (a build runs it over all files together, since two pages that disagree may sit in two files).
    """
    from reasonry.generators.webqa.warc import read_warc

    config = config or ExtractConfig()
    counts: Counter = Counter()
    problems: list[dict] = []
    pairs, rejects, retry = [], [], []
    for page in read_warc(path, counts, storage_options, problems):
        counts["pages"] += 1
        page_pairs, rej, notes = page_to_pairs(page, config)
        counts.update(notes)
        if rej and client is not None and config.model is not None and rej["reason"] in MODEL_RETRY:
            retry.append((page, rej))
        elif rej:
            rejects.append(rej)
        elif page_pairs:
            counts["pages_with_pairs"] += 1
        pairs.extend(page_pairs)
    if retry and config.model is not None:  # only pages a model may read are held back
        found, failed = _ask_model(client, retry, config.model)
        pairs.extend(found)
        rejects.extend(failed)
        counts["pages_with_pairs"] += len({p["url"] for p in found})
        counts["model_pairs"] += len(found)
    for problem in problems:  # every unreadable record, with the file and byte offset where it starts
        counts["pages"] += 1
        rejects.append(make_reject(problem["reason"], problem["detail"], stage=PAGE_STAGE))
    counts["pairs"] += len(pairs)
    records, pair_rejects = pairs_to_records(pairs, split=split, config=config)
    conflicting: list[dict] = []
    if conflicts:
        records, conflicting = resolve_conflicts(records)
    return records, rejects + pair_rejects + conflicting, counts


def page_accounting(counts: Counter, rejects: list[dict]) -> dict:
    """Pages read against where each went; ``uncounted`` is 0 when nothing was lost silently."""
    page_drops = Counter(r["reason"] for r in rejects if r["stage"] == PAGE_STAGE)
    accounted = counts["pages_with_pairs"] + counts[REDIRECT] + sum(page_drops.values())
    return {"pages": counts["pages"], "pages_with_pairs": counts["pages_with_pairs"],
            "redirects": counts[REDIRECT], "dropped": dict(sorted(page_drops.items())),
            "uncounted": counts["pages"] - accounted}


def question_key(record: dict) -> str:
    """Two pages ask the same question when their prompts match up to case and spacing."""
    return re.sub(r"\s+", " ", record["prompt"]).strip().casefold()


def _same_answer(a: dict, b: dict) -> bool:
    from reasonry.registry import get_verifier

    if (a["answer_type"], a["answer"]) == (b["answer_type"], b["answer"]):
        return True
    verifier = get_verifier("math")
    return verifier.verify(a["verifier"]["spec"], b["answer"]).ok and \
        verifier.verify(b["verifier"]["spec"], a["answer"]).ok


def resolve_conflicts(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """Pages that ask the same question and give different answers: none of them is kept.

    Which page is right cannot be told from the pages, and a record with a wrong gold answer teaches the
    wrong thing, so every copy becomes a ``conflicting_answer`` reject naming the other pages and their
    answers. Copies that agree are all kept (deduplication later keeps one).
    """
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(question_key(r), []).append(r)
    kept, rejects = [], []
    for group in groups.values():
        k, j = resolve_question(group)
        kept += k
        rejects += j
    kept.sort(key=lambda r: r["id"])
    return kept, rejects


def resolve_question(group: list[dict]) -> tuple[list[dict], list[dict]]:
    """``resolve_conflicts`` for the records of one question (same ``question_key``)."""
    group = sorted(group, key=lambda r: (r["meta"].get("url") or "", r["id"]))
    first = group[0]
    if all(_same_answer(first, other) for other in group[1:]):
        return group, []
    rejects = []
    for r in group:
        others = "; ".join(f"{o['meta'].get('url')} answers {o['answer']!r}" for o in group if o is not r)
        rejects.append(make_reject("conflicting_answer", f"answers {r['answer']!r}, but {others}",
                                   record=r, url=r["meta"].get("url")))
    return [], rejects


def question_keys(batch: list[dict]):
    """What ``conflict_removals`` reads of a batch: a 128-bit hash of each record's ``question_key``."""
    from reasonry.filters.dedup import hash_keys

    return hash_keys([question_key(r) for r in batch])


def conflict_removals(refs: list, keys_of, records_of, hold: int = 10_000):
    """``resolve_conflicts`` over batches read back one at a time: per batch (in order), {position: its
    ``conflicting_answer`` reject}. ``keys_of(ref)`` gives a batch's ``question_keys``, ``records_of(ref)`` its
    records. Only the records of questions asked more than once are read, about ``hold`` of them at a time
    (a question asked more often than that is read whole), so a site mirrored across many files is never held
    at once; what stays is 24 bytes a record for the sort and the rejects."""
    import numpy as np

    from reasonry.filters.dedup import equal_runs

    sizes, keys = [], []
    for ref in refs:
        found = keys_of(ref)
        sizes.append(len(found))
        keys.append(found)
    starts = np.cumsum([0, *sizes])
    runs = list(equal_runs(np.concatenate(keys) if keys else np.zeros((0, 2), np.uint64)))
    del keys

    def place_of(place: int) -> tuple[int, int]:
        batch = int(np.searchsorted(starts, place, side="right")) - 1
        return batch, place - int(starts[batch])

    removals: dict[int, dict[int, dict]] = {}
    chunk: list = []
    size = 0
    for n, run in enumerate(runs):
        chunk.append(run)
        size += len(run)
        if n + 1 < len(runs) and size + len(runs[n + 1]) <= hold:
            continue
        wanted: dict[int, list[int]] = {}  # batch -> positions of this chunk's records in it
        for members in chunk:
            for batch, i in map(place_of, members.tolist()):
                wanted.setdefault(batch, []).append(i)
        held: dict[tuple[int, int], dict] = {}
        for batch, positions in sorted(wanted.items()):
            records = records_of(refs[batch])
            held.update(((batch, i), records[i]) for i in positions)
        for members in chunk:
            group = sorted(((at, held[at]) for at in map(place_of, members.tolist())),
                           key=lambda m: (m[1]["meta"].get("url") or "", m[1]["id"]))  # resolve_question's order
            _kept, rejects = resolve_question([record for _at, record in group])
            if rejects:
                for ((batch, i), _record), reject in zip(group, rejects, strict=True):
                    removals.setdefault(batch, {})[i] = reject
        chunk, size = [], 0
    for batch, ref in enumerate(refs):
        yield ref, removals.get(batch, {})


def prepared_reject(_record: dict, reject: dict) -> dict:
    return reject


def _ask_model(client, retry: list[tuple[dict, dict]], model: ModelExtractConfig) -> tuple[list[dict], list[dict]]:
    from reasonry.generators.webqa.extract import main_text
    from reasonry.generators.webqa.model_extract import model_pairs

    pages = []
    for page, rej in retry:
        html, _why = decode_body(page.get("body") or b"", page.get("content_type", ""))
        pages.append({"url": page.get("url"), "text": main_text(html or ""), "crawl_date": page.get("date"),
                      "warc": page.get("warc"), "rule_reject": rej})
    pairs, failures = model_pairs(client, pages, model)
    rejects = [make_reject(reason, f"{detail}; rules: {page['rule_reject']['reason']}", url=page["url"],
                           stage=PAGE_STAGE) for page, reason, detail in failures]
    return pairs, rejects
