"""WIP Options: how the WIP list is sorted, weekends, the dialer, the plan cache.

Seed 003, Debtor Status Codes "WIP Priority" ("When sorting the Work in Progress list by Status
via the WIP Sort field on the WIP Options form"), "How Collect! Executes Contact Plans
Internally" ("Schedule Contacts On Weekends"), "Contact Plan Caching" ("Click Save Operator or
Save System, depending on who this should apply to").

The settings are :class:`collectdesk.models.Preferences` columns: the system row
(``operator_id`` NULL) and the operator's own row, whose NULLs mean "as the system".  The dialog
shows what applies to the signed-on operator; Save Operator writes their own row, Save System
the system row (only for who may use System > Contact Management Settings), Use System clears
the operator's own WIP settings.
"""

from __future__ import annotations

import dataclasses
from typing import Any

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
from sqlalchemy import select

from .. import db
from ..engine import forms_spec
from ..engine.wip import SORTS
from ..models import Preferences
from . import dialogs
from .forms.editors import Editor, create_editor

#: attribute → printable code of the settings this dialog edits.
SETTINGS = {"wip_sort": "sy.ws", "schedule_on_weekends": "sy.we", "display_dialer": "sy.dd",
            "cache_contact_plans": "sy.cc"}
HELP = {
    "wip_sort": "Priority: the contact's priority, highest first. Status: the account status's "
                "WIP priority (highest first), then the status code, then the contact's priority.",
    "schedule_on_weekends": "Off: contact plans and Schedule Next Contact move contacts off "
                            "Saturdays, Sundays and holidays.",
    "display_dialer": "Opening a phone contact from the WIP list offers to dial the account's "
                      "phone at once.",
    "cache_contact_plans": "Keep plans in memory after their first run. A plan saved here "
                           "is read again at once; one changed on another workstation takes "
                           "effect when you sign off and on again.",
}
SYSTEM_RIGHT_COMMAND = "WipOptions"


def effective(session: Any, operator_id: str) -> tuple[dict[str, Any], bool]:
    """The settings that apply to ``operator_id`` and whether any is their own."""
    rows = {p.operator_id: p for p in session.scalars(select(Preferences).where(
        Preferences.operator_id.is_(None) | (Preferences.operator_id == operator_id)))}
    system, own = rows.get(None), rows.get(operator_id) if operator_id else None
    values: dict[str, Any] = {}
    has_own = False
    for attr in SETTINGS:
        mine = getattr(own, attr) if own is not None else None
        has_own = has_own or mine is not None
        values[attr] = mine if mine is not None else (getattr(system, attr) if system else None)
    values["wip_sort"] = values["wip_sort"] or "priority"
    return values, has_own


def save(session: Any, operator_id: str | None, values: dict[str, Any] | None, *, by: str) -> None:
    """Write the operator's own row (``operator_id``) or the system row (None); ``values`` None
    clears the operator's own WIP settings."""
    row = session.scalar(select(Preferences).where(
        Preferences.operator_id.is_(None) if operator_id is None
        else Preferences.operator_id == operator_id))
    if row is None:
        row = Preferences(operator_id=operator_id)
        session.add(row)
    for attr in SETTINGS:
        setattr(row, attr, None if values is None else values[attr])
    db.save(session, row, operator=by)


class WipOptionsDialog(QDialog):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle("WIP Options")
        self.setObjectName("wipOptions")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.editors: dict[str, Editor] = {}
        box = QGroupBox("Work In Progress")
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(6)
        for attr, code in SETTINGS.items():
            spec = forms_spec.resolve_field(Preferences, code, "WIP Options")
            if attr == "wip_sort":
                spec = dataclasses.replace(spec, kind="radio", choices=SORTS)
            spec = dataclasses.replace(spec, help=HELP[attr])
            editor = create_editor(spec, self)
            self.editors[attr] = editor
            if spec.kind == "check":
                form.addRow("", editor)
            else:
                form.addRow(QLabel(spec.label), editor)
            note = QLabel(HELP[attr], objectName="formSubtitle")
            note.setWordWrap(True)
            form.addRow("", note)
        self.source = QLabel(objectName="formSubtitle")
        self.source.setWordWrap(True)

        self.save_operator = QPushButton("Save &Operator")
        self.save_operator.setToolTip("These settings for you only")
        self.save_operator.setDefault(True)
        self.save_system = QPushButton("Save &System")
        self.save_system.setToolTip("These settings for every operator without their own")
        cmd = window.command(SYSTEM_RIGHT_COMMAND) if hasattr(window, "command") else None
        self.save_system.setEnabled(cmd is None or cmd.unavailable() is None)
        if not self.save_system.isEnabled():
            self.save_system.setToolTip("Your user level may not change the system settings "
                                        f"(access right {cmd.right}).")
        self.use_system = QPushButton("&Use System")
        self.use_system.setToolTip("Forget your own settings; the system's apply")
        cancel = QPushButton("&Cancel")
        self.save_operator.clicked.connect(lambda: self.apply(self.ctx.operator_id))
        self.save_system.clicked.connect(lambda: self.apply(None))
        self.use_system.clicked.connect(self.clear_own)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for b in (self.save_operator, self.save_system, self.use_system):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(cancel)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addWidget(QLabel("WIP Options", objectName="formTitle"))
        lay.addWidget(self.source)
        lay.addWidget(box)
        lay.addLayout(buttons)
        self.setMinimumWidth(520)
        self.load()

    def load(self) -> None:
        with self.ctx.session() as s:
            values, has_own = effective(s, self.ctx.operator_id)
        for attr, editor in self.editors.items():
            editor.set_value(values[attr])
        self.use_system.setEnabled(has_own)
        self.source.setText(
            f"Showing your own settings ({self.ctx.operator_id}); blanks follow the system."
            if has_own else "Showing the system settings; Save Operator keeps a copy for you only.")

    def values(self) -> dict[str, Any]:
        return {attr: editor.value() for attr, editor in self.editors.items()}

    def apply(self, operator_id: str | None) -> None:
        if operator_id is not None and not operator_id:
            return
        values = self.values()
        if values["wip_sort"] not in SORTS:
            values["wip_sort"] = "priority"
        try:
            with self.ctx.session() as s:
                save(s, operator_id, values, by=self.ctx.operator_id)
        except db.SaveConflict as exc:
            dialogs.tell(self, "WIP Options", str(exc), warning=True)
            return
        self.ctx.notify("preferences", operator_id)
        self.accept()

    def clear_own(self) -> None:
        with self.ctx.session() as s:
            save(s, self.ctx.operator_id, None, by=self.ctx.operator_id)
        self.ctx.notify("preferences", self.ctx.operator_id)
        self.accept()


def open_wip_options(window: Any) -> WipOptionsDialog:
    """Show the dialog (window-modal, not blocking: tests drive it)."""
    dlg = WipOptionsDialog(window)
    dlg.open()
    return dlg
