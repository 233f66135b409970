"""Lock-step trace replay for the DP, binary-search and backtracking checkers.

A checker runs its own solver on the spec and yields the states it expects, each ``(kind, values)`` with
``values`` a mapping from value name to the exact text the state must show. Every kind has a line shape per
rendering (terse, styled), written like the line itself with ``{name}`` holes: the first hole of a name
captures it, later ones must repeat the same text. So each number a state writes is compared with the
checker's own, and the prose around the values must match literally. A missing, extra or reordered state,
one wrong value, a switch of rendering half-way, or any line after the last state fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from reasonry.numbers import parse_written_integer
from reasonry.verdict import Verdict
from reasonry.verifiers.turing.lines import fail_at, split_final

# (kind, values): values name the groups of the kind's shape, or list the groups of a plain regex in order
Expected = tuple[str, Mapping[str, str] | tuple[str, ...]]
Shapes = dict[str, tuple[re.Pattern, re.Pattern]]

INT = r"-?\d+"
_HOLE = re.compile(r"\{([A-Za-z_]\w*)\}")


def shape(template: str, **classes: str) -> re.Pattern:
    """A line shape from text with ``{name}`` holes; a hole matches ``classes[name]`` (default: an integer)."""
    out, seen, at = [], set(), 0
    for m in _HOLE.finditer(template):
        out.append(re.escape(template[at:m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>{classes.get(name, INT)})")
        seen.add(name)
        at = m.end()
    out.append(re.escape(template[at:]))
    return re.compile("".join(out))


def shapes(terse: str, styled: str, **classes: str) -> tuple[re.Pattern, re.Pattern]:
    return shape(terse, **classes), shape(styled, **classes)


def both(terse: str, styled: str) -> tuple[re.Pattern, re.Pattern]:
    """Plain regexes per rendering, whose groups are compared in order with a state's values."""
    return re.compile(terse), re.compile(styled)


def lockstep(trace: str, expected: Iterable[Expected], kinds: Shapes, final_ok: Callable[[str], bool]) -> Verdict:
    body, final = split_final(trace)
    if final is None:
        return Verdict.no("trace does not end with 'Final answer:'")
    style = None
    count = 0
    for i, (kind, values) in enumerate(expected):
        count = i + 1
        if i >= len(body):
            return Verdict.no(f"trace stops before state {i + 1} ({kind})")
        line = body[i]
        if style is None:
            style = next((s for s, rx in enumerate(kinds[kind]) if rx.fullmatch(line)), None)
            if style is None:
                return fail_at(i, f"expected a {kind} line")
        m = kinds[kind][style].fullmatch(line)
        if m is None:
            return fail_at(i, f"expected a {kind} line")
        if isinstance(values, Mapping):
            for name, got in m.groupdict().items():
                want = str(values[name])
                if got != want:
                    return fail_at(i, f"{kind}: {name} is {got[:60]!r} where the replay gives {want[:60]!r}")
        elif m.groups() != tuple(values):
            return fail_at(i, f"{kind} state shows {m.groups()}, expected {tuple(values)}")
    if count == 0:
        return Verdict.no("the replay expects no states")
    if len(body) > count:
        return fail_at(count, "unexpected lines after the last state")
    if not final_ok(final):
        return Verdict.no("final answer does not match the states")
    return Verdict.yes("trace replays")


def same_integer(candidate: str, gold: str) -> bool:
    """Integer equality on written numbers: ``8``, ``+8``, ``8.0`` and ``300,158`` are the integers they
    denote; expressions, exponents and non-integral decimals are not integers."""
    value = parse_written_integer(candidate)
    return value is not None and value == int(gold)
