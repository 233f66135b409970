"""Lenient reading of a plan written by a model: one action per line, in any of the usual spellings.

Accepted per line: ``(stack a b)``, ``stack a b``, ``stack(a, b)``, each optionally preceded by a step number
(``3.``, ``3)``, ``3:``, ``Step 3:``, ``[3]``, ``3 (``) or a list bullet, and optionally followed by a ``;``
comment or a Fast Downward ``(cost)`` suffix. Blank lines, ``;`` comment lines, Markdown code fences and
heading lines such as ``Plan:`` are skipped. PDDL names are case-insensitive, so everything is lower-cased.
Several actions may share one line (``(a x) (b y)``, ``1. (a x) 2. (b y)``, ``a x; b y``). Sentences before the
first action and after the last one are not part of the plan; anything else is an unparsable line, reported
with its number.
"""

from __future__ import annotations

import re

_NAME = r"[a-z][a-z0-9_\-]*"
_PREFIX = re.compile(r"^(?:step\s*)?(?:\[\s*\d+\s*\]|\d+\s*[.):]|\d+\s+(?=\()|[-*\u2022])\s*")
_HEADING = re.compile(r"^[a-z][a-z ]*:$")
_PAREN = re.compile(rf"^\(\s*({_NAME})((?:\s+{_NAME})*)\s*\)$")
_CALL = re.compile(rf"^({_NAME})\s*\(\s*((?:{_NAME}\s*(?:,\s*{_NAME}\s*)*)?)\)$")
_BARE = re.compile(rf"^({_NAME})((?:\s+{_NAME})*)$")
_COST_SUFFIX = re.compile(r"\s*\(\s*\d+\s*\)$")

MAX_CHARS = 200_000


class PlanSyntaxError(ValueError):
    pass


def parse_action(text: str) -> tuple[str, tuple[str, ...]] | None:
    """One action from one line's text, or None when it is not an action."""
    s = text.strip().lower()
    s = _PREFIX.sub("", s, count=1).strip()
    if ";" in s:
        s = s.split(";", 1)[0].strip()
    s = s.rstrip(".").strip()
    m = _PAREN.match(s)
    if m:
        return m.group(1), tuple(m.group(2).split())
    s = _COST_SUFFIX.sub("", s) if not s.startswith("(") else s
    m = _CALL.match(s)
    if m:
        args = tuple(a.strip() for a in m.group(2).split(",") if a.strip())
        return m.group(1), args
    m = _BARE.match(s)
    if m:
        return m.group(1), tuple(m.group(2).split())
    return None


_GROUP = re.compile(r"\(\s*[A-Za-z][^()]*\)")


def _actions_of_line(line: str, parenthesised: bool) -> list[tuple[str, tuple[str, ...]]] | None:
    """The actions on one line: one action, or several written on one line (``(a x) (b y)``,
    ``1. (a x) 2. (b y)``, ``a x; b y``, ``a x, b y``). None when the line is not made of actions. In a plan
    written with parentheses, a line without any is a sentence, not an action."""
    if "(" not in line:
        if parenthesised:
            return None
        parts = [part for part in re.split(r"[;,]", line) if part.strip()]
        if len(parts) >= 2:
            several = [parse_action(part) for part in parts]
            if all(several):
                return several  # type: ignore[return-value]
    groups = _GROUP.findall(line)
    if len(groups) >= 2:
        between = _GROUP.sub(" ", line)
        if re.fullmatch(r"[\s,;>\-\u2192.:\d]*(?:step[\s\d.:]*)*", between.lower()):
            several = [parse_action(g) for g in groups]
            if all(several):
                return several  # type: ignore[return-value]
    single = parse_action(line)
    return [single] if single is not None else None


def parse_plan(text: str, max_steps: int) -> list[tuple[str, tuple[str, ...]]]:
    """The actions of a plan text; raises ``PlanSyntaxError`` naming the first bad line.

    Lines before the first action and after the last one that are not actions (a closing sentence) are not part
    of the plan; a line between two actions that is not an action is an error."""
    if not isinstance(text, str):
        raise PlanSyntaxError("candidate is not text")
    if len(text) > MAX_CHARS:
        raise PlanSyntaxError(f"candidate is longer than {MAX_CHARS} characters")
    lines = []
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith(";") or s.startswith("```") or _HEADING.match(s.lower()):
            continue
        lines.append((lineno, s))
    parenthesised = any(_GROUP.search(s) for _, s in lines)
    read = [(lineno, s, _actions_of_line(s, parenthesised)) for lineno, s in lines]
    found = [i for i, (_, _, actions) in enumerate(read) if actions]
    if not found:
        if read:
            lineno, s, _ = read[0]
            raise PlanSyntaxError(f"line {lineno}: cannot read an action from {s[:80]!r}")
        return []
    steps: list[tuple[str, tuple[str, ...]]] = []
    for lineno, s, actions in read[found[0]:found[-1] + 1]:
        if actions is None:
            raise PlanSyntaxError(f"line {lineno}: cannot read an action from {s[:80]!r}")
        steps.extend(actions)
        if len(steps) > max_steps:
            raise PlanSyntaxError(f"plan has more than {max_steps} steps")
    return steps


def render(name: str, args: tuple[str, ...] | list[str]) -> str:
    return "(" + " ".join((name, *args)) + ")"
