"""Tools menu: batch processing, recalculation, the predictive dialer."""

from __future__ import annotations

from .base import Command


class BatchProcessing(Command):
    text = "&Batch Processing…"
    help = "Run a batch process over tagged or selected accounts."
    requires = ("collectdesk.engine.batch",)
    missing = "Batch processing is not built yet (needs collectdesk.engine.batch)."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


class Recalculate(Command):
    text = "&Recalculate"
    help = "Recalculate the open account or client, or every client when a list is shown."
    requires = ("collectdesk.engine.recalc",)
    missing = "Recalculation is not built yet (needs collectdesk.engine.recalc)."

    def run(self) -> None:
        self.window.recalculate()


class PredictiveDialer(Command):
    text = "&Predictive Dialer"
    help = "Connect to the predictive dialer and wait for calls."
    requires = ("collectdesk.devices.dialer",)
    missing = "The predictive dialer link is not built yet (needs collectdesk.devices.dialer)."

    def run(self) -> None:
        self.window.open_dialer_wait()


MENU = [BatchProcessing, Recalculate, None, PredictiveDialer]
