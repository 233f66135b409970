"""Column addition with TAIL states: each search step is one ``tail/addition`` column state.

The steps are the atomic, memory-fetching states of ``reasonry.generators.turing.addition`` (``Column i: fetch
a=A b=B c=C; sum=S; digit=D c=E``), so a search path is a TAIL trace with room for mistakes: a misread digit,
a forgotten carry, a slip in the column sum, a carry that is not passed on. The terminal state's answer is
scored by the TAIL verifier itself (``reasonry.verifiers.turing``, task ``tail/addition``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from reasonry.generators.mcts.env import Step
from reasonry.verifiers import turing as tail_verifier

State = tuple  # (column, carry, digits written so far, right to left)
COLUMN = re.compile(r"^Column (\d+): fetch a=(\d) b=(\d) c=(\d); sum=(\d+); digit=(\d) c=(\d)$")


def column_text(col: int, da: int, db: int, cin: int, total: int, digit: int, cout: int) -> str:
    return f"Column {col}: fetch a={da} b={db} c={cin}; sum={total}; digit={digit} c={cout}"


@dataclass(frozen=True)
class AdditionEnv:
    x1: str
    x2: str
    skill: float = 0.75

    @property
    def width(self) -> int:
        return max(len(self.x1), len(self.x2))

    def digits(self, col: int) -> tuple[int, int]:
        a, b = self.x1.rjust(self.width, "0"), self.x2.rjust(self.width, "0")
        return int(a[self.width - 1 - col]), int(b[self.width - 1 - col])

    def root(self) -> State:
        return (0, 0, ())

    def is_terminal(self, state: State) -> bool:
        return state[0] == self.width

    def answer(self, state: State) -> str:
        _, carry, digits = state
        text = (str(carry) if carry else "") + "".join(str(d) for d in reversed(digits))
        return text.lstrip("0") or "0"

    def answer_key(self, state: State) -> str:
        return self.answer(state)

    def spec(self) -> dict:
        return {"answer": str(int(self.x1) + int(self.x2)), "answer_type": "integer", "steps": "column_addition",
                "x1": self.x1, "x2": self.x2}

    def reward(self, state: State) -> float:
        verdict = tail_verifier.verify({"task": "tail/addition", "x1": self.x1, "x2": self.x2}, self.answer(state))
        return 1.0 if verdict.ok else -1.0

    def _step(self, state: State, da: int, db: int, cin: int, total: int, cout: int) -> Step:
        col, _, digits = state
        digit = total % 10
        return Step(column_text(col, da, db, cin, total, digit, cout), (col + 1, cout, (*digits, digit)))

    def _correct(self, state: State) -> Step:
        col, carry, _ = state
        da, db = self.digits(col)
        total = da + db + carry
        return self._step(state, da, db, carry, total, total // 10)

    def _mistakes(self, state: State) -> list[Step]:
        col, carry, _ = state
        da, db = self.digits(col)
        total = da + db + carry
        # Slips of +2 rather than +1, so that one slip cannot cancel a lost carry (-1) and still reach the
        # right sum by a wrong path.
        misread = (da + 2) % 10
        out = [
            self._step(state, da, db, 0, da + db, (da + db) // 10),             # carry forgotten
            self._step(state, da, db, carry, total + 2, (total + 2) // 10),     # slip in the sum
            self._step(state, da, db, carry, total, 0),                         # carry not passed on
            self._step(state, misread, db, carry, misread + db + carry, (misread + db + carry) // 10),  # misread
        ]
        correct = self._correct(state).text
        unique: dict[str, Step] = {}
        for step in out:
            if step.text != correct and step.state != self._correct(state).state:
                unique.setdefault(step.text, step)
        return list(unique.values())

    def propose(self, state: State, rng: random.Random, k: int) -> list[Step]:
        good, bad = [self._correct(state)], self._mistakes(state)
        chosen: list[Step] = []
        for _ in range(k):
            first, second = (good, bad) if rng.random() < self.skill else (bad, good)
            options = [s for s in first if s not in chosen] or [s for s in second if s not in chosen]
            if not options:
                break
            chosen.append(rng.choice(options))
        return chosen

    def parse_step(self, state: State, text: str) -> Step | None:
        m = COLUMN.match(text.strip())
        if not m:
            return None
        col, da, db, cin, total, digit, cout = map(int, m.groups())
        if col != state[0] or digit != total % 10:
            return None
        return self._step(state, da, db, cin, total, cout)

    def problem_text(self) -> str:
        return (f"Add {self.x1} and {self.x2} column by column, from the rightmost digit, carrying as you go. "
                f"Give the sum as the final answer.")

    def describe(self, state: State) -> str:
        col, carry, digits = state
        if col == 0:
            return "we had not written any digit yet"
        written = "".join(str(d) for d in reversed(digits))
        return f"we had written the digits {written} with carry {carry} into column {col}"

    def terminal_text(self, state: State) -> str:
        return f"Result: {self.answer(state)}"


def draw_problem(rng: random.Random, low: int, high: int) -> tuple[str, str]:
    def number(digits: int) -> str:
        return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))

    return number(rng.randint(low, high)), number(rng.randint(low, high))
