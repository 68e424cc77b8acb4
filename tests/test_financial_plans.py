"""Payment plans: schedule (150 / 151 promises, 350, 193), promise contacts, late fees (351)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_financial_fixtures import TODAY, Books, D, make_books

from collectdesk.engine import records
from collectdesk.engine.access import AccessPolicy
from collectdesk.engine.payment_plans import (
    apply_all_late_fees,
    apply_late_fees,
    create_payment_plan,
    due_date,
    due_payments,
    keep_promise,
    preview_payment_plan,
    split_amounts,
)
from collectdesk.engine.posting import PostingError
from collectdesk.engine.saving import save_form
from collectdesk.engine.wip import wip_list
from collectdesk.models import Client, Contact, Debtor, Operator, Transaction


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    yield from make_books(tmp_path)


def test_split_amounts_by_payment_or_by_count() -> None:
    assert split_amounts(D("1000.00"), payment_amount=D("300"), count=None) == [
        D("300.00"), D("300.00"), D("300.00"), D("100.00")]
    assert split_amounts(D("1000.00"), payment_amount=None, count=3) == [
        D("333.33"), D("333.33"), D("333.34")]
    assert split_amounts(D("0"), payment_amount=D("50"), count=None) == []
    with pytest.raises(PostingError):
        split_amounts(D("10"), payment_amount=None, count=None)


def test_due_dates_keep_the_day_of_month() -> None:
    start = dt.date(2024, 1, 31)
    assert [due_date(start, k, "monthly") for k in range(3)] == [
        dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]
    assert due_date(start, 2, "biweekly") == dt.date(2024, 2, 28)
    assert due_date(start, 1, 10) == dt.date(2024, 2, 10)


def test_payment_plan_schedule(books: Books) -> None:
    debtor = books.debtor(principal="1000.00", operator_id="JANE")
    schedule = create_payment_plan(
        books.session, debtor, start=dt.date(2024, 6, 15), payment_amount=D("250"),
        down_payment=D("100"), service_charge=D("50"), initial_discount=D("150"), today=TODAY)
    # owing 1,000 - 150 discount + 50 charge = 900; 100 down; 800 in 250 / 250 / 250 / 50
    assert schedule.discount is not None and schedule.discount.type_code == "193"
    assert schedule.discount.to_us == D("150.00")
    assert schedule.service_charge is not None and schedule.service_charge.type_code == "350"
    assert schedule.service_charge.to_us == D("-50.00")
    assert [(p.number, p.transaction.type_code, p.due_date, p.amount)
            for p in schedule.payments] == [
        (0, "150", dt.date(2024, 6, 15), D("100.00")),
        (1, "151", dt.date(2024, 7, 15), D("250.00")),
        (2, "151", dt.date(2024, 8, 15), D("250.00")),
        (3, "151", dt.date(2024, 9, 15), D("250.00")),
        (4, "151", dt.date(2024, 10, 15), D("50.00")),
    ]
    assert schedule.total == D("900.00")
    assert all(p.transaction.posted_date is None for p in schedule.payments)  # promises
    # the promises are not in the financials
    assert (debtor.adjustments, debtor.fees, debtor.paid, debtor.owing) == (
        D("150.00"), D("50.00"), D("0.00"), D("900.00"))
    contacts = books.session.query(Contact).filter_by(debtor_id=debtor.id).order_by(
        Contact.due_date).all()
    assert [(c.type, c.operator_id, c.due_date, c.amount, c.done) for c in contacts][:2] == [
        ("Promise", "JANE", dt.date(2024, 6, 15), D("100.00"), False),
        ("Promise", "JANE", dt.date(2024, 7, 15), D("250.00"), False)]
    assert len(contacts) == 5
    assert contacts[1].description == "Payment plan payment 1 of 4"
    assert debtor.interest_detail.payment_amount == D("250.00")


def test_plan_by_number_of_payments_without_down_payment(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    schedule = create_payment_plan(books.session, debtor, start=dt.date(2024, 6, 1), count=3,
                                   interval="weekly", today=TODAY)
    assert [(p.due_date, p.amount) for p in schedule.payments] == [
        (dt.date(2024, 6, 1), D("333.33")), (dt.date(2024, 6, 8), D("333.33")),
        (dt.date(2024, 6, 15), D("333.34"))]


def test_late_fee_when_a_scheduled_payment_is_missed(books: Books) -> None:
    debtor = books.debtor(principal="900.00")
    create_payment_plan(books.session, debtor, start=dt.date(2024, 6, 1), payment_amount=D("300"),
                        late_fee=D("20"), today=TODAY)
    # nothing due yet on the first due date
    assert apply_late_fees(books.session, debtor, dt.date(2024, 6, 1)) == []
    # the June payment is missed
    [fee] = apply_late_fees(books.session, debtor, dt.date(2024, 6, 2))
    assert (fee.type_code, fee.to_us, fee.payment_date) == ("351", D("-20.00"),
                                                            dt.date(2024, 6, 2))
    assert (debtor.fees, debtor.owing) == (D("20.00"), D("920.00"))
    # charged once only
    assert apply_late_fees(books.session, debtor, dt.date(2024, 6, 20)) == []


def test_no_late_fee_when_payments_cover_the_schedule(books: Books) -> None:
    debtor = books.debtor(principal="900.00")
    schedule = create_payment_plan(books.session, debtor, start=dt.date(2024, 6, 1),
                                   payment_amount=D("300"), late_fee=D("20"), today=TODAY)
    kept = keep_promise(books.session, schedule.payments[0].transaction,
                        posted_date=dt.date(2024, 6, 1), today=TODAY)
    assert (kept.type_code, kept.to_us, kept.posted_date, kept.commission) == (
        "151", D("300.00"), dt.date(2024, 6, 1), D("90.00"))
    assert schedule.payments[0].contact.done
    books.post(debtor, "101", "300", payment_date=dt.date(2024, 7, 1))
    assert apply_late_fees(books.session, debtor, dt.date(2024, 7, 10)) == []
    # August is missed
    assert [t.reference for t in apply_late_fees(books.session, debtor, dt.date(2024, 8, 2))] \
        == [f"late:{schedule.payments[2].transaction.id}"]
    assert debtor.paid == D("600.00")


def test_a_promise_given_its_posted_date_on_its_form_is_kept(books: Books) -> None:
    """Seed 003: a post-dated payment is final once its Posted date is written.  Typing it on
    the promise's Transaction form posts the payment into the totals and completes the
    schedule's Promise contact (the later ones stay in the WIP list); no late fee follows."""
    debtor = books.debtor(principal="900.00", operator_id="JANE")
    schedule = create_payment_plan(books.session, debtor, start=dt.date(2024, 6, 1),
                                   payment_amount=D("300"), late_fee=D("20"), today=TODAY)
    books.session.commit()
    first = schedule.payments[0]
    changes = records.apply_values(first.transaction,
                                   {"posted_date": (dt.date(2024, 6, 3), "", "tr.pd")})
    save_form(books.session, [first.transaction], changes, is_new=False, operator_id="JANE",
              versions=[(first.transaction, first.transaction.version)])

    books.session.expire_all()
    assert books.session.get(Contact, first.contact.id).done
    assert [c.done for c in (books.session.get(Contact, p.contact.id)
                             for p in schedule.payments[1:])] == [False, False]
    debtor = books.session.get(Debtor, debtor.id)
    assert (debtor.paid, debtor.owing) == (D("300.00"), D("600.00"))
    assert apply_late_fees(books.session, debtor, dt.date(2024, 6, 20)) == []
    assert [e.due_date for e in wip_list(books.session, "JANE",
                                         now=dt.datetime(2024, 7, 2, 9, 0)).entries] == \
        [dt.date(2024, 7, 1)]


