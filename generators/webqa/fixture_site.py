"""A small, realistic Q&A website built in code: the corpus behind ``webqa/qa`` and the crawler's test site.

``build_site()`` returns ``{path: Page}`` for 50+ pages: schema.org QAPage/FAQPage JSON-LD, microdata,
StackExchange-style forum threads, exam solution pages, articles without answers, near-duplicate mirrors,
pages that copy benchmark questions, a robots.txt-disallowed section, a redirect loop, an oversized page, a
page whose bytes are not the UTF-8 it declares, and one with malformed JSON-LD. Every page carries the noisy
boilerplate real sites have (navigation, cookie banner, sidebar, footer with a license line).

``EXPECTED`` lists the pairs an extractor must find (path, canonical answer, answer type); ``NEAR_DUPLICATES``,
``EXACT_DUPLICATES`` and ``CONTAMINATED`` name the pages a dedup/decontamination stage must remove, and
``BENCHMARK_QUESTIONS`` is the benchmark those contaminated pages copy from.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

LICENSE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
HTML_UTF8 = (("Content-Type", "text/html; charset=utf-8"),)


@dataclass(frozen=True)
class Page:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = HTML_UTF8


# (slug, title, question body, answer explanation ending in a final answer, canonical answer, type, votes)
QA = [
    ("train-speed", "Average speed of a train",
     "A train covers 360 km in 4 hours and then 240 km in 2 hours. What is its average speed in km/h over the "
     "whole journey?", "Total distance is 600 km and total time is 6 hours, so the average speed is 600/6.\n"
     "Answer: 100", "100", "integer"),
    ("free-fall", "Distance fallen in free fall",
     "A stone is dropped from rest. Taking g = 9.8 m/s^2 and ignoring air resistance, how far in metres does it "
     "fall in the first 1.5 seconds?", "Use d = g t^2 / 2 = 9.8 * 2.25 / 2.\nAnswer: 11.025", "11.025", "float"),
    ("dice-probability", "Probability of two sixes",
     "Two fair six-sided dice are rolled independently. What is the probability that both dice show a six? "
     "Give the answer as a fraction.", "Each die shows a six with probability 1/6, and the rolls are "
     "independent, so the probability is $\\frac{1}{36}$.\nAnswer: $\\frac{1}{36}$", "1/36", "fraction"),
    ("discount-percent", "Percentage discount on a jacket",
     "A jacket is marked down from 80 dollars to 60 dollars in a sale. By what percentage was the price "
     "reduced?", "The reduction is 20 dollars out of 80 dollars, which is one quarter. The answer is 25%.",
     "25%", "percentage"),
    ("derivative-product", "Derivative of x squared times sine",
     "What is the derivative with respect to x of the function f(x) = x^2 sin(x)? Simplify your answer.",
     "By the product rule, f'(x) = 2x sin(x) + x^2 cos(x).\nFinal answer: $2x\\sin(x) + x^2\\cos(x)$",
     "2x\\sin(x) + x^2\\cos(x)", "expression"),
    ("prime-91", "Is 91 a prime number?",
     "My friend claims that 91 is a prime number because it is odd and not divisible by 3 or 5. Is 91 a "
     "prime number?", "No. 91 = 7 * 13, so it has divisors other than 1 and itself.\nAnswer: No", "False",
     "boolean"),
    ("noble-gas-choice", "Which element is a noble gas?",
     "Which of the following elements is a noble gas?\nA) Nitrogen\nB) Argon\nC) Chlorine\nD) Sodium",
     "Argon is in group 18 of the periodic table, so the correct answer is B.\nAnswer: B", "B",
     "multiple_choice"),
    ("cell-powerhouse", "Organelle that produces ATP",
     "Which organelle in a eukaryotic cell is the main site of aerobic respiration and ATP production?",
     "Aerobic respiration happens mostly in the mitochondria, which is why they are called the "
     "powerhouse of the cell.\nAnswer: mitochondria", "mitochondria", "string"),
    ("primes-below-20", "List the primes between 10 and 20",
     "List all the prime numbers that are strictly greater than 10 and strictly less than 20, in increasing "
     "order.", "Check each number: 11, 13, 17 and 19 have no divisors other than 1 and themselves.\n"
     "Answer: 11, 13, 17, 19", "11, 13, 17, 19", "list"),
    ("matrix-square", "Square of a 2x2 matrix",
     "Let A be the 2x2 matrix with rows (1, 1) and (0, 1). Compute the matrix product A times A.",
     "Multiplying row by column gives rows (1, 2) and (0, 1).\nAnswer: [[1, 2], [0, 1]]", "[[1, 2], [0, 1]]",
     "matrix"),
]

# Questions whose only answers are suggestions: the top-voted one (votes > 0) is taken.
SUGGESTED = [
    ("ohms-law", "Current through a resistor",
     "A 12 volt battery is connected across a 4 ohm resistor. What current in amperes flows through the "
     "resistor?", [("I think it is 48 amperes. Answer: 48", 1), ("By Ohm's law I = V/R = 12/4.\nAnswer: 3", 7)],
     "3", "integer"),
]

FAQ = [
    ("What is the chemical symbol for sodium in the periodic table?", "The symbol is Na, from the Latin natrium. "
     "Answer: Na", "Na", "string"),
    ("How many bits are there in one byte on modern computers?", "Answer: 8", "8", "integer"),
    ("Is the empty set a subset of every set in standard set theory?", "Yes, vacuously.\nAnswer: Yes", "True",
     "boolean"),
]

MICRODATA = [
    ("What is the capital city of Australia, the country and continent?",
     "Many people guess Sydney, but the answer is Canberra.", "Canberra", "string"),
    ("What is the sum of the interior angles of a hexagon, in degrees?",
     "A polygon with n sides has interior angles summing to (n - 2) * 180, so the answer is 720.", "720",
     "integer"),
    ("If 5 moles of an ideal gas occupy 112 litres, how many litres does one mole occupy under the same "
     "conditions?", "Divide: 112 / 5.\nAnswer: 22.4", "22.4", "float"),
]

# Forum threads: (title, question, answers [(text, score, accepted)], expected answer, type) -- None = no pair
# (title, question, [(answer text, score, accepted)], canonical answer, answer type); None where none is right
FORUM: list[tuple[str, str, list[tuple[str, int, bool]], str | None, str | None]] = [
    ("Time complexity of binary search", "What is the worst-case number of comparisons binary search needs on "
     "a sorted array of 1024 elements, using the usual counting of one comparison per probe?",
     [("It is about log2(1024) + 1 probes.\nAnswer: 11", 14, True), ("Answer: 10", 3, False)], "11", "integer"),
    ("Compound interest after two years", "I invest 1000 dollars at 10 percent annual interest compounded once "
     "a year. How many dollars do I have after exactly two years?",
     [("After one year 1100, after two 1210.\nAnswer: 1210", 9, True)], "1210", "integer"),
    ("Simplifying a fraction", "What is 18/24 written as a fraction in lowest terms? I keep getting confused "
     "about which common factor to divide by.",
     [("Divide top and bottom by 6. The answer is 3/4.", 5, False), ("Answer: 9/12", 1, False)], "3/4",
     "fraction"),
    ("Solving a quadratic", "What are the two roots of the quadratic equation x^2 - 5x + 6 = 0? Please list "
     "them from smallest to largest.",
     [("Factor it as (x - 2)(x - 3) = 0.\nAnswer: 2, 3", 11, True)], "2, 3", "list"),
    ("pH of a strong acid solution", "What is the pH of a 0.01 mol/L solution of hydrochloric acid, assuming "
     "it dissociates completely in water?",
     [("[H+] = 0.01, so pH = -log10(0.01).\nAnswer: 2", 6, True)], "2", "integer"),
    ("Boiling point of water in Fahrenheit", "At standard atmospheric pressure, what is the boiling point of "
     "pure water measured in degrees Fahrenheit?",
     [("It is 212 on the Fahrenheit scale.\nAnswer: 212", 4, False), ("100?", 0, False)], "212", "integer"),
    ("Opinion: best textbook for learning calculus", "What is the best textbook for learning calculus on my "
     "own? I have tried a few and none of them clicked for me.",
     [("It depends on your background, honestly. Spivak is rigorous, Stewart is gentler, and there are good "
       "free notes online too. Try a few chapters of each and see which style suits you.", 0, False)],
     None, None),
    ("Unanswered: proof of a combinatorics identity", "How do I prove that the sum of binomial coefficients "
     "n choose k over all k equals two to the power n?", [], None, None),
]

EXAMS = [
    ("exam-1", "Physics midterm, worked solutions", [
        ("A car accelerates uniformly from rest to 20 m/s in 5 seconds. What is its acceleration in m/s^2?",
         "Acceleration is change in velocity over time: 20 / 5 = 4.", "4 m/s^2", "4", "integer"),
        ("A 2 kg ball moves at 3 m/s. What is its kinetic energy in joules?",
         "KE = m v^2 / 2 = 2 * 9 / 2 = 9.", "9", "9", "integer"),
    ]),
    ("exam-2", "Algebra final exam, solutions", [
        ("Solve for x: 3x + 7 = 22. Give the exact value of x.", "Subtract 7 and divide by 3: x = 5.", "5", "5",
         "integer"),
        ("What fraction of the numbers 1 through 12 are multiples of 3? Give a reduced fraction.",
         "The multiples are 3, 6, 9 and 12: four of twelve.", "1/3", "1/3", "fraction"),
        ("Is the function f(x) = x^3 an odd function? Answer true or false.",
         "f(-x) = -x^3 = -f(x), so it is odd.", "True", "True", "boolean"),
    ]),
    ("exam-3", "Chemistry quiz with worked solutions", [
        ("What is the molar mass of water in grams per mole, using H = 1.008 and O = 16.00?",
         "2 * 1.008 + 16.00 = 18.016.", "18.016 g/mol", "18.016", "float"),
        ("What percentage of the mass of methane, CH4, is hydrogen, to the nearest whole percent, using C = 12 "
         "and H = 1?", "Hydrogen is 4 of 16 mass units.", "25%", "25%", "percentage"),
    ]),
    ("exam-4", "Calculus practice problems and solutions", [
        ("What is the indefinite integral of 3x^2 with respect to x, taking the constant of integration as "
         "zero?", "The power rule gives x^3.", "x^3", "x^3", "expression"),
        ("What is the limit of sin(x)/x as x tends to 0?", "A standard limit.", "1", "1", "integer"),
    ]),
]

# Mirrors that re-post a question with small edits: (mirror slug, original page path, edit kind)
NEAR_DUPLICATES = {
    "/mirror/train-speed-repost.html": "/questions/train-speed.html",
    "/mirror/dice-probability-repost.html": "/questions/dice-probability.html",
    "/mirror/primes-below-20-repost.html": "/questions/primes-below-20.html",
}
EXACT_DUPLICATES = {
    "/mirror/cell-powerhouse-copy.html": "/questions/cell-powerhouse.html",
}

BENCHMARK_QUESTIONS = [
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many "
    "clips did Natalia sell altogether in April and May?",
    "Weng earns 12 dollars an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How "
    "much did she earn?",
    "A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take?",
]
CONTAMINATED = {
    "/questions/clips-sold.html": 0,
    "/exams/exam-5.html": 1,
}

PRIVATE = [f"/private/answer-key-{i}.html" for i in range(1, 4)]
BIG_PAGE_BYTES = 3_000_000


def _layout(title: str, main: str, *, head_extra: str = "", links: tuple[str, ...] = ()) -> str:
    sidebar = "".join(f'<li><a href="{p}">{html.escape(p.rsplit("/", 1)[-1])}</a></li>' for p in links)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} - Reasonry Fixture Q&amp;A</title>
<link rel="license" href="{LICENSE_URL}">{head_extra}</head>
<body>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button>
<button>Manage preferences</button></div>
<header><nav><a href="/">Home</a> | <a href="/questions/">Questions</a> | <a href="/forum/">Forum</a> |
<a href="/exams/">Exams</a> | <a href="/blog/">Blog</a> | <a href="/login">Log in</a></nav></header>
<div class="ad-slot">Advertisement: Learn faster with our premium plan! Sign up today.</div>
<main>{main}</main>
<aside class="sidebar"><h3>Hot network questions</h3><ul>{sidebar}</ul></aside>
<footer><p>Site design / logo 2026 Fixture Q&amp;A Inc. User contributions licensed under CC BY-SA 4.0.</p>
<p><a href="/about">About</a> <a href="/privacy">Privacy</a> <a href="/terms">Terms of service</a></p></footer>
</body></html>"""


