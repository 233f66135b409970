"""TAIL line shapes, and the one trace replay built on them.

Each TAIL task declares its lines once, in ``reasonry.verifiers.turing.shapes``: every kind of state has a
line per rendering (terse, styled), written like the line itself with ``{name}`` holes (``{{`` and ``}}`` are
literal braces; one line of a kind may span several trace lines). The generator renders them with its values.
The checker runs its own simulation of the task and yields the states it expects, ``(kind, values)``;
``replay`` requires each trace line to be exactly that kind's line filled with exactly those values. One wrong
value, a missing, extra or reordered state, a switch of rendering half-way, or any line after the last state
fails; the line's pattern only serves to say which value was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from string import Formatter
from typing import Literal, NamedTuple

from reasonry.numbers import parse_written_integer
from reasonry.verdict import Verdict

Rendering = Literal["terse", "styled"]
RENDERINGS: tuple[Rendering, Rendering] = ("terse", "styled")
Values = Mapping[str, object]
# a state the checker expects: its kind and the values its line must show
State = tuple[str, Values]



class _NeedsStyle(Exception):
    """A ``PerRendering`` value reached a line before its rendering was picked."""


class PerRendering(NamedTuple):
    """A value shown differently per rendering (a list's separator, the word for nothing)."""

    terse: str
    styled: str

    def __format__(self, spec: str) -> str:
        raise _NeedsStyle  # ``Line.render`` picks the rendering's value and fills the line again


def spaced(parts: Iterable[str]) -> PerRendering:
    """Items joined by a space (terse) or by a comma and a space (styled)."""
    items = list(parts)
    return PerRendering(" ".join(items), ", ".join(items))


_FINAL = re.compile(r"^Final answer:\s*(.*?)\s*$")


def split_final(trace: str) -> tuple[list[str], str | None]:
    """The lines before the final answer, and the final answer (None if the trace has none)."""
    lines = trace.strip().split("\n")
    m = _FINAL.match(lines[-1])
    if not m:
        return lines, None
    return lines[:-1], m.group(1)


def fail_at(line_no: int, message: str) -> Verdict:
    return Verdict.no(f"trace line {line_no + 1}: {message}")


class Line:
    """One line shape: ``str.format`` syntax restricted to plain ``{name}`` holes (no format spec, no
    conversion), so a value is shown as ``str(value)`` would show it. Braces inside a value are never
    interpreted."""

    __slots__ = ("fill", "names", "parts", "pattern", "template")

    def __init__(self, template: str):
        self.template = template
        parts, names, regex, seen = [], [], [], set()
        for literal, name, spec, conversion in Formatter().parse(template):
            parts.append(literal)
            regex.append(re.escape(literal))
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                raise ValueError(f"line shape {template!r}: a hole is a plain {{name}}, not {{{name}...}}")
            names.append(name)
            regex.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
            seen.add(name)
        if len(parts) == len(names):
            parts.append("")  # the template ends with a hole
        self.parts: tuple[str, ...] = tuple(parts)
        self.names: tuple[str, ...] = tuple(names)
        self.pattern = re.compile("".join(regex))
        self.fill = _compile(template)

    def render(self, values: Values, style: int = 0) -> str:
        try:
            return self.fill(values)
        except _NeedsStyle:
            return self.fill({name: _pick(value, style) for name, value in values.items()})

    def why(self, line: str, values: Values, style: int) -> str:
        """Why ``line`` is not this shape filled with ``values``."""
        m = self.pattern.fullmatch(line)
        if m is None:
            return f"expected a line shaped {self.template!r}, got {line[:120]!r}"
        for name, got in m.groupdict().items():
            want = str(_pick(values[name], style))
            if got != want:
                return f"{name} is {got[:60]!r} where the replay gives {want[:60]!r}"
        return f"expected {self.render(values, style)[:120]!r}"


def _compile(template: str) -> Callable[[Values], str]:
    """The line as a function of its values: one f-string, ``template.format_map(values)`` without parsing the
    template on every call (generators and the replay render every state: this is most of a TAIL item's cost).
    Literal text is written with ``repr`` and each hole is ``v['name']``, so no template text is ever code."""
    pieces = []
    for literal, name, _spec, _conversion in Formatter().parse(template):
        if literal:
            pieces.append("f" + repr(literal.replace("{", "{{").replace("}", "}}")))
        if name is not None:
            pieces.append(f'f"{{v[{name!r}]}}"')
    return eval("lambda v: " + (" ".join(pieces) or "''"), {"__builtins__": {}})  # noqa: S307 - built above


def _pick(value: object, style: int) -> object:
    return value[style] if isinstance(value, PerRendering) else value


@dataclass(frozen=True)
class Shapes:
    """One task's line shapes: kind -> (terse line, styled line)."""

    kinds: Mapping[str, tuple[Line, Line]]

    @classmethod
    def of(cls, **kinds: tuple[str, str]) -> Shapes:
        return cls({kind: (Line(terse), Line(styled)) for kind, (terse, styled) in kinds.items()})

    def render(self, kind: str, rendering: Rendering, **values: object) -> str:
        style = RENDERINGS.index(rendering)
        return self.kinds[kind][style].render(values, style)

    def writer(self, rendering: Rendering) -> Callable[..., str]:
        """``write(kind, **values)``: the line of ``kind`` in ``rendering``."""
        style = RENDERINGS.index(rendering)
        lines = {kind: pair[style] for kind, pair in self.kinds.items()}

        def write(kind: str, **values: object) -> str:
            return lines[kind].render(values, style)

        return write


def replay(trace: str, shapes: Shapes, states: Iterable[State], final_ok: Callable[[str], bool]) -> Verdict:
    """Check a whole trace against the states a checker's own simulation expects, in order; the final answer
    must satisfy ``final_ok``. The rendering is the one whose line the trace shows first where they differ."""
    body, final = split_final(trace)
    if final is None:
        return Verdict.no("trace does not end with 'Final answer:'")
    styles: tuple[int, ...] = (0, 1)
    at = count = 0
    for kind, values in states:
        lines = shapes.kinds[kind]
        if at >= len(body):
            return Verdict.no(f"trace stops early; expected {lines[styles[0]].render(values, styles[0])[:120]!r}")
        fits, size = [], 0
        for style in styles:
            text = lines[style].render(values, style)
            span = text.count("\n") + 1
            if (body[at] if span == 1 else "\n".join(body[at:at + span])) == text:
                fits.append(style)
                size = span  # the same for every style that fits: their texts are equal
        if not fits:
            shown = {style: "\n".join(body[at:at + lines[style].template.count("\n") + 1]) for style in styles}
            near = next((style for style in styles if lines[style].pattern.fullmatch(shown[style])), styles[0])
            return fail_at(at, f"{kind}: {lines[near].why(shown[near], values, near)}")
        styles = tuple(fits)
        at += size
        count += 1
    if count == 0:
        return Verdict.no("the replay expects no states")
    if len(body) > at:
        return fail_at(at, "unexpected lines after the last state")
    if not final_ok(final):
        return Verdict.no("final answer does not match the states")
    return Verdict.yes("trace replays")


def same_integer(candidate: str, gold: str) -> bool:
    """Integer equality on written numbers: ``8``, ``+8``, ``8.0`` and ``300,158`` are the integers they
    denote; expressions, exponents and non-integral decimals are not integers."""
    value = parse_written_integer(candidate)
    return value is not None and value == int(gold)
