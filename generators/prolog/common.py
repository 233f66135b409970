"""What every Prolog prototype family shares: the program contract, the two task kinds, the traces.

A family module builds an ``Instance`` from a seeded rng: the canonical problem, a Prolog program that keeps
the ProtoReasoning contract (``library(http/json)``, ``solve_json/0`` prints exactly one JSON object, no answer
written into it), the problem stated in English, and an optional *trace add-on*: extra clauses that define
``trace_json/0``, which re-runs the same model with its search instrumented and prints the events as JSON.

The reference answer is always what SWI-Prolog prints (through the worker pool), never computed in Python.
The gold trace is prose rendered from the trace add-on's events, i.e. from Prolog's own search.

Two tasks per family: ``prolog/<family>/execution`` (program + query -> printed JSON) and
``prolog/<family>/solve`` (English problem -> the same JSON; the program stays in ``verifier.spec``). A family
module sets ``FAMILY`` to its ``PrologFamily`` class; ``variant`` binds it to a mode (the names are listed once,
in ``index.TASKS``). A program that misses a limit or the family's condition on the answer is no item for
the draw: ``generate`` raises ``reasonry.task.Skip`` with the program's reason code.
"""

from __future__ import annotations

import importlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, cast

from reasonry.config import require
from reasonry.generators.prolog.index import FAMILIES, TASKS
from reasonry.hashing import canonical_json
from reasonry.levels import check_level, knob, stamp
from reasonry.task import ItemKey, Skip, Task
from reasonry.verifiers.prolog import ProgramRejected, run_json, shutdown_pool, start_pool
from reasonry.verifiers.prolog.output import NO_SOLUTION, canonical

HEADER = ":- use_module(library(http/json)).\n"
CLPFD = ":- use_module(library(clpfd)).\n"
QUERY = "swipl -q -f prog.pl -t solve_json,halt"
NO_SOLUTION_TEXT = NO_SOLUTION["result"]

# Print one JSON object, or the contract's no-solution object when the model has no answer.
SOLVE_JSON = """
solve_json :-
    (   answer(Dict)
    ->  json_write_dict(current_output, Dict)
    ;   json_write_dict(current_output, _{result: "No valid solution found"})
    ),
    nl.
"""

# Search events are kept as facts of the (temporary) program module, so they survive backtracking. The log
# holds the first MAX_TRACE_EVENTS events; the next one ends the traced search (the answer program, not the
# trace, runs a counting search to the end), so a trace costs at most as much as that many search steps.
TRACE_SUPPORT = """
:- dynamic trace_event/1.
:- dynamic trace_events/1.

note(Event) :-
    retract(trace_events(N)),
    (   N < 400
    ->  N1 is N + 1,
        assertz(trace_events(N1)),
        assertz(trace_event(Event))
    ;   assertz(trace_events(N)),
        throw(trace_full)
    ).

trace_json :-
    retractall(trace_events(_)),
    assertz(trace_events(0)),
    ignore(catch(trace_search, trace_full, true)),
    findall(E, trace_event(E), Events),
    maplist(event_json, Events, Items),
    json_write_dict(current_output, _{events: Items}),
    nl.

event_json(E, Item) :-
    E =.. [Tag|Args],
    Item = [Tag|Args].
"""

MAX_TRACE_EVENTS = 400

# Labeling as clpfd's label/1 does it (leftmost variable, values upwards), with every choice noted: the
# candidates left after propagation, the values that propagation refutes at once, the ones taken back.
CSP_TRACE = """
tlabel([], []) :- note(solution).
tlabel([V|Vs], [N|Ns]) :-
    (   integer(V)
    ->  note(forced(N, V)),
        tlabel(Vs, Ns)
    ;   fd_dom(V, Dom), fd_inf(V, Lo), fd_sup(V, Hi),
        findall(X, (between(Lo, Hi, X), X in Dom), Xs),
        note(domain(N, Xs)),
        try_values(Xs, V, N, Vs, Ns)
    ).

try_values([], _, N, _, _) :-
    note(exhausted(N)),
    fail.
try_values([X|Xs], V, N, Vs, Ns) :-
    (   \\+ V = X
    ->  note(refuted(N, X)),
        try_values(Xs, V, N, Vs, Ns)
    ;   (   V = X,
            note(assign(N, X)),
            tlabel(Vs, Ns)
        ;   note(undo(N, X)),
            try_values(Xs, V, N, Vs, Ns)
        )
    ).
"""


