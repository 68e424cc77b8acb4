"""Client and Client Settings (the Advanced screen)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from .base import Base, Versioned, date, field, flag, money, number, percent, text

if TYPE_CHECKING:
    from .debtor import Debtor


class Client(Versioned, Base):
    """A creditor whose accounts the agency works.  ``id`` is the Client Number."""

    __tablename__ = "clients"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = field(Integer, "cl.nu", "Client #", primary_key=True,
                            help="The client number: allocated by the database, unique and "
                                 "never reused.")
    name: Mapped[str] = text(60, "cl.na", "Name", required=True, index=True,
                             help="The client's name as it prints on statements, reports and "
                                  "letters (@cl.na).")
    dba: Mapped[str] = text(60, "cl.dba", "D.B.A.",
                            help="The trade name the client does business as, when it differs "
                                 "from its corporate name; letters print @cl.dba beside @cl.na "
                                 "where both must appear.")
    contact: Mapped[str] = text(40, "cl.co", "Contact",
                                help="The person at the client who receives your statements and "
                                     "reports.")
    address: Mapped[str] = text(60, "cl.ad", "Address",
                                help="The client's street address, for statements and checks.")
    address2: Mapped[str] = text(60, "cl.a2", "Address 2",
                                 help="Suite, floor or a second address line.")
    city: Mapped[str] = text(40, "cl.ci", "City",
                             help="The client's city.")
    state: Mapped[str] = text(4, "cl.st", "State", picklist="states",
                              help="The client's state or province postal code.")
    zip: Mapped[str] = text(12, "cl.zi", "Zip",
                            help="The client's ZIP or postal code.")
    country: Mapped[str] = text(4, "cl.cn", "Country", picklist="countries",
                                help="Two-letter country code of the client's address.")
    phone: Mapped[str] = text(20, "cl.ph", "Phone", kind="phone",
                              help="The client's phone in any format; the phone icon dials it "
                                   "and the call is recorded on the client.")
    fax: Mapped[str] = text(20, "cl.fx", "Fax", kind="phone",
                            help="The client's fax number.")
    email: Mapped[str] = text(80, "cl.em", "Email",
                              help="The client's email address, for emailed statements and "
                                   "reports.")
    user1: Mapped[str] = text(40, "cl.u1", "User 1",
                              help="A free field for your own use; an access right can give it "
                                   "a name (alias).")
    user2: Mapped[str] = text(40, "cl.u2", "User 2",
                              help="A free field for your own use; an access right can give it "
                                   "a name (alias).")
    user3: Mapped[str] = text(40, "cl.u3", "User 3",
                              help="A free field for your own use; an access right can give it "
                                   "a name (alias).")
    user4: Mapped[str] = text(40, "cl.u4", "User 4",
                              help="A free field for your own use; an access right can give it "
                                   "a name (alias).")
    owned_by_id: Mapped[int | None] = field(
        Integer, "cl.ob", "Owned By Client", ForeignKey("clients.id"), nullable=True, index=True,
        help="The client that owns this one (for a CLIENT operator who sees several, and one "
             "statement for all).")
    timezone: Mapped[str] = text(40, "cl.tz", "Timezone",
                                 help="The client's time zone, for calling during its business "
                                      "hours.")
    type: Mapped[str] = text(4, "cl.ty", "Type", picklist="creditor_classification",
                             help="FOR CBR: the creditor classification the bureaus require for "
                                  "this client's accounts; pick one of the list's values.")
    status: Mapped[str] = text(4, "cl.sts", "Status",
                               help="Your own status code for the client, for reports and batch "
                                    "work.")
    run_plan: Mapped[str] = text(8, "cl.rp", "Run Plan", picklist="contact_plans",
                                 help="Type a contact plan code (F2 lists them) and press "
                                      "Enter or leave the field: the client is saved and the "
                                      "plan runs on it.")
    # Figures, written by client recalculation (read-only on the form)
    listed: Mapped[Decimal] = money("cl.li", "Listed",
                                    help="The total the client listed with you; written by "
                                         "Recalc.")
    paid: Mapped[Decimal] = money("cl.pd", "Paid",
                                  help="Everything paid on the client's accounts; written by "
                                       "Recalc.")
    fees: Mapped[Decimal] = money("cl.fe", "Fees",
                                  help="Fees on the client's accounts; written by Recalc.")
    adjustments: Mapped[Decimal] = money(
        "cl.adj", "Adjustments",
        help="Adjustments on the client's accounts; written by Recalc.")
    commission: Mapped[Decimal] = money(
        "cl.cm", "Commission",
        help="Commission earned on the client's accounts; written by Recalc.")
    tax: Mapped[Decimal] = money("cl.tx", "Tax",
                                 help="Tax on that commission; written by Recalc.")
    owing: Mapped[Decimal] = money("cl.ow", "Owing",
                                   help="What the client's debtors still owe; written by "
                                        "Recalc.")
    success_rate: Mapped[Decimal] = percent(
        "cl.sr", "Success Rate",
        help="The client's success (liquidation) rate, calculated the way its Client Settings "
             "choose; written by Recalc.")
    accounts: Mapped[int] = number("cl.nac", "Accounts",
                                   help="How many accounts the client has listed with you; "
                                        "written by Recalc.")
    last_recalc: Mapped[dt.date | None] = date(
        "cl.lr", "Last Recalc",
        help="When the client's figures were last recalculated (Recalc, or Tools > "
             "Recalculate).")

    owned_by: Mapped[Client | None] = relationship(remote_side="Client.id")
    settings: Mapped[ClientSettings | None] = relationship(
        back_populates="client", uselist=False, cascade="all, delete-orphan"
    )
    # Up to millions of accounts: never loaded as a list, queried through .select().
    debtors: WriteOnlyMapped[Debtor] = relationship(back_populates="client")


class ClientSettings(Versioned, Base):
    """The Advanced screen: remittance, bureau, success rate, fees, commission and tax."""

    __tablename__ = "client_settings"
    client_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    billing_period: Mapped[str] = text(
        10, "cs.bp", "Billing Period", picklist="billing_periods",
        help="How often you remit to and invoice this client (monthly, weekly …); do not leave "
             "it blank.")
    remit_gross: Mapped[bool] = flag(
        "cs.rg", "Remit as Gross Funds",
        help="Return all money collected; invoice the client for commission, fees and tax.")
    bill_negative_to_us: Mapped[bool] = flag(
        "cs.bn", "Bill Client for Negative To Us",
        help="Invoice the client for negative To Us amounts (reversals).")
    remit_combined: Mapped[bool] = flag(
        "cs.rc", "Remit as Combined Funds",
        help="Agency payments remitted net, direct payments invoiced.")
    bill_commission_to_debtor: Mapped[bool] = flag(
        "cs.bcd", "Bill Commission to Debtor",
        help="Add your commission to what the debtor owes (collection charges), only where the "
             "law allows it.")
    tax_exempt: Mapped[bool] = flag("cs.te", "Client is Tax Exempt",
                                    help="No tax on this client's commission; an account or a "
                                         "transaction can still override it.")
    report_to_bureaus: Mapped[bool] = flag(
        "cs.rb", "Report Accounts to Bureaus",
        help="New accounts of this client are reported to the bureaus.")
    send_client_detail: Mapped[bool] = flag(
        "cs.scd", "Send Client Detail to Bureaus",
        help="Send the client (original creditor) with each account in the Metro 2 file; "
             "required when you report as a collection agency.")
    original_creditor_in: Mapped[str] = text(
        6, "cs.oc", "Original Creditor is in", kind="radio",
        info={"choices": ["", "user1", "user2"]},
        help="For a debt purchaser whose client name is not the original creditor: the original "
             "creditor's name is in the debtor's User 1 or User 2.")
    cbr_delay_from: Mapped[str] = text(
        12, "cs.df", "Delay From",
        help="The date the reporting delay counts from; choose it before Delay Days.")
    cbr_delay_days: Mapped[int | None] = field(
        Integer, "cs.dd", "Delay Days", nullable=True,
        help="Days to wait after Delay From before an account is first reported; blank uses the "
             "Credit Bureau Setup value.")
    cbr_min_value_of: Mapped[str] = text(
        16, "cs.mv", "Min Value Of",
        help="Which balance is compared with Min Balance: the balance, total principal or "
             "original principal.")
    cbr_min_balance: Mapped[Decimal | None] = money(
        "cs.mb", "Min Balance", nullable=True, default=None, server_default=None,
        help="Accounts owing less than this are not reported; blank uses the Credit Bureau "
             "Setup value.")
    success_rate_method: Mapped[str] = text(
        8, "cs.srm", "Success Rate", kind="radio", info={"choices": ["all", "closed", "custom"]},
        default="all", server_default="all",
        help="How the client's Success Rate is calculated: all accounts, closed accounts only, "
             "or your own calculation.")
    exclude_reversals: Mapped[bool] = flag(
        "cs.er", "Exclude reversals from Recalc",
        help="Leave accounts with a Listing Reversal status out of the client's figures.")
    fixed_fee_mode: Mapped[str] = text(
        8, "cs.ffm", "Fixed Fees", kind="radio", info={"choices": ["none", "client", "debtor"]},
        default="none", server_default="none",
        help="A fee on each new account: charged to the client (397) or to the debtor (398).")
    fixed_fee_amount: Mapped[Decimal] = money(
        "cs.ffa", "Fixed Fee Amount",
        help="The amount of that fixed fee, posted on each new account.")
    commission_rate: Mapped[Decimal] = percent(
        "cs.cr", "Commission Rate",
        help="Commission percent copied to each new account of this client.")
    commission_principal: Mapped[Decimal | None] = percent(
        "cs.cr1", "Rate on Principal", nullable=True, default=None, server_default=None,
        help="Commission rate on the principal part of payments, copied to new accounts; blank "
             "uses the Commission Rate.")
    commission_interest: Mapped[Decimal | None] = percent(
        "cs.cr2", "Rate on Interest", nullable=True, default=None, server_default=None,
        help="Commission rate on the interest part of payments, copied to new accounts; blank "
             "uses the Commission Rate.")
    commission_fees: Mapped[Decimal | None] = percent(
        "cs.cr3", "Rate on Fees", nullable=True, default=None, server_default=None,
        help="Commission rate on the fees part of payments, copied to new accounts; blank uses "
             "the Commission Rate.")
    commission_legal: Mapped[Decimal | None] = percent(
        "cs.cr4", "Rate on Legal", nullable=True, default=None, server_default=None,
        help="Commission rate on the legal-costs part of payments, copied to new accounts; "
             "blank uses the Commission Rate.")
    rate_plan: Mapped[str] = text(8, "cs.rpl", "Rate Plan", picklist="rate_plans",
                                  help="A commission rate plan; leave it blank for a flat rate "
                                       "(never both a plan and rates here).")
    tax_rate: Mapped[Decimal] = percent(
        "cs.tr", "Tax Rate",
        help="Percent tax on commission, copied to new accounts.")
    currency: Mapped[str] = text(4, "cs.cu", "Currency",
                                 help="The currency of this client's accounts, for information; "
                                      "blank is the system default.")
    statement_currency: Mapped[str] = text(
        4, "cs.scu", "Statement Currency",
        help="The currency of this client's statements, for information; blank is the system "
             "default.")
    sales_id: Mapped[str] = text(7, "cs.sa", "Sales ID", picklist="operators",
                                 help="The salesperson credited with new accounts.")
    operator_id: Mapped[str] = text(7, "cs.op", "Operator ID", picklist="operators",
                                    help="The operator new accounts are assigned to.")
    new_account_plan: Mapped[str] = text(
        8, "cs.np", "Contact Plan For New Accounts", picklist="contact_plans",
        help="The contact plan put in Run Plan of each new account (e.g. NEW).")
    debtor_sort_order: Mapped[str] = text(
        8, "cs.so", "Debtor Sort Order", kind="radio", info={"choices": ["name", "account"]},
        default="name", server_default="name",
        help="How accounts are sorted on this client's statements: by debtor name or by the "
             "client's account number.")

    client: Mapped[Client] = relationship(back_populates="settings")

