"""Exact decimal text: canonical forms and alignment, shared by generators and verifiers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_decimal(text: str) -> Decimal | None:
    """A plain decimal number (no exponent, no thousands separators), or None."""
    text = text.strip()
    if not _DECIMAL.match(text):
        return None
    try:
        with localcontext() as ctx:
            ctx.prec = 1000
            return Decimal(text)
    except InvalidOperation:
        return None


def canonical_decimal(text: str | Decimal) -> str:
    """``'007.50'`` -> ``'7.5'``; ``'3.0'`` -> ``'3'``; ``'-0'`` -> ``'0'``. Exact, never rounded."""
    value = text if isinstance(text, Decimal) else parse_decimal(str(text))
    if value is None:
        raise ValueError(f"not a plain decimal number: {text!r}")
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # 'n', 'N', 'F': NaN or infinity
        raise ValueError(f"not a plain decimal number: {text!r}")
    s = "".join(map(str, digits))
    if exponent >= 0:
        s = s + "0" * exponent
    else:
        frac = -exponent
        s = s.rjust(frac + 1, "0")
        s = s[:-frac] + "." + s[-frac:]
        s = s.rstrip("0").rstrip(".")
    s = s.lstrip("0") or "0"
    if s.startswith("."):
        s = "0" + s
    if s == "0":
        return "0"
    return ("-" if sign else "") + s


def align_decimals(x1: str, x2: str) -> tuple[str, str, int]:
    """Digits of both numbers zero-padded to one width, and the number of digits after the point."""
    i1, _, f1 = x1.partition(".")
    i2, _, f2 = x2.partition(".")
    frac = max(len(f1), len(f2))
    width = max(len(i1), len(i2))
    a = i1.rjust(width, "0") + f1.ljust(frac, "0")
    b = i2.rjust(width, "0") + f2.ljust(frac, "0")
    return a, b, frac


# A number as people write it in an answer: optional sign, digits with optional thousands separators
# (groups of exactly three, so "1,234" is unambiguous and "1,23" is not a number), optional decimals. A leading
# zero ("02") is not how a number is written, so it is not read as one.
_WRITTEN = re.compile(r"^[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+|0|[1-9]\d*)(?:\.\d+)?$|^[+-]?\.\d+$")


def parse_written_decimal(text: str) -> Decimal | None:
    """``'8'``, ``'+8'``, ``'8.0'``, ``'300,158'``, ``'-1,000.50'`` as exact decimals; None for anything else
    (no exponents, no expressions: ``2^3`` is a question, not an answer)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not _WRITTEN.match(text):
        return None
    return parse_decimal(text.replace(",", ""))


def parse_written_integer(text: str) -> int | None:
    """A written number whose value is a whole number (``8``, ``8.0``, ``+8``, ``300,158``), else None."""
    value = parse_written_decimal(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


_FRACTION = re.compile(r"^([+-]?)\s*(\d+)\s*/\s*(\d+)$")
_TEX_FRACTION = re.compile(r"^([+-]?)\s*\\[dt]?frac\s*\{\s*([+-]?\d+)\s*\}\s*\{\s*(\d+)\s*\}$")


def parse_written_number(text: str) -> Fraction | None:
    """A number written as a number: a written decimal (above), ``3/4`` or ``\\frac{3}{4}``, exactly. Expressions
    such as ``2^10`` or ``3108+63700`` are None: they restate a question instead of answering it."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    value = parse_written_decimal(text)
    if value is not None:
        return Fraction(value)
    m = _FRACTION.match(text) or _TEX_FRACTION.match(text)
    if m and int(m.group(3)) != 0 and not (m.group(1) and m.group(2)[0] in "+-"):
        return Fraction(int(m.group(2)), int(m.group(3))) * (-1 if m.group(1) == "-" else 1)
    return None
