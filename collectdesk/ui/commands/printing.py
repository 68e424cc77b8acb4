"""Print menu: reports, letters and credit bureau files."""

from __future__ import annotations

from .base import Command


class ReportsAndLetters(Command):
    text = "&Reports and Letters…"
    help = "Run a report or print letters for a date range."
    requires = ("collectdesk.engine.reports", "collectdesk.ui.reports_page")
    missing = "The report writer is not built yet (needs collectdesk.engine.reports)."

    def run(self) -> None:
        self.open_page()


class BatchLetters(Command):
    text = "&Batch Print Letters…"
    help = "Print Letter contacts that are due."
    requires = ("collectdesk.engine.letters", "collectdesk.ui.letters_page")
    missing = "Batch letter printing is not built yet (needs collectdesk.engine.letters)."

    def run(self) -> None:
        self.open_page()


class CreditBureau(Command):
    text = "&Credit Bureau Reporting…"
    help = "Write the Metro 2 file for accounts reported to the bureaus."
    requires = ("collectdesk.engine.metro2", "collectdesk.ui.metro2_page")
    missing = "Credit bureau reporting is not built yet (needs collectdesk.engine.metro2)."

    def run(self) -> None:
        self.open_page()


MENU = [ReportsAndLetters, BatchLetters, None, CreditBureau]
