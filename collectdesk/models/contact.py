"""Contacts (scheduled events), contact plans and their events, status codes and compliance rules."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Versioned, date, field, flag, memo, money, number, text, time, timestamp


class ContactType(enum.StrEnum):
    LETTER = "Letter"
    PHONE = "Phone"
    REVIEW = "Review"
    PROMISE = "Promise"
    OTHER = "Other"
    EMAIL = "Email"
    TEXT = "Text"
    NOTE = "Note"
    STATUS = "Status"
    ACTIVATE = "Activate"
    CLOSE = "Close"
    OPERATOR = "Operator"
    SALES = "Sales"
    EDIT = "Edit"
    COMMISSION = "Commission"
    RATE_PLAN = "Rate Plan"
    TRANSACTION = "Transaction"
    PLAN = "Plan"
    ODBC = "ODBC"
    METRO = "Metro"
    CLIENT = "Client"


#: Contact types that put an account in a collector's WIP list.
WIP_TYPES = (ContactType.REVIEW, ContactType.PHONE, ContactType.PROMISE, ContactType.OTHER)


class Contact(Versioned, Base):
    """A scheduled event on an account or a client; In Progress until completed."""

    __tablename__ = "contacts"
    __table_args__ = (
        # Covers the WIP list's query: its first page and counts never read a contact row;
        # by type first, the four WIP types are four ranges that skip letters and the like.
        Index("ix_contacts_wip", "operator_id", "done", "type", "due_date", "priority",
              "due_time", "debtor_id"),
        Index("ix_contacts_due", "done", "due_date"),
        # An account's contacts, In Progress ones told apart in the index itself: a plan's
        # deletion rules and the account's lists skip its completed history unread.
        Index("ix_contacts_debtor_id", "debtor_id", "done"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), nullable=True)
    client_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=True, index=True)
    cosigner_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cosigners.id", ondelete="SET NULL"), nullable=True)
    type: Mapped[str] = text(12, "co.ty", "Type", picklist="contact_types", required=True,
                             help="What kind of event: Phone, Letter, Review, Promise, Other … "
                                  "Phone, Review, Promise and Other contacts appear in the "
                                  "operator's WIP list.")
    done: Mapped[bool] = flag("co.dn", "Completed",
                              help="Completed contacts leave the WIP list.")
    priority: Mapped[int] = number("co.pr", "Priority",
                                   help="Higher numbers come first in a WIP list sorted by "
                                        "priority.")
    operator_id: Mapped[str] = text(7, "co.op", "Operator", picklist="operators",
                                    help="Whose WIP list the contact is in.")
    due_date: Mapped[dt.date | None] = date(
        "co.dd", "Due Date",
        help="The day the contact is due; it is in the operator's WIP list from that day.")
    due_time: Mapped[dt.time | None] = time(
        "co.dt", "Time",
        help="The time of day it is due; blank for any time.")
    description: Mapped[str] = text(80, "co.de", "Description",
                                    help="What to do, or what happened, as the WIP list and the "
                                         "Contacts tab show it.")
    attachment: Mapped[str] = text(120, "co.at", "Attachment",
                                   help="A file or letter attached to the contact.")
    call_result: Mapped[int] = number(
        "co.cr", "Call Result", picklist="call_results",
        help="The result of the call (no answer, spoke to debtor …), recorded by the Call "
             "Result form after dialing.")
    amount: Mapped[Decimal] = money("co.am", "Amount",
                                    help="The promised amount of a Promise; the promise is kept "
                                         "when it is paid in full.")
    repeat_days: Mapped[int] = number(
        "co.rep", "Repeat every (days)",
        help="When completed, the contact is scheduled again this many days later; 0 for once.")
    print_now: Mapped[bool] = flag("co.pn", "Print now",
                                   help="Print the letter at once instead of in batch printing.")
    rpc_override: Mapped[bool] = flag(
        "co.rpc", "RPC override",
        help="Right-party-contact override: the contact controls' limit on right-party calls "
             "does not stop this call.")
    plan_code: Mapped[str] = text(8, "co.pl", "Plan",
                                  help="The contact plan that scheduled this contact.")
    created_at: Mapped[dt.datetime | None] = timestamp("co.cre", "Created")
    completed_at: Mapped[dt.datetime | None] = timestamp("co.cmp", "Completed At")
    notes: Mapped[str] = memo("co.no", "Notes",
                              help="Free notes about the contact.")


class ContactPlan(Versioned, Base):
    """A collection strategy: events run in the seed's ten processing groups."""

    __tablename__ = "contact_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = text(8, "cp.co", "Code", required=True, unique=True)
    description: Mapped[str] = text(60, "cp.de", "Description")
    delete_all_pending: Mapped[bool] = flag("cp.dap", "Delete all pending contacts")
    prompt_before_deleting: Mapped[bool] = flag("cp.pbd", "Prompt before deleting")
    prompt_for_start_date: Mapped[bool] = flag("cp.psd", "Prompt for start date")

    events: Mapped[list[PlanEvent]] = relationship(
        back_populates="plan", order_by="PlanEvent.seq", cascade="all, delete-orphan")


class Assign:
    ACCOUNT_OPERATOR = "account"
    SPECIFIC_OPERATOR = "specific"


