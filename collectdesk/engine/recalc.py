"""Debtor recalculation: the account's totals from its transactions.

One arithmetic core, :func:`compute_totals`, turns an account's transactions (in
payment-date order) and its terms into :class:`Totals`.  :func:`recalc_debtor` feeds it one
account through the session; :func:`recalc_all` feeds it every account from one ordered
query per chunk of file numbers and writes the changed rows back with ``executemany`` — no
ORM objects, same rules.  Plain accounts (see :func:`_fast_query`) are summed by the database
instead, and only those whose stored figures differ come back to Python.

Rules (seed 003 "Transaction Types" and the "… Sample" sections; SPEC.md):

* A transaction without a posted date is a promise and counts for nothing.
* Sign: a negative To Us / Direct adds to what is owed, a positive one reduces it, so
  principal, interest, fees and legal are minus the sum of their transactions, paid and
  adjustments the plain sum.  ``owing = principal + interest + fees + legal − paid − adjustments``.
* Internal transactions (financial type Internal) change nothing but the Internal total;
  their commission and tax are not the agency's.
* With a judgement date, transactions whose payment date is before it drop out of every
  balance (the judgement is assumed to include them).  They still show in the *history*
  fields (Original Principal, Original Interest), which describe what was listed.
* Original Principal is the total of principal transactions other than 194; Judgement
  Principal the total of 194s.  Only the first 197 (payment-date order, then entry order)
  sets Original Interest and only the first 195 sets Original Judgement Interest; later
  197s / 195s are ignored entirely.  Other interest transactions are Interest Adjustments.
* Decision: when an account has no principal transactions at all, its Original / Judgement
  Principal were typed on the Financial Detail form and are kept as entered (likewise
  Original Interest without a 197 and Original Judgement Interest without a 195).
* Interest: see :mod:`collectdesk.engine.interest`.  With a judgement date and a judgement
  rate, the judgement rate applies.
* Last payment: the latest counted payment with a positive amount.
* A transaction's date is its payment date, or its posted date when it has none.
"""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Numeric,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from ..models import AmountMode, Debtor, FinancialType, InterestDetail, Transaction, TransactionType
from . import calclog
from .interest import InterestAccrual, InterestTerms

ORIGINAL_PRINCIPAL = "196"
JUDGEMENT_PRINCIPAL = "194"
ORIGINAL_INTEREST = "197"
JUDGEMENT_INTEREST = "195"

Log = Callable[..., None]
Progress = Callable[[int, int], None]

_Z = Decimal("0.00")
_PAYMENT = int(FinancialType.PAYMENT)
_INTEREST = int(FinancialType.INTEREST)
_FEE = int(FinancialType.FEE)
_LEGAL = int(FinancialType.LEGAL)
_PRINCIPAL = int(FinancialType.PRINCIPAL)
_ADJUSTMENT = int(FinancialType.ADJUSTMENT)
_INTERNAL = int(FinancialType.INTERNAL)

#: One transaction as the core reads it:
#: (id, type_code, financial_type, amount = to_us + direct, commission, tax,
#:  date = payment date or posted date, posted, paid_principal, paid_interest)
Row = tuple[int, str, int, Decimal, Decimal, Decimal, "dt.date | None", bool, Decimal, Decimal]


@dataclass(frozen=True, slots=True)
class AccountTerms:
    """What the core needs to know about an account besides its transactions."""

    judgement_date: dt.date | None = None
    interest: InterestTerms = InterestTerms()
    # Typed-in values, kept when no transaction sets them (see module docstring)
    original_principal: Decimal = _Z
    judgement_principal: Decimal = _Z
    original_interest: Decimal = _Z
    original_judgement_interest: Decimal = _Z


@dataclass(slots=True)
class Totals:
    """An account's figures.  The first group are Debtor columns, the second Interest Detail."""

    original_principal: Decimal = _Z
    judgement_principal: Decimal = _Z
    principal: Decimal = _Z
    interest: Decimal = _Z
    fees: Decimal = _Z
    legal_costs: Decimal = _Z
    paid: Decimal = _Z
    adjustments: Decimal = _Z
    owing: Decimal = _Z
    last_payment_date: dt.date | None = None
    last_payment_amount: Decimal = _Z
    commission_total: Decimal = _Z
    tax_total: Decimal = _Z
    internal_total: Decimal = _Z
    original_interest: Decimal = _Z
    original_judgement_interest: Decimal = _Z
    accrued_interest: Decimal = _Z
    interest_adjustments: Decimal = _Z

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEBTOR_FIELDS = ("original_principal", "judgement_principal", "principal", "interest", "fees",
                 "legal_costs", "paid", "adjustments", "owing", "last_payment_date",
                 "last_payment_amount", "commission_total", "tax_total", "internal_total")
