"""Reward functions over the RL export, computed by the same verifiers that built the data.

Three trainer signatures, one scorer underneath:

- verl:     ``compute_score(data_source, solution_str, ground_truth, extra_info=None) -> float``
            (point ``custom_reward_function.path`` at this module, ``name: compute_score``)
- TRL:      ``trl_reward(prompts, completions, extra_info, **kwargs) -> list[float]`` (a GRPO reward function;
            TRL passes the dataset's ``extra_info`` column as a keyword)
- OpenRLHF: ``reward_func(queries, prompts, labels) -> list[float]`` (remote/custom reward function; ``labels``
            are the rows' ``extra_info`` objects or their ``verifier`` JSON text)

A reply scores 1.0 when every final answer it states passes the record's verifier, else 0.0; the answer
semantics (markers, hedging, equivalent forms) are ``reasonry.answers``', the same as ``reasonry verify`` and the
self-consistency grader. Nothing here raises on a model's output: an unparsable reply scores 0.
"""

from __future__ import annotations

import json
from typing import Any


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


def score(solution_str: str, extra_info: Any) -> float:
    """1.0 if the reply's final answer verifies against the row's verifier, else 0.0."""
    from reasonry.answers import grade

    try:
        verifier, answer_type = _verifier_and_type(extra_info)
        return 1.0 if grade(verifier, answer_type, solution_str).ok else 0.0
    except Exception:
        # A malformed row or a verifier fault must not stop a training run; it earns no reward.
        return 0.0


def compute_score(data_source: str, solution_str: str, ground_truth: str, extra_info: Any = None,
                  **kwargs: Any) -> float:
    """verl's custom reward signature. ``ground_truth`` is used only if a row carries no verifier."""
    if extra_info is None:
        return 0.0
    return score(solution_str, extra_info)


def _completion_text(completion: Any) -> str:
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):  # conversational: a list of messages; score the assistant's text
        return "\n".join(m.get("content", "") for m in completion if isinstance(m, dict)
                         and m.get("role", "assistant") == "assistant")
    return ""


def trl_reward(prompts: list, completions: list, extra_info: list | None = None, **kwargs) -> list[float]:
    """TRL GRPO reward function: one float per completion."""
    infos = extra_info if extra_info is not None else [None] * len(completions)
    return [score(_completion_text(c), info) if info is not None else 0.0
            for c, info in zip(completions, infos, strict=True)]


def reward_func(queries: list[str], prompts: list[str], labels: list) -> list[float]:
    """OpenRLHF custom reward function. ``queries`` are prompt + response; the prompt is cut off first, so an
    instruction in the prompt that mentions 'Final answer:' is never mistaken for the model's answer."""
    rewards = []
    for query, prompt, label in zip(queries, prompts, labels, strict=True):
        response = query[len(prompt):] if isinstance(query, str) and query.startswith(prompt) else query
        rewards.append(score(response, label))
    return rewards
