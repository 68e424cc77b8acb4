"""Find the accounts a predictive dialer means: by file, phone, SSN, email or client account.

Used by the web predictive dialer (``/dialer?phone=…``) and the dialer link.

- ``file``  — the File Number (``Debtor.id``); digits only.
- ``phone`` — digits compared, so ``555-111-1222`` and ``5551111222`` are the same.
  Matched against phone sub-records (``Phone.digits``, the debtor's or a
  cosigner's) and the debtor's and cosigners' own Home / Work / Cell fields.
  A 10-digit number also matches the same number stored with a leading ``1``
  and the other way round.  Phone rows whose ``digits`` were never filled in
  are compared on their entered number.
- ``ssn``   — digits compared against the debtor's SSN (dashes and spaces ignored).
- ``email`` — case-insensitive against email sub-records and the debtor's Email field.
- ``acct``  — the client's account number (``Debtor.account``), exact after trimming.

The result is the sorted, de-duplicated list of file numbers.  A malformed
value (no digits, a non-numeric file number, an unknown key) raises ValueError.

Speed: ``file`` and phone sub-records use indexes.  The debtor's and cosigners'
Home / Work / Cell fields, ``ssn``, ``acct`` and the debtor's Email field have no
normalised, indexed column in the model yet, so they are scanned (about 75 ms per
phone lookup at 200,000 accounts on SQLite).  Indexed digit columns for those
fields (like ``Phone.digits``) would make every lookup an index search.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

KEYS = ("phone", "file", "ssn", "email", "acct")
_SEPARATORS = ("-", " ", "(", ")", ".", "+", "/")


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isascii() and ch.isdigit())


def _stripped(column: Any, separators: tuple[str, ...] = _SEPARATORS) -> ColumnElement[str]:
    """SQL: the column with the usual phone separators removed (portable ``replace`` chain)."""
    expr: Any = func.coalesce(column, "")
    for sep in separators:
        expr = func.replace(expr, sep, "")
    return expr


def phone_variants(digits: str) -> list[str]:
    """The digit strings that count as the same phone number."""
    variants = [digits]
    if len(digits) == 10:
        variants.append("1" + digits)
    elif len(digits) == 11 and digits.startswith("1"):
        variants.append(digits[1:])
    return variants


def _find_by_phone(session: Any, variants: list[str]) -> set[int]:
    from ..models import Cosigner, Debtor, Phone

    found: set[int] = set()
    # Phone sub-records: two conditions, each answered from the ``digits`` index.
    owners: list[Any] = []
    for condition in (Phone.digits.in_(variants),
                      (Phone.digits == "") & _stripped(Phone.number).in_(variants)):
        owners += session.execute(select(Phone.debtor_id, Phone.cosigner_id).where(condition)).all()
    found.update(debtor_id for debtor_id, _ in owners if debtor_id is not None)
    cosigner_ids = {cosigner_id for debtor_id, cosigner_id in owners
                    if debtor_id is None and cosigner_id is not None}
    if cosigner_ids:
        found.update(session.scalars(
            select(Cosigner.debtor_id).where(Cosigner.id.in_(cosigner_ids))))
    # The Home / Work / Cell fields have no digits column, so they are scanned.  The
    # cheap instr() test on the last two digits (never split by formatting) runs first
    # and spares the replace() chain on ~90 % of the rows.
    tail = variants[0][-2:]

    def field_matches(column: Any) -> Any:
        return (func.instr(column, tail) > 0) & _stripped(column).in_(variants)

    found.update(session.scalars(select(Debtor.id).where(or_(
        *(field_matches(column)
          for column in (Debtor.home_phone, Debtor.work_phone, Debtor.cell_phone))))))
    found.update(session.scalars(select(Cosigner.debtor_id).where(
        Cosigner.debtor_id.is_not(None),
        or_(*(field_matches(column)
              for column in (Cosigner.home_phone, Cosigner.work_phone, Cosigner.cell_phone))))))
    return found


def find_accounts(session: Any, key: str, value: str) -> list[int]:
    """File numbers of the accounts matching ``key`` = ``value`` (see the module docstring)."""
    from ..models import Debtor, Email

    key = (key or "").strip().lower()
    value = (value or "").strip()
    if key not in KEYS:
        raise ValueError(f"unknown search key {key!r}; use one of {', '.join(KEYS)}")
    if not value:
        raise ValueError(f"{key} is empty")
    found: set[int] = set()

    if key == "file":
        if not value.isdigit():
            raise ValueError(f"file number {value!r} is not a number")
        found.update(session.scalars(select(Debtor.id).where(Debtor.id == int(value))))
    elif key == "acct":
        found.update(session.scalars(select(Debtor.id).where(Debtor.account == value)))
    elif key == "ssn":
        digits = _digits(value)
        if not digits:
            raise ValueError(f"SSN {value!r} has no digits")
        found.update(session.scalars(
            select(Debtor.id).where(_stripped(Debtor.ssn, ("-", " ")) == digits)))
    elif key == "email":
        lowered = value.lower()
        found.update(session.scalars(select(Email.debtor_id).where(
            Email.debtor_id.is_not(None),
            or_(Email.address_lower == lowered,
                (Email.address_lower == "") & (func.lower(Email.address) == lowered)))))
        found.update(session.scalars(
            select(Debtor.id).where(func.lower(Debtor.email) == lowered)))
    else:  # phone
        digits = _digits(value)
        if not digits:
            raise ValueError(f"phone {value!r} has no digits")
        found.update(_find_by_phone(session, phone_variants(digits)))
    found.discard(None)  # type: ignore[arg-type]
    return sorted(found)
