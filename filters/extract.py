"""Pull the final answer out of a model's reply, by the record's ``answer_type``.

Models are asked to end with ``Final answer: ...`` or a ``\\boxed{...}``; JSON answers may come as a fenced
``json`` block or a bare object, plans as a fenced ``plan``/``pddl`` block or a run of ``(action ...)`` lines.
``extract_answer`` never raises: a reply with no recognisable answer gives ``(None, reason)``, and that
rollout is graded incorrect with the reason kept.
"""

from __future__ import annotations

import json
import re

FINAL_RE = re.compile(r"final\s+answer\s*(?:is)?\s*[:：]\s*", re.IGNORECASE)
FENCE_RE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n(.*?)```", re.DOTALL)
PLAN_LINE_RE = re.compile(r"^\s*(?:\d+[.:)]\s*)?(\(\s*[A-Za-z][^()]*\))\s*$")
MAX_REPLY_CHARS = 200_000  # bounds the work on pathological replies


def last_boxed(text: str) -> str | None:
    """Content of the last complete ``\\boxed{...}`` (or ``\\fbox{...}``), nested braces allowed."""
    for match in reversed(list(re.finditer(r"\\(?:boxed|fbox)\s*\{", text))):
        brace = match.end() - 1
        depth = 0
        for i in range(brace, len(text)):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    return text[brace + 1 : i].strip()
    return None


def _final_answer_tail(text: str) -> str | None:
    matches = list(FINAL_RE.finditer(text))
    return text[matches[-1].end() :] if matches else None


def _strip_answer_line(tail: str) -> str:
    line = tail.strip().splitlines()[0] if tail.strip() else ""
    line = line.strip().strip("*").strip()
    boxed = last_boxed(line)
    if boxed is not None:
        return boxed
    if line.startswith("$") and line.endswith("$") and len(line) > 1:
        line = line.strip("$").strip()
    return line.rstrip(".").strip() if not re.fullmatch(r"[-+]?\d*\.\d+", line) else line


def _json_objects(text: str) -> list[str]:
    """Every balanced ``{...}`` in text that parses as a JSON object, in order."""
    found = []
    i = 0
    while True:
        i = text.find("{", i)
        if i < 0:
            return found
        end = _balanced_json(text, i)
        if end is not None:
            candidate = text[i:end]
            try:
                if isinstance(json.loads(candidate), dict):
                    found.append(candidate)
                    i = end
                    continue
            except ValueError:
                pass
        i += 1


def _balanced_json(text: str, start: int) -> int | None:
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _extract_json(text: str) -> tuple[str | None, str]:
    fences = [body for lang, body in FENCE_RE.findall(text) if lang.lower() in ("json", "")]
    for body in reversed(fences):
        objects = _json_objects(body)
        if objects:
            return objects[-1], "json_block"
    tail = _final_answer_tail(text)
    if tail is not None:
        objects = _json_objects(tail)
        if objects:
            return objects[0], "final_answer"
    boxed = last_boxed(text)
    if boxed is not None and _json_objects(boxed):
        return _json_objects(boxed)[-1], "boxed"
    objects = _json_objects(text)
    if objects:
        return objects[-1], "json_object"
    return None, "no_answer: no JSON object in the reply"


def _extract_plan(text: str) -> tuple[str | None, str]:
    fences = [body for lang, body in FENCE_RE.findall(text) if lang.lower() in ("plan", "pddl", "")]
    for body in reversed(fences):
        lines = [m.group(1) for m in map(PLAN_LINE_RE.match, body.splitlines()) if m]
        if lines:
            return "\n".join(lines), "plan_block"
    tail = _final_answer_tail(text)
    scope = tail if tail is not None else text
    runs: list[list[str]] = []
    current: list[str] = []
    for line in scope.splitlines():
        match = PLAN_LINE_RE.match(line)
        if match:
            current.append(match.group(1))
        elif line.strip() and current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    if runs:
        return "\n".join(runs[-1] if tail is None else runs[0]), "final_answer" if tail is not None else "plan_lines"
    return None, "no_answer: no plan block or (action ...) lines in the reply"


def extract_answer(text: str, answer_type: str) -> tuple[str | None, str]:
    """(answer, how it was found) or (None, why nothing was found)."""
    if not isinstance(text, str) or not text.strip():
        return None, "no_answer: empty reply"
    text = text[-MAX_REPLY_CHARS:]
    if answer_type == "json":
        return _extract_json(text)
    if answer_type == "plan":
        return _extract_plan(text)
    tail = _final_answer_tail(text)
    if tail is not None:
        answer = _strip_answer_line(tail)
        if answer:
            return answer, "final_answer"
    boxed = last_boxed(text)
    if boxed:
        return boxed, "boxed"
    return None, "no_answer: no \\boxed{} and no 'Final answer:' line"


def normalize_answer(answer: str, answer_type: str) -> str:
    """A comparison key for majority voting: equal keys are the same answer (never used for grading)."""
    if answer_type == "json":
        try:
            return json.dumps(json.loads(answer), sort_keys=True, separators=(",", ":"))
        except ValueError:
            pass
    if answer_type == "plan":
        return "\n".join(" ".join(ln.lower().split()) for ln in answer.splitlines() if ln.strip())
    key = " ".join(answer.split())
    if answer_type in ("integer", "float", "fraction", "percentage"):
        key = key.replace(",", "").replace(" ", "").rstrip("%").lstrip("$")
        if re.fullmatch(r"[-+]?\d+(\.\d+)?", key):
            key = key.lstrip("+")
            if "." in key:
                key = key.rstrip("0").rstrip(".")
    elif answer_type in ("string", "boolean", "multiple_choice"):
        key = key.lower().strip(".")
    return key
