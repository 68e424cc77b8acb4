"""After dialing: the Call Result form.

It records a completed Phone contact with the chosen call result and a note line on the
account (or, for a call from a client's own form, on the client), together (:func:`collectdesk.devices.call_results.record_call_result`).  The form
is not modal, so the collector keeps working the account during the call; when the
result cannot be saved it stays open with everything typed, to save again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from ..devices.call_results import (
    CallResultNotSaved,
    call_note_text,
    called_party,
    record_call_result,
)
from ..engine import forms_spec
from ..models import Client, Debtor
from . import dialogs

PICK_LIST = "call_results"


def note_words(description: str, own_words: str) -> str:
    """What follows the code on the note line: the result's description, then the collector's."""
    description, own_words = description.strip(), own_words.strip()
    if description and own_words and description[-1] not in ".!?":
        return f"{description}; {own_words}"
    return " ".join(part for part in (description, own_words) if part)


class CallResultDialog(QDialog):
    saved = Signal(object)  # RecordedCall

    def __init__(self, window: Any, *, debtor_id: int | None, phone: str,
                 cosigner_id: int | None = None, client_id: int | None = None,
                 outcome: str = "") -> None:
        """On the account ``debtor_id``; with none, on the client ``client_id`` (a call
        from the Client form)."""
        super().__init__(window)
        self.window_ = window
        self.ctx = window.ctx
        self.debtor_id = debtor_id
        self.cosigner_id = cosigner_id
        self.client_id = client_id
        self.phone = phone
        self.recorded: Any = None
        self.setObjectName("callResult")
        self.setWindowTitle("Call Result")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)

        with self.ctx.session() as s:
            called = s.get(Debtor, debtor_id) if debtor_id is not None else \
                s.get(Client, client_id)
            name = called.name if called is not None else ""
            entries = forms_spec.picklist_entries(s, PICK_LIST)

        title = QLabel("Call Result", objectName="formTitle")
        who = QLabel(f"Called {phone} — {name or 'account'} · {called_party(debtor_id, client_id)}",
                     objectName="formSubtitle")
        who.setWordWrap(True)
        self.outcome = QLabel(outcome, objectName="formSubtitle")
        self.outcome.setWordWrap(True)
        self.outcome.setVisible(bool(outcome))

        self.result = QComboBox()
        self.result.setObjectName("callResultCode")
        self.result.addItem("Choose the result of the call…", None)
        for entry in entries:
            self.result.addItem(f"{entry.key}  {entry.text}", (entry.key, entry.text))
        self.result.setMaxVisibleItems(16)
        self.words = QLineEdit()
        self.words.setObjectName("callResultNote")
        self.words.setPlaceholderText("What was said or agreed (optional)")
        self.words.setMaxLength(200)
        self.preview = QLabel(objectName="formSubtitle")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.addRow("&Result", self.result)
        form.addRow("&Note", self.words)
        form.addRow("Note line", self.preview)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.skip_button = buttons.addButton("S&kip", QDialogButtonBox.ButtonRole.RejectRole)
        self.skip_button.setToolTip("Close without recording this call")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 14)
        lay.setSpacing(10)
        lay.addWidget(title)
        lay.addWidget(who)
        lay.addWidget(self.outcome)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.setMinimumWidth(520)

        self.result.currentIndexChanged.connect(self._refresh)
        self.words.textChanged.connect(self._refresh)
        self._refresh()
        self.result.setFocus()

    # -- values ----------------------------------------------------------------------------------
    def choose(self, code: int | str) -> bool:
        """Select the call result ``code`` (tests, and a dialer that reports one)."""
        for index in range(self.result.count()):
            data = self.result.itemData(index)
            if data is not None and data[0] == str(code):
                self.result.setCurrentIndex(index)
                return True
        return False

    def code(self) -> tuple[str, str] | None:
        return self.result.currentData()

    def note_text(self) -> str:
        chosen = self.code()
        return note_words(chosen[1] if chosen else "", self.words.text())

    def _refresh(self) -> None:
        chosen = self.code()
        if chosen is None:
            self.preview.setText("Choose a result to see the note line.")
        else:
            self.preview.setText(call_note_text(self.phone, chosen[0], self.note_text()))
        self.message.clear()

    # -- save / skip -----------------------------------------------------------------------------
    def save(self) -> bool:
        chosen = self.code()
        if chosen is None:
            self.message.setText("Choose the result of the call.")
            self.result.setFocus()
            return False
        try:
            with self.ctx.session() as s:
                self.recorded = record_call_result(
                    s, self.debtor_id, self.phone, int(chosen[0]), self.ctx.operator_id,
                    self.note_text(), cosigner_id=self.cosigner_id, client_id=self.client_id)
        except CallResultNotSaved as exc:
            self.message.setText(f"{exc} Nothing was lost: save again, or Skip.")
            return False
        on = self.debtor_id if self.debtor_id is not None else self.client_id
        self.ctx.notify("contacts", on)
        self.ctx.notify("notes", on)
        self.window_.statusBar().showMessage(f"Call result saved: {self.recorded.note_text}", 8000)
        self.saved.emit(self.recorded)
        self.accept()
        return True

    def reject(self) -> None:
        typed = self.code() is not None or self.words.text().strip()
        if self.recorded is None and typed and dialogs.ask(
                self, "Call Result", "Close without recording this call?",
                ["Close", "Cancel"]) != "Close":
            return
        super().reject()
