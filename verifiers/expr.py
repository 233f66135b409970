"""A small arithmetic parser that never evaluates text as Python.

Candidate answers and trace steps are untrusted text. ``sympy.parse_expr`` (and math-verify's plain-expression
extraction, which uses it) runs ``eval``; this module tokenises and parses with a Pratt parser instead and
builds a plain tuple tree, which callers turn into an exact ``Fraction`` or a sympy expression. Sizes are
bounded (text length, nesting depth, exponents) so a hostile input cannot make evaluation explode.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

MAX_TEXT = 2000
MAX_DEPTH = 60
MAX_EXPONENT = 1000
MAX_DIGITS = 400

FUNCTIONS = ("sqrt", "sin", "cos", "tan", "log", "ln", "exp", "abs")
CONSTANTS = ("pi",)
GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "sigma", "phi", "omega", "tau")
# A variable is one letter with an optional index (x, y2, a_1) or a Greek letter's name; any other word is not
# part of an answer's arithmetic and is refused.
_VARIABLE = re.compile(r"^[A-Za-z](_?\d{1,3})?$")

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/^(),]|×|÷|−))")

# Tree nodes: ("num", Fraction) | ("var", name) | ("neg", a) | ("add"|"sub"|"mul"|"div"|"pow", a, b)
#             | ("call", name, a)
Node = tuple


class ParseError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_TEXT:
        raise ParseError("expression too long")
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ParseError(f"unexpected character at {pos}: {text[pos:pos + 10]!r}")
        number, name, op = m.groups()
        if number is not None:
            if len(number) > MAX_DIGITS:
                raise ParseError("number too long")
            out.append(("num", number))
        elif name is not None:
            out.append(("name", name))
        else:
            op = {"×": "*", "÷": "/", "−": "-", "**": "^"}.get(op, op)
            out.append(("op", op))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], variables: bool, implicit: bool):
        self.tokens = tokens
        self.i = 0
        self.variables = variables
        self.implicit = implicit

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise ParseError("unexpected end of expression")
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        tok = self.take()
        if tok != ("op", op):
            raise ParseError(f"expected {op!r}, got {tok[1]!r}")

    def expression(self, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise ParseError("expression nested too deeply")
        node = self.term(depth)
        while (tok := self.peek()) in (("op", "+"), ("op", "-")):
            self.take()
            node = ("add" if tok[1] == "+" else "sub", node, self.term(depth))
        return node

    def _starts_factor(self, tok: tuple[str, str] | None) -> bool:
        return tok is not None and (tok[0] in ("num", "name") or tok == ("op", "("))

    def term(self, depth: int) -> Node:
        node = self.unary(depth)
        while True:
            tok = self.peek()
            if tok in (("op", "*"), ("op", "/")):
                self.take()
                node = ("mul" if tok[1] == "*" else "div", node, self.unary(depth))
            elif self.implicit and self._starts_factor(tok):
                node = ("mul", node, self.power(depth))
            else:
                return node

    def unary(self, depth: int) -> Node:
        tok = self.peek()
        if tok in (("op", "-"), ("op", "+")):
            self.take()
            inner = self.unary(depth + 1)
            return ("neg", inner) if tok[1] == "-" else inner
        return self.power(depth)

    def power(self, depth: int) -> Node:
        base = self.atom(depth)
        if self.peek() == ("op", "^"):
            self.take()
            return ("pow", base, self.unary(depth + 1))  # right-associative: 2^3^2 = 2^(3^2)
        return base

    def atom(self, depth: int) -> Node:
        kind, text = self.take()
        if kind == "num":
            return ("num", Fraction(text))
        if kind == "name":
            if text in FUNCTIONS:
                if not self.variables:
                    raise ParseError(f"function {text!r} is not allowed here")
                self.expect("(")
                arg = self.expression(depth + 1)
                self.expect(")")
                return ("call", text, arg)
            if not self.variables:
                raise ParseError(f"name {text!r} is not allowed here")
            if not (_VARIABLE.match(text) or text in GREEK or text in CONSTANTS):
                raise ParseError(f"unknown name {text!r}")
            return ("var", text)
        if text == "(":
            node = self.expression(depth + 1)
            self.expect(")")
            return node
        raise ParseError(f"unexpected {text!r}")


def parse(text: str, *, variables: bool = True, implicit: bool = True) -> Node:
    """The tree of an arithmetic expression; ``ParseError`` on anything else."""
    if not isinstance(text, str):
        raise ParseError("not text")
    tokens = _tokens(text)
    if not tokens:
        raise ParseError("empty expression")
    parser = _Parser(tokens, variables, implicit)
    node = parser.expression()
    extra = parser.peek()
    if extra is not None:
        raise ParseError(f"unexpected {extra[1]!r} after the expression")
    return node


def to_fraction(node: Node) -> Fraction:
    """Exact value of a variable-free tree (integer powers only); ``ParseError`` where there is none."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "neg":
        return -to_fraction(node[1])
    if kind in ("add", "sub", "mul", "div", "pow"):
        a, b = to_fraction(node[1]), to_fraction(node[2])
        if kind == "add":
            return a + b
        if kind == "sub":
            return a - b
        if kind == "mul":
            return a * b
        if kind == "div":
            if b == 0:
                raise ParseError("division by zero")
            return a / b
        if b.denominator != 1 or abs(b) > MAX_EXPONENT:
            raise ParseError("only small integer exponents are exact")
        if a == 0 and b < 0:
            raise ParseError("division by zero")
        return a ** int(b)
    raise ParseError(f"{kind} has no exact rational value")


def to_sympy(node: Node) -> Any:
    """A sympy expression for the tree; variables become real symbols."""
    import sympy

    kind = node[0]
    if kind == "num":
        return sympy.Rational(node[1].numerator, node[1].denominator)
    if kind == "var":
        if node[1] == "pi":
            return sympy.pi
        if node[1] == "e":
            return sympy.E
        return sympy.Symbol(node[1], real=True)
    if kind == "neg":
        return -to_sympy(node[1])
    if kind == "call":
        arg = to_sympy(node[2])
        fn = {"sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "log": sympy.log,
              "ln": sympy.log, "exp": sympy.exp, "abs": sympy.Abs}[node[1]]
        return fn(arg)
    a, b = to_sympy(node[1]), to_sympy(node[2])
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        return a / b
    if b.is_number and (not b.is_finite or abs(b) > MAX_EXPONENT):
        raise ParseError("exponent too large")
    return a ** b


def leaves(node: Node) -> list[Fraction]:
    """The number literals of a tree, left to right."""
    if node[0] == "num":
        return [node[1]]
    if node[0] in ("var",):
        return []
    if node[0] in ("neg", "call"):
        return leaves(node[-1])
    return leaves(node[1]) + leaves(node[2])


def operators(node: Node) -> set[str]:
    if node[0] in ("num", "var"):
        return set()
    if node[0] == "neg":
        return {"neg"} | operators(node[1])
    if node[0] == "call":
        return {"call"} | operators(node[2])
    return {node[0]} | operators(node[1]) | operators(node[2])


def rational(text: str) -> Fraction | None:
    """An exact number from text such as ``-3/4``, ``1.25`` or ``2^10``; None if it is not one."""
    try:
        return to_fraction(parse(text.replace(",", "") if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", text.strip())
                                 else text, variables=False, implicit=False))
    except (ParseError, ZeroDivisionError, OverflowError):
        return None
