"""PDDL text -> unified-planning problem + STRIPS view, parsed once per process and cached.

unified-planning's reader (pyparsing) takes 50-150 ms for a small domain and problem, several times the cost
of validating a plan. Two things keep that off the per-record path:

- the domain is read once per distinct domain text (with an empty problem, so ``(increase (total-cost) n)``
  effects become an action-cost metric), and every problem is built on a clone of that template;
- a problem in the plain shape our generators write (objects, ground init atoms, a conjunction of ground
  goal atoms, ``(= (total-cost) 0)`` and ``(:metric minimize (total-cost))`` exactly when the domain has
  costs) is read by a small s-expression reader here; anything else goes to unified-planning's reader.

Both paths give the same problem (a test compares them on every domain). ``load_with_reader`` is the
reference path through unified-planning's reader alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from reasonry.verifiers.pddl.strips import StripsModel, from_up

if TYPE_CHECKING:
    from unified_planning.model import Problem


class ProblemError(ValueError):
    """The domain or problem text cannot be read; the message names which and why."""


@dataclass(frozen=True)
class Loaded:
    problem: Problem
    model: StripsModel


@dataclass(frozen=True)
class PlainProblem:
    name: str
    domain: str
    objects: tuple[tuple[str, tuple[str, ...]], ...]  # (type, names)
    init: tuple[tuple[str, ...], ...]
    goal: tuple[tuple[str, ...], ...]
    metric: bool


def quiet_environment():
    """unified-planning prints engine credits on first use; records and logs must not carry them."""
    from unified_planning.shortcuts import get_environment

    env = get_environment()
    env.credits_stream = None
    env.error_used_name = False
    return env


def _has_costs(domain_text: str) -> bool:
    return "total-cost" in domain_text.lower()


def _domain_name(domain_text: str) -> str:
    m = re.search(r"\(\s*define\s*\(\s*domain\s+([^\s()]+)\s*\)", domain_text, re.IGNORECASE)
    if not m:
        raise ProblemError("malformed domain: no '(define (domain NAME)' header")
    return m.group(1).lower()


@lru_cache(maxsize=32)
def domain_template(domain_text: str):
    """The domain parsed by unified-planning's reader, with an empty problem; clone it, never mutate it."""
    from unified_planning.io import PDDLReader

    quiet_environment()
    name = _domain_name(domain_text)
    if _has_costs(domain_text):
        empty = f"(define (problem empty) (:domain {name}) (:init (= (total-cost) 0)) (:goal (and)) " \
                "(:metric minimize (total-cost)))"
    else:
        empty = f"(define (problem empty) (:domain {name}) (:init) (:goal (and)))"
    try:
        return PDDLReader().parse_problem_string(domain_text, empty)
    except Exception as exc:  # the reader raises pyparsing and its own errors alike
        raise ProblemError(f"malformed domain: {type(exc).__name__}: {_first_line(exc)}") from None


def build(template, plain: PlainProblem):
    """A clone of ``template`` with the problem's objects, initial state and goal."""
    from unified_planning.model import Object

    problem = template.clone()
    problem.name = plain.name
    objects = {}
    for type_name, names in plain.objects:
        user_type = problem.user_type(type_name)
        for name in names:
            objects[name] = Object(name, user_type)
    problem.add_objects(list(objects.values()))
    for atom in plain.init:
        problem.set_initial_value(problem.fluent(atom[0])(*(objects[a] for a in atom[1:])), True)
    for atom in plain.goal:
        problem.add_goal(problem.fluent(atom[0])(*(objects[a] for a in atom[1:])))
    return problem


MAX_TEXT = 1_000_000  # characters per PDDL text: bounds the reader's time and memory


