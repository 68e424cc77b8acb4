"""The collector's day in the GUI: the WIP list, Schedule Next Contact, WIP Options; and the
contact-management settings screens (Contact Plans with their events, Holidays, Status Codes).

Seed 003: "Contact Plans", "Contact Plan Samples" (NEW's five events), "Debtor Status Codes"
(WIP Priority, Run Plan), "Holidays", "How Collect! Executes Contact Plans Internally".
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtGui import QKeySequence
from sqlalchemy import select

from collectdesk import db
from collectdesk.engine.passwords import hash_password
from collectdesk.models import Contact, Debtor, Holiday, Operator, Preferences
from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui import dialogs
from collectdesk.ui.testing import make_database

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Shipped rows and sample accounts, a COLLECTOR COL1 with four accounts on the desk."""
    path = make_database(tmp_path_factory.mktemp("wip") / "template.db", debtors=8)
    engine = db.make_engine(path)
    with db.session_factory(engine)() as s:
        s.add(Operator(id="COL1", name="Collector One", type="COLLECTOR", user_level=30,
                       password_hash=hash_password("col1")))
        s.flush()
        ids = list(s.scalars(select(Debtor.id).order_by(Debtor.id)))
        for debtor_id in ids[:4]:
            s.get(Debtor, debtor_id).operator_id = "COL1"
        due = [(ids[0], "Phone", 10), (ids[1], "Review", 90), (ids[2], "Phone", 50)]
        s.add_all([Contact(debtor_id=d, type=t, priority=p, due_date=TODAY, operator_id="COL1",
                           description=f"{t} p{p}") for d, t, p in due])
        # Not in today's list: due next week, someone else's, completed, a letter.
        s.add_all([
            Contact(debtor_id=ids[3], type="Phone", priority=99, operator_id="COL1",
                    due_date=TODAY + dt.timedelta(days=7), description="next week"),
            Contact(debtor_id=ids[4], type="Phone", priority=95, operator_id="SC",
                    due_date=TODAY, description="not mine"),
            Contact(debtor_id=ids[3], type="Phone", priority=98, operator_id="COL1",
                    due_date=TODAY, done=True, description="done"),
            Contact(debtor_id=ids[3], type="Letter", priority=97, operator_id="COL1",
                    due_date=TODAY, description="a letter"),
        ])
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def database(template, tmp_path):
    path = tmp_path / "wip.db"
    shutil.copy(template, path)
    return str(path)


