"""WIP Options: how the WIP list is sorted, weekends, the dialer, the plan cache.

Seed 003, Debtor Status Codes "WIP Priority" ("When sorting the Work in Progress list by Status
via the WIP Sort field on the WIP Options form"), "How Collect! Executes Contact Plans
Internally" ("Schedule Contacts On Weekends"), "Contact Plan Caching" ("Click Save Operator or
Save System, depending on who this should apply to").

The settings are :class:`collectdesk.models.Preferences` columns: the system row
(``operator_id`` NULL) and the operator's own row, whose NULLs mean "as the system".  The dialog
(:class:`collectdesk.ui.own_settings.OwnSettingsDialog`) shows what applies to the signed-on
operator; Save Operator writes their own row, Save System the system row (only for who may use
System > Contact Management Settings), Use System clears the operator's own WIP settings.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..engine.forms_spec import FieldSpec
from ..engine.wip import SORTS
from .own_settings import OwnSettingsDialog

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


class WipOptionsDialog(OwnSettingsDialog):
    title = "WIP Options"
    group_title = "Work In Progress"
    settings = SETTINGS
    help = HELP
    system_right_command = "WipOptions"
    object_name = "wipOptions"

    def field_spec(self, attr: str, spec: FieldSpec) -> FieldSpec:
        spec = super().field_spec(attr, spec)
        return dataclasses.replace(spec, kind="radio", choices=SORTS) if attr == "wip_sort" \
            else spec

    def read(self, session: Any) -> tuple[dict[str, Any], bool]:
        values, has_own = super().read(session)
        values["wip_sort"] = values["wip_sort"] or "priority"
        return values, has_own

    def checked(self, values: dict[str, Any]) -> dict[str, Any]:
        if values["wip_sort"] not in SORTS:
            values["wip_sort"] = "priority"
        return values


def open_wip_options(window: Any) -> WipOptionsDialog:
    """Show the dialog (window-modal, not blocking: tests drive it)."""
    dlg = WipOptionsDialog(window)
    dlg.open()
    return dlg