def _qapage(title: str, question: str, accepted: str | None, suggested: Sequence[tuple[str, int]] = (),
            links: tuple[str, ...] = ()) -> bytes:
    entity: dict = {"@type": "Question", "name": title, "text": question,
                    "answerCount": (1 if accepted else 0) + len(suggested), "dateCreated": "2025-03-14T10:00:00Z"}
    if accepted:
        entity["acceptedAnswer"] = {"@type": "Answer", "text": accepted, "upvoteCount": 12}
    if suggested:
        entity["suggestedAnswer"] = [{"@type": "Answer", "text": t, "upvoteCount": v} for t, v in suggested]
    data = {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": entity}
    answers = "".join(f'<div class="answer"><div class="post-text"><p>{html.escape(t)}</p></div></div>'
                      for t in ([accepted] if accepted else []) + [t for t, _ in suggested])
    main = f"""<h1>{html.escape(title)}</h1><div class="question"><div class="post-text"><p>{html.escape(question)}
</p></div></div>{answers}"""
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    return _layout(title, main, head_extra=head, links=links).encode("utf-8")


def _forum(title: str, question: str, answers: list, links: tuple[str, ...]) -> bytes:
    posts = []
    for text, score, accepted in answers:
        cls = "answer accepted-answer" if accepted else "answer"
        body = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
        posts.append(f'<div class="{cls}" data-score="{score}"><div class="votecell"><span class="vote-count">'
                     f'{score}</span></div><div class="post-text">{body}</div>'
                     f'<div class="user-info">answered by user{score * 7 + 3}</div></div>')
    main = f"""<div id="question-header"><h1 itemprop="name">{html.escape(title)}</h1></div>
<div class="question" data-score="4"><div class="post-text"><p>{html.escape(question)}</p></div>
<div class="comments"><p>Have you tried searching first? - moderator</p></div></div>
<h2>{len(answers)} Answers</h2>{''.join(posts)}"""
    return _layout(title, main, links=links).encode("utf-8")


def _exam(title: str, problems: list, links: tuple[str, ...]) -> bytes:
    parts = [f"<h1>{html.escape(title)}</h1><p>These are the official worked solutions. Try each problem "
             f"before reading its solution.</p>"]
    for i, (question, working, stated, _canon, _type) in enumerate(problems, 1):
        parts.append(f"<h2>Problem {i}</h2><p>{html.escape(question)}</p><h3>Solution</h3>"
                     f"<p>{html.escape(working)}</p><p>Answer: {html.escape(stated)}</p>")
    return _layout(title, "<article>" + "".join(parts) + "</article>", links=links).encode("utf-8")


def _article(title: str, paragraphs: list[str], links: tuple[str, ...]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return _layout(title, f"<article><h1>{html.escape(title)}</h1>{body}</article>", links=links).encode("utf-8")


BLOG = [
    ("study-tips", "Ten study tips for exam season", [
        "Exam season is stressful, but a few habits make a big difference. Sleep matters more than cramming.",
        "Spaced repetition beats rereading: quiz yourself on old material every few days.",
        "What is the best time of day to study? That depends on you; experiment and keep a log."]),
    ("history-of-zero", "A short history of the number zero", [
        "The idea of zero as a number developed over centuries in several cultures.",
        "Indian mathematicians treated zero as a number with its own arithmetic rules by the seventh century.",
        "Why did it take so long? Nobody knows for sure, and historians still debate it."]),
    ("lab-safety", "Lab safety reminders", [
        "Always wear goggles in the chemistry lab, and never pipette by mouth.",
        "Know where the eyewash station and fire extinguisher are before you start an experiment."]),
    ("site-news", "Site news: new moderators", [
        "We are happy to welcome three new moderators to the community this month.",
        "Questions about moderation policy can be raised on the meta site."]),
    ("open-problems", "Famous open problems in mathematics", [
        "Is every even number greater than two the sum of two primes? This is Goldbach's conjecture, still open.",
        "Are there infinitely many twin primes? Also open, despite great recent progress."]),
    ("careers", "Careers in data science", [
        "Data science combines statistics, programming and domain knowledge.",
        "Many people move into the field from physics, economics or biology."]),
]


def _edit_near_duplicate(question: str) -> str:
    # a re-post: reflowed, and signed off the way forum copies usually are
    return " ".join(question.split()) + "\nThanks in advance!"


@cache
def build_site() -> dict[str, Page]:
    site: dict[str, Page] = {}
    qa_paths = [f"/questions/{slug}.html" for slug, *_ in QA]
    links = tuple(qa_paths[:4]) + ("/forum/thread-1.html", "/exams/exam-2.html", "/blog/study-tips.html")
    for slug, title, question, answer, *_ in QA:
        site[f"/questions/{slug}.html"] = Page(body=_qapage(title, question, answer, links=links))
    for slug, title, question, suggested, *_ in SUGGESTED:
        site[f"/questions/{slug}.html"] = Page(body=_qapage(title, question, None, suggested, links=links))
    for i in range(1, 3):
        site[f"/questions/unanswered-{i}.html"] = Page(body=_qapage(
            f"Unanswered question {i}", f"Why does my proof of problem {i} from the textbook not work? I used "
            "induction but the base case seems wrong.", None, [("Maybe check the base case again?", 0)],
            links=links))
    faq = {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a, *_ in FAQ]}
    faq_main = "".join(f"<h3>{html.escape(q)}</h3><p>{html.escape(a)}</p>" for q, a, *_ in FAQ)
    site["/faq.html"] = Page(body=_layout("Frequently asked questions", faq_main, links=links, head_extra=(
        f'<script type="application/ld+json">{json.dumps(faq)}</script>')).encode("utf-8"))
    for i, (question, answer, *_rest) in enumerate(MICRODATA, 1):
        main = f"""<div itemscope itemtype="https://schema.org/Question"><h1 itemprop="name">{html.escape(question)}
</h1><div itemprop="text"><p>{html.escape(question)}</p></div><div itemprop="acceptedAnswer" itemscope
itemtype="https://schema.org/Answer"><div itemprop="text"><p>{html.escape(answer)}</p></div>
<span itemprop="upvoteCount">5</span></div></div>"""
        site[f"/md/question-{i}.html"] = Page(body=_layout(f"Question {i}", main, links=links).encode("utf-8"))
    for i, (title, question, answers, _canon, _typ) in enumerate(FORUM, 1):
        site[f"/forum/thread-{i}.html"] = Page(body=_forum(title, question, answers, links))
    for slug, title, problems in EXAMS:
        site[f"/exams/{slug}.html"] = Page(body=_exam(title, problems, links))
    for slug, title, paragraphs in BLOG:
        site[f"/blog/{slug}.html"] = Page(body=_article(title, paragraphs, links))
    by_path = {f"/questions/{slug}.html": (title, question, answer) for slug, title, question, answer, *_ in QA}
    for mirror, original in NEAR_DUPLICATES.items():
        title, question, answer = by_path[original]
        site[mirror] = Page(body=_qapage(title, _edit_near_duplicate(question), answer, links=links))
    for mirror, original in EXACT_DUPLICATES.items():
        title, question, answer = by_path[original]
        site[mirror] = Page(body=_qapage(title.upper(), question.upper().replace("?", " ?"), answer, links=links))
    site["/questions/clips-sold.html"] = Page(body=_qapage(
        "Clips sold in two months", "Homework help: " + BENCHMARK_QUESTIONS[0],
        "April 48, May 24, total 72.\nAnswer: 72", links=links))
    site["/exams/exam-5.html"] = Page(body=_exam("Arithmetic quiz, solutions", [
        (BENCHMARK_QUESTIONS[1], "50 minutes is 5/6 of an hour; 12 * 5/6 = 10.", "10", "10", "integer")], links))
    for path in PRIVATE:
        site[path] = Page(body=_qapage("Answer key", "What is 6 times 7, according to the private answer key?",
                                       "Answer: 42", links=links))
    site["/loop/a"] = Page(status=302, headers=(("Location", "/loop/b"),))
    site["/loop/b"] = Page(status=302, headers=(("Location", "/loop/a"),))
    site["/old/train-speed"] = Page(status=301, headers=(("Location", "/questions/train-speed.html"),))
    filler = "<p>" + "All work and no play makes a very long page. " * 40 + "</p>\n"
    big = _layout("Huge archive page", filler * (BIG_PAGE_BYTES // len(filler) + 1), links=links)
    site["/archive/big.html"] = Page(body=big.encode("utf-8"))
    latin = _qapage("Caf\u00e9 question", "How many caf\u00e9s are on the main street of the village, as "
                    "counted in the guide?", "Answer: 7", links=links)
    site["/questions/cafe.html"] = Page(body=latin.decode("utf-8").encode("latin-1"))
    broken = _layout("Broken markup", "<h1>Broken markup</h1><p>This page's structured data is cut off.</p>",
                     head_extra='<script type="application/ld+json">{"@context": "https://schema.org", '
                                '"@type": "QAPage", "mainEntity": {"@type": "Question", "name": "What is 2+2?", '
                                '"acceptedAnswer": {"text": "4"</script>', links=links)
    site["/questions/broken-jsonld.html"] = Page(body=broken.encode("utf-8"))
    site["/data/stats.json"] = Page(body=b'{"pages": 50}', headers=(("Content-Type", "application/json"),))
    index_links = sorted(p for p in site if p not in ("/", "/loop/b"))
    index_links += ["/missing.html", "/old/train-speed"]
    main = "<h1>Fixture Q&amp;A</h1><ul>" + "".join(f'<li><a href="{p}">{p}</a></li>' for p in index_links) + "</ul>"
    site["/"] = Page(body=_layout("Home", main).encode("utf-8"))
    site["/robots.txt"] = Page(body=b"User-agent: *\nDisallow: /private/\n",
                               headers=(("Content-Type", "text/plain"),))
    return site


def expected_pairs() -> list[tuple[str, str, str]]:
    """(path, canonical answer, answer type) of every pair the extractor must find on the public site."""
    out = [(f"/questions/{slug}.html", canon, typ) for slug, _t, _q, _a, canon, typ in QA]
    out += [(f"/questions/{slug}.html", canon, typ) for slug, _t, _q, _s, canon, typ in SUGGESTED]
    out += [("/faq.html", canon, typ) for _q, _a, canon, typ in FAQ]
    out += [(f"/md/question-{i}.html", canon, typ) for i, (_q, _a, canon, typ) in enumerate(MICRODATA, 1)]
    out += [(f"/forum/thread-{i}.html", canon, typ) for i, (*_x, canon, typ) in enumerate(FORUM, 1) if canon and typ]
    for slug, _title, problems in EXAMS:
        out += [(f"/exams/{slug}.html", canon, typ) for *_x, canon, typ in problems]
    return out


def no_answer_pages() -> list[str]:
    """Public HTML pages that have no extractable human answer."""
    pages = [f"/blog/{slug}.html" for slug, *_ in BLOG]
    pages += [f"/forum/thread-{i}.html" for i, (*_x, canon, _t) in enumerate(FORUM, 1) if canon is None]
    pages += ["/questions/unanswered-1.html", "/questions/unanswered-2.html"]
    return pages


def write_warc(path: str, paths: list[str] | None = None, *, host: str = "http://fixture.reasonry.invalid",
               compress: bool = True, date: str = "2026-01-01T00:00:00Z") -> int:
    """Write the site's pages (all, or ``paths``) as WARC response records, the way a crawl stores them.

    Returns the number of response records; used by tests and benchmarks that need WARC input without HTTP.
    """
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    site = build_site()
    written = 0
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=compress)
        for p in paths if paths is not None else sorted(site):
            page = site[p]
            headers = StatusAndHeaders(f"{page.status} OK", list(page.headers), protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(host + p, "response", payload=BytesIO(page.body),
                                                          http_headers=headers,
                                                          warc_headers_dict={"WARC-Date": date}))
            written += 1
    return written