def csp_renderer(var_text: Callable[[Any], str], val_text: Callable[[Any], str],
                 extra: dict[str, Callable[..., str]] | None = None):
    """Prose for the events of ``CSP_TRACE``, in the family's own words for variables and values; ``extra``
    renders a family's own event tags."""

    def render(events: list, value: dict) -> list[str]:
        lines = []
        solutions = 0
        for tag, *args in events:
            if extra and tag in extra:
                lines.append(extra[tag](*args))
                continue
            if tag == "domain":
                vals = listing([val_text(v) for v in args[1]], "or")
                lines.append(f"Next, {var_text(args[0])}: after propagation the candidates are {vals}.")
            elif tag == "forced":
                lines.append(f"Propagation already fixes {var_text(args[0])} to {val_text(args[1])}.")
            elif tag == "refuted":
                lines.append(f"Try {val_text(args[1])} for {var_text(args[0])}: propagation finds a conflict "
                             "at once, so it is ruled out.")
            elif tag == "assign":
                lines.append(f"Try {val_text(args[1])} for {var_text(args[0])}; it is consistent so far.")
            elif tag == "undo":
                lines.append(f"Every continuation with {var_text(args[0])} = {val_text(args[1])} fails; "
                             "take it back.")
            elif tag == "exhausted":
                lines.append(f"No candidate is left for {var_text(args[0])}: backtrack.")
            elif tag == "solution":
                solutions += 1
                lines.append(f"Every variable has a value and all constraints hold: solution {solutions}.")
        if not events:
            lines.append("Posting the constraints already fails: propagation alone proves that no assignment "
                         "satisfies them.")
        elif not any(e[0] == "solution" for e in events) and len(events) < MAX_TRACE_EVENTS:
            lines.append("The search space is exhausted without a solution.")
        if type(value.get("solutions")) is int:
            lines.append(f"Running the search to the end finds {value['solutions']} solution(s) in all; the "
                         "answer is the first one found.")
        return lines

    return render


@dataclass(frozen=True)
class PrologConfig:
    """Knobs every family has. ``evolution`` scales an instance up: 0 is the base family; each level adds
    entities, constraints or another objective (each family documents its levels)."""

    evolution: int = 0
    time_limit: float = 10.0
    inference_limit: int = 50_000_000
    difficulty: int | None = knob(None)  # the level these knobs came from (reasonry.levels), if any

    def __post_init__(self):
        check_level(self.difficulty)
        require(0 <= self.evolution <= 2, "evolution", f"must be 0, 1 or 2, got {self.evolution}")
        require(self.time_limit > 0, "time_limit", "must be positive")
        require(self.inference_limit > 0, "inference_limit", "must be positive")


@dataclass
class Instance:
    problem: dict  # canonical problem; the record id is hashed from it
    program: str
    statement: str  # the problem in English, including how to answer
    answer_format: str  # the JSON shape the answer takes, in words
    trace_addon: str | None = None
    render_trace: Callable[[list, dict], list[str]] | None = None
    difficulty: dict = field(default_factory=dict)
    # A family's own condition on SWI-Prolog's answer (e.g. exactly one solution): the reject reason and
    # detail when the answer misses it, else None.
    check: Callable[[dict], tuple[str, str] | None] | None = None


def program(*parts: str, clpfd: bool = False) -> str:
    head = HEADER + (CLPFD if clpfd else "")
    return head + "\n" + "\n".join(p.strip("\n") + "\n" for p in parts if p) + SOLVE_JSON


def plist(values) -> str:
    """A Prolog list of integers or atoms (atoms here are plain lower-case names)."""
    return "[" + ", ".join(str(v) for v in values) + "]"


def show_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def listing(items: list[str], conj: str = "and") -> str:
    items = [str(i) for i in items]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def level(config_class: type, evolution: int, each: dict | None = None, **knobs) -> dict:
    """The options of one difficulty level: an evolution, the entries of per-evolution knobs for that evolution
    (``each``: the other entries keep their defaults), and plain knobs."""
    defaults = config_class()
    options: dict[str, Any] = {"evolution": evolution}
    for name, value in (each or {}).items():
        entries = list(getattr(defaults, name))
        entries[evolution] = value
        options[name] = tuple(entries)
    return {**options, **knobs}


# Two solutions at most, in search order: enough to tell a unique answer from an ambiguous one.
FIRST_TWO = """
first_two :-
    findall(Vs, limit(2, (model(_, Vs), label(Vs))), Solutions),
    json_write_dict(current_output, _{solutions: Solutions}),
    nl.
"""


def first_two(text: str, config: Any) -> list[list[int]]:
    """The first two solutions of a program whose ``model(_, Vars)`` posts the constraints (SWI-Prolog)."""
    value, _ = run_json(text + FIRST_TWO, "first_two", time_limit=config.time_limit,
                        inference_limit=config.inference_limit)
    return value["solutions"]


def one_solution(value: dict) -> tuple[str, str] | None:
    """``Instance.check`` for puzzles posed with a unique solution: SWI-Prolog's count must be exactly 1."""
    if value.get("solutions") == 1:
        return None
    return "not_unique", f"the solver counts {value.get('solutions')!r} solutions, 1 was asked for"


class PrologFamily:
    """One problem family; subclasses implement ``build``. Its description is in ``index.FAMILIES``."""

    name: ClassVar[str]
    Config: ClassVar[type] = PrologConfig
    levels: ClassVar[tuple[dict, ...]] = ()

    def build(self, config: Any, rng: random.Random) -> Instance | None:
        raise NotImplementedError


