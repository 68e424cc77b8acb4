"""Debtor recalculation: interest, typed values, the batch path, the calculation log and
the properties every recalculation keeps (hypothesis)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from test_financial_fixtures import TODAY, Books, D, make_books

from collectdesk.engine.calclog import CalcLog, read_calclog
from collectdesk.engine.interest import InterestTerms
from collectdesk.engine.posting import delete_transaction
from collectdesk.engine.recalc import (
    DEBTOR_FIELDS,
    INTEREST_FIELDS,
    AccountTerms,
    Totals,
    compute_debtor,
    compute_totals,
    recalc_all,
    recalc_debtor,
)
from collectdesk.models import Debtor, FinancialType, InterestDetail, Transaction

JAN1 = dt.date(2024, 1, 1)


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    yield from make_books(tmp_path)


def snapshot(debtor: Debtor) -> dict[str, object]:
    values = {n: getattr(debtor, n) for n in DEBTOR_FIELDS}
    detail = debtor.interest_detail
    values.update({n: getattr(detail, n) if detail else D("0.00") for n in INTEREST_FIELDS})
    return values


# -- interest ---------------------------------------------------------------------------------

def test_simple_interest_on_the_running_principal(books: Books) -> None:
    """Interest 'on the resulting principal total after each transaction's payment date'."""
    debtor = books.debtor(principal="1000.00", on=JAN1, interest=("simple", "36.5", JAN1))
    books.post(debtor, "196", "-1000", payment_date=dt.date(2024, 2, 1))
    totals = recalc_debtor(books.session, debtor, today=dt.date(2024, 3, 1))
    assert totals.accrued_interest == D("89.00")  # 31 days × 1.00 + 29 days × 2.00
    assert debtor.interest == D("89.00")
    assert debtor.owing == D("2089.00")


def test_payment_principal_lowers_the_interest_bearing_amount(books: Books) -> None:
    debtor = books.debtor(principal="1000.00", on=JAN1, interest=("simple", "36.5", JAN1))
    tx = books.post(debtor, "101", "500", payment_date=dt.date(2024, 2, 1)).transaction
    assert (tx.paid_interest, tx.paid_principal) == (D("31.00"), D("469.00"))
    totals = recalc_debtor(books.session, debtor, today=dt.date(2024, 3, 1))
    assert totals.accrued_interest == D("46.40")  # 31.00 + 29 days × 531 × 0.1 %


def test_calculate_from_starts_the_accrual(books: Books) -> None:
    debtor = books.debtor(principal="1000.00", on=JAN1,
                          interest=("simple", "36.5", dt.date(2024, 2, 1)))
    assert recalc_debtor(books.session, debtor, today=dt.date(2024, 3, 1)).accrued_interest \
        == D("29.00")


def test_compound_interest_compounds_monthly(books: Books) -> None:
    debtor = books.debtor(principal="3650.00", on=JAN1, interest=("compound", "10", JAN1))
    totals = recalc_debtor(books.session, debtor, today=dt.date(2024, 3, 1))
    # January: 31 × 1.00 = 31.00, added on Feb 1; February: 29 × 3,681 × 10 % / 365 = 29.2463
    assert totals.accrued_interest == D("60.25")
    simple = books.debtor(principal="3650.00", on=JAN1, interest=("simple", "10", JAN1))
    assert recalc_debtor(books.session, simple, today=dt.date(2024, 3, 1)).accrued_interest \
        == D("60.00")


def test_judgement_rate_applies_after_judgement(books: Books) -> None:
    debtor = books.debtor(principal="1000.00", on=JAN1, interest=("simple", "10", JAN1),
                          judgement_date=dt.date(2024, 2, 1))
    debtor.interest_detail.judgement_rate = D("36.5")
    books.post(debtor, "194", "-1000", payment_date=dt.date(2024, 2, 1))
    assert recalc_debtor(books.session, debtor, today=dt.date(2024, 3, 1)).accrued_interest \
        == D("29.00")