def test_due_payments_lists_the_promises_not_kept_longest_overdue_first(books: Books) -> None:
    jane = books.debtor(principal="900.00", operator_id="JANE")
    bob = books.debtor(principal="400.00", operator_id="BOB")
    plan = create_payment_plan(books.session, jane, start=dt.date(2024, 6, 1),
                               payment_amount=D("300"), today=TODAY)
    create_payment_plan(books.session, bob, start=dt.date(2024, 6, 15), count=2, today=TODAY)
    keep_promise(books.session, plan.payments[0].transaction, posted_date=dt.date(2024, 6, 1),
                 today=TODAY)
    today = dt.date(2024, 7, 10)
    rows = due_payments(books.session, today)
    assert [(r.file_number, r.due_date, r.amount, r.late) for r in rows] == [
        (bob.id, dt.date(2024, 6, 15), D("200.00"), True),
        (jane.id, dt.date(2024, 7, 1), D("300.00"), True),
        (bob.id, dt.date(2024, 7, 15), D("200.00"), False),
        (jane.id, dt.date(2024, 8, 1), D("300.00"), False)]
    assert [r.name for r in rows[:2]] == [bob.name, jane.name]
    assert [r.file_number for r in due_payments(books.session, today, operator="JANE")] == \
        [jane.id, jane.id]
    assert [r.due_date for r in due_payments(books.session, today, limit=1, offset=1)] == \
        [dt.date(2024, 7, 1)]


def test_due_payments_show_only_the_accounts_the_operator_may_see(books: Books) -> None:
    other = Client(name="Other Client")
    books.session.add(other)
    books.session.add(Operator(id="RX", name="Restricted", enable_security=True, strict=True,
                               security_client_id=books.client.id))
    seen = books.debtor(principal="300.00")
    hidden = books.debtor(principal="300.00", client=other)
    for debtor in (seen, hidden):
        create_payment_plan(books.session, debtor, start=dt.date(2024, 6, 1), count=1,
                            today=TODAY)
    books.session.flush()
    policy = AccessPolicy.for_operator(books.session, "RX")
    assert [r.file_number for r in due_payments(books.session, TODAY, policy=policy)] == \
        [seen.id]
    assert {r.file_number for r in due_payments(books.session, TODAY)} == {seen.id, hidden.id}


