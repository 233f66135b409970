"""Checks for tail/any_substring: the set of distinct substrings, and a replay of the unrolled recursion."""

from __future__ import annotations

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.stepcheck import Form, walk

HEADER = (Form("String: {}"), Form("The string is {}, with {} characters."))
CALL = (Form("Call {}: fetch s[{}:]={}"), Form("Recursive call {} works on the suffix starting at {}: {}."))
NEW = (Form("State {},{}: fetch s[{}:{}]={}; new {}"),
       Form("Substring s[{}:{}] is {}, which is new; that makes {} distinct substrings."))
SEEN = (Form("State {},{}: fetch s[{}:{}]={}; seen s[{}:{}]"),
        Form("Substring s[{}:{}] is {}, which I already found as s[{}:{}]."))
RETURN = (Form("Return {}: count={}"), Form("Call {} returns with {} distinct substrings so far."))
EMPTY = (Form("Call {}: empty suffix, return"), Form("Recursive call {} gets an empty suffix and returns."))
RESULT = (Form("Result: {}"), Form("The distinct substrings are: {}"))


def _show(items) -> str:
    return "[" + ", ".join(items) + "]"


def parse_items(text: str) -> list[str] | None:
    """Items of ``[a, b]`` (brackets optional, items may be quoted), or None if an item is empty."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    items = []
    for part in text.split(","):
        item = part.strip()
        if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
            item = item[1:-1]
        if not item:
            return None
        items.append(item)
    return items


MAX_LENGTH = 200


def answer(spec: dict) -> str:
    s = spec["string"]
    if not isinstance(s, str) or len(s) > MAX_LENGTH:
        raise ValueError(f"string must be text of at most {MAX_LENGTH} characters")  # n^3 characters of output
    spans = sorted({(i, j) for i in range(len(s)) for j in range(i + 1, len(s) + 1)})
    ordered: list[str] = []
    seen: set[str] = set()
    for i, j in spans:
        if s[i:j] not in seen:
            seen.add(s[i:j])
            ordered.append(s[i:j])
    return _show(ordered)


def same(candidate: str, gold: str) -> bool:
    got, want = parse_items(candidate), parse_items(gold)
    if got is None or want is None or len(got) != len(set(got)):
        return False
    return set(got) == set(want)


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    s = spec["string"]
    n = len(s)
    if not n:
        return Verdict.no("spec has an empty string")
    headers = [(HEADER[0], (s,)), (HEADER[1], (s, n))]

    def steps(style: int):
        where: dict[str, tuple[int, int]] = {}
        order: list[str] = []
        for start in range(n):
            yield CALL[style], (start, start, s[start:])
            for end in range(start + 1, n + 1):
                piece = s[start:end]
                label = (start, end) if style == 0 else ()
                if piece in where:
                    yield SEEN[style], (*label, start, end, piece, *where[piece])
                else:
                    where[piece] = (start, end)
                    order.append(piece)
                    yield NEW[style], (*label, start, end, piece, len(order))
            yield RETURN[style], (start, len(order))
        yield EMPTY[style], (n,)
        yield RESULT[style], (_show(order),)

    return walk(trace, headers, steps, lambda final: same(final, gold))
