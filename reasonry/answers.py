"""One answer semantics: where a model's reply states its final answer, and when that answer counts.

Every consumer reads replies through this module: ``reasonry verify --answers``, every function in
``reasonry.rewards``, the self-consistency grader and the eval harness. The rules (the README's "Answer
format" section states the same):

1. **Markers.** A final answer is stated by a marker: ``Final answer:`` in any case, with or without Markdown
   emphasis (``**Final Answer**:``, ``**Final answer:**``, ``### Final answer:``), the sentence form ``the
   final answer is X``, or a LaTeX ``\\boxed{X}``. Each marker is one *statement* of the final answer.
2. **What a statement holds**, by answer type:
   - JSON answers: the JSON object that follows the marker (on the same line or the next ones);
   - plans: the actions that follow the marker, one per line or several on one line (``(a b) (c d)`` or
     ``a b; c d``), numbered or not, in any case; a sentence after the last action is not part of the plan;
   - everything else: the rest of the marker's line (or the next non-empty line when the marker ends its
     line), with Markdown emphasis, ``$...$``, ``\\boxed{}``, matching quotes and a closing full stop removed.
     Nothing else may stand on that line: ``17 (the sum)`` is not the answer ``17``.
3. **Without any marker**, a JSON answer may be stated in a ````json`` code fence and a plan in a ````plan`` or
   ````pddl`` fence (each fence is a statement). Otherwise the whole reply is the answer only when it is nothing
   but an answer: one line for scalar types, exactly one JSON object for JSON, only action lines for plans.
   Anything else has no answer.
4. **Several statements.** A reply may repeat its final answer, in any equivalent form. Two or more
   statements that are not all correct are **hedging**, and hedging is wrong: a reply scores only if every
   statement it makes verifies. The same holds inside one statement: two JSON objects after one marker, or
   ``B or C`` for a multiple-choice answer, are two answers.
5. **Equivalent forms** are decided by each verifier (``8.0`` for ``8``, thousands separators, JSON key order
   and spacing, plan spelling), never here: this module only locates the statements.

``grade`` is the one entry point that turns (verifier, answer type, reply) into a ``Verdict``; ``read_reply``
returns the located statements; ``vote_key`` is the normalised key that majority voting compares.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from reasonry.registry import get_verifier
from reasonry.verdict import Verdict

FINAL_ANSWER = "Final answer:"
MAX_REPLY_CHARS = 200_000  # bounds the work on pathological replies (the end of a reply holds its answer)
MAX_STATEMENTS = 16  # more distinct final answers than this is hedging whatever they say

SCALAR_TYPES = ("integer", "float", "fraction", "percentage", "expression", "boolean", "multiple_choice",
                "string", "list", "matrix")
JSON_TYPES = ("json",)
PLAN_TYPES = ("plan",)

# "Final answer:", "**Final Answer**:", "**Final answer:**", "final answer is", "The final answer is: 5".
_MARKER = re.compile(
    r"(?<![A-Za-z])final[ \t]+answer(?:[ \t]*(?:\*\*|__|\*|_))?[ \t]*"
    r"(?:(?:is|was|will[ \t]+be|would[ \t]+be)?[ \t]*[:：]|is\b|=)"
    r"[ \t]*(?:\*\*|__|\*|_)?",
    re.IGNORECASE,
)
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_ACTION_LINE = re.compile(r"^\s*(?:(?:step\s*)?\d+\s*[.):]\s*)?\(", re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Reading:
    """The final-answer statements of one reply, in order, and how they were found (or why none was)."""

    statements: tuple[str, ...]
    how: str

    @property
    def answer(self) -> str | None:
        """The stated answer when every statement is the same text; None when there is none or they differ."""
        distinct = set(self.statements)
        return self.statements[0] if len(distinct) == 1 else None


def answer_instruction(answer_type: str) -> str:
    """The sentence appended to a prompt: what the model must write so that ``read_reply`` finds it."""
    if answer_type in JSON_TYPES:
        what = "a line 'Final answer:' followed by the JSON object"
    elif answer_type in PLAN_TYPES:
        what = ("a line 'Final answer:' followed by the plan, one action per line in PDDL form "
                "(several actions on one line are fine too)")
    else:
        what = "a line 'Final answer: <answer>' with nothing else on that line"
    return f"Think step by step, then end with {what}. Give exactly one final answer."


# ------------------------------------------------------------------------------------------------
# Locating statements
# ------------------------------------------------------------------------------------------------


def read_reply(reply: object, answer_type: str) -> Reading:
    """Every final-answer statement of ``reply`` (rule 1-3 above). Never raises."""
    if not isinstance(reply, str) or not reply.strip():
        return Reading((), "no_answer: empty reply")
    text = reply[-MAX_REPLY_CHARS:]
    markers = list(_MARKER.finditer(text))
    if answer_type in JSON_TYPES:
        statements = _json_statements(text, markers)
    elif answer_type in PLAN_TYPES:
        statements = _plan_statements(text, markers)
    else:
        statements = _scalar_statements(text, markers)
    if statements:
        return Reading(tuple(statements), "statements" if len(statements) > 1 else "final_answer")
    if markers or _BOXED.search(text):
        return Reading((), "no_answer: a final-answer marker with nothing after it")
    bare = _bare_answer(text, answer_type)
    if bare is not None:
        return Reading((bare,), "bare_answer")
    return Reading((), f"no_answer: no '{FINAL_ANSWER}' line and no \\boxed{{}}")


def _segments(text: str, markers: list[re.Match]) -> list[str]:
    """The text after each marker, up to the next marker."""
    if not markers:
        return []
    ends = [m.start() for m in markers[1:]] + [len(text)]
    return [text[m.end():end] for m, end in zip(markers, ends, strict=True)]


def _box_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of every complete ``\\boxed{...}`` / ``\\fbox{...}``, nested braces allowed. One pass
    pairs every brace, so a reply of a hundred thousand unclosed boxes costs what its length costs."""
    closing: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            closing[stack.pop()] = i
    spans = []
    for match in _BOXED.finditer(text):
        end = closing.get(match.end() - 1)
        if end is not None:
            spans.append((match.start(), end + 1, text[match.end():end].strip()))
    return spans