@lru_cache(maxsize=128)
def load(domain_text: str, problem_text: str) -> Loaded:
    if not isinstance(domain_text, str) or "(define" not in domain_text.lower():
        raise ProblemError("malformed domain: not a PDDL domain (no '(define')")
    if not isinstance(problem_text, str):
        raise ProblemError("malformed problem: not text")
    if len(domain_text) > MAX_TEXT or len(problem_text) > MAX_TEXT:
        raise ProblemError(f"domain or problem text longer than {MAX_TEXT} characters")
    template = domain_template(domain_text)
    plain = read_plain(problem_text)
    if plain is None or plain.metric != _has_costs(domain_text) or plain.domain != _domain_name(domain_text):
        return load_with_reader(domain_text, problem_text)
    try:
        problem = build(template, plain)
    except Exception:  # unknown type, predicate or object: the full reader gives the authoritative error
        return load_with_reader(domain_text, problem_text)
    return _with_model(problem)


def load_with_reader(domain_text: str, problem_text: str) -> Loaded:
    """The reference path: unified-planning's reader on both texts."""
    from unified_planning.io import PDDLReader

    quiet_environment()
    domain_template(domain_text)  # names the domain as the culprit when it is the domain that is broken
    try:
        problem = PDDLReader().parse_problem_string(domain_text, problem_text)
    except Exception as exc:
        raise ProblemError(f"malformed problem: {type(exc).__name__}: {_first_line(exc)}") from None
    return _with_model(problem)


def _with_model(problem) -> Loaded:
    try:
        model = from_up(problem)
    except ValueError as exc:
        raise ProblemError(f"unsupported domain: {exc}") from None
    return Loaded(problem, model)


_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def _sexp(text: str):
    stack: list[list] = [[]]
    for tok in _TOKEN.findall(re.sub(r";[^\n]*", "", text.lower())):
        if tok == "(":
            stack.append([])
        elif tok == ")":
            if len(stack) == 1:
                return None
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    if len(stack) != 1 or len(stack[0]) != 1:
        return None
    return stack[0][0]


def _atom(node) -> tuple[str, ...] | None:
    if isinstance(node, list) and node and all(isinstance(x, str) for x in node) and node[0] not in ("and", "not",
                                                                                                      "="):
        return tuple(node)
    return None


def read_plain(text: str) -> PlainProblem | None:
    """The problem if it has the plain shape described above, else None (use the full reader)."""
    tree = _sexp(text)
    if not isinstance(tree, list) or len(tree) < 3 or tree[0] != "define":
        return None
    head = tree[1]
    if not (isinstance(head, list) and len(head) == 2 and head[0] == "problem" and isinstance(head[1], str)):
        return None
    domain, objects, init, goal, metric = None, [], [], [], False
    for part in tree[2:]:
        if not isinstance(part, list) or not part or not isinstance(part[0], str):
            return None
        key = part[0]
        if key == ":domain" and len(part) == 2 and isinstance(part[1], str):
            domain = part[1]
        elif key == ":objects":
            if any(not isinstance(x, str) for x in part[1:]):
                return None
            pending: list[str] = []
            items = part[1:]
            i = 0
            while i < len(items):
                if items[i] == "-":
                    if i + 1 >= len(items) or not pending:
                        return None
                    objects.append((items[i + 1], tuple(pending)))
                    pending, i = [], i + 2
                else:
                    pending.append(items[i])
                    i += 1
            if pending:
                return None
        elif key == ":init":
            for fact in part[1:]:
                if fact == ["=", ["total-cost"], "0"]:
                    metric = True
                    continue
                atom = _atom(fact)
                if atom is None:
                    return None
                init.append(atom)
        elif key == ":goal" and len(part) == 2:
            node = part[1]
            parts = node[1:] if isinstance(node, list) and node and node[0] == "and" else [node]
            for g in parts:
                atom = _atom(g)
                if atom is None:
                    return None
                goal.append(atom)
        elif part == [":metric", "minimize", ["total-cost"]]:
            if not metric:
                return None
        else:
            return None
    if domain is None or (metric and [":metric", "minimize", ["total-cost"]] not in tree[2:]):
        return None
    return PlainProblem(head[1], domain, tuple(objects), tuple(init), tuple(goal), metric)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""
