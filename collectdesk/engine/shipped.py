"""The system rows every new database ships with, and the legacy ``.pck`` pick list reader.

:func:`install_system_rows` fills a fresh database (``demodb`` or ``masterdb``) and tops up an
older one: it inserts only what is missing, keyed by code or name, and never overwrites a row a
manager has edited (the one exception: reserved transaction codes and group headings get their
``system_reserved`` / ``is_heading`` flags back, because the engine relies on them).  The caller
commits.

Everything below is data (STYLE point 6): transaction types, status codes, contact plans, rate
plans and operators are rows the manager edits afterwards.  Values come from seed 003, the setup
manual: "Viewing The List Of Transaction Types", "System Reserved Types", every "... Sample"
section, "Contact Plan Samples", "Commission Rate Plan Sample - ...", "Operator Setup" and
"Default Call Results On Contact Form".  Where the seed is silent a comment says what was chosen.

Pick list files (``picklists/*.pck``)
-------------------------------------
One entry per line: the key in double quotes, then the text shown::

    ;type=text
    ; a comment
    "CA" California
    "WA"
    " "

* optional first line ``;type=numeric|text|currency|percent|date`` (default ``text``);
* the key is stored, the text is shown; an empty text shows the key;
* a blank key ``" "`` means the user may type a value that is not in the list;
* lines starting with ``;`` are comments, blank lines are ignored;
* keys are trimmed, unique within the file, cannot contain ``"`` and must match the type.

:func:`parse_pck` raises :class:`PickListFileError` naming the file and line of a mistake.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    AmountMode,
    Assign,
    Base,
    CommissionRatePlan,
    CommissionRateTier,
    CompanyDetails,
    ContactPlan,
    ContactType,
    FinancialType,
    Operator,
    OperatorType,
    PickList,
    PickListEntry,
    PlanEvent,
    Preferences,
    RatePlanKind,
    StatusCode,
    TransactionType,
)
from ..paths import picklists_dir
from .passwords import hash_password


#: Pick lists built at run time from tables, never from a file.
DYNAMIC_PICKLISTS = frozenset(
    {"operators", "status_codes", "contact_plans", "transaction_types", "rate_plans"}
)

#: Shipped ``.pck`` files that no model field names, kept on purpose (for access-rights pick
#: lists a manager attaches by hand).  Empty today; the tests fail on any other orphan file.
EXTRA_PICKLISTS: frozenset[str] = frozenset()

PICKLIST_TYPES = ("text", "numeric", "currency", "percent", "date")

ZERO = Decimal("0.00")


# ---------------------------------------------------------------------------------------------
# Pick list files
# ---------------------------------------------------------------------------------------------


class PickListFileError(ValueError):
    """A ``.pck`` file is malformed; the message names the file and the line."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__(f"{source} line {line}: {reason}")


class PckEntry(NamedTuple):
    key: str
    text: str


_TYPE_LINE = re.compile(r"^;\s*type\s*=\s*(\S*)\s*$", re.IGNORECASE)


def parse_pck(text: str, source: str = "<pick list>") -> tuple[str, list[PckEntry]]:
    """Read a legacy pick list: ``(data_type, entries)`` in file order.

    ``source`` (usually the file name) is used in error messages.
    """
    data_type = "text"
    entries: list[PckEntry] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        try:
            if line.startswith(";"):
                data_type = _read_type_line(line, number) or data_type
            elif line:
                entry = _read_entry(line, data_type)
                if entry.key in seen:
                    what = f"key {entry.key!r}" if entry.key else "the blank key"
                    raise ValueError(f"{what} is already on line {seen[entry.key]}")
                seen[entry.key] = number
                entries.append(entry)
        except ValueError as exc:
            raise PickListFileError(source, number, str(exc)) from None
    return data_type, entries


def _read_type_line(line: str, number: int) -> str | None:
    """The data type of a ``;type=`` line; ``None`` for an ordinary comment."""
    match = _TYPE_LINE.match(line)
    if not match:
        return None
    if number != 1:
        raise ValueError("the ;type= line must be the first line")
    data_type = match.group(1).lower()
    if data_type not in PICKLIST_TYPES:
        choices = ", ".join(PICKLIST_TYPES)
        raise ValueError(f"unknown type {match.group(1)!r} (use one of {choices})")
    return data_type