def test_late_fee_amount_from_interest_detail_or_none(books: Books) -> None:
    debtor = books.debtor(principal="100.00")
    create_payment_plan(books.session, debtor, start=dt.date(2024, 1, 1), count=1, today=TODAY)
    assert apply_late_fees(books.session, debtor, TODAY) == []  # no late fee set up
    debtor.interest_detail.late_fee = D("5")
    assert [t.to_us for t in apply_late_fees(books.session, debtor, TODAY)] == [D("-5.00")]
    assert books.session.query(Transaction).filter_by(debtor_id=debtor.id,
                                                      type_code="351").count() == 1


def test_preview_is_the_schedule_the_plan_posts_and_posts_nothing(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    terms = {"start": dt.date(2024, 6, 15), "payment_amount": D("250"),
             "down_payment": D("100"), "service_charge": D("50"), "initial_discount": D("150"),
             "today": TODAY}
    before = books.session.query(Transaction).count()
    preview = preview_payment_plan(books.session, debtor, **terms)
    assert books.session.query(Transaction).count() == before
    assert debtor.owing == D("1000.00")
    assert [(p.number, p.code, p.due_date, p.amount, p.description) for p in preview] == [
        (0, "150", dt.date(2024, 6, 15), D("100.00"), "Down payment"),
        (1, "151", dt.date(2024, 7, 15), D("250.00"), "Payment plan payment 1 of 4"),
        (2, "151", dt.date(2024, 8, 15), D("250.00"), "Payment plan payment 2 of 4"),
        (3, "151", dt.date(2024, 9, 15), D("250.00"), "Payment plan payment 3 of 4"),
        (4, "151", dt.date(2024, 10, 15), D("50.00"), "Payment plan payment 4 of 4"),
    ]
    schedule = create_payment_plan(books.session, debtor, **terms)
    assert [(p.number, p.due_date, p.amount) for p in schedule.payments] == [
        (p.number, p.due_date, p.amount) for p in preview]


@pytest.mark.parametrize(("terms", "message"), [
    ({"payment_amount": D("0")}, "payment amount must be more than 0"),
    ({"count": 0}, "number of payments must be 1 or more"),
    ({"count": 2, "down_payment": D("-5")}, "down payment cannot be negative"),
    ({"count": 2, "down_payment": D("2000")}, "down payment 2000.00 is more than the 1000.00"),
    ({"count": 2, "initial_discount": D("1000")}, "owes 0.00: there is nothing to schedule"),
    ({"count": 2, "service_charge": D("-1")}, "service charge cannot be negative"),
    ({}, "needs a payment amount or a number of payments"),
])
def test_bad_terms_post_nothing(books: Books, terms: dict, message: str) -> None:
    debtor = books.debtor(principal="1000.00")
    before = books.session.query(Transaction).count()
    with pytest.raises(PostingError, match=message):
        create_payment_plan(books.session, debtor, start=dt.date(2024, 6, 1), today=TODAY,
                            **terms)
    assert books.session.query(Transaction).count() == before
    assert books.session.query(Contact).count() == 0


def test_schedule_promises_are_in_the_operators_wip_list(books: Books) -> None:
    debtor = books.debtor(principal="300.00", operator_id="JANE")
    create_payment_plan(books.session, debtor, start=dt.date(2024, 6, 1), count=3,
                        interval="monthly", today=TODAY)
    page = wip_list(books.session, "JANE", now=dt.datetime(2024, 7, 1, 9, 0))
    # due by July 1st: the June and July payments; August is not due yet
    assert [(e.type, e.debtor_id, e.due_date, e.description) for e in page.entries] == [
        ("Promise", debtor.id, dt.date(2024, 6, 1), "Payment plan payment 1 of 3"),
        ("Promise", debtor.id, dt.date(2024, 7, 1), "Payment plan payment 2 of 3")]
    assert page.counts["Promise"] == 2
    assert wip_list(books.session, "BOB", now=dt.datetime(2024, 9, 1)).entries == []


def test_late_fees_of_every_plan_account_once_per_missed_payment(books: Books) -> None:
    late, paying, none = (books.debtor(principal="600.00") for _ in range(3))
    for debtor in (late, paying):
        create_payment_plan(books.session, debtor, start=dt.date(2024, 6, 1),
                            payment_amount=D("200"), late_fee=D("15"), today=TODAY)
    books.post(paying, "101", "200", payment_date=dt.date(2024, 6, 1))
    fees = apply_all_late_fees(books.session, dt.date(2024, 7, 5))
    # the late account missed June and July; the paying one July only
    assert sorted((t.debtor_id, t.to_us) for t in fees) == sorted([
        (late.id, D("-15.00")), (late.id, D("-15.00")), (paying.id, D("-15.00"))])
    assert apply_all_late_fees(books.session, dt.date(2024, 7, 5)) == []  # idempotent
    assert (late.fees, paying.fees, none.fees) == (D("30.00"), D("15.00"), D("0.00"))
