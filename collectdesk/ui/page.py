"""A page of the main window's form stack (a list, a form, the main menu).

Like the original, forms open on top of each other: Esc closes the top one and
returns to the one below.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class Page(QWidget):
    title_changed = Signal()
    #: Short help for F1 when no field has focus.
    help_text = ""

    def title(self) -> str:
        return self.windowTitle()

    #: Whether Esc closes the page (a DIAL OPERATOR's waiting screen is not left that way).
    escapable = True

    def may_close(self) -> bool:
        """Called before the page is closed; ask about unsaved changes here."""
        return True

    def activated(self) -> None:
        """The page came back to the top of the stack (refresh what others may have changed)."""

    def field_help(self) -> tuple[str, str] | None:
        """(label, help) of the field with focus, for F1."""
        return None
