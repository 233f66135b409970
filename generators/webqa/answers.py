"""Answer typing: a human-written final answer -> (General-Reasoner answer type, canonical answer text).

The canonical text is what the ``math`` verifier compares against, so it is kept in a form that verifier can
parse: plain decimals, reduced ``p/q`` fractions, ``N%`` percentages, ``True``/``False``, one upper-case
option letter, ``a, b, c`` lists and ``[[1, 2], [3, 4]]`` matrices. Anything we cannot type confidently as a
short answer is refused (``None``), so the page is dropped with a reason instead of producing an
unverifiable record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from reasonry.currency import CURRENCY_CODES, split_currency
from reasonry.numbers import canonical_decimal, parse_decimal

ANSWER_TYPES = ("integer", "float", "fraction", "percentage", "expression", "boolean", "multiple_choice",
                "string", "list", "matrix")

_TRUE = {"yes", "true", "correct", "right", "y"}
_FALSE = {"no", "false", "incorrect", "wrong", "n"}
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(rf"^{_NUMBER}$")
_SCI_TIMES = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(?:\\times|×|x|\*)\s*10\s*\^\s*\{?\s*([+-]?\d+)\s*\}?$")
_FRACTION = re.compile(r"^([+-]?\d+)\s*/\s*(\d+)$")
_LATEX_FRAC = re.compile(r"^([+-]?)\\[dt]?frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}$")
_PERCENT = re.compile(rf"^({_NUMBER})\s*(?:\\?%|percent|per cent)$", re.IGNORECASE)
_CHOICE = re.compile(r"^(?:\(?(?:option|choice|answer)\s*)?\(?([A-Ha-h])\)?[.):]?$", re.IGNORECASE)
_OPTION_WORD = re.compile(r"^(?:option|choice)\s+\(?([A-Ha-h])\)?\.?$", re.IGNORECASE)
# Units that may follow a numeric answer; the number is the verifiable part, the unit goes to meta.
_UNIT = re.compile(r"^(" + _NUMBER + r")\s*(?:\\,|\\ |\s)?\s*(\\?[a-zA-Zµμ°Ω/^0-9·\-\s\\{}]{1,16})$")
_KNOWN_UNITS = {
    "m", "cm", "mm", "km", "s", "ms", "min", "h", "hours", "hour", "minutes", "seconds", "kg", "g", "mg", "n",
    "j", "kj", "w", "kw", "v", "a", "ohm", "ω", "hz", "khz", "pa", "kpa", "atm", "mol", "l", "ml", "k", "°c",
    "°f", "°", "degrees", "m/s", "km/h", "m/s^2", "m/s²", "mph", "ev", "j/mol", "kj/mol", "g/mol", "mol/l",
    "cm^2", "cm^3", "m^2", "m^3", "units", "dollars", "cents", "meters", "grams", "liters", "days", "years",
    "\\text{m}", "\\text{cm}", "\\text{kg}", "\\text{s}",
}
_OPTION_IN_QUESTION = re.compile(r"(?:^|\s|\n)\(?[A-H][).:]\s")
_MATH_COMMANDS = re.compile(r"\\(?:frac|dfrac|sqrt|pi|sin|cos|tan|log|ln|cdot|times|infty|theta|alpha|beta)")


@dataclass(frozen=True)
class TypedAnswer:
    answer_type: str
    answer: str
    unit: str | None = None  # a physical unit as written, or an ISO 4217 code for money

    @property
    def currency(self) -> str | None:
        return self.unit if self.unit in CURRENCY_CODES else None


def strip_math(text: str) -> str:
    """Remove the wrappers people put around a final answer: ``$...$``, ``\\boxed{}``, trailing period."""
    s = text.strip()
    for _ in range(3):
        before = s
        s = re.sub(r"^\$\$?(.*?)\$?\$$", r"\1", s, flags=re.S).strip()
        s = re.sub(r"^\\\((.*)\\\)$", r"\1", s, flags=re.S).strip()
        s = re.sub(r"^\\\[(.*)\\\]$", r"\1", s, flags=re.S).strip()
        m = re.match(r"^\\boxed\s*\{(.*)\}$", s, flags=re.S)
        if m:
            s = m.group(1).strip()
        s = re.sub(r"^\*\*(.*)\*\*$", r"\1", s).strip()
        s = s.rstrip(".").strip() if not re.search(r"\d\.$", s) or s.endswith("..") else s.rstrip(".")
        if s == before:
            break
    return re.sub(r"\s+", " ", s)


def _number_text(text: str) -> str | None:
    """A canonical decimal for a plain or scientific number (thousands separators allowed), else None."""
    t = text.replace(" ", "")
    m = _SCI_TIMES.match(text.strip())
    if m:
        t = f"{m.group(1)}e{m.group(2)}"
    if not _NUMBER_RE.match(t) and not m:
        return None
    t = t.replace(",", "")
    if "e" in t.lower():
        mantissa, _, exponent = t.lower().partition("e")
        value = parse_decimal(mantissa)
        if value is None:
            return None
        return canonical_decimal(value.scaleb(int(exponent)))
    value = parse_decimal(t)
    return None if value is None else canonical_decimal(value)


def _split_items(body: str) -> list[str] | None:
    depth = 0
    items: list[str] = []
    current: list[str] = []
    for ch in body:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch in ",;" and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return items if all(items) else None


def _matrix(text: str) -> str | None:
    s = text.strip()
    m = re.match(r"^\\begin\{([pbvB]?matrix)\}(.*)\\end\{\1\}$", s, flags=re.S)
    rows: list[list[str]] = []
    if m:
        for row in m.group(2).split(r"\\"):
            if row.strip():
                rows.append([c.strip() for c in row.split("&")])
    elif s.startswith("[[") and s.endswith("]]"):
        for row in re.findall(r"\[([^\[\]]*)\]", s[1:-1]):
            rows.append([c.strip() for c in row.split(",")])
    else:
        return None
    if not rows or len({len(r) for r in rows}) != 1:
        return None
    cells: list[list[str]] = []
    for row in rows:
        out: list[str] = []
        for cell in row:
            canon = _number_text(cell)
            if canon is None:
                canon = _fraction_text(cell)
            if canon is None:
                return None
            out.append(canon)
        cells.append(out)
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in cells) + "]"


def _fraction_text(text: str) -> str | None:
    s = text.replace(" ", "")
    m = _FRACTION.match(s)
    if m:
        num, den = int(m.group(1)), int(m.group(2))
    else:
        m = _LATEX_FRAC.match(text.strip())
        if not m:
            return None
        num, den = int(m.group(2)), int(m.group(3))
        if m.group(1) == "-":
            num = -num
    if den == 0:
        return None
    value = Fraction(num, den)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def _looks_like_expression(s: str) -> bool:
    if _MATH_COMMANDS.search(s):
        return True
    if re.search(r"\d\s*[a-zA-Z]\b|[a-zA-Z]\s*\^|\^|[+\-*/=]|√|π", s):
        words = re.findall(r"[A-Za-z]{4,}", s)
        return not words or all(w.lower() in {"sqrt", "frac", "text", "cdot", "times", "infty", "theta", "alpha",
                                               "beta", "gamma", "delta", "lambda", "sigma", "omega"} for w in words)
    return False


def has_choices(question: str) -> bool:
    """Does the question list lettered options, so that a bare letter answer is a choice?"""
    return len(_OPTION_IN_QUESTION.findall(question or "")) >= 2


def type_answer(raw: str, *, question: str = "", max_words: int = 8, max_chars: int = 120) -> TypedAnswer | None:
    """Classify and canonicalise one final answer; None when it is not a short verifiable answer.

    A bare letter is a multiple-choice answer only when the question lists lettered options.
    """
    if not isinstance(raw, str):
        return None
    s = strip_math(raw)
    if not s or len(s) > max_chars:
        return None
    low = s.lower()
    if low in _TRUE:
        return TypedAnswer("boolean", "True")
    if low in _FALSE:
        return TypedAnswer("boolean", "False")
    m = _OPTION_WORD.match(s) or (_CHOICE.match(s) if len(s) <= 4 and not s.isdigit() else None)
    if m and has_choices(question):
        return TypedAnswer("multiple_choice", m.group(1).upper())
    money = split_currency(s)
    if money is not None:  # $100, 100 USD, €5: a number, with its currency as the unit
        num = _number_text(money[0])
        if num is not None:
            return TypedAnswer("float" if "." in num else "integer", num, unit=money[1])
    m = _PERCENT.match(s)
    if m:
        value = _number_text(m.group(1))
        if value is not None:
            return TypedAnswer("percentage", value + "%")
    frac = _fraction_text(s)
    if frac is not None:
        return TypedAnswer("integer" if "/" not in frac else "fraction", frac)
    num = _number_text(s)
    if num is not None:
        return TypedAnswer("float" if "." in num else "integer", num)
    matrix = _matrix(s)
    if matrix is not None:
        return TypedAnswer("matrix", matrix)
    m = _UNIT.match(s)
    if m and m.group(2).strip().lower() in _KNOWN_UNITS:
        num = _number_text(m.group(1))
        if num is not None:
            return TypedAnswer("float" if "." in num else "integer", num, unit=m.group(2).strip())
    listed = _list(s)
    if listed is not None:
        return TypedAnswer("list", listed)
    if _looks_like_expression(s):
        return TypedAnswer("expression", s)
    if len(s.split()) <= max_words and not re.search(r"[.!?]\s", s):
        return TypedAnswer("string", s)
    return None


def _list(s: str) -> str | None:
    body = s
    if (s[:1], s[-1:]) in {("[", "]"), ("{", "}"), ("(", ")")} and not s.startswith("[["):
        body = s[1:-1]
    elif s.startswith("\\{") and s.endswith("\\}"):
        body = s[2:-2]
    if "," not in body and ";" not in body:
        return None
    items = _split_items(body)
    if not items or len(items) < 2:
        return None
    canon = []
    for item in items:
        typed = type_answer(item)
        if typed is None or typed.answer_type in ("list", "matrix", "string") and len(item.split()) > 3:
            return None
        canon.append(typed.answer)
    return ", ".join(canon)
