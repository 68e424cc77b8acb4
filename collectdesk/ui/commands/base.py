"""A menu command: its text, shortcut, help, and whether it can run right now.

One class per command (STYLE 7).  A command whose capability is not built yet
stays in the menu, disabled, with a tooltip naming what it waits for.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from ..main_window import MainWindow


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class Command:
    text: ClassVar[str] = ""
    shortcut: ClassVar[str | QKeySequence.StandardKey | None] = None
    help: ClassVar[str] = ""
    #: Modules the command needs; missing ones disable it with ``missing`` as the tooltip.
    requires: ClassVar[tuple[str, ...]] = ()
    missing: ClassVar[str] = "Not available yet in this version of CollectDesk."
    checkable: ClassVar[bool] = False
    #: The access right of the menu item (``menu:system.company_details``); set by the window.
    right: str | None = None

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.action = QAction(self.text, window)
        self.action.setObjectName(type(self).__name__)
        if self.shortcut is not None:
            self.action.setShortcut(QKeySequence(self.shortcut))
        self.action.setCheckable(self.checkable)
        self.action.triggered.connect(self._triggered)
        self.refresh()

    @property
    def ctx(self):
        return self.window.ctx

    def unavailable(self) -> str | None:
        """Why this command cannot run (None when it can): a capability not built yet, or an
        access right of the operator's user level."""
        if not all(module_exists(m) for m in self.requires):
            return self.missing
        if self.right and not self.window.rights.enabled(self.right):
            return f"Your user level may not use this (access right {self.right})."
        return None

    def open_page(self) -> None:
        """Open the screen of a capability: its UI module (the last of ``requires``) has
        ``open(window)``."""
        import importlib

        ui_modules = [m for m in self.requires if m.startswith("collectdesk.ui.")]
        if not ui_modules:
            self.window.show_unavailable(self.text)
            return
        importlib.import_module(ui_modules[-1]).open(self.window)

    def enabled(self) -> bool:
        """Whether it can run now, given the current page (override beside the command)."""
        return True

    def refresh(self) -> None:
        reason = self.unavailable()
        tip = reason or self.help or self.text.replace("&", "")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.setEnabled(reason is None and self.enabled())

    def _triggered(self, checked: bool = False) -> None:
        if self.unavailable() is None and self.enabled():
            self.run()

    def run(self) -> None:  # pragma: no cover - every command overrides
        raise NotImplementedError
