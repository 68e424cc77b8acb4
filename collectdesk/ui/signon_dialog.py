"""The Welcome / sign-on dialog: database choice, operator ID and password."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from ..engine.signon import SignOn, SignOnError, authenticate, set_password
from . import dialogs
from .context import AppContext, open_database

Opener = Callable[[str], tuple[str, Engine]]


class SetPasswordDialog(QDialog):
    """First sign-on on a new masterdb: the operator chooses a password before anything else."""

    def __init__(self, operator_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set Your Password")
        self.new = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)
        intro = QLabel(
            f"{operator_id} has no password yet. Choose one now; it is stored only as a salted hash.")
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&New password", self.new)
        form.addRow("&Confirm", self.confirm)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.setMinimumWidth(380)


class SignOnDialog(QDialog):
    """Welcome to CollectDesk.  On success ``context`` holds the signed-on program context."""

    def __init__(
        self,
        database: str | None = None,
        operator_id: str = "",
        message: str = "",
        opener: Opener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signon")
        self.setWindowTitle("Welcome to CollectDesk")
        self.opener: Opener = opener or open_database
        self._engines: dict[str, tuple[str, Engine]] = {}
        self.context: AppContext | None = None
        self.signon: SignOn | None = None
        self.ask_new_password: Callable[[str], tuple[str, str] | None] = self._ask_new_password

        banner = QFrame(objectName="banner")
        title = QLabel("CollectDesk", objectName="bannerTitle")
        subtitle = QLabel("Credit and collection management", objectName="bannerSubtitle")
        blay = QVBoxLayout(banner)
        blay.setContentsMargins(24, 18, 24, 18)
        blay.addWidget(title)
        blay.addWidget(subtitle)

        self.database = QComboBox(editable=True)
        self.database.addItems(["demodb", "masterdb"])
        self.database.setCurrentText(database or "demodb")
        self.database.setToolTip("demodb, masterdb, a SQLite file or a database URL "
                                 "(postgresql://user@host/db)")
        self.database.setMinimumWidth(260)
        self.operator_id = QLineEdit(operator_id)
        self.operator_id.setMaxLength(7)
        self.operator_id.setPlaceholderText("e.g. SYS")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.message = QLabel(message, objectName="error")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(36)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addRow("&Database", self.database)
        form.addRow("&Operator ID", self.operator_id)
        form.addRow("&Password", self.password)

        self.buttons = QDialogButtonBox()
        self.sign_on_button = self.buttons.addButton("&Sign On", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("E&xit", QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_on_button.setDefault(True)
        self.buttons.accepted.connect(self.try_sign_on)
        self.buttons.rejected.connect(self.reject)

        body = QWidget()
        blay2 = QVBoxLayout(body)
        blay2.setContentsMargins(24, 18, 24, 18)
        blay2.setSpacing(10)
        blay2.addLayout(form)
        blay2.addWidget(self.message)
        blay2.addWidget(self.buttons)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(banner)
        lay.addWidget(body)
        self.setMinimumWidth(460)
        (self.password if operator_id else self.operator_id).setFocus()

    def _open(self, database: str) -> tuple[str, Engine]:
        key = database.strip() or "demodb"
        if key not in self._engines:
            self._engines[key] = self.opener(key)
        return self._engines[key]

    def _ask_new_password(self, operator_id: str) -> tuple[str, str] | None:
        dlg = SetPasswordDialog(operator_id, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.new.text(), dlg.confirm.text()

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def try_sign_on(self) -> bool:
        """Authenticate with what is typed; accept the dialog on success."""
        database = self.database.currentText()
        try:
            url, engine = self._open(database)
        except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable server: say so, stay
            self.show_message(f"Cannot open database {database}: {exc}")
            return False
        ctx = AppContext(url, engine)
        with ctx.new_session() as session:
            try:
                result = authenticate(session, self.operator_id.text(), self.password.text())
                if result.must_set_password and not self._first_password(session, result):
                    return False
            except SignOnError as exc:
                self.show_message(str(exc))
                self.password.clear()
                self.password.setFocus()
                return False
        ctx.operator = result.operator
        self.context, self.signon = ctx, result
        self.accept()
        return True

    def _first_password(self, session, result: SignOn) -> bool:
        while True:
            answer = self.ask_new_password(result.operator.id)
            if answer is None:
                self.show_message("A password must be set before signing on.")
                return False
            try:
                set_password(session, result.operator, *answer)
                return True
            except SignOnError as exc:
                if dialogs.answer is not None:
                    self.show_message(str(exc))
                    return False
                dialogs.tell(self, "Set Your Password", str(exc), warning=True)

    def engines(self) -> dict[str, tuple[str, Engine]]:
        return dict(self._engines)
