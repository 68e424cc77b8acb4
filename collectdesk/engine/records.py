"""Operations on records people edit: new business, saving, note lines, neighbours, local time.

Qt-free.  The form calls these; each returns what changed so the window can
refresh (STYLE 5).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, and_, inspect, or_, select
from sqlalchemy.orm import Session

from .. import db
from ..models import (
    Client,
    ClientSettings,
    CompanyDetails,
    Debtor,
    DebtorMode,
    Note,
    Phone,
    Transaction,
)

# -- phones ---------------------------------------------------------------------------------------


def phone_digits(text: str | None) -> str:
    """A phone as digits only, for matching and dialing (STYLE 9: kept beside the typed form)."""
    return re.sub(r"\D", "", text or "")[:20]


def phone_match_keys(text: str) -> list[str]:
    """Digit strings a typed phone may be stored as: as typed, without / with the NANP ``1``."""
    digits = phone_digits(text)
    if not digits:
        return []
    keys = {digits}
    if len(digits) == 11 and digits.startswith("1"):
        keys.add(digits[1:])
    if len(digits) == 10:
        keys.add("1" + digits)
    return sorted(keys)


DEBTOR_PHONE_FIELDS = {"home_phone": "home", "work_phone": "work", "cell_phone": "cell", "fax": "fax"}


def sync_debtor_phones(session: Session, debtor: Debtor, changes: Iterable[Change]) -> list[Phone]:
    """Keep the account's Phone records in step with the phone fields on the Debtor form.

    A changed form phone updates the Phone record that held the old number, or adds one.
    """
    touched = []
    for change in changes:
        kind = DEBTOR_PHONE_FIELDS.get(change.attribute)
        if kind is None:
            continue
        new_digits = phone_digits(change.new)
        old_digits = phone_digits(change.old)
        phone = None
        if old_digits and debtor.id is not None:
            phone = session.scalars(select(Phone).where(
                Phone.debtor_id == debtor.id, Phone.digits == old_digits)).first()
        if not new_digits:
            if phone is not None:
                phone.active = False
                touched.append(phone)
            continue
        if phone is None:
            phone = Phone(kind=kind, source="debtor form")
            if debtor.id is None:
                session.flush()
            phone.debtor_id = debtor.id
            session.add(phone)
        phone.number = change.new or ""
        phone.digits = new_digits
        phone.active = True
        touched.append(phone)
    return touched


# -- notes ----------------------------------------------------------------------------------------


def add_note(
    session: Session,
    text: str,
    *,
    operator_id: str,
    debtor: Debtor | None = None,
    client: Client | None = None,
    status: str | None = None,
    now: dt.datetime | None = None,
) -> Note:
    """Append one note line stamped with date, time, the account's status and the operator."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    if status is None:
        status = (debtor.status if debtor is not None else client.status if client is not None else "")
    note = Note(noted_at=now, status=(status or "")[:4], operator_id=(operator_id or "")[:7],
                text=text.strip())
    if debtor is not None:
        if debtor.id is None:
            session.flush()
        note.debtor_id = debtor.id
    elif client is not None:
        if client.id is None:
            session.flush()
        note.client_id = client.id
    session.add(note)
    return note


def _notes_of(debtor_id: int | None, client_id: int | None) -> Select[tuple[Note]]:
    if debtor_id is not None:
        return select(Note).where(Note.debtor_id == debtor_id)
    return select(Note).where(Note.client_id == client_id, Note.debtor_id.is_(None))


def has_notes(session: Session, *, debtor_id: int | None = None,
              client_id: int | None = None) -> bool:
    return session.scalar(_notes_of(debtor_id, client_id).with_only_columns(Note.id).limit(1)) \
        is not None


def notes_for(session: Session, *, debtor_id: int | None = None, client_id: int | None = None,
              limit: int = 2000) -> list[Note]:
    """The newest ``limit`` note lines of an account (or of a client itself), oldest first.

    A long account keeps its latest history on screen: the oldest lines drop out, never the
    newest."""
    stmt = _notes_of(debtor_id, client_id)
    newest = session.scalars(stmt.order_by(Note.noted_at.desc(), Note.id.desc()).limit(limit))
    return list(reversed(newest.all()))


