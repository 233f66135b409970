"""Answer typing, page extraction and WARC reading on the fixture site's pages (no network)."""

from __future__ import annotations

import gzip
import random
from collections import Counter

import fsspec
import pytest

from reasonry.generators.webqa import fixture_site
from reasonry.generators.webqa.answers import type_answer
from reasonry.generators.webqa.config import ExtractConfig
from reasonry.generators.webqa.extract import extract_page, final_answer
from reasonry.generators.webqa.records import page_to_pairs, pair_to_record, warc_to_records
from reasonry.generators.webqa.warc import read_warc
from reasonry.registry import get_task, get_verifier

TYPED = [
    ("42", "integer", "42"), ("-1,234", "integer", "-1234"), ("3.50", "float", "3.5"),
    ("1.2e-3", "float", "0.0012"), ("6/8", "fraction", "3/4"), ("$\\frac{1}{36}$", "fraction", "1/36"),
    ("45%", "percentage", "45%"), ("12.5 percent", "percentage", "12.5%"), ("Yes", "boolean", "True"),
    ("false", "boolean", "False"), ("(B)", "multiple_choice", "B"), ("option d", "multiple_choice", "D"),
    ("[[1,2],[3,4]]", "matrix", "[[1, 2], [3, 4]]"),
    ("\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}", "matrix", "[[1, 0], [0, 1]]"),
    ("{2, 3, 5, 7}", "list", "2, 3, 5, 7"), ("2x+3", "expression", "2x+3"),
    ("\\sqrt{2}/2", "expression", "\\sqrt{2}/2"), ("mitochondria.", "string", "mitochondria"),
    ("9.8 m/s^2", "float", "9.8"), ("\\boxed{17}", "integer", "17"),
]


@pytest.mark.parametrize("raw,kind,canonical", TYPED)
def test_answer_typing(raw, kind, canonical):
    typed = type_answer(raw, question="Pick one:\nA) x\nB) y\nC) z\nD) w")
    assert (typed.answer_type, typed.answer) == (kind, canonical)


def test_long_or_letter_answers():
    assert type_answer("It depends on many things. Try several books and compare them.") is None
    assert type_answer("B", question="Which letter follows A in the alphabet?").answer_type == "string"
    assert type_answer("B", question="Pick:\nA) one\nB) two").answer_type == "multiple_choice"


def test_final_answer_reading():
    assert final_answer("Work it out.\nAnswer: 12") == "12"
    assert final_answer("so we get \\boxed{\\frac{1}{2}} in the end") == "\\frac{1}{2}"
    assert final_answer("Divide top and bottom by 6. The answer is 3/4.") == "3/4"
    assert final_answer("A long discussion that never commits to any particular value at all, sadly.") is None


def _page(path: str) -> dict:
    page = fixture_site.build_site()[path]
    headers = {k.lower(): v for k, v in page.headers}
    return {"url": "http://fixture.test" + path, "date": "2026-01-01T00:00:00Z", "status": page.status,
            "body": page.body, "content_type": headers.get("content-type", ""), "truncated": None}


def test_every_expected_pair_extracted_with_type():
    config = ExtractConfig()
    found = set()
    for path in {p for p, _a, _t in fixture_site.expected_pairs()}:
        pairs, reject, _notes = page_to_pairs(_page(path), config)
        assert reject is None, (path, reject)
        for pair in pairs:
            record, rej = pair_to_record(pair, config=config)
            assert rej is None, rej
            found.add((path, record["answer"], record["answer_type"]))
    assert found == set(fixture_site.expected_pairs())


def test_accepted_over_top_voted_and_votes_over_order():
    # the thread's accepted answer wins over a higher-scored one; without acceptance the top score wins
    thread3 = extract_page(_page("/forum/thread-3.html")["body"].decode(), "u").pairs[0]
    assert (thread3["answer_text"], thread3["selected"]) == ("3/4", "top_scored")
    ohm = extract_page(_page("/questions/ohms-law.html")["body"].decode(), "u").pairs[0]
    assert (ohm["answer_text"], ohm["selected"]) == ("3", "top_voted")


@pytest.mark.parametrize("path,reason", [
    ("/questions/cafe.html", "encoding_error"),
    ("/questions/broken-jsonld.html", "malformed_jsonld"),
    ("/archive/big.html", "oversized"),
    ("/data/stats.json", "not_html"),
    ("/loop/a", "http_status"),
    ("/forum/thread-7.html", "no_answer"),
    ("/forum/thread-8.html", "no_answer"),
    ("/blog/study-tips.html", "no_qa_found"),
])
def test_bad_pages_rejected_with_reason(path, reason):
    pairs, reject, _notes = page_to_pairs(_page(path), ExtractConfig())
    assert pairs == [] and reject["reason"] == reason and path in reject["detail"]