class PrologTask(Task):
    """Base of ``prolog/<family>/{execution,solve}``; ``bind`` sets ``family_class`` and ``mode``."""

    cost = 10  # a sandboxed SWI-Prolog run per item
    family: ClassVar[str] = "prolog"
    verifier_kind: ClassVar[str] = "prolog"
    answer_type: ClassVar[str] = "json"
    version: ClassVar[str] = "1"
    family_class: ClassVar[type[PrologFamily]]
    mode: ClassVar[str]

    def __init__(self):
        self.problem_family = self.family_class()

    # The Beam DoFn calls these: one worker pool per process, started before the first item.
    def setup(self) -> None:
        start_pool()

    def teardown(self) -> None:
        shutdown_pool()

    def generate(self, config: PrologConfig, key: ItemKey, rng: random.Random) -> dict | None:
        try:
            return self._generate(config, key, rng)
        except ProgramRejected as exc:  # the rejects keep the program's whole message as the detail
            raise Skip(exc.reason, str(exc)) from None

    def _generate(self, config: PrologConfig, key: ItemKey, rng: random.Random) -> dict | None:
        inst = self.problem_family.build(config, rng)
        if inst is None:
            return None
        limits: dict[str, Any] = {"time_limit": config.time_limit, "inference_limit": config.inference_limit}
        value, _ = run_json(inst.program, **limits)
        failed = inst.check(value) if inst.check else None
        if failed:
            raise ProgramRejected(*failed)
        answer = canonical(value)
        trace = self._trace(inst, value, limits)
        spec = {"program": inst.program, "goal": "solve_json", **limits}
        fam = self.problem_family.name
        if self.mode == "execution":
            prompt = (f"Here is a Prolog program:\n\n```prolog\n{inst.program}```\n\n"
                      f"What exactly does `{QUERY}` print? Answer with that JSON object.")
        else:
            prompt = (f"{inst.statement}\n\nAnswer with a JSON object: {inst.answer_format} "
                      f'If there is no solution, answer {{"result": "{NO_SOLUTION_TEXT}"}}.')
        difficulty = stamp(config, {"evolution": config.evolution, **inst.difficulty})
        return self.record(key, problem={"family": fam, **inst.problem}, prompt=prompt, answer=answer,
                           verifier_spec=spec, trace=trace, difficulty=difficulty,
                           meta={"family": fam, "mode": self.mode, "solved": value != NO_SOLUTION})

    def _trace(self, inst: Instance, value: dict, limits: dict) -> str:
        lines: list[str] = []
        if inst.trace_addon and inst.render_trace:
            traced = inst.program + "\n" + TRACE_SUPPORT + "\n" + inst.trace_addon
            try:
                events, _ = run_json(traced, "trace_json", **limits)
            except ProgramRejected as exc:
                raise ProgramRejected(exc.reason, f"trace program: {exc.detail}") from None
            items = events.get("events", [])
            lines = inst.render_trace(items, value)
            if len(items) >= MAX_TRACE_EVENTS:
                lines.append(f"(The search log is cut after its first {MAX_TRACE_EVENTS} steps; "
                             "the search goes on in the same way.)")
        if self.mode == "execution":
            lines.insert(0, "solve_json/0 calls answer/1; SWI-Prolog derives the answer as follows.")
        lines.append(f"Final answer: {canonical_json(value)}")
        return "\n".join(lines)

    def corrupt_answer(self, record: dict, rng: random.Random) -> str:
        """A wrong answer of the right shape: one value in the JSON changed."""
        value = json.loads(record["answer"])
        return canonical(_mutate(value, rng))


def _mutate(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice([-1, 1, 2])
    if isinstance(value, float):
        return value + 1.0
    if isinstance(value, str):
        return "No valid solution found" if value != "No valid solution found" else "found"
    if isinstance(value, list):
        if not value:
            return [0]
        i = rng.randrange(len(value))
        return value[:i] + [_mutate(value[i], rng)] + value[i + 1:]
    if isinstance(value, dict):
        if not value:
            return {"result": 0}
        k = rng.choice(sorted(value))
        return {**value, k: _mutate(value[k], rng)}
    return 0


@cache
def variant(name: str) -> type[PrologTask]:
    """The class of the task ``prolog/<family>/<mode>``: the mode bound to the ``FAMILY`` of the module that
    ``index.FAMILIES`` names for the family."""
    _, family, mode = name.split("/")
    module = importlib.import_module(f"reasonry.generators.prolog.{FAMILIES[family][0]}")
    return bind(module.FAMILY, mode, TASKS[name])


def bind(family_class: type[PrologFamily], mode: str, description: str = "") -> type[PrologTask]:
    """A task class posing ``family_class``'s problems in ``mode``, ``execution`` or ``solve``."""
    if mode not in ("execution", "solve"):
        raise ValueError(f"a Prolog task's mode is execution or solve, not {mode!r}")
    attrs = {"name": f"prolog/{family_class.name}/{mode}", "description": description,
             "family_class": family_class, "Config": family_class.Config, "levels": family_class.levels,
             "mode": mode, "__module__": family_class.__module__}
    return cast(type[PrologTask], type(f"{family_class.__name__}{mode.title()}", (PrologTask,), attrs))
