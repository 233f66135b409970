"""Linear equations in x, solved by algebraic steps that sympy checks.

A state is an equation (sympy lhs, rhs). A step applies an operation to both sides (subtract a term, divide by
the coefficient, clear denominators, swap sides) and is written ``<what was done> => <new equation>``. Mistakes
are real: a sign error when a term is moved, a term removed from one side only, a division done as a
multiplication, an arithmetic slip. Every proposed step is classified by sympy (does it keep the solution
set?), so a mistake is never a correct step by accident. ``x = <number>`` is terminal; an equation without x
is terminal too ("no solution" / "every x"), and always wrong here because the problems have one solution.

Harder problems (``products``) write each side as a product of two binomials plus a constant, with squares that
cancel, e.g. ``(x - 3)*(x + 2) + 4 = (x + 1)*(x + 5) - 2``: they take two more steps (expand the brackets on
both sides, subtract the square from both sides) before the linear ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy

from reasonry.generators.mcts.env import Step
from reasonry.verifiers import math as math_verifier
from reasonry.verifiers.math_steps import equation_sides, solution_set

X = sympy.Symbol("x", real=True)

State = tuple  # (lhs, rhs) sympy expressions


def show(expr) -> str:
    return sympy.sstr(expr)


def _parts(side) -> tuple:
    """(coefficient of x, constant) of a linear side."""
    side = sympy.expand(side)
    return side.coeff(X, 1), side.coeff(X, 0)


def _take(term) -> str:
    """'subtract 3 from both sides', or 'add 3 to both sides' for a negative term."""
    if sympy.sign(sympy.expand(term).subs(X, 1)) < 0:
        return f"add {show(-term)} to both sides"
    return f"subtract {show(term)} from both sides"


@lru_cache(maxsize=50_000)
def _solutions(lhs, rhs) -> tuple:
    return solution_set(lhs, rhs)


def _unexpanded(lhs, rhs) -> bool:
    return sympy.expand(lhs) != lhs or sympy.expand(rhs) != rhs


def _square(lhs):
    """The x**2 term of an expanded side (the problems' squares cancel, so both sides carry the same one)."""
    return lhs.coeff(X, 2) * X**2


def _correct_moves(lhs, rhs) -> list[tuple[str, State]]:
    if _unexpanded(lhs, rhs):
        return [("expand the brackets on both sides", (sympy.expand(lhs), sympy.expand(rhs)))]
    square = _square(lhs)
    if square != 0:
        return [(_take(square), (sympy.expand(lhs - square), sympy.expand(rhs - square)))]
    a, b = _parts(lhs)
    c, d = _parts(rhs)
    out = []
    denominators = [sympy.fraction(v)[1] for v in (a, b, c, d)]
    lcm = sympy.ilcm(*denominators) if denominators else 1
    if lcm != 1:
        out.append((f"multiply both sides by {lcm}", (sympy.expand(lhs * lcm), sympy.expand(rhs * lcm))))
    if c != 0:
        out.append((_take(c * X), (sympy.expand(lhs - c * X), sympy.expand(rhs - c * X))))
    if a != 0 and c != 0:
        out.append((_take(a * X), (sympy.expand(lhs - a * X), sympy.expand(rhs - a * X))))
    if a != 0 and b != 0:
        out.append((_take(b), (sympy.expand(lhs - b), sympy.expand(rhs - b))))
    if a == 0 and c != 0:
        out.append(("swap the two sides", (rhs, lhs)))
    if a != 0 and a != 1 and b == 0 and c == 0:
        out.append((f"divide both sides by {show(a)}", (sympy.expand(lhs / a), sympy.expand(rhs / a))))
    return out


def _mistakes(lhs, rhs) -> list[tuple[str, State]]:
    # Slips here all raise lhs - rhs (as the constant slip below does), so two of them never cancel into a right
    # answer reached by a wrong path.
    if _unexpanded(lhs, rhs):
        # a slip in one product's constant term
        return [("expand the brackets on both sides", (sympy.expand(lhs) + 1, sympy.expand(rhs))),
                ("expand the brackets on both sides", (sympy.expand(lhs), sympy.expand(rhs) - 2))]
    square = _square(lhs)
    if square != 0:
        # the square goes, and a constant is slipped on the way
        return [(_take(square), (sympy.expand(lhs - square), sympy.expand(rhs - square - 3)))]
    a, b = _parts(lhs)
    c, d = _parts(rhs)
    out = []
    if a != 0 and b != 0:
        # moves the constant across without changing its sign
        out.append((_take(b), (sympy.expand(lhs - b), sympy.expand(rhs + b))))
    if c != 0:
        # the x term is taken from the right side only
        out.append((_take(c * X), (lhs, sympy.expand(rhs - c * X))))
        out.append((_take(c * X), (sympy.expand(lhs + c * X), sympy.expand(rhs - c * X))))
    if a != 0 and a != 1 and b == 0 and c == 0:
        out.append((f"divide both sides by {show(a)}", (X, sympy.expand(rhs * a))))
        out.append((f"divide both sides by {show(a)}", (X, sympy.expand(rhs / a + 1))))
    if a != 0 and a != 1 and b == 0 and c == 0 and a != -1:
        out.append((f"divide both sides by {show(a)}", (X, sympy.expand(-rhs / a))))
    if b != 0 and a != 0:
        out.append((_take(b), (sympy.expand(lhs - b), sympy.expand(rhs - b - 1))))
    return out


@dataclass(frozen=True)
class EquationEnv:
    lhs_text: str
    rhs_text: str
    skill: float = 0.6

    @property
    def equation(self) -> str:
        return f"{self.lhs_text} = {self.rhs_text}"

    def root(self) -> State:
        return equation_sides(self.equation)

    def gold(self) -> Fraction:
        kind, *value = _solutions(*self.root())
        return value[0]

    def is_terminal(self, state: State) -> bool:
        lhs, rhs = state
        if X not in lhs.free_symbols and X not in rhs.free_symbols:
            return True
        return lhs == X and rhs.is_Rational

    def answer(self, state: State) -> str:
        lhs, rhs = state
        if lhs == X:
            return show(rhs)
        return "every x" if sympy.simplify(lhs - rhs) == 0 else "no solution"

    def answer_key(self, state: State) -> str:
        return self.answer(state)

    def spec(self) -> dict:
        value = self.gold()
        return {"answer": str(value), "answer_type": "integer" if value.denominator == 1 else "fraction",
                "steps": "linear_equation", "equation": self.equation}

    def reward(self, state: State) -> float:
        return 1.0 if math_verifier.verify(self.spec(), self.answer(state)).ok else -1.0

    def _step(self, description: str, nxt: State) -> Step:
        return Step(f"{description} => {show(nxt[0])} = {show(nxt[1])}", nxt)

    def propose(self, state: State, rng: random.Random, k: int) -> list[Step]:
        lhs, rhs = state
        before = _solutions(lhs, rhs)
        good = [(t, s) for t, s in _correct_moves(lhs, rhs) if _solutions(*s) == before]
        bad = [(t, s) for t, s in _mistakes(lhs, rhs) if _safe_solutions(s) != before]
        chosen: list = []
        for _ in range(k):
            first, second = (good, bad) if rng.random() < self.skill else (bad, good)
            options = [m for m in first if m not in chosen] or [m for m in second if m not in chosen]
            if not options:
                break
            chosen.append(rng.choice(options))
        return [self._step(t, s) for t, s in chosen]

    def parse_step(self, state: State, text: str) -> Step | None:
        description, sep, equation = text.rpartition("=>")
        description = description.strip() if sep else "rewrite the equation"
        try:
            nxt = equation_sides(equation)
            _solutions(*nxt)
        except Exception:  # any unparsable or non-linear text is just not a step
            return None
        return self._step(description, nxt)

    def problem_text(self) -> str:
        return f"Solve for x: {self.equation}. Give the exact value of x as the final answer."

    def describe(self, state: State) -> str:
        return f"we had {show(state[0])} = {show(state[1])}"

    def terminal_text(self, state: State) -> str:
        lhs, rhs = state
        if lhs == X:
            return f"So x = {show(rhs)}."
        return f"The x terms cancel, leaving {show(lhs)} = {show(rhs)}, so there is {self.answer(state)}."


def _safe_solutions(state: State):
    try:
        return _solutions(*state)
    except ValueError:
        return None


def draw_problem(rng: random.Random, max_coefficient: int, fraction_probability: float,
                 products: float = 0.0) -> tuple[str, str]:
    """``a*x + b = c*x + d`` with one solution (an integer, or a fraction with probability); with probability
    ``products`` each side is written as ``(x + p)*(x + q) + k`` whose square cancels (the same equation)."""
    a = rng.choice([v for v in range(-max_coefficient, max_coefficient + 1) if v != 0])
    c = rng.choice([v for v in range(-max_coefficient, max_coefficient + 1) if v != a])
    if rng.random() < fraction_probability:
        a = sympy.Rational(a, rng.randint(2, 4))
    b = rng.randint(-3 * max_coefficient, 3 * max_coefficient)
    solution = sympy.Rational(rng.randint(-2 * max_coefficient, 2 * max_coefficient))
    if rng.random() < fraction_probability:
        solution = solution / rng.randint(2, 3)
    d = sympy.expand((a - c) * solution + b)
    lhs, rhs = sympy.expand(a * X + b), sympy.expand(c * X + d)
    if products and rng.random() < products:  # no draw at all when products is 0: the plain problems keep their rng
        lhs, rhs = _as_product(rng, a, b, max_coefficient), _as_product(rng, c, d, max_coefficient)
    return show(lhs), show(rhs)


def _as_product(rng: random.Random, a, b, max_coefficient: int):
    """``(x + p)*(x + q) + k`` equal to ``x**2 + a*x + b`` (p + q = a, k = b - p*q)."""
    p = rng.randint(-max_coefficient, max_coefficient)
    q = a - p
    return sympy.Mul(X + p, X + q) + (b - p * q)
