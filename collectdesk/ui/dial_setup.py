"""Auto Dialer Setup: prompt before dialing, number clean-up, dialing from the WIP list.

Seed 003 "Auto Dialer Setup": "Auto Dialer preferences can be overridden by each Operator ...
If they ... change the Auto Dialer preferences and click SAVE OPERATOR, then that will create a
personalized configuration file".  A collector opens it from Tools > Auto Dialer Setup… for
themselves; a manager from an Operator form for that operator.  What applies is decided by
:func:`collectdesk.devices.dial_settings.load_dial_settings`; Save System needs the access right
of System > Preferences (where the system's settings also are).  The examples line shows how
a few numbers would be dialed with the values on the form, before anything is saved.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

from PySide6.QtWidgets import QLabel

from ..devices.dial_settings import DialSettings, clean_number, load_dial_settings
from ..engine import preferences
from .own_settings import OwnSettingsDialog

#: attribute → printable code, in the order shown.
SETTINGS = {"prompt_before_dialing": "sy.pbd", "dial_digits_only": "sy.ddo",
            "long_distance_prefix": "sy.ldp", "local_area_code": "sy.lac",
            "display_dialer": "sy.dd"}
HELP = {
    "prompt_before_dialing": "Ask before each number is dialed. Off: a click on a phone, or a "
                             "phone contact opened from the WIP list, dials at once.",
    "dial_digits_only": "Send only the digits of the number (no spaces, dashes or brackets).",
    "long_distance_prefix": "Dialed before ten-digit numbers outside the local area code "
                            "(for example 1).",
    "local_area_code": "Numbers in this area code are dialed as seven digits.",
    "display_dialer": "Opening a phone contact from the WIP list dials the account's phone "
                      "(the WIP Options' \"Automatically display dialer\").",
}
#: Numbers the examples line shows: one local, one long distance, one already seven digits.
EXAMPLES = ("(212) 555-0123", "818-555-1111", "555-0199")


class AutoDialerSetupDialog(OwnSettingsDialog):
    title = "Auto Dialer Setup"
    group_title = "Auto Dialer"
    settings = SETTINGS
    help = HELP
    system_right_command = "Preferences"
    object_name = "autoDialerSetup"

    def __init__(self, window: Any, operator_id: str | None = None) -> None:
        self.examples = QLabel(objectName="dialExamples")  # one line per example: no wrap
        super().__init__(window, operator_id)
        self.body.insertWidget(self.body.indexOf(self.message), self.examples)
        for editor in self.editors.values():
            editor.edited.connect(self.show_examples)
        self.show_examples()

    def read(self, session: Any) -> tuple[dict[str, Any], bool]:
        applied = load_dial_settings(session, self.operator_id)
        own = preferences.rows(session, self.operator_id)[1]
        return dataclasses.asdict(applied), preferences.has_own(own, SETTINGS)

    def checked(self, values: dict[str, Any]) -> dict[str, Any]:
        return preferences.checked_dialing(values)

    def show_examples(self) -> None:
        """How the example numbers would be dialed with the values on the form now."""
        try:
            settings = DialSettings.merged(SimpleNamespace(**self.checked(self.values())))
        except ValueError as exc:
            self.examples.setText("")
            self.message.setText(str(exc))
            return
        self.message.clear()
        self.examples.setText("With these settings:\n" + "\n".join(
            f"    {number}  is dialed as  {clean_number(number, settings)}"
            for number in EXAMPLES))


def open_dial_setup(window: Any, operator_id: str | None = None) -> AutoDialerSetupDialog:
    """Show the dialog for ``operator_id`` (default: the signed-on operator); window-modal,
    not blocking (tests drive it)."""
    dlg = AutoDialerSetupDialog(window, operator_id)
    dlg.open()
    return dlg
