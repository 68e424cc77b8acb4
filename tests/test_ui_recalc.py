"""The Recalc buttons of the Debtor and Client forms, and /calclog (seed 003; issue 4)."""

from __future__ import annotations

import os
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select, update

from collectdesk import db
from collectdesk.engine.calclog import read_calclog
from collectdesk.engine.recalc import compute_debtor
from collectdesk.models import Client, Debtor
from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui import dialogs
from collectdesk.ui.record_page import RecordPage
from collectdesk.ui.testing import make_database


@pytest.fixture
def database(tmp_path):
    return str(make_database(tmp_path / "recalc.db", debtors=4))


def start(qtbot, database, *flags):
    dialogs.answer = lambda title, text, choices: choices[0]
    started = app_module.start(parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m",
                                            *flags]))
    qtbot.addWidget(started.window)
    return started


def close(window) -> None:
    dialogs.answer = None
    for page in reversed(window.pages()):
        if isinstance(page, RecordPage):
            page._closing = True
    window.close()


def spoil(database: str, **values) -> None:
    """Someone's stale figures, as an import or an old program might leave them."""
    engine = db.make_engine(database)
    with engine.begin() as conn:
        conn.execute(update(Debtor).values(**values))
    engine.dispose()


def figures(database: str, model, key: int, *names: str):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        rec = s.get(model, key)
        out = tuple(getattr(rec, n) for n in names)
    engine.dispose()
    return out


def test_the_debtor_recalc_button_puts_the_figures_right(qtbot, database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        totals = compute_debtor(s, s.get(Debtor, 1))  # what the transactions say
        right = (totals.owing, totals.paid)
    engine.dispose()
    spoil(database, owing=Decimal("12345.67"), paid=Decimal(0))
    started = start(qtbot, database)
    try:
        page = started.window.open_form("debtor", 1)
        assert page.form.editor("de.ow").value() == Decimal("12345.67")
        qtbot.mouseClick(page.recalc_button, Qt.MouseButton.LeftButton)
        assert figures(database, Debtor, 1, "owing", "paid") == right
        assert page.form.editor("de.ow").value() == right[0]  # the form shows it at once
    finally:
        close(started.window)


def test_the_client_recalc_button_totals_its_accounts(qtbot, database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        client_id, listed = s.execute(select(Debtor.client_id, func.count()).group_by(
            Debtor.client_id).order_by(Debtor.client_id)).first()
        s.execute(update(Client).where(Client.id == client_id).values(accounts=0))
        s.commit()
    engine.dispose()
    started = start(qtbot, database)
    try:
        page = started.window.open_form("client", client_id)
        qtbot.mouseClick(page.recalc_button, Qt.MouseButton.LeftButton)
        assert figures(database, Client, client_id, "accounts") == (listed,)
    finally:
        close(started.window)


def test_calclog_writes_every_step_of_a_recalculation(qtbot, database, tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTDESK_DATA", str(tmp_path / "data"))
    started = start(qtbot, database, "/calclog")
    try:
        page = started.window.open_form("debtor", 2)
        qtbot.mouseClick(page.recalc_button, Qt.MouseButton.LeftButton)
        log = tmp_path / "data" / "calclog.txt"
        assert f"Every recalculation is written to {log}" in started.messages
        steps = read_calclog(log)
        assert ("debtor", "file", "2") == steps[0][:3]
        assert any(step[1] == "owing" for step in steps)
    finally:
        close(started.window)
        from collectdesk.engine import calclog

        calclog.stop()
