"""A dialog of preferences an operator may keep for themselves: Save Operator / Save System.

The WIP Options and the Auto Dialer Setup are both such a dialog (seed 003 "Auto Dialer Setup":
"click either Save System for everyone or Save Operator for the current Operator").  A subclass
names its group of :class:`collectdesk.models.Preferences` columns; this class builds their
editors from the model (labels and kinds come from the printable codes), shows what applies to
the operator, and saves through :mod:`collectdesk.engine.preferences`: Save Operator writes the
operator's own row, Save System the system row (only for who may use the subclass's system
menu command), Use System clears the operator's own settings of the group.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from .. import db
from ..engine import forms_spec, preferences
from ..engine.forms_spec import FieldSpec
from ..models import Preferences
from . import dialogs
from .forms.editors import Editor, create_editor


class OwnSettingsDialog(QDialog):
    title: ClassVar[str] = ""
    group_title: ClassVar[str] = ""
    #: attribute → printable code of the settings the dialog edits, in order.
    settings: ClassVar[dict[str, str]] = {}
    help: ClassVar[dict[str, str]] = {}
    #: The menu command whose access right allows Save System.
    system_right_command: ClassVar[str] = ""
    object_name: ClassVar[str] = ""

    def __init__(self, window: Any, operator_id: str | None = None) -> None:
        """The settings of ``operator_id`` (default: the signed-on operator)."""
        super().__init__(window)
        self.window_ = window
        self.ctx = window.ctx
        self.operator_id = operator_id or self.ctx.operator_id
        self.setWindowTitle(self.title if self.is_mine()
                            else f"{self.title} — {self.operator_id}")
        self.setObjectName(self.object_name)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.editors: dict[str, Editor] = {}
        box = QGroupBox(self.group_title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(6)
        for attr, code in self.settings.items():
            spec = self.field_spec(attr, forms_spec.resolve_field(Preferences, code, self.title))
            editor = create_editor(spec, self)
            editor.setObjectName(attr)
            self.editors[attr] = editor
            if spec.kind == "check":
                form.addRow("", editor)
            else:
                form.addRow(QLabel(spec.label), editor)
            note = QLabel(self.help[attr], objectName="formSubtitle")
            note.setWordWrap(True)
            form.addRow("", note)
        self.source = QLabel(objectName="formSubtitle")
        self.source.setWordWrap(True)
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)

        self.whom = "you" if self.is_mine() else self.operator_id
        self.whose = "your" if self.is_mine() else f"{self.operator_id}'s"
        self.save_operator = QPushButton("Save &Operator")
        self.save_operator.setToolTip(f"These settings for {self.whom} only")
        self.save_operator.setDefault(True)
        self.save_system = QPushButton("Save &System")
        self.save_system.setToolTip("These settings for every operator without their own")
        cmd = window.command(self.system_right_command) if hasattr(window, "command") else None
        self.save_system.setEnabled(cmd is None or cmd.unavailable() is None)
        if not self.save_system.isEnabled():
            self.save_system.setToolTip("Your user level may not change the system settings "
                                        f"(access right {cmd.right}).")
        self.use_system = QPushButton("&Use System")
        self.use_system.setToolTip(f"Forget {self.whose} own settings; the system's apply")
        cancel = QPushButton("&Cancel")
        self.save_operator.clicked.connect(lambda: self.apply(self.operator_id))
        self.save_system.clicked.connect(lambda: self.apply(None))
        self.use_system.clicked.connect(self.clear_own)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for b in (self.save_operator, self.save_system, self.use_system):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(cancel)

        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 12, 16, 12)
        self.body.setSpacing(8)
        self.body.addWidget(QLabel(self.title, objectName="formTitle"))
        self.body.addWidget(self.source)
        self.body.addWidget(box)
        self.body.addWidget(self.message)
        self.body.addLayout(buttons)
        self.setMinimumWidth(520)
        self.load()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        # Qt sizes a new dialog for its hint's width; at the width it opens with, the wrapped
        # help lines may need more height than that
        needed = self.layout().totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def is_mine(self) -> bool:
        return self.operator_id == self.ctx.operator_id

    # -- what a subclass may change --------------------------------------------------------------
    def field_spec(self, attr: str, spec: FieldSpec) -> FieldSpec:
        """The editor's field spec (from the model) with the dialog's help."""
        return dataclasses.replace(spec, help=self.help[attr])

    def read(self, session: Any) -> tuple[dict[str, Any], bool]:
        """The values that apply to the operator, and whether any is their own."""
        return preferences.effective(session, self.operator_id, self.settings)

    def checked(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values to save; raise ValueError with a message naming the field when one is
        wrong."""
        return values

    # -- load / save ---------------------------------------------------------------------------
    def load(self) -> None:
        with self.ctx.session() as s:
            values, has_own = self.read(s)
        for attr, editor in self.editors.items():
            editor.set_value(values[attr])
        self.use_system.setEnabled(has_own)
        self.source.setText(
            f"Showing {self.whose} own settings ({self.operator_id}); blanks follow the system."
            if has_own else f"Showing the system settings; Save Operator keeps a copy for "
                            f"{self.whom} only.")

    def values(self) -> dict[str, Any]:
        return {attr: editor.value() for attr, editor in self.editors.items()}

    def apply(self, operator_id: str | None) -> bool:
        if operator_id is not None and not operator_id:
            return False
        try:
            values = self.checked(self.values())
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        try:
            with self.ctx.session() as s:
                preferences.save(s, operator_id, values, self.settings, by=self.ctx.operator_id)
        except db.SaveConflict as exc:
            dialogs.tell(self, self.title, str(exc), warning=True)
            return False
        self.ctx.notify("preferences", operator_id)
        self.accept()
        return True

    def clear_own(self) -> None:
        with self.ctx.session() as s:
            preferences.save(s, self.operator_id, None, self.settings, by=self.ctx.operator_id)
        self.ctx.notify("preferences", self.operator_id)
        self.accept()
