"""Click-to-dial from a phone field: the Qt side of :mod:`collectdesk.devices.dialing`.

The plan is made on the GUI thread (quick); the dialer may finish on a worker
thread, so its outcome comes back through a queued signal before any widget is
touched.  A call that went out on an account (or from a client's form) opens the Call
Result form (:mod:`.call_result`).  A call the contact controls refuse is not dialed,
unless the operator is excluded from call contact controls and says "Dial anyway".  The Operator form's Test Dial button shows exactly what
would be sent with the values on the form (:class:`TestDialDialog`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from . import dialogs

#: The number Test Dial starts with (seed 003's UDP example).
SAMPLE_NUMBER = "555-123-7777"


class DialAdapter(QObject):
    finished = Signal(object)  # DialOutcome

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.finished.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.http_timeout: float | None = None  # None: the dialer's default
        #: The contact-controls check before a call; None: the devices' hook (always allowed
        #: until contact controls exist).
        self.contact_controls: Callable[[Any], tuple[bool, str]] | None = None
        self.call_result: Any = None  # the last Call Result form opened

    def _dialer(self) -> Any:
        from ..devices import dialing

        options: dict[str, Any] = {}
        if self.http_timeout is not None:
            options["http_timeout"] = self.http_timeout
        if self.contact_controls is not None:
            options["check_contact_controls"] = self.contact_controls
        return dialing.Dialer(**options)

    def dial(self, number: str, *, debtor_id: int | None = None, client_id: int | None = None,
             cosigner_id: int | None = None, parent: Any = None) -> bool:
        try:
            from ..devices import dialing
        except ImportError:
            dialogs.tell(parent, "Dial", "Dialing is not installed in this version of CollectDesk.")
            return False
        ctx = self.window_.ctx
        try:
            with ctx.session() as s:
                plan = dialing.prepare_dial(s, ctx.operator_id, number, debtor_id=debtor_id,
                                            client_id=client_id, cosigner_id=cosigner_id,
                                            policy=ctx.policy)
        except dialing.DialError as exc:
            dialogs.tell(parent, "Dial", str(exc), warning=True)
            return False
        if plan.prompt_before_dialing and dialogs.ask(
                parent, "Dial", f"Dial {plan.number}?\n\n{dialing.describe(plan)}",
                ["Dial", "Cancel"]) != "Dial":
            return False
        dialer = self._dialer()
        ok, message = dialer.check(plan)
        if not ok and not self._override_contact_controls(parent, message,
                                                          plan.may_override_controls):
            return False
        try:
            dialer.dial(plan, on_done=self.finished.emit, contact_controls_checked=True)
        except dialing.DialError as exc:
            dialogs.tell(parent, "Dial", str(exc), warning=True)
            return False
        self.window_.statusBar().showMessage(f"Dialing {plan.number}…", 5000)
        return True

    @staticmethod
    def _override_contact_controls(parent: Any, message: str, may_override: bool) -> bool:
        """A call the contact controls refuse goes out only for an operator excluded from
        call contact controls (Operator form), and only when they confirm it."""
        if not may_override:
            dialogs.tell(parent, "Contact Controls", f"{message}\n\nNothing was dialed.",
                         warning=True)
            return False
        return dialogs.ask(parent, "Contact Controls", f"{message}\n\nDial anyway?",
                           ["Yes", "No"]) == "Yes"

    def _show(self, outcome: Any) -> None:
        if not outcome.ok:
            dialogs.tell(self.window_, "Dial", outcome.message, warning=True)
            return
        self.window_.statusBar().showMessage(outcome.message, 8000)
        context = outcome.plan.context
        if context.debtor_id is not None or context.client_id is not None:
            self.open_call_result(context.debtor_id, outcome.plan.entered,
                                  cosigner_id=context.cosigner_id, client_id=context.client_id,
                                  outcome=outcome.message)

    def open_call_result(self, debtor_id: int | None, phone: str, *,
                         cosigner_id: int | None = None, client_id: int | None = None,
                         outcome: str = "") -> Any:
        from .call_result import CallResultDialog

        dialog = CallResultDialog(self.window_, debtor_id=debtor_id, phone=phone,
                                  cosigner_id=cosigner_id, client_id=client_id, outcome=outcome)
        self.call_result = dialog
        dialog.show()
        dialog.raise_()
        return dialog

    # -- Test Dial (the Operator form's button) ---------------------------------------------------
    def test_dial(self, page: Any) -> Any:
        """Show what dialing would send for the operator on ``page``, as the form stands now."""
        values = {b.spec.code.lower(): b for b in page.form.bindings}

        def value(code: str, default: Any = "") -> Any:
            binding = values.get(code)
            if binding is None:
                return getattr(page.record, _ATTRIBUTES[code], default)
            from .forms.editors import BadValue

            try:
                return binding.editor.value()
            except BadValue:  # a half-typed value: test with what is saved
                return getattr(page.record, binding.spec.attribute, default)

        operator = SimpleNamespace(id=value("op.id") or "", use_softphone=bool(value("op.sp")),
                                   note1=value("op.n1") or "", note2=value("op.n2") or "")
        dialog = TestDialDialog(page, operator, self)
        self.test_dialog = dialog
        dialog.show()
        return dialog


_ATTRIBUTES = {"op.id": "id", "op.sp": "use_softphone", "op.n1": "note1", "op.n2": "note2"}


class TestDialDialog(QDialog):
    """Test Dial: the dial method, the number after clean-up and exactly what is sent."""

    def __init__(self, parent: Any, operator: Any, adapter: DialAdapter) -> None:
        super().__init__(parent)
        from ..devices import dialing
        from ..devices.dial_settings import load_dial_settings

        self.operator = operator
        self.adapter = adapter
        self.plan: Any = None
        self.setObjectName("testDial")
        self.setWindowTitle(f"Test Dial — {operator.id or 'new operator'}")
        with adapter.window_.ctx.session() as s:
            self.settings = load_dial_settings(s, operator.id or None)
        self.config_dir = dialing.default_config_dir()

        intro = QLabel("What the phone icon would send for this operator, with the values on "
                       "the form now (saved or not). Nothing is sent until you press Dial Now.",
                       objectName="formSubtitle")
        intro.setWordWrap(True)
        self.number = QLineEdit(SAMPLE_NUMBER)
        self.number.setObjectName("testDialNumber")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.method = QLabel()
        self.cleaned = QLabel()
        self.sent = QLabel(objectName="testDialSent")
        self.sent.setFont(mono)
        self.sent.setWordWrap(True)
        self.sent.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sent.setStyleSheet("QLabel#testDialSent { background: white; border: 1px solid "
                                "#c5ccd6; border-radius: 3px; padding: 6px; }")
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.on_account = QLabel(objectName="formSubtitle")
        self.on_account.setWordWrap(True)
        self.prompt = QLabel("Yes" if self.settings.prompt_before_dialing else
                             "No (dials at once)")
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.addRow("&Number to test", self.number)
        form.addRow("Method", self.method)
        form.addRow("Number dialed", self.cleaned)
        form.addRow("Exactly what is sent", self.sent)
        form.addRow("", self.on_account)
        form.addRow("Set up from", self.source)
        form.addRow("Prompt before dialing", self.prompt)

        buttons = QDialogButtonBox()
        self.dial_button = buttons.addButton("&Dial Now", QDialogButtonBox.ButtonRole.ActionRole)
        self.dial_button.setToolTip("Send it now, to check the phone or dialer answers")
        self.dial_button.setAutoDefault(False)  # Enter in the number never dials
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(True)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.dial_button.clicked.connect(self.dial_now)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 14)
        lay.setSpacing(10)
        lay.addWidget(QLabel("Test Dial", objectName="formTitle"))
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.setMinimumWidth(600)
        self.number.textChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        from ..devices import dialing

        try:
            self.plan = dialing.plan_dial(self.operator, self.number.text(),
                                          dialing.DialContext(operator_id=self.operator.id),
                                          self.settings, self.config_dir)
        except dialing.DialError as exc:
            self.plan = None
            for label in (self.method, self.cleaned, self.sent, self.source):
                label.setText("—")
            self.message.setText(str(exc))
            self.dial_button.setEnabled(False)
            return
        self.method.setText(_METHOD_NAMES.get(self.plan.method.value, self.plan.method.value))
        self.cleaned.setText(self.plan.number)
        self.sent.setText(dialing.describe(self.plan))
        self.source.setText(self.plan.source)
        # What changes on an account (#authcode): shown with the seed's example account.
        example = dialing.plan_dial(self.operator, self.number.text(), dialing.DialContext(
            operator_id=self.operator.id, client_id=24, debtor_id=4585), self.settings,
            self.config_dir)
        if example.payload != self.plan.payload:
            self.on_account.setText(f"From an account (e.g. client 24, file 4585): "
                                    f"{dialing.describe(example)}")
        self.on_account.setVisible(example.payload != self.plan.payload)
        self.message.clear()
        self.dial_button.setEnabled(True)

    def dial_now(self) -> None:
        if self.plan is None:
            return
        from ..devices import dialing

        try:
            self.adapter._dialer().dial(self.plan, on_done=self.adapter.finished.emit,
                                        contact_controls_checked=True)
        except dialing.DialError as exc:
            self.message.setText(str(exc))
            return
        self.message.clear()
        self.adapter.window_.statusBar().showMessage(f"Test dial of {self.plan.number} sent…", 5000)


_METHOD_NAMES = {
    "tel": "System tel: handler (softphone off or Note 2 empty)",
    "protocol": "Softphone protocol handler",
    "udp": "UDP datagram",
    "dialstring": "URL from a .dialstring file",
    "report": "Report",
}
