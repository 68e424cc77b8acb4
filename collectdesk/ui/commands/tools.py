"""Tools menu: batch processing, recalculation, the predictive dialer, the auto dialer."""

from __future__ import annotations

from .base import Command


class BatchProcessing(Command):
    text = "&Batch Processing…"
    help = "Run a batch process over tagged or selected accounts."
    requires = ("collectdesk.ui.batch_page",)
    missing = "The Batch Processing screen is not built yet (collectdesk.engine.batch runs batches headless)."

    def run(self) -> None:
        self.open_page()


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
    requires = ("collectdesk.devices.dialer_link",)
    missing = "The predictive dialer link is not installed."

    def run(self) -> None:
        self.window.open_dialer_wait()


class AutoDialerSetup(Command):
    text = "Auto &Dialer Setup…"
    help = ("Your own Auto Dialer preferences: prompt before dialing, number clean-up, dialing "
            "phone contacts from the WIP list.")

    def run(self) -> None:
        from ..dial_setup import open_dial_setup

        open_dial_setup(self.window)


MENU = [BatchProcessing, Recalculate, None, PredictiveDialer, AutoDialerSetup]