class PlanEvent(Versioned, Base):
    """One event of a contact plan: what to schedule, when, for whom, and on which condition."""

    __tablename__ = "plan_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(Integer, ForeignKey("contact_plans.id", ondelete="CASCADE"),
                                         index=True)
    seq: Mapped[int] = number("ev.sq", "Order")
    type: Mapped[str] = text(12, "ev.ty", "Type", picklist="contact_types", required=True)
    description: Mapped[str] = text(80, "ev.de", "Description")
    assign: Mapped[str] = text(10, "ev.as", "Assign", kind="radio",
                               info={"choices": [Assign.ACCOUNT_OPERATOR, Assign.SPECIFIC_OPERATOR]},
                               default=Assign.ACCOUNT_OPERATOR, server_default=Assign.ACCOUNT_OPERATOR)
    operator_id: Mapped[str] = text(7, "ev.op", "Operator", picklist="operators")
    priority: Mapped[int] = number("ev.pr", "Priority")
    use_delay_days: Mapped[bool] = flag("ev.udd", "Delay days")
    delay_days: Mapped[int] = number("ev.dd", "Days")
    use_day_of_month: Mapped[bool] = flag("ev.udm", "Day of month")
    day_of_month: Mapped[int] = number("ev.dm", "Day")
    next_month_same_day: Mapped[bool] = flag("ev.nm", "Next month same day")
    use_delay_minutes: Mapped[bool] = flag("ev.udn", "Delay")
    delay_minutes: Mapped[int] = number("ev.dn", "Minutes")
    timeless: Mapped[bool] = flag("ev.tl", "Timeless")
    time_of_day: Mapped[dt.time | None] = time("ev.tm", "Time")
    prompt_to_confirm: Mapped[bool] = flag("ev.pc", "Prompt to confirm details")
    delete_same_type: Mapped[bool] = flag("ev.dst", "Delete same type contacts")
    same_description_only: Mapped[bool] = flag("ev.sdo", "Same description only")
    print_now: Mapped[bool] = flag("ev.pn", "Print now")
    schedule_if_field: Mapped[str] = text(16, "ev.if", "Schedule if")
    schedule_if_op: Mapped[str] = text(2, "ev.ifo", "Condition")
    schedule_if_from: Mapped[str] = text(60, "ev.iff", "Value")
    schedule_if_to: Mapped[str] = text(60, "ev.ift", "To")
    attachment: Mapped[str] = text(120, "ev.at", "Attachment")
    transaction_type: Mapped[str] = text(4, "ev.tt", "Transaction Type", picklist="transaction_types")
    amount: Mapped[Decimal] = money("ev.am", "Amount")
    repeat_days: Mapped[int] = number("ev.rep", "Repeat every (days)")

    plan: Mapped[ContactPlan] = relationship(back_populates="events")


class StatusCode(Versioned, Base):
    __tablename__ = "status_codes"
    code: Mapped[str] = field(String(4), "sc.co", "Code", primary_key=True)
    description: Mapped[str] = text(40, "sc.de", "Description")
    wip_priority: Mapped[int] = number("sc.wp", "WIP Priority")
    run_plan: Mapped[str] = text(8, "sc.rp", "Run Plan", picklist="contact_plans")
    listing_reversal: Mapped[bool] = flag("sc.lr", "Listing Reversal")


class Holiday(Versioned, Base):
    __tablename__ = "holidays"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[dt.date] = field(Date, "ho.da", "Date", unique=True,
                                  nullable=False)
    description: Mapped[str] = text(40, "ho.de", "Description")


class ContactControl(Versioned, Base):
    """A rule against over-contacting: maximum contacts of a type per period, calling hours."""

    __tablename__ = "contact_controls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_type: Mapped[str] = text(8, "cc.ty", "Contact Type", kind="radio",
                                     info={"choices": ["call", "text", "email", "letter"]},
                                     required=True)
    description: Mapped[str] = text(40, "cc.de", "Description")
    state: Mapped[str] = text(4, "cc.st", "State", picklist="states")
    country: Mapped[str] = text(4, "cc.cn", "Country", picklist="countries")
    maximum: Mapped[int] = number("cc.mx", "Maximum Number of Times")
    period: Mapped[str] = text(8, "cc.pe", "Period", picklist="control_periods",
                               default="week", server_default="week")
    apply_to_group: Mapped[bool] = flag("cc.ag", "Apply to Group")
    call_from: Mapped[dt.time | None] = time("cc.cf", "Legal Calling Times From")
    call_to: Mapped[dt.time | None] = time("cc.ct", "To")
    hold_days: Mapped[int] = number("cc.hd", "Hold for (days)")
    attempt_types: Mapped[str] = text(120, "cc.at", "Call Attempt Types")
    rpc_types: Mapped[str] = text(120, "cc.rt", "Call RPC Types")
    validation_days: Mapped[int] = number("cc.vd", "Validation Period")
    validation_business_days: Mapped[bool] = flag("cc.vb", "Business days")
    sms_reauth_days: Mapped[int] = number("cc.sr", "SMS Reauth")


class StatuteOfLimitations(Versioned, Base):
    __tablename__ = "statutes_of_limitations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = text(4, "sl.st", "State", picklist="states")
    periods: Mapped[int] = number("sl.np", "Number Periods")
    period_unit: Mapped[str] = text(6, "sl.pe", "Period", picklist="sol_periods",
                                    default="years", server_default="years")
    exclude_payment_date: Mapped[bool] = flag("sl.ep", "Exclude Payment Date")
    judgement_periods: Mapped[int] = number("sl.jp", "Judgement Number Periods")
    judgement_unit: Mapped[str] = text(6, "sl.ju", "Judgement Period", picklist="sol_periods",
                                       default="years", server_default="years")
