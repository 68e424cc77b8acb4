"""Program start: one instance per user, splash, database, sign-on, then the main window.

``run_program(settings)`` is what ``collectdesk`` / ``python main.py`` call with the
parsed Collect! startup flags.  :func:`start` does everything except the event
loop, so tests drive a real start without blocking.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QLockFile, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from .. import db
from ..engine.signon import SignOnError, authenticate
from .context import AppContext, open_database
from .signon_dialog import SignOnDialog
from .theme import apply_theme


def _flag(settings: Any, name: str, default: Any = None) -> Any:
    return getattr(settings, name, default) if settings is not None else default


@dataclass
class Started:
    """What :func:`start` produced: the application, the lock and the main window (or None)."""

    app: QApplication
    lock: QLockFile | None
    window: Any = None
    exit_code: int = 0
    messages: list[str] = field(default_factory=list)


def ensure_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("CollectDesk")
    app.setOrganizationName("CollectDesk")
    apply_theme(app)
    return app  # type: ignore[return-value]


def acquire_instance_lock() -> QLockFile | None:
    """One running program per user (a lock file in the data folder); None when already running."""
    user = "".join(c for c in getpass.getuser() if c.isalnum()) or "user"
    lock = QLockFile(str(db.data_dir() / f"collectdesk-{user}.lock"))
    lock.setStaleLockTime(0)
    if not lock.tryLock(200):
        return None
    return lock


def _splash() -> QLabel:
    """The start-up picture while the database opens.

    A frameless label rather than QSplashScreen, whose show() waits up to a second for the
    window system to expose it (measured: 1.0 s of a 2 s start).
    """
    pix = QPixmap(520, 260)
    pix.fill(QColor("#24415f"))
    p = QPainter(pix)
    p.setPen(QColor("white"))
    f = QFont()
    f.setPointSize(28)
    f.setBold(True)
    p.setFont(f)
    p.drawText(pix.rect().adjusted(0, -30, 0, 0), Qt.AlignmentFlag.AlignCenter, "CollectDesk")
    f.setPointSize(11)
    f.setBold(False)
    p.setFont(f)
    p.setPen(QColor("#c9d6e3"))
    p.drawText(pix.rect().adjusted(0, 50, 0, 0), Qt.AlignmentFlag.AlignCenter,
               "Credit and collection management")
    p.drawText(pix.rect().adjusted(0, 0, 0, -14), Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter,
               "Opening the database…")
    p.end()
    splash = QLabel()
    splash.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    splash.setPixmap(pix)
    splash.setFixedSize(pix.size())
    screen = QApplication.primaryScreen()
    if screen is not None:
        splash.move(screen.availableGeometry().center() - splash.rect().center())
    return splash


def sign_on(settings: Any, parent: Any = None, splash: QLabel | None = None) -> AppContext | None:
    """Direct sign-on with /i and /p, otherwise the Welcome dialog.  None when the user exits."""
    database = _flag(settings, "database") or "demodb"
    user_id = _flag(settings, "user_id") or ""
    password = _flag(settings, "password") or ""
    message = ""
    url, engine = open_database(database)
    if splash is not None:
        splash.close()
    if user_id and password:
        ctx = AppContext(url, engine)
        with ctx.new_session() as session:
            try:
                result = authenticate(session, user_id, password)
            except SignOnError as exc:
                message = str(exc)
            else:
                if not result.must_set_password:
                    ctx.operator = result.operator
                    ctx.signon = result
                    return ctx
                message = "Choose a password before you continue."
    dialog = SignOnDialog(database, user_id, message,
                          opener=lambda d, _u=url, _e=engine, _d=database:
                          (_u, _e) if d == _d else open_database(d),
                          parent=parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.context is None:
        return None
    dialog.context.signon = dialog.signon
    return dialog.context


def start(settings: Any, *, sign_on_with=sign_on) -> Started:
    app = ensure_app()
    started = Started(app, None)
    if not _flag(settings, "multiple_instances", False):
        started.lock = acquire_instance_lock()
        if started.lock is None:
            text = "CollectDesk is already running for this user. Start it with /m to allow several."
            started.messages.append(text)
            print(text, file=sys.stderr)
            if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
                QMessageBox.information(None, "CollectDesk", text)
            started.exit_code = 1
            return started
    splash = None
    if not _flag(settings, "skip_splash", False):
        splash = _splash()
        splash.show()
        app.processEvents()
    ctx = None
    try:
        ctx = sign_on_with(settings, splash=splash)
    except Exception as exc:  # noqa: BLE001 - any failure to open the database: one clear line
        text = f"Cannot start CollectDesk: {exc}"
        started.messages.append(text)
        print(text, file=sys.stderr)
        started.exit_code = 1
        return started
    finally:
        if splash is not None:
            splash.close()
    if ctx is None:
        started.exit_code = 0
        return started
    ctx.settings = settings
    if _flag(settings, "calc_log", False):
        from .. import db
        from ..engine import calclog

        log = calclog.start(db.data_dir() / "calclog.txt")
        started.messages.append(f"Every recalculation is written to {log.path}")
    from .main_window import MainWindow

    window = MainWindow(ctx)
    if _flag(settings, "minimized", False):
        window.showMinimized()
    else:
        window.show()
    window.land()
    for text in started.messages:
        window.statusBar().showMessage(text, 20_000)
    QTimer.singleShot(200, window.prepare_forms)
    started.window = window
    _schedule_exit(settings, app)
    return started


class _IdleExit(QObject):
    """/x{mm}: quit after mm minutes without keyboard or mouse input."""

    INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})

    def __init__(self, app: QApplication, minutes: int) -> None:
        super().__init__(app)
        self.timer = QTimer(self, singleShot=True, interval=minutes * 60_000, timeout=app.quit)
        self.timer.start()
        app.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in self.INPUT:
            self.timer.start()
        return False


def _schedule_exit(settings: Any, app: QApplication) -> None:
    """/T{hh:mm}: quit at that time of day; /x{mm}: quit after mm idle minutes."""
    at = _flag(settings, "terminate_at")
    if isinstance(at, dt.time):
        now = dt.datetime.now()
        when = dt.datetime.combine(now.date(), at)
        if when <= now:
            when += dt.timedelta(days=1)
        QTimer.singleShot(int((when - now).total_seconds() * 1000), app.quit)
    minutes = _flag(settings, "terminate_after_minutes")
    if isinstance(minutes, int) and minutes > 0:
        app.setProperty("idle_exit", True)
        _IdleExit(app, minutes)


def run_program(settings: Any) -> int:
    started = start(settings)
    if started.window is None:
        if started.lock is not None:
            started.lock.unlock()
        return started.exit_code
    try:
        return int(started.app.exec())
    finally:
        if started.lock is not None:
            started.lock.unlock()
