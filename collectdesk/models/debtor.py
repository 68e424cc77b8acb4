"""The account: Debtor with its Detail, Interest Detail, Credit Report Details, Cosigners, groups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from .base import Base, Versioned, date, field, flag, memo, money, number, percent, text, timestamp

if TYPE_CHECKING:
    from .client import Client


class DebtorMode:
    ACTIVE = "A"
    CLOSED = "C"
    ARCHIVED = "X"
    LABELS = {ACTIVE: "Active", CLOSED: "Closed", ARCHIVED: "Archived"}


class DebtorGroup(Base):
    """Several accounts of one person, worked together."""

    __tablename__ = "debtor_groups"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = field(Integer, "dg.nu", "Group", primary_key=True)
    name: Mapped[str] = text(60, "dg.na", "Name")
    within_client_only: Mapped[bool] = flag("dg.wc", "Group within client only")


class Debtor(Versioned, Base):
    """An account.  ``id`` is the File Number: allocated by the database, never reused."""

    __tablename__ = "debtors"
    __table_args__ = (
        Index("ix_debtors_client_account", "client_id", "account"),
        Index("ix_debtors_mode_name", "mode", "name"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = field(Integer, "de.fn", "File", primary_key=True)
    file_number = synonym("id")
    client_id: Mapped[int] = field(Integer, "de.cl", "Client", ForeignKey("clients.id"), nullable=False)
    account: Mapped[str] = text(30, "de.ac", "Acct", index=True)
    # Identity and demographics (left side of the form)
    name: Mapped[str] = text(60, "de.na", "Name", required=True, index=True,
                             help="Last Name, First Middle")
    generation: Mapped[str] = text(6, "de.ge", "Generation")
    legal_entity: Mapped[str] = text(4, "de.le", "Legal Entity", picklist="legal_entities")
    address: Mapped[str] = text(60, "de.ad", "Address")
    address2: Mapped[str] = text(60, "de.a2", "Addr 1")
    city: Mapped[str] = text(40, "de.ci", "City")
    state: Mapped[str] = text(4, "de.st", "State", picklist="states")
    zip: Mapped[str] = text(12, "de.zi", "Zip")
    country: Mapped[str] = text(4, "de.cn", "Country", picklist="countries")
    address_ok: Mapped[bool] = flag("de.aok", "Address OK")
    home_phone: Mapped[str] = text(20, "de.hp", "Home", kind="phone")
    work_phone: Mapped[str] = text(20, "de.wp", "Work", kind="phone")
    cell_phone: Mapped[str] = text(20, "de.cp", "Cell", kind="phone")
    fax: Mapped[str] = text(20, "de.fx", "Fax", kind="phone")
    email: Mapped[str] = text(80, "de.em", "Email")
    ssn: Mapped[str] = text(11, "de.ss", "SSN", index=True)
    birth_date: Mapped[dt.date | None] = date("de.dob", "DOB")
    employer: Mapped[str] = text(60, "de.emp", "Employer")
    timezone: Mapped[str] = text(40, "de.tz", "Timezone")
    user1: Mapped[str] = text(40, "de.u1", "User 1")
    user2: Mapped[str] = text(40, "de.u2", "User 2")
    user3: Mapped[str] = text(40, "de.u3", "User 3")
    # Account and assignment (right side)
    mode: Mapped[str] = text(1, "de.mo", "Mode", picklist="debtor_modes", default=DebtorMode.ACTIVE,
                             server_default=DebtorMode.ACTIVE)
    status: Mapped[str] = text(4, "de.sts", "Status", picklist="status_codes")
    operator_id: Mapped[str] = text(7, "de.op", "Operator", picklist="operators", index=True)
    sales_id: Mapped[str] = text(7, "de.sa", "Sales", picklist="operators", index=True)
    type: Mapped[str] = text(4, "de.ty", "Type", picklist="debtor_types")
    forward: Mapped[str] = text(10, "de.fw", "Forward")
    legal: Mapped[str] = text(10, "de.lg", "Legal")
    summary: Mapped[str] = text(60, "de.su", "Summary")
    run_plan: Mapped[str] = text(8, "de.rp", "Run Plan", picklist="contact_plans")
    listed_date: Mapped[dt.date | None] = date("de.li", "Listed")
    charged_date: Mapped[dt.date | None] = date("de.ch", "Charged")
    delinquent_date: Mapped[dt.date | None] = date("de.dl", "Delnqnt")
    itemization_date: Mapped[dt.date | None] = date("de.itd", "Itemization")
    judgement_date: Mapped[dt.date | None] = date("de.jd", "Judgement")
    last_worked: Mapped[dt.datetime | None] = timestamp("de.lw", "Worked")
    time_barred_date: Mapped[dt.date | None] = date("de.tb", "Time Barred")
    group_id: Mapped[int | None] = field(Integer, "de.gr", "Group", ForeignKey("debtor_groups.id"),
                                        nullable=True, index=True)
    group_member: Mapped[int] = number("de.gm", "Member")
    confidential: Mapped[bool] = flag("de.cf", "Confidential")
    # Financial detail: written by the financial engine's recalculation
    original_principal: Mapped[Decimal] = money("de.opr", "Original Principal")
    judgement_principal: Mapped[Decimal] = money("de.jpr", "Judgement Principal")
    principal: Mapped[Decimal] = money("de.pr", "Principal")
    interest: Mapped[Decimal] = money("de.in", "Interest")
    fees: Mapped[Decimal] = money("de.fe", "Fees")
    legal_costs: Mapped[Decimal] = money("de.lc", "Legal")
    paid: Mapped[Decimal] = money("de.pd", "Paid")
    adjustments: Mapped[Decimal] = money("de.adj", "Adjustments")
    owing: Mapped[Decimal] = money("de.ow", "Owing")
    last_payment_date: Mapped[dt.date | None] = date("de.lpd", "Last Paid")
    last_payment_amount: Mapped[Decimal] = money("de.lpa", "Last Payment")
    commission_total: Mapped[Decimal] = money("de.cmt", "Commission")
    tax_total: Mapped[Decimal] = money("de.txt", "Tax")
    internal_total: Mapped[Decimal] = money("de.int", "Internal")
    # Commission and tax tabs (copied from Client Settings when the account is entered)
    commission_rate: Mapped[Decimal] = percent("de.cr", "Rate")
    commission_principal: Mapped[Decimal | None] = percent("de.cr1", "Rate on Principal", nullable=True, default=None, server_default=None)
    commission_interest: Mapped[Decimal | None] = percent("de.cr2", "Rate on Interest", nullable=True, default=None, server_default=None)
    commission_fees: Mapped[Decimal | None] = percent("de.cr3", "Rate on Fees", nullable=True, default=None, server_default=None)
    commission_legal: Mapped[Decimal | None] = percent("de.cr4", "Rate on Legal", nullable=True, default=None, server_default=None)
    rate_plan: Mapped[str] = text(8, "de.rpl", "Rate Plan", picklist="rate_plans")
    tax_rate: Mapped[Decimal] = percent("de.tr", "Tax Rate")
    tax_exempt: Mapped[bool] = flag("de.te", "Tax Exempt")
    bill_commission_to_debtor: Mapped[bool] = flag("de.bcd", "Bill Commission to Debtor")
    created_at: Mapped[dt.datetime | None] = timestamp("de.cre", "Created")

    client: Mapped[Client] = relationship(back_populates="debtors")
    detail: Mapped[DebtorDetail | None] = relationship(uselist=False, cascade="all, delete-orphan",
                                                       back_populates="debtor")
    interest_detail: Mapped[InterestDetail | None] = relationship(
        uselist=False, cascade="all, delete-orphan", back_populates="debtor")
    credit_report: Mapped[CreditReport | None] = relationship(
        uselist=False, cascade="all, delete-orphan", back_populates="debtor")
    group: Mapped[DebtorGroup | None] = relationship()


class DebtorDetail(Versioned, Base):
    """Clerk and Access (account access control), bank information, Detail 1-4."""

    __tablename__ = "debtor_details"
    debtor_id: Mapped[int] = mapped_column(Integer, ForeignKey("debtors.id", ondelete="CASCADE"),
                                           primary_key=True)
    clerk_id: Mapped[str] = text(7, "dd.cl", "Clerk", picklist="operators", index=True)
    access_id: Mapped[str] = text(7, "dd.ac", "Access", picklist="operators", index=True)
    bank_name: Mapped[str] = text(40, "dd.bn", "Bank")
    bank_routing: Mapped[str] = text(12, "dd.br", "Routing #")
    bank_account: Mapped[str] = text(20, "dd.ba", "Bank Account #")
    detail1: Mapped[str] = text(40, "dd.d1", "Detail 1")
    detail2: Mapped[str] = text(40, "dd.d2", "Detail 2")
    detail3: Mapped[str] = text(40, "dd.d3", "Detail 3")
    detail4: Mapped[str] = text(40, "dd.d4", "Detail 4")

    debtor: Mapped[Debtor] = relationship(back_populates="detail")


class InterestDetail(Versioned, Base):
    """Interest settings of an account: type, annual rate, Calculate-From, original interest."""

    __tablename__ = "interest_details"
    debtor_id: Mapped[int] = mapped_column(Integer, ForeignKey("debtors.id", ondelete="CASCADE"),
                                           primary_key=True)
    interest_type: Mapped[str] = text(
        10, "di.ty", "Interest Type", kind="radio",
        info={"choices": ["none", "simple", "compound"]}, default="none", server_default="none")
    annual_rate: Mapped[Decimal] = percent("di.ra", "Annual Rate")
    calculate_from: Mapped[dt.date | None] = date("di.cf", "Calculate Interest From")
    compound_period: Mapped[str] = text(10, "di.cp", "Compound", default="monthly",
                                        server_default="monthly")
    original_interest: Mapped[Decimal] = money("di.oi", "Original Interest")
    original_judgement_interest: Mapped[Decimal] = money("di.oji", "Original Judgement Interest")
    accrued_interest: Mapped[Decimal] = money("di.ai", "Accrued Interest")
    interest_adjustments: Mapped[Decimal] = money("di.adj", "Interest Adjustments")
    judgement_rate: Mapped[Decimal] = percent("di.jr", "Judgement Rate")
    payment_amount: Mapped[Decimal] = money("di.pa", "Payment Amount")
    late_fee: Mapped[Decimal] = money("di.lf", "Late Fee")
    calculate_delinquency: Mapped[bool] = flag("di.cdd", "Calculate delinquency date")

    debtor: Mapped[Debtor] = relationship(back_populates="interest_detail")


class CreditReport(Versioned, Base):
    """Credit Report Details (the CBR tab)."""

    __tablename__ = "credit_reports"
    debtor_id: Mapped[int] = mapped_column(Integer, ForeignKey("debtors.id", ondelete="CASCADE"),
                                           primary_key=True)
    report: Mapped[bool] = flag("cbr.re", "Report to credit bureau")
    start_reporting: Mapped[dt.date | None] = date("cbr.sr", "Start Reporting")
    account_status: Mapped[str] = text(2, "cbr.as", "Account Status", picklist="cbr_account_status")
    portfolio_type: Mapped[str] = text(1, "cbr.pt", "Portfolio Type", default="O", server_default="O")
    account_type: Mapped[str] = text(2, "cbr.at", "Account Type", default="48", server_default="48")
    ecoa_code: Mapped[str] = text(1, "cbr.ec", "ECOA Code", default="1", server_default="1")
    special_comment: Mapped[str] = text(2, "cbr.sc", "Special Comment")
    compliance_condition: Mapped[str] = text(2, "cbr.cc", "Compliance Condition")
    report_cosigners: Mapped[bool] = flag("cbr.rc", "Report cosigners")
    last_reported: Mapped[dt.date | None] = date("cbr.lr", "Last Reported")
    date_closed: Mapped[dt.date | None] = date("cbr.dc", "Date Closed")

    debtor: Mapped[Debtor] = relationship(back_populates="credit_report")


class CosignerClass:
    COSIGNER = "cosigner"
    EMPLOYER = "employer"
    ACH_PAYER = "ach"
    CC_PAYER = "cc"
    OTHER = "other"
    ALL = (COSIGNER, EMPLOYER, ACH_PAYER, CC_PAYER, OTHER)


class Cosigner(Versioned, Base):
    """A related party of an account (also a client's Associate)."""

    __tablename__ = "cosigners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), index=True, nullable=True)
    client_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), index=True, nullable=True)
    cosigner_class: Mapped[str] = text(10, "dc.cls", "Class", picklist="cosigner_classes",
                                       default=CosignerClass.COSIGNER,
                                       server_default=CosignerClass.COSIGNER)
    name: Mapped[str] = text(60, "dc.na", "Name", required=True)
    relationship_to_debtor: Mapped[str] = text(20, "dc.rel", "Relationship")
    address: Mapped[str] = text(60, "dc.ad", "Address")
    address2: Mapped[str] = text(60, "dc.a2", "Addr 1")
    city: Mapped[str] = text(40, "dc.ci", "City")
    state: Mapped[str] = text(4, "dc.st", "State", picklist="states")
    zip: Mapped[str] = text(12, "dc.zi", "Zip")
    country: Mapped[str] = text(4, "dc.cn", "Country", picklist="countries")
    home_phone: Mapped[str] = text(20, "dc.hp", "Home", kind="phone")
    work_phone: Mapped[str] = text(20, "dc.wp", "Work", kind="phone")
    cell_phone: Mapped[str] = text(20, "dc.cp", "Cell", kind="phone")
    email: Mapped[str] = text(80, "dc.em", "Email")
    ssn: Mapped[str] = text(11, "dc.ss", "SSN")
    birth_date: Mapped[dt.date | None] = date("dc.dob", "DOB")
    report_to_bureau: Mapped[bool] = flag("dc.rb", "Report to credit bureau")
    ecoa_code: Mapped[str] = text(1, "dc.ec", "ECOA Code", default="2", server_default="2")
    include_in_letters: Mapped[bool] = flag("dc.il", "Include in batch letters")
    notes: Mapped[str] = memo("dc.no", "Notes")