def _read_entry(line: str, data_type: str) -> PckEntry:
    if not line.startswith('"'):
        raise ValueError('an entry must start with its key in double quotes, e.g. "CA" California')
    end = line.find('"', 1)
    if end < 0:
        raise ValueError("unterminated key (no closing double quote)")
    key, shown = line[1:end].strip(), line[end + 1:].strip()
    if shown.startswith('"'):
        raise ValueError("only one quoted key per line")
    if len(key) > 60:
        raise ValueError(f"key {key!r} is longer than 60 characters")
    if key and not _key_matches_type(key, data_type):
        raise ValueError(f"key {key!r} is not {_TYPE_NAMES[data_type]} (type {data_type})")
    return PckEntry(key, shown)


_TYPE_NAMES = {"text": "text", "numeric": "a whole number", "currency": "a number",
               "percent": "a number", "date": "a date (MM/DD/YYYY or YYYY-MM-DD)"}


def _key_matches_type(key: str, data_type: str) -> bool:
    if data_type == "numeric":
        return re.fullmatch(r"-?\d+", key) is not None
    if data_type in ("currency", "percent"):
        try:
            return Decimal(key).is_finite()
        except InvalidOperation:
            return False
    if data_type == "date":
        for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
            try:
                dt.datetime.strptime(key, fmt)
                return True
            except ValueError:
                pass
        return False
    return True


def read_pck_file(path: Path) -> tuple[str, list[PckEntry]]:
    return parse_pck(path.read_text(encoding="utf-8"), source=path.name)


def shipped_pick_list_files(directory: Path | None = None) -> dict[str, Path]:
    """Pick list name (file stem) → file, for every ``.pck`` in ``directory``."""
    directory = directory or picklists_dir()
    return {p.stem: p for p in sorted(directory.glob("*.pck"))}


def model_picklist_names() -> dict[str, list[str]]:
    """Every ``picklist="…"`` named by a model column → the printable codes that name it."""
    names: dict[str, list[str]] = {}
    for mapper in Base.registry.mappers:
        for attr in mapper.column_attrs:
            info = attr.columns[0].info
            name = info.get("picklist")
            if name:
                where = info.get("code") or f"{mapper.class_.__name__}.{attr.key}"
                names.setdefault(name, []).append(where)
    return names


def _pick_list_description(name: str) -> str:
    return name.replace("_", " ").title()


def install_pick_lists(session: Session, directory: Path | None = None) -> list[str]:
    """Load every shipped ``.pck`` whose list the database lacks; return the names added."""
    existing = set(session.scalars(select(PickList.name)))
    added = []
    for name, path in shipped_pick_list_files(directory).items():
        if name in existing or name in DYNAMIC_PICKLISTS:
            continue
        data_type, entries = read_pck_file(path)
        pick_list = PickList(name=name, data_type=data_type, system=True,
                             description=_pick_list_description(name))
        pick_list.entries = [
            PickListEntry(order=i, key=e.key, text=e.text) for i, e in enumerate(entries, start=1)
        ]
        session.add(pick_list)
        added.append(name)
    return added


# ---------------------------------------------------------------------------------------------
# Transaction types
# ---------------------------------------------------------------------------------------------

HEADING_CODES = ("100", "200", "300", "400", "500", "600")

#: "System Reserved Types": must exist, should not be changed.
RESERVED_CODES = (
    "194", "195", "196", "197", "294", "394", "397", "398", "399", "499", "599",
    "1081", "1082", "1083", "1084", "1085",
)

_FT = FinancialType


@dataclass(frozen=True)
class TypeSpec:
    """One shipped transaction type.  ``omit``: S = client statement, D = daily cash report;
    ``no_calc``: C = commission, T = tax.  ``None`` takes the group heading's setting."""

    code: str
    description: str
    financial_type: FinancialType | None = None
    omit: str | None = None
    no_calc: str | None = None
    amount_mode: AmountMode = AmountMode.ENTER
    to_agency_amount: Decimal = ZERO
    commission_amount: Decimal = ZERO
    percent_value: Decimal = Decimal("0.000")
    commission_rate: Decimal | None = None
    show_to_us: bool = True
    show_direct: bool = True
    write_note: bool = False

    def group(self) -> str:
        return self.code[0] if len(self.code) == 3 else ""


