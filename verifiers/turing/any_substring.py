"""Checks for tail/any_substring: the set of distinct substrings, and a replay of the unrolled recursion."""

from __future__ import annotations

from collections.abc import Iterator

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import State, replay
from reasonry.verifiers.turing.shapes import ANY_SUBSTRING


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


def _calls(s: str) -> Iterator[State]:
    n = len(s)
    yield "header", {"s": s, "n": n}
    where: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    for start in range(n):
        yield "call", {"i": start, "suffix": s[start:]}
        for end in range(start + 1, n + 1):
            piece = s[start:end]
            if piece in where:
                a, b = where[piece]
                yield "seen", {"i": start, "j": end, "sub": piece, "a": a, "b": b}
            else:
                where[piece] = (start, end)
                order.append(piece)
                yield "new", {"i": start, "j": end, "sub": piece, "count": len(order)}
        yield "back", {"i": start, "count": len(order)}
    yield "empty", {"n": n}
    yield "result", {"items": _show(order)}


def check_trace(spec: dict, trace: str) -> Verdict:
    gold = answer(spec)
    s = spec["string"]
    if not s:
        return Verdict.no("spec has an empty string")
    return replay(trace, ANY_SUBSTRING, _calls(s), lambda final: same(final, gold))
