"""Tax on commission (seed 003 "Client is Tax Exempt", Client Settings "Tax", Company Details
Tax tab).  Tax is charged on the agency's commission, never on the amount recovered.

Which rate, first match wins (our reading of "company-wide / each client / per transaction"
and "can be overridden at the Debtor or Transaction level"):

1. no tax when the transaction says "don't calculate tax" or Company Details says
   "Don't Calculate Tax";
2. a rate given on the transaction when posted, or the transaction type's Tax Rate — these
   apply even to a tax-exempt client (the transaction-level override);
3. no tax when the account is tax exempt, or its client is (Client is Tax Exempt);
4. the debtor's Tax Rate, else the client's, else the company's (a 0 rate means "not set").
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from ..models import Debtor, TransactionType
from .commission import client_settings, company
from .rounding import ZERO, money, of, percent


def tax_rate_for(session: Session, debtor: Debtor, ttype: TransactionType | None, *,
                 rate: Decimal | None = None, dont_calculate: bool = False) -> Decimal | None:
    """The tax rate for a transaction on ``debtor`` (None: no tax)."""
    comp = company(session)
    if dont_calculate or (comp is not None and comp.dont_calculate_tax):
        return None
    if rate is not None:
        return rate
    if ttype is not None and ttype.tax_rate is not None:
        return ttype.tax_rate
    settings = client_settings(session, debtor)
    if debtor.tax_exempt or (settings is not None and settings.tax_exempt):
        return None
    if debtor.tax_rate:
        return debtor.tax_rate
    if settings is not None and settings.tax_rate:
        return settings.tax_rate
    if comp is not None and comp.tax_rate:
        return comp.tax_rate
    return None


def tax_on(commission: Decimal, rate: Decimal | None) -> tuple[Decimal, Decimal]:
    """(tax, rate) on ``commission``; no rate means no tax."""
    if rate is None or not commission:
        return ZERO, percent(rate or 0)
    return money(of(commission, rate)), percent(rate)