# The heading of each group carries the defaults of its group ("Each group heading has default
# settings that generally apply to the whole group").  Payments: nothing omitted, commission and
# tax calculated (101 sample).  Legal, fees, interest, adjustments: omitted from both reports,
# no commission, no tax (201, 301/351/399, 401, 501 samples).  Internal: everything off (601).
GROUP_DEFAULTS: Mapping[str, tuple[FinancialType, str, str]] = {
    "1": (_FT.PAYMENT, "", ""),
    "2": (_FT.LEGAL, "SD", "CT"),
    "3": (_FT.FEE, "SD", "CT"),
    "4": (_FT.INTEREST, "SD", "CT"),
    "5": (_FT.ADJUSTMENT, "SD", "CT"),
    "6": (_FT.INTERNAL, "SD", "CT"),
}

# Amounts owed, not money received: omitted from both reports, no commission, no tax.
_OWED = {"omit": "SD", "no_calc": "CT"}

TRANSACTION_TYPES: tuple[TypeSpec, ...] = (
    # --- 100 PAYMENTS AND SYSTEM -------------------------------------------------------------
    TypeSpec("100", "PAYMENTS AND SYSTEM"),
    TypeSpec("101", "Check Payment"),  # "Payment By Check Sample": nothing omitted, calc all
    TypeSpec("102", "Cash Payment"),
    TypeSpec("103", "Payment Out of Court"),
    TypeSpec("104", "Money Order Payment"),
    # Silent: a returned cheque is posted as a negative payment; like every payment it reverses
    # its commission, so the payment heading's settings apply.
    TypeSpec("105", "Returned NSF Check"),
    # "Payment Of Agency NSF Fee Sample": dollar amounts $25 to agency and $25 commission, omitted
    # from the client statement only, commission and tax not calculated.
    TypeSpec("106", "Payment of Agency NSF Fee", omit="S", no_calc="CT",
             amount_mode=AmountMode.DOLLARS, to_agency_amount=Decimal("25.00"),
             commission_amount=Decimal("25.00")),
    TypeSpec("107", "Check Payment Taken By Phone"),  # "Check Taken By Phone Sample" = 101
    TypeSpec("108", "Debtor Over Payment"),
    TypeSpec("109", "Credit Card Payment"),
    TypeSpec("110", "ACH Payment"),
    # Silent on flags (heading applies); the money went to the client, so only Direct is shown.
    TypeSpec("111", "Direct Payment to Client", show_to_us=False),
    # "Legal Fee Payment Sample" (120): omitted from the statement but counted in daily cash,
    # commission and tax calculated, commission rate 100 (the agency keeps all of it).
    TypeSpec("120", "Attorney Fee Payment", omit="S", no_calc="",
             commission_rate=Decimal("100.000")),
    # "Legal Fee Advance Received Sample": on the statement, not in daily cash, calc all.
    TypeSpec("121", "Legal Fee Advance Received", omit="D", no_calc=""),
    # The list names 122 "Court Cost Payment"; its sample ("Legal Fee Advance Recovered") is on
    # the statement, not in daily cash, calc all.
    TypeSpec("122", "Court Cost Payment", omit="D", no_calc=""),
    # "Down Payment" / "Payment Plan Payment" samples: nothing omitted, a note line when posted.
    TypeSpec("150", "Down Payment", write_note=True),
    TypeSpec("151", "Payment Plan Payment", write_note=True),
    # Principal samples: omitted from both reports, no commission, no tax.
    TypeSpec("160", "Monthly Billing Amount", _FT.PRINCIPAL, **_OWED,
             amount_mode=AmountMode.DOLLARS, to_agency_amount=Decimal("-53.20")),
    TypeSpec("161", "Add Current Accrued Interest", _FT.PRINCIPAL, **_OWED,
             amount_mode=AmountMode.PERCENT_INTEREST, percent_value=Decimal("-100.000")),
    TypeSpec("162", "Add Percent of Owing", _FT.PRINCIPAL, **_OWED,
             amount_mode=AmountMode.PERCENT_OWING, percent_value=Decimal("-5.000")),
    TypeSpec("163", "Add Percent of Principal", _FT.PRINCIPAL, **_OWED,
             amount_mode=AmountMode.PERCENT_PRINCIPAL, percent_value=Decimal("-35.000")),
    # "Payment Plan Initial Discount Sample": an ADJUSTMENT, omitted from both reports.  Silent on
    # calculations: a discount is not money received, so no commission and no tax.
    TypeSpec("193", "Payment Plan Initial Discount", _FT.ADJUSTMENT, omit="SD", no_calc="CT"),
    TypeSpec("194", "Judgment Principal", _FT.PRINCIPAL, **_OWED),
    TypeSpec("195", "Judgment Interest", _FT.INTEREST, **_OWED),
    TypeSpec("196", "Original Principal", _FT.PRINCIPAL, **_OWED),
    TypeSpec("197", "Original Interest", _FT.INTEREST, **_OWED),
    # --- 200 LEGAL FEES ----------------------------------------------------------------------
    TypeSpec("200", "LEGAL FEES"),
    TypeSpec("201", "Court Cost Charge"),  # "Legal Fees Sample" (201) = the heading's settings
    TypeSpec("202", "Attorney Fees Charge"),
    # "Legal Fee Advance Request Sample": in the month-end statement, not in daily cash.
    TypeSpec("205", "Legal Fee Advance Request", omit="D", no_calc="CT"),
    TypeSpec("294", "Judgement Legal Costs"),
    # --- 300 FEES ----------------------------------------------------------------------------
    TypeSpec("300", "FEES"),
    # "NSF Charge Due Agency Sample": dollar amount -$25 to agency, omitted, no calculations.
    TypeSpec("301", "NSF Charge Due Agency", amount_mode=AmountMode.DOLLARS,
             to_agency_amount=Decimal("-25.00")),
    TypeSpec("302", "Closing Fee"),
    TypeSpec("303", "Locate Fee"),
    # The reversal of a convenience fee: the amount is whatever was charged, so entered on
    # posting; otherwise the "Convenience Fee Sample" settings.
    TypeSpec("305", "ACH Convenience Fee Reversal"),
    # "Convenience Fee Sample", percentage form: 5 % of the payment, the Commission field ($5.00)
    # is the maximum fee.
    TypeSpec("307", "ACH Convenience Fee", amount_mode=AmountMode.PERCENT_PAYMENT,
             percent_value=Decimal("5.000"), commission_amount=Decimal("5.00")),
    TypeSpec("309", "Credit Card Convenience Fee", amount_mode=AmountMode.PERCENT_PAYMENT,
             percent_value=Decimal("5.000"), commission_amount=Decimal("5.00")),
    TypeSpec("310", "Service Charge"),
    TypeSpec("320", "Payment Plan Late Fee"),
    TypeSpec("340", "Daily Storage Fee"),
    # "Payment Plan Service Charge Sample" omits both reports and is silent on calculations:
    # the fee heading applies (no commission, no tax).
    TypeSpec("350", "Payment Plan Service Charge"),
    TypeSpec("351", "Late Fee"),  # "Late Fee Sample"
    TypeSpec("394", "Judgement Court Costs"),
    TypeSpec("397", "Client Fee"),
    TypeSpec("398", "Debtor Fee"),
    TypeSpec("399", "Collection Fee"),  # "Collection Fee Sample"
    # --- 400 INTEREST ------------------------------------------------------------------------
    TypeSpec("400", "INTEREST"),
    TypeSpec("401", "Interest Adjustment"),  # "Interest Adjustment Sample"
    TypeSpec("402", "Accrued Compound Interest"),
    TypeSpec("495", "Additional Judgement Interest"),
    # "Total Accrued Interest Sample": percent of interest, -100 %; posted when an account closes.
    TypeSpec("499", "Total Accrued Interest", amount_mode=AmountMode.PERCENT_INTEREST,
             percent_value=Decimal("-100.000")),
    # --- 500 ADJUSTMENTS ---------------------------------------------------------------------
    TypeSpec("500", "ADJUSTMENTS"),
    # "Adjustment By Client Sample" omits both reports; silent on calculations: the heading.
    TypeSpec("501", "Adjustment by Client"),
    TypeSpec("502", "Adjustment by Court Order"),
    TypeSpec("503", "Adjust Judgement Principal"),
    TypeSpec("599", "Adjustment through Upgrade"),
    # --- 600 INTERNAL EXPENSES ---------------------------------------------------------------
    TypeSpec("600", "INTERNAL EXPENSES"),
    TypeSpec("601", "Agency Internal Expenditure"),  # "Agency Internal Expenditure Sample"
    # --- Reserved itemization codes (not in a hundred group) ---------------------------------
    # Amounts charged or paid before the account was assigned: treated like 196/197 (omitted,
    # no commission, no tax).  Misc and Other charges are fees; money paid to the client before
    # assignment is a payment, shown in Direct only.
    TypeSpec("1081", "Original Fees, Prior to Assignment", _FT.FEE, **_OWED),
    TypeSpec("1082", "Original Legal, Prior to Assignment", _FT.LEGAL, **_OWED),
    TypeSpec("1083", "Original Misc, Prior to Assignment", _FT.FEE, **_OWED),
    TypeSpec("1084", "Original Other, Prior to Assignment", _FT.FEE, **_OWED),
    TypeSpec("1085", "Original Paid to Client, Prior to Assignment", _FT.PAYMENT, **_OWED,
             show_to_us=False),
)


