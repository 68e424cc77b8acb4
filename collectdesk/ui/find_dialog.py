"""Find By: name, file number, client + account, phone (any format), SSN, email.

One match opens the account; several show a list; none says so and stays open.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from ..engine import browse as browse_ops

METHODS = [
    ("name", "&Name (Last, First)", "Smith, J"),
    ("file", "&File number", "1234"),
    ("account", "Client + &account number", "A-10042"),
    ("phone", "&Phone (any format)", "(503) 555-0100"),
    ("ssn", "&SSN", "123-45-6789"),
    ("email", "&Email", "name@example.com"),
]


class FindByDialog(QDialog):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle("Find By")
        self.method = QComboBox()
        for key, label, _ in METHODS:
            self.method.addItem(label.replace("&", ""), key)
        self.text = QLineEdit()
        self.client = QLineEdit()
        self.client.setPlaceholderText("client # (optional)")
        self.client.setMaximumWidth(120)
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Find &by", self.method)
        form.addRow("&Look for", self.text)
        self.client_label = QLabel("&Client #")
        self.client_label.setBuddy(self.client)
        form.addRow(self.client_label, self.client)
        buttons = QDialogButtonBox()
        self.find_button = buttons.addButton("&Find", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.find)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.method.currentIndexChanged.connect(self._method_changed)
        self._method_changed()
        self.setMinimumWidth(420)
        self.result_ids: list[int] = []

    def set_method(self, key: str) -> None:
        self.method.setCurrentIndex(self.method.findData(key))

    def _method_changed(self) -> None:
        key = self.method.currentData()
        self.text.setPlaceholderText(next(m[2] for m in METHODS if m[0] == key))
        account = key == "account"
        self.client.setVisible(account)
        self.client_label.setVisible(account)

    def find(self) -> bool:
        key = self.method.currentData()
        client_id = None
        if key == "account" and self.client.text().strip():
            if not self.client.text().strip().isdigit():
                self.message.setText("The client number is a whole number.")
                return False
            client_id = int(self.client.text().strip())
        try:
            with self.ctx.session() as s:
                ids = browse_ops.find(s, key, self.text.text(), client_id=client_id,
                                      policy=self.ctx.policy)
        except browse_ops.FindError as exc:
            self.message.setText(str(exc))
            return False
        self.result_ids = ids
        if not ids:
            self.message.setText("Nothing matches. Check what you typed, or try another way.")
            return False
        self.accept()
        if len(ids) == 1:
            self.window_.open_form("debtor", ids[0])
        else:
            self.window_.open_browse("find_results", ids=ids,
                                     title=f"Accounts Found ({len(ids)})")
        return True
