"""Interest accrual on the running principal (seed 003 "Original Principal Sample", seed 001
"Interest Details").

Interest is calculated from each principal transaction's payment date on the principal
total that results, at the annual rate, from Calculate-From to today:

* **simple**: ``principal × rate / 100 × days / 365`` per stretch of days with a constant
  principal (actual days, 365-day year in leap years too);
* **compound** (our decision where the seed is silent): the same daily rate, with the interest
  accrued so far added to the interest-bearing amount on the first day of every calendar month
  (monthly compounding).  Interest paid through a payment breakdown comes out of the
  compounded amount first.

A payment's principal part (its breakdown) lowers the running principal from its payment
date.  A transaction that *realizes* the accrued interest (a type whose amount is a percent of
accrued interest: 161 adds it to principal, 499 moves it into interest adjustments) restarts the
accrual at zero on its payment date, so nothing is counted twice and deleting it brings the
accrued interest back.  A negative running principal earns no interest.  Results are rounded
once, to the cent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .rounding import money

SIMPLE = "simple"
COMPOUND = "compound"
NONE = "none"
_DAY_DIVISOR = Decimal(36500)  # percent × 365 days
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class InterestTerms:
    """What an account's Interest Detail says about accrual."""

    method: str = NONE
    annual_rate: Decimal = _ZERO
    calculate_from: dt.date | None = None

    @property
    def active(self) -> bool:
        return self.method in (SIMPLE, COMPOUND) and self.annual_rate > 0


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


class InterestAccrual:
    """Feed principal changes in payment-date order, then read :attr:`accrued` as of ``today``."""

    __slots__ = ("terms", "today", "base", "capital", "pending", "day", "_compound")

    def __init__(self, terms: InterestTerms, today: dt.date) -> None:
        self.terms = terms
        self.today = today
        self.base = _ZERO  # running principal
        self.capital = _ZERO  # interest compounded so far (compound only)
        self.pending = _ZERO  # interest accrued since the last compounding
        self.day: dt.date | None = None  # interest is accrued up to this day
        self._compound = terms.method == COMPOUND

    def _advance(self, day: dt.date) -> None:
        if self.day is None:
            self.day = day
            return
        start = self.day
        if self.terms.calculate_from and start < self.terms.calculate_from:
            start = self.terms.calculate_from
        end = min(day, self.today)
        rate = self.terms.annual_rate
        while start < end:
            boundary = _next_month(start) if self._compound else end
            stop = min(end, boundary)
            bearing = self.base + self.capital
            if bearing > 0:
                self.pending += bearing * rate * (stop - start).days / _DAY_DIVISOR
            if self._compound and stop == boundary:
                self.capital += self.pending
                self.pending = _ZERO
            start = stop
        if day > self.day:
            self.day = day

    def principal(self, day: dt.date, change: Decimal) -> None:
        """The principal grows (positive ``change``) or shrinks from ``day`` on."""
        self._advance(day)
        self.base += change

    def interest_paid(self, day: dt.date, amount: Decimal) -> None:
        """Interest paid on ``day`` stops compounding (no effect on simple interest)."""
        if not self._compound or amount <= 0:
            return
        self._advance(day)
        taken = min(self.capital, amount)
        self.capital -= taken

    def realize(self, day: dt.date) -> Decimal:
        """The interest accrued up to ``day`` is moved elsewhere; accrual restarts at zero."""
        self._advance(day)
        realized = self.capital + self.pending
        self.capital = self.pending = _ZERO
        return money(realized)

    @property
    def accrued(self) -> Decimal:
        """Interest accrued up to ``today`` (unrealized), rounded to the cent."""
        self._advance(self.today)
        return money(self.capital + self.pending)