def transaction_type_values(spec: TypeSpec) -> dict[str, Any]:
    """The column values of a shipped transaction type, group defaults applied."""
    ftype, omit, no_calc = GROUP_DEFAULTS.get(spec.group(), (None, None, None))
    ftype = spec.financial_type or ftype
    omit = spec.omit if spec.omit is not None else omit
    no_calc = spec.no_calc if spec.no_calc is not None else no_calc
    if ftype is None or omit is None or no_calc is None:
        raise ValueError(f"transaction type {spec.code}: spell out its financial type and flags")
    return {
        "code": spec.code,
        "description": spec.description,
        "is_heading": spec.code in HEADING_CODES,
        "system_reserved": spec.code in RESERVED_CODES,
        "copy_description": True,
        "financial_type": int(ftype),
        "amount_mode": spec.amount_mode.value,
        "to_agency_amount": spec.to_agency_amount,
        "commission_amount": spec.commission_amount,
        "percent_value": spec.percent_value,
        "omit_from_statement": "S" in omit,
        "omit_from_daily_cash": "D" in omit,
        "dont_calculate_commission": "C" in no_calc,
        "dont_calculate_tax": "T" in no_calc,
        "show_to_us": spec.show_to_us,
        "show_direct": spec.show_direct,
        "write_note": spec.write_note,
        "commission_rate": spec.commission_rate,
    }