def test_no_interest_on_a_negative_principal() -> None:
    terms = AccountTerms(interest=InterestTerms("simple", D("10"), JAN1))
    rows = [(1, "196", 16, D("100.00"), D("0"), D("0"), JAN1, True, D("0"), D("0"))]
    assert compute_totals(rows, terms, dt.date(2025, 1, 1)).accrued_interest == D("0.00")


# -- typed values, promises, dates ------------------------------------------------------------

def test_typed_original_principal_is_kept_without_principal_transactions(books: Books) -> None:
    debtor = books.debtor(original_principal=D("750.00"))
    books.post(debtor, "101", "50")
    assert (debtor.original_principal, debtor.principal, debtor.owing) == (
        D("750.00"), D("750.00"), D("700.00"))


def test_typed_original_interest_is_kept_without_a_197(books: Books) -> None:
    debtor = books.debtor(principal="100.00")
    debtor.interest_detail = InterestDetail(original_interest=D("12.00"))
    totals = recalc_debtor(books.session, debtor, today=TODAY)
    assert (totals.original_interest, totals.interest, totals.owing) == (
        D("12.00"), D("12.00"), D("112.00"))


def test_transaction_without_payment_date_uses_its_posted_date(books: Books) -> None:
    debtor = books.debtor(principal="100.00")
    tx = books.post(debtor, "101", "10", payment_date=dt.date(2024, 3, 1)).transaction
    tx.payment_date = None
    totals = recalc_debtor(books.session, debtor, today=TODAY)
    assert totals.last_payment_date == dt.date(2024, 3, 1)


def test_last_payment_is_the_latest_positive_payment(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "101", "70", payment_date=dt.date(2024, 4, 1))
    books.post(debtor, "101", "30", payment_date=dt.date(2024, 2, 1))  # entered later, older
    books.post(debtor, "105", "-30", payment_date=dt.date(2024, 5, 1))  # a reversal
    assert (debtor.last_payment_date, debtor.last_payment_amount) == (dt.date(2024, 4, 1),
                                                                      D("70.00"))


def test_recalc_writes_nothing_when_nothing_changed(books: Books) -> None:
    debtor = books.debtor(principal="100.00")
    books.session.commit()
    version = debtor.version
    recalc_debtor(books.session, debtor, today=TODAY)
    books.session.commit()
    assert debtor.version == version


# -- batch ------------------------------------------------------------------------------------

def _varied_accounts(books: Books) -> list[Debtor]:
    a = books.debtor(principal="1000.00")
    books.post(a, "101", "100")
    books.post(a, "301")
    books.post(a, "101", "50", promise=True)
    books.post(a, "101", "70", payment_date=dt.date(2024, 5, 1))
    undated = books.post(a, "101", "20", payment_date=dt.date(2024, 5, 20)).transaction
    undated.payment_date = None  # imported without one: dated by its posted date
    books.post(a, "101", "5", payment_date=dt.date(2024, 5, 10))
    b = books.debtor(principal="3650.00", on=JAN1, interest=("compound", "10", JAN1))
    books.post(b, "197", "-40")
    books.post(b, "197", "-90")
    books.post(b, "101", "200", payment_date=dt.date(2024, 3, 1))
    books.post(b, "499", payment_date=dt.date(2024, 4, 1))
    c = books.debtor(principal="500.00", on=dt.date(2023, 1, 1))
    books.post(c, "101", "100", payment_date=dt.date(2023, 5, 1))
    c.judgement_date = dt.date(2024, 1, 1)
    books.post(c, "194", "-800", payment_date=dt.date(2024, 1, 1))
    books.post(c, "201", "-75", payment_date=dt.date(2024, 1, 1))
    books.post(c, "601", "20")
    d = books.debtor(original_principal=D("300.00"))
    books.post(d, "501", "25")
    e = books.debtor()
    return [a, b, c, d, e]


