"""Print menu: reports, letters and credit bureau files."""

from __future__ import annotations

from .base import Command


class ReportsAndLetters(Command):
    text = "&Reports and Letters…"
    help = "Run a report or print letters for a date range."
    requires = ("collectdesk.engine.reports",)
    missing = "The report writer is not built yet (needs collectdesk.engine.reports)."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


class BatchLetters(Command):
    text = "&Batch Print Letters…"
    help = "Print Letter contacts that are due."
    requires = ("collectdesk.engine.letters",)
    missing = "Batch letter printing is not built yet (needs collectdesk.engine.letters)."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


class CreditBureau(Command):
    text = "&Credit Bureau Reporting…"
    help = "Write the Metro 2 file for accounts reported to the bureaus."
    requires = ("collectdesk.engine.metro2",)
    missing = "Credit bureau reporting is not built yet (needs collectdesk.engine.metro2)."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


MENU = [ReportsAndLetters, BatchLetters, None, CreditBureau]