def install_transaction_types(session: Session) -> list[str]:
    existing = {t.code: t for t in session.scalars(select(TransactionType))}
    added = []
    for spec in TRANSACTION_TYPES:
        row = existing.get(spec.code)
        if row is None:
            session.add(TransactionType(**transaction_type_values(spec)))
            added.append(spec.code)
            continue
        # An older database: give reserved codes and headings their system flags back.
        if spec.code in RESERVED_CODES and not row.system_reserved:
            row.system_reserved = True
        if spec.code in HEADING_CODES and not row.is_heading:
            row.is_heading = True
    return added


# ---------------------------------------------------------------------------------------------
# Status codes
# ---------------------------------------------------------------------------------------------


class StatusSpec(NamedTuple):
    code: str
    description: str
    wip_priority: int
    run_plan: str = ""


# The seed names NEW, ACT, PIF, SKP, BNK, CLO; the others are what agencies commonly use.  WIP
# priority sorts descending: new business and disputes (deadlines) first, payers and legal last.
# Run plans: PIF closes the file.  NEW and CLO have none: the NEW plan sets status NEW and a
# closed file is given CLO, so a run plan of the same name would start that plan again from
# inside itself.
STATUS_CODES: tuple[StatusSpec, ...] = (
    StatusSpec("NEW", "New Business", 90),
    StatusSpec("DIS", "Dispute", 80),
    StatusSpec("SKP", "Skip Trace", 60),
    StatusSpec("ACT", "Active", 50),
    StatusSpec("PPA", "Payment Plan Arrangement", 30),
    StatusSpec("LEG", "Legal", 20),
    StatusSpec("TCN", "TCN Dialer Campaign", 15),
    StatusSpec("BNK", "Bankrupt", 10),
    StatusSpec("PIF", "Paid In Full", 0, "CLO"),
    StatusSpec("CLO", "Closed", 0),
)


def install_status_codes(session: Session) -> list[str]:
    existing = set(session.scalars(select(StatusCode.code)))
    added = []
    for spec in STATUS_CODES:
        if spec.code not in existing:
            session.add(StatusCode(code=spec.code, description=spec.description,
                                   wip_priority=spec.wip_priority, run_plan=spec.run_plan))
            added.append(spec.code)
    return added


# ---------------------------------------------------------------------------------------------
# Contact plans
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    """One event; only switches that are ON are given (the seed lists plans the same way).

    "Schedule immediately" = no delay switch; "Assign to account operator" is the default.
    """

    type: ContactType
    description: str = ""
    priority: int = 0
    delay_days: int | None = None
    delay_minutes: int | None = None
    timeless: bool = False
    prompt_to_confirm: bool = False
    delete_same_type: bool = False
    same_description_only: bool = False
    assign: str = Assign.ACCOUNT_OPERATOR

    def values(self, seq: int) -> dict[str, Any]:
        return {
            "seq": seq,
            "type": self.type.value,
            "description": self.description,
            "assign": self.assign,
            "priority": self.priority,
            "use_delay_days": self.delay_days is not None,
            "delay_days": self.delay_days or 0,
            "use_delay_minutes": self.delay_minutes is not None,
            "delay_minutes": self.delay_minutes or 0,
            "timeless": self.timeless,
            "prompt_to_confirm": self.prompt_to_confirm,
            "delete_same_type": self.delete_same_type,
            "same_description_only": self.same_description_only,
        }


