"""Model-based Q&A extraction for pages the rules found nothing on (General-Reasoner's approach).

The model reads a page's main text and quotes one question and its final short answer as JSON, or says there
is none. A pair is kept only if the answer, and most of the question's words, really stand in the page: the
answer must be human-written, never the model's own. One batched model call per WARC file.
"""

from __future__ import annotations

import re

from reasonry.answers import json_objects
from reasonry.generators.webqa.config import ModelExtractConfig
from reasonry.hashing import loads

PROMPT = """Below is the main text of a web page. If it contains a question (or problem) together with its
human-written final answer, copy them out exactly as written, as one JSON object:
{"question": "...", "answer": "..."} where answer is the short final answer only (a number, expression, word or
short phrase). If the page has no such question with an answer, reply {"none": true}.

Page:
<<<
{page}
>>>

JSON:"""

_WORD = re.compile(r"[a-z0-9]+")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def quoted(answer: str, question: str, page: str, min_question_overlap: float = 0.8) -> str | None:
    """None if the pair is really on the page, else why not."""
    page_norm = _norm(page)
    if not answer.strip() or _norm(answer) not in page_norm:
        return "model_answer_not_in_page"
    words = _WORD.findall(question.lower())
    page_words = set(_WORD.findall(page_norm))
    if not words or sum(w in page_words for w in words) / len(words) < min_question_overlap:
        return "model_question_not_in_page"
    return None


Failure = tuple[dict, str, str]  # (page, reason, detail)


def model_pairs(client, pages: list[dict], config: ModelExtractConfig) -> tuple[list[dict], list[Failure]]:
    """``pages``: ``{"url", "text", "title", "crawl_date", "warc"}``. Returns (pairs, failures) where each
    failure is (page, reason, detail)."""
    if not pages:
        return [], []
    prompts = [PROMPT.replace("{page}", p["text"][: config.max_page_chars]) for p in pages]
    replies = client.generate(prompts, n=1, max_tokens=config.max_tokens, temperature=0.0)
    pairs, failures = [], []
    for page, reply in zip(pages, replies, strict=True):
        text = reply[0] if reply else ""
        objects = json_objects(text)  # a tool reply, not a graded answer: its last object is the one meant
        if not objects:
            failures.append((page, "model_no_json", "no JSON object in the reply"))
            continue
        found = objects[-1]
        try:
            obj = loads(found)
        except ValueError:
            failures.append((page, "model_no_json", "unparsable JSON"))
            continue
        if obj.get("none") is True:
            failures.append((page, "model_found_no_pair", "the model found no question with an answer"))
            continue
        question, answer = obj.get("question"), obj.get("answer")
        if not isinstance(question, str) or not isinstance(answer, (str, int, float)) or isinstance(answer, bool):
            failures.append((page, "model_bad_pair", repr(obj)[:200]))
            continue
        answer = str(answer)
        why = quoted(answer, question, page["text"])
        if why:
            failures.append((page, why, f"question {question[:100]!r}, answer {answer[:60]!r}"))
            continue
        pairs.append({"question": " ".join(question.split()), "answer_text": answer, "url": page["url"],
                      "title": page.get("title", ""), "license": [], "source": "model",
                      "selected": "model_quoted", "crawl_date": page.get("crawl_date"), "warc": page.get("warc")})
    return pairs, failures