def test_batch_recalc_matches_single_recalc(books: Books) -> None:
    accounts = _varied_accounts(books)
    expected = {d.id: compute_debtor(books.session, d, today=TODAY) for d in accounts}
    books.session.execute(text("UPDATE debtors SET owing = 0, principal = 0, paid = 0"))
    books.session.execute(text("UPDATE interest_details SET accrued_interest = 0"))
    books.session.commit()
    result = recalc_all(books.session, today=TODAY)
    books.session.commit()
    assert result.debtors == 5 and result.changed >= 5
    for d in accounts:
        books.session.refresh(d)
        if d.interest_detail is not None:
            books.session.refresh(d.interest_detail)
        assert snapshot(d) == expected[d.id].as_dict(), d.id


def test_batch_recalc_twice_changes_nothing(books: Books) -> None:
    accounts = _varied_accounts(books)
    books.session.commit()
    recalc_all(books.session, today=TODAY)
    books.session.commit()
    versions = [d.version for d in accounts]
    again = recalc_all(books.session, today=TODAY)
    books.session.commit()
    assert again.changed == 0
    assert [d.version for d in accounts] == versions


def test_batch_recalc_through_an_engine_by_client_and_in_chunks(books: Books) -> None:
    from collectdesk.models import Client, ClientSettings

    other = Client(name="Other")
    other.settings = ClientSettings()
    books.session.add(other)
    books.session.flush()
    mine = [books.debtor(principal=str(100 + i)) for i in range(7)]
    theirs = books.debtor(principal="999.00", client=other)
    books.session.execute(text("UPDATE debtors SET owing = 1"))
    books.session.commit()
    engine = books.session.get_bind()
    seen: list[tuple[int, int]] = []
    result = recalc_all(engine, today=TODAY, client_id=books.client.id, chunk_size=3,
                        progress=lambda done, total: seen.append((done, total)))
    assert result.debtors == 7 and seen == [(3, 7), (6, 7), (7, 7)]
    books.session.expire_all()
    assert [d.owing for d in mine] == [D(100 + i) for i in range(7)]
    assert theirs.owing == D("1.00")


def test_batch_recalc_creates_interest_detail_for_imported_197(books: Books) -> None:
    """Transactions written straight to the table (an import) are picked up by the batch."""
    debtor = books.debtor()
    books.session.commit()
    books.session.execute(text(
        "INSERT INTO transactions (debtor_id, client_id, type_code, financial_type, to_us, "
        "payment_date, posted_date) VALUES (:d, :c, '197', :f, -45.5, '2024-01-05', '2024-01-05')"
    ), {"d": debtor.id, "c": books.client.id, "f": int(FinancialType.INTEREST)})
    books.session.commit()
    recalc_all(books.session.get_bind(), today=TODAY)
    books.session.expire_all()
    assert debtor.interest_detail is not None
    assert (debtor.interest_detail.original_interest, debtor.interest, debtor.owing) == (
        D("45.50"), D("45.50"), D("45.50"))


# -- calculation log --------------------------------------------------------------------------

def test_calclog_writes_every_step_tab_separated(books: Books, tmp_path: Path) -> None:
    debtor = books.debtor(principal="1000.00", on=JAN1, interest=("simple", "10", JAN1))
    books.post(debtor, "101", "100")
    books.post(debtor, "101", "50", promise=True)
    books.post(debtor, "601", "5")
    path = tmp_path / "calc.log"
    with CalcLog(path) as log:
        recalc_debtor(books.session, debtor, today=TODAY, log=log)
    lines = read_calclog(path)
    assert path.read_text().splitlines()[0] == "step\tfield\tvalue\tdetail"
    assert all(len(line.split("\t")) == 4 for line in path.read_text().splitlines())
    steps = [(s, f) for s, f, _v, _d in lines]
    assert steps[0] == ("debtor", "file")
    assert ("count", "196") in steps and ("count", "101") in steps
    assert ("skip", "101") in steps  # the promise
    assert ("internal", "601") in steps
    assert ("interest", "accrued") in steps
    owing = [v for s, f, v, _d in lines if (s, f) == ("total", "owing")]
    assert owing == [str(debtor.owing), str(debtor.owing)]


# -- properties -------------------------------------------------------------------------------

