"""The environment protocol the search runs over, and the step type every environment shares.

An environment is one problem instance. States are immutable and hashable; a step carries the text written
into traces (``Step k: <text>``) and the state it leads to. Proposing steps is the policy's job: a symbolic
policy asks the environment (``propose``), a model policy asks a model and parses its text (``parse_step``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Step:
    text: str
    state: Any


class Environment(Protocol):
    def root(self) -> Any:
        """The initial state."""

    def is_terminal(self, state: Any) -> bool:
        """True when the state holds an answer (right or wrong)."""

    def answer(self, state: Any) -> str:
        """The answer a terminal state gives."""

    def answer_key(self, state: Any) -> str:
        """The answer in a normal form: terminal states with the same key give the same answer."""

    def reward(self, state: Any) -> float:
        """+1 if the verifier accepts the terminal state's answer, -1 if not."""

    def propose(self, state: Any, rng: random.Random, k: int) -> list[Step]:
        """Up to ``k`` distinct next steps from a non-terminal state, drawn with ``rng`` (symbolic policy)."""

    def parse_step(self, state: Any, text: str) -> Step | None:
        """The step a model wrote as text, or None if it is not a legal step from ``state``."""

    def problem_text(self) -> str:
        """The problem as posed (the start of every model prompt and of every trace)."""

    def describe(self, state: Any) -> str:
        """A short description of a state, used in backtrack passages ("where we had ...")."""

    def terminal_text(self, state: Any) -> str:
        """The line written when a trace reaches a terminal state."""


class VerifiedEnvironment(Environment, Protocol):
    """An environment a task poses: a registered verifier checks its answers and traces against ``spec()``."""

    def spec(self) -> dict:
        """The verifier spec of this problem."""