@dataclass(frozen=True)
class PlanSpec:
    code: str
    description: str
    events: tuple[EventSpec, ...]
    delete_all_pending: bool = False


_C = ContactType

CONTACT_PLANS: tuple[PlanSpec, ...] = (
    PlanSpec("NEW", "New Business", delete_all_pending=True, events=(
        EventSpec(_C.STATUS, "NEW", timeless=True),
        EventSpec(_C.LETTER, "Letter 1", priority=10, timeless=True),
        # The seed's settings say Days: 10 (its summary paragraph says 3; the settings win).
        EventSpec(_C.PHONE, "Home", priority=30, delay_days=10, timeless=True),
        EventSpec(_C.LETTER, "Letter 2", priority=20, delay_days=30, timeless=True),
        EventSpec(_C.LETTER, "Letter 3", priority=30, delay_days=60, timeless=True),
    )),
    PlanSpec("CLO", "Close File", delete_all_pending=True, events=(
        EventSpec(_C.CLOSE, timeless=True),
        EventSpec(_C.NOTE, "File closed", timeless=True),
    )),
    PlanSpec("C0", "Call In 15 Minutes", events=(
        EventSpec(_C.PHONE, "Home", priority=90, delay_minutes=15, timeless=True),
        EventSpec(_C.NOTE, "Busy, call again in 15 minutes", timeless=True),
    )),
    PlanSpec("L1", "Letter 1 - Today", events=(
        EventSpec(_C.LETTER, "Series 3 - Letter 1", prompt_to_confirm=True, delete_same_type=True,
                  timeless=True),
        EventSpec(_C.REVIEW, "Letter sent recently. Any response?", priority=25, delay_days=14,
                  prompt_to_confirm=True, delete_same_type=True, same_description_only=True,
                  timeless=True),
    )),
    PlanSpec("REV", "Review", events=(
        EventSpec(_C.REVIEW, "Review file...", priority=30, prompt_to_confirm=True,
                  delete_same_type=True, timeless=True),
    )),
    # "Prompt to plan call": the seed shows only that its event prompts to confirm details.  The
    # description follows the other sample phone events ("Home"); no priority is given, so the
    # operator sets one in the Schedule Next Contact form.
    PlanSpec("C", "Prompt to plan call", events=(
        EventSpec(_C.PHONE, "Home", prompt_to_confirm=True, timeless=True),
    )),
)


def install_contact_plans(session: Session) -> list[str]:
    existing = set(session.scalars(select(ContactPlan.code)))
    added = []
    for spec in CONTACT_PLANS:
        if spec.code in existing:
            continue
        plan = ContactPlan(code=spec.code, description=spec.description,
                           delete_all_pending=spec.delete_all_pending)
        plan.events = [PlanEvent(**event.values(seq)) for seq, event in enumerate(spec.events, 1)]
        session.add(plan)
        added.append(spec.code)
    return added


# ---------------------------------------------------------------------------------------------
# Commission rate plans
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatePlanSpec:
    code: str
    description: str
    kind: RatePlanKind
    tiers: tuple[tuple[str, str, str], ...]  # (from, to, rate %), ascending


_AGE = (("0", "60", "10"), ("61", "90", "15"), ("91", "120", "20"), ("121", "150", "30"),
        ("151", "365", "40"), ("366", "9999999", "50"))
_PAYMENT_DAYS = (("0", "14", "10"), ("15", "30", "15"), ("31", "60", "20"), ("61", "90", "25"),
                 ("91", "365", "35"), ("366", "99999999", "50"))

