"""Posting by transaction type: the "… Sample" sections of seed 003 with their numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_financial_fixtures import TODAY, Books, D, make_books

from collectdesk.engine import posting
from collectdesk.engine.commission import Breakdown
from collectdesk.engine.posting import (
    PostingError,
    apply_new_account_fees,
    close_account,
    default_breakdown,
    delete_transaction,
)
from collectdesk.models import DebtorMode, Note, Operator, Preferences, TransactionType


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    yield from make_books(tmp_path)


def test_payment_by_check_copies_the_type(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    tx = books.post(debtor, "101", "100").transaction
    assert (tx.description, tx.financial_type, tx.omit_from_statement,
            tx.dont_calculate_commission) == ("Check Payment", 1, False, False)
    assert (tx.to_us, tx.commission, tx.commission_rate) == (D("100.00"), D("30.00"), D("30"))
    assert (debtor.paid, debtor.owing, debtor.last_payment_amount,
            debtor.last_payment_date) == (D("100.00"), D("900.00"), D("100.00"), TODAY)


def test_direct_payment_counts_as_paid_and_earns_commission(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    tx = books.post(debtor, "101", direct=D("200")).transaction
    assert (tx.to_us, tx.direct, tx.commission) == (D("0.00"), D("200.00"), D("60.00"))
    assert debtor.owing == D("800.00")


def test_nsf_fee_payment_uses_the_fixed_amounts(books: Books) -> None:
    """106: fixed $25 To Agency and $25 Commission; don't calculate commission / tax."""
    books.client.settings.tax_rate = D("10")
    debtor = books.debtor(principal="1000.00", commission_rate=D("40"), rate_plan="PTD")
    tx = books.post(debtor, "106").transaction
    assert (tx.to_us, tx.direct, tx.commission, tx.tax) == (D("25.00"), D("0.00"), D("25.00"),
                                                            D("0.00"))
    assert (tx.omit_from_statement, tx.omit_from_daily_cash) == (True, False)
    assert (tx.dont_calculate_commission, tx.dont_calculate_tax) == (True, True)
    assert (debtor.owing, debtor.commission_total) == (D("975.00"), D("25.00"))


