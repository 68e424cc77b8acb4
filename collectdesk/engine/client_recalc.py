"""Client recalculation: a client's figures and Success Rate from its accounts (seed 003
"General Figure and Financial Fields", "Recalc", "Success Rate").

One SQL aggregation (GROUP BY client) over the accounts' recalculated figures and one over
their transactions give every client's figures; :func:`recalc_client` (the Recalc button)
and :func:`recalc_clients` (Recalculate Client Totals, in batch) both use it.  Sums are taken
in whole cents, so they are exact on every database.

Figures (decisions where the seed is silent are marked *):

* Listed = Σ Original Principal of every account, closed ones included;
* Paid, Adjustments, Commission, Tax, Owing = Σ of the accounts' figures; Accounts = count;
* Fees = Σ account Fees + client fees (the 397 Client Fee charges, "All fees includes Debtor
  and Client fees");
* Success Rate, by Client Settings:
  - all: Gross Paid × 100 / ((All Listed + All Fees) − Adjustments), where *Adjustments are
    the reductions posted in the 300s, 400s and 500s: every Adjustment-type amount plus
    positive (reducing) Fee and Interest amounts;
  - closed: Paid (closed accounts) × 100 / Listed (closed accounts);
  - custom: left as it is.
  A zero or negative denominator gives 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, case, cast, func, select
from sqlalchemy.orm import Session

from ..models import Client, ClientSettings, Debtor, DebtorMode, FinancialType, Transaction
from .posting import CLIENT_FEE
from .recalc import changed_update, recalc_all
from .rounding import HUNDRED, ZERO, percent

FIGURES = ("listed", "paid", "fees", "adjustments", "commission", "tax", "owing", "accounts",
           "success_rate", "last_recalc")


@dataclass(slots=True)
class ClientFigures:
    listed: Decimal = ZERO
    paid: Decimal = ZERO
    fees: Decimal = ZERO
    adjustments: Decimal = ZERO
    commission: Decimal = ZERO
    tax: Decimal = ZERO
    owing: Decimal = ZERO
    accounts: int = 0
    success_rate: Decimal | None = None  # None: custom, left untouched
    last_recalc: dt.date | None = None
    # inputs of the success rate
    client_fees: Decimal = ZERO
    reductions: Decimal = ZERO
    paid_closed: Decimal = ZERO
    listed_closed: Decimal = ZERO

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIGURES}


def success_rate(method: str, f: ClientFigures) -> Decimal | None:
    """The Success Rate by ``method`` (all / closed / custom → None)."""
    if method == "custom":
        return None
    if method == "closed":
        num, den = f.paid_closed, f.listed_closed
    else:
        num, den = f.paid, f.listed + f.fees - f.reductions
    if den <= 0:
        return percent(0)
    return percent(num * HUNDRED / den)


def _cents(column: Any) -> Any:
    return func.coalesce(func.sum(cast(func.round(column * 100), BigInteger)), 0)


def _cents_where(condition: Any, column: Any) -> Any:
    return func.coalesce(func.sum(case((condition, cast(func.round(column * 100), BigInteger)),
                                       else_=0)), 0)


def _dollars(cents: Any) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def client_figures(conn: Connection | Session, client_ids: Sequence[int] | None = None,
                   *, today: dt.date | None = None) -> dict[int, ClientFigures]:
    """Every client's figures (or the listed clients'), from two GROUP BY queries."""
    today = today or dt.date.today()
    d, t = Debtor.__table__.c, Transaction.__table__.c
    closed = d.mode == DebtorMode.CLOSED
    by_debtors = select(
        d.client_id, func.count(), _cents(d.original_principal), _cents(d.paid), _cents(d.fees),
        _cents(d.adjustments), _cents(d.commission_total), _cents(d.tax_total), _cents(d.owing),
        _cents_where(closed, d.paid), _cents_where(closed, d.original_principal),
    ).group_by(d.client_id)
    amount = t.to_us + t.direct
    reducing = ((t.financial_type == int(FinancialType.ADJUSTMENT))
                | (t.financial_type.in_((int(FinancialType.FEE), int(FinancialType.INTEREST)))
                   & (amount > 0)))
    by_transactions = select(
        t.client_id, _cents_where(t.type_code == CLIENT_FEE, t.commission),
        _cents_where(reducing, amount),
    ).where(t.debtor_id.is_not(None), t.posted_date.is_not(None)).group_by(t.client_id)
    clients = select(Client.__table__.c.id, ClientSettings.__table__.c.success_rate_method) \
        .select_from(Client.__table__.outerjoin(ClientSettings.__table__))
    if client_ids is not None:
        ids = list(client_ids)
        by_debtors = by_debtors.where(d.client_id.in_(ids))
        by_transactions = by_transactions.where(t.client_id.in_(ids))
        clients = clients.where(Client.__table__.c.id.in_(ids))
    figures: dict[int, ClientFigures] = {}
    methods: dict[int, str] = {}
    for cid, method in conn.execute(clients):
        figures[cid] = ClientFigures(last_recalc=today)
        methods[cid] = method or "all"
    for cid, n, listed, paid, fees, adj, comm, tax, owing, paid_c, listed_c \
            in conn.execute(by_debtors):
        f = figures.get(cid)
        if f is None:
            continue
        f.accounts = int(n)
        f.listed, f.paid, f.fees = _dollars(listed), _dollars(paid), _dollars(fees)
        f.adjustments, f.commission = _dollars(adj), _dollars(comm)
        f.tax, f.owing = _dollars(tax), _dollars(owing)
        f.paid_closed, f.listed_closed = _dollars(paid_c), _dollars(listed_c)
    for cid, client_fees, reductions in conn.execute(by_transactions):
        f = figures.get(cid)
        if f is not None:
            f.client_fees, f.reductions = _dollars(client_fees), _dollars(reductions)
            f.fees += f.client_fees
    for cid, f in figures.items():
        f.success_rate = success_rate(methods[cid], f)
    return figures


def recalc_client(session: Session, client: Client, *, today: dt.date | None = None,
                  recalc_debtors: bool = True) -> ClientFigures:
    """The client's Recalc button: its accounts (optionally), then its figures."""
    today = today or dt.date.today()
    if recalc_debtors:
        recalc_all(session, today=today, client_id=client.id)
    session.flush()
    figures = client_figures(session, [client.id], today=today)[client.id]
    for name in FIGURES:
        value = getattr(figures, name)
        if value is None:  # custom success rate
            continue
        if getattr(client, name) != value:
            setattr(client, name, value)
    session.flush()
    return figures


def recalc_clients(target: Session | Engine | Connection, *, today: dt.date | None = None,
                   client_ids: Sequence[int] | None = None) -> dict[int, ClientFigures]:
    """Recalculate Client Totals in batch: one aggregation, one executemany."""
    today = today or dt.date.today()
    if isinstance(target, Engine):
        with target.begin() as conn:
            return _write(conn, client_figures(conn, client_ids, today=today))
    if isinstance(target, Session):
        target.flush()
        result = _write(target.connection(), client_figures(target, client_ids, today=today))
        target.expire_all()
        return result
    return _write(target, client_figures(target, client_ids, today=today))


def _write(conn: Connection, figures: dict[int, ClientFigures]) -> dict[int, ClientFigures]:
    table = Client.__table__
    for names in (FIGURES, tuple(n for n in FIGURES if n != "success_rate")):
        rows = [{"b_id": cid, **{"v_" + n: getattr(f, n) for n in names}}
                for cid, f in figures.items() if (f.success_rate is None) != (names is FIGURES)]
        if rows:
            conn.execute(changed_update(table, table.c.id, names), rows)
    return figures
