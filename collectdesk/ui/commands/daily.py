"""Daily Administration menu: the work list, tags and the day's batch work."""

from __future__ import annotations

from .. import dialogs
from .base import Command


class WorkInProgress(Command):
    text = "&Work In Progress"
    shortcut = "Ctrl+W"
    help = "Your WIP list: accounts with In Progress phone, review, promise and other contacts."

    def run(self) -> None:
        self.window.open_wip()


class ScheduleNextContact(Command):
    text = "Schedule &Next Contact…"
    shortcut = "Ctrl+N"
    help = ("Complete the contact being worked (from the WIP list or on the account) and "
            "schedule the next one.")

    def enabled(self) -> bool:
        from ..schedule_next import can_schedule_from

        return can_schedule_from(self.window.current_page())

    def run(self) -> None:
        from ..schedule_next import schedule_next

        schedule_next(self.window)


class OpenNextAccount(Command):
    text = "Open Ne&xt Account"
    shortcut = "F6"
    help = ("Close the account being worked and open the next due account after it in your "
            "WIP list.")

    def _wip_page(self):
        from ..wip_page import WipPage

        return next((p for p in self.window.pages() if isinstance(p, WipPage)), None)

    def enabled(self) -> bool:
        return self._wip_page() is not None

    def run(self) -> None:
        page = self._wip_page()
        if page is not None:
            page.open_next()


class ViewTags(Command):
    text = "View &Tags"
    help = "The accounts you have tagged."

    def run(self) -> None:
        self.window.open_browse("tagged_debtors")


class ClearTags(Command):
    text = "&Clear Tags"
    help = "Remove all your tags."

    def run(self) -> None:
        choice = dialogs.ask(self.window, "Clear Tags", "Remove all your tags?",
                             ("Clear Tags", "Cancel"))
        if choice == "Clear Tags":
            self.window.clear_tags()


class DaySheet(Command):
    text = "&Day Sheet"
    help = "The day's postings by operator and client."
    requires = ("collectdesk.engine.daysheet", "collectdesk.ui.daysheet_page")
    missing = "The Day Sheet is not built yet in this version of CollectDesk."

    def run(self) -> None:
        self.open_page()


class PaymentPlans(Command):
    text = "&Payment Plans"
    help = "The payment plans' scheduled payments not kept yet, the longest overdue first."
    requires = ("collectdesk.ui.payment_plans_page",)

    def run(self) -> None:
        self.open_page()


MENU = [WorkInProgress, ScheduleNextContact, OpenNextAccount, None, ViewTags, ClearTags, None,
        DaySheet, PaymentPlans]
