"""The financial engine on PostgreSQL: posting, single and batch recalculation, clients.

The batch reads and writes through the driver directly, so it is run here on psycopg as well
(Decimal and date values instead of SQLite's REAL and ISO text)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from test_financial_fixtures import TODAY, Books, D, make_books

from collectdesk.engine.client_recalc import recalc_client, recalc_clients
from collectdesk.engine.recalc import compute_debtor, recalc_all
from collectdesk.models import InterestDetail


@pytest.fixture
def pg_books(pg_url: str, tmp_path: Path) -> Iterator[Books]:
    """Books in a database of their own on the test server, dropped afterwards."""
    name = f"fin_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield from make_books(tmp_path, url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_batch_and_single_recalc_agree_on_postgresql(pg_books: Books) -> None:
    b = pg_books
    jan1 = dt.date(2024, 1, 1)
    plain = b.debtor(principal="1000.00")
    b.post(plain, "101", "100")
    b.post(plain, "301")
    b.post(plain, "101", "50", promise=True)
    interest = b.debtor(principal="3650.00", on=jan1, interest=("compound", "10", jan1))
    b.post(interest, "197", "-40")
    b.post(interest, "197", "-90")
    b.post(interest, "101", "200", payment_date=dt.date(2024, 3, 1))
    judged = b.debtor(principal="500.00", on=dt.date(2023, 1, 1),
                      judgement_date=dt.date(2024, 1, 1))
    b.post(judged, "194", "-800", payment_date=dt.date(2024, 1, 1))
    b.post(judged, "601", "20")
    bare = b.debtor()
    accounts = [plain, interest, judged, bare]
    expected = {d.id: compute_debtor(b.session, d, today=TODAY).as_dict() for d in accounts}
    b.session.execute(text("UPDATE debtors SET owing = 0, paid = 0"))
    b.session.execute(text("DELETE FROM interest_details"))
    b.session.execute(text(
        "INSERT INTO interest_details (debtor_id, interest_type, annual_rate, calculate_from) "
        "VALUES (:d, 'compound', 10, :f)"), {"d": interest.id, "f": jan1})
    b.session.commit()
    engine = b.session.get_bind()
    first = recalc_all(engine, today=TODAY)
    assert first.debtors == 4 and first.changed >= 4
    assert recalc_all(engine, today=TODAY).changed == 0
    b.session.expire_all()
    for d in accounts:
        detail = b.session.get(InterestDetail, d.id)
        got = {n: getattr(d, n) for n in expected[d.id] if hasattr(d, n) and n not in (
            "original_interest", "original_judgement_interest", "accrued_interest",
            "interest_adjustments")}
        got.update({n: getattr(detail, n) if detail else D("0.00") for n in (
            "original_interest", "original_judgement_interest", "accrued_interest",
            "interest_adjustments")})
        assert got == expected[d.id], d.id
    assert interest.interest_detail.original_interest == D("40.00")


def test_client_figures_on_postgresql(pg_books: Books) -> None:
    b = pg_books
    a = b.debtor(principal="1000.00")
    b.post(a, "101", "250")
    b.debtor(principal="0.10")
    figures = recalc_client(b.session, b.client, today=TODAY)
    assert (figures.accounts, figures.listed, figures.paid, figures.success_rate) == (
        2, D("1000.10"), D("250.00"), D("24.998"))
    b.session.commit()
    assert recalc_clients(b.session.get_bind(), today=TODAY)[b.client.id].as_dict() == \
        figures.as_dict()


def test_payment_plan_late_fees_and_team_shares_on_postgresql(pg_books: Books) -> None:
    from collectdesk.engine.payment_plans import apply_all_late_fees, create_payment_plan
    from collectdesk.engine.posting import delete_transaction

    b = pg_books
    b.team("ST1", {"ANN": "50", "BOB": "50"})
    debtor = b.debtor(principal="600.00", operator_id="ST1")
    create_payment_plan(b.session, debtor, start=dt.date(2024, 6, 1), payment_amount=D("200"),
                        late_fee=D("15"), today=TODAY)
    payment = b.post(debtor, "101", "200", payment_date=dt.date(2024, 6, 1)).transaction
    b.session.commit()
    assert [t.to_us for t in apply_all_late_fees(b.session, dt.date(2024, 7, 5))] == [
        D("-15.00")]  # July missed, June paid
    assert apply_all_late_fees(b.session, dt.date(2024, 7, 5)) == []
    shares = b.session.execute(text(
        "SELECT operator_id, amount FROM commission_shares WHERE transaction_id = :t "
        "ORDER BY operator_id"), {"t": payment.id}).all()
    assert shares == [("ANN", D("30.00")), ("BOB", D("30.00"))]
    delete_transaction(b.session, payment, today=TODAY)
    b.session.commit()
    assert b.session.execute(text("SELECT count(*) FROM commission_shares")).scalar_one() == 0


def test_payments_not_kept_on_postgresql(pg_books: Books) -> None:
    """The Payment Plans list's query (a kept promise found by its ``kept:<id>`` reference)
    on PostgreSQL."""
    from collectdesk.engine.payment_plans import create_payment_plan, due_payments, keep_promise

    b = pg_books
    debtor = b.debtor(principal="600.00")
    schedule = create_payment_plan(b.session, debtor, start=dt.date(2024, 6, 1), count=3,
                                   today=TODAY)
    keep_promise(b.session, schedule.payments[0].transaction, posted_date=dt.date(2024, 6, 1),
                 today=TODAY)
    b.session.commit()
    rows = due_payments(b.session, dt.date(2024, 7, 5))
    assert [(r.due_date, r.amount, r.late) for r in rows] == [
        (dt.date(2024, 7, 1), D("200.00"), True), (dt.date(2024, 8, 1), D("200.00"), False)]
