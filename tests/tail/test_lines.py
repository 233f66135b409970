"""The TAIL line shapes and the one replay: rendering, literal braces, values per rendering, states that span
several lines, and that every task's generator writes only lines its table declares."""

from __future__ import annotations

import pytest

from reasonry.registry import get_task
from reasonry.verifiers.turing import shapes
from reasonry.verifiers.turing.lines import Line, PerRendering, Shapes, replay
from tests.tail.helpers import RENDERINGS, TAIL_TASKS, items

TOY = Shapes.of(
    head=("Set {{{lo},{hi}}}: {items}", "The set {{{lo}, {hi}}} holds {items}."),
    step=("Step {i}: {i}+1={next}", "At step {i} we get {next}."),
    end=("Done: {n}\nLast: {n}", "Done with {n}."),
)


def _states(n: int):
    yield "head", {"lo": 0, "hi": n, "items": PerRendering("1 2", "1, 2")}
    for i in range(n):
        yield "step", {"i": i, "next": i + 1}
    yield "end", {"n": n}


def test_render_fills_holes_and_keeps_braces_and_values_literal():
    line = Line("State {{{lo},{hi}}}: {x}={x}")
    assert line.names == ("lo", "hi", "x", "x")
    assert line.render({"lo": 1, "hi": 2, "x": "{y}"}) == "State {1,2}: {y}={y}"
    assert line.pattern.fullmatch("State {1,2}: a=a") and not line.pattern.fullmatch("State {1,2}: a=b")
    assert TOY.render("head", "styled", lo=0, hi=2, items=PerRendering("x y", "x, y")) == "The set {0, 2} holds x, y."
    for template in ("x={x:>3}", "x={x!r}", "x={0}", "x={x.real}", "x={x[0]}"):
        with pytest.raises(ValueError, match="plain"):
            Line(template)


def test_replay_accepts_each_rendering_and_nothing_else():
    for rendering in RENDERINGS:
        write = TOY.writer(rendering)
        body = [write(kind, **values) for kind, values in _states(2)]
        trace = "\n".join([*body, "Final answer: 2"])
        assert replay(trace, TOY, _states(2), lambda final: final == "2").ok
        assert not replay(trace, TOY, _states(2), lambda final: final == "3").ok
    terse = "Set {0,2}: 1 2\nStep 0: 0+1=1\nStep 1: 1+1=2\nDone: 2\nLast: 2\nFinal answer: 2"
    assert replay(terse, TOY, _states(2), lambda final: True).ok
    for bad, why in ((terse.replace("Last: 2\n", ""), "half a state that spans two lines"),
                     (terse.replace("1 2", "1, 2"), "a value shown as the other rendering shows it"),
                     (terse.replace("Step 1: 1+1=2", "At step 1 we get 2."), "a line of the other rendering"),
                     (terse.replace("Step 0: 0+1=1\n", ""), "a missing state"),
                     (terse.replace("Final answer", "Step 2: 2+1=3\nFinal answer"), "an extra line"),
                     (terse.replace("\nFinal answer: 2", ""), "no final answer")):
        verdict = replay(bad, TOY, _states(2), lambda final: True)
        assert not verdict.ok, why
    verdict = replay(terse.replace("1+1=2", "1+1=3"), TOY, _states(2), lambda final: True)
    assert "trace line 3" in verdict.reason and "'3'" in verdict.reason and "'2'" in verdict.reason


def test_every_task_has_a_table_and_writes_only_its_lines():
    """Each trace line of each task is one of the task's declared shapes (a template with its holes)."""
    for name in TAIL_TASKS:
        table = getattr(shapes, name.removeprefix("tail/").upper())
        assert isinstance(table, Shapes)
        patterns = [line.pattern for pair in table.kinds.values() for line in pair]
        assert get_task(name).name == name
        for rendering in RENDERINGS:
            for record in items(name, "S", 3, rendering=rendering):
                body = record["trace"].split("\n")[:-1]
                # a shape may span two lines (addition's carry and result): try the pair first
                at = 0
                while at < len(body):
                    two = "\n".join(body[at:at + 2])
                    if len(body) - at >= 2 and any(p.fullmatch(two) for p in patterns):
                        at += 2
                    else:
                        assert any(p.fullmatch(body[at]) for p in patterns), (name, body[at])
                        at += 1


@pytest.mark.parametrize("template", ["a {{x}} '\\\" {y}{z}\n{y}", "{y}", "plain text", "{{}}{y}}}",
                                      "\\n{y}\t'''{z}\"\"\"", "{z} {z} {z}"])
def test_compiled_line_is_format_map(template):
    """A line is compiled once to an f-string: quotes, backslashes, escaped braces and repeated holes in the
    template come out as ``str.format_map`` gives them, extra values are ignored, a missing one is a KeyError,
    and a per-rendering value takes the rendering asked for."""
    line = Line(template)
    values = {"y": 7, "z": "s{0}", "unused": object()}
    assert line.render(values) == template.format_map(values)
    styled = {**values, "z": PerRendering("t", "s{0}")}
    assert line.render(styled, 1) == template.format_map(values)
    assert line.render(styled, 0) == template.format_map({**values, "z": "t"})
    if "{y}" in template:
        with pytest.raises(KeyError):
            line.render({"z": "s"})
