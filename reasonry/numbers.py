"""Exact decimal text: canonical forms and alignment, shared by generators and verifiers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

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
