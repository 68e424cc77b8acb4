"""The forms-and-tabs client end to end: Find By, edit, F8, >>, Esc, conflicts, notes, new business."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from collectdesk import db
from collectdesk.models import AccessRight, Debtor, Note, Phone
from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui.browse_page import BrowsePage
from collectdesk.ui.find_dialog import FindByDialog
from collectdesk.ui.record_page import RecordPage
from collectdesk.ui.testing import make_database


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_database(tmp_path_factory.mktemp("ui") / "template.db", debtors=15)


@pytest.fixture
def database(template, tmp_path):
    path = tmp_path / "ui.db"
    shutil.copy(template, path)
    return str(path)


@pytest.fixture
def window(qtbot, database, answers):
    started = app_module.start(parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m"]))
    w = started.window
    qtbot.addWidget(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    yield w
    for page in reversed(w.pages()):
        if isinstance(page, RecordPage):
            page._closing = True
    w.close()


@pytest.fixture
def other_session(database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


def key(widget, k, mods=Qt.KeyboardModifier.NoModifier):
    from pytestqt.qtbot import QtBot

    QtBot.keyClick(widget, k, mods)


def find(window, method, text):
    dlg = FindByDialog(window)
    dlg.set_method(method)
    dlg.text.setText(text)
    assert dlg.find(), dlg.message.text()
    return window.current_page()


def debtor_with_phone(session, number):
    return session.scalar(select(Phone.debtor_id).where(Phone.number == number))


# -- Find By ------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["503.555.1003", "5035551003", "1 (503) 555 1003", "+1-503-555-1003"])
def test_find_by_phone_typed_differently_opens_the_debtor(window, other_session, typed):
    expected = debtor_with_phone(other_session, "(503) 555-1003")
    page = find(window, "phone", typed)
    assert isinstance(page, RecordPage)
    assert page.record.id == expected
    assert page.form.editor("de.hp").text() == "(503) 555-1003"


def test_find_by_name_with_several_matches_shows_a_list(window, other_session):
    other_session.add(Debtor(client_id=1, name="Anderson, Peter", mode="A"))
    other_session.commit()
    page = find(window, "name", "anderson, p")
    assert isinstance(page, BrowsePage)
    assert page.model.rowCount() == 2
    names = [page.model.row_object(i).values[0] for i in range(2)]
    assert names == ["Anderson, Paul", "Anderson, Peter"]


def test_find_by_file_account_ssn_email(window, other_session):
    d = other_session.scalar(select(Debtor).where(Debtor.account == "A-1004"))
    for method, text in (("file", str(d.id)), ("account", "A-1004"), ("ssn", d.ssn.replace("-", "")),
                         ("email", d.email.upper())):
        page = find(window, method, text)
        assert isinstance(page, RecordPage) and page.record.id == d.id, method
        window.close_page(page)


def test_find_by_nothing_stays_open_with_a_message(window):
    dlg = FindByDialog(window)
    dlg.set_method("phone")
    dlg.text.setText("999-999-9999")
    assert not dlg.find()
    assert "Nothing matches" in dlg.message.text()


# -- edit, F8, >>, Esc ------------------------------------------------------------------------------

def test_edit_a_field_then_f8_saves_and_closes(window, other_session):
    page = find(window, "phone", "503 555 1003")
    debtor_id = page.record.id
    editor = page.form.editor("de.emp")
    editor.line.setText("Columbia Sportswear")
    key(editor.line, Qt.Key.Key_F8)
    assert window.current_page() is not page
    other_session.expire_all()
    saved = other_session.get(Debtor, debtor_id)
    assert saved.employer == "Columbia Sportswear"
    assert saved.updated_by == "SYS"


def test_next_and_previous_record_follow_the_list(window, answers):
    browse = window.open_browse("active_debtors")
    browse.view.go_to(0)
    key(browse.view, Qt.Key.Key_Return)
    page = window.current_page()
    assert page.record.id == browse.model.key(0)
    key(page.form.editor("de.na").line, Qt.Key.Key_PageDown)
    assert page.record.id == browse.model.key(1)
    page.next_button.click()
    assert page.record.id == browse.model.key(2)
    key(page.form.editor("de.na").line, Qt.Key.Key_PageUp)
    assert page.record.id == browse.model.key(1)
    assert "Baker" in page.windowTitle() or page.windowTitle().startswith("Debtor:")


def test_moving_with_unsaved_changes_asks_to_save(window, answers, other_session):
    page = find(window, "file", "1")
    page.form.editor("de.emp").line.setText("Nike")
    answers.queue = ["Save"]
    page.go(+1)
    assert answers.asked[-1][1].startswith("Save your changes")
    assert page.record.id != 1
    other_session.expire_all()
    assert other_session.get(Debtor, 1).employer == "Nike"


def test_escape_with_unsaved_changes_asks(window, answers, other_session):
    page = find(window, "file", "2")
    key(page.form.editor("de.ci").line, Qt.Key.Key_Escape)  # nothing changed: closes at once
    assert window.current_page() is not page and not answers.asked
    page = find(window, "file", "2")
    page.form.editor("de.ci").line.setText("Eugene")
    answers.queue = ["Cancel"]
    key(page.form.editor("de.ci").line, Qt.Key.Key_Escape)
    assert answers.asked[-1][1] == "You have unsaved changes. Save them before closing?"
    assert window.current_page() is page
    assert page.form.editor("de.ci").text() == "Eugene"
    answers.queue = ["Discard"]
    key(page.form.editor("de.ci").line, Qt.Key.Key_Escape)
    assert window.current_page() is not page
    other_session.expire_all()
    assert other_session.get(Debtor, 2).city == "Portland"


def test_a_bad_value_is_refused_with_a_message(window, answers):
    page = find(window, "file", "3")
    page.form.editor("de.dob").line.setText("31/31/1999")
    assert not page.save()
    assert "is not a date" in answers.asked[-1][1]


# -- conflicts ---------------------------------------------------------------------------------------

def test_a_conflict_says_who_and_when_and_keeps_typed_values(window, answers, other_session):
    page = find(window, "file", "4")
    page.form.editor("de.emp").line.setText("Typed by SYS")
    theirs = other_session.get(Debtor, 4)
    theirs.city = "Bend"
    db.save(other_session, theirs, operator="MGR")
    when = other_session.get(Debtor, 4).updated_at

    answers.queue = ["Keep Editing"]
    key(page.form.editor("de.emp").line, Qt.Key.Key_F8)
    title, text, choices = answers.asked[-1]
    assert title == "Save Conflict"
    assert "MGR" in text and when.strftime("%m/%d/%Y") in text
    assert "Reload, Keep My Changes" in choices
    assert window.current_page() is page
    assert page.form.editor("de.emp").text() == "Typed by SYS"
    # Saving again without reloading is still refused: nothing is overwritten silently.
    answers.queue = ["Reload, Keep My Changes"]
    assert not page.save()
    assert page.form.editor("de.emp").text() == "Typed by SYS"
    assert page.form.editor("de.ci").text() == "Bend"
    assert page.save()
    other_session.expire_all()
    saved = other_session.get(Debtor, 4)
    assert (saved.employer, saved.city) == ("Typed by SYS", "Bend")


# -- notes, log to notes -----------------------------------------------------------------------------

def test_adding_a_note_stamps_date_time_status_and_operator(window, other_session):
    page = find(window, "file", "5")
    notes = page.form.notes()[0]
    before = dt.datetime.now().replace(microsecond=0)
    notes.entry.setText("Promised to call back Friday")
    key(notes.entry, Qt.Key.Key_Return)
    note = other_session.scalars(select(Note).where(Note.debtor_id == 5).order_by(Note.id.desc())).first()
    assert note.text == "Promised to call back Friday"
    assert (note.status, note.operator_id) == ("ACT", "SYS")
    assert note.noted_at >= before
    assert "ACT  SYS    : Promised to call back Friday" in notes.text()


def test_a_field_logged_to_notes_writes_a_note_line_when_it_changes(window, other_session, database):
    other_session.add(AccessRight(name="field:debtor.employer", kind="field", form="debtor",
                                  log_to_notes=True))
    other_session.commit()
    page = find(window, "file", "6")
    page.form.editor("de.emp").line.setText("Intel")
    page.form.editor("de.ci").line.setText("Hillsboro")  # not logged
    assert page.save()
    texts = [n.text for n in other_session.scalars(select(Note).where(Note.debtor_id == 6))]
    assert "Employer changed from (blank) to Intel" in texts
    assert not any("City" in t for t in texts)


# -- tabs --------------------------------------------------------------------------------------------

def test_tabs_show_whether_they_hold_data(window):
    page = find(window, "file", "1")
    marks = {tb.spec.title: tb.tabs.has_data(tb.index) for tb in page.form.all_tabs()}
    assert marks["Notes"] and marks["Transactions"] and marks["Cosigners"] and marks["Phones"]
    assert not marks["Attachments"] and not marks["Emails"] and not marks["CBR"]
    assert marks["Financial Detail"]


def test_tabs_are_built_when_first_shown_and_marked_before(window):
    """Only the tab in view is built when the form opens; the others are marked from the
    database and show the record the moment they come into view."""
    page = find(window, "file", "1")
    tabs = {tb.spec.title: tb for tb in page.form.all_tabs(build=False)}
    assert tabs["Contacts"].built and not tabs["Notes"].built and not tabs["Phones"].built
    marks = {title: tb.tabs.has_data(tb.index) for title, tb in tabs.items()}
    assert marks["Notes"] and marks["Transactions"] and marks["Cosigners"] and marks["Phones"]
    assert not marks["Attachments"] and not marks["Emails"] and not marks["CBR"]
    assert marks["Financial Detail"]

    notes = tabs["Notes"]
    notes.tabs.setCurrentIndex(notes.index)
    assert notes.built and notes.notes.count > 0, "the notes are there when the tab opens"
    detail = tabs["Financial Detail"]
    detail.tabs.setCurrentIndex(detail.index)
    assert detail.built and detail.children and detail.children[0].built
    assert not page.is_dirty(), "showing a tab changes nothing"


def test_debtor_title_shows_local_time_from_the_phone(window):
    page = find(window, "file", "1")
    assert "local time" in page.windowTitle()
    assert page.local_time_text().endswith(("PST", "PDT"))
    assert "local time" in window.windowTitle()


def test_f5_activates_the_sublist_and_opens_a_row(window, qtbot):
    page = find(window, "file", "1")
    QApplication.processEvents()  # the Find By dialog's deactivation, then take focus back
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tb = next(t for t in page.form.all_tabs() if t.spec.title == "Transactions")
    tb.tabs.setCurrentIndex(tb.index)
    QApplication.processEvents()
    key(page.form.editor("de.na").line, Qt.Key.Key_F5)
    assert tb.sublist.view.hasFocus() or QApplication.focusWidget() is tb.sublist.view
    key(tb.sublist.view, Qt.Key.Key_F5)
    opened = window.current_page()
    assert opened.spec.id == "transaction"


# -- new business ----------------------------------------------------------------------------------

def test_new_business_from_the_clients_debtors_tab_uses_client_settings(window, other_session):
    client = window.open_form("client", 1)
    tb = next(t for t in client.form.all_tabs() if t.spec.title == "Debtors")
    tb.tabs.setCurrentIndex(tb.index)
    tb.sublist.view.setFocus()
    key(tb.sublist.view, Qt.Key.Key_F3)
    page = window.current_page()
    assert page.spec.id == "debtor" and page.is_new
    ed = page.form.editor
    assert ed("de.cl").text() == "1"
    assert ed("de.cr").text() == "25.000" and ed("de.tr").text() == "7.000"
    assert (ed("de.op").text(), ed("de.sa").text(), ed("de.rp").text()) == ("SC", "MGR", "NEW")
    assert ed("de.mo").text() == "A"
    assert ed("de.li").text() == dt.date.today().strftime("%m/%d/%Y")
    ed("de.na").line.setText("Newman, Alfred")
    ed("de.hp").line.setText("541-555-0123")
    key(ed("de.na").line, Qt.Key.Key_F8)
    other_session.expire_all()
    new = other_session.scalar(select(Debtor).where(Debtor.name == "Newman, Alfred"))
    assert new is not None and new.client_id == 1
    assert new.commission_rate == Decimal("25.000") and new.tax_rate == Decimal("7.000")
    assert (new.operator_id, new.sales_id, new.mode) == ("SC", "MGR", "A")
    assert new.run_plan == "", "the Action field is a command: emptied once NEW has run"
    from collectdesk.models import Contact

    contacts = list(other_session.scalars(select(Contact).where(Contact.debtor_id == new.id)))
    assert contacts, "the NEW contact plan ran when the account was saved"
    from collectdesk.engine.browse import find_by_phone

    assert find_by_phone(other_session, "(541) 555 0123") == [new.id]
    assert window.current_page() is client


def test_required_name_is_enforced_on_a_new_debtor(window, answers):
    page = window.open_form("debtor", None, new_defaults={"client_id": 1})
    assert not page.save()
    assert answers.asked[-1][1] == "Name is required."


def test_advanced_opens_client_settings(window):
    client = window.open_form("client", 1)
    advanced = next(b for b in client.spec_buttons if "Ad" in b.text())
    advanced.click()
    page = window.current_page()
    assert page.spec.id == "client_settings"
    assert page.form.editor("cs.cr").text() == "25.000"


def test_every_form_opens_new_and_existing(window):
    from collectdesk.engine import forms_spec

    for form_id, spec in forms_spec.load_all().items():
        if not isinstance(spec, forms_spec.FormSpec):
            continue
        page = window.open_form(form_id, None, new_defaults={})
        assert page.form.bindings
        page._closing = True
        window.close_page(page, ask=False)


def test_a_reused_form_shows_only_the_new_record(window, other_session):
    first = find(window, "file", "1")
    first.form.editor("de.emp").line.setText("typed, then cancelled")
    first._closing = True
    window.close_page(first)
    second = window.open_form("debtor", 2)
    d2 = other_session.get(Debtor, 2)
    assert second.form.editor("de.na").text() == d2.name
    assert second.form.editor("de.emp").text() == (d2.employer or "")
    assert not second.is_dirty()
    notes = second.form.notes()[0].text()
    assert "Account listed" in notes and notes.count("\n") == 0
    assert second.windowTitle().startswith(f"Debtor: {d2.name}")


def test_a_changed_phone_is_found_by_its_new_digits(window, other_session):
    from collectdesk.engine.browse import find_by_phone

    page = find(window, "file", "7")
    page.form.editor("de.hp").line.setText("503/555/9988")
    assert page.save()
    assert find_by_phone(other_session, "5035559988") == [7]
    assert find_by_phone(other_session, "(503) 555-1006") == []


# -- F3 and PgUp / PgDn follow the focus ------------------------------------------------------------

def focus_window(window, qtbot):
    QApplication.processEvents()  # the Find By dialog's deactivation, then take focus back
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def show_tab(page, title):
    tb = next(t for t in page.form.all_tabs() if t.spec.title == title)
    tb.tabs.setCurrentIndex(tb.index)
    QApplication.processEvents()
    return tb


def test_f3_in_a_field_makes_a_new_debtor_even_on_a_sublist_tab(window, qtbot):
    page = find(window, "file", "1")
    focus_window(window, qtbot)
    show_tab(page, "Transactions")
    name = page.form.editor("de.na").line
    name.setFocus()
    key(name, Qt.Key.Key_F3)
    assert window.current_page() is page, "no Transaction form opened"
    assert page.is_new and page.caption_label.text() == "New"
    assert page.form.editor("de.cl").text() == "2", "the new account keeps the client"


def test_f3_in_the_sublist_makes_a_new_row_of_it(window, qtbot):
    page = find(window, "file", "1")
    focus_window(window, qtbot)
    tb = show_tab(page, "Transactions")
    tb.sublist.view.setFocus()
    key(tb.sublist.view, Qt.Key.Key_F3)
    opened = window.current_page()
    assert opened.spec.id == "transaction" and opened.is_new
    assert opened.record.debtor_id == 1


def test_pgdn_in_a_sublist_scrolls_it_and_stays_on_the_debtor(window, qtbot, other_session):
    from collectdesk.models import Transaction

    other_session.add_all(Transaction(debtor_id=1, client_id=2, type_code="201",
                                      description=f"Payment {i}", financial_type=1,
                                      to_us=Decimal("10.00"), payment_date=dt.date(2024, 6, 1))
                          for i in range(80))
    other_session.commit()
    page = find(window, "file", "1")
    focus_window(window, qtbot)
    tb = show_tab(page, "Transactions")
    view = tb.sublist.view
    view.setFocus()
    view.go_to(0)
    key(view, Qt.Key.Key_PageDown)
    assert page.record.id == 1, "PgDn in the list did not move to the next debtor"
    assert view.current_row() > 5 and view.verticalScrollBar().value() > 0
    row = view.current_row()
    key(view, Qt.Key.Key_PageUp)
    assert page.record.id == 1 and view.current_row() < row
    name = page.form.editor("de.na").line
    name.setFocus()
    key(name, Qt.Key.Key_PageDown)  # in a field PgDn still goes to the next record
    assert page.record.id == 2


# -- notes -------------------------------------------------------------------------------------------

def test_a_long_account_shows_its_newest_2000_note_lines_in_date_order(window, qtbot, other_session):
    start = dt.datetime(2024, 6, 1, 8, 0)  # after the account's "Account listed" line
    # written newest first, so the id order is the reverse of the date order
    other_session.add_all(Note(debtor_id=8, noted_at=start + dt.timedelta(hours=i), status="ACT",
                               operator_id="SC", text=f"Call {i:04d}")
                          for i in reversed(range(2100)))
    other_session.commit()
    page = find(window, "file", "8")
    focus_window(window, qtbot)
    show_tab(page, "Notes")
    lines = page.form.notes()[0].text().splitlines()
    assert len(lines) == 2000
    assert lines[0].endswith("Call 0100") and lines[-1].endswith("Call 2099")
    assert [line[-4:] for line in lines] == [f"{i:04d}" for i in range(100, 2100)]
    assert not any("Account listed" in line for line in lines), "the oldest line dropped out"

    memo = page.form.notes()[0].lines
    memo.setFocus()
    bottom = memo.verticalScrollBar().value()
    assert bottom == memo.verticalScrollBar().maximum() > 0, "opens at the newest line"
    key(memo, Qt.Key.Key_PageUp)
    assert page.record.id == 8, "PgUp in the notes did not move to the previous debtor"
    assert memo.verticalScrollBar().value() < bottom


# -- F1, F2, pop-up help -----------------------------------------------------------------------------

def test_f1_shows_help_for_the_form_and_the_field_in_use(window, qtbot, answers):
    page = find(window, "file", "1")
    focus_window(window, qtbot)
    for code in ("de.na", "de.dob"):
        editor = page.form.editor(code)
        editor.focus_widget().setFocus()
        key(editor.focus_widget(), Qt.Key.Key_F1)
        title, text, _choices = answers.asked[-1]
        assert title == "Help"
        assert "<h3>Debtor:" in text and page.spec.help in text, "the form's help"
        spec = next(b.spec for b in page.form.bindings if b.spec.code == code)
        assert spec.help and f"<h4>{spec.label}</h4>" in text and spec.help in text, \
            "the field's own help"
        assert f"@{code}" in text
    assert "F2 opens a calendar" in text  # what kind of field it is, for the date


def test_f2_on_a_date_opens_the_calendar_and_a_picked_day_fills_the_field(window, qtbot):
    page = find(window, "file", "1")
    focus_window(window, qtbot)
    editor = page.form.editor("de.dob")
    editor.line.setText("03/14/1980")
    editor.line.setFocus()
    key(editor.line, Qt.Key.Key_F2)
    calendar = editor.calendar
    assert calendar is not None and calendar.isVisible()
    assert calendar.selectedDate().toPython() == dt.date(1980, 3, 14), "opens on the field's date"
    grid = calendar.focusWidget() or calendar
    key(grid, Qt.Key.Key_Right)  # the next day …
    key(grid, Qt.Key.Key_Return)  # … chosen
    assert not calendar.isVisible()
    assert editor.text() == "03/15/1980" and editor.value() == dt.date(1980, 3, 15)
    assert page.is_dirty()


def test_f2_on_a_pick_list_opens_it_and_typing_selects_an_entry(window, qtbot):
    page = find(window, "file", "1")
    focus_window(window, qtbot)
    editor = page.form.editor("de.sts")
    editor.line.setFocus()
    key(editor.line, Qt.Key.Key_F2)
    popup = editor.popup
    assert popup.isVisible() and popup.filter.hasFocus()
    assert popup.list.currentItem().data(Qt.ItemDataRole.UserRole) == "ACT", "on the current entry"
    qtbot.keyClicks(popup.filter, "payment")
    assert [popup.list.item(i).text() for i in range(popup.list.count())] == \
        ["PPA     Payment Plan Arrangement"]
    key(popup.filter, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert editor.text() == "PPA" and editor.description.full_text() == "Payment Plan Arrangement"
    # typing in the field itself completes from the list too
    editor.line.clear()
    qtbot.keyClicks(editor.line, "sk")
    assert editor.line.text().upper() == "SKP"


def test_pop_up_help_off_hides_the_field_tooltips(window, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    page = find(window, "file", "1")
    focus_window(window, qtbot)
    line = page.form.editor("de.na").line
    label = page.findChild(type(page.title_label), "label:de.na")

    def hover(widget) -> str:
        QToolTip.hideText()
        qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2000)
        centre = widget.rect().center()
        QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, centre,
                                                  widget.mapToGlobal(centre)))
        return QToolTip.text() if QToolTip.isVisible() else ""

    assert window.ctx.popup_help
    assert "Last, First Middle" in hover(line) and "Last, First Middle" in hover(label)
    window.command("PopupHelp").action.trigger()  # Help > Pop-up Help: off
    assert not window.command("PopupHelp").action.isChecked()
    assert hover(line) == "" and hover(label) == ""
    window.command("PopupHelp").action.trigger()  # on again
    assert "Last, First Middle" in hover(line)


# -- nothing cut off -------------------------------------------------------------------------------

def test_long_names_emails_and_pick_list_texts_are_never_cut_off(window, qtbot, other_session):
    from collectdesk.models import Client

    client = other_session.get(Client, 1)
    client.name, client.email, client.type = ("Mercy Regional Medical Center",
                                              "billing@mercyregionalmed.example", "02")
    other_session.commit()
    window.resize(1280, 860)
    page = window.open_form("client", 1)
    qtbot.waitUntil(page.isVisible)
    QApplication.processEvents()
    assert page.form.editor("cl.ty").description.full_text() == "Medical/Health Care"
    assert page.form.clipped() == []
    debtor = window.open_form("debtor", 2)  # an account of that client: its name beside Client
    QApplication.processEvents()
    assert debtor.form.editor("de.cl").description.full_text() == "Mercy Regional Medical Center"
    assert debtor.form.clipped() == []

    debtor.form.editor("de.na").line.setFixedWidth(60)  # what a cut-off value looks like
    QApplication.processEvents()
    assert [p.split(":")[0] for p in debtor.form.clipped()] == ["de.na Name"]


def test_the_pre_build_after_sign_on_makes_no_second_copy_of_an_open_form(window):
    page = find(window, "file", "1")
    window.prepare_forms()  # due 200 ms after sign-on; the collector was quicker
    debtor_pages = [p for p in window.stack.findChildren(RecordPage) if p.spec.id == "debtor"]
    assert debtor_pages == [page]
    window.close_page(page)
    assert window.open_form("debtor", 2) is page, "the open form was parked and is reused"
