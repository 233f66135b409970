"""A static look at a model-written Prolog program: does what it prints depend on anything it computes?

``constant_output(program)`` reads the clauses (comments and quoted text handled, nothing executed) and finds
every output call (``json_write_dict``, ``json_write``, ``format``, ``write``, ``print``, ...). A program whose
every printed term is ground as written (``json_write_dict(current_output, _{answer: 42})``), or a variable only
unified with such a term in the same clause, prints a constant it does not compute: the answer was written
in, not found by search. It is a first line of defence, not a proof: a constant hidden behind a helper
predicate's fact passes here, and the comparison with the source record's verified answer still applies.
"""

from __future__ import annotations

import re

from reasonry.answer_forms import split_top_level

# name -> index of the printed argument, by arity
OUTPUT_CALLS: dict[str, dict[int, tuple[int, ...]]] = {
    "json_write_dict": {2: (1,), 3: (1,)},
    "json_write": {2: (1,), 3: (1,)},
    "format": {1: (0,), 2: (0, 1), 3: (1, 2)},
    "write": {1: (0,), 2: (1,)},
    "writeln": {1: (0,), 2: (1,)},
    "print": {1: (0,), 2: (1,)},
    "writeq": {1: (0,), 2: (1,)},
    "write_canonical": {1: (0,), 2: (1,)},
    "write_term": {2: (0,), 3: (1,)},
}
VARIABLE = re.compile(r"(?<![A-Za-z0-9_])(_[A-Za-z0-9_]+|[A-Z][A-Za-z0-9_]*)")
CALL = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(OUTPUT_CALLS) + r")\s*\(")


def _blank_quoted(text: str) -> str:
    """The program with comments removed and the inside of quoted atoms and strings replaced by spaces, so
    neither a quote nor a comment can hide structure (offsets stay the same)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "%":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif ch == "0" and text.startswith("0'", i) and i + 2 < n:  # a character code
            out.append("0  ")
            i += 3
        elif ch in "'\"`":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            out.append(ch + " " * (min(j, n) - i - 1) + (ch if j < n else ""))
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def clauses(program: str) -> list[str]:
    """The clauses of a program (comments and quoted text blanked), each without its final full stop."""
    text = _blank_quoted(program)
    found, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == "." and depth == 0 and (i + 1 == len(text) or text[i + 1].isspace()):
            if i > 0 and text[i - 1].isdigit() and i + 1 < len(text) and text[i + 1].isdigit():
                continue
            clause = text[start:i].strip()
            if clause:
                found.append(clause)
            start = i + 1
    return found


def split_args(text: str) -> list[str]:
    """Top-level comma-separated parts of ``text``, empty ones left out."""
    return [p for p in split_top_level(text) if p]


def _call_args(text: str, open_at: int) -> tuple[list[str], int]:
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] in "([{":
            depth += 1
        elif text[j] in ")]}":
            depth -= 1
            if depth == 0:
                return split_args(text[open_at + 1:j]), j
    return split_args(text[open_at + 1:]), len(text)


def _variables(term: str) -> list[str]:
    return VARIABLE.findall(term)


def _bound_to(variable: str, body: str) -> list[str]:
    """Terms the clause body unifies ``variable`` with at its top level (``V = T`` or ``T = V``)."""
    terms = []
    for goal in split_args(body):
        left, eq, right = goal.partition("=")
        if not eq or right.startswith(("=", "<", ":", "..")) or left.endswith(("=", "\\", ">", "<", ":", "@")):
            continue  # ==, =<, =:=, =.., \=, >=, ... are not unifications
        left, right = left.strip(), right.strip()
        if left == variable:
            terms.append(right)
        elif right == variable:
            terms.append(left)
    return terms


def _computed(term: str, clause: str, body: str, depth: int = 0) -> bool:
    """Whether a printed term depends on something the clause computes: a variable that occurs elsewhere in the
    clause, other than through a plain unification with a ground term."""
    names = _variables(term)
    if not names:
        return False
    if depth < 3 and term.strip() in names:  # a bare variable: look at what it is unified with
        bindings = _bound_to(term.strip(), body)
        if bindings and all(not _computed(t, clause, body, depth + 1) for t in bindings):
            uses = len(re.findall(r"(?<![A-Za-z0-9_])" + re.escape(term.strip()) + r"(?![A-Za-z0-9_])", clause))
            if uses <= len(bindings) + 1:  # bound only to constants and printed: a constant
                return False
    counts = {name: len(re.findall(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", clause))
              for name in names}
    return any(count > 1 for count in counts.values())


def constant_output(program: str) -> str | None:
    """None when some printed term depends on a computation; else a reason (``no_output_call`` or
    ``constant_output: ...``)."""
    printed = []
    for clause in clauses(program):
        head, neck, body = clause.partition(":-")
        if not neck:
            continue
        for match in CALL.finditer(body):
            args, _ = _call_args(body, match.end() - 1)
            for index in OUTPUT_CALLS[match.group(1)].get(len(args), ()):
                printed.append((args[index], clause, body))
    if not printed:
        return "no_output_call"
    if any(_computed(term, clause, body) for term, clause, body in printed):
        return None
    shown = printed[0][0]
    return f"constant_output: prints {shown[:60]!r}, which no computation binds"
