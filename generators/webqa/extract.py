"""Question/answer pairs from one fetched page.

Sources, tried in order of how much structure they carry (the first that yields pairs wins, so one page
never contributes the same question twice through two markups):

1. schema.org ``QAPage`` / ``FAQPage`` JSON-LD (``acceptedAnswer``, else the top-voted ``suggestedAnswer``);
2. schema.org ``Question`` microdata;
3. forum / StackExchange-style threads (the accepted answer, else the top-scored answer with a positive score);
4. exam and solution pages: the page's text with one line per block element (from the HTML's structure, so
   the page's own line breaks and a text extractor's joining do not matter; trafilatura's main text as a
   fallback), then ``Problem ... Solution ... Answer: ...`` in English,
   French, German, Spanish, Portuguese or Italian; the markers are found at a line start or after a sentence,
   so a whole problem written as one paragraph reads the same as one split over headings.

A pair needs a human-written answer from which a short final answer can be read (an explicit ``Answer:``,
a ``\\boxed{}``, "the answer is ...", or an answer that is itself short). Pages that give none are dropped
with a reason; malformed JSON-LD blocks are counted and the page falls through to the other sources.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

import lxml.html

_WS = re.compile(r"\s+")
_LICENSE_TEXT = re.compile(
    r"\b(CC[ -](?:BY|0)(?:[ -](?:SA|NC|ND))*(?:[ -]\d\.\d)?|Creative Commons [A-Za-z -]+?\d\.\d|"
    r"public domain|GFDL|GNU Free Documentation License)\b", re.IGNORECASE)
# Where a marker may start: a line start, or after the end of a sentence on the same line.
_AT = r"(?:^|(?<=\n)|(?<=[.!?])[ \t]+)[ \t]*"
_PROBLEM_WORDS = (r"(?:problem|question|exercise|exercice|probl[eè]me|aufgabe|frage|[üu]bung|problema|pregunta|"
                  r"ejercicio|esercizio|domanda|quest[aã]o|exerc[ií]cio)")
_SOLUTION_WORDS = (r"(?:worked\s+solution|solution|corrig[eé]|l[öo]sung|l[öo]sungsweg|soluci[oó]n|"
                   r"solu[cç][aã]o|soluzione|resoluci[oó]n)")
_ANSWER_WORDS = (r"(?:(?:final\s+)?answer|r[ée]ponse(?:\s+finale)?|(?:endg[üu]ltige\s+)?antwort|ergebnis|"
                 r"respuesta(?:\s+final)?|resposta(?:\s+final)?|risposta(?:\s+finale)?)")
_FINAL_PATTERNS = (
    re.compile(r"\\boxed\s*\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}"),
    # "Answer: 12" (or "Réponse : 12", "Antwort: 12"): to the end of its line or sentence
    re.compile(_AT + _ANSWER_WORDS + r"[ \t]*[:=][ \t]*(.+?)[ \t]*(?=\n|$|\.[ \t]+\S|\.$)",
               re.IGNORECASE | re.MULTILINE),
    re.compile(r"\bthe\s+(?:final\s+|correct\s+)?answer\s+is\s*:?\s*(.+?)\s*(?:\.\s|\.$|\n|$)", re.IGNORECASE),
)
# "Problem 1" as a heading line, or "Problem 1." / "Problème 2 :" / "Aufgabe 3)" inside a line
_PROBLEM_SPLIT = re.compile(_AT + _PROBLEM_WORDS + r"[ \t]*(\d+)?[ \t]*(?:[.:)][ \t]*|(?=\n)|$)\n?",
                            re.IGNORECASE | re.MULTILINE)
_SOLUTION = re.compile(r"(?:(?:^|(?<=\n))[ \t]*" + _SOLUTION_WORDS + r"[ \t]*[.:]?[ \t]*(?:\n|$)|"
                       + _AT + _SOLUTION_WORDS + r"[ \t]*:[ \t]*)", re.IGNORECASE | re.MULTILINE)


@dataclass
class PageResult:
    """What one page gave: pairs, or the reason it gave none; ``notes`` are problems seen on the way."""

    pairs: list[dict] = field(default_factory=list)
    reason: str | None = None
    detail: str = ""
    notes: list[str] = field(default_factory=list)


def clean_text(fragment: str) -> str:
    """Visible text of an HTML fragment (answers in JSON-LD are often HTML), whitespace collapsed."""
    if not fragment:
        return ""
    if "<" in fragment and ">" in fragment:
        try:
            root = lxml.html.fragment_fromstring(fragment, create_parent="div")
            for br in root.iter("br", "p", "li", "div"):
                br.tail = "\n" + (br.tail or "")
            fragment = root.text_content()
        except (lxml.etree.ParserError, ValueError):
            fragment = re.sub(r"<[^>]+>", " ", fragment)
    lines = [_WS.sub(" ", line).strip() for line in fragment.splitlines()]
    return "\n".join(line for line in lines if line)


def final_answer(text: str, short_words: int = 8) -> str | None:
    """The short final answer inside a human-written answer, or None if there is none to read."""
    if not text:
        return None
    for pattern in _FINAL_PATTERNS:
        found = pattern.findall(text)
        if found:
            value = found[-1].strip()
            if value:
                return value
    one_line = _WS.sub(" ", text).strip()
    if len(one_line.split()) <= short_words:
        return one_line
    return None


def license_hints(root, jsonld_items: list[dict]) -> list[str]:
    hints: list[str] = []
    for el in root.xpath('//link[@rel="license"]|//a[@rel="license"]'):
        href = el.get("href")
        if href:
            hints.append(href.strip())
    for el in root.xpath('//meta[@name="license" or @name="dcterms.license" or @property="og:license"]'):
        if el.get("content"):
            hints.append(el.get("content").strip())
    for item in jsonld_items:
        lic = item.get("license")
        if isinstance(lic, str):
            hints.append(lic)
    footer_text = " ".join(el.text_content() for el in root.xpath("//footer"))
    hints.extend(m.group(1).strip() for m in _LICENSE_TEXT.finditer(footer_text))
    return sorted(set(hints))


# ------------------------------------------------------------------------------------------------ JSON-LD


def _walk_jsonld(value, out: list[dict]) -> None:
    if isinstance(value, list):
        for item in value:
            _walk_jsonld(item, out)
    elif isinstance(value, dict):
        out.append(value)
        if "@graph" in value:
            _walk_jsonld(value["@graph"], out)


def _types(item: dict) -> set[str]:
    t = item.get("@type")
    types = t if isinstance(t, list) else [t]
    return {str(x).rsplit("/", 1)[-1] for x in types if x}


def _votes(answer: dict) -> float:
    try:
        return float(answer.get("upvoteCount", 0) or 0)
    except (TypeError, ValueError):
        return 0.0


def _question_text(name: str, text: str) -> str:
    name, text = clean_text(name), clean_text(text)
    if not text:
        return name
    if not name or name.lower() in text.lower():
        return text
    return f"{name}\n{text}"


def _pair_from_question(q: dict, source: str) -> tuple[dict | None, str]:
    question = _question_text(str(q.get("name", "") or ""), str(q.get("text", "") or ""))
    if not question:
        return None, "question_empty"
    accepted = q.get("acceptedAnswer")
    if isinstance(accepted, list):
        accepted = accepted[0] if accepted else None
    chosen, how = (accepted, "accepted") if isinstance(accepted, dict) else (None, "")
    if chosen is None:
        suggested = q.get("suggestedAnswer")
        suggested = [suggested] if isinstance(suggested, dict) else suggested if isinstance(suggested, list) else []
        voted = [a for a in suggested if isinstance(a, dict) and _votes(a) > 0]
        if voted:
            chosen, how = max(voted, key=_votes), "top_voted"
    if chosen is None:
        return None, "no_answer"
    body = clean_text(str(chosen.get("text", "") or ""))
    short = final_answer(body)
    if short is None:
        return None, "no_short_answer"
    return {"question": question, "answer_text": short, "answer_body": body, "source": source,
            "selected": how}, ""


def from_jsonld(root, notes: list[str]) -> tuple[list[dict], list[str], list[dict]]:
    items: list[dict] = []
    for script in root.xpath('//script[@type="application/ld+json"]'):
        raw = script.text or ""
        try:
            _walk_jsonld(json.loads(raw), items)
        except (json.JSONDecodeError, RecursionError):
            notes.append("malformed_jsonld")
    pairs, misses = [], []
    for item in items:
        types = _types(item)
        if not types & {"QAPage", "FAQPage"}:
            continue
        source = "jsonld_faqpage" if "FAQPage" in types else "jsonld_qapage"
        entities = item.get("mainEntity")
        entities = [entities] if isinstance(entities, dict) else entities if isinstance(entities, list) else []
        for q in entities:
            if isinstance(q, dict) and "Question" in _types(q):
                pair, why = _pair_from_question(q, source)
                (pairs.append(pair) if pair else misses.append(why))
    return pairs, misses, items


# ------------------------------------------------------------------------------------------------ microdata


def _itemprop(scope, name: str):
    """Descendants carrying ``itemprop=name`` that belong to this scope (not to a nested itemscope)."""
    found = []
    for el in scope.iterdescendants():
        if name in (el.get("itemprop") or "").split():
            parent = el.getparent()
            while parent is not None and parent is not scope and parent.get("itemscope") is None:
                parent = parent.getparent()
            if parent is scope:
                found.append(el)
    return found


def _prop_text(el) -> str:
    return el.get("content") or clean_text(lxml.html.tostring(el, encoding="unicode"))


def from_microdata(root) -> tuple[list[dict], list[str]]:
    pairs, misses = [], []
    for q in root.xpath('//*[@itemscope][contains(@itemtype, "schema.org/Question")]'):
        name = " ".join(_prop_text(e) for e in _itemprop(q, "name"))
        text = " ".join(_prop_text(e) for e in _itemprop(q, "text"))
        obj: dict = {"name": name, "text": text}
        accepted = _itemprop(q, "acceptedAnswer")
        if accepted:
            obj["acceptedAnswer"] = {"text": " ".join(_prop_text(e) for e in _itemprop(accepted[0], "text"))}
        suggested = []
        for a in _itemprop(q, "suggestedAnswer"):
            votes = _itemprop(a, "upvoteCount")
            suggested.append({"text": " ".join(_prop_text(e) for e in _itemprop(a, "text")),
                              "upvoteCount": _prop_text(votes[0]) if votes else 0})
        obj["suggestedAnswer"] = suggested
        pair, why = _pair_from_question(obj, "microdata")
        (pairs.append(pair) if pair else misses.append(why))
    return pairs, misses


# ------------------------------------------------------------------------------------------------ forum


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _score(el) -> float:
    for value in (el.get("data-score"), *(c.text_content() for c in el.xpath(
            './/*[contains(concat(" ", normalize-space(@class), " "), " vote-count ") or '
            'contains(concat(" ", normalize-space(@class), " "), " score ")]')[:1])):
        if value is not None:
            try:
                return float(str(value).strip())
            except ValueError:
                continue
    return 0.0


def _post_body(el) -> str:
    bodies = el.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " post-text ") or '
                      'contains(concat(" ", normalize-space(@class), " "), " post-body ") or '
                      'contains(concat(" ", normalize-space(@class), " "), " s-prose ")]')
    target = bodies[0] if bodies else el
    return clean_text(lxml.html.tostring(target, encoding="unicode"))


def from_forum(root) -> tuple[list[dict], list[str]]:
    questions = [el for el in root.xpath("//*[@class or @id]")
                 if "question" in _classes(el) or el.get("id") == "question"]
    if not questions:
        return [], []
    qel = questions[0]
    titles = root.xpath('//*[@itemprop="name"]|//h1')
    title = clean_text(titles[0].text_content()) if titles else ""
    question = _question_text(title, _post_body(qel))
    answers = [el for el in root.xpath("//*[@class]") if "answer" in _classes(el)]
    if not answers:
        return [], ["no_answer"]
    accepted = [a for a in answers if _classes(a) & {"accepted-answer", "accepted"} or a.get("data-accepted") == "true"]
    if accepted:
        chosen, how = accepted[0], "accepted"
    else:
        best = max(answers, key=_score)
        if _score(best) <= 0:
            return [], ["no_answer"]
        chosen, how = best, "top_scored"
    body = _post_body(chosen)
    short = final_answer(body)
    if short is None:
        return [], ["no_short_answer"]
    return [{"question": question, "answer_text": short, "answer_body": body, "source": "forum",
             "selected": how}], []


# ------------------------------------------------------------------------------------------------ solutions


def from_solution_text(text: str) -> tuple[list[dict], list[str]]:
    """Pairs from ``Problem ... Solution ... Answer: ...`` blocks of a page's main text."""
    if not text:
        return [], []
    parts = _PROBLEM_SPLIT.split(text)
    pairs, misses, seen = [], [], set()
    # split() interleaves [before, number, block, number, block, ...]
    for block in parts[2::2]:
        sol = _SOLUTION.search(block)
        if not sol:
            misses.append("no_solution")
            continue
        question = block[: sol.start()].strip()
        solution = block[sol.end():].strip()
        answer = None
        for pattern in _FINAL_PATTERNS[:2]:
            found = pattern.findall(solution)
            if found:
                answer = found[-1].strip()
                break
        if not question or not answer:
            misses.append("no_answer")
            continue
        key = question.lower()
        if key in seen:  # trafilatura sometimes repeats a block; one question is one pair
            continue
        seen.add(key)
        pairs.append({"question": _WS.sub(" ", question), "answer_text": answer, "answer_body": solution,
                      "source": "solution_page", "selected": "stated"})
    return pairs, misses


