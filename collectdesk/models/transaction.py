"""Transactions and Transaction Types.

Sign convention (seed 003): in To Us / Direct a negative amount adds to what is
owed (principal, interest, fees, legal); a positive amount reduces it (payments,
adjustments).  A transaction with no posted date is a promise and is not counted.

Financial types carry the bit values of the import module's "Account" field
(seed 001: 1 = payment, 16 = principal); the others are our decision, recorded here.
Flag bits for the import module's "Flags" field: 1 omit from client statement,
4 omit from daily cash, 16 don't calculate commission, 32 don't calculate tax
(seed 001: 53 inhibits everything, 48 leaves commission and tax as imported).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Versioned, date, field, flag, memo, money, number, percent, text


class FinancialType(enum.IntEnum):
    PAYMENT = 1
    INTEREST = 2
    FEE = 4
    LEGAL = 8
    PRINCIPAL = 16
    ADJUSTMENT = 32
    INTERNAL = 64

    @property
    def label(self) -> str:
        return self.name.title()


class TransactionFlag(enum.IntFlag):
    OMIT_FROM_STATEMENT = 1
    OMIT_FROM_DAILY_CASH = 4
    DONT_CALCULATE_COMMISSION = 16
    DONT_CALCULATE_TAX = 32


class AmountMode(enum.StrEnum):
    """How a transaction type fills the amounts when it is posted."""

    ENTER = "enter"  # enter amount on posting
    DOLLARS = "dollars"  # fixed dollar amounts to agency and commission
    PERCENT_PRINCIPAL = "pct_principal"
    PERCENT_OWING = "pct_owing"
    PERCENT_INTEREST = "pct_interest"  # of accrued interest
    PERCENT_PAYMENT = "pct_payment"  # convenience fee, capped by the commission amount


class TransactionType(Versioned, Base):
    """Settings that decide how a transaction of this code is processed and shown."""

    __tablename__ = "transaction_types"
    code: Mapped[str] = field(String(4), "tt.co", "Code", primary_key=True)
    description: Mapped[str] = text(60, "tt.de", "Description", required=True)
    is_heading: Mapped[bool] = flag("tt.hd", "Group heading")
    system_reserved: Mapped[bool] = flag("tt.sr", "System reserved")
    copy_description: Mapped[bool] = flag("tt.cd", "Copy description to transaction", default=True,
                                          server_default="1")
    financial_type: Mapped[int] = number("tt.ft", "Financial Type", kind="radio",
                                         info={"choices": [t.value for t in FinancialType]},
                                         default=int(FinancialType.PAYMENT),
                                         server_default=str(int(FinancialType.PAYMENT)))
    payment_breakdown: Mapped[bool] = flag("tt.pb", "Payment breakdown")
    amount_mode: Mapped[str] = text(14, "tt.am", "Amount", kind="radio",
                                    info={"choices": [m.value for m in AmountMode]},
                                    default=AmountMode.ENTER.value,
                                    server_default=AmountMode.ENTER.value)
    to_agency_amount: Mapped[Decimal] = money("tt.ta", "To Agency")
    commission_amount: Mapped[Decimal] = money("tt.ca", "Commission")
    percent_value: Mapped[Decimal] = percent("tt.pv", "Percent")
    omit_from_statement: Mapped[bool] = flag("tt.os", "Omit from client statement")
    omit_from_daily_cash: Mapped[bool] = flag("tt.odc", "Omit from daily cash report")
    dont_calculate_commission: Mapped[bool] = flag("tt.ncm", "Don't calculate commission")
    dont_calculate_tax: Mapped[bool] = flag("tt.ntx", "Don't calculate tax")
    show_to_us: Mapped[bool] = flag("tt.stu", "Show To Us", default=True, server_default="1")
    show_direct: Mapped[bool] = flag("tt.sdi", "Show Direct", default=True, server_default="1")
    create_invoice_number: Mapped[bool] = flag("tt.cin", "Create invoice number")
    create_receipt_number: Mapped[bool] = flag("tt.crn", "Create receipt number")
    write_note: Mapped[bool] = flag("tt.wn", "Write a note line when posted")
    operator_id: Mapped[str] = text(7, "tt.op", "Operator", picklist="operators")
    sales_id: Mapped[str] = text(7, "tt.sa", "Sales", picklist="operators")
    contact_plan: Mapped[str] = text(8, "tt.cp", "Contact Plan", picklist="contact_plans")
    commission_rate: Mapped[Decimal | None] = percent("tt.cr", "Commission Rate", nullable=True,
                                                      default=None, server_default=None)
    tax_rate: Mapped[Decimal | None] = percent("tt.tr", "Tax Rate", nullable=True, default=None,
                                               server_default=None)

    @property
    def flags(self) -> TransactionFlag:
        bits = TransactionFlag(0)
        for on, bit in (
            (self.omit_from_statement, TransactionFlag.OMIT_FROM_STATEMENT),
            (self.omit_from_daily_cash, TransactionFlag.OMIT_FROM_DAILY_CASH),
            (self.dont_calculate_commission, TransactionFlag.DONT_CALCULATE_COMMISSION),
            (self.dont_calculate_tax, TransactionFlag.DONT_CALCULATE_TAX),
        ):
            if on:
                bits |= bit
        return bits


class Transaction(Versioned, Base):
    """A financial event on an account (or a client payment when ``debtor_id`` is NULL)."""

    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_debtor_payment_date", "debtor_id", "payment_date"),
        Index("ix_transactions_client_posted", "client_id", "posted_date"),
    )

    id: Mapped[int] = field(Integer, "tr.id", "Transaction", primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), nullable=True)
    client_id: Mapped[int] = mapped_column(Integer, ForeignKey("clients.id"), nullable=False)
    type_code: Mapped[str] = text(4, "tr.ty", "Type", picklist="transaction_types",
                                  help="The transaction type (payment, principal, fee, "
                                       "interest, adjustment …): it decides how the amounts are "
                                       "applied and reported.")
    description: Mapped[str] = text(60, "tr.de", "Description",
                                    help="What the transaction is; filled from its type and "
                                         "printed on statements.")
    financial_type: Mapped[int] = number("tr.ft", "Financial Type", default=int(FinancialType.PAYMENT),
                                         server_default=str(int(FinancialType.PAYMENT)))
    to_us: Mapped[Decimal] = money("tr.tu", "To Us",
                                   help="Money paid to the agency (or charged, when negative).")
    direct: Mapped[Decimal] = money("tr.di", "Direct",
                                    help="Money paid directly to the client.")
    commission: Mapped[Decimal] = money(
        "tr.cm", "Commission",
        help="Your commission on this transaction, calculated from the rate unless Don't "
             "calculate commission is on.")
    commission_rate: Mapped[Decimal] = percent(
        "tr.cr", "Commission Rate",
        help="The commission rate on this transaction; the account's rate unless changed here.")
    tax: Mapped[Decimal] = money("tr.tx", "Tax",
                                 help="Tax on the commission, calculated unless Don't calculate "
                                      "tax is on.")
    tax_rate: Mapped[Decimal] = percent(
        "tr.tr", "Tax Rate",
        help="The tax rate on this transaction's commission; the account's rate unless changed "
             "here.")
    payment_date: Mapped[dt.date | None] = date(
        "tr.pd", "Payment Date",
        help="The date the money was paid; drives interest.")
    posted_date: Mapped[dt.date | None] = date(
        "tr.po", "Posted Date",
        help="The date it was posted; drives client statements. Blank = a promise.")
    # Payment breakdown: what this payment paid
    paid_principal: Mapped[Decimal] = money(
        "tr.bpr", "Principal",
        help="How much of the transaction went to principal.")
    paid_interest: Mapped[Decimal] = money(
        "tr.bin", "Interest",
        help="How much of the transaction went to interest.")
    paid_fees: Mapped[Decimal] = money(
        "tr.bfe", "Fees",
        help="How much of the transaction went to fees.")
    paid_legal: Mapped[Decimal] = money(
        "tr.ble", "Legal",
        help="How much of the transaction went to legal costs.")
    omit_from_statement: Mapped[bool] = flag(
        "tr.os", "Omit from client statement",
        help="Leave the transaction off the client's statement (e.g. a re-payment after a "
             "reversal the client was not billed for).")
    omit_from_daily_cash: Mapped[bool] = flag(
        "tr.odc", "Omit from daily cash report",
        help="Leave the transaction off the daily cash report: it is not money received today.")
    dont_calculate_commission: Mapped[bool] = flag(
        "tr.ncm", "Don't calculate commission",
        help="No commission on this transaction.")
    dont_calculate_tax: Mapped[bool] = flag(
        "tr.ntx", "Don't calculate tax",
        help="No tax on this transaction's commission.")
    operator_id: Mapped[str] = text(7, "tr.op", "Operator", picklist="operators",
                                    help="The operator credited with the transaction "
                                         "(commission, productivity reports).")
    sales_id: Mapped[str] = text(7, "tr.sa", "Sales", picklist="operators",
                                 help="The salesperson credited with the transaction.")
    invoice_number: Mapped[str] = text(
        12, "tr.in", "Invoice #",
        help="The invoice (statement) this transaction was billed on.")
    receipt_number: Mapped[str] = text(
        12, "tr.rn", "Receipt #",
        help="The receipt number given to the debtor.")
    reference: Mapped[str] = text(30, "tr.ref", "Reference",
                                  help="A reference such as the check number or the card "
                                       "authorization.")
    statement_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("invoices.id"), nullable=True)
    notes: Mapped[str] = memo("tr.no", "Notes",
                              help="Free notes about the transaction.")


class CommissionShare(Base):
    """A DISTRIBUTION team member's part of a transaction's commission (seed 003 "Operator
    Setup": "Any commissions will be calculated and divided up among the Sales Team members
    using the commission percentages").  A transaction whose operator (``role`` "operator")
    or sales (``role`` "sales") is a team has one row per member; the rows of a role add up
    to the transaction's commission exactly.  Commission reports read these rows."""

    __tablename__ = "commission_shares"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("transactions.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = text(8)
    team_id: Mapped[str] = text(7)
    operator_id: Mapped[str] = text(7, index=True)
    amount: Mapped[Decimal] = money()
