"""Company Details (one row per database) and the system / operator preferences."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Versioned, field, flag, percent, text


class CompanyDetails(Versioned, Base):
    """Name and address printed on letters and in the Metro 2 header; global defaults."""

    __tablename__ = "company_details"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = text(60, "cd.na", "Name", required=True)
    address: Mapped[str] = text(60, "cd.ad", "Address")
    address2: Mapped[str] = text(60, "cd.a2", "Address 2")
    address3: Mapped[str] = text(60, "cd.a3", "Address 3")
    representative: Mapped[str] = text(40, "cd.re", "Representative")
    city: Mapped[str] = text(40, "cd.ci", "City")
    state: Mapped[str] = text(4, "cd.st", "State", picklist="states")
    zip: Mapped[str] = text(12, "cd.zi", "Zip")
    country: Mapped[str] = text(4, "cd.cn", "Country", picklist="countries")
    email: Mapped[str] = text(80, "cd.em", "Email")
    website: Mapped[str] = text(80, "cd.ws", "Website")
    phone: Mapped[str] = text(20, "cd.ph", "Phone", kind="phone")
    phone_ext: Mapped[str] = text(8, "cd.pe", "Phone Ext")
    fax: Mapped[str] = text(20, "cd.fx", "Fax", kind="phone")
    fax_ext: Mapped[str] = text(8, "cd.fe", "Fax Ext")
    cell: Mapped[str] = text(20, "cd.ce", "Cell", kind="phone")
    cell_ext: Mapped[str] = text(8, "cd.cx", "Cell Ext")
    # Detail tab
    report_as_credit_grantor: Mapped[bool] = flag("cd.cg", "Report as credit grantor")
    multi_currency: Mapped[bool] = flag("cd.mc", "Multi-Currency")
    # Commission tab: company-wide flat rate copied into new clients
    commission_rate: Mapped[Decimal] = percent("cd.cr", "Commission Rate")
    rate_plan: Mapped[str] = text(8, "cd.rpl", "Rate Plan", picklist="rate_plans")
    # Tax tab
    tax_rate: Mapped[Decimal] = percent("cd.tr", "Tax Rate")
    taxation_number: Mapped[str] = text(30, "cd.tn", "Taxation #")
    dont_calculate_tax: Mapped[bool] = flag("cd.nt", "Don't Calculate Tax")


class Preferences(Base):
    """System preferences (``operator_id`` NULL) and an operator's own overrides.

    Every setting column is nullable on operator rows: NULL means "use the system
    value", like the original's Save System / Save Operator configuration files.
    """

    __tablename__ = "preferences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[str | None] = mapped_column(
        String(7), ForeignKey("operators.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    # WIP options
    schedule_on_weekends: Mapped[bool | None] = field(Boolean, "sy.we", "Schedule contacts on weekends", nullable=True)
    wip_sort: Mapped[str | None] = field(String(10), "sy.ws", "WIP Sort", nullable=True)
    display_dialer: Mapped[bool | None] = field(Boolean, "sy.dd", "Automatically display dialer", nullable=True)
    cache_contact_plans: Mapped[bool | None] = field(Boolean, "sy.cc", "Cache contact plans", nullable=True)
    # Screen and messages: plans run on changes, phone input
    operator_change_plan: Mapped[str | None] = field(String(8), "sy.ocp", "Run plan on operator change", nullable=True)
    phone_change_plan: Mapped[str | None] = field(String(8), "sy.pcp", "Run plan on phone change", nullable=True)
    payment_posting_plan: Mapped[str | None] = field(String(8), "sy.ppp", "Default payment posting plan", nullable=True)
    only_numeric_phones: Mapped[bool | None] = field(Boolean, "sy.onp", "Only numerics in phone fields", nullable=True)
    odbc_debug_log: Mapped[bool | None] = field(Boolean, "sy.odl", "ODBC debug logging", nullable=True)
    # Auto dialer setup
    prompt_before_dialing: Mapped[bool | None] = field(Boolean, "sy.pbd", "Prompt before dialing", nullable=True)
    dial_digits_only: Mapped[bool | None] = field(Boolean, "sy.ddo", "Dial digits only", nullable=True)
    long_distance_prefix: Mapped[str | None] = field(String(4), "sy.ldp", "Long distance prefix", nullable=True)
    local_area_code: Mapped[str | None] = field(String(4), "sy.lac", "Local area code", nullable=True)