INTEREST_FIELDS = ("original_interest", "original_judgement_interest", "accrued_interest",
                   "interest_adjustments")


def compute_totals(rows: Iterable[Row], terms: AccountTerms, today: dt.date, *,
                   capture_codes: frozenset[str] = frozenset(), log: Log | None = None) -> Totals:
    """The arithmetic core: an account's totals from its transactions in date order.

    Amounts come in as cents-exact ``Decimal`` (two places), so sums need no rounding; only
    accrued interest is rounded (once, to the cent).  ``capture_codes`` are the transaction
    types that realize accrued interest (amount mode "percent of accrued interest", e.g. 161
    and 499); see :mod:`.interest`.
    """
    jd = terms.judgement_date
    accrual = None
    if terms.interest.active:
        rows = list(rows)
        accrual = InterestAccrual(terms.interest, today)
        if terms.interest.calculate_from and not any(r[2] == _PRINCIPAL and r[7] for r in rows):
            typed = _typed_principal(terms)
            if typed:
                accrual.principal(terms.interest.calculate_from, typed)
    principal = interest_adj = fees = legal = paid = adjustments = _Z
    internal = commission = tax = original_p = judgement_p = _Z
    n_principal = 0
    first_oi: Decimal | None = None
    first_oji: Decimal | None = None
    counted_oi = counted_oji = _Z
    last_date: dt.date | None = None
    last_amount = _Z

    for tid, code, ftype, amount, comm, tx_tax, day, posted, paid_p, paid_i in rows:
        if not posted:
            if log is not None:
                log("skip", code, amount, f"transaction {tid}: promise (no posted date)")
            continue
        counted = jd is None or day is None or day >= jd
        if ftype == _INTERNAL:
            internal += amount
            if log is not None:
                log("internal", code, amount, f"transaction {tid}: internal, changes nothing")
            continue
        if ftype == _PRINCIPAL:
            n_principal += 1
            if code == JUDGEMENT_PRINCIPAL:
                judgement_p -= amount
            else:
                original_p -= amount
        elif ftype == _INTEREST and (code == ORIGINAL_INTEREST or code == JUDGEMENT_INTEREST):
            is_oi = code == ORIGINAL_INTEREST
            if (first_oi if is_oi else first_oji) is not None:
                if log is not None:
                    log("ignore", code, amount, f"transaction {tid}: only the first {code} counts")
                continue
            if is_oi:
                first_oi = _Z - amount
                if counted:
                    counted_oi = _Z - amount
            else:
                first_oji = _Z - amount
                if counted:
                    counted_oji = _Z - amount
        if not counted:
            if log is not None:
                log("skip", code, amount, f"transaction {tid}: dated {day} before judgement {jd}")
            continue
        if accrual is not None and day is not None and code in capture_codes:
            realized = accrual.realize(day)
            if log is not None:
                log("interest", "realized", realized, f"transaction {tid} on {day}")
        if ftype == _PAYMENT:
            paid += amount
            if amount > 0 and (last_date is None or (day is not None and day >= last_date)):
                last_date, last_amount = day, amount
            if accrual is not None and day is not None:
                if paid_p:
                    accrual.principal(day, _Z - paid_p)
                if paid_i:
                    accrual.interest_paid(day, paid_i)
        elif ftype == _PRINCIPAL:
            principal -= amount
            if accrual is not None and day is not None:
                accrual.principal(day, _Z - amount)
        elif ftype == _INTEREST:
            if code != ORIGINAL_INTEREST and code != JUDGEMENT_INTEREST:
                interest_adj -= amount
        elif ftype == _FEE:
            fees -= amount
        elif ftype == _LEGAL:
            legal -= amount
        elif ftype == _ADJUSTMENT:
            adjustments += amount
        commission += comm
        tax += tx_tax
        if log is not None:
            log("count", code, amount, f"transaction {tid} dated {day}, financial type {ftype}")

    if not n_principal:
        original_p, judgement_p = terms.original_principal, terms.judgement_principal
        principal = _typed_principal(terms)
        if log is not None:
            log("typed", "principal", principal, "no principal transactions: typed values kept")
    if first_oi is None:
        first_oi = counted_oi = terms.original_interest
    if first_oji is None:
        first_oji = counted_oji = terms.original_judgement_interest
    accrued = accrual.accrued if accrual is not None else _Z
    interest = counted_oi + counted_oji + interest_adj + accrued
    totals = Totals(
        original_p, judgement_p, principal, interest, fees, legal, paid, adjustments,
        principal + interest + fees + legal - paid - adjustments, last_date, last_amount,
        commission, tax, internal, first_oi, first_oji, accrued, interest_adj,
    )
    if log is not None:
        if accrual is not None:
            log("interest", "accrued", accrued,
                f"{terms.interest.method} {terms.interest.annual_rate}% from "
                f"{terms.interest.calculate_from} to {today}")
        log("total", "owing", totals.owing,
            "principal + interest + fees + legal - paid - adjustments")
        for name in DEBTOR_FIELDS + INTEREST_FIELDS:
            log("total", name, getattr(totals, name))
    return totals


