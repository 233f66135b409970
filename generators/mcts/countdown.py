"""Countdown: combine the given numbers with + - * / (positive integers only) to reach a target.

A state is the multiset of numbers left, each with the expression that made it. A step combines two of them;
the state with one number left is terminal and right exactly when that number is the target (the verifier,
kind ``countdown``, requires every given number to be used once).

The symbolic proposer is a noisy expert: each proposal slot holds, with probability ``skill``, a step after
which the target can still be reached (decided by a depth-first search memoised on the sorted numbers left),
and otherwise any legal step. That gives trees with both right and wrong terminal states, as a sampled model
policy would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from reasonry.generators.mcts.env import Step
from reasonry.verifiers import countdown as countdown_verifier

Item = tuple[int, str]  # (value, expression that produced it)
State = tuple[Item, ...]


def _combine(a: int, op: str, b: int) -> int | None:
    if op == "+":
        return a + b
    if op == "*":
        return a * b
    if op == "-":
        return a - b if a > b else None
    return a // b if b > 1 and a % b == 0 else None


def _wrap(expression: str) -> str:
    return expression if expression.isdigit() else f"({expression})"


def moves(state: State) -> list[tuple[int, str, int, int, State]]:
    """Every legal step: (a, op, b, result, next state), larger operand first, in a fixed order."""
    out = []
    seen = set()
    for i in range(len(state)):
        for j in range(len(state)):
            if i == j:
                continue
            (a, ea), (b, eb) = state[i], state[j]
            if a < b or (a == b and i > j):
                continue
            rest = tuple(item for n, item in enumerate(state) if n not in (i, j))
            for op in "+-*/":
                c = _combine(a, op, b)
                if c is None:
                    continue
                key = (a, op, b, ea, eb)
                if key in seen:
                    continue
                seen.add(key)
                expression = f"{_wrap(ea)} {op} {_wrap(eb)}"
                out.append((a, op, b, c, tuple(sorted(rest + ((c, expression),)))))
    return out


@lru_cache(maxsize=200_000)
def reachable(values: tuple[int, ...], target: int) -> bool:
    """Can the numbers (all of them, each once) make the target?"""
    if len(values) == 1:
        return values[0] == target
    for i in range(len(values)):
        for j in range(len(values)):
            if i == j or values[i] < values[j] or (values[i] == values[j] and i > j):
                continue
            rest = [v for n, v in enumerate(values) if n not in (i, j)]
            for op in "+-*/":
                c = _combine(values[i], op, values[j])
                if c is not None and reachable(tuple(sorted([*rest, c])), target):
                    return True
    return False


def step_text(a: int, op: str, b: int, c: int, nxt: State) -> str:
    return f"{a} {op} {b} = {c}; numbers left: {', '.join(str(v) for v, _ in nxt)}"


@dataclass(frozen=True)
class CountdownEnv:
    numbers: tuple[int, ...]
    target: int
    skill: float = 0.5

    def root(self) -> State:
        return tuple(sorted((n, str(n)) for n in self.numbers))

    def is_terminal(self, state: State) -> bool:
        return len(state) == 1

    def answer(self, state: State) -> str:
        return state[0][1]

    def answer_key(self, state: State) -> str:
        return str(state[0][0])

    def spec(self) -> dict:
        return {"numbers": list(self.numbers), "target": self.target}

    def reward(self, state: State) -> float:
        return 1.0 if countdown_verifier.verify(self.spec(), self.answer(state)).ok else -1.0

    def propose(self, state: State, rng: random.Random, k: int) -> list[Step]:
        legal = moves(state)
        good = [m for m in legal if reachable(tuple(v for v, _ in m[4]), self.target)]
        chosen: list = []
        for _ in range(min(k, len(legal))):
            pool = good if good and rng.random() < self.skill else legal
            options = [m for m in pool if m not in chosen] or [m for m in legal if m not in chosen]
            chosen.append(rng.choice(options))
        return [Step(step_text(a, op, b, c, nxt), nxt) for a, op, b, c, nxt in chosen]

    def parse_step(self, state: State, text: str) -> Step | None:
        head = text.split(";")[0].split("=")[0].split()
        if len(head) != 3 or not head[0].isdigit() or not head[2].isdigit():
            return None
        a, op, b = int(head[0]), head[1], int(head[2])
        for ma, mop, mb, c, nxt in moves(state):
            if (ma, mop, mb) == (a, op, b) or (op in "+*" and (ma, mop, mb) == (b, op, a)):
                return Step(step_text(ma, mop, mb, c, nxt), nxt)
        return None

    def problem_text(self) -> str:
        numbers = ", ".join(str(n) for n in self.numbers)
        return (f"Using the numbers {numbers}, each exactly once, and the operations +, -, * and /, make "
                f"{self.target}. Every intermediate result must be a positive whole number. "
                f"Give the expression as the final answer.")

    def describe(self, state: State) -> str:
        return "we had the numbers " + ", ".join(str(v) for v, _ in state)

    def terminal_text(self, state: State) -> str:
        value, expression = state[0]
        if value == self.target:
            return f"That leaves {value}, which is the target: {expression} = {value}."
        return f"That leaves {value}, but the target is {self.target}."


def draw_problem(rng: random.Random, count: int, max_number: int, target_range: tuple[int, int]
                 ) -> tuple[tuple[int, ...], int] | None:
    """Numbers and a target made by combining all of them at random; None if the draw misses the range."""
    numbers = tuple(rng.randint(1, max_number) for _ in range(count))
    values = list(numbers)
    while len(values) > 1:
        i, j = rng.sample(range(len(values)), 2)
        a, b = max(values[i], values[j]), min(values[i], values[j])
        results = {op: r for op in "+-*/" if (r := _combine(a, op, b)) is not None}
        c = results[rng.choice(list(results))]
        values = [v for n, v in enumerate(values) if n not in (i, j)] + [c]
    target = values[0]
    if not target_range[0] <= target <= target_range[1] or target in numbers:
        return None
    return numbers, target
