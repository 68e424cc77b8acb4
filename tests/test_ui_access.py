"""Access in the signed-on program (seed 003): a level-30 collector's menus, aliases, read-only
and hidden fields, refused actions that name their access right; account access control's
placeholder for a non-strict operator, and a strict operator who sees only its accounts."""

from __future__ import annotations

import datetime as dt
import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QGroupBox, QLabel, QLineEdit, QPushButton
from sqlalchemy import select

from collectdesk import db
from collectdesk.engine import rights
from collectdesk.engine.passwords import hash_password
from collectdesk.models import Contact, Debtor, Operator, Rights
from collectdesk.ui import dialogs
from collectdesk.ui.browse_page import BrowsePage
from collectdesk.ui.find_dialog import FindByDialog
from collectdesk.ui.record_page import RecordPage
from collectdesk.ui.testing import make_database

#: The one account the restricted operators may see (their own ID is its Operator).
MINE = "Carter, James R"
#: An account they may not see.
OTHERS = "Diaz, Maria"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = make_database(tmp_path_factory.mktemp("access_ui") / "template.db", debtors=6)
    engine = db.make_engine(path)
    with db.session_factory(engine)() as s:
        for op_id, security, strict in (("COL1", False, False), ("RST1", True, False),
                                        ("RSTS", True, True)):
            s.add(Operator(id=op_id, name=f"Collector {op_id}", type="COLLECTOR", user_level=30,
                           enable_security=security, strict=strict,
                           locked_out_by_default=security,
                           password_hash=hash_password(op_id.lower()), must_set_password=False))
        s.add(Operator(id="CLI1", name="Acme's own access", type="CLIENT", user_level=98,
                       client_id=1, password_hash=hash_password("cli1"), must_set_password=False))
        s.flush()
        mine = s.scalar(select(Debtor).where(Debtor.name == MINE))
        mine.operator_id = "RST1"
        mine.sales_id = "RSTS"
        others = s.scalar(select(Debtor).where(Debtor.name == OTHERS))
        # In the strict operator's own WIP list by mistake: it opens as a placeholder there.
        s.add(Contact(debtor_id=others.id, type="Phone", operator_id="RSTS",
                      due_date=dt.date(2024, 5, 1), description="Call about the balance"))
        rights.rebuild_access_rights(
            s, [rights.button_item("debtor", "recalc", "Recalc")], commit=False)
        # Screen Labels: level 30 works medical accounts, a DEBTOR is a PATIENT.
        rights.set_level_rights(s, "form:debtor", 30, alias="Patient")
        rights.set_level_rights(s, "field:debtor.name", 30, alias="Patient")
        rights.set_level_rights(s, "field:debtor.city", 30, rights=Rights.READ)
        rights.set_level_rights(s, "field:debtor.employer", 30, rights=Rights.NONE)
        rights.set_level_rights(s, "button:debtor.recalc", 30, rights=Rights.NONE)
        rights.set_level_rights(s, "form:client", 30, rights=Rights.NONE)
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def database(template, tmp_path):
    path = tmp_path / "access.db"
    shutil.copy(template, path)
    return str(path)


@pytest.fixture
def asked(monkeypatch):
    questions: list[tuple[str, str]] = []

    def answer(title, text, choices):
        questions.append((title, text))
        return choices[-1]

    monkeypatch.setattr(dialogs, "answer", answer)
    return questions


@pytest.fixture
def answers(asked):
    """The questions the shared sign_on fixture answers: this module's ``asked``."""
    return asked


def debtor_id(database, name):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        found = s.scalar(select(Debtor.id).where(Debtor.name == name))
    engine.dispose()
    return found


def enabled_buttons(page):
    return sorted(b.text() for b in page.findChildren(QPushButton)
                  if b.isVisibleTo(page) and b.isEnabled())


def shown_texts(page):
    return [w.text() for w in page.findChildren(QLineEdit) if w.isVisibleTo(page)]


# -- user level and access rights ---------------------------------------------------------------

