"""Rounding of money and percentages: one place, one rule.

Currency is rounded to the cent and percentages to a thousandth of a percent, both
ROUND_HALF_UP (what people do on paper and what Collect! shows).  Intermediate
arithmetic is exact ``Decimal``; only results are rounded, so a sum of several
portions (a progressive commission, an interest accrual) is rounded once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..models.base import CENT, PERCENT_STEP

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def money(value: Decimal | int) -> Decimal:
    """``value`` rounded to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(value: Decimal | int) -> Decimal:
    """``value`` (7.5 means 7.5 %) rounded to 0.001, half up."""
    return Decimal(value).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)


def of(amount: Decimal, rate: Decimal) -> Decimal:
    """``rate`` percent of ``amount``, unrounded."""
    return amount * rate / HUNDRED


def rate_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole`` (0 when ``whole`` is 0), rounded to 0.001."""
    if not whole:
        return percent(0)
    return percent(part * HUNDRED / whole)


def parse_amount(text: str) -> Decimal:
    """A typed amount (``1,234.50``, ``-25``, ``$10``) as Decimal; ValueError when malformed."""
    cleaned = text.strip().replace(",", "").replace("$", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"malformed amount {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"malformed amount {text!r}")
    return money(value)