def _typed_principal(terms: AccountTerms) -> Decimal:
    """Principal of an account without principal transactions: what was typed in."""
    if terms.judgement_date and terms.judgement_principal:
        return terms.judgement_principal
    return terms.original_principal


# -- one account through the session ---------------------------------------------------------

_T = Transaction.__table__.c
_D = Debtor.__table__.c
_I = InterestDetail.__table__.c
_ROW_COLUMNS = (_T.id, _T.type_code, _T.financial_type, _T.to_us, _T.direct, _T.commission,
                _T.tax, _T.payment_date, _T.posted_date, _T.paid_principal, _T.paid_interest)


def _date_key(row: Row) -> tuple[dt.date, int]:
    return (row[6] or dt.date.min, row[0])


def capture_codes(conn: Connection | Session) -> frozenset[str]:
    """Transaction types whose amount is a percent of accrued interest (they realize it)."""
    tt = TransactionType.__table__.c
    return frozenset(conn.execute(
        select(tt.code).where(tt.amount_mode == AmountMode.PERCENT_INTEREST.value)).scalars())


def debtor_terms(debtor: Debtor) -> AccountTerms:
    detail = debtor.interest_detail
    interest = InterestTerms()
    if detail is not None:
        rate = detail.judgement_rate if (debtor.judgement_date and detail.judgement_rate) \
            else detail.annual_rate
        interest = InterestTerms(detail.interest_type or "none", rate or _Z, detail.calculate_from)
    return AccountTerms(
        judgement_date=debtor.judgement_date, interest=interest,
        original_principal=debtor.original_principal or _Z,
        judgement_principal=debtor.judgement_principal or _Z,
        original_interest=(detail.original_interest or _Z) if detail else _Z,
        original_judgement_interest=(detail.original_judgement_interest or _Z) if detail else _Z,
    )


def debtor_rows(session: Session, debtor_id: int) -> list[Row]:
    """The account's transactions as core rows (Decimal via the column types)."""
    query = (select(*_ROW_COLUMNS).where(_T.debtor_id == debtor_id)
             .order_by(_T.payment_date, _T.id))
    rows: list[Row] = [
        (tid, code, ftype, (to_us or _Z) + (direct or _Z), comm or _Z, tax or _Z,
         pdate or posted, posted is not None, paid_p or _Z, paid_i or _Z)
        for tid, code, ftype, to_us, direct, comm, tax, pdate, posted, paid_p, paid_i
        in session.execute(query)
    ]
    rows.sort(key=_date_key)
    return rows


def compute_debtor(session: Session, debtor: Debtor, *, today: dt.date | None = None,
                   log: Log | None = None, without: int | None = None) -> Totals:
    """The account's totals as of ``today`` without writing anything (as if transaction
    ``without`` were not there: the account before an edited transaction)."""
    session.flush()
    rows = [row for row in debtor_rows(session, debtor.id) if row[0] != without]
    return compute_totals(rows, debtor_terms(debtor),
                          today or dt.date.today(), capture_codes=capture_codes(session), log=log)


def recalc_debtor(session: Session, debtor: Debtor, *, today: dt.date | None = None,
                  log: Log | None = None) -> Totals:
    """Recalculate one account and store its figures (flushes; the caller commits)."""
    today = today or dt.date.today()
    if log is None:
        log = calclog.active()
    if log is not None:
        log("debtor", "file", debtor.id, f"recalculation as of {today}")
    totals = compute_debtor(session, debtor, today=today, log=log)
    _store(debtor, DEBTOR_FIELDS, totals)
    detail = debtor.interest_detail
    if detail is None and any(getattr(totals, n) for n in INTEREST_FIELDS):
        detail = debtor.interest_detail = InterestDetail()
    if detail is not None:
        _store(detail, INTEREST_FIELDS, totals)
    session.flush()
    return totals


def recalc_client(session: Session, client: Any, *, today: dt.date | None = None,
                  recalc_debtors: bool = True) -> Any:
    """The client's Recalc button; see :func:`collectdesk.engine.client_recalc.recalc_client`."""
    from .client_recalc import recalc_client as recalc

    return recalc(session, client, today=today, recalc_debtors=recalc_debtors)


