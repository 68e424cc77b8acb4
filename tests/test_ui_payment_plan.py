"""The Debtor form's Payment Plan… dialog: the schedule previewed as the terms are typed, then
posted as promises with Promise contacts (seed 003 payment plan samples; issue 4)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from collectdesk import db
from collectdesk.engine.recalc import compute_debtor
from collectdesk.models import Contact, Debtor, Transaction
from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui import dialogs
from collectdesk.ui.payment_plan_dialog import PaymentPlanDialog
from collectdesk.ui.record_page import RecordPage
from collectdesk.ui.testing import make_database

D = Decimal


@pytest.fixture
def database(tmp_path):
    return str(make_database(tmp_path / "plan.db", debtors=2))


@pytest.fixture
def started(qtbot, database):
    dialogs.answer = lambda title, text, choices: choices[0]
    started = app_module.start(parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m"]))
    qtbot.addWidget(started.window)
    yield started
    dialogs.answer = None
    for page in reversed(started.window.pages()):
        if isinstance(page, RecordPage):
            page._closing = True
    started.window.close()


def owing_of(database: str, debtor_id: int) -> Decimal:
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        owing = compute_debtor(s, s.get(Debtor, debtor_id)).owing
    engine.dispose()
    return owing


def open_dialog(qtbot, started) -> tuple[RecordPage, PaymentPlanDialog]:
    page = started.window.open_form("debtor", 1)
    [button] = [b for b in page.spec_buttons if b.text() == "Payment &Plan…"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dlg = started.window.findChild(PaymentPlanDialog)
    assert dlg is not None and dlg.isVisible()
    return page, dlg


def type_into(qtbot, dlg: PaymentPlanDialog, name: str, text: str) -> None:
    line = dlg.editor(name).focus_widget()
    line.clear()
    qtbot.keyClicks(line, text)


def rows(dlg: PaymentPlanDialog) -> list[tuple[str, ...]]:
    return [tuple(dlg.table.item(r, c).text() for c in range(dlg.table.columnCount()))
            for r in range(dlg.table.rowCount())]


def test_the_schedule_is_previewed_as_the_terms_are_typed(qtbot, started, database, tmp_path):
    owing = owing_of(database, 1)
    assert owing > D("300")
    _page, dlg = open_dialog(qtbot, started)
    assert dlg.table.rowCount() == 0 and not dlg.post_button.isEnabled()
    assert "payment amount or a number of payments" in dlg.message.text()
    type_into(qtbot, dlg, "start", "07/01/2030")
    type_into(qtbot, dlg, "down_payment", "100")
    type_into(qtbot, dlg, "count", "3")
    each = ((owing - D("100")) / 3).quantize(D("0.01"))
    last = owing - D("100") - 2 * each
    assert rows(dlg) == [
        ("Down", "150", "07/01/2030", "100.00", "Down payment"),
        ("1", "151", "08/01/2030", f"{each:,.2f}", "Payment plan payment 1 of 3"),
        ("2", "151", "09/01/2030", f"{each:,.2f}", "Payment plan payment 2 of 3"),
        ("3", "151", "10/01/2030", f"{last:,.2f}", "Payment plan payment 3 of 3"),
    ]
    assert dlg.total.text() == f"4 payments, total {owing:,.2f}"
    assert dlg.post_button.isEnabled() and dlg.message.text() == ""
    # weekly: the dates move, nothing is posted by previewing
    [weekly] = [rb for choice, rb in dlg.editor("interval").buttons if choice == "weekly"]
    qtbot.mouseClick(weekly, Qt.MouseButton.LeftButton)
    assert [r[2] for r in rows(dlg)] == ["07/01/2030", "07/08/2030", "07/15/2030", "07/22/2030"]
    dlg.grab().save(str(tmp_path / "payment_plan.png"))
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        assert s.scalar(select(Transaction.id).where(Transaction.type_code.in_(
            ("150", "151")))) is None
    engine.dispose()
    # a term it cannot read says which, and offers nothing to post
    type_into(qtbot, dlg, "down_payment", "1O0")
    assert dlg.message.text().startswith("Down payment:") and not dlg.post_button.isEnabled()
    type_into(qtbot, dlg, "down_payment", str(owing + 1))
    assert "is more than the" in dlg.message.text() and dlg.table.rowCount() == 0
    dlg.reject()


def test_post_plan_posts_promises_and_promise_contacts(qtbot, started, database):
    owing = owing_of(database, 1)
    page, dlg = open_dialog(qtbot, started)
    type_into(qtbot, dlg, "start", "07/01/2030")
    type_into(qtbot, dlg, "payment_amount", "100")
    type_into(qtbot, dlg, "service_charge", "25")
    type_into(qtbot, dlg, "late_fee", "15")
    planned = rows(dlg)
    qtbot.mouseClick(dlg.post_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        promises = s.scalars(select(Transaction).where(
            Transaction.debtor_id == 1, Transaction.type_code == "151")
            .order_by(Transaction.payment_date)).all()
        assert [(t.payment_date.strftime("%m/%d/%Y"), f"{t.to_us:,.2f}") for t in promises] == [
            (r[2], r[3]) for r in planned]
        assert all(t.posted_date is None for t in promises)
        charge = s.scalar(select(Transaction).where(Transaction.debtor_id == 1,
                                                    Transaction.type_code == "350"))
        assert charge.to_us == D("-25.00")
        contacts = s.scalars(select(Contact).where(
            Contact.debtor_id == 1, Contact.type == "Promise", Contact.done.is_(False),
            Contact.due_date >= dt.date(2030, 7, 1))).all()
        assert len(contacts) == len(planned)
        debtor = s.get(Debtor, 1)
        assert debtor.owing == owing + D("25.00")
        assert debtor.interest_detail.late_fee == D("15.00")
    engine.dispose()
    assert page.form.editor("de.ow").value() == owing + D("25.00")  # the form shows it


def test_a_changed_form_is_saved_before_the_plan_opens(qtbot, started, database):
    page = started.window.open_form("debtor", 2)
    line = page.form.editor("de.na").focus_widget()
    line.clear()
    qtbot.keyClicks(line, "Renamed, Before Plan")
    assert page.is_dirty()
    [button] = [b for b in page.spec_buttons if b.text() == "Payment &Plan…"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dlg = started.window.findChild(PaymentPlanDialog)
    assert dlg is not None and dlg.debtor_id == 2
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        assert s.get(Debtor, 2).name == "Renamed, Before Plan"
    engine.dispose()
    dlg.reject()


def test_daily_administration_payment_plans_lists_the_payments_not_kept(qtbot, started,
                                                                         database):
    """Daily Administration ▸ Payment Plans: the schedule's promises, the late one first and
    marked; Enter opens the account; a kept payment leaves the list."""
    from collectdesk.engine.payment_plans import create_payment_plan, keep_promise
    from collectdesk.ui.payment_plans_page import PaymentPlansPage

    today = dt.date.today()
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        debtor = s.get(Debtor, 1)
        create_payment_plan(s, debtor, start=today - dt.timedelta(days=40), count=3,
                            interval="monthly", today=today)
        s.commit()
        name = debtor.name
    engine.dispose()

    window = started.window
    command = window.command("PaymentPlans")
    assert command.action.isEnabled()
    command.action.trigger()
    page = window.current_page()
    assert isinstance(page, PaymentPlansPage)
    page.everyone.setChecked(True)
    cells = [[page.table.item(r, c).text() for c in range(page.table.columnCount())]
             for r in range(page.table.rowCount())]
    assert [row[1] for row in cells] == ["1", "1", "1"] and {row[2] for row in cells} == {name}
    assert [row[-1] for row in cells[:2]] == ["late", "late"] and cells[2][-1] == ""
    assert "2 late" in page.summary.text()

    page.table.setCurrentCell(0, 0)
    page.open_row(0)
    form = window.current_page()
    assert isinstance(form, RecordPage) and form.record.id == 1

    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        first = s.scalars(select(Transaction).where(Transaction.debtor_id == 1,
                                                    Transaction.reference.like("plan:%"))
                          .order_by(Transaction.payment_date)).first()
        keep_promise(s, first, posted_date=today, today=today)
        s.commit()
    engine.dispose()
    page.reload(0)
    assert page.table.rowCount() == 2 and "1 late" in page.summary.text()