CODES = ["101", "105", "106", "150", "160", "163", "196", "197", "195", "194", "201", "301",
         "309", "401", "499", "161", "501", "601", "398"]
amounts = st.decimals(min_value=Decimal(-5000), max_value=Decimal(5000), places=2,
                      allow_nan=False, allow_infinity=False)
days = st.integers(min_value=-400, max_value=150)
postings = st.lists(st.tuples(st.sampled_from(CODES), amounts, days, st.booleans()),
                    max_size=8)
interest = st.one_of(st.none(), st.tuples(st.sampled_from(["simple", "compound"]),
                                          st.decimals(min_value=0, max_value=40, places=3),
                                          days))
FT = {"101": 1, "105": 1, "106": 1, "150": 1, "160": 16, "163": 16, "196": 16, "197": 2,
      "195": 2, "194": 16, "201": 8, "301": 4, "309": 4, "401": 2, "499": 2, "161": 16,
      "501": 32, "601": 64, "398": 4}


@given(rows=st.lists(st.tuples(st.sampled_from(CODES), amounts, amounts, days, st.booleans(),
                               amounts), max_size=12),
       judgement=st.one_of(st.none(), days), terms=interest)
@settings(max_examples=300, deadline=None)
def test_owing_always_equals_the_sum_of_its_parts(rows: list, judgement: int | None,
                                                  terms: tuple | None) -> None:
    core_rows = [(i, code, FT[code], amt, comm, D("0.00"), TODAY + dt.timedelta(days=day),
                  posted, paid_p, D("0.00"))
                 for i, (code, amt, comm, day, posted, paid_p) in enumerate(rows)]
    core_rows.sort(key=lambda r: (r[6], r[0]))
    account = AccountTerms(
        judgement_date=None if judgement is None else TODAY + dt.timedelta(days=judgement),
        interest=InterestTerms() if terms is None else InterestTerms(
            terms[0], terms[1], TODAY + dt.timedelta(days=terms[2])))
    t = compute_totals(core_rows, account, TODAY, capture_codes=frozenset({"161", "499"}))
    assert t.owing == t.principal + t.interest + t.fees + t.legal_costs - t.paid - t.adjustments
    # Seed 003 judgement rule: a transaction dated before the judgement date drops out of the
    # balances; only the first 197 / 195 (date order) is Original (Judgement) Interest, which
    # shows as history whatever its date but is in Interest only when it is counted.
    jd = account.judgement_date
    posted = [r for r in core_rows if r[7]]

    def counts(row: tuple) -> bool:
        return jd is None or row[6] >= jd

    first = {code: next((r for r in posted if r[1] == code), None) for code in ("197", "195")}
    assert t.original_interest == (-first["197"][3] if first["197"] else D("0.00"))
    assert t.original_judgement_interest == (-first["195"][3] if first["195"] else D("0.00"))
    adjustments = -sum((r[3] for r in posted if r[2] == 2 and r[1] not in ("197", "195")
                        and counts(r)), D("0.00"))
    assert t.interest_adjustments == adjustments
    counted_first = sum((-r[3] for r in first.values() if r is not None and counts(r)),
                        D("0.00"))
    assert t.interest == counted_first + adjustments + t.accrued_interest
    assert t.paid == sum((r[3] for r in posted if r[2] == 1 and counts(r)), D("0.00"))
    for name in ("owing", "principal", "interest", "fees", "legal_costs", "paid", "adjustments",
                 "commission_total", "accrued_interest"):
        assert getattr(t, name).as_tuple().exponent == -2, name


def _post_all(books: Books, debtor: Debtor, steps: list) -> None:
    for code, amount, day, direct in steps:
        when = TODAY + dt.timedelta(days=min(day, 0))
        if code in ("106", "160", "163", "309", "499", "161"):
            books.post(debtor, code, payment_date=when)
        elif direct:
            books.post(debtor, code, direct=amount, payment_date=when)
        else:
            books.post(debtor, code, amount, payment_date=when)