def test_a_collector_cannot_open_the_system_menu(sign_on):
    w = sign_on("COL1")
    assert w.ctx.rights.level == 30 and not w.ctx.policy.restricted
    company = w.command("CompanyDetails")
    assert not company.action.isEnabled()
    assert "menu:system" in company.action.toolTip()
    system = next(a.menu() for a in w.menuBar().actions() if a.text().replace("&", "") == "System")

    def leaves(menu):
        for a in menu.actions():
            if a.menu() is not None:
                yield from leaves(a.menu())
            elif not a.isSeparator():
                yield a

    items = list(leaves(system))
    assert items and not any(a.isEnabled() for a in items)


def test_a_collector_sees_aliased_labels(sign_on, database):
    w = sign_on("COL1")
    page = w.open_form("debtor", debtor_id(database, MINE))
    assert page.title_label.text() == "Patient"
    assert page.windowTitle().startswith("Patient: ")
    assert page.findChild(QLabel, "label:de.na").text() == "Patient"
    groups = [g.title() for g in page.findChildren(QGroupBox)]
    assert "Patient" in groups and "Debtor" not in groups  # the group named after the form
    browse = w.open_browse("all_debtors")
    headers = [browse.model.headerData(i, browse_horizontal())
               for i in range(1, browse.model.columnCount())]
    assert headers[0] == "Patient"


def test_an_administrator_sees_the_plain_labels(sign_on, database):
    w = sign_on("SYS")  # level 99 bypasses aliases
    page = w.open_form("debtor", debtor_id(database, MINE))
    assert page.title_label.text() == "Debtor"
    assert page.findChild(QLabel, "label:de.na").text() == "Name"
    assert "Debtor" in [g.title() for g in page.findChildren(QGroupBox)]
    assert not page.form.editor("de.ci").is_readonly()


def test_a_collector_cannot_edit_a_read_only_field(sign_on, database, qtbot):
    w = sign_on("COL1")
    key = debtor_id(database, MINE)
    page = w.open_form("debtor", key)
    city = page.form.editor("de.ci")
    assert city.is_readonly() and city.line.isReadOnly()
    before = city.line.text()
    city.line.setFocus()
    qtbot.keyClicks(city.line, "Springfield")
    assert city.line.text() == before
    assert page.form.editor("de.ow").is_readonly()  # totals: read-only for collectors
    with pytest.raises(KeyError):
        page.form.editor("de.emp")  # no access: not on the form at all
    assert not page.form.editor("de.ad").is_readonly()
    page.form.editor("de.ad").line.setText("9 New Road")
    assert page.save()
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        d = s.get(Debtor, key)
        assert (d.address, d.city) == ("9 New Road", "Portland")
    engine.dispose()
    # The column chooser of a list offers only what the level may read.
    browse = w.open_browse("all_debtors")
    assert "employer" not in {f.attribute for f in browse.view.all_fields}


def test_a_refused_action_names_the_access_right(sign_on, database, asked):
    w = sign_on("COL1")
    page = w.open_form("debtor", debtor_id(database, MINE))
    page.recalc_button.click()
    _title, text = asked[-1]
    assert "button:debtor.recalc" in text and "#" in text and "level 30" in text
    w.open_form("client", 1)
    assert "form:client" in asked[-1][1] and "no access" in asked[-1][1]


# -- account access control ----------------------------------------------------------------------

def test_a_non_strict_operator_sees_the_placeholder(sign_on, database):
    w = sign_on("RST1")
    assert w.ctx.policy.restricted and not w.ctx.policy.strict
    other = debtor_id(database, OTHERS)
    page = w.open_form("debtor", other)
    assert isinstance(page, RecordPage) and page.placeholder is not None
    assert enabled_buttons(page) == sorted(["&OK", "<<", ">>"])
    assert not page.form.body.isVisibleTo(page) and not page.form.tabs.isVisibleTo(page)
    ph = page.placeholder_form
    assert ph.body.isVisibleTo(page)
    assert [b.spec.attribute for b in ph.bindings] == [
        "id", "name", "last_worked", "operator_id", "owing", "group_id", "group_member"]
    assert all(b.editor.is_readonly() for b in ph.bindings)
    assert ph.editor("de.na").text() == "N/A"
    assert ph.editor("de.fn").text() == str(other)
    assert ph.editor("de.op").text().startswith("SC")
    assert ph.editor("de.ow").text() == "1,003.00"
    assert ph.body.findChild(QLabel, "label:de.na").text() == "Patient"  # aliases apply here too
    assert not any(OTHERS.split(",")[0] in t or "Oak Avenue" in t for t in shown_texts(page))
    assert "N/A" in page.windowTitle() and OTHERS not in page.windowTitle()
    # F3 (new) and Recalc do nothing; OK closes.
    page.new_from_keyboard()
    assert page.placeholder is not None
    page.ok_button.click()
    assert w.current_page() is not page


