"""webqa/qa: single-turn questions with short verifiable answers, extracted from web pages.

In a build, records come from crawled pages or WARC files through the ``webqa`` stage
(``reasonry.generators.webqa.records``). ``generate`` draws from the built-in fixture site instead, so that
the registry's contract exercises the same extraction, answer typing and verification path offline: the
item's ``rng`` picks one of the corpus's pairs.
"""

from __future__ import annotations

import random
from functools import cache
from typing import ClassVar

from reasonry.generators.webqa.config import ExtractConfig
from reasonry.task import ItemKey, Task

FIXTURE_HOST = "http://fixture.reasonry.invalid"
FIXTURE_DATE = "2026-01-01T00:00:00Z"


@cache
def fixture_pairs() -> tuple[dict, ...]:
    """Every pair of the built-in site that becomes a valid record, in path order."""
    from reasonry.generators.webqa.fixture_site import build_site
    from reasonry.generators.webqa.records import page_to_pairs, pair_to_record

    config = ExtractConfig()
    pairs = []
    for path, page in sorted(build_site().items()):
        headers = {k.lower(): v for k, v in page.headers}
        fetched = {"url": FIXTURE_HOST + path, "date": FIXTURE_DATE, "status": page.status, "body": page.body,
                   "content_type": headers.get("content-type", ""), "truncated": None}
        found, _reject, _notes = page_to_pairs(fetched, config)
        for pair in found:
            record, _rej = pair_to_record(pair, config=config)
            if record is not None:
                pairs.append(pair)
    return tuple(pairs)


class WebQATask(Task):
    name: ClassVar[str] = "webqa/qa"
    family: ClassVar[str] = "webqa"
    # 2: money amounts are typed as numbers with a currency (spec "currency"), solution pages are read in six
    # languages from the HTML's block structure, and questions answered differently by two pages are dropped
    version = "2"
    Config = ExtractConfig
    answer_type = "string"  # each record carries its own type
    verifier_kind = "math"

    def generate(self, config: ExtractConfig, key: ItemKey, rng: random.Random) -> dict | None:
        from reasonry.generators.webqa.records import pair_to_record

        pairs = fixture_pairs()
        pair = pairs[rng.randrange(len(pairs))]
        record, _reject = pair_to_record(dict(pair), split=key.split, index=key.index, config=config)
        return record

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        kind = record["answer_type"]
        if kind == "boolean":
            return "False" if record["answer"] == "True" else "True"
        if kind == "multiple_choice":
            return "ABCDEFGH"[("ABCDEFGH".index(record["answer"]) + rng.randint(1, 3)) % 8]
        return super().corrupt_answer(record, rng)


def variant(name: str) -> type[Task]:
    """The family's one task: web Q&A has a single variant."""
    if name != WebQATask.name:
        raise KeyError(name)
    return WebQATask
