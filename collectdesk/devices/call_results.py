"""After a call: a completed Phone contact with the call result, and a note line.

Both rows are written in one transaction, so a call is either fully recorded
or not at all.  "Never lose the result": a failure rolls back, retries a
locked database a few times, then raises :class:`CallResultNotSaved` while the
caller (the call result form) still holds everything the collector typed, so
the form stays open and the collector can save again.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import OperationalError

LOCKED_RETRIES = 3
LOCKED_PAUSE = 0.2


class CallResultNotSaved(Exception):
    """The call result could not be written; nothing was written."""


@dataclass(frozen=True)
class RecordedCall:
    contact_id: int
    note_id: int
    note_text: str


def call_note_text(phone: str, result_code: int | str, note_text: str) -> str:
    """``Called 555-123-7777: 4 Spoke to debtor. Verified right party.``"""
    return " ".join(part for part in (f"Called {phone}:", str(result_code), note_text.strip())
                    if part)


def called_party(debtor_id: int | None, client_id: int | None = None) -> str:
    """``file 4585`` or, for a call from a client's own form, ``client 24``."""
    return f"file {debtor_id}" if debtor_id is not None else f"client {client_id}"


def record_call_result(
    session: Any,
    debtor_id: int | None,
    phone: str,
    result_code: int,
    operator_id: str,
    note_text: str,
    *,
    cosigner_id: int | None = None,
    client_id: int | None = None,
    now: dt.datetime | None = None,
) -> RecordedCall:
    """Write a completed Phone contact (with ``call_result``) and a note line, together.

    The call is on the account ``debtor_id``, or — dialed from a client's own form, with
    no account — on the client ``client_id`` (its Contacts and Notes tabs).
    ``note_text`` is what the collector wants after the code (usually the call
    result's description plus their own words).  The note's status is the
    account's (or client's) status at the time of the call.
    """
    from ..models import Client, Contact, ContactType, Debtor, Note

    text = call_note_text(phone, result_code, note_text)
    party = called_party(debtor_id, client_id)
    on_client = debtor_id is None
    last_error: Exception | None = None
    for attempt in range(LOCKED_RETRIES):
        stamp = now or dt.datetime.now().replace(microsecond=0)
        try:
            called = session.get(Client, client_id) if on_client else session.get(Debtor, debtor_id)
            if called is None:
                raise CallResultNotSaved(
                    f"{party.capitalize()} could not be found; the call result was not saved.")
            link = {"client_id": client_id} if on_client else {"debtor_id": debtor_id}
            contact = Contact(
                **link, cosigner_id=cosigner_id, type=ContactType.PHONE.value,
                done=True, operator_id=operator_id, due_date=stamp.date(),
                due_time=stamp.time(), description=f"Called {phone}"[:80],
                call_result=int(result_code), created_at=stamp, completed_at=stamp,
                notes=note_text, updated_by=operator_id)
            note = Note(**link, noted_at=stamp, status=called.status or "",
                        operator_id=operator_id, text=text)
            session.add_all([contact, note])
            session.commit()
            return RecordedCall(contact.id, note.id, text)
        except CallResultNotSaved:
            session.rollback()
            raise
        except OperationalError as exc:
            session.rollback()
            last_error = exc
            if attempt + 1 < LOCKED_RETRIES:
                time.sleep(LOCKED_PAUSE * (attempt + 1))
        except Exception as exc:
            session.rollback()
            raise CallResultNotSaved(
                f"The call result for {party} was not saved: {exc}") from exc
    raise CallResultNotSaved(
        f"The call result for {party} was not saved (database busy): "
        f"{getattr(last_error, 'orig', last_error)}")