def test_gold_passes_and_corrupted_fails_for_every_type():
    task = get_task("webqa/qa")
    verifier = get_verifier("math")
    seen = set()
    for pair in __import__("reasonry.generators.webqa.task", fromlist=["x"]).fixture_pairs():
        record, _ = pair_to_record(pair)
        if record["answer_type"] in seen:
            continue
        seen.add(record["answer_type"])
        spec = record["verifier"]["spec"]
        assert verifier.verify(spec, record["answer"]).ok
        assert not verifier.verify(spec, task.corrupt_answer(record, random.Random(0))).ok, record["answer"]
    assert len(seen) == 10


@pytest.fixture(scope="module")
def warcs(tmp_path_factory):
    root = tmp_path_factory.mktemp("warc")
    good = root / "site.warc.gz"
    n = fixture_site.write_warc(str(good))
    plain = root / "site.warc"
    fixture_site.write_warc(str(plain), compress=False)
    data = good.read_bytes()
    truncated = root / "truncated.warc.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    garbage = root / "garbage.warc.gz"
    garbage.write_bytes(gzip.compress(b"this is not a WARC file\r\n\r\n"))
    return {"good": str(good), "plain": str(plain), "truncated": str(truncated), "garbage": str(garbage), "n": n}


def test_warc_reader_local_gz_plain_and_remote(warcs):
    counts = Counter()
    pages = list(read_warc(warcs["good"], counts))
    assert len(pages) == warcs["n"] and not counts["truncated_warc"]
    assert len(list(read_warc(warcs["plain"]))) == warcs["n"]
    # any fsspec URL: an in-memory filesystem stands in for s3:// or https://
    with fsspec.open("memory://bucket/site.warc.gz", "wb") as fh, open(warcs["good"], "rb") as src:
        fh.write(src.read())
    remote, _rej, _counts = warc_to_records("memory://bucket/site.warc.gz")
    local, _rej, _counts = warc_to_records(warcs["good"])
    for record in remote + local:
        record["meta"].pop("warc")
    assert remote == local and len(local) >= len(fixture_site.expected_pairs())


def test_truncated_and_garbage_warc_skipped_with_reason(warcs):
    records, rejects, counts = warc_to_records(warcs["truncated"])
    assert counts["truncated_warc"] == 1
    assert 0 < counts["pages"] < warcs["n"] and records
    assert any(r["reason"] == "truncated_warc" and warcs["truncated"] in r["detail"] for r in rejects)
    records, rejects, counts = warc_to_records(warcs["garbage"])
    # the unreadable record is a page read and dropped with its reason, file and offset
    assert records == [] and counts["pages"] == 1
    assert [(r["reason"], r["stage"]) for r in rejects] == [("corrupt_record", "webqa/page")]
    assert f"{warcs['garbage']} at byte 0:" in rejects[0]["detail"]


def test_declared_charsets_are_honoured():
    from reasonry.generators.webqa.warc import decode_body

    latin = "<html><body>Caf\u00e9</body></html>".encode("latin-1")
    assert decode_body(latin, "text/html; charset=iso-8859-1")[0].endswith("Caf\u00e9</body></html>")
    meta = b'<html><head><meta charset="windows-1252"></head><body>\x93quoted\x94</body></html>'
    assert "\u201cquoted\u201d" in decode_body(meta, "text/html")[0]
    html, why = decode_body(latin, "text/html; charset=utf-8")
    assert html is None and "not valid utf-8" in why
    assert decode_body(b"x", "text/html; charset=klingon")[1].startswith("unknown charset")


def test_xhtml_with_xml_declaration_and_empty_page():
    body = (b'<?xml version="1.0" encoding="utf-8"?><html><body><h2>Problem 1</h2><p>What is the value of seven '
            b"plus five in base ten?</p><h3>Solution</h3><p>Add them.</p><p>Answer: 12</p></body></html>")
    page = {"url": "u", "status": 200, "body": body, "content_type": "application/xhtml+xml"}
    pairs, reject, _notes = page_to_pairs(page, ExtractConfig())
    assert reject is None and [p["answer_text"] for p in pairs] == ["12"]
    _pairs, reject, _notes = page_to_pairs({**page, "body": b""}, ExtractConfig())
    assert reject["reason"] == "unparsable_html"


def test_corrupt_record_mid_file_is_skipped_and_reading_resumes(warcs, tmp_path):
    data = open(warcs["good"], "rb").read()
    starts = [i for i in range(len(data) - 2) if data[i:i + 3] == b"\x1f\x8b\x08"]
    # garble the middle of the 6th gzip member: that one record is lost, the rest of the file is read
    a, b = starts[5], starts[6]
    bad = data[:a + 20] + bytes(x ^ 0x5A for x in data[a + 20:b - 10]) + data[b - 10:]
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(bad)
    counts = Counter()
    pages = list(read_warc(str(path), counts))
    assert counts["corrupt_record"] == 1 and not counts["truncated_warc"]
    assert len(pages) == warcs["n"] - 1
