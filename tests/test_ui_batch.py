"""Tools ▸ Batch Processing: a plan on the tagged, found or client's accounts; automatic
contacts; contact plan files — through the real window, with the work on a worker thread."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from sqlalchemy import func, select

from collectdesk import db
from collectdesk.engine import browse
from collectdesk.models import Contact, ContactPlan, Debtor, Note
from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui import dialogs
from collectdesk.ui.batch_page import BatchPage
from collectdesk.ui.testing import make_database


@pytest.fixture
def database(tmp_path):
    return make_database(tmp_path / "batch.db", debtors=12)


@pytest.fixture
def asked(monkeypatch):
    questions: list[str] = []

    def answer(title, text, choices):
        questions.append(text)
        return choices[0]

    monkeypatch.setattr(dialogs, "answer", answer)
    return questions


@pytest.fixture
def window(qtbot, database, asked):
    started = app_module.start(parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m"]))
    qtbot.addWidget(started.window)
    yield started.window
    started.window.close()


@pytest.fixture
def session(database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


def open_batch(window) -> BatchPage:
    window.command("BatchProcessing").action.trigger()
    page = window.current_page()
    assert isinstance(page, BatchPage)
    return page


def run(page: BatchPage, qtbot, start) -> str:
    thread = start()
    assert thread is not None
    qtbot.waitUntil(thread.isFinished, timeout=30_000)
    qtbot.waitUntil(lambda: page.result.toPlainText().strip() != "", timeout=5_000)
    return page.result.toPlainText()


def pending(session, ids) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Contact).where(
        Contact.debtor_id.in_(ids), Contact.done.is_(False))) or 0


def test_new_plan_on_the_tagged_accounts(window, qtbot, session, asked):
    ids = list(session.scalars(select(Debtor.id).order_by(Debtor.id).limit(3)))
    for debtor_id in ids:
        browse.toggle_tag(session, "SYS", debtor_id)
    session.commit()
    session.execute(Contact.__table__.delete().where(Contact.debtor_id.in_(ids)))
    session.commit()
    page = open_batch(window)
    assert page.tagged.text() == "Tagged accounts (3)" and page.tagged.isChecked()
    assert not page.found.isEnabled()
    page.plan.setCurrentIndex(page.plan.findData("NEW"))
    text = run(page, qtbot, page.run_plan)
    assert "Run plan NEW on 3 accounts?" in asked[-1]
    assert "Plan NEW: 3 of 3 accounts processed" in text
    created = int(re.search(r"Contacts created (\d+)", text).group(1))
    assert created > 0 and pending(session, ids) == created


def test_a_clients_debtors_and_only_those(window, qtbot, session):
    client_ids = list(session.scalars(select(Debtor.id).where(Debtor.client_id == 2)))
    others = list(session.scalars(select(Debtor.id).where(Debtor.client_id != 2)))
    assert client_ids and others
    session.execute(Contact.__table__.delete())
    session.commit()
    page = open_batch(window)
    qtbot.keyClicks(page.client, "2")
    assert page.client_choice.isChecked()
    page.plan.setCurrentIndex(page.plan.findData("NEW"))
    text = run(page, qtbot, page.run_plan)
    assert f"{len(client_ids)} of {len(client_ids)} accounts processed" in text
    assert pending(session, client_ids) > 0 and pending(session, others) == 0


def test_the_accounts_found(window, qtbot, session):
    ids = list(session.scalars(select(Debtor.id).order_by(Debtor.id.desc()).limit(2)))
    window.open_browse("find_results", ids=ids)
    page = open_batch(window)
    assert page.found.isChecked() and page.found.text() == "The accounts found (2)"
    assert sorted(page.account_ids()) == sorted(ids)


def test_nothing_tagged_says_so_and_runs_nothing(window, asked):
    page = open_batch(window)
    page.plan.setCurrentIndex(page.plan.findData("NEW"))
    assert page.run_plan() is None
    assert "no accounts to process" in asked[-1]


def test_process_automatic_contacts(window, qtbot, session):
    debtor = session.scalar(select(Debtor).order_by(Debtor.id).limit(1))
    session.add(Contact(debtor_id=debtor.id, type="Note", description="Batch note",
                        due_date=dt.date.today() - dt.timedelta(days=1), done=False,
                        operator_id="SYS"))
    session.commit()
    page = open_batch(window)
    text = run(page, qtbot, page.process_automatic)
    assert "Automatic contacts due by" in text and "Note 1" in text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Note).where(
        Note.debtor_id == debtor.id, Note.text.contains("Batch note")))


def test_contact_plans_export_and_import(window, session, tmp_path, asked):
    page = open_batch(window)
    path = tmp_path / "plans.json"
    count = page.export_to(path)
    codes = [p["code"] for p in json.loads(path.read_text())["plans"]]
    assert count == len(codes) and "NEW" in codes
    data = json.loads(path.read_text())
    data["plans"] = [p for p in data["plans"] if p["code"] == "NEW"]
    data["plans"][0]["description"] = "New business (imported)"
    path.write_text(json.dumps(data))
    assert page.import_from(path)
    session.expire_all()
    assert session.scalar(select(ContactPlan.description).where(ContactPlan.code == "NEW")) \
        == "New business (imported)"
    assert "replaced NEW" in page.result.toPlainText()


def test_a_bad_plan_file_imports_nothing_and_names_the_file(window, session, tmp_path, asked):
    before = session.scalar(select(func.count()).select_from(ContactPlan))
    path = tmp_path / "broken.json"
    path.write_text('{"format": "nonsense"}')
    page = open_batch(window)
    assert not page.import_from(path)
    assert str(path) in asked[-1] and "Nothing was imported" in asked[-1]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ContactPlan)) == before
