"""Configuration records: commission rate plans, report definitions, invoices, import maps."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import CURRENCY, Base, Versioned, date, field, flag, memo, money, number, percent, text


class RatePlanKind(enum.StrEnum):
    AGE_CHARGED = "age_charged"
    AGE_DELINQUENT = "age_delinquent"
    LIST_AMOUNT = "list_amount"
    PAYMENT_AMOUNT = "payment_amount"
    PAID_TO_DATE = "paid_to_date"
    REMAINING_BALANCE = "remaining_balance"
    DAYS_FROM_LISTING = "days_from_listing"
    DAYS_FROM_CHARGED = "days_from_charged"
    DAYS_FROM_DELINQUENT = "days_from_delinquent"


class CommissionRatePlan(Versioned, Base):
    __tablename__ = "commission_rate_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = text(8, "rp.co", "Code", required=True, unique=True)
    description: Mapped[str] = text(60, "rp.de", "Description")
    kind: Mapped[str] = text(20, "rp.ki", "Plan Type", picklist="rate_plan_kinds", required=True)

    tiers: Mapped[list[CommissionRateTier]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CommissionRateTier.seq")


class CommissionRateTier(Versioned, Base):
    """One level of a rate plan: a from/to range (days or dollars), the rate, min/max commission."""

    __tablename__ = "commission_rate_tiers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("commission_rate_plans.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = number("rt.sq", "Level")
    range_from: Mapped[Decimal] = field(CURRENCY, "rt.fr", "From", default=Decimal("0"),
                                        server_default="0")
    range_to: Mapped[Decimal] = field(CURRENCY, "rt.to", "To", default=Decimal("0"),
                                      server_default="0")
    rate: Mapped[Decimal] = percent("rt.ra", "Rate")
    min_commission: Mapped[Decimal | None] = money("rt.mi", "Min", nullable=True, default=None,
                                                   server_default=None)
    max_commission: Mapped[Decimal | None] = money("rt.mx", "Max", nullable=True, default=None,
                                                   server_default=None)

    plan: Mapped[CommissionRatePlan] = relationship(back_populates="tiers")


class ReportDefinition(Versioned, Base):
    """A report or letter: the body holds printable field codes (@de.na, @cl.na, @cd.tr …)."""

    __tablename__ = "report_definitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = text(60, "rd.na", "Name", required=True, unique=True)
    description: Mapped[str] = text(80, "rd.de", "Description")
    is_letter: Mapped[bool] = flag("rd.le", "Letter")
    start_on: Mapped[str] = text(20, "rd.so", "Start On", picklist="report_start_on")
    body: Mapped[str] = memo("rd.bo", "Report Body")
    destination: Mapped[str] = text(10, "rd.ds", "Destination", kind="radio",
                                    info={"choices": ["screen", "printer", "pdf", "file"]},
                                    default="screen", server_default="screen")
    file_name: Mapped[str] = text(120, "rd.fn", "File Name")
    letter_number: Mapped[str] = text(10, "rd.ln", "Letter Number")
    ncoa_check: Mapped[bool] = flag("rd.nc", "NCOA Check")


class Invoice(Versioned, Base):
    """A client invoice / statement for a billing period, with 30/60/90 aging."""

    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[str] = text(12, "iv.nu", "Invoice #")
    invoice_date: Mapped[dt.date | None] = date("iv.da", "Date")
    period_from: Mapped[dt.date | None] = date("iv.pf", "From")
    period_to: Mapped[dt.date | None] = date("iv.pt", "To")
    remit_type: Mapped[str] = text(8, "iv.rt", "Remit Type", default="net", server_default="net")
    paid_agency: Mapped[Decimal] = money("iv.pa", "Paid Agency")
    paid_direct: Mapped[Decimal] = money("iv.pdi", "Paid Client")
    commission: Mapped[Decimal] = money("iv.cm", "Commission")
    fees: Mapped[Decimal] = money("iv.fe", "Fees")
    tax: Mapped[Decimal] = money("iv.tx", "Tax")
    balance_forward: Mapped[Decimal] = money("iv.bf", "Balance Forward")
    total: Mapped[Decimal] = money("iv.to", "Total")
    aged_30: Mapped[Decimal] = money("iv.30", "30 Days")
    aged_60: Mapped[Decimal] = money("iv.60", "60 Days")
    aged_90: Mapped[Decimal] = money("iv.90", "90 Days")


class FileFormat(Versioned, Base):
    """An import map, level 1: global settings (File Format Specification)."""

    __tablename__ = "import_file_formats"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = text(60, "ff.na", "Name", required=True, unique=True)
    file: Mapped[str] = text(255, "ff.fi", "File")
    note: Mapped[str] = memo("ff.no", "Note")
    layout: Mapped[str] = text(8, "ff.la", "Format", kind="radio",
                               info={"choices": ["fixed", "comma", "other"]},
                               default="comma", server_default="comma")
    field_delimiter_hex: Mapped[str] = text(8, "ff.fd", "Field delimiter (hex)")
    record_delimiter_hex: Mapped[str] = text(8, "ff.rd", "Record delimiter (hex)")
    crlf_line_endings: Mapped[bool] = flag("ff.crlf", "CRLF Line Endings")
    client_id: Mapped[int | None] = field(Integer, "ff.cl", "Client", ForeignKey("clients.id"),
                                          nullable=True)
    apply_client_settings: Mapped[bool] = flag("ff.acs", "Apply Client Settings")
    include_transaction_posting: Mapped[bool] = flag("ff.itp", "Include Transaction Posting")
    first_line_labels: Mapped[bool] = flag("ff.fl", "First Line Contains Labels")
    last_line_footer: Mapped[bool] = flag("ff.ll", "Last Line Contains Footer")
    recalculate_accounts: Mapped[bool] = flag("ff.ra", "Recalculate Accounts")
    manage_promises: Mapped[bool] = flag("ff.mp", "Manage Promises")
    transaction_type_mode: Mapped[str] = text(8, "ff.ttm", "Use Transaction Type",
                                              kind="radio", info={"choices": ["", "before", "after"]})
    autocreate_subrecords: Mapped[bool] = flag("ff.ac", "Auto-Create Phone, Email, and Address Records")
    disable_tagging: Mapped[bool] = flag("ff.dt", "Disable Record Tagging")
    date_order: Mapped[str] = text(8, "ff.do", "Date Format", default="MDY", server_default="MDY")
    date_leading_zeros: Mapped[bool] = flag("ff.dz", "Leading zeros", default=True, server_default="1")
    date_four_digit_year: Mapped[bool] = flag("ff.dy", "4 digit year", default=True, server_default="1")
    date_separator: Mapped[str] = text(2, "ff.ds", "Date separator", default="/", server_default="/")

    records: Mapped[list[ImportRecord]] = relationship(
        back_populates="file_format", cascade="all, delete-orphan", order_by="ImportRecord.seq")


class ImportRecord(Versioned, Base):
    """An import map, level 2: the record being imported (Debtor, Cosigner, Transaction …)."""

    __tablename__ = "import_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_format_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("import_file_formats.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = number("ir.sq", "Order")
    record: Mapped[str] = text(20, "ir.re", "Record", picklist="import_record_types", required=True)
    identifier: Mapped[str] = text(40, "ir.id", "Identifier")
    offset: Mapped[int] = number("ir.of", "Offset")

    file_format: Mapped[FileFormat] = relationship(back_populates="records")
    fields: Mapped[list[ImportField]] = relationship(
        back_populates="record_definition", cascade="all, delete-orphan", order_by="ImportField.seq")


class ImportField(Versioned, Base):
    """An import map, level 3: one field (a printable code) and how its data is read and applied."""

    __tablename__ = "import_fields"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("import_records.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = number("if.sq", "Order")
    field_code: Mapped[str] = text(16, "if.fc", "Field")
    note: Mapped[str] = text(80, "if.no", "Note", help="@A or @0 selects a column; @> advances")
    offset: Mapped[int] = number("if.of", "Offset")
    length: Mapped[int] = number("if.le", "Length")
    lines_after_identifier: Mapped[int] = number("if.la", "Lines After Identifier")
    use_key: Mapped[bool] = flag("if.uk", "Use as key to find existing")
    exact_match: Mapped[bool] = flag("if.em", "Exact match")
    inhibit_autocreate: Mapped[bool] = flag("if.ia", "Inhibit autocreate")
    skip_subrecords: Mapped[bool] = flag("if.ss", "Skip subrecords")
    skip_if_found: Mapped[bool] = flag("if.sf", "Skip if found")
    log_skipped: Mapped[bool] = flag("if.ls", "Log skipped")
    preserve_existing: Mapped[bool] = flag("if.pe", "Preserve Existing Data")
    disable_log_to_notes: Mapped[bool] = flag("if.dl", "Disable Log to Notes")
    append: Mapped[str] = text(6, "if.ap", "Append to Existing Data", kind="radio",
                               info={"choices": ["", "comma", "space", "plain"]})
    change_case: Mapped[str] = text(6, "if.cc", "Change Case", kind="radio",
                                    info={"choices": ["", "upper", "lower", "proper"]})
    strip_non_numeric: Mapped[bool] = flag("if.sn", "Strip non-numerics")
    multiply_by: Mapped[Decimal | None] = field(Numeric(18, 6), "if.mb", "Multiply By",
                                                nullable=True)
    default_value: Mapped[str] = text(80, "if.dv", "Default Value")
    fill_value: Mapped[str] = text(80, "if.fv", "Fill Value")
    scan_for: Mapped[str] = text(80, "if.sc", "Scan For")
    condition: Mapped[str] = text(12, "if.co", "Conditional Criteria", default="blank_ok",
                                  server_default="blank_ok")
    fail_cancels_field_only: Mapped[bool] = flag("if.fc1", "Fail Cancels Field Only")
    date_order: Mapped[str] = text(8, "if.do", "Date Format")

    record_definition: Mapped[ImportRecord] = relationship(back_populates="fields")
