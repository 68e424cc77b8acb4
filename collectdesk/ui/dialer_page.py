"""Predictive Dialer: the waiting screen, and the adapter that runs the dialer connections.

Seed 003 "Predictive Dialer".  The connections and their Ready / Busy rules live in
:mod:`collectdesk.devices.predictive_dialer` (no Qt); they run in their own threads
and everything they report reaches the GUI thread through queued signals here:
a call opens the debtor form (several matches: the Accounts Found list), and when
every popped page is closed (OK, or Cancel) the state goes back to Ready.

The connections belong to the program, not to one window: they start with the
first main window (the startup flags /z, /W2, /W2b, /W2ss, /S) and carry on to the
next window after Sign Off.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from ..devices.dialer_link import LinkState
from ..devices.predictive_dialer import DialerOptions, Pop, PredictiveDialer
from ..models.operator import OperatorType
from . import dialogs
from .page import Page
from .theme import COLORS

log = logging.getLogger(__name__)

MAX_EVENTS = 50
STATE_LOOK = {
    LinkState.READY: ("Ready — waiting for calls", "#e3f4e8", "#1e6b3a", "#9fd3ae"),
    LinkState.BUSY: ("Busy — an account is open", "#fff3d6", "#8a5a00", "#ecc978"),
    LinkState.UNAVAILABLE: ("Not waiting", "#e9ecf0", COLORS["muted"], COLORS["border"]),
}

_ADAPTER: DialerAdapter | None = None


class DialerAdapter(QObject):
    """Owns the :class:`PredictiveDialer` and turns its thread callbacks into GUI work."""

    pop_arrived = Signal(object)  # Pop
    message_arrived = Signal(str)
    event_arrived = Signal(str)
    state_arrived = Signal(object)  # LinkState
    #: For the waiting screen and tests: the state after every change, on the GUI thread.
    state_changed = Signal(object)
    events_changed = Signal()

    def __init__(self, parent: QObject | None, options: DialerOptions) -> None:
        super().__init__(parent)
        self.window: Any = None
        self.options = options
        self.events: list[str] = []  # newest last
        self.popped: list[Page] = []
        self.message_open = False
        self._waiting_shown = False
        queued = Qt.ConnectionType.QueuedConnection
        self.pop_arrived.connect(self._pop, queued)
        self.message_arrived.connect(self._message, queued)
        self.event_arrived.connect(self._log, queued)
        self.state_arrived.connect(self.state_changed.emit, queued)
        self.service = PredictiveDialer(
            self._session, options, on_pop=self.pop_arrived.emit,
            on_message=self.message_arrived.emit, on_event=self.event_arrived.emit,
            on_state=self.state_arrived.emit, policy=lambda: self.window.ctx.policy)

    def _session(self) -> Any:
        """A new session on the current window's database (called in the connections' threads)."""
        return self.window.ctx.sessions()

    @property
    def state(self) -> LinkState:
        return self.service.state

    # -- windows ---------------------------------------------------------------------------------
    def attach(self, window: Any) -> None:
        """The main window that calls open in (a new one after Sign Off)."""
        if window is self.window:
            return
        self.window = window
        if self.popped or self.message_open:
            self.popped = []
            self.service.released()
        window.stack.currentChanged.connect(self._pages_changed)
        self._pages_changed()

    def _pages_changed(self, *_: Any) -> None:
        """The form stack changed: a popped page may have closed, the waiting screen may
        have opened or closed."""
        window = self.window
        if window is None:
            return
        pages = window.pages()
        waiting = any(isinstance(p, WaitingPage) for p in pages)
        if waiting != self._waiting_shown:
            self._waiting_shown = waiting
            self.service.waiting(waiting)
        if self.popped:
            still = [p for p in self.popped if any(p is q for q in pages)]
            closed = len(still) < len(self.popped)
            self.popped = still
            if closed and not still and not self.message_open:
                self.service.released()

    # -- what the connections report (queued to the GUI thread) ---------------------------------
    def _pop(self, pop: Pop) -> None:
        window = self.window
        files = list(pop.files)
        try:
            if len(files) == 1:
                page = window.open_form("debtor", files[0])
                what = f"file {files[0]}"
            else:
                page = window.open_browse("find_results", ids=files,
                                          title=f"Accounts Found ({len(files)})")
                what = f"{len(files)} accounts, shown as a list"
        except Exception as exc:  # never leave the dialer Busy on a failure
            log.exception("opening a predictive dialer call failed")
            self.service.opened()
            self._pages_changed()
            if not self.popped:
                self.service.released()
            dialogs.tell(window, "Predictive Dialer", f"The call could not be shown: {exc}",
                         warning=True)
            return
        self.popped.append(page)
        self.service.opened()
        self._pages_changed()  # the page may already be gone (a file deleted meanwhile)
        self._log(f"Call from the {pop.source}: {what}.")
        _bring_to_front(window)

    def _message(self, text: str) -> None:
        self.message_open = True
        self._log(text)
        _bring_to_front(self.window)
        try:
            dialogs.tell(self.window, "Predictive Dialer", text, warning=True)
        finally:
            self.message_open = False
            if not self.popped:
                self.service.released()

    def _log(self, text: str) -> None:
        self.events.append(f"{dt.datetime.now():%H:%M:%S}  {text}")
        del self.events[:-MAX_EVENTS]
        if self.window is not None:
            self.window.statusBar().showMessage(text, 15_000)
        self.events_changed.emit()

    # -- life cycle --------------------------------------------------------------------------------
    def start(self) -> list[str]:
        problems = self.service.start() if self.options.any else []
        if problems and self.window is not None:
            window = self.window
            QTimer.singleShot(0, lambda: dialogs.tell(
                window, "Predictive Dialer", "\n\n".join(problems), warning=True))
        return problems

    def stop(self) -> None:
        self.service.stop()


def attach_dialer(window: Any, options: DialerOptions | None = None) -> DialerAdapter:
    """The program's dialer adapter, started with the startup flags of ``window``'s settings
    (or ``options``: benchmarks and tools that start the connections themselves)."""
    global _ADAPTER
    if options is None:
        options = DialerOptions.from_settings(getattr(window.ctx, "settings", None))
    if _ADAPTER is not None and _ADAPTER.options != options:
        shutdown()  # another program start in the same process (tests, benchmarks)
    if _ADAPTER is None:
        app = QApplication.instance()
        _ADAPTER = DialerAdapter(app, options)
        _ADAPTER.attach(window)
        _ADAPTER.start()
        if app is not None:
            app.aboutToQuit.connect(shutdown)
    else:
        _ADAPTER.attach(window)
    return _ADAPTER


def current() -> DialerAdapter | None:
    return _ADAPTER


def shutdown() -> None:
    """Stop the connections (program exit; tests)."""
    global _ADAPTER
    adapter, _ADAPTER = _ADAPTER, None
    if adapter is not None:
        adapter.stop()
        adapter.deleteLater()


def open_waiting(window: Any) -> Page:
    """Tools ▸ Predictive Dialer, and where a DIAL OPERATOR lands after signing on."""
    adapter = attach_dialer(window)
    for page in window.pages():
        if isinstance(page, WaitingPage):
            return page
    return window.push(WaitingPage(window, adapter))


def _bring_to_front(window: Any) -> None:
    if window is None:
        return
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


class WaitingPage(Page):
    """"Waiting for calls": the state, the connections, the recent calls."""

    def __init__(self, window: Any, adapter: DialerAdapter) -> None:
        super().__init__()
        self.window_ = window
        self.adapter = adapter
        self.setObjectName("dialerWaiting")
        self.setWindowTitle("Predictive Dialer")
        operator = window.ctx.operator
        dial_operator = operator is not None and operator.type == OperatorType.DIAL_OPERATOR.value
        self.help_text = (
            "Waiting for calls from the predictive dialer. Each call the dialer connects opens "
            "its account (several matches show a list); close the account with OK and this "
            "screen takes the next call. While an account is open the dialer is told Busy.")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 24, 32, 24)
        lay.setSpacing(14)
        lay.addWidget(QLabel("Predictive Dialer", objectName="formTitle"))
        who = f"Signed on as {operator.id} — {operator.name or 'operator'}. " if operator else ""
        intro = QLabel(who + ("Dialer operators only take calls from the dialer. "
                              if dial_operator else "")
                       + "Each call opens its account here; OK on the account brings you back.",
                       objectName="formSubtitle")
        intro.setWordWrap(True)
        lay.addWidget(intro)

        self.state_label = QLabel(objectName="dialerState")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.setMinimumHeight(64)
        lay.addWidget(self.state_label)

        connections = QGroupBox("Connections")
        form = QFormLayout(connections)
        form.setHorizontalSpacing(16)
        self.connection_labels: dict[str, QLabel] = {}
        for name, text in adapter.service.connections():
            label = QLabel(text)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.connection_labels[name] = label
            form.addRow(f"{name}:", label)
        lay.addWidget(connections)

        self.problems = QLabel("\n".join(adapter.service.problems), objectName="error")
        self.problems.setWordWrap(True)
        self.problems.setVisible(bool(adapter.service.problems))
        lay.addWidget(self.problems)

        recent = QGroupBox("Recent calls")
        rlay = QVBoxLayout(recent)
        self.recent = QListWidget()
        self.recent.setObjectName("dialerEvents")
        self.recent.setMinimumHeight(120)
        rlay.addWidget(self.recent)
        lay.addWidget(recent, 1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.stop_button = QPushButton("&Stop Waiting")
        self.stop_button.setToolTip("Close this screen; the dialer is told Busy until you come back")
        self.stop_button.clicked.connect(lambda: window.close_page(self))
        self.stop_button.setVisible(not dial_operator)
        self.dial_operator = dial_operator
        buttons.addWidget(self.stop_button)
        lay.addLayout(buttons)

        adapter.state_changed.connect(self._show_state)
        adapter.events_changed.connect(self._show_events)
        self._show_state()
        self._show_events()

    def activated(self) -> None:
        self._show_state()

    @property
    def escapable(self) -> bool:
        """A DIAL OPERATOR works only from this screen: Esc does not leave it (Sign Off does)."""
        return not self.dial_operator

    def _show_state(self, *_: Any) -> None:
        state = self.adapter.state
        if not self.adapter.options.any:
            text, back, fore, border = ("No dialer connection — start CollectDesk with /z or /W2",
                                        *STATE_LOOK[LinkState.UNAVAILABLE][1:])
        else:
            text, back, fore, border = STATE_LOOK[state]
        self.state_label.setText(text)
        self.state_label.setProperty("state", state.value)
        self.state_label.setStyleSheet(
            f"QLabel#dialerState {{ background: {back}; color: {fore}; border: 1px solid {border};"
            " border-radius: 6px; font-size: 16pt; font-weight: 600; padding: 12px; }")

    def _show_events(self) -> None:
        self.recent.clear()
        events = list(reversed(self.adapter.events))
        self.recent.addItems(events or ["No calls yet."])
