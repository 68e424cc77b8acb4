"""The managers' screens (seed 003): System ▸ Rights ▸ Access Rights and Pick Lists.

A change saved on the Access Rights page reaches the forms and menus of the level it is made
for — at once for the signed-on operator, at the next sign-on for the others — and is audited;
the Pick List editor refuses a bad entry naming its row and value, and imports legacy ``.pck``
files (a broken one names its file and line and imports nothing).
"""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from collectdesk import db
from collectdesk.engine import picklists as pl
from collectdesk.engine.audit import RIGHTS_CHANGED
from collectdesk.engine.passwords import hash_password
from collectdesk.engine.shipped import parse_pck
from collectdesk.models import AccessRight, AuditEntry, Debtor, FormRight, Operator, Rights
from collectdesk.paths import picklists_dir
from collectdesk.ui import dialogs
from collectdesk.ui.access_rights_page import NAME_ROLE, AccessRightsPage
from collectdesk.ui.picklist_page import PickListPage
from collectdesk.ui.testing import make_database


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = make_database(tmp_path_factory.mktemp("rights_ui") / "template.db", debtors=12)
    engine = db.make_engine(path)
    with db.session_factory(engine)() as s:
        s.add(Operator(id="COL1", name="Collector One", type="COLLECTOR", user_level=30,
                       password_hash=hash_password("col1"), must_set_password=False))
        # A level-90 administrator: unlike 99, aliases and pick lists apply to its level.
        s.add(Operator(id="MGR9", name="Office Manager", type="SYSTEM", user_level=90,
                       password_hash=hash_password("mgr9"), must_set_password=False))
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def database(template, tmp_path):
    path = tmp_path / "rights.db"
    shutil.copy(template, path)
    return str(path)


