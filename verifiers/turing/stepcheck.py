"""Line-by-line replay used by the checkers of division, bubble sort, word flip, compare numbers, any substring
and derangement.

A checker simulates the task itself and yields, state by state, the line shape it expects (a ``Form``) and
the values that state must show. A trace line passes only if it is exactly that shape filled with exactly
those values, so one wrong intermediate value, a missing or reordered state, or an extra line fails. The
regular expression of a form exists only to say which value was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from reasonry.verdict import Verdict
from reasonry.verifiers.turing.common import fail_at, split_final


class Form:
    """A line shape: literal text with ``{}`` holes, filled positionally (no str.format, so braces and
    quotes inside values are never interpreted)."""

    __slots__ = ("parts", "regex", "template")

    def __init__(self, template: str):
        self.template = template
        self.parts = template.split("{}")
        self.regex = re.compile("(.*?)".join(re.escape(p) for p in self.parts))

    def render(self, *values: object) -> str:
        out = [self.parts[0]]
        for value, part in zip(values, self.parts[1:], strict=True):
            out.append(str(value))
            out.append(part)
        return "".join(out)

    def why(self, line: str, values: Sequence[object]) -> str:
        m = self.regex.fullmatch(line)
        if m is None:
            return f"expected a line shaped {self.template!r}, got {line[:120]!r}"
        wrong = [(got, str(want)) for got, want in zip(m.groups(), values, strict=True) if got != str(want)]
        if wrong:
            got, want = wrong[0]
            return f"wrong value {got[:60]!r} (expected {want[:60]!r})"
        return f"expected {self.render(*values)[:120]!r}"


Step = tuple[Form, tuple]


def pick_style(first_line: str, headers: Sequence[Step]) -> int | None:
    """Index of the rendering whose header the first line is, or None."""
    for i, (form, values) in enumerate(headers):
        if first_line == form.render(*values):
            return i
    return None


def walk(trace: str, headers: Sequence[Step], steps: Callable[[int], Iterable[Step]],
         final_ok: Callable[[str], bool]) -> Verdict:
    """Check a whole trace: the header picks the rendering, then every line must equal the next expected step,
    nothing may follow the last step, and the final answer must satisfy ``final_ok``."""
    body, final = split_final(trace)
    if final is None:
        return Verdict.no("trace does not end with 'Final answer:'")
    if not body:
        return Verdict.no("trace has no states")
    style = pick_style(body[0], headers)
    if style is None:
        reasons = "; ".join(form.why(body[0], values) for form, values in headers)
        return fail_at(0, f"header is neither rendering's: {reasons}")
    line = 1
    for form, values in steps(style):
        if line >= len(body):
            return Verdict.no(f"trace stops early; expected {form.render(*values)[:120]!r}")
        if body[line] != form.render(*values):
            return fail_at(line, form.why(body[line], values))
        line += 1
    if line != len(body):
        return fail_at(line, "unexpected lines after the last state")
    if not final_ok(final):
        return Verdict.no("final answer does not match the states")
    return Verdict.yes("trace replays")
