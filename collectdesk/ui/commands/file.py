"""File menu: Import/Export, Database, Sign Off, Exit."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from .. import dialogs
from .base import Command


class ImportExport(Command):
    text = "&Import/Export…"
    help = "Import client files with an import map, or export records (File Format Specifications)."
    requires = ("collectdesk.engine.importer", "collectdesk.ui.import_page")
    missing = "Import/Export is not built yet in this version of CollectDesk."

    def run(self) -> None:
        self.open_page()


class DatabaseInformation(Command):
    text = "Database &Information"
    help = "Which database is open, its location and the number of records."

    def run(self) -> None:
        self.window.show_database_information()


class SwitchDatabase(Command):
    text = "&Switch Database / Sign On Again…"
    help = "Sign off and sign on again, to the same or another database."

    def run(self) -> None:
        self.window.sign_off()


class Exit(Command):
    text = "E&xit"
    shortcut = QKeySequence.StandardKey.Quit
    help = "Close CollectDesk (asks first when a form has unsaved changes)."

    def enabled(self) -> bool:
        return not self.window.exit_locked()

    def run(self) -> None:
        if self.window.exit_locked():
            dialogs.tell(self.window, "Exit", "This workstation may not exit CollectDesk (/q).")
            return
        self.window.close()


MENU = [ImportExport, None, ("&Database", [DatabaseInformation, SwitchDatabase]), None, Exit]
