"""Browse menu: the lists of clients, debtors and operators, and Find By."""

from __future__ import annotations

from .base import Command


class BrowseClients(Command):
    text = "&Clients"
    shortcut = "Ctrl+Shift+C"
    help = "All clients, by name. Enter opens the client; F3 adds a new one."

    def run(self) -> None:
        self.window.open_browse("clients")


class BrowseActiveDebtors(Command):
    text = "&Active Debtors"
    shortcut = "Ctrl+Shift+A"
    help = "Accounts in Active mode, by name. Type to jump; Space tags a row."

    def run(self) -> None:
        self.window.open_browse("active_debtors")


class BrowseAllDebtors(Command):
    text = "A&ll Debtors"
    shortcut = "Ctrl+Shift+L"
    help = "Every account — active, closed and archived."

    def run(self) -> None:
        self.window.open_browse("all_debtors")


class FindBy(Command):
    text = "&Find By…"
    shortcut = "Ctrl+F"
    help = "Find accounts by name, file number, client and account, phone, SSN or email."

    def run(self) -> None:
        self.window.find_by()


class BrowseOperators(Command):
    text = "&Operators"
    help = "The operators who sign on, and DISTRIBUTION teams."

    def run(self) -> None:
        self.window.open_browse("operators")


MENU = [BrowseClients, BrowseActiveDebtors, BrowseAllDebtors, None, FindBy, None, BrowseOperators]
