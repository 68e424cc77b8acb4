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

    id: Mapped[int] = field(Integer, "cl.nu", "Client #", primary_key=True)
    name: Mapped[str] = text(60, "cl.na", "Name", required=True, index=True)
    dba: Mapped[str] = text(60, "cl.dba", "D.B.A.")
    contact: Mapped[str] = text(40, "cl.co", "Contact")
    address: Mapped[str] = text(60, "cl.ad", "Address")
    address2: Mapped[str] = text(60, "cl.a2", "Address 2")
    city: Mapped[str] = text(40, "cl.ci", "City")
    state: Mapped[str] = text(4, "cl.st", "State", picklist="states")
    zip: Mapped[str] = text(12, "cl.zi", "Zip")
    country: Mapped[str] = text(4, "cl.cn", "Country", picklist="countries")
    phone: Mapped[str] = text(20, "cl.ph", "Phone", kind="phone")
    fax: Mapped[str] = text(20, "cl.fx", "Fax", kind="phone")
    email: Mapped[str] = text(80, "cl.em", "Email")
    user1: Mapped[str] = text(40, "cl.u1", "User 1")
    user2: Mapped[str] = text(40, "cl.u2", "User 2")
    user3: Mapped[str] = text(40, "cl.u3", "User 3")
    user4: Mapped[str] = text(40, "cl.u4", "User 4")
    owned_by_id: Mapped[int | None] = field(
        Integer, "cl.ob", "Owned By Client", ForeignKey("clients.id"), nullable=True, index=True
    )
    timezone: Mapped[str] = text(40, "cl.tz", "Timezone")
    type: Mapped[str] = text(4, "cl.ty", "Type", picklist="creditor_classification")
    status: Mapped[str] = text(4, "cl.sts", "Status")
    run_plan: Mapped[str] = text(8, "cl.rp", "Run Plan", picklist="contact_plans")
    # Figures, written by client recalculation (read-only on the form)
    listed: Mapped[Decimal] = money("cl.li", "Listed")
    paid: Mapped[Decimal] = money("cl.pd", "Paid")
    fees: Mapped[Decimal] = money("cl.fe", "Fees")
    adjustments: Mapped[Decimal] = money("cl.adj", "Adjustments")
    commission: Mapped[Decimal] = money("cl.cm", "Commission")
    tax: Mapped[Decimal] = money("cl.tx", "Tax")
    owing: Mapped[Decimal] = money("cl.ow", "Owing")
    success_rate: Mapped[Decimal] = percent("cl.sr", "Success Rate")
    accounts: Mapped[int] = number("cl.nac", "Accounts")
    last_recalc: Mapped[dt.date | None] = date("cl.lr", "Last Recalc")

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
    billing_period: Mapped[str] = text(10, "cs.bp", "Billing Period", picklist="billing_periods")
    remit_gross: Mapped[bool] = flag("cs.rg", "Remit as Gross Funds")
    bill_negative_to_us: Mapped[bool] = flag("cs.bn", "Bill Client for Negative To Us")
    remit_combined: Mapped[bool] = flag("cs.rc", "Remit as Combined Funds")
    bill_commission_to_debtor: Mapped[bool] = flag("cs.bcd", "Bill Commission to Debtor")
    tax_exempt: Mapped[bool] = flag("cs.te", "Client is Tax Exempt")
    report_to_bureaus: Mapped[bool] = flag("cs.rb", "Report Accounts to Bureaus")
    send_client_detail: Mapped[bool] = flag("cs.scd", "Send Client Detail to Bureaus")
    original_creditor_in: Mapped[str] = text(
        6, "cs.oc", "Original Creditor is in", kind="radio", info={"choices": ["", "user1", "user2"]}
    )
    cbr_delay_from: Mapped[str] = text(12, "cs.df", "Delay From")
    cbr_delay_days: Mapped[int | None] = field(Integer, "cs.dd", "Delay Days", nullable=True)
    cbr_min_value_of: Mapped[str] = text(16, "cs.mv", "Min Value Of")
    cbr_min_balance: Mapped[Decimal | None] = money("cs.mb", "Min Balance", nullable=True, default=None, server_default=None)
    success_rate_method: Mapped[str] = text(
        8, "cs.srm", "Success Rate", kind="radio", info={"choices": ["all", "closed", "custom"]},
        default="all", server_default="all",
    )
    exclude_reversals: Mapped[bool] = flag("cs.er", "Exclude reversals from Recalc")
    fixed_fee_mode: Mapped[str] = text(
        8, "cs.ffm", "Fixed Fees", kind="radio", info={"choices": ["none", "client", "debtor"]},
        default="none", server_default="none",
    )
    fixed_fee_amount: Mapped[Decimal] = money("cs.ffa", "Fixed Fee Amount")
    commission_rate: Mapped[Decimal] = percent("cs.cr", "Commission Rate")
    commission_principal: Mapped[Decimal | None] = percent("cs.cr1", "Rate on Principal", nullable=True, default=None, server_default=None)
    commission_interest: Mapped[Decimal | None] = percent("cs.cr2", "Rate on Interest", nullable=True, default=None, server_default=None)
    commission_fees: Mapped[Decimal | None] = percent("cs.cr3", "Rate on Fees", nullable=True, default=None, server_default=None)
    commission_legal: Mapped[Decimal | None] = percent("cs.cr4", "Rate on Legal", nullable=True, default=None, server_default=None)
    rate_plan: Mapped[str] = text(8, "cs.rpl", "Rate Plan", picklist="rate_plans")
    tax_rate: Mapped[Decimal] = percent("cs.tr", "Tax Rate")
    currency: Mapped[str] = text(4, "cs.cu", "Currency")
    statement_currency: Mapped[str] = text(4, "cs.scu", "Statement Currency")
    sales_id: Mapped[str] = text(7, "cs.sa", "Sales ID", picklist="operators")
    operator_id: Mapped[str] = text(7, "cs.op", "Operator ID", picklist="operators")
    new_account_plan: Mapped[str] = text(8, "cs.np", "Contact Plan For New Accounts", picklist="contact_plans")
    debtor_sort_order: Mapped[str] = text(
        8, "cs.so", "Debtor Sort Order", kind="radio", info={"choices": ["name", "account"]},
        default="name", server_default="name",
    )

    client: Mapped[Client] = relationship(back_populates="settings")

