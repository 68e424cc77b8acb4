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


def test_automatic_recalc_brings_an_account_up_to_date_as_it_opens(qtbot, database):
    """Operator > Automatic Recalc (seed 003): the Debtor form opens on current figures; an
    operator without the switch sees what is stored, and an up-to-date account is not written."""
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        totals = compute_debtor(s, s.get(Debtor, 1))
        right = (totals.owing, totals.paid)
    engine.dispose()
    spoil(database, owing=Decimal("12345.67"), paid=Decimal(0))
    started = start(qtbot, database)
    try:
        page = started.window.open_form("debtor", 1)
        assert page.form.editor("de.ow").value() == Decimal("12345.67"), "switch off: as stored"
        started.window.close_page(page, ask=False)
        started.window.ctx.operator.automatic_recalc = True
        page = started.window.open_form("debtor", 1)
        assert page.form.editor("de.ow").value() == right[0]
        assert figures(database, Debtor, 1, "owing", "paid") == right
        version = figures(database, Debtor, 1, "version")
        started.window.close_page(page, ask=False)
        started.window.open_form("debtor", 1)
        assert figures(database, Debtor, 1, "version") == version, "nothing to write: no write"
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


def test_financial_detail_shows_the_breakdown_the_engine_posted(qtbot, database):
    """Issue 4 UI: the debtor's Financial Detail tabs show what posting and recalculation
    wrote — balances by part, the payment's figures, interest adjustments, the fee list."""
    import datetime as dt

    from collectdesk.engine.posting import post_transaction

    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        debtor = s.get(Debtor, 3)
        day = dt.date.today()
        for code, amount in (("201", "-50.00"), ("301", None), ("401", "-10.00")):
            post_transaction(s, debtor, code, to_us=None if amount is None else Decimal(amount),
                             payment_date=day, posted_date=day)
        paid = post_transaction(s, debtor, "101", to_us=Decimal("100.00"), payment_date=day,
                                posted_date=day).transaction
        breakdown = (paid.paid_interest, paid.paid_fees, paid.paid_legal, paid.paid_principal)
        totals = compute_debtor(s, debtor)
        s.commit()
    engine.dispose()
    assert breakdown[:3] == (Decimal("10.00"), Decimal("25.00"), Decimal("50.00"))
    started = start(qtbot, database)
    try:
        page = started.window.open_form("debtor", 3)
        shown = {code: page.form.editor(code).value() for code in (
            "de.pr", "de.in", "de.fe", "de.lc", "de.pd", "de.adj", "de.ow", "de.lpa", "de.cmt",
            "di.adj")}
        assert shown == {
            "de.pr": totals.principal, "de.in": totals.interest, "de.fe": totals.fees,
            "de.lc": totals.legal_costs, "de.pd": totals.paid, "de.adj": totals.adjustments,
            "de.ow": totals.owing, "de.lpa": Decimal("100.00"), "de.cmt": totals.commission_total,
            "di.adj": totals.interest_adjustments}
        assert shown["de.fe"] >= Decimal("25.00") and shown["de.lc"] >= Decimal("50.00")
        assert shown["di.adj"] >= Decimal("10.00") and shown["de.pd"] >= Decimal("100.00")
        fees = next(t for t in page.form.all_tabs() if t.spec.title == "Fees").sublist
        fees.reload()
        model = fees.model
        col = next(c for c in range(model.columnCount())
                   if model.headerData(c, Qt.Orientation.Horizontal) == "Type")
        types = {model.index(r, col).data() for r in range(model.rowCount())}
        assert "301" in types and "201" not in types and "101" not in types
    finally:
        close(started.window)