def test_nsf_charge_due_agency_adds_a_fee(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    tx = books.post(debtor, "301").transaction
    assert (tx.to_us, tx.commission) == (D("-25.00"), D("0.00"))
    assert (debtor.fees, debtor.owing) == (D("25.00"), D("1025.00"))


def test_percent_convenience_fee_with_its_cap(books: Books) -> None:
    """'5% of $100 would be a $5.00 fee … a payment of $125 will still only charge $5.00'."""
    debtor = books.debtor(principal="1000.00")
    small = books.post(debtor, "309", of_payment=D("100")).transaction
    large = books.post(debtor, "309", of_payment=D("125")).transaction
    below = books.post(debtor, "309", of_payment=D("60")).transaction
    assert (small.to_us, large.to_us, below.to_us) == (D("-5.00"), D("-5.00"), D("-3.00"))
    assert debtor.fees == D("13.00")


def test_convenience_fee_defaults_to_the_last_payment(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "101", "40")
    assert books.post(debtor, "309").transaction.to_us == D("-2.00")


def test_monthly_billing_amount_160(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    tx = books.post(debtor, "160").transaction
    assert tx.to_us == D("-53.20")
    assert (debtor.principal, debtor.original_principal, debtor.owing) == (
        D("1053.20"), D("1053.20"), D("1053.20"))


def test_add_percent_of_owing_to_principal_162(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "301")  # owing 1,025
    tx = books.post(debtor, "162").transaction
    assert tx.to_us == D("-51.25")  # -5 % of 1,025.00
    assert debtor.principal == D("1051.25")


def test_add_percent_of_principal_to_principal_163(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    tx = books.post(debtor, "163").transaction
    assert tx.to_us == D("-350.00")  # -35 % of 1,000.00
    assert (debtor.principal, debtor.owing) == (D("1350.00"), D("1350.00"))


def test_add_accrued_interest_to_principal_161(books: Books) -> None:
    """-100 % of the accrued interest moves it into principal; interest restarts from there."""
    start = dt.date(2024, 1, 1)
    debtor = books.debtor(principal="3650.00", on=start, interest=("simple", "10", start))
    assert debtor.interest_detail.accrued_interest == D("152.00")  # 152 days × 1.00
    tx = books.post(debtor, "161").transaction
    assert tx.to_us == D("-152.00")
    assert (debtor.principal, debtor.interest, debtor.interest_detail.accrued_interest) == (
        D("3802.00"), D("0.00"), D("0.00"))
    assert debtor.owing == D("3802.00")
    later = books.post(debtor, "102", "0.01", today=dt.date(2024, 7, 1)).totals
    # 30 more days on 3,802.00 at 10 %: 31.25
    assert later.accrued_interest == D("31.25")


def test_total_accrued_interest_499(books: Books) -> None:
    start = dt.date(2024, 1, 1)
    debtor = books.debtor(principal="3650.00", on=start, interest=("simple", "10", start))
    before = debtor.owing
    tx = books.post(debtor, "499").transaction
    assert tx.to_us == D("-152.00")
    detail = debtor.interest_detail
    assert (detail.interest_adjustments, detail.accrued_interest) == (D("152.00"), D("0.00"))
    assert (debtor.interest, debtor.owing) == (D("152.00"), before)


def test_close_account_posts_499_and_stops_interest(books: Books) -> None:
    start = dt.date(2024, 1, 1)
    debtor = books.debtor(principal="3650.00", on=start, interest=("simple", "10", start))
    owing = debtor.owing
    result = close_account(books.session, debtor, today=TODAY)
    assert result is not None and result.transaction.type_code == "499"
    assert result.transaction.to_us == D("-152.00")
    detail = debtor.interest_detail
    assert (detail.interest_type, detail.calculate_from) == ("none", TODAY)
    assert (debtor.mode, debtor.interest, debtor.owing) == (DebtorMode.CLOSED, D("152.00"), owing)
    later = books.post(debtor, "102", "0.01", today=dt.date(2025, 6, 1)).totals
    assert later.interest == D("152.00")  # no more interest


def test_close_account_without_interest_posts_nothing(books: Books) -> None:
    debtor = books.debtor(principal="100.00")
    assert close_account(books.session, debtor, today=TODAY) is None
    assert debtor.mode == DebtorMode.CLOSED


def test_original_principal_196_adds_up(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "196", "-250")
    books.post(debtor, "196", "100")  # a positive amount reduces
    assert (debtor.original_principal, debtor.principal) == (D("1150.00"), D("1150.00"))


def test_only_the_first_197_sets_original_interest(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "197", "-80", payment_date=dt.date(2024, 2, 1))
    books.post(debtor, "197", "-500", payment_date=dt.date(2024, 3, 1))
    detail = debtor.interest_detail
    assert (detail.original_interest, debtor.interest, debtor.owing) == (
        D("80.00"), D("80.00"), D("1080.00"))
    # the first by payment date, even when entered later
    books.post(debtor, "197", "-7", payment_date=dt.date(2024, 1, 15))
    assert (detail.original_interest, debtor.interest) == (D("7.00"), D("7.00"))


def test_only_the_first_195_sets_original_judgement_interest(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "195", "-40")
    books.post(debtor, "195", "-60")
    assert (debtor.interest_detail.original_judgement_interest, debtor.interest) == (
        D("40.00"), D("40.00"))


def test_interest_adjustment_401(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "197", "-100")
    books.post(debtor, "401", "-25")
    books.post(debtor, "401", "10")
    assert (debtor.interest_detail.interest_adjustments, debtor.interest) == (
        D("15.00"), D("115.00"))


def test_judgement_excludes_earlier_transactions(books: Books) -> None:
    """'Any transactions with a Payment Date that is before the Judgment Date will be excluded'."""
    debtor = books.debtor(principal="1000.00", on=dt.date(2023, 1, 1))
    books.post(debtor, "197", "-100", payment_date=dt.date(2023, 1, 1))
    books.post(debtor, "101", "300", payment_date=dt.date(2023, 6, 1))
    debtor.judgement_date = dt.date(2024, 1, 10)
    books.post(debtor, "194", "-1500", payment_date=dt.date(2024, 1, 10))
    books.post(debtor, "201", "-75", payment_date=dt.date(2024, 1, 10))
    books.post(debtor, "101", "100", payment_date=dt.date(2024, 2, 1))
    assert (debtor.principal, debtor.judgement_principal, debtor.original_principal) == (
        D("1500.00"), D("1500.00"), D("1000.00"))
    assert (debtor.interest, debtor.legal_costs, debtor.paid) == (D("0.00"), D("75.00"),
                                                                  D("100.00"))
    assert debtor.interest_detail.original_interest == D("100.00")  # history stays
    assert debtor.owing == D("1475.00")
    assert debtor.last_payment_date == dt.date(2024, 2, 1)


def test_promises_are_not_in_the_financials(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    tx = books.post(debtor, "101", "100", promise=True).transaction
    assert (tx.posted_date, tx.commission) == (None, D("0.00"))
    assert (debtor.paid, debtor.owing) == (D("0.00"), D("1000.00"))


def test_internal_601_changes_nothing(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "101", "100")
    before = {n: getattr(debtor, n) for n in ("principal", "interest", "fees", "legal_costs",
                                              "paid", "adjustments", "owing", "commission_total",
                                              "tax_total")}
    books.post(debtor, "601", "45", commission=D("12"))
    assert {n: getattr(debtor, n) for n in before} == before
    assert debtor.internal_total == D("45.00")


def test_adjustment_by_client_501_and_legal_201(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "501", "100")
    books.post(debtor, "201", "-60")
    assert (debtor.adjustments, debtor.legal_costs, debtor.owing) == (
        D("100.00"), D("60.00"), D("960.00"))


def test_enter_amount_types_need_an_amount(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    with pytest.raises(PostingError, match="takes an amount"):
        books.post(debtor, "101")
    with pytest.raises(PostingError, match="unknown transaction type"):
        books.post(debtor, "999", "1")
    with pytest.raises(PostingError, match="heading"):
        books.post(debtor, "100", "1")


def test_default_breakdown_order_interest_fees_legal_principal() -> None:
    owed = Breakdown(principal=D("500"), interest=D("30"), fees=D("20"), legal=D("10"))
    assert default_breakdown(D("45"), owed) == Breakdown(D("0"), D("30"), D("15"), D("0"))
    assert default_breakdown(D("700"), owed) == Breakdown(D("640"), D("30"), D("20"), D("10"))
    assert default_breakdown(D("-50"), owed) == Breakdown(principal=D("-50"))


def test_posted_breakdown_counts_what_earlier_payments_paid(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "301")
    first = books.post(debtor, "101", "10").transaction
    second = books.post(debtor, "101", "30").transaction
    assert (first.paid_fees, first.paid_principal) == (D("10.00"), D("0.00"))
    assert (second.paid_fees, second.paid_principal) == (D("15.00"), D("15.00"))


def test_operator_and_sales_defaults(books: Books) -> None:
    debtor = books.debtor(principal="1000.00", operator_id="JANE", sales_id="SAM")
    assert books.post(debtor, "101", "1", operator="BOB").transaction.operator_id == "JANE"
    books.session.get_one(TransactionType, "102").operator_id = "HSE"
    books.session.get_one(TransactionType, "102").sales_id = "OWN"
    tx = books.post(debtor, "102", "1", operator="BOB").transaction
    assert (tx.operator_id, tx.sales_id) == ("HSE", "OWN")
    assert books.post(debtor, "102", "1", operator_id="ZED").transaction.operator_id == "ZED"


def test_description_copied_only_when_the_type_says_so(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.session.get_one(TransactionType, "102").copy_description = False
    assert books.post(debtor, "102", "1").transaction.description == ""
    assert books.post(debtor, "101", "1", description="Cheque 42").transaction.description \
        == "Cheque 42"


def test_write_note_and_receipt_number(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    books.session.get_one(TransactionType, "101").create_receipt_number = True
    tx = books.post(debtor, "150", "20", operator="JANE").transaction
    note = books.session.query(Note).filter_by(debtor_id=debtor.id).one()
    assert "150" in note.text and note.operator_id == "JANE"
    assert books.post(debtor, "101", "1").transaction.receipt_number != ""
    assert tx.receipt_number == ""


def test_posting_sequence_runs_type_plan_then_payment_posting_plan(
        books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, float]] = []

    def runner(session, target, code, *, operator):  # noqa: ANN001, ANN202
        calls.append((code, target.owing))  # debtor totals are already recalculated

    monkeypatch.setattr(posting, "PLAN_RUNNER", runner)
    books.session.add(Preferences(payment_posting_plan="PAID"))
    books.session.get_one(TransactionType, "101").contact_plan = "THANKS"
    debtor = books.debtor(principal="1000.00")
    result = books.post(debtor, "101", "100", operator="JANE")
    assert calls == [("THANKS", D("900.00")), ("PAID", D("900.00"))]
    assert result.plans_run == ["THANKS", "PAID"]
    calls.clear()
    books.post(debtor, "301")  # not a payment: no payment-posting plan
    assert calls == []


def test_operator_payment_posting_plan_overrides_the_system_one(
        books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(posting, "PLAN_RUNNER",
                        lambda session, target, code, *, operator: calls.append(code))
    books.session.add(Operator(id="JANE", name="Jane"))
    books.session.flush()
    books.session.add_all([Preferences(payment_posting_plan="SYS"),
                           Preferences(operator_id="JANE", payment_posting_plan="MINE")])
    debtor = books.debtor(principal="1000.00")
    books.post(debtor, "101", "1", operator="JANE")
    books.post(debtor, "101", "1", operator="BOB")
    assert calls == ["MINE", "SYS"]


def test_default_plan_runner_skips_an_unknown_plan(books: Books) -> None:
    books.session.get_one(TransactionType, "101").contact_plan = "NOSUCH"
    debtor = books.debtor(principal="1000.00")
    assert books.post(debtor, "101", "1").transaction.id  # posted all the same


def test_default_plan_runner_runs_the_types_plan(books: Books) -> None:
    """With the contact-plan engine installed, the type's plan schedules its events."""
    from collectdesk.models import Contact, ContactPlan, PlanEvent

    plan = ContactPlan(code="THANKS", description="Thank the payer")
    plan.events = [PlanEvent(seq=1, type="Review", description="Check the payment",
                             use_delay_days=True, delay_days=0)]
    books.session.add(plan)
    books.session.get_one(TransactionType, "101").contact_plan = "THANKS"
    debtor = books.debtor(principal="1000.00")
    result = books.post(debtor, "101", "1", operator="JANE")
    assert result.plans_run == ["THANKS"]
    contacts = books.session.query(Contact).filter_by(debtor_id=debtor.id).all()
    assert [c.description for c in contacts] == ["Check the payment"]


def test_delete_restores_totals(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    before = books.post(debtor, "301").totals
    tx = books.post(debtor, "101", "100").transaction
    assert delete_transaction(books.session, tx, today=TODAY) == before


def test_fixed_fee_charged_to_client_397(books: Books) -> None:
    """'You will not see this fee in the Debtor balance breakdown.'"""
    books.client.settings.fixed_fee_mode = "client"
    books.client.settings.fixed_fee_amount = D("15.00")
    debtor = books.debtor(principal="1000.00")
    result = apply_new_account_fees(books.session, debtor, today=TODAY)
    assert result is not None
    tx = result.transaction
    assert (tx.type_code, tx.to_us, tx.commission) == ("397", D("0.00"), D("15.00"))
    assert (debtor.fees, debtor.owing, debtor.commission_total) == (
        D("0.00"), D("1000.00"), D("15.00"))
    assert apply_new_account_fees(books.session, debtor, today=TODAY) is None  # once only


def test_fixed_fee_charged_to_debtor_398(books: Books) -> None:
    """'This amount does become included in the Debtor's balance owing.'"""
    books.client.settings.fixed_fee_mode = "debtor"
    books.client.settings.fixed_fee_amount = D("15.00")
    debtor = books.debtor(principal="1000.00")
    result = apply_new_account_fees(books.session, debtor, today=TODAY)
    assert result is not None
    tx = result.transaction
    assert (tx.type_code, tx.to_us, tx.commission) == ("398", D("-15.00"), D("0.00"))
    assert (debtor.fees, debtor.owing) == (D("15.00"), D("1015.00"))


def test_no_fixed_fee_by_default(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    assert apply_new_account_fees(books.session, debtor, today=TODAY) is None
