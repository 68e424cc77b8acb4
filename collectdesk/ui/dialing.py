"""Click-to-dial from a phone field: the Qt side of :mod:`collectdesk.devices.dialing`.

The plan is made on the GUI thread (quick); the dialer may finish on a worker
thread, so its outcome comes back through a queued signal before any widget is
touched.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from . import dialogs


class DialAdapter(QObject):
    finished = Signal(object)  # DialOutcome

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.finished.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def dial(self, number: str, *, debtor_id: int | None = None, client_id: int | None = None,
             parent: Any = None) -> bool:
        try:
            from ..devices import dialing
        except ImportError:
            dialogs.tell(parent, "Dial", "Dialing is not installed in this version of CollectDesk.")
            return False
        ctx = self.window_.ctx
        try:
            with ctx.session() as s:
                plan = dialing.prepare_dial(s, ctx.operator_id, number, debtor_id=debtor_id,
                                            client_id=client_id)
        except dialing.DialError as exc:
            dialogs.tell(parent, "Dial", str(exc), warning=True)
            return False
        if plan.prompt_before_dialing and dialogs.ask(
                parent, "Dial", f"Dial {plan.number}?\n\n{dialing.describe(plan)}",
                ["Dial", "Cancel"]) != "Dial":
            return False
        dialer = dialing.Dialer()
        ok, message = dialer.check(plan)
        if not ok and dialogs.ask(parent, "Contact Controls", f"{message}\n\nDial anyway?",
                                  ["Yes", "No"]) != "Yes":
            return False
        try:
            dialer.dial(plan, on_done=self.finished.emit, contact_controls_checked=True)
        except dialing.DialError as exc:
            dialogs.tell(parent, "Dial", str(exc), warning=True)
            return False
        self.window_.statusBar().showMessage(f"Dialing {plan.number}…", 5000)
        return True

    def _show(self, outcome: Any) -> None:
        if outcome.ok:
            self.window_.statusBar().showMessage(outcome.message, 8000)
        else:
            dialogs.tell(self.window_, "Dial", outcome.message, warning=True)
