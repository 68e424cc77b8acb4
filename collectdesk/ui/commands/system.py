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
    help = "System and operator preferences."
    requires = ("collectdesk.engine.preferences",)
    missing = "The Preferences form is not built yet."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


class StatusCodes(Command):
    text = "&Status Codes"
    help = "Debtor status codes: description, WIP priority, plan to run."

    def run(self) -> None:
        self.window.open_browse("status_codes")


class ContactPlans(Command):
    text = "Contact &Plans"
    help = "Collection strategies: the events each plan schedules."
    requires = ("collectdesk.engine.contact_plans",)
    missing = "Contact plans are not built yet (needs collectdesk.engine.contact_plans)."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


class ContactControls(Command):
    text = "Contact &Controls"
    help = "Limits on calls, texts, emails and letters per period."
    requires = ("collectdesk.engine.contact_controls",)
    missing = "Contact controls are not built yet (needs collectdesk.engine.contact_controls)."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


class TransactionTypes(Command):
    text = "&Transaction Types"
    help = "How each transaction code is processed, shown and reported."

    def run(self) -> None:
        self.window.open_browse("transaction_types")


class RatePlans(Command):
    text = "Commission &Rate Plans"
    help = "Tiered commission plans."
    requires = ("collectdesk.engine.commission",)
    missing = "Commission rate plans are not built yet (needs collectdesk.engine.commission)."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


class Operators(Command):
    text = "&Operators"
    help = "Who signs on, their type, level and security."

    def run(self) -> None:
        self.window.open_browse("operators")


class AccessRights(Command):
    text = "&Access Rights"
    help = "Per form, field, menu and button: rights per user level, alias, log to notes."
    requires = ("collectdesk.engine.access",)
    missing = "The access rights editor is not built yet (needs collectdesk.engine.access)."

    def run(self) -> None:
        self.window.show_unavailable(self.text)


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
    ("Contact &Management Settings", [StatusCodes, ContactPlans, ContactControls]),
    ("&Financial Settings", [TransactionTypes, RatePlans]),
    ("&Rights", [Operators, AccessRights]),
    ("&Layout", [ChooseColumns]),
]
