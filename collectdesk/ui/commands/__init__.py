"""The main window's menus: one class per command, grouped by menu.

``MENUS`` is the menu bar in order; a nested tuple is a sub-menu and ``None`` a
separator.
"""

from __future__ import annotations

from . import browse, daily, file, help, printing, system, tools
from .base import Command

MENUS: list[tuple[str, list]] = [
    ("&File", file.MENU),
    ("&Browse", browse.MENU),
    ("&Daily Administration", daily.MENU),
    ("&Print", printing.MENU),
    ("&System", system.MENU),
    ("&Tools", tools.MENU),
    ("&Help", help.MENU),
]

__all__ = ["MENUS", "Command"]
