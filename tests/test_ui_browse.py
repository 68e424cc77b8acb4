"""Browse lists: lazy paging, type-ahead, sorting, tags, column choice; the menus."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, insert, select

from collectdesk import db
from collectdesk.engine import browse as browse_ops
from collectdesk.models import Debtor, Tag
from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui import dialogs
from collectdesk.ui.testing import make_database

BIG = 20_000


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = make_database(tmp_path_factory.mktemp("browse") / "template.db", debtors=15)
    engine = db.make_engine(path)
    with engine.begin() as conn:
        conn.execute(insert(Debtor), [
            {"client_id": 1 + i % 2, "name": f"Zz{i:06d}, Bulk", "mode": "A" if i % 10 else "C",
             "account": f"B{i}", "version": 1}
            for i in range(BIG)])
    engine.dispose()
    return path


@pytest.fixture
def database(template, tmp_path):
    path = tmp_path / "browse.db"
    shutil.copy(template, path)
    return str(path)


@pytest.fixture
def window(qtbot, database, monkeypatch):
    monkeypatch.setattr(dialogs, "answer", lambda title, text, choices: choices[0])
    started = app_module.start(parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m"]))
    qtbot.addWidget(started.window)
    yield started.window
    started.window.close()


@pytest.fixture
def other_session(database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


def key(widget, k, text="", mods=Qt.KeyboardModifier.NoModifier):
    from pytestqt.qtbot import QtBot

    if text:
        QtBot.keyClicks(widget, text)
    else:
        QtBot.keyClick(widget, k, mods)


def test_the_list_pages_lazily(window, other_session):
    page = window.open_browse("all_debtors")
    pager = page.model.pager
    total = other_session.scalar(select(func.count()).select_from(Debtor))
    assert page.model.rowCount() == total
    assert pager.cached_pages() <= 1
    last = page.model.index(total - 1, 1)
    assert page.model.data(last) == f"Zz{BIG - 1:06d}, Bulk"
    assert pager.cached_pages() <= 2  # the first page and the last, nothing between
    for row in range(0, total, 997):
        page.model.data(page.model.index(row, 1))
    assert pager.cached_pages() <= browse_ops.MAX_CACHED_PAGES


def test_keyset_paging_matches_offset_paging(database):
    engine = db.make_engine(database)
    sessions = db.session_factory(engine)
    q = browse_ops.ListQuery(Debtor, ["name", "account"], sort="name")
    pager = browse_ops.Pager(sessions, q, page_size=50)
    walked = [r.key for p in range(8) for r in pager.page(p)]
    with sessions() as s:
        expected = list(s.scalars(select(Debtor.id).order_by(Debtor.name, Debtor.id).limit(400)))
    assert walked == expected
    q.descending = True
    pager.reset()
    tail = [r.key for r in pager.page(0)]
    with sessions() as s:
        assert tail == list(s.scalars(select(Debtor.id).order_by(Debtor.name.desc(), Debtor.id.desc())
                                      .limit(50)))
    engine.dispose()


def test_active_debtors_only_shows_active_mode(window, other_session):
    page = window.open_browse("active_debtors")
    active = other_session.scalar(select(func.count()).select_from(Debtor).where(Debtor.mode == "A"))
    assert page.model.rowCount() == active


def test_type_ahead_jumps_to_the_name(window):
    page = window.open_browse("active_debtors")
    key(page.view, None, text="gar")
    row = page.view.current_row()
    assert page.model.data(page.model.index(row, 1)).startswith("Garcia")
    key(page.view, None, text="zz0123")  # after a pause the search starts again
    page.view._typed = ""
    key(page.view, None, text="zz0123")
    assert page.model.data(page.model.index(page.view.current_row(), 1)).startswith("Zz0123")


def test_sort_by_clicking_a_column(window):
    page = window.open_browse("active_debtors")
    file_col = 1 + [f.code for f in page.model.fields].index("de.fn")
    page.view.horizontalHeader().sectionClicked.emit(file_col)
    keys = [page.model.key(i) for i in range(5)]
    assert keys == sorted(keys)
    page.view.horizontalHeader().sectionClicked.emit(file_col)
    keys = [page.model.key(i) for i in range(5)]
    assert keys == sorted(keys, reverse=True)


def test_space_tags_ctrl_a_tags_all_view_and_clear(window, other_session):
    page = window.open_browse("active_debtors")
    page.view.go_to(0)
    first = page.model.key(0)
    key(page.view, Qt.Key.Key_Space)
    assert other_session.get(Tag, ("SYS", first)) is not None
    assert page.model.data(page.model.index(0, 0)) == "✓"
    assert page.view.current_row() == 1
    key(page.view, Qt.Key.Key_A, mods=Qt.KeyboardModifier.ControlModifier)
    tagged = other_session.scalar(select(func.count()).select_from(Tag).where(Tag.operator_id == "SYS"))
    assert tagged == page.model.rowCount()
    window.command("ViewTags").action.trigger()
    tags_page = window.current_page()
    assert tags_page.model.rowCount() == tagged
    window.command("ClearTags").action.trigger()
    assert other_session.scalar(select(func.count()).select_from(Tag)) == 0
    assert tags_page.model.rowCount() == 0


def test_choose_columns(window):
    page = window.open_browse("clients")
    fields = page.view.all_fields
    extra = next(f for f in fields if f.code == "cl.em")
    assert extra.code not in [f.code for f in page.model.fields]
    page.view.toggle_column(extra, True)
    assert "cl.em" in [f.code for f in page.model.fields]
    assert page.model.data(page.model.index(0, 1 + [f.code for f in page.model.fields].index("cl.em")))
    page.view.toggle_column(extra, False)
    assert "cl.em" not in [f.code for f in page.model.fields]


def test_enter_opens_and_f3_adds(window):
    page = window.open_browse("status_codes")
    page.view.go_to(0)
    key(page.view, Qt.Key.Key_Return)
    assert window.current_page().spec.id == "status_code"
    window.close_page()
    key(page.view, Qt.Key.Key_F3)
    new = window.current_page()
    assert new.spec.id == "status_code" and new.is_new


def test_menus_are_all_there_with_mnemonics(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Browse", "&Daily Administration", "&Print", "&System", "&Tools", "&Help"]
    for name in ("BrowseClients", "BrowseActiveDebtors", "BrowseAllDebtors", "FindBy", "BrowseOperators",
                 "CompanyDetails", "Preferences", "StatusCodes", "TransactionTypes", "AccessRights",
                 "BatchProcessing", "Recalculate", "PredictiveDialer", "PopupHelp", "HelpForThisForm",
                 "ImportExport", "DatabaseInformation"):
        assert window.command(name) is not None, name
        assert "&" in window.command(name).text or name == "PopupHelp"


def test_unbuilt_commands_are_disabled_with_a_reason(window, monkeypatch):
    from collectdesk.ui.commands import base

    cmd = window.command("ImportExport")
    monkeypatch.setattr(base, "module_exists", lambda name: False)
    cmd.refresh()
    assert not cmd.action.isEnabled()
    assert "not built yet" in cmd.action.toolTip()
    monkeypatch.setattr(base, "module_exists", lambda name: True)
    cmd.refresh()
    assert cmd.action.isEnabled()


def test_company_details_and_popup_help(window):
    window.command("CompanyDetails").action.trigger()
    page = window.current_page()
    assert page.spec.id == "company"
    assert [page.form.tabs.tabText(i) for i in range(page.form.tabs.count())] == \
        ["Detail", "Commission", "Tax"]
    window.command("PopupHelp").action.trigger()
    assert window.ctx.popup_help is False
    page.form.editor("cd.na").focus_widget().setFocus()
    label, text = page.field_help() or ("", "")
    if label:
        assert "Metro 2" in text


def test_recalculate_everything_runs_off_the_gui_thread(window, qtbot):
    messages = []
    thread = window.recalculate_all()
    qtbot.waitUntil(lambda: thread.isFinished(), timeout=30_000)
    qtbot.waitUntil(lambda: "Recalculated" in window.statusBar().currentMessage(), timeout=5000)
    messages.append(window.statusBar().currentMessage())
    assert "accounts" in messages[0]


def test_a_collector_cannot_use_the_system_menu(qtbot, database, monkeypatch):
    from collectdesk.engine.passwords import hash_password
    from collectdesk.models import Operator

    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        s.add(Operator(id="COL1", name="Collector", type="COLLECTOR", user_level=30,
                       password_hash=hash_password("col1")))
        s.commit()
    engine.dispose()
    monkeypatch.setattr(dialogs, "answer", lambda title, text, choices: choices[-1])
    started = app_module.start(parse_flags([f"/db{database}", "/iCOL1", "/pcol1", "/s", "/m"]))
    w = started.window
    qtbot.addWidget(w)
    assert w.current_page().windowTitle() == "Work In Progress"
    company = w.command("CompanyDetails")
    assert not company.action.isEnabled()
    assert "menu:system" in company.action.toolTip()
    assert w.command("BrowseActiveDebtors").action.isEnabled()
    w.close()


def test_preferences_edit_the_system_row(window, other_session):
    from collectdesk.models import Preferences

    window.command("Preferences").action.trigger()
    page = window.current_page()
    assert page.windowTitle().startswith("Preferences")
    page.form.editor("sy.ldp").line.setText("1")
    page.form.editor("sy.pcp").set_value("C")
    assert page.save()
    system = other_session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))
    assert (system.long_distance_prefix, system.phone_change_plan) == ("1", "C")
