"""The Operator form and what an operator's settings change in the program (seed 003 "Operator
Setup"): the level-99 caution, Set Password, pop-up help, Verify On Exit, refused lists, the
delete confirmation of each messaging level, and a DISTRIBUTION team's members."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from collectdesk import db
from collectdesk.engine import rights
from collectdesk.engine.audit import ACCESS_REFUSED, FIELD_VERIFIED, PASSWORD_SET
from collectdesk.engine.operators import LEVEL_99_CAUTION
from collectdesk.engine.passwords import hash_password, verify_password
from collectdesk.models import AuditEntry, Debtor, Note, Operator, Rights
from collectdesk.ui.signon_dialog import SetPasswordDialog
from collectdesk.ui.testing import make_database


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = make_database(tmp_path_factory.mktemp("operators_ui") / "template.db", debtors=3)
    engine = db.make_engine(path)
    with db.session_factory(engine)() as s:
        s.add(Operator(id="COL", name="Careful Collector", type="COLLECTOR", user_level=30,
                       enable_verification=True, disable_popup_help=True,
                       password_hash=hash_password("col"), must_set_password=False))
        s.add(Operator(id="BOSS", name="Owner", type="SYSTEM", user_level=99,
                       password_hash=hash_password("boss"), must_set_password=False))
        for op_id, messaging in (("NRM", "normal"), ("ADV", "advanced"), ("EXP", "expert")):
            s.add(Operator(id=op_id, name=f"{messaging} messages", type="SYSTEM", user_level=90,
                           messaging=messaging, password_hash=hash_password(op_id.lower()),
                           must_set_password=False))
        s.add(Operator(id="ST1", name="Sales Team 1", type="DISTRIBUTION", user_level=30))
        s.add(Operator(id="ST2", name="Sales Team 2", type="DISTRIBUTION", user_level=30))
        for name in ("Temp, Normal", "Temp, Advanced", "Temp, Expert"):
            s.add(Debtor(client_id=1, name=name, operator_id="SC"))  # no transactions
        rights.rebuild_access_rights(s, commit=False)
        rights.set_properties(s, "field:debtor.zip", verify_on_exit=True, log_verification=True)
        rights.set_level_rights(s, "form:client", 30, rights=Rights.NONE)
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def database(template, tmp_path):
    path = tmp_path / "operators.db"
    shutil.copy(template, path)
    return str(path)


@pytest.fixture
def other_session(database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


def events(session, name):
    session.expire_all()
    return [(e.operator_id, e.detail) for e in session.scalars(
        select(AuditEntry).where(AuditEntry.event == name).order_by(AuditEntry.id))]


def test_giving_an_operator_level_99_shows_the_caution_but_not_for_operator_99(
        sign_on, answers, qtbot):
    w = sign_on("SYS")
    page = w.open_form("operator", "COL")
    level = page.form.editor("op.ul")
    level.line.setFocus()
    level.line.setText("99")
    level.line.editingFinished.emit()
    assert [(t, x) for t, x, _c in answers.asked] == [("User Level 99", LEVEL_99_CAUTION)]
    level.line.editingFinished.emit()  # leaving the field again: once per value
    assert len(answers.asked) == 1
    page = w.open_form("operator", "99")
    level = page.form.editor("op.ul")
    level.line.setText("90")
    level.line.editingFinished.emit()
    level.line.setText("99")
    level.line.editingFinished.emit()
    assert len(answers.asked) == 1  # operator 99 at level 99, as shipped: no caution


def test_signing_on_at_level_99_shows_the_caution_in_the_status_bar(sign_on):
    assert sign_on("BOSS").statusBar().currentMessage() == LEVEL_99_CAUTION
    assert sign_on("99").statusBar().currentMessage() != LEVEL_99_CAUTION


def test_set_password_only_once_saved_then_stored_as_a_salted_hash(
        sign_on, answers, other_session, monkeypatch):
    w = sign_on("SYS")
    page = w.open_form("operator", None)
    typed = iter([("secret7", "secret8"), ("********", "********"), ("secret7", "secret7")])

    def fill(dialog):
        new, confirm = next(typed)
        dialog.new.setText(new)
        dialog.confirm.setText(confirm)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SetPasswordDialog, "exec", fill)
    page.set_password()
    assert answers.asked[-1][1] == "Save the operator first."
    page.form.editor("op.id").line.setText("jmc")
    page.form.editor("op.na").line.setText("Jayne McCaul")
    assert page.save()
    assert page.record.id == "JMC"  # stored in capitals
    for expected in ("not the same", "cannot be used as a password", "password of JMC is set"):
        page.set_password()
        assert expected in answers.asked[-1][1].replace("The password", "password")
    stored = other_session.get(Operator, "JMC").password_hash
    assert "secret7" not in stored and verify_password("secret7", stored)
    assert events(other_session, PASSWORD_SET)[-1] == ("SYS", "password of JMC set")


def test_leaving_a_new_operator_without_a_password_offers_to_set_one(
        sign_on, answers, other_session, monkeypatch):
    def fill(dialog):
        dialog.new.setText("pw2026")
        dialog.confirm.setText("pw2026")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SetPasswordDialog, "exec", fill)
    w = sign_on("SYS")
    page = w.open_form("operator", None)
    page.form.editor("op.id").line.setText("sd")
    page.form.editor("op.na").line.setText("Sally Douglas")
    answers.queue[:] = ["Set Password"]
    page.ok_button.click()
    assert answers.asked[-2][:2] == ("Set Password", "SD has no password yet and cannot sign on "
                                                     "without one. Set it now?")
    assert w.current_page() is not page
    other_session.expire_all()
    assert verify_password("pw2026", other_session.get(Operator, "SD").password_hash)
    page = w.open_form("operator", "SD")  # it has one now: OK just closes
    page.form.editor("op.ti").line.setText("Collector")
    asked = len(answers.asked)
    page.ok_button.click()
    assert len(answers.asked) == asked


def test_disable_popup_help_starts_the_operator_with_it_off(sign_on):
    w = sign_on("COL")
    assert not w.ctx.popup_help and not w.command("PopupHelp").action.isChecked()
    w.command("PopupHelp").action.trigger()  # Help > Pop-up Help turns it back on
    assert w.ctx.popup_help
    assert sign_on("SYS").ctx.popup_help


def test_verify_on_exit_asks_before_the_form_is_left_and_logs_it(sign_on, answers,
                                                                   other_session):
    w = sign_on("COL")
    key = other_session.scalars(select(Debtor.id).order_by(Debtor.id)).first()
    page = w.open_form("debtor", key)
    page.form.editor("de.zi").line.setText("97301")
    page.form.editor("de.ad").line.setText("9 New Road")
    answers.queue.append("No")
    assert not page.save()
    assert answers.asked[-1][:2] == ("Verify", "Please verify Zip:\n\n97301\n\nIs this correct?")
    assert other_session.get(Debtor, key).zip == "97205"  # nothing written
    assert events(other_session, FIELD_VERIFIED) == []
    answers.queue.append("Yes")
    assert page.save()
    other_session.expire_all()
    saved = other_session.get(Debtor, key)
    assert (saved.zip, saved.address) == ("97301", "9 New Road")
    assert events(other_session, FIELD_VERIFIED) == [
        ("COL", f"Debtor {key}: Zip (de.zi) verified as 97301")]
    notes = [n.text for n in other_session.scalars(select(Note).where(Note.debtor_id == key))]
    assert "Zip verified as 97301" in notes
    page.form.editor("de.ad").line.setText("10 New Road")  # Zip unchanged: no question
    asked = len(answers.asked)
    assert page.save() and len(answers.asked) == asked


def test_a_list_of_a_form_the_level_may_not_open_is_refused_and_audited(
        sign_on, answers, other_session):
    w = sign_on("COL")
    assert w.open_browse("clients") is None
    title, text, _c = answers.asked[-1]
    assert "form:client" in text and "level 30 no access" in text
    refused = [d for op, d in events(other_session, ACCESS_REFUSED) if op == "COL"]
    assert len(refused) == 1 and "form:client" in refused[0]
    w.open_form("client", 1)  # opening the form itself: refused the same way, and audited
    assert "form:client" in answers.asked[-1][1]
    assert len([d for op, d in events(other_session, ACCESS_REFUSED) if op == "COL"]) == 2


def temp_debtor(session, name):
    return session.scalar(select(Debtor.id).where(Debtor.name == name))


@pytest.mark.parametrize(("op_id", "name", "refuse", "accept", "question"), [
    ("NRM", "Temp, Normal", ["delete"], ["DELETE"], "Type DELETE to confirm."),
    ("ADV", "Temp, Advanced", ["No"], ["Yes"], "?"),
    ("EXP", "Temp, Expert", None, [], None),
])
def test_delete_from_a_form_asks_as_the_messaging_level_says(
        sign_on, answers, other_session, op_id, name, refuse, accept, question):
    w = sign_on(op_id)
    key = temp_debtor(other_session, name)
    page = w.open_form("debtor", key)
    if refuse is not None:
        answers.queue[:] = refuse
        page.delete_button.click()
        title, text, choices = answers.asked[-1]
        assert title == "Delete" and text.endswith(question) and name in text
        assert choices == (("OK", "Cancel") if op_id == "NRM" else ("Yes", "No"))
        assert temp_debtor(other_session, name) == key and w.current_page() is page
    asked = len(answers.asked)
    answers.queue[:] = accept
    page.delete_button.click()
    assert len(answers.asked) == asked + len(accept)  # expert: deleted without a question
    other_session.expire_all()
    assert temp_debtor(other_session, name) is None
    assert w.current_page() is not page
    assert "deleted" in w.statusBar().currentMessage()


def test_delete_in_a_list_refuses_an_account_with_transactions(
        sign_on, answers, other_session, qtbot):
    from PySide6.QtCore import Qt

    w = sign_on("EXP")
    browse = w.open_browse("all_debtors")
    kept = other_session.scalars(select(Debtor.id).order_by(Debtor.id)).first()
    row = next(i for i in range(browse.model.rowCount()) if browse.model.key(i) == kept)
    browse.view.go_to(row)
    qtbot.keyClick(browse.view, Qt.Key.Key_Delete)
    title, text, _c = answers.asked[-1]
    assert title == "Delete" and f"Debtor {kept} cannot be deleted" in text
    assert "1 transaction(s)" in text
    assert other_session.get(Debtor, kept) is not None
    gone = temp_debtor(other_session, "Temp, Expert")
    row = next(i for i in range(browse.model.rowCount()) if browse.model.key(i) == gone)
    browse.view.go_to(row)
    qtbot.keyClick(browse.view, Qt.Key.Key_Delete)
    other_session.expire_all()
    assert temp_debtor(other_session, "Temp, Expert") is None
    assert gone not in [browse.model.key(i) for i in range(browse.model.rowCount())]


def test_signing_on_brings_new_program_items_into_the_access_rights(sign_on, other_session):
    from collectdesk.models import AccessRight

    def names():
        other_session.expire_all()
        return set(other_session.scalars(select(AccessRight.name)))

    assert "button:debtor.delete" not in names()  # built before this version's buttons
    w = sign_on("COL")
    assert {"button:debtor.delete", "menu:system", "button:operator.change_password"} <= names()
    assert w.ctx.rights.right_id("button:debtor.delete") is not None
    assert w.ctx.rights.rights_for("form:client") is Rights.NONE  # the level's settings kept


def team_rows(session, team_id):
    from collectdesk.models import TeamMember

    session.expire_all()
    return [(m.member_id, str(m.commission_percent)) for m in session.scalars(
        select(TeamMember).where(TeamMember.team_id == team_id).order_by(TeamMember.member_id))]


def test_a_distribution_operators_team_tab_lists_its_members_and_their_shares(
        sign_on, answers, other_session, qtbot):
    from collectdesk.ui.team_dialog import TeamDialog, open_team

    w = sign_on("SYS")
    page = w.open_form("operator", "SC")
    tabs = page.form.tabs
    team_tab = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Team")
    members_button = next(b for b in page.spec_buttons if "Members" in b.text())
    assert not tabs.isTabVisible(team_tab) and not members_button.isVisibleTo(page)
    kind = page.form.editor("op.ty")
    kind.line.setText("DISTRIBUTION")
    kind.edited.emit()  # choosing DISTRIBUTION shows the team fields at once
    assert tabs.isTabVisible(team_tab) and members_button.isVisibleTo(page)
    page.reload()
    assert not tabs.isTabVisible(team_tab)  # SC again, as saved
    page = w.open_form("operator", "ST1")
    tabs = page.form.tabs
    assert tabs.isTabVisible(team_tab)
    tabs.setCurrentIndex(team_tab)
    sub = next(s for s in page.form.sublists(build=False) if s.spec.link == "team_id")
    assert sub.row_count() == 0
    dialog = open_team(page)
    assert isinstance(dialog, TeamDialog)
    qtbot.addWidget(dialog)
    dialog.add_row("sc", "60")
    dialog.add_row("ST2", "50.5")
    assert not dialog.save()  # 110.5 % in all: refused, nothing changed, the dialog stays
    assert "cannot exceed 100%" in dialog.message.text() and team_rows(other_session, "ST1") == []
    dialog.table.item(1, 1).setText("forty")
    assert not dialog.save() and dialog.message.text() == \
        "Commission for ST2 is not a number: 'forty'."
    dialog.table.item(1, 1).setText("39.875")
    assert dialog.save(), dialog.message.text()
    assert team_rows(other_session, "ST1") == [("SC", "60.000"), ("ST2", "39.875")]
    assert sub.row_count() == 2  # the Team tab follows at once
    # A team cannot be inside itself, however deep.
    page = w.open_form("operator", "ST2")
    dialog = open_team(page)
    qtbot.addWidget(dialog)
    dialog.add_row("ST1", "10")
    assert not dialog.save() and "a team cannot be inside itself" in dialog.message.text()
    dialog.reject()
    page = w.open_form("operator", "SC")
    assert open_team(page) is None
    assert "Only a DISTRIBUTION operator" in answers.asked[-1][1]


def test_the_audit_log_lists_newest_first_and_is_closed_to_collectors(sign_on, answers):
    w = sign_on("COL")
    assert not w.command("AuditLog").action.isEnabled()  # under System: not for level 30
    w.open_browse("clients")  # refused and audited
    w = sign_on("SYS")
    w.command("AuditLog").action.trigger()
    page = w.current_page()
    assert page.windowTitle() == "Audit Log"
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal)
               for i in range(1, page.model.columnCount())]
    assert headers == ["When", "Operator", "Event", "Detail"]
    assert not any(b.isVisibleTo(page) for b in (page.open_button, page.new_button,
                                                page.delete_button))  # read only
    rows = [page.model.row_object(i).values for i in range(page.model.rowCount())]
    assert rows[0][1:3] == ("SYS", "signon")  # newest first: this sign-on
    when = [r[0] for r in rows]
    assert when == sorted(when, reverse=True)
    assert any(r[1] == "COL" and r[2] == "access refused" and "form:client" in r[3]
               for r in rows)


def test_delete_in_a_sub_list_removes_the_row_and_the_form_follows(sign_on, answers,
                                                                    other_session, qtbot):
    import datetime as dt
    from decimal import Decimal

    from PySide6.QtCore import Qt

    from collectdesk.engine import recalc
    from collectdesk.models import Phone, Transaction

    key = other_session.scalars(select(Debtor.id).order_by(Debtor.id)).first()
    debtor = other_session.get(Debtor, key)
    other_session.add(Transaction(debtor_id=key, client_id=debtor.client_id, type_code="101",
                                  financial_type=1, to_us=Decimal("100.00"),
                                  payment_date=dt.date(2024, 5, 2),
                                  posted_date=dt.date(2024, 5, 2)))
    other_session.flush()
    recalc.recalc_debtor(other_session, debtor)
    other_session.commit()
    w = sign_on("EXP")  # expert: deleted without a question
    page = w.open_form("debtor", key)
    tabs = {tb.spec.title: tb for tb in page.form.all_tabs(build=False)}
    for title in ("Phones", "Transactions"):
        tabs[title].tabs.setCurrentIndex(tabs[title].index)
    phones, txs = tabs["Phones"].sublist, tabs["Transactions"].sublist
    assert phones.row_count() == 1 and txs.row_count() == 2
    phones.view.go_to(0)
    qtbot.keyClick(phones.view, Qt.Key.Key_Delete)
    assert phones.row_count() == 0
    assert other_session.scalar(select(Phone.id).where(Phone.debtor_id == key)) is None
    row = next(i for i in range(txs.row_count())
               if txs.model.row_object(i).values[0] == "101")
    assert page.form.editor("de.pd").text() == "100.00"
    txs.view.go_to(row)
    txs.delete_button.click()
    assert txs.row_count() == 1
    assert page.form.editor("de.pd").text() == "0.00"  # the account's Paid, worked out again
