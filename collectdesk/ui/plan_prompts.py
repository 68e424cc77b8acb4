"""The questions a contact plan asks the operator running it from a form (seed 003, Contact
Plan "Prompt before deleting", "Prompt for start date", "Prompt to confirm details").

:func:`callbacks` gives the engine's :class:`~collectdesk.engine.contact_plans.PlanCallbacks`
answered with this program's dialogs; a batch asks its start date once on its own page
(:mod:`.batch_page`) and answers no other question.  "Prompt to confirm details" shows the
contact the plan is about to schedule in :class:`ConfirmContactDialog`: its due date, time,
operator, description and priority may be changed, and what the operator leaves there is what
the plan saves; Skip leaves the event out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ..engine.contact_plans import CompiledPlan, PlanCallbacks
from ..models import Contact
from . import dialogs
from .forms.editors import Editor
from .forms.field_rows import FieldRows

#: How many contacts the delete question lists before "… and N more".
LISTED = 12
#: What "Prompt to confirm details" lets the operator change (printable codes of Contact).
CONFIRM_FIELDS = ("co.dd", "co.dt", "co.op", "co.de", "co.pr")
REQUIRED = ("co.dd",)


def _when(contact: Contact) -> str:
    due = contact.due_date.strftime("%m/%d/%Y") if contact.due_date else "no date"
    return f"{due} {contact.due_time:%H:%M}" if contact.due_time else due


def _line(contact: Contact) -> str:
    text = f"{contact.type} {_when(contact)}"
    if contact.description:
        text += f" — {contact.description}"
    if contact.operator_id:
        text += f" ({contact.operator_id})"
    return text


class ConfirmContactDialog(QDialog):
    """"Prompt to confirm details": the contact a plan is about to schedule, to change or skip.

    Schedule writes the editors into ``contact`` (not saved yet: the plan saves it)."""

    def __init__(self, contact: Contact, parent: Any = None) -> None:
        super().__init__(parent)
        self.contact = contact
        self.setWindowTitle("Confirm Contact")
        self.setObjectName("confirmContact")
        self.setModal(True)
        plan = f" from plan {contact.plan_code}" if contact.plan_code else ""
        heading = QLabel(f"{contact.type}{plan}", objectName="formTitle")
        current = {"co.dd": contact.due_date, "co.dt": contact.due_time,
                   "co.op": contact.operator_id, "co.de": contact.description,
                   "co.pr": contact.priority}
        form = FieldRows(Contact, CONFIRM_FIELDS, current, required=REQUIRED,
                         where="Confirm Contact", parent=self)
        self.fields = form
        self.editors = form.editors
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)
        for editor in self.editors.values():
            editor.edited.connect(self.message.clear)  # what was refused is being fixed
        self.schedule_button = QPushButton("&Schedule")
        self.schedule_button.setDefault(True)
        self.schedule_button.setToolTip("Schedule the contact as shown (Enter)")
        self.skip_button = QPushButton("S&kip")
        self.skip_button.setToolTip("Leave this event out; the rest of the plan runs (Esc)")
        self.schedule_button.clicked.connect(self.accept)
        self.skip_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.schedule_button)
        buttons.addWidget(self.skip_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addWidget(heading)
        lay.addWidget(QLabel("The plan schedules this contact. Change what should differ, "
                             "then Schedule.", objectName="formSubtitle", wordWrap=True))
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.setMinimumWidth(460)
        self.editors["co.dd"].focus_widget().setFocus()

    def editor(self, code: str) -> Editor:
        return self.editors[code]

    def accept(self) -> None:
        """Schedule: the values go into the contact; a bad one keeps the dialog open."""
        values, problem, editor = self.fields.values()
        if values is None:
            self.message.setText(problem)
            if editor is not None:
                editor.focus_widget().setFocus()
            return
        c = self.contact
        c.due_date, c.due_time = values["co.dd"], values["co.dt"]
        c.operator_id = values["co.op"] or ""
        c.description = values["co.de"] or ""
        c.priority = values["co.pr"] or 0
        super().accept()


def callbacks(parent: Any) -> PlanCallbacks:
    """Plan questions asked with dialogs over ``parent``."""

    def confirm_delete(pending: list[Contact]) -> bool:
        lines = [_line(c) for c in pending[:LISTED]]
        if len(pending) > LISTED:
            lines.append(f"… and {len(pending) - LISTED} more")
        text = (f"The plan deletes {len(pending)} pending contact(s) of this account before "
                "it schedules its own:\n\n" + "\n".join(lines) + "\n\nDelete them and run the "
                "plan? No cancels the plan and changes nothing.")
        return dialogs.ask(parent, "Contact Plan", text, ["Delete", "No"],
                           default="Delete") == "Delete"

    def start_date(plan: CompiledPlan) -> dt.date | None:
        return dialogs.ask_date(parent, f"Contact Plan {plan.code}",
                                "The date the plan's events count from (Cancel: the plan does "
                                "not run):", dt.date.today())

    def confirm_contact(contact: Contact) -> bool:
        dialog = ConfirmContactDialog(contact, parent)
        try:
            return dialogs.run(dialog, f"The plan schedules: {_line(contact)}")
        finally:
            dialog.deleteLater()

    return PlanCallbacks(confirm_delete=confirm_delete, start_date=start_date,
                         confirm_contact=confirm_contact)


__all__ = ["ConfirmContactDialog", "callbacks"]
