"""An environment whose steps are any non-empty line of model text.

A model with random weights (the only kind that runs offline) writes noise; this environment lets that noise
drive real multi-round searches, so the model policy's batching can be checked and measured against a live
server. Its terminal reward is a fixed rule on the text. It has no symbolic proposer.
"""

from __future__ import annotations

from dataclasses import dataclass

from reasonry.generators.mcts.env import Step


@dataclass(frozen=True)
class FreeTextEnv:
    topic: str
    depth: int = 2

    def root(self):
        return ()

    def is_terminal(self, state):
        return len(state) >= self.depth

    def answer(self, state):
        return state[-1]

    def answer_key(self, state):
        return state[-1]

    def reward(self, state):
        return 1.0 if sum(len(s) for s in state) % 2 == 0 else -1.0

    def propose(self, state, rng, k):
        raise AssertionError("FreeTextEnv has no symbolic proposer: search it with a model policy")

    def parse_step(self, state, text):
        text = " ".join(text.split())[:40]
        return Step(text, (*state, text)) if text else None

    def problem_text(self):
        return f"Write about {self.topic}."

    def describe(self, state):
        return f"{len(state)} steps"

    def terminal_text(self, state):
        return "Done."