_BLOCKS = {"p", "head", "item", "list", "row", "cell", "quote", "code", "table", "lb", "h1", "h2", "h3", "h4",
           "h5", "h6", "li", "div", "br", "tr", "td", "th", "section", "article", "blockquote", "pre"}
_BOILERPLATE = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript")


def _block_lines(root) -> str:
    """The text of an element tree with a line break after every block element (and none inside one)."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (_WS.sub(" ", line).strip() for line in root.xpath("string()").split("\n"))
    return "\n".join(line for line in lines if line)


def block_text(root) -> str:
    """A parsed page's visible text, one line per paragraph, heading, list item or ``<br>``, taken from the
    HTML's own block structure (so it does not depend on how any text extractor joins lines); navigation,
    headers, footers, asides, forms and scripts are left out."""
    root = copy.deepcopy(root)
    for el in root.xpath("|".join(f"//{tag}" for tag in _BOILERPLATE)):
        el.drop_tree()
    body = root.find("body")
    return _block_lines(body if body is not None else root)


def main_text(html: str) -> str:
    """The page's main content as trafilatura sees it (plain text); what the model extractor is shown."""
    import trafilatura  # imported here: loading it costs ~0.5 s and only workers that extract need it

    return trafilatura.extract(html, favor_precision=True, include_comments=False, include_tables=True,
                               deduplicate=False) or ""