def boxed_contents(text: str) -> list[str]:
    """Contents of every complete ``\\boxed{...}`` / ``\\fbox{...}``, in order."""
    return [content for _, _, content in _box_spans(text)]


def clean_scalar(line: str) -> str:
    """One answer line without its decoration: emphasis, math delimiters, a box, quotes, a closing stop."""
    s = line.strip()
    for _ in range(3):  # decorations nest ("**$\\boxed{5}$**.")
        before = s
        s = s.strip().rstrip(".").strip()
        for left, right in (("**", "**"), ("__", "__"), ("`", "`"), ("$$", "$$"), ("$", "$"), ("\\(", "\\)"),
                            ("\\[", "\\]"), ("*", "*"), ('"', '"'), ("'", "'")):
            if len(s) > len(left) + len(right) - 1 and s.startswith(left) and s.endswith(right):
                s = s[len(left):len(s) - len(right)].strip()
        boxed = boxed_contents(s)
        if len(boxed) == 1 and s.startswith(("\\boxed", "\\fbox")) and s.endswith("}"):
            s = boxed[0]
        if s == before:
            break
    return s


def _scalar_statements(text: str, markers: list[re.Match]) -> list[str]:
    statements = []
    spans = []  # where each marker's statement stands: a box there is that statement, not a second one
    for marker, segment in zip(markers, _segments(text, markers), strict=True):
        offset = marker.end()
        lines = segment.split("\n")
        line = lines[0]
        if not line.strip():
            for candidate in lines[1:]:
                offset += len(line) + 1
                line = candidate
                if line.strip():
                    break
        spans.append((offset, offset + len(line)))
        value = clean_scalar(line)
        if value:
            statements.append(value)
    for box_start, _, content in _box_spans(text):
        if content and not any(start <= box_start < end for start, end in spans):
            statements.append(content)
    return statements


def _json_statements(text: str, markers: list[re.Match]) -> list[str]:
    statements = []
    for segment in _segments(text, markers):
        statements.extend(json_objects(segment))
    if not markers:  # each ```json block states an answer, and so does each box
        for lang, body in _FENCE.findall(text):
            if lang.lower() in ("json", ""):
                statements.extend(json_objects(body))
        for content in boxed_contents(text):
            statements.extend(json_objects(content))
    return statements


def _plan_statements(text: str, markers: list[re.Match]) -> list[str]:
    statements = []
    for segment in _segments(text, markers):
        plan = _plan_block(segment)
        if plan:
            statements.append(plan)
    if not markers:  # each ```plan block states an answer
        statements.extend(body.strip() for lang, body in _FENCE.findall(text)
                          if lang.lower() in ("plan", "pddl", "") and body.strip())
    return statements