# The nine "Commission Rate Plan Sample - ..." plans.  None of the samples sets a minimum or a
# maximum.  Tiers are stored ascending (the Remaining Balance sample lists them descending).
RATE_PLANS: tuple[RatePlanSpec, ...] = (
    RatePlanSpec("AGEC", "Age - Charged", RatePlanKind.AGE_CHARGED, _AGE),
    RatePlanSpec("AGED", "Age - Delinquent", RatePlanKind.AGE_DELINQUENT, _AGE),
    RatePlanSpec("LIST", "List Amount", RatePlanKind.LIST_AMOUNT, (
        ("0.00", "100.00", "50"), ("100.01", "500.00", "45"), ("500.01", "1000.00", "40"),
        ("1000.01", "5000.00", "30"), ("5000.01", "20000.00", "25"),
        ("20000.01", "999999.00", "20"))),
    RatePlanSpec("PAYA", "Payment Amount", RatePlanKind.PAYMENT_AMOUNT, (
        ("0.01", "100.00", "50"), ("100.01", "500.00", "40"), ("500.01", "1000.00", "35"),
        ("1000.01", "5000.00", "30"), ("5000.01", "10000.00", "25"),
        ("10000.01", "999999.00", "15"))),
    RatePlanSpec("PTD", "Paid To Date", RatePlanKind.PAID_TO_DATE, (
        ("0.00", "2000.00", "25"), ("2000.01", "5000.00", "20"), ("5000.01", "10000.00", "15"),
        ("10000.01", "20000.00", "13"), ("20000.01", "50000.00", "11"),
        ("50000.01", "99999999.00", "10"))),
    RatePlanSpec("REMB", "Remaining Balance", RatePlanKind.REMAINING_BALANCE, (
        ("0.00", "50.00", "40"), ("50.01", "500.00", "35"), ("500.01", "1000.00", "30"),
        ("1000.01", "2000.00", "25"), ("2000.01", "5000.00", "20"),
        ("5000.01", "99999.00", "15"))),
    RatePlanSpec("PDL", "Payment Days From Listing", RatePlanKind.DAYS_FROM_LISTING, _PAYMENT_DAYS),
    RatePlanSpec("PDC", "Payment Days From Charged", RatePlanKind.DAYS_FROM_CHARGED, _PAYMENT_DAYS),
    RatePlanSpec("PDD", "Payment Days From Delinquent", RatePlanKind.DAYS_FROM_DELINQUENT,
                 _PAYMENT_DAYS),
)


def install_rate_plans(session: Session) -> list[str]:
    existing = set(session.scalars(select(CommissionRatePlan.code)))
    added = []
    for spec in RATE_PLANS:
        if spec.code in existing:
            continue
        plan = CommissionRatePlan(code=spec.code, description=spec.description,
                                  kind=spec.kind.value)
        plan.tiers = [
            CommissionRateTier(seq=seq, range_from=Decimal(lo).quantize(Decimal("0.01")),
                               range_to=Decimal(hi).quantize(Decimal("0.01")),
                               rate=Decimal(rate).quantize(Decimal("0.001")),
                               min_commission=None, max_commission=None)
            for seq, (lo, hi, rate) in enumerate(spec.tiers, start=1)
        ]
        session.add(plan)
        added.append(spec.code)
    return added


# ---------------------------------------------------------------------------------------------
# Operators, company, preferences
# ---------------------------------------------------------------------------------------------


class OperatorSpec(NamedTuple):
    id: str
    name: str
    type: OperatorType
    user_level: int


# "Operator Setup": OWN, SYS, MGR, SC, and 99 ("especially for ID 99").  OWN signs on at level 10
# ("configured with Level 10"); 99 is the administration level.  The other levels are ours.
OPERATORS: tuple[OperatorSpec, ...] = (
    OperatorSpec("OWN", "Owner", OperatorType.SYSTEM, 10),
    OperatorSpec("SYS", "System Administrator", OperatorType.SYSTEM, 90),
    OperatorSpec("MGR", "Office Manager", OperatorType.SYSTEM, 50),
    OperatorSpec("SC", "Senior Collector", OperatorType.COLLECTOR, 30),
    OperatorSpec("99", "Administrator", OperatorType.SYSTEM, 99),
)


def install_operators(session: Session, *, demo: bool) -> list[str]:
    """Demo: the password is the lower-case ID (the seed's "own", "sys" …), salted and hashed.
    Master: no password; the administrator sets one at first sign-on."""
    existing = {o.lower() for o in session.scalars(select(Operator.id))}
    added = []
    for spec in OPERATORS:
        if spec.id.lower() in existing:
            continue
        session.add(Operator(
            id=spec.id, name=spec.name, title=spec.name, type=spec.type.value,
            user_level=spec.user_level,
            password_hash=hash_password(spec.id.lower()) if demo else "",
            must_set_password=not demo,
        ))
        added.append(spec.id)
    return added


