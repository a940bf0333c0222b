"""Money in improvement plans: whole Vietnamese đồng (integers, ``BigInteger`` columns), never
floats. Pure Python: no Flask, no database.

:func:`parse_cost` reads what a person typed ("1500000", "1.500.000", "1,500,000",
"1 500 000 đ") and refuses decimals, negative amounts, text and amounts above
:data:`MAX_COST_VND`.
"""
from __future__ import annotations

import re
import unicodedata

#: The largest cost estimate of one action: 100 000 000 000 đồng (one hundred billion, about
#: four million US dollars), far above any shelter improvement and far below what a typo such as
#: "2 GB" (2 000 000 000 000) would give. Costs are whole đồng (``BigInteger``), never floats.
MAX_COST_VND = 100_000_000_000


class CostError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


_CURRENCY = re.compile(r"\s*(₫|đ|vnd|vnđ|đồng|dong)\s*$", re.IGNORECASE)
_SEPARATORS = " .,\u00a0\u202f'"
_PLAIN = re.compile(r"\d+")
#: digits grouped by thousands with one separator used throughout: 1.500.000, 1,500,000, 1 500 000
_GROUPED = re.compile(r"\d{1,3}([ .,\u00a0\u202f'])\d{3}(?:\1\d{3})*")
_DIGITS_AND_SEPARATORS = re.compile(r"\d[\d .,\u00a0\u202f']*\d|\d")
_MAX_TYPED = 40


def parse_cost(text: str | None) -> int:
    """Whole đồng from what was typed; :class:`CostError` with a code otherwise.

    Codes: ``cost_missing``, ``cost_negative``, ``cost_decimal`` (a fractional part, or
    separators not between groups of three digits), ``cost_not_a_number`` ("2GB", "2e12",
    "abc"), ``cost_too_large`` (above :data:`MAX_COST_VND`).
    """
    typed = unicodedata.normalize("NFC", text or "").strip()
    if not typed:
        raise CostError("cost_missing")
    if len(typed) > _MAX_TYPED:
        raise CostError("cost_too_large" if _DIGITS_AND_SEPARATORS.fullmatch(typed) else "cost_not_a_number")
    typed = _CURRENCY.sub("", typed).strip()
    negative = typed[:1] in ("-", "−", "–")
    body = typed[1:].strip() if negative else typed
    if not _DIGITS_AND_SEPARATORS.fullmatch(body):
        raise CostError("cost_not_a_number")
    if negative and body.strip("0" + _SEPARATORS):
        raise CostError("cost_negative")
    if not (_PLAIN.fullmatch(body) or _GROUPED.fullmatch(body)):
        raise CostError("cost_decimal")
    value = int(re.sub(r"\D", "", body))
    if value > MAX_COST_VND:
        raise CostError("cost_too_large")
    return value