def _plan_block(segment: str) -> str:
    """The plan that a marker introduces: a code fence's body, or the text up to the next marker (the verifier
    reads the actions in it, whatever their spelling, and leaves out sentences before and after them)."""
    fences = [body for lang, body in _FENCE.findall(segment) if lang.lower() in ("plan", "pddl", "")]
    if fences:
        return fences[0].strip()
    return segment.strip()


def _bare_answer(text: str, answer_type: str) -> str | None:
    stripped = text.strip()
    if answer_type in JSON_TYPES:
        fences = [body for lang, body in _FENCE.findall(stripped) if lang.lower() in ("json", "")]
        body = fences[0] if len(fences) == 1 and stripped.startswith("```") and stripped.endswith("```") \
            else stripped
        objects = json_objects(body)
        if len(objects) == 1 and body.strip() == objects[0].strip():
            return objects[0]
        return None
    if answer_type in PLAN_TYPES:
        fences = [body for lang, body in _FENCE.findall(stripped) if lang.lower() in ("plan", "pddl", "")]
        if len(fences) == 1 and stripped.startswith("```") and stripped.endswith("```"):
            return fences[0].strip()
        if all(_ACTION_LINE.match(line) or not line.strip() for line in stripped.split("\n")):
            return stripped  # action lines only (the verifier judges them)
        return None
    if "\n" in stripped:
        return None
    value = clean_scalar(stripped)
    return value or None


_DECODER = json.JSONDecoder()
MAX_JSON_STARTS = 2000  # a reply with more opening braces than this is not stating a JSON answer


def json_objects(text: str) -> list[str]:
    """Every JSON object in ``text``, in order (objects inside a found object are not listed again). Each try
    fails at the first character that is not JSON, and the decoder's nesting limit bounds a deep one."""
    found = []
    i, starts = 0, 0
    while starts < MAX_JSON_STARTS:
        i = text.find("{", i)
        if i < 0:
            break
        starts += 1
        try:
            value, end = _DECODER.raw_decode(text, i)
        except (ValueError, RecursionError):
            i += 1
            continue
        if isinstance(value, dict):
            found.append(text[i:end])
            i = end
        else:
            i += 1
    return found


# ------------------------------------------------------------------------------------------------
# Grading and voting
# ------------------------------------------------------------------------------------------------


def grade(verifier: dict, answer_type: str, reply: object) -> Verdict:
    """Does ``reply`` state a correct final answer, and only that? ``verifier`` is a record's ``verifier``
    object (``{"kind", "spec"}``). Exceptions from a broken verifier propagate: they are never a wrong answer."""
    reading = read_reply(reply, answer_type)
    if not reading.statements:
        return Verdict.no(reading.how)
    distinct = list(dict.fromkeys(reading.statements))
    if len(distinct) > MAX_STATEMENTS:
        return Verdict.no(f"hedged: {len(distinct)} different final answers")
    check = get_verifier(verifier["kind"]).verify
    verdicts = [check(verifier["spec"], statement) for statement in distinct]
    wrong = [(s, v) for s, v in zip(distinct, verdicts, strict=True) if not v.ok]
    if not wrong:
        return verdicts[0] if len(distinct) == 1 else Verdict.yes(f"{len(distinct)} statements, all correct")
    if len(wrong) < len(distinct):
        return Verdict.no(f"hedged: {len(distinct)} different final answers, {_short(wrong[0][0])} is wrong "
                          f"({wrong[0][1].reason})")
    return wrong[0][1]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "...")


def extract_answer(text: object, answer_type: str) -> tuple[str | None, str]:
    """(the stated answer, how it was found), or (None, why not): None also when statements differ."""
    reading = read_reply(text, answer_type)
    if not reading.statements:
        return None, reading.how
    distinct = list(dict.fromkeys(reading.statements))
    keys = {vote_key(s, answer_type) for s in distinct}
    if len(keys) > 1:
        return None, f"hedged: {len(keys)} different final answers"
    return distinct[-1], reading.how


def vote_key(answer: str, answer_type: str) -> str:
    """A comparison key for majority voting: equal keys are the same answer (never used for grading)."""
    if answer_type in JSON_TYPES:
        try:
            return json.dumps(json.loads(answer), sort_keys=True, separators=(",", ":"))
        except (ValueError, RecursionError):
            pass
    if answer_type in PLAN_TYPES:
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