def _store(record: Any, names: Iterable[str], totals: Totals) -> None:
    """Assign only what changed, so an unchanged account keeps its version."""
    for name in names:
        value = getattr(totals, name)
        current = getattr(record, name)
        if current != value or (value is None) != (current is None):
            setattr(record, name, value)


# -- batch: every account, no ORM objects ----------------------------------------------------

@dataclass(slots=True)
class BatchResult:
    debtors: int = 0
    changed: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.debtors / self.seconds if self.seconds else 0.0


class _Driver:
    """Plain DB-API access for the batch.

    Amounts are read as whole cents (``CAST(ROUND(amount * 100) AS BIGINT)``, an exact
    integer on every database) and become two-place Decimal in Python; nothing is summed
    outside Decimal.  Dates come back as ISO text from SQLite and as dates from psycopg.
    Written values go to SQLite as their exact text (stored under the column's NUMERIC
    affinity as the ORM's values are) and to other drivers as Decimal / date."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.day = _day_sqlite if self.sqlite else _day_any
        self._cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def fetch(self, stmt: Any) -> list[tuple[Any, ...]]:
        sql = str(stmt.compile(dialect=self.conn.dialect, compile_kwargs={"literal_binds": True}))
        self._cursor.execute(sql)
        return self._cursor.fetchall()

    def fetch_sql(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        self._cursor.execute(sql, params)
        return self._cursor.fetchall()

    def update_changed(self, table: Any, key: str, names: Sequence[str],
                       rows: list[tuple[Any, ...]]) -> int:
        """``rows`` are (*values in ``names`` order, key); only differing rows are written."""
        if not rows:
            return 0
        if self.sqlite:
            sets = ", ".join(f"{n} = ?{i}" for i, n in enumerate(names, 1))
            differs = " OR ".join(f"{n} IS NOT ?{i}" for i, n in enumerate(names, 1))
            sql = (f"UPDATE {table.name} SET {sets}, version = version + 1, "
                   f"updated_at = CURRENT_TIMESTAMP WHERE {key} = ?{len(names) + 1} "
                   f"AND ({differs})")
            return self._many(sql, self._sqlite_params(names, rows))
        stmt = changed_update(table, table.c[key], names)
        return self._many(str(stmt.compile(dialect=self.conn.dialect)),
                          [self._named(names, r) | {"b_id": r[-1]} for r in rows])

    def insert(self, table: Any, key: str, names: Sequence[str],
               rows: list[tuple[Any, ...]]) -> int:
        if not rows:
            return 0
        if self.sqlite:
            columns = ", ".join((*names, key))
            marks = ", ".join(f"?{i}" for i in range(1, len(names) + 2))
            return self._many(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",
                              self._sqlite_params(names, rows))
        stmt = insert(table).values({n: bindparam("v_" + n, type_=table.c[n].type) for n in names}
                                    | {key: bindparam("b_id")})
        return self._many(str(stmt.compile(dialect=self.conn.dialect)),
                          [self._named(names, r) | {"b_id": r[-1]} for r in rows])

    @staticmethod
    def _named(names: Sequence[str], row: tuple[Any, ...]) -> dict[str, Any]:
        return {"v_" + n: v for n, v in zip(names, row, strict=False)}

    @staticmethod
    def _sqlite_params(names: Sequence[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        _register_sqlite_adapters()
        return rows

    def _many(self, sql: str, params: list[Any]) -> int:
        self._cursor.executemany(sql, params)
        return max(self._cursor.rowcount, 0)

    def close(self) -> None:
        self._cursor.close()


_adapters_registered = False


def _register_sqlite_adapters() -> None:
    """Let sqlite3 take Decimal (as its exact text) and date (ISO text) parameters.

    Process-wide but harmless: SQLAlchemy converts its own parameters before they reach
    sqlite3, so only the batch passes these types.  The text is stored under NUMERIC
    affinity the same way the ORM's values are.
    """
    global _adapters_registered
    if not _adapters_registered:
        import sqlite3

        sqlite3.register_adapter(Decimal, str)
        sqlite3.register_adapter(dt.date, dt.date.isoformat)
        _adapters_registered = True


def _cents(column: Any) -> Any:
    """An amount column read as whole cents."""
    return cast(func.round(column * 100), BigInteger)


def _money(cents: Any) -> Decimal:
    """Whole cents as two-place Decimal."""
    return Decimal(cents).scaleb(-2) if cents else _Z


def _day_sqlite(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _day_any(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value  # type: ignore[no-any-return]


def _rate(thousandths: Any) -> Decimal:
    """A percent read as thousandths of a percent (PERCENT columns have three places)."""
    return Decimal(thousandths).scaleb(-3) if thousandths else _Z


def _raw_rows(driver: _Driver, fetched: list[tuple[Any, ...]],
              ) -> tuple[dict[int, list[Row]], set[int], set[int]]:
    """Fetched transactions grouped by account in fetch (payment-date) order; the accounts
    whose rows need a re-sort (a missing payment date fell back to the posted date); the
    accounts with a posted principal transaction (their typed principal is not needed)."""
    days: dict[Any, dt.date | None] = {None: None}
    to_day = driver.day
    grouped: dict[int, list[Row]] = {}
    resort: set[int] = set()
    with_principal: set[int] = set()
    prev_debtor: Any = None
    prev_day: dt.date | None = None
    for debtor_id, tid, code, ftype, to_us, direct, comm, tax, day, posted, paid_p, paid_i \
            in fetched:
        amount = Decimal(to_us).scaleb(-2) if to_us else _Z
        if direct:
            amount += Decimal(direct).scaleb(-2)
        when = days.get(day, _MISSING)
        if when is _MISSING:
            when = days[day] = to_day(day)
        row = (tid, code, ftype, amount, Decimal(comm).scaleb(-2) if comm else _Z,
               Decimal(tax).scaleb(-2) if tax else _Z, when, bool(posted),
               Decimal(paid_p).scaleb(-2) if paid_p else _Z,
               Decimal(paid_i).scaleb(-2) if paid_i else _Z)
        rows = grouped.get(debtor_id)
        if rows is None:
            grouped[debtor_id] = [row]
        else:
            rows.append(row)
            if when is None or (debtor_id == prev_debtor and prev_day is not None
                                and when < prev_day):
                resort.add(debtor_id)
        if when is None:
            resort.add(debtor_id)
        if ftype == _PRINCIPAL and posted:
            with_principal.add(debtor_id)
        prev_debtor, prev_day = debtor_id, when
    return grouped, resort, with_principal


_MISSING: Any = object()


def _raw_terms(driver: _Driver, t: tuple[Any, ...]) -> AccountTerms:
    _id, judgement, has_interest, method, rate, j_rate, calc_from, op, jp, oi, oji = t
    interest = _NO_INTEREST
    if judgement is not None:
        judgement = driver.day(judgement)
    if has_interest is not None and method and method != "none":
        interest = InterestTerms(method, _rate(j_rate if (judgement and j_rate) else rate),
                                 driver.day(calc_from))
    if not (judgement or op or jp or oi or oji or interest is not _NO_INTEREST):
        return _PLAIN
    return AccountTerms(judgement, interest, _money(op), _money(jp), _money(oi), _money(oji))


_NO_INTEREST = InterestTerms()
_PLAIN = AccountTerms()
_TERMS_COLUMNS = (_D.id, _D.judgement_date, _I.debtor_id, _I.interest_type,
                  cast(func.round(_I.annual_rate * 1000), BigInteger),
                  cast(func.round(_I.judgement_rate * 1000), BigInteger), _I.calculate_from,
                  _cents(_D.original_principal), _cents(_D.judgement_principal),
                  _cents(_I.original_interest), _cents(_I.original_judgement_interest))


def changed_update(table: Any, key: Any, names: Sequence[str]) -> Any:
    """UPDATE … WHERE key = :b_id AND (any column differs): an unchanged row is not written."""
    differs = or_(*[table.c[n].is_distinct_from(bindparam("v_" + n, type_=table.c[n].type))
                    for n in names])
    return (update(table).where(key == bindparam("b_id"), differs)
            .values({n: bindparam("v_" + n, type_=table.c[n].type) for n in names}
                    | {"version": table.c.version + literal_column("1")}))


def _recalc_range(driver: _Driver, lo: int, hi: int, where: Any, today: dt.date,
                  captures: frozenset[str], ids: Sequence[int] | None = None) -> tuple[int, int]:
    """The accounts of file numbers ``lo``–``hi`` (only ``ids`` among them, when given)
    through :func:`compute_totals`."""
    terms_q = (select(*_TERMS_COLUMNS)
               .select_from(Debtor.__table__.outerjoin(InterestDetail.__table__,
                                                       _I.debtor_id == _D.id))
               .where(_D.id.between(lo, hi)).order_by(_D.id))
    if where is not None:
        terms_q = terms_q.where(where)
    rows_q = (select(_T.debtor_id, _T.id, _T.type_code, _T.financial_type, _cents(_T.to_us),
                     _cents(_T.direct), _cents(_T.commission), _cents(_T.tax),
                     func.coalesce(_T.payment_date, _T.posted_date), _T.posted_date.is_not(None),
                     _cents(_T.paid_principal), _cents(_T.paid_interest))
              .where(_T.debtor_id.between(lo, hi))
              .order_by(_T.debtor_id, _T.payment_date, _T.id))
    if ids is not None:
        terms_q = terms_q.where(_D.id.in_(ids))
        rows_q = rows_q.where(_T.debtor_id.in_(ids))
    grouped, resort, with_principal = _raw_rows(driver, driver.fetch(rows_q))
    debtor_out: list[tuple[Any, ...]] = []
    interest_out: list[tuple[Any, ...]] = []
    interest_new: list[tuple[Any, ...]] = []
    n = 0
    log = calclog.active()
    for t in driver.fetch(terms_q):
        debtor_id = t[0]
        rows = grouped.get(debtor_id, ())
        if debtor_id in resort:
            rows.sort(key=_date_key)  # type: ignore[union-attr]
        if log is not None:
            log("debtor", "file", debtor_id, f"batch recalculation as of {today}")
        # the common case: no judgement, no interest row, principal from transactions
        terms = _PLAIN if (t[1] is None and t[2] is None and (
            debtor_id in with_principal or not (t[7] or t[8]))) else _raw_terms(driver, t)
        x = compute_totals(rows, terms, today, capture_codes=captures, log=log)
        n += 1
        debtor_out.append((x.original_principal, x.judgement_principal, x.principal, x.interest,
                           x.fees, x.legal_costs, x.paid, x.adjustments, x.owing,
                           x.last_payment_date, x.last_payment_amount, x.commission_total,
                           x.tax_total, x.internal_total, debtor_id))
        if t[2] is not None or x.original_interest or x.original_judgement_interest \
                or x.accrued_interest or x.interest_adjustments:
            (interest_out if t[2] is not None else interest_new).append((
                x.original_interest, x.original_judgement_interest, x.accrued_interest,
                x.interest_adjustments, debtor_id))
    changed = driver.update_changed(Debtor.__table__, "id", DEBTOR_FIELDS, debtor_out)
    changed += driver.update_changed(InterestDetail.__table__, "debtor_id", INTEREST_FIELDS,
                                     interest_out)
    changed += driver.insert(InterestDetail.__table__, "debtor_id", INTEREST_FIELDS, interest_new)
    return n, changed


# -- batch fast path: plain accounts summed by the database ----------------------------------
#
# An account is *plain* when nothing in its recalculation depends on the order of its
# transactions or on today: no judgement date, no Interest Detail (so no accrual and no typed
# interest) and no posted interest (only the first 197 / 195 counts; adjustments would create
# an Interest Detail), internal or 194 transaction.  Each of its figures is then a sum over its
# posted transactions — in whole cents, exact on every database — except Last Payment, the
# positive payment with the greatest (date, id): compute_totals keeps the later of two equal
# dates.  One GROUP BY per chunk compares those sums with the stored figures and returns only
# the plain accounts that differ, plus the file numbers of the other accounts, which go through
# compute_totals.  Results are identical to the Python path's (tests/test_recalc_fast_path.py).

#: Posted transactions that make an account go through compute_totals.
_NOT_PLAIN_TYPES = (_INTEREST, _INTERNAL)
_DAY_KEY = 10**12  # last payment key on SQLite: (days since 1970 + 10**6) × 10**12 + id
_DAY_OFFSET = 10**6


def _fast_supported(conn: Connection) -> bool:
    """SQLite needs FILTER (3.30) and unixepoch() (3.38); PostgreSQL has both kinds."""
    if conn.dialect.name == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 38)
    return conn.dialect.name == "postgresql"


def _as_written(dialect: str, cents: Any) -> Any:
    """Whole cents as the batch writes them: on SQLite the exact text ``str(Decimal)`` gives
    (``-0.05``, ``12.00``), elsewhere a two-place NUMERIC (Decimal through the driver)."""
    if dialect == "sqlite":
        magnitude = func.abs(cents)
        return func.printf("%s%d.%02d", case((cents < 0, "-"), else_=""),
                           magnitude.op("/")(100), magnitude.op("%")(100))
    return cast(cast(cents, Numeric(18, 0)) / 100, Numeric(16, 2))


def _last_payment(dialect: str, amount: Any) -> tuple[Any, Any]:
    """Date and amount (cents) of the positive payment with the greatest (date, id)."""
    day = func.coalesce(_T.payment_date, _T.posted_date)
    positive = and_(_T.financial_type == _PAYMENT, _T.to_us + _T.direct > 0)
    if dialect == "sqlite":
        # One max() per query: SQLite then takes the bare columns (the amount) from the row
        # holding the maximum.  CASE, not FILTER: a filtered-out row must still reach max().
        days = func.unixepoch(day, type_=BigInteger).op("/")(86400)  # integer division
        key = func.max(case((positive, (days + _DAY_OFFSET) * _DAY_KEY + _T.id)),
                       type_=BigInteger)
        last_day = func.date((key.op("/")(_DAY_KEY) - _DAY_OFFSET) * 86400, "unixepoch")
        return last_day, case((key.is_(None), 0), else_=amount)
    from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

    amounts = func.array_agg(aggregate_order_by(amount, day.desc(), _T.id.desc()),
                             type_=ARRAY(BigInteger)).filter(positive)
    return func.max(day).filter(positive), func.coalesce(amounts[1], 0)


#: Where a chunk's bounds go; replaced by the driver's placeholders once compiled.
_LO, _HI = literal_column("__chunk_lo__"), literal_column("__chunk_hi__")


def _fast_query(dialect: str, where: Any) -> Any:
    """Plain accounts of file numbers ``lo``–``hi`` whose figures differ (values in
    ``DEBTOR_FIELDS`` order, as written: see :func:`_as_written`), and the other accounts
    (``not_plain`` true, values to ignore)."""
    ftype = _T.financial_type
    amount = cast(func.round((_T.to_us + _T.direct) * 100), BigInteger)

    def total(kind: int) -> Any:
        return func.coalesce(func.sum(amount).filter(ftype == kind), 0)

    principal_sum = func.sum(amount).filter(ftype == _PRINCIPAL)  # NULL: none, typed is kept
    principal = func.coalesce(-principal_sum, _cents(_D.original_principal))
    judgement_principal = case((principal_sum.is_(None), _cents(_D.judgement_principal)),
                               else_=0)
    fees, legal, paid, adjustments = (-total(_FEE), -total(_LEGAL), total(_PAYMENT),
                                      total(_ADJUSTMENT))
    last_day, last_amount = _last_payment(dialect, amount)
    cents = {
        "original_principal": principal, "judgement_principal": judgement_principal,
        "principal": principal, "interest": literal_column("0"), "fees": fees,
        "legal_costs": legal, "paid": paid, "adjustments": adjustments,
        "owing": principal + fees + legal - paid - adjustments,
        "last_payment_amount": last_amount,
        "commission_total": func.coalesce(func.sum(_cents(_T.commission)), 0),
        "tax_total": func.coalesce(func.sum(_cents(_T.tax)), 0),
        "internal_total": literal_column("0"),
    }
    not_plain = or_(
        _D.judgement_date.is_not(None), _I.debtor_id.is_not(None),
        func.count().filter(or_(ftype.in_(_NOT_PLAIN_TYPES),
                                _T.type_code == JUDGEMENT_PRINCIPAL)) > 0)
    differs = [_cents(_D[name]) != value for name, value in cents.items()]
    differs.append(_D.last_payment_date.op(  # is_distinct_from() loses literal binds here
        "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM", is_comparison=True)(last_day))
    values = [last_day if name == "last_payment_date" else _as_written(dialect, cents[name])
              for name in DEBTOR_FIELDS]
    query = (select(_D.id, not_plain.label("not_plain"), *values)
             .select_from(Debtor.__table__
                          .outerjoin(InterestDetail.__table__, _I.debtor_id == _D.id)
                          .outerjoin(Transaction.__table__,
                                     and_(_T.debtor_id == _D.id, _T.posted_date.is_not(None))))
             .where(_D.id.between(_LO, _HI))
             .group_by(_D.id, _I.debtor_id)
             .having(or_(not_plain, *differs)))
    return query if where is None else query.where(where)


def _fast_sql(driver: _Driver, where: Any) -> tuple[str, str]:
    """The chunk's count and fast query as SQL with ``lo`` / ``hi`` parameters.

    Compiled with literal constants (SQLite computes two identical aggregates once, two that
    differ by their ``?`` twice) and only once for a whole-file run, not once per chunk."""
    dialect = driver.conn.dialect
    if where is None and dialect.name in _FAST_SQL:
        return _FAST_SQL[dialect.name]
    lo, hi = (":lo", ":hi") if driver.sqlite else ("%(lo)s", "%(hi)s")

    def render(query: Any) -> str:
        sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        return sql.replace(_LO.name, lo).replace(_HI.name, hi)

    count = select(func.count()).select_from(Debtor.__table__).where(_D.id.between(_LO, _HI))
    sql = (render(count if where is None else count.where(where)),
           render(_fast_query(dialect.name, where)))
    if where is None:
        _FAST_SQL[dialect.name] = sql
    return sql


_FAST_SQL: dict[str, tuple[str, str]] = {}


def _recalc_range_fast(driver: _Driver, lo: int, hi: int, where: Any, today: dt.date,
                       captures: frozenset[str]) -> tuple[int, int]:
    """:func:`_recalc_range` with the plain accounts summed by the database."""
    count, fast = _fast_sql(driver, where)
    n = driver.fetch_sql(count, {"lo": lo, "hi": hi})[0][0]
    if not n:
        return 0, 0
    fetched = driver.fetch_sql(fast, {"lo": lo, "hi": hi})
    others = [row[0] for row in fetched if row[1]]
    if len(others) * 4 > n:  # mostly not plain: one pass through compute_totals is cheaper
        return _recalc_range(driver, lo, hi, where, today, captures)
    changed = driver.update_changed(Debtor.__table__, "id", DEBTOR_FIELDS,
                                    [(*row[2:], row[0]) for row in fetched if not row[1]])
    if others:
        changed += _recalc_range(driver, lo, hi, where, today, captures, ids=others)[1]
    return n, changed


def _ranges(conn: Connection, where: Any, size: int) -> list[tuple[int, int]]:
    """File-number ranges holding at most ``size`` accounts each, about ``size`` each.

    Every account at once when the file numbers are dense (the usual case): spans of
    ``size`` numbers between the first and the last, without reading them all."""
    if where is None:
        first, last = conn.execute(select(func.min(_D.id), func.max(_D.id))).one()
        if first is None:
            return []
        if last - first < 2 * _count(conn, None):
            return [(lo, min(lo + size - 1, last)) for lo in range(first, last + 1, size)]
    query = select(_D.id).order_by(_D.id)
    if where is not None:
        query = query.where(where)
    ids = conn.execute(query).scalars().all()
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def recalc_all(target: Session | Engine | Connection, *, today: dt.date | None = None,
               client_id: int | None = None, debtor_ids: Sequence[int] | None = None,
               progress: Progress | None = None, chunk_size: int = 20_000,
               fast: bool = True) -> BatchResult:
    """Recalculate every account (or one client's, or the listed ones) in batch.

    Each chunk of file numbers is read with two ordered queries (accounts with their terms,
    transactions in payment-date order), computed with :func:`compute_totals` and written
    with ``executemany``; an UPDATE only touches a row whose figures changed (its version
    goes up, as an edit would).  With ``fast`` (and no calculation log running) plain
    accounts are summed by the database instead and only the changed ones are written (see
    :func:`_fast_query`); the figures are the same.  With an Engine each chunk commits on its
    own; with a Session or Connection the caller commits.  ``progress(done, total)`` after
    each chunk.
    """
    today = today or dt.date.today()
    started = time.perf_counter()
    where: Any = None
    if client_id is not None:
        where = _D.client_id == client_id
    listed = sorted(set(debtor_ids)) if debtor_ids is not None else None
    if listed is not None:
        cond = _D.id.in_(listed)
        where = cond if where is None else and_(where, cond)
    result = BatchResult()

    def run(conn: Connection, lo: int, hi: int, total: int, captures: frozenset[str]) -> None:
        driver = _Driver(conn)
        by_sql = fast and calclog.active() is None and _fast_supported(conn)
        chunk_where = where
        if listed is not None:  # only the listed file numbers of this chunk
            chunk = listed[bisect_left(listed, lo):bisect_right(listed, hi)]
            chunk_where = _D.id.in_(chunk) if client_id is None \
                else and_(_D.client_id == client_id, _D.id.in_(chunk))
        try:
            n, changed = (_recalc_range_fast if by_sql else _recalc_range)(
                driver, lo, hi, chunk_where, today, captures)
        finally:
            driver.close()
        result.debtors += n
        result.changed += changed
        if progress is not None:
            progress(result.debtors, total)

    if isinstance(target, Engine):
        with target.connect() as conn:
            ranges = _ranges(conn, where, chunk_size)
            captures = capture_codes(conn)
        total = _count(target, where)
        for lo, hi in ranges:
            with target.begin() as conn:
                run(conn, lo, hi, total, captures)
    else:
        session = target if isinstance(target, Session) else None
        if session is not None:
            session.flush()
        conn = session.connection() if session is not None else target  # type: ignore[assignment]
        ranges = _ranges(conn, where, chunk_size)
        captures = capture_codes(conn)
        total = _count(conn, where)
        for lo, hi in ranges:
            run(conn, lo, hi, total, captures)
        if session is not None:
            session.expire_all()
    result.seconds = time.perf_counter() - started
    return result


def _count(target: Engine | Connection, where: Any) -> int:
    query = select(func.count()).select_from(Debtor.__table__)
    if where is not None:
        query = query.where(where)
    if isinstance(target, Engine):
        with target.connect() as conn:
            return int(conn.execute(query).scalar_one())
    return int(target.execute(query).scalar_one())
