"""The questions a contact plan asks the operator running it from a form (seed 003, Contact
Plan "Prompt before deleting", "Prompt for start date", "Prompt to confirm details").

:func:`callbacks` gives the engine's :class:`~collectdesk.engine.contact_plans.PlanCallbacks`
answered with this program's dialogs; a batch asks its start date once on its own page
(:mod:`.batch_page`) and answers no other question.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..engine.contact_plans import CompiledPlan, PlanCallbacks
from ..models import Contact
from . import dialogs

#: How many contacts the delete question lists before "… and N more".
LISTED = 12


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
        text = (f"The plan schedules:\n\n{_line(contact)}\nPriority {contact.priority or 0}"
                "\n\nSchedule it?")
        return dialogs.ask(parent, "Confirm Contact", text, ["Schedule", "Skip"],
                           default="Schedule") == "Schedule"

    return PlanCallbacks(confirm_delete=confirm_delete, start_date=start_date,
                         confirm_contact=confirm_contact)


__all__ = ["callbacks"]
