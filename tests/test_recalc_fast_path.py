"""The batch recalculation's SQL fast path gives exactly the figures of the Python path.

Plain accounts (no judgement, no Interest Detail, no interest / internal / 194 transaction) are
summed by the database; every other account goes through ``compute_totals``.  Both paths run
here on the same accounts, on a real SQLite file and on PostgreSQL, and are compared to the
cent with the per-account ``compute_debtor``, including which rows get written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text, update
from test_financial_fixtures import TODAY, Books, D, make_books
from test_financial_postgres import pg_books  # noqa: F401  (fixture)

from collectdesk.engine import recalc
from collectdesk.engine.recalc import DEBTOR_FIELDS, INTEREST_FIELDS, compute_debtor, recalc_all
from collectdesk.models import Debtor, InterestDetail, Transaction

JAN1 = dt.date(2024, 1, 1)
_D = Debtor.__table__.c
_I = InterestDetail.__table__.c

#: Stored figures made wrong before each recalculation (every other account).
STALE = {"owing": D("1.00"), "paid": D("-3.00"), "principal": D("0.00"), "interest": D("2.50"),
         "internal_total": D("4.00"), "commission_total": D("0.01"),
         "last_payment_date": dt.date(2000, 1, 1), "last_payment_amount": D("9.99"),
         "fees": D("-0.01"), "tax_total": D("3.00")}


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    yield from make_books(tmp_path)


def raw(books: Books, debtor: Debtor, code: str, ftype: int, to_us: str, *, direct: str = "0",
        paid_on: dt.date | None = None, posted: dt.date | None = None,
        commission: str = "0", tax: str = "0") -> None:
    """A transaction written straight to the table, as an import would."""
    books.session.execute(insert(Transaction.__table__).values(
        debtor_id=debtor.id, client_id=debtor.client_id, type_code=code, financial_type=ftype,
        to_us=D(to_us), direct=D(direct), commission=D(commission), tax=D(tax),
        payment_date=paid_on, posted_date=posted))


def mixed_accounts(books: Books) -> list[Debtor]:
    """Plain accounts with every rule the SQL sums must follow, and some that are not plain."""
    b = books
    a = b.debtor(principal="1000.00", on=JAN1)
    b.post(a, "101", "100", payment_date=dt.date(2024, 2, 1))
    b.post(a, "102", "40", payment_date=dt.date(2024, 2, 1))  # same day, later: the last one
    b.post(a, "105", "-30", payment_date=dt.date(2024, 3, 1))  # negative: not a last payment
    b.post(a, "301", payment_date=dt.date(2024, 3, 2))
    b.post(a, "201", "-75", payment_date=dt.date(2024, 3, 3))
    b.post(a, "501", "25", payment_date=dt.date(2024, 3, 4))
    b.post(a, "101", "50", promise=True)  # a promise counts for nothing
    b.post(a, "101", direct="80", payment_date=dt.date(2024, 1, 15))
    undated = b.debtor(principal="500.00", on=JAN1)
    b.session.flush()
    # Dated by the posted date when there is no payment date; the later id on the same date wins
    raw(b, undated, "101", 1, "60", posted=dt.date(2024, 4, 1), commission="18", tax="1.26")
    raw(b, undated, "101", 1, "70", paid_on=dt.date(2024, 4, 1), posted=dt.date(2024, 4, 2))
    raw(b, undated, "101", 1, "35", paid_on=dt.date(2024, 3, 31), posted=dt.date(2024, 5, 1))
    raw(b, undated, "101", 1, "10.10", direct="-10.10", paid_on=dt.date(2024, 5, 1),
        posted=dt.date(2024, 5, 1))  # amount 0: not a payment that counts as last
    raw(b, undated, "398", 4, "-0.07", paid_on=dt.date(1969, 12, 31), posted=JAN1)
    typed = b.debtor(original_principal=D("300.00"), judgement_principal=D("50.00"))
    b.post(typed, "101", "20.05", payment_date=dt.date(2023, 12, 31))
    old = b.debtor(principal="12.34", on=dt.date(1965, 7, 4))
    b.post(old, "101", "0.01", payment_date=dt.date(1965, 7, 5))
    empty = b.debtor()
    zero = b.debtor(principal="10.00")
    b.post(zero, "101", "0", payment_date=dt.date(2024, 2, 2))
    interest = b.debtor(principal="3650.00", on=JAN1, interest=("compound", "10", JAN1))
    b.post(interest, "101", "200", payment_date=dt.date(2024, 3, 1))
    judged = b.debtor(principal="500.00", on=dt.date(2023, 1, 1), judgement_date=JAN1)
    b.post(judged, "101", "100", payment_date=dt.date(2023, 5, 1))
    b.post(judged, "194", "-800", payment_date=JAN1)
    first_interest = b.debtor(principal="100.00")
    b.post(first_interest, "197", "-40", payment_date=dt.date(2024, 2, 1))
    b.post(first_interest, "197", "-90", payment_date=dt.date(2024, 1, 2))
    internal = b.debtor(principal="100.00")
    b.post(internal, "601", "20")
    judgement_p = b.debtor(principal="100.00")
    b.post(judgement_p, "194", "-80")
    plain = [b.debtor(principal=str(100 + i)) for i in range(16)]
    for i, d in enumerate(plain):
        b.post(d, "101", str(i + 1), payment_date=dt.date(2024, 2, 1 + i))
    b.session.commit()
    return [a, undated, typed, old, empty, zero, interest, judged, first_interest, internal,
            judgement_p, *plain]


def figures(books: Books) -> dict[int, dict[str, Any]]:
    """Every account's stored figures (and Interest Detail figures), typed by the columns."""
    books.session.expire_all()
    conn = books.session.connection()
    found = {row[0]: dict(zip(DEBTOR_FIELDS, row[1:], strict=True)) for row in conn.execute(
        select(_D.id, *[_D[n] for n in DEBTOR_FIELDS]))}
    for row in conn.execute(select(_I.debtor_id, *[_I[n] for n in INTEREST_FIELDS])):
        found[row[0]].update(zip(INTEREST_FIELDS, row[1:], strict=True))
    return found