# ------------------------------------------------------------------------------------------------ page


def extract_page(html: str, url: str) -> PageResult:
    """Pairs from one decoded HTML page, or the reason there are none."""
    result = PageResult()
    # lxml refuses str input that carries an encoding declaration; the text is already decoded
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        result.reason, result.detail = "unparsable_html", str(exc)[:200]
        return result
    misses: list[str] = []
    pairs, m, items = from_jsonld(root, result.notes)
    misses += m
    if not pairs:
        pairs, m = from_microdata(root)
        misses += m
    if not pairs:
        pairs, m = from_forum(root)
        misses += m
    if not pairs:
        # the page's own block structure first; trafilatura's main text for pages whose markup hides it
        pairs, m = from_solution_text(block_text(root))
        if not pairs:
            pairs, m2 = from_solution_text(main_text(html))
            m = m + m2
        misses += m
    titles = root.xpath("//title")
    title = clean_text(titles[0].text_content()) if titles else ""
    hints = license_hints(root, items)
    for pair in pairs:
        pair.update(url=url, title=title, license=hints)
    result.pairs = pairs
    if not pairs:
        if "malformed_jsonld" in result.notes:
            result.reason = "malformed_jsonld"
        elif misses:
            result.reason = sorted(misses)[0] if "no_short_answer" not in misses else "no_short_answer"
        else:
            result.reason = "no_qa_found"
        result.detail = ", ".join(sorted(set(misses + result.notes))) or "no Q&A markup, thread or solution"
    return result
