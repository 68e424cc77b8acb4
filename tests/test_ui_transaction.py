"""The Transaction form shows and hides To Us / Direct and the Payment Breakdown fields by the
transaction type's display settings (seed 003), on loading and while the Type is typed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication, QGroupBox
from sqlalchemy import select

from collectdesk import db
from collectdesk.engine.recalc import compute_debtor
from collectdesk.models import Debtor, Transaction, TransactionType
from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui import dialogs
from collectdesk.ui.forms import transaction_rules
from collectdesk.ui.record_page import RecordPage
from collectdesk.ui.testing import make_database

BREAKDOWN = ("tr.bpr", "tr.bin", "tr.bfe", "tr.ble")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = make_database(tmp_path_factory.mktemp("ui") / "template.db", debtors=3)
    engine = db.make_engine(path)
    with db.session_factory(engine)() as s:
        # A breakdown type, and a type that shows neither amount (nothing to enter)
        s.add(TransactionType(code="151B", description="Plan payment, broken down",
                              financial_type=1, payment_breakdown=True))
        s.add(TransactionType(code="NONE", description="Shows no amount", financial_type=1,
                              show_to_us=False, show_direct=False))
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def database(template, tmp_path):
    path = tmp_path / "ui.db"
    shutil.copy(template, path)
    return str(path)


@pytest.fixture
def window(qtbot, database, monkeypatch):
    monkeypatch.setattr(dialogs, "answer", lambda title, text, choices: choices[-1])
    started = app_module.start(parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m"]))
    w = started.window
    qtbot.addWidget(w)
    yield w
    for page in reversed(w.pages()):
        if isinstance(page, RecordPage):
            page._closing = True
    w.close()


def first_transaction(database: str) -> int:
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        key = s.scalar(select(Transaction.id).order_by(Transaction.id))
    engine.dispose()
    return key


def shown(page: RecordPage) -> dict[str, bool]:
    return {code: page.type_display.visible(code) for code in ("tr.tu", "tr.di", *BREAKDOWN)}


def type_in(qtbot, page: RecordPage, code: str) -> None:
    line = page.form.editor("tr.ty").line
    line.selectAll()
    qtbot.keyClicks(line, code)
    QApplication.processEvents()


def test_loaded_transaction_follows_its_type(qtbot, window, database) -> None:
    page = window.open_form("transaction", first_transaction(database))  # a 196
    assert page.form.editor("tr.ty").value() == "196"
    assert shown(page) == {"tr.tu": True, "tr.di": True, "tr.bpr": False, "tr.bin": False,
                           "tr.bfe": False, "tr.ble": False}
    box = page.form.editor("tr.bpr").parentWidget()
    assert isinstance(box, QGroupBox) and box.title() == "Payment Breakdown" and box.isHidden()
    amounts = page.form.editor("tr.tu").parentWidget()
    assert not amounts.isHidden()  # the Amounts group stays for commission and tax


def test_typing_the_type_shows_and_hides_fields(qtbot, window, database) -> None:
    page = window.open_form("transaction", first_transaction(database))
    type_in(qtbot, page, "111")  # Direct Payment to Client: Direct only
    assert shown(page)["tr.tu"] is False and shown(page)["tr.di"] is True
    label = page.findChild(type(page.form.bindings[0].label), "label:tr.tu")
    assert label is not None and label.isHidden()
    type_in(qtbot, page, "151B")
    assert shown(page) == dict.fromkeys(("tr.tu", "tr.di", *BREAKDOWN), True)
    type_in(qtbot, page, "NONE")
    assert shown(page) == dict.fromkeys(("tr.tu", "tr.di", *BREAKDOWN), False)
    type_in(qtbot, page, "ZZZ")  # not a type (yet): what a new type shows
    assert shown(page) == {**dict.fromkeys(("tr.tu", "tr.di"), True),
                           **dict.fromkeys(BREAKDOWN, False)}


def test_a_new_transaction_and_a_reused_form_follow_the_type(qtbot, window, database) -> None:
    key = first_transaction(database)
    page = window.open_form("transaction", None, new_defaults={"type_code": "111"})
    assert shown(page)["tr.tu"] is False
    window.close_page(page, ask=False)
    again = window.open_form("transaction", key)  # a pooled page is reused, a new one built
    assert again.form.editor("tr.ty").value() == "196"
    assert shown(again)["tr.tu"] is True


def test_hidden_fields_keep_their_values(qtbot, window, database) -> None:
    key = first_transaction(database)
    page = window.open_form("transaction", key)
    to_us = page.form.editor("tr.tu").value()
    type_in(qtbot, page, "NONE")
    assert page.form.editor("tr.tu").value() == to_us
    assert page.save()
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        tx = s.get(Transaction, key)
        assert (tx.type_code, tx.to_us) == ("NONE", to_us)
    engine.dispose()


def test_every_ruled_field_is_on_the_transaction_form() -> None:
    from collectdesk.engine import forms_spec

    spec = forms_spec.form("transaction")
    codes = {f.code for col in spec.columns for g in col.groups for f in g.fields}
    assert {transaction_rules.TYPE_FIELD, *transaction_rules.SHOWN_BY} <= codes
    assert set(transaction_rules.SHOWN_BY.values()) <= set(TransactionType.__table__.c.keys())


def test_other_forms_have_no_type_rules(qtbot, window) -> None:
    page = window.open_form("debtor", 1)
    assert page.type_display is None


def test_a_payment_typed_on_the_form_is_posted_with_commission_and_new_totals(
        qtbot, window, database) -> None:
    """The clerk adds a payment from the debtor's Transactions tab: the saved transaction has
    the account's commission and the debtor's Paid and Owing follow at once."""
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        debtor = s.get(Debtor, 1)
        before = compute_debtor(s, debtor)  # what the figures are before the payment
        paid, owing, rate = before.paid, before.owing, debtor.commission_rate
    page = window.open_form("transaction", None, new_defaults={"debtor_id": 1, "client_id":
                                                                debtor.client_id})
    assert page.form.editor("tr.po").value() == dt.date.today()  # posted today unless emptied
    type_in(qtbot, page, "101")
    page.form.editor("tr.tu").line.setText("40.00")
    assert page.save()
    with db.session_factory(engine)() as s:
        tx = s.scalars(select(Transaction).where(Transaction.debtor_id == 1)
                       .order_by(Transaction.id.desc())).first()
        assert (tx.type_code, tx.to_us) == ("101", Decimal("40.00"))
        assert tx.commission == (Decimal("40.00") * rate / 100).quantize(Decimal("0.01"))
        debtor = s.get(Debtor, 1)
        assert (debtor.paid, debtor.owing) == (paid + Decimal("40.00"), owing - Decimal("40.00"))
    assert page.form.editor("tr.cm").value() == tx.commission  # the form shows what was posted
    engine.dispose()