def test_placeholders_in_a_list_and_next_prior(sign_on, database):
    w = sign_on("RST1")
    browse = w.open_browse("all_debtors")
    assert isinstance(browse, BrowsePage)
    rows = [browse.model.row_object(i) for i in range(browse.model.rowCount())]
    assert len(rows) == 6
    mine = [r for r in rows if r.accessible]
    assert [r.values[0] for r in mine] == [MINE]
    assert all(r.values[0] == "N/A" for r in rows if not r.accessible)
    start = next(i for i, r in enumerate(rows) if not r.accessible)
    browse.toggle_tag(start)  # tags feed batch work: never a placeholder
    browse.tag_all()
    assert [r.key for r in rows if browse.model.row_object(rows.index(r)).tagged] == \
        [r.key for r in mine]
    browse.open_row(start)
    page = w.current_page()
    assert page.placeholder is not None and page.placeholder.file_number == rows[start].key
    for i in range(start + 1, len(rows)):
        page.next_button.click()
        assert page.row == i
        if rows[i].accessible:
            assert page.placeholder is None and page.record.name == MINE
            assert "&Cancel" in enabled_buttons(page)  # the full form is back
        else:
            assert page.placeholder is not None and page.placeholder.file_number == rows[i].key
    page.prev_button.click()
    assert page.row == len(rows) - 2


def test_find_by_as_a_non_strict_operator_opens_the_placeholder(sign_on, database):
    w = sign_on("RST1")
    dlg = FindByDialog(w)
    dlg.set_method("name")
    dlg.text.setText("diaz, m")
    assert dlg.find()
    page = w.current_page()
    assert isinstance(page, RecordPage) and page.placeholder is not None


def test_a_strict_operator_sees_only_its_accounts(sign_on, database, asked):
    w = sign_on("RSTS")
    browse = w.open_browse("all_debtors")
    assert browse.model.rowCount() == 1
    assert browse.model.row_object(0).values[0] == MINE
    dlg = FindByDialog(w)
    dlg.set_method("name")
    dlg.text.setText("Anderson")
    assert not dlg.find()
    assert "Nothing matches" in dlg.message.text()
    hidden = debtor_id(database, "Anderson, Paul")
    w.open_form("debtor", hidden)
    assert asked[-1][1] == f"Patient {hidden} no longer exists."  # same answer as a missing one


def test_an_account_in_ones_own_wip_is_a_placeholder_even_when_strict(sign_on, database):
    w = sign_on("RSTS")
    other = debtor_id(database, OTHERS)
    wip = w.current_page()
    assert wip.windowTitle() == "Work In Progress"
    entries = [e for e in wip.entries if e.debtor_id == other]
    assert len(entries) == 1  # listed, masked
    assert entries[0].name == "N/A" and not entries[0].accessible
    assert entries[0].description == ""
    page = w.open_form("debtor", other)
    assert page.placeholder is not None
    assert enabled_buttons(page) == sorted(["&OK", "<<", ">>"])


def test_a_client_operator_sees_only_its_client(sign_on, database, asked):
    w = sign_on("CLI1")
    assert w.current_page().record.id == 1  # lands on its client
    clients = w.open_browse("clients")
    assert [clients.model.key(i) for i in range(clients.model.rowCount())] == [1]
    debtors = w.open_browse("all_debtors")
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        own = sorted(s.scalars(select(Debtor.id).where(Debtor.client_id == 1)))
    engine.dispose()
    assert sorted(debtors.model.key(i) for i in range(debtors.model.rowCount())) == own
    w.open_form("client", 2)
    assert asked[-1][1].endswith("2 no longer exists.")


def test_sign_off_builds_the_policy_again(sign_on):
    w = sign_on("RST1")
    first = w.ctx.policy
    assert first.operator_id == "RST1"
    assert w.ctx.policy is first  # built once at sign-on
    w.ctx.sign_off()
    assert not w.ctx.policy.restricted and w.ctx.operator is None


def browse_horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