def versions(books: Books) -> dict[int, int]:
    return dict(books.session.connection().execute(select(_D.id, _D.version)).all())


def make_stale(books: Books, ids: list[int]) -> None:
    books.session.execute(update(Debtor.__table__).where(_D.id.in_(ids[::2])).values(**STALE))
    books.session.execute(text("UPDATE interest_details SET accrued_interest = 7"))
    books.session.commit()


def expected(books: Books, accounts: list[Debtor]) -> dict[int, dict[str, Any]]:
    """What the per-account path computes."""
    books.session.expire_all()
    out = {}
    for d in accounts:
        totals = compute_debtor(books.session, d, today=TODAY).as_dict()
        out[d.id] = {n: totals[n] for n in DEBTOR_FIELDS}
        if d.interest_detail is not None or any(totals[n] for n in INTEREST_FIELDS):
            out[d.id].update({n: totals[n] for n in INTEREST_FIELDS})
    books.session.rollback()
    return out


def both_paths(books: Books, accounts: list[Debtor], **kw: Any) -> None:
    """Python path, then fast path, on the same stale figures: same figures, writes, versions."""
    ids = [d.id for d in accounts]
    want = expected(books, accounts)
    recalc_all(books.session.get_bind(), today=TODAY, fast=False)  # imported rows settled
    runs = []
    for fast in (False, True):
        make_stale(books, ids)
        before = versions(books)
        result = recalc_all(books.session.get_bind(), today=TODAY, fast=fast, **kw)
        after = versions(books)
        runs.append((figures(books), result.debtors, result.changed,
                     {k: after[k] - before[k] for k in after}))
    (slow_figures, *slow_rest), (fast_figures, *fast_rest) = runs
    assert [(k, n, v, slow_figures[k].get(n)) for k, row in fast_figures.items()
            for n, v in row.items() if slow_figures[k].get(n) != v] == []
    assert fast_figures == slow_figures
    assert fast_rest == slow_rest
    assert {k: v for k, v in fast_figures.items() if k in want} == want
    stale = set(ids[::2])
    assert {k for k, v in runs[1][3].items() if v} <= stale  # right figures: not written


@pytest.mark.parametrize("chunk_size", [3, 1000])
def test_fast_and_python_paths_agree_on_sqlite(books: Books, chunk_size: int) -> None:
    accounts = mixed_accounts(books)
    both_paths(books, accounts, chunk_size=chunk_size)