@pytest.fixture
def session(database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


def sign_on(qtbot, database, monkeypatch, who="COL1"):
    monkeypatch.setattr(dialogs, "answer", lambda title, text, choices: choices[0])
    started = app_module.start(parse_flags([f"/db{database}", f"/i{who}", f"/p{who.lower()}",
                                            "/s", "/m"]))
    qtbot.addWidget(started.window)
    return started.window


@pytest.fixture
def collector(qtbot, database, monkeypatch):
    w = sign_on(qtbot, database, monkeypatch)
    yield w
    w.close()


@pytest.fixture
def manager(qtbot, database, monkeypatch):
    w = sign_on(qtbot, database, monkeypatch, "SYS")
    yield w
    w.close()


def open_dialog(window, cls):
    shown = [d for d in window.findChildren(cls) if d.isVisible()]
    assert len(shown) == 1, shown
    return shown[0]


def test_a_collector_schedules_the_next_contact_and_it_leaves_todays_list(collector, session):
    from collectdesk.ui.schedule_next import ScheduleNextDialog
    from collectdesk.ui.wip_page import WipPage

    w = collector
    wip = w.current_page()
    # Signs on and lands in the WIP list: due contacts, highest priority first, counts by type.
    assert isinstance(wip, WipPage)
    assert [(e.type, e.priority) for e in wip.entries] == [("Review", 90), ("Phone", 50),
                                                           ("Phone", 10)]
    assert wip.counts_by_type == {"Review": 1, "Phone": 2, "Promise": 0, "Other": 0}
    assert "Phone 2" in wip.counts.text() and "3 due" in wip.counts.text()
    assert wip.table.item(0, 4).text() == session.get(Debtor, wip.entries[0].debtor_id).name

    # Opens the first account.
    worked = wip.entries[0]
    wip.table.selectRow(0)
    wip.open_button.click()
    debtor_page = w.current_page()
    assert debtor_page.spec.id == "debtor" and debtor_page.record_key() == worked.debtor_id

    # Ctrl+N: Schedule Next Contact, from the account opened from the WIP list.
    command = w.command("ScheduleNextContact")
    assert command.action.shortcut() == QKeySequence("Ctrl+N")
    assert command.action.isEnabled()
    command.action.trigger()
    dlg = open_dialog(w, ScheduleNextDialog)
    assert dlg.contact_id == worked.contact_id
    assert dlg.editor("co.ty").value() == "Review"
    assert dlg.editor("co.pr").value() == 90
    next_week = TODAY + dt.timedelta(days=7)
    dlg.editor("co.dd").set_value(next_week)
    dlg.editor("co.ty").set_value("Phone")
    dlg.editor("co.de").set_value("Call back about the offer")
    dlg.ok_button.click()
    assert not dlg.isVisible()

    session.expire_all()
    done = session.get(Contact, worked.contact_id)
    assert done.done and done.completed_at is not None and done.updated_by == "COL1"
    following = session.scalars(select(Contact).where(
        Contact.debtor_id == worked.debtor_id, Contact.done.is_(False))).one()
    assert (following.type, following.description, following.priority,
            following.operator_id) == ("Phone", "Call back about the offer", 90, "COL1")
    assert next_week <= following.due_date <= next_week + dt.timedelta(days=2)  # off a weekend
    assert following.due_date.weekday() < 5
    assert session.get(Debtor, worked.debtor_id).last_worked is not None

    # The account form shows the new contact and still saves (no conflict with last worked).
    assert debtor_page.form.sublists()[0].row_count() == 2
    debtor_page.form.editor("de.ci").set_value("Salem")
    debtor_page.form.editor("de.ci").edited.emit()
    assert debtor_page.save()

    # Back in the WIP list: reloaded, the worked contact has left today's list.
    w.close_page(debtor_page)
    assert w.current_page() is wip
    assert [(e.type, e.priority) for e in wip.entries] == [("Phone", 50), ("Phone", 10)]
    assert worked.contact_id not in {e.contact_id for e in wip.entries}
    assert wip.counts_by_type["Review"] == 0 and "2 due" in wip.counts.text()


def test_schedule_next_from_the_wip_list_itself(collector, session):
    from collectdesk.ui.schedule_next import ScheduleNextDialog

    w = collector
    wip = w.current_page()
    wip.table.selectRow(1)
    target = wip.entries[1]
    assert w.command("ScheduleNextContact").action.isEnabled()
    wip.schedule_button.click()
    dlg = open_dialog(w, ScheduleNextDialog)
    assert dlg.contact_id == target.contact_id
    dlg.editor("co.dd").set_value(None)
    dlg.ok_button.click()
    assert dlg.isVisible() and "Due Date is required" in dlg.message.text()
    dlg.editor("co.dd").set_value(TODAY + dt.timedelta(days=3))
    dlg.ok_button.click()
    assert target.contact_id not in {e.contact_id for e in wip.entries}
    assert len(wip.entries) == 2
    session.expire_all()
    assert session.get(Contact, target.contact_id).done


def test_wip_options_sort_by_status_for_this_operator(collector, session):
    from collectdesk.models import StatusCode
    from collectdesk.ui.wip_options import WipOptionsDialog

    # The low-priority phone's account gets the status with the highest WIP priority.
    low = next(e for e in collector.current_page().entries if e.priority == 10)
    session.get(Debtor, low.debtor_id).status = "NEW"
    session.commit()
    assert session.get(StatusCode, "NEW").wip_priority == 90
    wip = collector.current_page()
    wip.reload(0)
    assert [e.priority for e in wip.entries] == [90, 50, 10]
    dlg = wip.show_options()
    assert isinstance(dlg, WipOptionsDialog)
    assert not dlg.save_system.isEnabled()  # a collector does not set the system up
    assert "menu:system" in dlg.save_system.toolTip()
    dlg.editors["wip_sort"].set_value("status")
    dlg.editors["display_dialer"].set_value(True)
    dlg.save_operator.click()
    own = session.scalars(select(Preferences).where(Preferences.operator_id == "COL1")).one()
    assert (own.wip_sort, own.display_dialer) == ("status", True)
    system = session.scalars(select(Preferences).where(Preferences.operator_id.is_(None))).one()
    assert system.wip_sort == "priority"
    assert [e.priority for e in wip.entries] == [10, 90, 50]
    assert "by status" in wip.counts.text()


def test_automatically_display_dialer_offers_the_phone(collector, session, monkeypatch):
    session.add(Preferences(operator_id="COL1", display_dialer=True))
    session.commit()
    wip = collector.current_page()
    offered = []
    monkeypatch.setattr(collector.dialer, "dial",
                        lambda number, **kw: offered.append((number, kw["debtor_id"])) or True)
    phone = next(e for e in wip.entries if e.type == "Phone")
    wip.open_row(wip.entries.index(phone))
    debtor = session.get(Debtor, phone.debtor_id)
    assert offered == [(debtor.home_phone, debtor.id)]
    collector.close_page()
    review = next(e for e in wip.entries if e.type == "Review")
    wip.open_row(wip.entries.index(review))
    assert len(offered) == 1  # only phone contacts


def test_f6_opens_the_next_due_account_after_the_one_being_worked(collector, session, qtbot):
    from PySide6.QtCore import Qt

    w = collector
    wip = w.current_page()
    order = [e.debtor_id for e in wip.entries]  # Review 90, Phone 50, Phone 10
    command = w.command("OpenNextAccount")
    assert command.action.shortcut() == QKeySequence("F6") and command.action.isEnabled()
    # From the list itself: the first account.
    qtbot.keyClick(wip.table, Qt.Key.Key_F6)
    first = w.current_page()
    assert first.spec.id == "debtor" and first.record_key() == order[0]
    # On the account: F6 closes it and opens the next one below it.
    first.form.editor("de.ci").set_value("Salem")
    first.form.editor("de.ci").edited.emit()  # typed, not saved: F6 asks, Save keeps it
    command.action.trigger()
    second = w.current_page()
    assert second.record_key() == order[1]
    assert [p for p in w.pages() if getattr(p, "spec", None) is not None] == [second]
    assert session.get(Debtor, order[0]).city == "Salem"
    wip.next_account_button.click()
    assert w.current_page().record_key() == order[2]
    assert [p for p in w.pages() if getattr(p, "spec", None) is not None] == [w.current_page()]
    # The last account of the list: nothing further, the account stays open.
    command.action.trigger()
    assert w.current_page().record_key() == order[2]
    assert "No other account is due" in w.statusBar().currentMessage()


def test_orphans_lists_the_desks_accounts_in_nobodys_wip_list(database, session, qtbot,
                                                               monkeypatch):
    from PySide6.QtCore import Qt

    from collectdesk.models import Client
    from collectdesk.ui.orphans_page import OrphansPage

    ids = list(session.scalars(select(Debtor.id).order_by(Debtor.id)))
    acme = session.scalar(select(Client.id).where(Client.name == "Acme Dental Group"))
    # Two more accounts on COL1's desk with no contact at all: one of Acme, one of Bayview.
    orphan = next(i for i in ids[5:] if session.get(Debtor, i).client_id == acme)
    other = next(i for i in ids[5:] if session.get(Debtor, i).client_id != acme)
    for i in (orphan, other):
        session.get(Debtor, i).operator_id = "COL1"
    # COL1 may see Acme's accounts only: Bayview's orphan must not leak into the list.
    col1 = session.get(Operator, "COL1")
    col1.enable_security, col1.strict, col1.security_client_id = True, True, acme
    session.commit()
    w = sign_on(qtbot, database, monkeypatch)
    w.current_page().show_orphans()
    page = w.current_page()
    assert isinstance(page, OrphansPage)
    assert not page.everyone.isVisibleTo(page)  # a collector sees their own desk
    assert [r[0] for r in page.rows] == [orphan]
    assert page.table.item(0, 1).text() == session.get(Debtor, orphan).name
    assert "COL1's desk" in page.summary.text()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    account = w.current_page()
    assert account.spec.id == "debtor" and account.record_key() == orphan
    # A contact scheduled on the account puts it back in a WIP list: it leaves the orphans.
    session.add(Contact(debtor_id=orphan, type="Review", operator_id="COL1", due_date=TODAY))
    session.commit()
    w.close_page(account)
    assert w.current_page() is page and page.rows == []
    assert page.empty.isVisibleTo(page)
    w.close()


def test_the_action_field_runs_a_plan_on_enter_on_leaving_it_and_from_f2(manager, session,
                                                                            qtbot):
    from PySide6.QtCore import Qt

    w = manager
    debtor_id = session.scalars(select(Debtor.id).order_by(Debtor.id.desc())).first()
    page = w.open_form("debtor", debtor_id)
    w.show()
    qtbot.waitExposed(w)
    action = page.form.editor("de.rp")

    def plans_run() -> list[str]:
        session.expire_all()
        return [c.plan_code for c in session.scalars(select(Contact).where(
            Contact.debtor_id == debtor_id).order_by(Contact.id))]

    # Typing a code and pressing Enter runs it on the account; the field empties.
    qtbot.keyClicks(action.line, "REV")
    qtbot.keyClick(action.line, Qt.Key.Key_Return)
    assert plans_run() == ["REV"]
    assert action.line.text() == "" and not page.is_dirty()
    assert page.form.sublists()[0].row_count() == 1
    assert "Plan REV ran" in w.statusBar().currentMessage()
    # Leaving the field runs it too.
    action.line.setFocus()
    qtbot.keyClicks(action.line, "C0")
    page.form.editor("de.ci").line.setFocus()
    qtbot.waitUntil(lambda: plans_run() == ["REV", "C0"])
    # An unknown code is refused with a message, once, and nothing is run or saved.
    dialogs.asked.clear()
    action.line.setFocus()
    qtbot.keyClicks(action.line, "NOPE")
    qtbot.keyClick(action.line, Qt.Key.Key_Return)
    page.form.editor("de.ci").line.setFocus()
    refusals = [t for _title, t in dialogs.asked if "unknown contact plan 'NOPE'" in t]
    assert len(refusals) == 1 and plans_run() == ["REV", "C0"]
    # F2 lists the plans; the one picked runs on Enter.
    action.line.clear()
    action.line.setFocus()
    qtbot.keyClick(action.line, Qt.Key.Key_F2)
    popup = action.popup
    assert popup.isVisible()
    listed = [popup.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(popup.list.count())]
    assert {"NEW", "CLO", "C0", "L1", "REV", "C"} <= set(listed)
    qtbot.keyClicks(popup.filter, "Close File")
    qtbot.keyClick(popup.filter, Qt.Key.Key_Return)
    assert action.line.text() == "CLO"
    qtbot.keyClick(action.line, Qt.Key.Key_Return)
    session.expire_all()
    assert session.get(Debtor, debtor_id).mode == "C"  # CLO closed the account
    # The client form's Action field runs the plan on the client.
    client_id = session.get(Debtor, debtor_id).client_id
    w.close_page(page)
    client_page = w.open_form("client", client_id)
    client_action = client_page.form.editor("cl.rp")
    qtbot.keyClicks(client_action.line, "REV")
    qtbot.keyClick(client_action.line, Qt.Key.Key_Return)
    session.expire_all()
    assert session.scalars(select(Contact.type).where(
        Contact.client_id == client_id, Contact.debtor_id.is_(None))).all() == ["Review"]
    assert client_action.line.text() == ""


def test_prompt_to_confirm_details_saves_what_the_operator_changed(manager, session, qtbot,
                                                                   monkeypatch):
    from PySide6.QtCore import Qt

    from collectdesk.ui.plan_prompts import ConfirmContactDialog

    w = manager
    debtor_id = session.scalars(select(Debtor.id).order_by(Debtor.id.desc())).first()
    desk = session.get(Debtor, debtor_id).operator_id
    page = w.open_form("debtor", debtor_id)
    action = page.form.editor("de.rp")
    later = TODAY + dt.timedelta(days=3)
    shown = []

    def change_everything(dialog):
        assert isinstance(dialog, ConfirmContactDialog) and dialog.isVisible()
        value = dialog.editor
        shown.append((value("co.dd").value(), value("co.dt").value(), value("co.op").value(),
                      value("co.de").value(), value("co.pr").value()))
        value("co.dd").set_value(None)
        dialog.schedule_button.click()  # a due date is required: the dialog stays open
        assert dialog.isVisible() and "Due Date is required" in dialog.message.text()
        qtbot.keyClicks(value("co.dd").focus_widget(), later.strftime("%m/%d/%Y"))
        assert dialog.message.text() == ""  # typing clears what was refused
        assert value("co.dd").value() == later
        value("co.dt").set_value(dt.time(10, 30))
        value("co.op").set_value("MGR")
        value("co.de").set_value("Ask about the letter")
        value("co.pr").set_value(77)
        dialog.schedule_button.click()

    monkeypatch.setattr(dialogs, "fill", change_everything)
    qtbot.keyClicks(action.line, "REV")  # REV: one Review, "Prompt to confirm details"
    qtbot.keyClick(action.line, Qt.Key.Key_Return)
    assert shown == [(TODAY, None, desk, "Review file...", 30)]  # what the plan would do
    session.expire_all()
    [review] = session.scalars(select(Contact).where(Contact.debtor_id == debtor_id,
                                                     Contact.plan_code == "REV")).all()
    assert (review.type, review.due_date, review.due_time, review.operator_id,
            review.description, review.priority, review.done) == \
        ("Review", later, dt.time(10, 30), "MGR", "Ask about the letter", 77, False)

    # Skip leaves the event out; the plan still ran (REV removed the Review it replaces).
    monkeypatch.setattr(dialogs, "fill", lambda dialog: dialog.skip_button.click())
    qtbot.keyClicks(action.line, "REV")
    qtbot.keyClick(action.line, Qt.Key.Key_Return)
    session.expire_all()
    assert session.scalars(select(Contact).where(Contact.debtor_id == debtor_id,
                                                 Contact.plan_code == "REV")).all() == []
    assert "Plan REV ran: 0 contact(s) scheduled." in w.statusBar().currentMessage()


def test_the_contact_plan_form_for_new_shows_its_events(manager):
    w = manager
    menu_texts = [a.text() for a in w.menuBar().actions()]
    assert "&System" in menu_texts
    w.command("ContactPlans").action.trigger()
    plans = w.current_page()
    assert plans.spec.id == "contact_plans"
    codes = [plans.model.data(plans.model.index(r, 1)) for r in range(plans.model.rowCount())]
    assert {"NEW", "CLO", "C0", "L1", "REV", "C"} <= set(codes)
    plans.open_row(codes.index("NEW"))
    plan = w.current_page()
    assert plan.spec.id == "contact_plan" and "New Business" in plan.caption()
    assert plan.form.editor("cp.dap").value() is True
    events = plan.form.sublists()[0]
    assert events.title == "Events" and events.row_count() == 5
    model = events.model
    type_col = 1 + [f.code for f in model.fields].index("ev.ty")
    assert [model.data(model.index(r, type_col)) for r in range(5)] == [
        "Status", "Letter", "Phone", "Letter", "Letter"]

    # The third event: a phone call after 10 delay days, priority 30, timeless.
    events.view.go_to(2)
    events.open_current()
    event = w.current_page()
    assert event.spec.id == "plan_event"
    value = event.form.editor
    assert (value("ev.ty").value(), value("ev.de").value()) == ("Phone", "Home")
    assert value("ev.udd").value() is True and value("ev.dd").value() == 10
    assert value("ev.pr").value() == 30 and value("ev.tl").value() is True
    assert value("ev.as").value() == "account"
    assert [rb.text() for _v, rb in value("ev.as").buttons] == ["The account's operator",
                                                                "Specific operator"]
    for code in ("ev.udm", "ev.dm", "ev.nm", "ev.udn", "ev.dn", "ev.tm", "ev.if", "ev.ifo",
                 "ev.iff", "ev.ift", "ev.pc", "ev.dst", "ev.sdo", "ev.op"):
        value(code)  # every setting of the event is on the form
    event.go(+1)  # >> walks the plan's events
    assert value("ev.de").value() == "Letter 2"
    w.close_page(event)

    # F3 on the Events tab adds an event to this plan.
    plan.new_sub(events)
    new_event = w.current_page()
    assert new_event.spec.id == "plan_event" and new_event.is_new
    assert new_event.record.plan_id == plan.record_key()
    new_event.form.editor("ev.sq").set_value(6)
    new_event.form.editor("ev.ty").set_value("Review")
    new_event.form.editor("ev.de").set_value("Any response?")
    assert new_event.save()
    w.close_page(new_event)
    assert events.row_count() == 6


def test_the_holidays_list_and_form(manager, session):
    w = manager
    w.command("Holidays").action.trigger()
    holidays = w.current_page()
    assert holidays.spec.id == "holidays" and holidays.model.rowCount() == 0
    for day, text in ((dt.date(2031, 12, 25), "Christmas Day"),
                      (dt.date(2031, 11, 27), "Thanksgiving Day")):
        holidays.new_record()
        form = w.current_page()
        assert form.spec.id == "holiday" and form.is_new
        form.form.editor("ho.da").set_value(day)
        form.form.editor("ho.de").set_value(text)
        form.ok()
        assert w.current_page() is holidays
    assert holidays.model.rowCount() == 2
    assert holidays.model.data(holidays.model.index(0, 2)) == "Thanksgiving Day"  # by date
    assert [h.description for h in session.scalars(select(Holiday).order_by(Holiday.date))] == [
        "Thanksgiving Day", "Christmas Day"]


def test_status_codes_show_wip_priority_and_run_plan(manager):
    w = manager
    w.command("StatusCodes").action.trigger()
    codes = w.current_page()
    assert {"sc.wp", "sc.rp"} <= {f.code for f in codes.model.fields}
    codes.open_row(0)
    status = w.current_page()
    assert {"sc.co", "sc.de", "sc.wp", "sc.rp", "sc.lr"} <= {b.spec.code for b in status.form.bindings}
    assert status.form.editor("sc.rp").spec.picklist == "contact_plans"


def test_the_contact_management_menu(manager):
    from collectdesk.ui.wip_options import WipOptionsDialog

    w = manager
    for name in ("StatusCodes", "ContactPlans", "Holidays", "WipOptions"):
        cmd = w.command(name)
        assert cmd.action.isEnabled(), name
        assert cmd.right.startswith("menu:system.contact_management_settings."), cmd.right
    w.command("WipOptions").action.trigger()
    dlg = open_dialog(w, WipOptionsDialog)
    assert dlg.save_system.isEnabled()
    dlg.editors["schedule_on_weekends"].set_value(True)
    dlg.save_system.click()
    with w.ctx.session() as s:
        system = s.scalars(select(Preferences).where(Preferences.operator_id.is_(None))).one()
        assert system.schedule_on_weekends is True
