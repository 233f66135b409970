"""Reward functions over the RL export, computed by the same verifiers that built the data.

Three trainer signatures, one scorer underneath:

- verl:     ``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs) -> float``
            (point ``custom_reward_function.path`` at this module, ``name: compute_score``)
- TRL:      ``trl_reward(prompts, completions, extra_info, **kwargs) -> list[float]`` (a GRPO reward function;
            TRL passes the dataset's ``extra_info`` column as a keyword)
- OpenRLHF: ``reward_func(queries, prompts, labels) -> list[float]`` (remote/custom reward function; ``labels``
            are the rows' ``extra_info`` objects or their ``verifier`` JSON text)

A reply scores 1.0 when every final answer it states passes the record's verifier, else 0.0; the answer
semantics (markers, hedging, equivalent forms) are ``reasonry.answers``', the same as ``reasonry verify`` and the
self-consistency grader. An unparsable reply scores 0.

A reward that cannot score says so, because a trainer fed silent zeros trains on nothing:

- a missing dependency (a Python package or the ``swipl`` binary a verifier needs) raises
  ``MissingDependencyError`` on the first row of that kind, naming the package and the install line;
- any other exception while scoring (a malformed row, a verifier fault) scores 0.0 so that a long run goes on,
  but is logged on its first occurrence per kind and counted: ``scoring_errors()`` returns the counts, and
  ``REASONRY_REWARD_STRICT=1`` turns it into an exception.

Importing this module imports nothing beyond the standard library: it works in a trainer's environment with
the light install (``pip install reasonry``), without Beam or any pipeline dependency.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import shutil
from collections import Counter
from typing import Any

from reasonry.answers import extract_answer, grade
from reasonry.registry import get_task

log = logging.getLogger("reasonry.rewards")

INSTALL = "pip install reasonry"
NUMERIC = ("integer", "float", "fraction", "percentage")
EXACT_SOURCES = ("reasonry/tail/", "reasonry/mcts/", "reasonry/prolog/", "reasonry/pddl/")

# What each verifier kind needs besides the standard library: (import name, PyPI name) or ("bin:<name>", how).
DEPENDENCIES: dict[str, tuple[tuple[str, str], ...]] = {
    "math": (("sympy", "sympy"), ("math_verify", "math-verify")),
    "countdown": (),
    "turing": (),
    "prolog": (("orjson", "orjson"), ("bin:swipl", "apt-get install swi-prolog-nox (SWI-Prolog)")),
    "pddl": (("unified_planning", "unified-planning"),),
}


class MissingDependencyError(ImportError):
    """A verifier cannot run here; the message names what is missing and how to install it."""


_checked: set[str] = set()
_errors: Counter[str] = Counter()


def _missing(kind: str) -> list[str]:
    missing = []
    for name, install in DEPENDENCIES.get(kind, ()):
        if name.startswith("bin:"):
            if shutil.which(name[4:]) is None:
                missing.append(f"the {name[4:]!r} program ({install})")
        elif importlib.util.find_spec(name) is None:
            missing.append(f"the Python package {install!r} (pip install {install}, or {INSTALL})")
    return missing


def require(kind: str) -> None:
    """Raise ``MissingDependencyError`` if rows checked by verifier ``kind`` cannot be scored here."""
    if kind in _checked:
        return
    missing = _missing(kind)
    if missing:
        raise MissingDependencyError(f"reasonry.rewards cannot score {kind!r} rows: missing " + "; ".join(missing))
    _checked.add(kind)


def scoring_errors() -> dict[str, int]:
    """How many rows scored 0.0 because of an exception rather than a wrong answer, by kind."""
    return dict(_errors)


def _count_error(kind: str, exc: BaseException) -> None:
    key = f"{kind}: {type(exc).__name__}"
    _errors[key] += 1
    n = _errors[key]
    if os.environ.get("REASONRY_REWARD_STRICT") == "1":
        raise RuntimeError(f"reasonry.rewards could not score a row ({key}: {exc})") from exc
    if n & (n - 1) == 0 and (n == 1 or n >= 1024 or n in (16, 256)):
        # first of its kind, then now and again with the running count; every one is in scoring_errors()
        log.warning("reasonry.rewards: %s while scoring (%s); the row scored 0.0 (%d so far of this kind, see "
                    "reasonry.rewards.scoring_errors())", key, exc, n)


def _verifier_and_type(info: Any) -> tuple[dict, str]:
    """Accept an ``extra_info`` object, a ``verifier`` object, or either as JSON text."""
    if isinstance(info, str):
        info = json.loads(info)
    if not isinstance(info, dict):
        raise ValueError("expected extra_info or verifier as an object or JSON text")
    if "verifier" in info:
        verifier = info["verifier"]
        verifier = json.loads(verifier) if isinstance(verifier, str) else verifier
        return verifier, info.get("answer_type") or reading_type(verifier)
    if "kind" in info and "spec" in info:
        return info, info.get("answer_type") or reading_type(info)
    raise ValueError("no verifier in extra_info")


def reading_type(verifier: dict) -> str:
    """The answer type a bare verifier implies, for reading a reply: Prolog programs and PDDL verdicts answer
    with JSON, other PDDL tasks with a plan, math specs name their type; the rest read as one line."""
    kind, spec = verifier.get("kind"), verifier.get("spec") or {}
    if kind == "prolog" or (kind == "pddl" and spec.get("mode") == "validate"):
        return "json"
    if kind == "pddl":
        return "plan"
    if kind == "math" and isinstance(spec.get("answer_type"), str):
        return spec["answer_type"]
    return "string"


def verdict_ok(verifier: dict, answer_type: str, reply: str) -> bool:
    """The rule-based verdict on a model reply (``reasonry.answers.grade``): every final answer it states
    passes the verifier. The one place where (reply, row) becomes a verdict."""
    return grade(verifier, answer_type, reply).ok


def score(solution_str: str, extra_info: Any) -> float:
    """1.0 if the reply's final answer verifies against the row's verifier, else 0.0."""
    reply = solution_str if isinstance(solution_str, str) else ""
    try:
        verifier, answer_type = _verifier_and_type(extra_info)
        kind = str(verifier["kind"])
    except Exception as exc:
        _count_error("malformed row", exc)
        return 0.0
    require(kind)
    try:
        return 1.0 if verdict_ok(verifier, answer_type, reply) else 0.0
    except ImportError as exc:
        raise MissingDependencyError(f"reasonry.rewards cannot score {kind!r} rows: {exc} ({INSTALL})") from exc
    except Exception as exc:
        _count_error(kind, exc)
        return 0.0


def _answer_type_of(data_source: str, ground_truth: str) -> str:
    """The answer type of a task named by verl's ``data_source`` (``reasonry/<task>``); from the shape of the
    reference answer when the task cannot be loaded here."""
    try:
        return get_task(str(data_source).removeprefix("reasonry/")).answer_type
    except Exception:
        text = str(ground_truth).strip()
        if text.startswith("{"):
            return "json"
        if text.startswith("(") and text.endswith(")") and "\n" in text:
            return "plan"
        return "string"


def score_ground_truth(data_source: str, solution_str: str, ground_truth: str) -> float:
    """Without the row's verifier: the reply's final answer against the reference answer, compared by the
    task's answer type (JSON as parsed objects, plans line by line, everything else by the math checker's
    equivalence). Stricter than the verifier where several answers are right (any valid plan)."""
    answer_type = _answer_type_of(data_source, ground_truth)
    if answer_type in NUMERIC and re.fullmatch(r"\s*[-+]?\d+\s*", str(ground_truth)):
        answer_type = "integer"  # exact: a float tolerance would pass a long integer with one wrong digit
    if answer_type not in ("json", "plan"):
        spec: dict[str, Any] = {"answer": str(ground_truth), "answer_type": answer_type}
        if str(data_source).startswith(EXACT_SOURCES):
            spec["rel_tol"] = 0.0  # computed by a program: every digit of the reference is meant
        return score(solution_str, {"verifier": {"kind": "math", "spec": spec}, "answer_type": answer_type})
    try:
        answer, _ = extract_answer(solution_str if isinstance(solution_str, str) else "", answer_type)
        if answer is None:
            return 0.0
        if answer_type == "json":
            try:
                candidate = json.loads(answer)
            except ValueError:
                return 0.0  # the model's JSON does not parse: a wrong answer, not a failure to score
            return 1.0 if candidate == json.loads(ground_truth) else 0.0
        # lazy: the PDDL verifier package takes about 0.2 s to import, and only plan rows need it
        from reasonry.verifiers.pddl.plan_text import PlanSyntaxError, parse_plan

        try:  # the same spellings the plan verifier reads: any case, numbered, several actions on one line
            return 1.0 if parse_plan(answer, 10_000) == parse_plan(str(ground_truth), 10_000) else 0.0
        except PlanSyntaxError:
            return 0.0
    except Exception as exc:
        _count_error(f"ground_truth {answer_type}", exc)
        return 0.0


def compute_score(data_source: str, solution_str: str, ground_truth: str, extra_info: Any = None,
                  **kwargs: Any) -> float:
    """verl's custom reward signature (verl passes these as keywords, with extra ones such as ``num_turns``).
    With the row's ``extra_info`` the reply is checked by its verifier; without it, against ``ground_truth``."""
    if extra_info is None or (isinstance(extra_info, dict) and "verifier" not in extra_info
                              and not {"kind", "spec"} <= extra_info.keys()):
        return score_ground_truth(data_source, solution_str, ground_truth)
    return score(solution_str, extra_info)


def _completion_text(completion: Any) -> str:
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):  # conversational: a list of messages; score the assistant's text
        return "\n".join(m.get("content", "") for m in completion if isinstance(m, dict)
                         and m.get("role", "assistant") == "assistant")
    return ""


def trl_reward(prompts: list, completions: list, extra_info: list | None = None, **kwargs) -> list[float]:
    """TRL GRPO reward function: one float per completion. Rows without ``extra_info`` raise: TRL passes every
    dataset column as a keyword, so its absence means the dataset is not an ``rl-*`` export."""
    if extra_info is None:
        raise ValueError("trl_reward needs the RL export's extra_info column (load an rl-* config)")
    return [score(_completion_text(c), info) for c, info in zip(completions, extra_info, strict=True)]


def reward_func(queries: list[str], prompts: list[str], labels: list) -> list[float]:
    """OpenRLHF custom reward function. ``queries`` are prompt + response; the prompt is cut off first, so an
    instruction in the prompt that mentions 'Final answer:' is never mistaken for the model's answer."""
    rewards = []
    for query, prompt, label in zip(queries, prompts, labels, strict=True):
        response = query[len(prompt):] if isinstance(query, str) and query.startswith(prompt) else query
        rewards.append(score(response, label))
    return rewards
