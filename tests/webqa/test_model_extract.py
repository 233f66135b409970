"""Model-based Q&A extraction on pages the rules found nothing on: kept only when the model quotes the page."""

from __future__ import annotations

import json
import re

import pytest

from reasonry.config import from_dict, to_dict
from reasonry.generators.webqa import fixture_site
from reasonry.generators.webqa.config import ExtractConfig
from reasonry.generators.webqa.model_extract import quoted
from reasonry.generators.webqa.records import warc_to_records
from reasonry.registry import get_verifier
from tests.llm.test_prototypes import ScriptedClient

MODEL_REASONS = {"model_no_json", "model_found_no_pair", "model_bad_pair", "model_answer_not_in_page",
                 "model_question_not_in_page"}


@pytest.fixture(scope="module")
def no_answer_warc(tmp_path_factory):
    path = tmp_path_factory.mktemp("warc") / "no-answer.warc.gz"
    fixture_site.write_warc(str(path), fixture_site.no_answer_pages())
    return str(path)


def _page(prompt: str) -> str:
    return prompt.split("<<<", 1)[1].rsplit(">>>", 1)[0]


def _replies(prompt: str) -> list[str]:
    """A scripted reader: quotes the first sentence with a number and that number; invents an answer for a page
    without numbers. The only model that runs offline is a random one, which never quotes a page."""
    sentences = re.split(r"(?<=[.?!])\s+", " ".join(_page(prompt).split()))
    for sentence in sentences:
        numbers = re.findall(r"\b\d+\b", sentence)
        if numbers and len(sentence.split()) >= 6:
            return [json.dumps({"question": sentence, "answer": numbers[0]})]
    if sentences and len(sentences[0].split()) >= 4:
        return [json.dumps({"question": sentences[0], "answer": "424242"})]
    return ['{"none": true}']


def _config(**model):
    return from_dict(ExtractConfig, {"model": {"client": {"model": "scripted"}, **model}})


def test_rules_alone_keep_nothing_from_these_pages(no_answer_warc):
    records, rejects, _ = warc_to_records(no_answer_warc)
    assert records == [] and len(rejects) == len(fixture_site.no_answer_pages())


def test_quoted_pairs_become_records_and_invented_answers_are_rejected(no_answer_warc):
    client = ScriptedClient(_replies)
    records, rejects, counts = warc_to_records(no_answer_warc, config=_config(), client=client)
    assert len(client.prompts) == len(fixture_site.no_answer_pages())  # one batched call, every page asked
    assert records and counts["model_pairs"] >= len(records)
    for record in records:
        assert record["meta"]["source"] == "model" and record["meta"]["answer_selected"] == "model_quoted"
        assert get_verifier("math").verify(record["verifier"]["spec"], record["answer"]).ok
    reasons = {r["reason"] for r in rejects}
    assert "model_answer_not_in_page" in reasons
    assert all(r["detail"].split("; rules: ")[1] for r in rejects if r["reason"] in MODEL_REASONS)
    assert len(records) + len(rejects) >= len(fixture_site.no_answer_pages())


def test_quote_check():
    page = "The train leaves at 9 and covers 120 km in two hours. What is its speed? It is 60 km/h."
    assert quoted("60 km/h", "What is its speed?", page) is None
    assert quoted("61", "What is its speed?", page) == "model_answer_not_in_page"
    assert quoted("60 km/h", "How tall is the tower in Paris?", page) == "model_question_not_in_page"


@pytest.mark.slow
def test_real_server_output_is_rejected_with_reasons(no_answer_warc, vllm_server):
    from reasonry.models import ModelClient

    client_config = vllm_server.client_config()
    config = from_dict(ExtractConfig, {"model": {"client": to_dict(client_config), "max_tokens": 24,
                                                 "max_page_chars": 300}})
    client = ModelClient(client_config)
    records, rejects, _ = warc_to_records(no_answer_warc, config=config, client=client)
    assert [r for r in records if r["meta"]["source"] == "model"] == []
    assert {r["reason"] for r in rejects} <= MODEL_REASONS
    assert len(rejects) == len(fixture_site.no_answer_pages())