DEMO_COMPANY: Mapping[str, str] = {
    "name": "Summit Recovery Services",
    "address": "1450 Commerce Street",
    "address2": "Suite 300",
    "representative": "Pat Morgan",
    "city": "Dallas",
    "state": "TX",
    "zip": "75201",
    "country": "US",
    "email": "info@summitrecovery.example",
    "website": "www.summitrecovery.example",
    "phone": "(214) 555-0142",
    "fax": "(214) 555-0143",
}

MASTER_COMPANY: Mapping[str, str] = {"name": "Your Company Name", "country": "US"}


def install_company(session: Session, *, demo: bool) -> bool:
    if session.scalar(select(CompanyDetails.id).limit(1)) is not None:
        return False
    session.add(CompanyDetails(**(DEMO_COMPANY if demo else MASTER_COMPANY)))
    return True


#: The system preferences (Save System).  Plans on operator/phone change and the default payment
#: posting plan are off until a manager picks one; dialing prompts first and sends digits only.
SYSTEM_PREFERENCES: Mapping[str, Any] = {
    "schedule_on_weekends": False,
    "wip_sort": "priority",
    "display_dialer": False,
    "cache_contact_plans": False,
    "operator_change_plan": "",
    "phone_change_plan": "",
    "payment_posting_plan": "",
    "only_numeric_phones": False,
    "odbc_debug_log": False,
    "prompt_before_dialing": True,
    "dial_digits_only": True,
    "long_distance_prefix": "",
    "local_area_code": "",
}


def install_system_preferences(session: Session) -> bool:
    """Create the system row, or fill settings an older database left NULL on it."""
    row = session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))
    if row is None:
        session.add(Preferences(operator_id=None, **SYSTEM_PREFERENCES))
        return True
    for name, value in SYSTEM_PREFERENCES.items():
        if getattr(row, name) is None:
            setattr(row, name, value)
    return False


# ---------------------------------------------------------------------------------------------
# Everything
# ---------------------------------------------------------------------------------------------


@dataclass
class InstallReport:
    """What :func:`install_system_rows` added (empty lists when the database was complete)."""

    transaction_types: list[str] = field(default_factory=list)
    status_codes: list[str] = field(default_factory=list)
    pick_lists: list[str] = field(default_factory=list)
    contact_plans: list[str] = field(default_factory=list)
    rate_plans: list[str] = field(default_factory=list)
    operators: list[str] = field(default_factory=list)
    company: bool = False
    preferences: bool = False

    def added_anything(self) -> bool:
        return any(bool(v) for v in vars(self).values())


def install_system_rows(session: Session, *, demo: bool,
                        picklist_dir: Path | None = None) -> None:
    """Insert the shipped rows a database lacks (demo: sample passwords and agency; master: none).

    Idempotent and safe on an older database.  Flushes; the caller commits.
    :func:`install_missing_rows` does the same and says what it added.
    """
    install_missing_rows(session, demo=demo, picklist_dir=picklist_dir)


def install_missing_rows(session: Session, *, demo: bool,
                         picklist_dir: Path | None = None) -> InstallReport:
    report = InstallReport()
    report.transaction_types = install_transaction_types(session)
    report.status_codes = install_status_codes(session)
    report.pick_lists = install_pick_lists(session, picklist_dir)
    report.contact_plans = install_contact_plans(session)
    report.rate_plans = install_rate_plans(session)
    report.operators = install_operators(session, demo=demo)
    report.company = install_company(session, demo=demo)
    report.preferences = install_system_preferences(session)
    session.flush()
    return report


def missing_pick_lists(names: Iterable[str] | None = None,
                       directory: Path | None = None) -> list[str]:
    """Pick list names used by model fields that neither a file nor a table provides."""
    files = shipped_pick_list_files(directory)
    wanted = names if names is not None else model_picklist_names()
    return sorted(n for n in wanted if n not in DYNAMIC_PICKLISTS and n not in files)


__all__ = [
    "CONTACT_PLANS", "DYNAMIC_PICKLISTS", "EXTRA_PICKLISTS", "HEADING_CODES", "OPERATORS",
    "PICKLIST_TYPES", "RATE_PLANS", "RESERVED_CODES", "STATUS_CODES",
    "TRANSACTION_TYPES", "InstallReport", "PckEntry", "PickListFileError", "install_missing_rows",
    "install_system_rows", "missing_pick_lists", "model_picklist_names", "parse_pck",
    "read_pck_file", "shipped_pick_list_files", "transaction_type_values",
]
