"""Step proposers: a symbolic one that asks the environment, and one that asks a language model.

The model proposer is written against ``ModelClient``, the interface of ``reasonry.models``' client
(any object with that ``generate`` method works): one ``generate`` call carries every prompt of a search round.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reasonry.generators.mcts.env import Step
from reasonry.generators.mcts.search import Request
from reasonry.rng import derive_seed


class ModelClient(Protocol):
    def generate(self, prompts: list[str], *, n: int = 1, max_tokens: int = 256, temperature: float = 1.0,
                 top_p: float = 1.0, stop: list[str] | None = None, seed: int | None = None) -> list[list[str]]:
        """``n`` completions for each prompt, all prompts in one request."""


class SymbolicPolicy:
    """Proposals from the environment's own move generator (CPU only, no model)."""

    def __init__(self):
        self.calls = 0

    def propose(self, requests: Sequence[Request]) -> list[list[Step]]:
        self.calls += 1
        return [r.env.propose(r.state, r.rng, r.k) for r in requests]


def step_prompt(request: Request) -> str:
    """The model is shown the problem and the steps so far, and writes the next step on one line."""
    lines = [request.env.problem_text(), "",
             "Solve it one step at a time, in the format of the steps below. Write only the next step."]
    lines += [f"Step {i}: {text}" for i, text in enumerate(request.path, start=1)]
    lines.append(f"Step {len(request.path) + 1}:")
    return "\n".join(lines)


class ModelPolicy:
    """Proposals sampled from a model. ``n`` is the largest ``k`` of the round, so one request serves expansions
    (k = branching) and rollout steps (k = 1) together; completions that are not legal steps are dropped."""

    def __init__(self, client: ModelClient, *, max_tokens: int = 64, temperature: float = 1.0, top_p: float = 1.0):
        self.client = client
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.top_p = top_p
        self.calls = 0
        self.invalid = 0

    def propose(self, requests: Sequence[Request]) -> list[list[Step]]:
        if not requests:
            return []
        n = max(r.k for r in requests)
        # Each tree contributes one draw from its own generator, so a tree's seeds do not depend on which
        # other trees share the round.
        seed = derive_seed("mcts-round", *(r.rng.getrandbits(32) for r in requests)) % (2**31)
        completions = self.client.generate([step_prompt(r) for r in requests], n=n, max_tokens=self.max_tokens,
                                           temperature=self.temperature, top_p=self.top_p, stop=["\n"], seed=seed)
        self.calls += 1
        if len(completions) != len(requests):
            raise RuntimeError(f"model client returned {len(completions)} results for {len(requests)} prompts")
        out: list[list[Step]] = []
        for request, texts in zip(requests, completions, strict=True):
            steps: list[Step] = []
            seen: set[str] = set()
            for text in texts:
                step = request.env.parse_step(request.state, text.strip().split("\n")[0])
                if step is None:
                    self.invalid += 1
                elif step.text not in seen:
                    seen.add(step.text)
                    steps.append(step)
            out.append(steps[: request.k])
        return out
