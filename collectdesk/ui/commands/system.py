"""System menu: company details, preferences, contact-management and financial settings, rights."""

from __future__ import annotations

from .base import Command


class CompanyDetails(Command):
    text = "&Company Details"
    help = "Your agency's name, address, default commission and tax."

    def run(self) -> None:
        self.window.open_company_details()


class Preferences(Command):
    text = "&Preferences…"
    help = "System-wide preferences: plans run on changes, WIP, auto dialer, phones."

    def run(self) -> None:
        self.window.open_preferences()


class StatusCodes(Command):
    text = "&Status Codes"
    help = "Debtor status codes: description, WIP priority, plan to run."

    def run(self) -> None:
        self.window.open_browse("status_codes")


class ContactPlans(Command):
    text = "Contact &Plans"
    help = "Collection strategies: the events each plan schedules."

    def run(self) -> None:
        self.window.open_browse("contact_plans")


class Holidays(Command):
    text = "&Holidays"
    help = "Non-business days that contact plans and Schedule Next Contact skip."

    def run(self) -> None:
        self.window.open_browse("holidays")


class WipOptions(Command):
    text = "&WIP Options…"
    help = "How the WIP list is sorted, scheduling on weekends, the dialer for phone contacts."

    def run(self) -> None:
        from ..wip_options import open_wip_options

        open_wip_options(self.window)


class ContactControls(Command):
    text = "Contact &Controls"
    help = "Limits on calls, texts, emails and letters per period."
    requires = ("collectdesk.ui.contact_controls_page",)
    missing = "The Contact Controls screen is not built yet in this version of CollectDesk."

    def run(self) -> None:
        self.open_page()


class TransactionTypes(Command):
    text = "&Transaction Types"
    help = "How each transaction code is processed, shown and reported."

    def run(self) -> None:
        self.window.open_browse("transaction_types")


class RatePlans(Command):
    text = "Commission &Rate Plans"
    help = "Tiered commission plans."
    requires = ("collectdesk.ui.rate_plans_page",)
    missing = "The Commission Rate Plans screen is not built yet in this version of CollectDesk."

    def run(self) -> None:
        self.open_page()


class Operators(Command):
    text = "&Operators"
    help = "Who signs on, their type, level and security."

    def run(self) -> None:
        self.window.open_browse("operators")


class AccessRights(Command):
    text = "&Access Rights"
    help = "Per form, field, menu and button: rights per user level, alias, log to notes."
    requires = ("collectdesk.ui.access_rights_page",)
    missing = "The Access Rights screen is not built yet (headless: collectdesk rights …)."

    def run(self) -> None:
        self.open_page()


class PickLists(Command):
    text = "&Pick Lists"
    help = "The choices offered on fields: keys, texts, order, colours; import legacy .pck files."
    requires = ("collectdesk.ui.picklist_page",)
    missing = "The Pick List editor is not built yet in this version of CollectDesk."

    def run(self) -> None:
        self.open_page()


class AuditLog(Command):
    text = "Audit &Log"
    help = "Sign-ons, lock-outs, refused access and changes to operators and rights."

    def run(self) -> None:
        self.window.open_browse("audit_log")


class ChooseColumns(Command):
    text = "Choose &Columns…"
    help = "Show or hide columns of the list on screen."

    def enabled(self) -> bool:
        page = self.window.current_page()
        return page is not None and hasattr(page, "choose_columns")

    def run(self) -> None:
        self.window.current_page().choose_columns()


MENU = [
    CompanyDetails,
    Preferences,
    None,
    ("Contact &Management Settings", [StatusCodes, ContactPlans, Holidays, ContactControls,
                                      None, WipOptions]),
    ("&Financial Settings", [TransactionTypes, RatePlans]),
    ("&Rights", [Operators, AccessRights, PickLists, None, AuditLog]),
    ("&Layout", [ChooseColumns]),
]
