"""Model-based answer check in the style of General-Verifier: (question, reference, candidate) -> Yes/No.

In the sampling stage it only ever runs after the rule-based check has said no (a rule-based yes is final), and
only where a rule can wrongly say no: free-form answer types (``answer_types``: expression, string) and web Q&A
(``tasks``). It is never asked about a record whose verifier decides exactly (TAIL replay, Prolog JSON, PDDL
plan validation, countdown), whatever the configuration says. It can rescue an equivalent answer written in a
form the rules do not parse; a rollout keeps both verdicts (``rule_correct`` and ``judge``).
The judge model is reached through ``reasonry.models.ModelClient``; its replies are cached
like any other model response. The decision is read from the last ``Final Decision: Yes|No`` in the reply;
a reply without one counts as No.

As a registered verifier (kind ``judge``) the spec carries everything: ``question``, ``reference`` and
``client`` (a ``ClientConfig`` mapping), plus optional ``max_tokens`` and ``template``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from reasonry.config import from_dict, require, to_dict
from reasonry.hashing import content_hash
from reasonry.verdict import Verdict

TEMPLATE = (
    "Question:\n{question}\n\n"
    "Reference answer:\n{reference}\n\n"
    "Candidate answer:\n{candidate}\n\n"
    "Decide whether the candidate answer means the same as the reference answer for this question. "
    "Do not solve the question yourself; only compare the two answers (equivalent forms, units and rounding "
    "that the question allows count as the same). "
    "End with exactly one line: \"Final Decision: Yes\" or \"Final Decision: No\".\n"
)

DECISION_RE = re.compile(r"final\s+decision\s*[:：]\s*\**\s*(yes|no)\b", re.IGNORECASE)


@dataclass(frozen=True)
class JudgeConfig:
    """``stages.sampling.judge``: off by default; ``client`` empty = the sampling model judges itself."""

    enabled: bool = False
    client: dict[str, Any] = field(default_factory=dict)
    # Where a rule-based "no" may be wrong: these answer types, and records of these task patterns.
    answer_types: tuple[str, ...] = ("expression", "string")
    tasks: tuple[str, ...] = ("webqa/*",)
    template: str = TEMPLATE
    max_tokens: int = 256
    temperature: float = 0.0
    seed: int = 0

    def __post_init__(self):
        require(self.max_tokens >= 1, "judge.max_tokens", "must be >= 1")
        exact = sorted(set(self.answer_types) & {"json", "plan"})
        require(not exact, "judge.answer_types", f"{exact} are checked exactly by an interpreter; a judge may not "
                                                 "overrule that")
        for name in ("{question}", "{reference}", "{candidate}"):
            require(name in self.template, "judge.template", f"must contain {name}")


def parse_decision(reply: str) -> bool | None:
    matches = DECISION_RE.findall(reply or "")
    if not matches:
        return None
    return matches[-1].lower() == "yes"


def judge_prompt(question: str, reference: str, candidate: str, template: str = TEMPLATE) -> str:
    return template.replace("{question}", question).replace("{reference}", reference) \
        .replace("{candidate}", candidate)


def decide(client, items: list[tuple[str, str, str]], config: JudgeConfig = JudgeConfig()) -> list[Verdict]:
    """One batched model call for many (question, reference, candidate) triples. A judge request the server
    refuses is a "no" with that reason (the rule's verdict stands); an unreachable server raises."""
    from reasonry.models import ModelRequestError  # lazy: the client needs httpx, the optional [llm] extra

    prompts = [judge_prompt(q, r, c, config.template) for q, r, c in items]
    replies = client.generate_each(prompts, n=1, max_tokens=config.max_tokens, temperature=config.temperature,
                                   seed=config.seed)
    verdicts = []
    for reply in replies:
        if isinstance(reply, ModelRequestError):
            verdicts.append(Verdict.no("judge request refused"))
            continue
        if isinstance(reply, Exception):
            raise reply
        decision = parse_decision(reply[0])
        if decision is None:
            verdicts.append(Verdict.no("no decision in judge reply"))
        else:
            verdicts.append(Verdict(decision, "yes" if decision else "no"))
    return verdicts


_CLIENTS: dict[str, Any] = {}
_LOCK = threading.Lock()


def client_for(client_config: dict):
    """A process-wide client per judge configuration (created on first use, never at import)."""
    from reasonry.models import ClientConfig, ModelClient  # lazy: httpx is the optional [llm] extra

    config = from_dict(ClientConfig, client_config, "judge.client")
    key = content_hash(to_dict(config))
    with _LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = ModelClient(config)
        return _CLIENTS[key]


check_trace = None  # the judge reads final answers only


def verify(spec: dict, candidate: str) -> Verdict:
    if not isinstance(candidate, str) or not candidate.strip():
        return Verdict.no("empty candidate")
    try:
        question, reference = str(spec["question"]), str(spec["reference"])
        config = JudgeConfig(max_tokens=int(spec.get("max_tokens", 256)), template=spec.get("template", TEMPLATE))
        client = client_for(spec["client"])
    except Exception as exc:  # a broken spec is the record's fault, not the candidate's
        return Verdict.no(f"bad spec: {type(exc).__name__}: {exc}")
    return decide(client, [(question, reference, candidate)], config)[0]
