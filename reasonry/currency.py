"""Money amounts: ``$100``, ``€5``, ``100 USD``, ``1,000.50 dollars`` -> (number text, ISO 4217 code).

One table for the web source's answer typing (an amount is a number with a currency unit) and for the math
verifier (a candidate may write the same amount with or without its currency, never with another one).
"""

from __future__ import annotations

import re

SYMBOLS = {"US$": "USD", "$": "USD", "\\$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW",
           "CHF": "CHF"}
WORDS = {"usd": "USD", "dollar": "USD", "dollars": "USD", "eur": "EUR", "euro": "EUR", "euros": "EUR",
         "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "jpy": "JPY", "yen": "JPY", "inr": "INR", "rupee": "INR",
         "rupees": "INR", "chf": "CHF", "francs": "CHF", "cad": "CAD", "aud": "AUD", "cny": "CNY", "yuan": "CNY",
         "krw": "KRW", "won": "KRW"}

CURRENCY_CODES = frozenset(SYMBOLS.values()) | frozenset(WORDS.values())

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SYMBOL = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_WORD = "|".join(sorted(WORDS, key=len, reverse=True))
_BEFORE = re.compile(rf"^(?P<sign>[+-]?)\s*(?P<cur>{_SYMBOL})\s*(?P<num>{_NUMBER})$")
_AFTER = re.compile(rf"^(?P<num>{_NUMBER})\s*(?:(?P<sym>{_SYMBOL})|(?P<word>{_WORD})\b\.?)$", re.IGNORECASE)
_CODE_BEFORE = re.compile(rf"^(?P<word>{_WORD})\s+(?P<num>{_NUMBER})$", re.IGNORECASE)


def split_currency(text: str) -> tuple[str, str] | None:
    """(number text, currency code) when ``text`` is one money amount, else None."""
    s = text.strip()
    m = _BEFORE.match(s)
    if m:
        num = m.group("num")
        if m.group("sign") == "-" and not num.startswith(("-", "+")):
            num = "-" + num
        return num, SYMBOLS[m.group("cur")]
    m = _AFTER.match(s)
    if m:
        code = SYMBOLS[m.group("sym")] if m.group("sym") else WORDS[m.group("word").lower()]
        return m.group("num"), code
    m = _CODE_BEFORE.match(s)
    if m:
        return m.group("num"), WORDS[m.group("word").lower()]
    return None