# -- editing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field changed on a form."""

    record: Any
    attribute: str
    code: str
    label: str
    old: Any
    new: Any


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(str(a or 0)) == Decimal(str(b or 0))
        except (ArithmeticError, ValueError, TypeError):
            return False
    if (a in (None, "")) and (b in (None, "")):
        return True
    return a == b


def apply_values(record: Any, values: dict[str, tuple[Any, str, str]]) -> list[Change]:
    """Set ``attribute → (value, code, label)`` on ``record``; return only what really changed."""
    changes = []
    for attribute, (value, code, label) in values.items():
        old = getattr(record, attribute)
        if _same(old, value):
            continue
        setattr(record, attribute, value)
        changes.append(Change(record, attribute, code, label, old, value))
    return changes


def shown_value(value: Any) -> str:
    """A value as a note line shows it: (blank), Yes / No, MM/DD/YYYY."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y")
    return str(value)


def log_changes(
    session: Session,
    changes: Sequence[Change],
    logged_codes: set[str],
    *,
    operator_id: str,
    debtor: Debtor | None = None,
    client: Client | None = None,
    now: dt.datetime | None = None,
) -> list[Note]:
    """A note line for each change of a field whose access right says "log to notes"."""
    notes = []
    for c in changes:
        if c.code.lower() not in logged_codes:
            continue
        text = f"{c.label} changed from {shown_value(c.old)} to {shown_value(c.new)}"
        notes.append(add_note(session, text, operator_id=operator_id, debtor=debtor, client=client,
                              now=now))
    return notes


def check_versions(records_versions: Iterable[tuple[Any, int | None]]) -> None:
    """Raise SaveConflict when a record was saved by someone else since the form read it."""
    for record, expected in records_versions:
        if expected is None or not inspect(record).persistent:
            continue
        if getattr(record, "version", expected) != expected:
            raise db.SaveConflict(record, getattr(record, "updated_by", ""),
                                  getattr(record, "updated_at", None))


def refresh(session: Session, record: Any) -> Any:
    """Re-read a record after a conflict (the other operator's values)."""
    session.expire(record)
    session.refresh(record)
    return record


# -- new business ---------------------------------------------------------------------------------


def new_client(session: Session) -> Client:
    """A client whose settings start from the company-wide commission and tax (Company Details)."""
    company = session.scalars(select(CompanyDetails).order_by(CompanyDetails.id)).first()
    client = Client()
    settings = ClientSettings()
    if company is not None:
        settings.commission_rate = company.commission_rate or Decimal(0)
        settings.rate_plan = company.rate_plan or ""
        settings.tax_rate = Decimal(0) if company.dont_calculate_tax else (company.tax_rate or Decimal(0))
    client.settings = settings
    session.add(client)
    return client


def new_debtor(session: Session, client_id: int | None, *, today: dt.date | None = None,
               operator_id: str = "") -> Debtor:
    """A new account filled from its client's settings (seed 003 "Default Fields Populated").

    Client, mode Active, Listed today, commission rate and breakdown rates, rate
    plan, tax, operator, sales and the run plan for new accounts.
    """
    today = today or dt.date.today()
    debtor = Debtor(mode=DebtorMode.ACTIVE, listed_date=today, created_at=dt.datetime.now().replace(microsecond=0))
    if client_id is not None:
        client = session.get(Client, client_id)
        debtor.client_id = client_id
        cs = client.settings if client is not None else None
        if cs is not None:
            debtor.commission_rate = cs.commission_rate or Decimal(0)
            debtor.commission_principal = cs.commission_principal
            debtor.commission_interest = cs.commission_interest
            debtor.commission_fees = cs.commission_fees
            debtor.commission_legal = cs.commission_legal
            debtor.rate_plan = cs.rate_plan or ""
            debtor.tax_rate = Decimal(0) if cs.tax_exempt else (cs.tax_rate or Decimal(0))
            debtor.tax_exempt = bool(cs.tax_exempt)
            debtor.bill_commission_to_debtor = bool(cs.bill_commission_to_debtor)
            debtor.operator_id = cs.operator_id or operator_id
            debtor.sales_id = cs.sales_id or ""
            debtor.run_plan = cs.new_account_plan or (client.run_plan if client else "") or ""
        elif client is not None:
            debtor.run_plan = client.run_plan or ""
    if not debtor.operator_id:
        debtor.operator_id = operator_id
    session.add(debtor)
    return debtor


def new_transaction(*, today: dt.date | None = None) -> Transaction:
    """A transaction to type in: paid and posted today (empty the Posted date for a promise)."""
    today = today or dt.date.today()
    return Transaction(payment_date=today, posted_date=today)


# -- neighbours (<< and >>) -----------------------------------------------------------------------


def neighbour(session: Session, model: type, record: Any, direction: int,
              order: str | None = None, where: Sequence[tuple[str, Any]] = ()) -> Any | None:
    """The primary key of the next (``+1``) or previous (``-1``) record in ``order``."""
    mapper = inspect(model)
    pk_col = mapper.primary_key[0]
    pk_val = inspect(record).identity[0] if inspect(record).identity else None
    if pk_val is None:
        return None
    stmt = select(pk_col)
    for attr, value in where:
        col = getattr(model, attr)
        stmt = stmt.where(col.is_(None) if value is None else col == value)
    if order and order != pk_col.key:
        col = getattr(model, order)
        val = getattr(record, order)
        if direction > 0:
            stmt = stmt.where(or_(col > val, and_(col == val, pk_col > pk_val))).order_by(col, pk_col)
        else:
            stmt = stmt.where(or_(col < val, and_(col == val, pk_col < pk_val))).order_by(
                col.desc(), pk_col.desc())
    else:
        stmt = stmt.where(pk_col > pk_val).order_by(pk_col) if direction > 0 else \
            stmt.where(pk_col < pk_val).order_by(pk_col.desc())
    return session.scalars(stmt.limit(1)).first()


# -- the consumer's local time ------------------------------------------------------------------


def time_zones_for_phone(number: str, region: str = "US") -> list[str]:
    """Time zones a phone number's area is in (phonenumbers data); empty when unknown."""
    if not phone_digits(number):
        return []
    import phonenumbers
    from phonenumbers import timezone as pn_tz

    try:
        parsed = phonenumbers.parse(number, region)
        zones = [z for z in pn_tz.time_zones_for_number(parsed) if z != "Etc/Unknown"]
    except (phonenumbers.NumberParseException, ValueError):
        return []
    return zones


def time_zones_for_zip(zip_code: str, country: str = "") -> list[str]:
    """The time zone of a US ZIP code (ZIP+4 allowed) from the zipcodes data; empty when unknown.

    The first lookup loads the data (about 0.3 s); the program warms it up at start.
    """
    if (country or "US").strip().upper() not in ("US", "USA"):
        return []
    zip5 = "".join(ch for ch in zip_code if ch.isdigit())[:5]
    if len(zip5) != 5:
        return []
    import zipcodes

    try:
        found = zipcodes.matching(zip5)
    except (TypeError, ValueError):
        return []
    return sorted({z["timezone"] for z in found if z.get("timezone")})


def debtor_time_zone(debtor: Debtor) -> str | None:
    """The account's time zone: the Timezone field, else a single zone from phone or ZIP.

    When phone and ZIP disagree the answer is ambiguous, so none is shown here (the
    contact-control engine applies the stricter of the two for calling hours).
    """
    explicit = (debtor.timezone or "").strip()
    if explicit:
        try:
            ZoneInfo(explicit)
            return explicit
        except (ZoneInfoNotFoundError, ValueError):
            pass
    candidates: list[set[str]] = []
    for number in (debtor.home_phone, debtor.cell_phone, debtor.work_phone):
        zones = time_zones_for_phone(number or "", (debtor.country or "US")[:2] or "US")
        if len(zones) == 1:
            candidates.append(set(zones))
            break
    zones = time_zones_for_zip(debtor.zip or "", debtor.country or "")
    if len(zones) == 1:
        candidates.append(set(zones))
    found = set.union(*candidates) if candidates else set()
    return next(iter(found)) if len(found) == 1 else None


def local_time(zone: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    if not zone:
        return None
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        now = now.astimezone()
    return now.astimezone(tz)


__all__ = [
    "Change",
    "add_note",
    "apply_values",
    "check_versions",
    "debtor_time_zone",
    "local_time",
    "log_changes",
    "neighbour",
    "new_client",
    "new_debtor",
    "new_transaction",
    "notes_for",
    "phone_digits",
    "phone_match_keys",
    "refresh",
    "sync_debtor_phones",
    "time_zones_for_phone",
    "time_zones_for_zip",
]