@given(steps=postings, terms=interest)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_db_owing_equals_parts_and_recalculating_twice_changes_nothing(
        books: Books, steps: list, terms: tuple | None) -> None:
    debtor = books.debtor(principal="2500.00", on=dt.date(2023, 1, 1),
                          interest=None if terms is None else (
                              terms[0], terms[1], TODAY + dt.timedelta(days=terms[2])))
    _post_all(books, debtor, steps)
    first = recalc_debtor(books.session, debtor, today=TODAY)
    assert debtor.owing == (debtor.principal + debtor.interest + debtor.fees + debtor.legal_costs
                            - debtor.paid - debtor.adjustments)
    books.session.commit()
    version = debtor.version
    assert recalc_debtor(books.session, debtor, today=TODAY) == first
    books.session.commit()
    assert debtor.version == version
    batch = recalc_all(books.session, today=TODAY, debtor_ids=[debtor.id])
    books.session.commit()
    assert batch.changed == 0
    assert snapshot(debtor) == first.as_dict()


@given(setup=postings, code=st.sampled_from(CODES), amount=amounts,
       day=st.integers(min_value=-400, max_value=0), terms=interest)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_posting_then_deleting_restores_every_total(books: Books, setup: list, code: str,
                                                    amount: Decimal, day: int,
                                                    terms: tuple | None) -> None:
    debtor = books.debtor(principal="2500.00", on=dt.date(2023, 1, 1),
                          interest=None if terms is None else (
                              terms[0], terms[1], TODAY + dt.timedelta(days=terms[2])))
    books.post(debtor, "197", "-10", payment_date=dt.date(2023, 1, 1))
    books.post(debtor, "195", "-5", payment_date=dt.date(2023, 1, 1))
    _post_all(books, debtor, setup)
    recalc_debtor(books.session, debtor, today=TODAY)
    before = snapshot(debtor)
    debtor.bill_commission_to_debtor = day % 2 == 0
    _post_all(books, debtor, [(code, amount, day, False)])
    last = books.session.query(Transaction).filter(
        Transaction.debtor_id == debtor.id, Transaction.reference.not_like("bill:%")
    ).order_by(Transaction.id.desc()).first()
    assert last is not None
    delete_transaction(books.session, last, today=TODAY)
    assert snapshot(debtor) == before


def test_totals_equality_is_by_value() -> None:
    assert Totals() == Totals(owing=D("0.00"))


def test_calclog_started_for_the_program_logs_single_and_batch(books: Books,
                                                               tmp_path: Path) -> None:
    from collectdesk.engine import calclog

    debtor = books.debtor(principal="10.00")
    books.session.commit()
    path = tmp_path / "calclog.txt"
    calclog.start(path)
    try:
        recalc_debtor(books.session, debtor, today=TODAY)
        recalc_all(books.session, today=TODAY)
    finally:
        calclog.stop()
    recalc_debtor(books.session, debtor, today=TODAY)  # no longer logged
    starts = [d for s, f, v, d in read_calclog(path) if s == "debtor"]
    assert len(starts) == 2 and "batch" in starts[1]


def test_recalc_client_is_reachable_from_recalc(books: Books) -> None:
    from collectdesk.engine import recalc

    books.debtor(principal="10.00")
    assert recalc.recalc_client(books.session, books.client, today=TODAY).listed == D("10.00")


def test_batch_orders_undated_transactions_by_posted_date(books: Books) -> None:
    """Without a payment date a transaction is dated by its posted date, in the batch too
    (a NULL payment date sorts first in SQL, so the batch re-sorts such accounts)."""
    debtor = books.debtor(principal="100.00")
    late = books.post(debtor, "197", "-30", payment_date=dt.date(2024, 3, 1)).transaction
    books.post(debtor, "197", "-50", payment_date=dt.date(2024, 2, 1))
    late.payment_date = None
    books.session.execute(text("UPDATE interest_details SET original_interest = 0"))
    books.session.commit()
    recalc_all(books.session, today=TODAY)
    books.session.commit()
    books.session.expire_all()
    assert debtor.interest_detail.original_interest == D("50.00")