def test_fast_path_only_sends_accounts_that_are_not_plain_through_python(
        books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = mixed_accounts(books)
    recalc_all(books.session.get_bind(), today=TODAY)
    make_stale(books, [d.id for d in accounts])
    computed: list[int] = []
    core = recalc.compute_totals

    def counting(rows: Any, *args: Any, **kw: Any) -> Any:
        computed.append(1)
        return core(rows, *args, **kw)

    monkeypatch.setattr(recalc, "compute_totals", counting)
    result = recalc_all(books.session.get_bind(), today=TODAY)
    assert result.debtors == len(accounts)
    assert len(computed) == 5  # interest, judged, first 197, internal, 194
    computed.clear()
    assert recalc_all(books.session.get_bind(), today=TODAY).changed == 0
    assert len(computed) == 5


def test_fast_path_by_client_and_listed_accounts(books: Books) -> None:
    from collectdesk.models import Client, ClientSettings

    accounts = mixed_accounts(books)
    other = Client(name="Other")
    other.settings = ClientSettings()
    books.session.add(other)
    books.session.flush()
    theirs = books.debtor(principal="999.00", client=other)
    books.session.commit()
    both_paths(books, accounts, client_id=books.client.id, chunk_size=4)
    books.session.execute(update(Debtor.__table__).values(owing=D("1.00")))
    books.session.commit()
    listed = [accounts[0].id, accounts[-1].id, accounts[7].id, theirs.id]
    result = recalc_all(books.session.get_bind(), today=TODAY, debtor_ids=listed, chunk_size=2)
    assert (result.debtors, result.changed) == (4, 4)
    owing = dict(books.session.connection().execute(select(_D.id, _D.owing)).all())
    assert [k for k, v in owing.items() if v != D("1.00")] == sorted(listed)


def test_fast_and_python_paths_agree_on_postgresql(pg_books: Books) -> None:  # noqa: F811
    accounts = mixed_accounts(pg_books)
    both_paths(pg_books, accounts, chunk_size=5)


CODES = [("101", 1), ("102", 1), ("105", 1), ("196", 16), ("301", 4), ("398", 4), ("201", 8),
         ("501", 32), ("193", 32), ("197", 2), ("401", 2), ("601", 64), ("194", 16)]
cents = st.integers(min_value=-500_000, max_value=500_000).map(lambda c: D(c).scaleb(-2))
days = st.one_of(st.none(), st.integers(min_value=-800, max_value=10).map(
    lambda n: TODAY + dt.timedelta(days=n)))
transactions = st.lists(st.tuples(st.sampled_from(CODES), cents, cents, days, days, cents),
                        max_size=7)


@given(accounts=st.lists(st.tuples(transactions, cents, st.booleans()), min_size=1, max_size=4))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_fast_path_matches_the_per_account_path(books: Books, accounts: list) -> None:
    """Random imported transactions: duplicates of a date, undated, promises, zero amounts."""
    made = []
    for rows, typed, judged in accounts:
        debtor = books.debtor(original_principal=typed,
                              judgement_date=JAN1 if judged and typed > 0 else None)
        for (code, ftype), to_us, direct, paid_on, posted, commission in rows:
            raw(books, debtor, code, ftype, str(to_us), direct=str(direct), paid_on=paid_on,
                posted=posted or (paid_on if to_us > 0 else None), commission=str(commission))
        made.append(debtor)
    books.session.commit()
    ids = [d.id for d in made]
    want = expected(books, made)
    make_stale(books, ids)
    recalc_all(books.session.get_bind(), today=TODAY, debtor_ids=ids)
    got = figures(books)
    assert {k: got[k] for k in ids} == want
    assert recalc_all(books.session.get_bind(), today=TODAY, debtor_ids=ids).changed == 0


def test_amounts_are_summed_in_cents(books: Books) -> None:
    """0.10 + 0.20 is not 0.30 in floating point; the figures are exact."""
    debtor = books.debtor(principal="0.30")
    for _ in range(3):
        books.post(debtor, "101", "0.10")
    books.post(debtor, "101", direct="0.20")
    books.session.commit()
    make_stale(books, [debtor.id])
    recalc_all(books.session.get_bind(), today=TODAY)
    books.session.refresh(debtor)
    assert (debtor.paid, debtor.owing) == (D("0.50"), D("-0.20"))
    assert isinstance(debtor.owing, Decimal)
