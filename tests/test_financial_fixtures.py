"""Shared fixtures of the financial-engine tests: a real SQLite file with the seed's sample
transaction types and the nine sample commission rate plans (seed 003), created here so the
tests do not depend on the shipped-rows installer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from collectdesk.db import make_engine, session_factory
from collectdesk.models import (
    AmountMode,
    Base,
    Client,
    ClientSettings,
    CommissionRatePlan,
    CommissionRateTier,
    CompanyDetails,
    Debtor,
    FinancialType,
    InterestDetail,
    Operator,
    OperatorType,
    RatePlanKind,
    TeamMember,
    TransactionType,
)

D = Decimal
TODAY = dt.date(2024, 6, 1)
P, IN, F, L = FinancialType.PAYMENT, FinancialType.INTEREST, FinancialType.FEE, FinancialType.LEGAL
PR, A, N = FinancialType.PRINCIPAL, FinancialType.ADJUSTMENT, FinancialType.INTERNAL
E, DOL = AmountMode.ENTER, AmountMode.DOLLARS

# code, description, financial type, amount mode, to agency, commission amount, percent,
# omit statement, omit cash, don't calc commission, don't calc tax, extra settings
SAMPLE_TYPES: list[tuple[Any, ...]] = [
    ("101", "Check Payment", P, E, 0, 0, 0, False, False, False, False, {}),
    ("102", "Cash Payment", P, E, 0, 0, 0, False, False, False, False, {}),
    ("105", "Returned NSF Check", P, E, 0, 0, 0, False, False, False, False, {}),
    ("106", "Payment of Agency NSF Fee", P, DOL, "25.00", "25.00", 0, True, False, True, True, {}),
    ("120", "Attorney Fee Payment", P, E, 0, 0, 0, True, False, False, False,
     {"commission_rate": D("100")}),
    ("150", "Down Payment", P, E, 0, 0, 0, False, False, False, False, {"write_note": True}),
    ("151", "Payment Plan Payment", P, E, 0, 0, 0, False, False, False, False,
     {"write_note": True}),
    ("160", "Monthly Billing Amount", PR, DOL, "-53.20", 0, 0, True, True, True, True, {}),
    ("161", "Add Current Accrued Interest", PR, AmountMode.PERCENT_INTEREST, 0, 0, "-100",
     True, True, True, True, {}),
    ("162", "Add Percent of Owing", PR, AmountMode.PERCENT_OWING, 0, 0, "-5",
     True, True, True, True, {}),
    ("163", "Add Percentage of Principal", PR, AmountMode.PERCENT_PRINCIPAL, 0, 0, "-35",
     True, True, True, True, {}),
    ("193", "Payment Plan Initial Discount", A, E, 0, 0, 0, True, True, False, False, {}),
    ("194", "Judgment Principal", PR, E, 0, 0, 0, True, True, True, True, {}),
    ("195", "Judgment Interest", IN, E, 0, 0, 0, True, True, True, True, {}),
    ("196", "Original Principal", PR, E, 0, 0, 0, True, True, True, True, {}),
    ("197", "Original Interest", IN, E, 0, 0, 0, True, True, True, True, {}),
    ("201", "Court Cost Charge", L, E, 0, 0, 0, True, True, True, True, {}),
    ("301", "NSF Charge Due Agency", F, DOL, "-25.00", 0, 0, True, True, True, True, {}),
    ("309", "Credit Card Convenience Fee", F, AmountMode.PERCENT_PAYMENT, 0, "5.00", "5",
     True, True, True, True, {}),
    ("350", "Payment Plan Service Charge", F, E, 0, 0, 0, True, True, True, True, {}),
    ("351", "Late Fee", F, E, 0, 0, 0, True, True, True, True, {}),
    ("397", "Client Fee", F, E, 0, 0, 0, False, True, True, True, {}),
    ("398", "Debtor Fee", F, E, 0, 0, 0, True, True, True, True, {}),
    ("399", "Collection Fee", F, E, 0, 0, 0, True, True, True, True, {}),
    ("401", "Interest Adjustment", IN, E, 0, 0, 0, True, True, True, True, {}),
    ("499", "Total Accrued Interest", IN, AmountMode.PERCENT_INTEREST, 0, 0, "-100",
     True, True, True, True, {}),
    ("501", "Adjustment by Client", A, E, 0, 0, 0, True, True, False, False, {}),
    ("601", "Agency Internal Expenditure", N, E, 0, 0, 0, True, True, True, True, {}),
]

_AGE = [(0, 60, 10), (61, 90, 15), (91, 120, 20), (121, 150, 30), (151, 365, 40),
        (366, 9999999, 50)]
_DAYS = [(0, 14, 10), (15, 30, 15), (31, 60, 20), (61, 90, 25), (91, 365, 35),
         (366, 99999999, 50)]
#: The nine sample plans of seed 003 "Commission Rate Plan Sample - …": (from, to, rate).
SAMPLE_PLANS: dict[str, tuple[RatePlanKind, list[tuple[Any, Any, Any]]]] = {
    "AGEC": (RatePlanKind.AGE_CHARGED, _AGE),
    "AGED": (RatePlanKind.AGE_DELINQUENT, _AGE),
    "LIST": (RatePlanKind.LIST_AMOUNT, [("0", "100.00", 50), ("100.01", "500.00", 45),
                                        ("500.01", "1000.00", 40), ("1000.01", "5000.00", 30),
                                        ("5000.01", "20000.00", 25),
                                        ("20000.01", "999999.00", 20)]),
    "PAY": (RatePlanKind.PAYMENT_AMOUNT, [("0.01", "100.00", 50), ("100.01", "500.00", 40),
                                          ("500.01", "1000.00", 35), ("1000.01", "5000.00", 30),
                                          ("5000.01", "10000.00", 25),
                                          ("10000.01", "999999.00", 15)]),
    "PTD": (RatePlanKind.PAID_TO_DATE, [("0", "2000.00", 25), ("2000.01", "5000.00", 20),
                                        ("5000.01", "10000.00", 15), ("10000.01", "20000.00", 13),
                                        ("20000.01", "50000.00", 11),
                                        ("50000.01", "99999999.00", 10)]),
    # listed in the seed from the highest balance down; the order does not matter
    "REMB": (RatePlanKind.REMAINING_BALANCE, [("5000.01", "99999.00", 15),
                                              ("2000.01", "5000.00", 20),
                                              ("1000.01", "2000.00", 25),
                                              ("500.01", "1000.00", 30), ("50.01", "500.00", 35),
                                              ("0", "50.00", 40)]),
    "DFL": (RatePlanKind.DAYS_FROM_LISTING, _DAYS),
    "DFC": (RatePlanKind.DAYS_FROM_CHARGED, _DAYS),
    "DFD": (RatePlanKind.DAYS_FROM_DELINQUENT, _DAYS),
}


def install_sample_types(session: Session) -> None:
    session.add(TransactionType(code="100", description="PAYMENTS AND SYSTEM", is_heading=True))
    for (code, desc, ftype, mode, to_agency, comm, pct, o_st, o_cash, no_cm, no_tx,
         extra) in SAMPLE_TYPES:
        session.add(TransactionType(
            code=code, description=desc, financial_type=int(ftype), amount_mode=mode.value,
            to_agency_amount=D(str(to_agency)), commission_amount=D(str(comm)),
            percent_value=D(str(pct)), omit_from_statement=o_st, omit_from_daily_cash=o_cash,
            dont_calculate_commission=no_cm, dont_calculate_tax=no_tx, **extra))


def install_sample_plans(session: Session) -> None:
    for code, (kind, tiers) in SAMPLE_PLANS.items():
        plan = CommissionRatePlan(code=code, description=f"Sample {kind.value}", kind=kind.value)
        plan.tiers = [CommissionRateTier(seq=i, range_from=D(str(lo)), range_to=D(str(hi)),
                                         rate=D(str(rate)))
                      for i, (lo, hi, rate) in enumerate(tiers)]
        session.add(plan)


@dataclass
class Books:
    """A database with the sample types and plans, a company and one client."""

    session: Session
    client: Client
    path: Path
    url: str
    debtors: list[Debtor] = field(default_factory=list)

    def debtor(self, *, principal: Decimal | str | None = None, client: Client | None = None,
               interest: tuple[str, Decimal | str, dt.date | None] | None = None,
               on: dt.date = dt.date(2024, 1, 1), **values: Any) -> Debtor:
        """A new account; ``principal`` is posted as a 196 on ``on``."""
        from collectdesk.engine.posting import post_transaction

        values.setdefault("name", f"Debtor {len(self.debtors) + 1}")
        values.setdefault("listed_date", on)
        values.setdefault("operator_id", "JANE")
        debtor = Debtor(client_id=(client or self.client).id, **values)
        if interest is not None:
            method, rate, calc_from = interest
            debtor.interest_detail = InterestDetail(interest_type=method, annual_rate=D(str(rate)),
                                                    calculate_from=calc_from)
        self.session.add(debtor)
        self.session.flush()
        if principal is not None:
            post_transaction(self.session, debtor, "196", to_us=-D(str(principal)),
                             payment_date=on, posted_date=on, today=TODAY)
        self.debtors.append(debtor)
        return debtor

    def team(self, team: str, members: dict[str, str]) -> None:
        """A DISTRIBUTION team ``team`` of ``members`` (ID → commission %), created with any
        member operator that does not exist yet."""
        s = self.session
        for op in members:
            if s.get(Operator, op) is None:
                s.add(Operator(id=op, name=op))
        s.add(Operator(id=team, name=team, type=OperatorType.DISTRIBUTION.value))
        s.flush()
        s.add_all([TeamMember(team_id=team, member_id=op, commission_percent=D(pct))
                   for op, pct in members.items()])
        s.flush()

    def post(self, debtor: Debtor, code: str, to_us: Any = None, **kw: Any) -> Any:
        from collectdesk.engine.posting import post_transaction

        kw.setdefault("today", TODAY)
        kw.setdefault("payment_date", TODAY)
        kw.setdefault("posted_date", None if kw.get("promise") else kw["payment_date"])
        return post_transaction(self.session, debtor, code,
                                to_us=None if to_us is None else D(str(to_us)), **kw)


def make_books(tmp_path: Path, url: str | None = None) -> Iterator[Books]:
    """Books on a SQLite file in ``tmp_path``, or on the database at ``url``."""
    path = tmp_path / "books.db"
    url = url or f"sqlite:///{path}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    session = session_factory(engine)()
    session.add(CompanyDetails(name="Agency"))
    install_sample_types(session)
    install_sample_plans(session)
    client = Client(name="First Bank")
    client.settings = ClientSettings(commission_rate=D("30"))
    session.add(client)
    session.flush()
    try:
        yield Books(session, client, path, url)
    finally:
        session.close()
        engine.dispose()


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    yield from make_books(tmp_path)
