"""Program start: a real database file, the Welcome dialog or /i /p, then the main window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui.context import open_database
from collectdesk.ui.signon_dialog import SignOnDialog
from collectdesk.ui.testing import make_database


@pytest.fixture
def database(tmp_path):
    return make_database(tmp_path / "start.db")


def _close_windows():
    for w in QApplication.topLevelWidgets():
        w.close()


def test_direct_signon_with_flags_opens_main_window(qtbot, database):
    settings = parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m"])
    started = app_module.start(settings)
    try:
        assert started.window is not None
        qtbot.addWidget(started.window)
        assert started.window.ctx.operator.id == "SYS"
        titles = [m.title().replace("&", "") for m in started.window.menuBar().findChildren(
            type(started.window.menuBar().actions()[0].menu()))]
        assert "Browse" in " ".join(titles)
        assert started.window.isVisible()
    finally:
        _close_windows()


def test_minimized_flag(qtbot, database):
    settings = parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m", "/min"])
    started = app_module.start(settings)
    qtbot.addWidget(started.window)
    assert started.window.isMinimized()
    started.window.close()


def test_one_instance_per_user_unless_m(qtbot, database):
    lock = app_module.acquire_instance_lock()
    assert lock is not None
    try:
        settings = parse_flags([f"/db{database}", "/iSYS", "/psys", "/s"])
        started = app_module.start(settings)
        assert started.window is None and started.exit_code == 1
        assert "already running" in started.messages[0]
        settings = parse_flags([f"/db{database}", "/iSYS", "/psys", "/s", "/m"])
        started = app_module.start(settings)
        assert started.window is not None
        started.window.close()
    finally:
        lock.unlock()


def test_welcome_dialog_signs_on(qtbot, database):
    dialog = SignOnDialog(database)
    qtbot.addWidget(dialog)
    dialog.operator_id.setText("SYS")
    dialog.password.setText("wrong")
    assert not dialog.try_sign_on()
    assert "Wrong password" in dialog.message.text()
    dialog.password.setText("sys")
    assert dialog.try_sign_on()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.context.operator.id == "SYS"


def test_five_wrong_passwords_lock_the_operator_out_even_with_the_right_one(qtbot, database):
    import datetime as dt

    from collectdesk import db
    from collectdesk.engine.signon import LOCKOUT, MAX_FAILURES
    from collectdesk.models import AuditEntry, Operator

    dialog = SignOnDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()

    def sign_on(password: str) -> str:
        dialog.operator_id.setText("SC")
        dialog.password.setText(password)
        dialog.sign_on_button.click()
        assert dialog.password.text() == "" or dialog.result() == QDialog.DialogCode.Accepted
        return dialog.message.text()

    for attempt in range(1, MAX_FAILURES):
        left = MAX_FAILURES - attempt
        assert f"{left} more {'try' if left == 1 else 'tries'} before the ID is locked" \
            in sign_on(f"guess{attempt}")
    locked = sign_on("guess5")
    assert locked == ("Wrong password. SC is now locked out for 5 minutes after 5 failed "
                      "sign-ons in a row.")
    refused = sign_on("sc")  # the right password, during the lock-out
    assert refused.startswith("SC is locked out after 5 failed sign-ons. Try again after ")
    assert dialog.isVisible() and dialog.context is None

    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        events = [e.event for e in s.query(AuditEntry).filter(AuditEntry.operator_id == "SC")]
        assert events.count("signon lockout") == 1 and events[-1] == "signon refused"
        op = s.get(Operator, "SC")
        until = op.locked_until
        assert refused.endswith(f"{until:%H:%M}, or ask a manager.")
        assert LOCKOUT - dt.timedelta(seconds=30) < until - dt.datetime.now() <= LOCKOUT
        op.locked_until = dt.datetime.now() - dt.timedelta(seconds=1)  # five minutes later
        s.commit()
    engine.dispose()
    sign_on("sc")
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.context.operator.id == "SC"


def test_start_without_flags_shows_welcome(qtbot, database, monkeypatch):
    """No /i /p: the Welcome dialog runs; typing ID and password reaches the main window."""

    def answer():
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, SignOnDialog) and w.isVisible())
        dialog.operator_id.setText("sys")
        dialog.password.setText("sys")
        dialog.sign_on_button.click()

    QTimer.singleShot(50, answer)
    settings = parse_flags([f"/db{database}", "/s", "/m"])
    started = app_module.start(settings)
    assert started.window is not None
    assert started.window.ctx.operator.id == "SYS"
    started.window.close()


def test_new_masterdb_asks_for_a_password(qtbot, tmp_path):
    _url, engine = open_database(str(tmp_path / "master.db"))
    dialog = SignOnDialog(str(tmp_path / "master.db"))
    qtbot.addWidget(dialog)
    dialog.ask_new_password = lambda op: ("s3cret!", "s3cret!")
    dialog.operator_id.setText("99")
    assert dialog.try_sign_on(), dialog.message.text()
    engine.dispose()
    dialog2 = SignOnDialog(str(tmp_path / "master.db"))
    qtbot.addWidget(dialog2)
    dialog2.operator_id.setText("99")
    dialog2.password.setText("s3cret!")
    assert dialog2.try_sign_on(), dialog2.message.text()
