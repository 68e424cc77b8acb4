"""A transaction saved from the Transaction form is posted by its type, like `collectdesk post`:
commission, tax, breakdown and the account's totals (seed 003 "Transaction Posting Event
Sequence"); an edited one is worked out again; Mode set to Closed closes the account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from collectdesk.engine import records
from collectdesk.engine.saving import RecordRefused, save_form
from collectdesk.models import Debtor, DebtorMode, Transaction
from tests.test_financial_fixtures import TODAY, books  # noqa: F401 - fixture


def typed(tx: Transaction, **values: object) -> list[records.Change]:
    """What the operator typed on the form, as the form applies it."""
    return records.apply_values(tx, {k: (v, "", k) for k, v in values.items()})


def save_new(books, debtor: Debtor, **values: object) -> Transaction:  # noqa: F811
    tx = records.new_transaction(today=TODAY)
    tx.debtor_id, tx.client_id = debtor.id, debtor.client_id
    changes = typed(tx, **values)
    save_form(books.session, [tx], changes, is_new=True, operator_id="JANE")
    return tx


def test_a_typed_payment_gets_commission_breakdown_and_new_totals(books) -> None:  # noqa: F811
    debtor = books.debtor(principal="1000.00")
    books.session.commit()
    tx = save_new(books, debtor, type_code="101", to_us=D("100.00"))
    books.session.expire_all()
    assert (tx.commission, tx.commission_rate) == (D("30.00"), D("30.000"))  # client's 30 %
    assert tx.paid_principal == D("100.00")
    assert (tx.payment_date, tx.posted_date) == (TODAY, TODAY)
    debtor = books.session.get(Debtor, debtor.id)
    assert (debtor.paid, debtor.owing) == (D("100.00"), D("900.00"))
    assert tx.updated_by == "JANE"


def test_a_type_with_a_fixed_amount_fills_what_was_not_typed(books) -> None:  # noqa: F811
    debtor = books.debtor(principal="500.00")
    books.session.commit()
    tx = save_new(books, debtor, type_code="106")  # NSF fee: $25 to agency, $25 commission
    assert (tx.to_us, tx.commission) == (D("25.00"), D("25.00"))
    assert tx.description  # the type copies its description


def test_what_the_operator_typed_wins_over_the_type(books) -> None:  # noqa: F811
    debtor = books.debtor(principal="1000.00")
    books.session.commit()
    tx = save_new(books, debtor, type_code="101", to_us=D("100.00"), commission=D("12.00"),
                  description="Cheque 4411")
    assert (tx.commission, tx.description) == (D("12.00"), "Cheque 4411")


def test_a_blank_posted_date_is_a_promise(books) -> None:  # noqa: F811
    debtor = books.debtor(principal="1000.00")
    books.session.commit()
    tx = save_new(books, debtor, type_code="101", to_us=D("100.00"), posted_date=None)
    assert tx.posted_date is None and tx.commission == 0
    assert books.session.get(Debtor, debtor.id).owing == D("1000.00")


def test_editing_the_amount_works_commission_and_totals_out_again(books) -> None:  # noqa: F811
    debtor = books.debtor(principal="1000.00")
    books.session.commit()
    tx = save_new(books, debtor, type_code="101", to_us=D("100.00"))
    version = tx.version
    changes = typed(tx, to_us=D("200.00"))
    save_form(books.session, [tx], changes, is_new=False, operator_id="JANE",
              versions=[(tx, version)])
    books.session.expire_all()
    assert (tx.commission, tx.paid_principal) == (D("60.00"), D("200.00"))
    assert books.session.get(Debtor, debtor.id).owing == D("800.00")
    # Only a note changed: the money is left as it is.
    changes = typed(tx, commission=D("50.00"))
    save_form(books.session, [tx], changes, is_new=False, operator_id="JANE",
              versions=[(tx, tx.version)])
    changes = typed(tx, notes="Called to confirm")
    save_form(books.session, [tx], changes, is_new=False, operator_id="JANE",
              versions=[(tx, tx.version)])
    assert tx.commission == D("50.00")


def test_an_unknown_type_is_refused_and_nothing_is_written(books) -> None:  # noqa: F811
    debtor = books.debtor(principal="1000.00")
    books.session.commit()
    with pytest.raises(RecordRefused, match="unknown transaction type 'XYZ'"):
        save_new(books, debtor, type_code="XYZ", to_us=D("100.00"))
    assert books.session.scalars(select(Transaction).where(
        Transaction.type_code == "XYZ")).all() == []
    assert books.session.get(Debtor, debtor.id).owing == D("1000.00")


def test_closing_from_the_mode_field_posts_the_accrued_interest(books) -> None:  # noqa: F811
    debtor = books.debtor(principal="1000.00", interest=("simple", "12", dt.date(2024, 1, 1)),
                          on=dt.date(2024, 1, 1))
    books.session.commit()
    changes = records.apply_values(debtor, {"mode": (DebtorMode.CLOSED, "de.mo", "Mode")})
    save_form(books.session, [debtor], changes, is_new=False, operator_id="JANE",
              versions=[(debtor, debtor.version)])
    books.session.expire_all()
    debtor = books.session.get(Debtor, debtor.id)
    assert debtor.mode == DebtorMode.CLOSED
    posted = books.session.scalars(select(Transaction).where(
        Transaction.debtor_id == debtor.id, Transaction.type_code == "499")).one()
    assert posted.to_us < 0  # the interest accrued to the day it closed, now principal's owing
    assert debtor.interest_detail.interest_type == "none"