class Answers:
    """Answers the program's questions: the first choice starting with one of ``prefer``,
    else the last choice (Cancel)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.prefer: list[str] = []

    def __call__(self, title, text, choices):
        self.asked.append((title, text))
        for wanted in self.prefer:
            for choice in choices:
                if choice.startswith(wanted):
                    return choice
        return choices[-1]

    @property
    def last(self) -> str:
        return self.asked[-1][1]


@pytest.fixture
def answers(monkeypatch):
    found = Answers()
    monkeypatch.setattr(dialogs, "answer", found)
    return found


@pytest.fixture
def other_session(database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


STATUS_CODES = "menu:system.contact_management_settings.status_codes"


def open_rights(window) -> AccessRightsPage:
    command = window.command("AccessRights")
    assert command.action.isEnabled(), command.action.toolTip()
    command.action.trigger()
    page = window.current_page()
    assert isinstance(page, AccessRightsPage)
    return page


def rebuilt(window) -> AccessRightsPage:
    page = open_rights(window)
    page.rebuild()
    return page


def first_debtor(other_session) -> int:
    return other_session.scalar(select(Debtor.id).order_by(Debtor.id))


def audit_details(session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.operator_id, e.detail) for e in session.scalars(
        select(AuditEntry).where(AuditEntry.event == RIGHTS_CHANGED).order_by(AuditEntry.id))]


# -- Access Rights ------------------------------------------------------------------------------

def test_rebuild_lists_every_item_and_the_filters_find_them(sign_on, answers, other_session):
    w = sign_on("SYS")
    page = open_rights(w)
    assert page.empty.isVisibleTo(page) and not page.items  # a new database has no rows yet
    page.rebuild()
    title, text = answers.asked[-1]
    assert title == "Rebuild" and "added" in text and "0 kept as edited" in text
    assert not page.empty.isVisibleTo(page)
    for name in ("form:debtor", "field:debtor.city", "menu:system", "menu:system.rights",
                 "menu:system.rights.access_rights", "menu:system.rights.pick_lists",
                 "button:debtor.recalc", "button:operator.change_password"):
        assert name in page.items, name
    assert any("access rights rebuilt" in d for _who, d in audit_details(other_session))

    page.filter.setText("city")
    page.kind.setCurrentIndex(page.kind.findData("field"))
    shown = page.visible_names()
    assert "field:debtor.city" in shown and all(n.startswith("field:") for n in shown)
    assert all("city" in n for n in shown)
    page.filter.setText("pick")
    page.kind.setCurrentIndex(page.kind.findData("menu"))
    assert page.visible_names() == ["menu:system.rights.pick_lists"]
    page.filter.setText("")
    page.kind.setCurrentIndex(0)
    assert len(page.visible_names()) == len([n for n, i in page.items.items()
                                             if i.data(0, NAME_ROLE)])
    # A second rebuild adds nothing and keeps what was there.
    page.rebuild()
    assert answers.last.startswith("Access rights rebuilt: 0 added, 0 refreshed")


def test_a_field_made_read_only_for_level_30_is_read_only_on_the_collectors_form(
        sign_on, answers, other_session):
    w = sign_on("SYS")
    page = rebuilt(w)
    page.level.setValue(30)
    assert page.choose("field:debtor.city")
    assert page.rights_buttons[Rights.WRITE].isChecked()
    assert "Shipped default for level 30: Write" in page.level_source.text()
    assert not page.save_button.isEnabled()
    page.rights_buttons[Rights.READ].click()
    page.alias.setText("Town")  # every level: the label of the field
    assert page.save_button.isEnabled() and page.windowTitle().endswith("*")
    assert page.save()
    assert page.items["field:debtor.city"].text(2) == "Read"
    assert page.form_rights.rowCount() == 1
    assert [page.form_rights.item(0, c).text() for c in range(2)] == ["30", "Read"]
    assert "Set for level 30 by SYS" in page.level_source.text()

    details = audit_details(other_session)
    assert ("SYS", ("access right 'field:debtor.city' level 30 added "
                    "(rights=1, alias='', picklist='')")) in details
    assert any(who == "SYS" and "'field:debtor.city' changed: alias: '' → 'Town'" in d
               for who, d in details)

    collector = sign_on("COL1")
    assert collector.ctx.rights.level == 30
    form = collector.open_form("debtor", first_debtor(other_session))
    city = form.form.editor("de.ci")
    assert city.is_readonly() and city.line.isReadOnly()
    assert not form.form.editor("de.ad").is_readonly()
    assert form.findChild(QLabel, "label:de.ci").text() == "Town"


def test_an_alias_and_a_menu_right_follow_at_once_for_the_signed_on_level(
        sign_on, answers, other_session):
    w = sign_on("MGR9")
    key = first_debtor(other_session)
    before = w.open_form("debtor", key)
    assert before.findChild(QLabel, "label:de.na").text() == "Name"
    w.close_page(before)  # kept for reuse, built with the old rights
    page = rebuilt(w)
    page.level.setValue(90)
    assert "MGR9" in page.level_operators.text()
    assert page.choose("field:debtor.name")
    page.level_alias.setText("Patient")
    assert page.save()
    assert page.items["field:debtor.name"].text(3) == "Patient"
    assert ("MGR9", ("access right 'field:debtor.name' level 90 added "
                     "(rights=2, alias='Patient', picklist='')")) in audit_details(other_session)
    assert w.ctx.rights.alias("field:debtor.name") == "Patient"

    assert page.choose(STATUS_CODES)
    page.rights_buttons[Rights.NONE].click()
    assert page.save()
    status_codes = w.command("StatusCodes")
    assert not status_codes.action.isEnabled()
    assert STATUS_CODES in status_codes.action.toolTip()
    answers.prefer = ["Remove"]
    page.use_default()
    assert status_codes.action.isEnabled()
    assert any("'menu:system.contact_management_settings.status_codes' level 90 deleted" in d
               for _who, d in audit_details(other_session))

    w.close_page(page)
    after = w.open_form("debtor", key)
    assert after.findChild(QLabel, "label:de.na").text() == "Patient"


def test_main_menu_buttons_follow_a_menu_right_changed_while_signed_on(sign_on, answers):
    from PySide6.QtWidgets import QPushButton

    w = sign_on("MGR9")
    button = next(b for b in w.home.findChildren(QPushButton, "homeButton")
                  if b.text() == "&Status Codes")
    assert button.isEnabled()
    page = rebuilt(w)
    page.level.setValue(90)
    assert page.choose(STATUS_CODES)
    page.rights_buttons[Rights.NONE].click()
    assert page.save()
    w.close_page(page)
    assert w.current_page() is w.home
    assert not button.isEnabled(), "the main menu still offers what the menu bar refuses"
    assert STATUS_CODES in button.toolTip()
    page = open_rights(w)
    page.level.setValue(90)
    assert page.choose(STATUS_CODES)
    answers.prefer = ["Remove"]
    page.use_default()
    assert button.isEnabled() and STATUS_CODES not in button.toolTip()


def test_unsaved_changes_are_asked_about_and_a_new_pick_list_is_created(
        sign_on, answers, other_session):
    w = sign_on("SYS")
    page = rebuilt(w)
    page.level.setValue(30)
    assert page.choose("field:debtor.state")
    page.level_alias.setText("Province")
    answers.prefer = ["Discard"]
    assert page.choose("field:debtor.city")
    assert "Save your changes to field:debtor.state for level 30?" in answers.last
    assert other_session.scalar(select(FormRight.id)) is None  # nothing saved

    assert page.choose("field:debtor.owing")
    assert "Shipped default for level 30: Read" in page.level_source.text()
    page.level_picklist.setCurrentText("collector_amounts")
    page.color.setText("blue")
    assert not page.save()
    assert "Colour 'BLUE' is not six hexadecimal digits" in answers.last
    page.color.setText("#ffeedd")
    answers.prefer = ["Create"]
    assert page.save()
    assert "no pick list named collector_amounts" in answers.last
    assert pl.data_type(other_session, "collector_amounts") == "currency"  # the field's type
    right = other_session.scalar(select(AccessRight).where(
        AccessRight.name == "field:debtor.owing"))
    assert right.color == "FFEEDD" and right.updated_by == "SYS"
    assert [(fr.user_level, fr.picklist) for fr in right.form_rights] == [
        (30, "collector_amounts")]


def test_a_collector_cannot_open_the_rights_screens(sign_on):
    w = sign_on("COL1")
    for name in ("AccessRights", "PickLists"):
        cmd = w.command(name)
        assert cmd is not None and not cmd.action.isEnabled()
        assert "menu:system" in cmd.action.toolTip()


# -- Pick Lists -----------------------------------------------------------------------------------

def open_picklists(window) -> PickListPage:
    command = window.command("PickLists")
    assert "&" in command.text and command.action.isEnabled(), command.action.toolTip()
    command.action.trigger()
    page = window.current_page()
    assert isinstance(page, PickListPage)
    return page


def test_add_an_entry_and_a_bad_value_is_refused_naming_it(sign_on, answers, other_session):
    w = sign_on("SYS")
    page = open_picklists(w)
    assert "states" in page.names and "call_results" in page.names
    assert page.choose("call_results")
    count = len(pl.entries(other_session, "call_results"))
    assert page.data_type.currentData() == "numeric"
    row = page.add_entry("abc", "Promised to pay")
    assert row == count and page.entries.item(row, 0).text() == str(count + 1)  # next order
    assert not page.save()
    assert "Row 36: key 'abc' is not a whole number" in answers.last
    assert "Nothing was saved" in answers.last
    assert page.entries.currentRow() == row
    other_session.expire_all()
    assert len(pl.entries(other_session, "call_results")) == count

    page.entries.item(row, 1).setText("129")
    page.entries.item(row, 3).setText("red")
    assert not page.save()
    assert "Row 36: colour 'red' is not six hexadecimal digits" in answers.last
    page.entries.item(row, 3).setText("00aa00")
    assert page.save()
    other_session.expire_all()
    saved = pl.entries(other_session, "call_results")
    assert (saved[-1].key, saved[-1].text, saved[-1].color) == ("129", "Promised to pay",
                                                                "00AA00")
    assert pl.validate(other_session, "call_results", "numeric", "129") == 129
    assert not page.is_dirty()


def test_delete_move_and_the_blank_entry_for_free_text(sign_on, answers, other_session):
    w = sign_on("SYS")
    page = open_picklists(w)
    assert page.choose("debtor_modes")
    assert [r[1] for r in page.rows()] == ["A", "C", "X"]
    assert "Only these keys may be entered" in page.free_text.text()
    page.entries.setCurrentCell(2, 1)
    page.move_entry(-1)  # X before C: it takes C's order
    assert [(r[0], r[1]) for r in page.rows()] == [("1", "A"), ("2", "X"), ("3", "C")]
    page.entries.setCurrentCell(0, 1)
    page.delete_entry()
    page.add_entry()  # a blank key: free text
    assert "Free text allowed: the blank entry (row 3)" in page.free_text.text()
    assert page.save()
    other_session.expire_all()
    assert [(e.key, e.order) for e in pl.entries(other_session, "debtor_modes")] == [
        ("X", 2), ("C", 3), ("", 4)]
    assert pl.validate(other_session, "debtor_modes", "text", "Z") == "Z"


def test_a_new_list(sign_on, answers, other_session):
    w = sign_on("SYS")
    page = open_picklists(w)
    page.new_list()
    assert not page.name.isReadOnly()
    page.name.setText("fees")
    page.data_type.setCurrentIndex(page.data_type.findData("currency"))
    page.add_entry("25.00", "Small")
    page.add_entry("12.345", "Too fine")
    assert not page.save()
    assert "Row 2: key '12.345' has more than 2 decimals" in answers.last
    assert pl.get(other_session, "fees") is None
    page.entries.item(1, 1).setText("50")
    assert page.save()
    assert page.current == "fees" and page.name.isReadOnly()
    assert [e.key for e in pl.entries(other_session, "fees")] == ["25.00", "50"]


def test_import_a_shipped_pck_and_a_broken_one(sign_on, answers, other_session, tmp_path):
    w = sign_on("SYS")
    page = open_picklists(w)
    shipped = picklists_dir() / "states.pck"
    answers.prefer = ["Import as"]
    assert page.import_file(shipped) == "states_2"  # a list named states exists already
    assert "A pick list named 'states' already exists" in answers.asked[-2][1]
    assert answers.last.startswith("Imported states.pck as the pick list states_2")
    _kind, rows = parse_pck(shipped.read_text(encoding="utf-8"))
    assert [e.key for e in pl.entries(other_session, "states_2")] == [r.key for r in rows]
    assert page.current == "states_2"

    fresh = tmp_path / "titles.pck"
    fresh.write_text('"MR" Mister\n"MS"\n" "\n', encoding="utf-8")
    asked = len(answers.asked)
    assert page.import_file(fresh) == "titles"
    assert len(answers.asked) == asked + 1  # only the summary: no question
    assert pl.allows_free_text(pl.entries(other_session, "titles"))

    broken = tmp_path / "broken.pck"
    broken.write_text(';type=numeric\n"1" One\n"two" Two\n', encoding="utf-8")
    assert page.import_file(broken) is None
    assert "broken.pck line 3" in answers.last and "Nothing was imported" in answers.last
    other_session.expire_all()
    assert pl.get(other_session, "broken") is None
    assert page.current == "titles"


def test_access_rights_opens_the_pick_list_of_a_field(sign_on, answers):
    w = sign_on("SYS")
    page = rebuilt(w)
    assert page.choose("field:debtor.state")
    assert page.picklist.currentText() == "states"
    page.edit_picklist(page.picklist.currentText())
    editor = w.current_page()
    assert isinstance(editor, PickListPage) and editor.current == "states"
    assert "field:debtor.state" in editor.used_by.text()
    w.close_page(editor)
    assert w.current_page() is page
