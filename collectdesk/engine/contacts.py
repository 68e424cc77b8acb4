"""Contact types and what each one does when it runs.

Seed 003, "Contact Plans" and "How Collect! Executes Contact Plans Internally".  A contact is
either *worked by a person* (it waits In Progress in somebody's list) or an *action* that the
system executes when it falls due (at once when a plan schedules it for today, otherwise by
"Process automatic contacts previously scheduled"):

=============  ==========================================================================
Letter         queued In Progress for the letter batch; "Print now" prints it at once
Phone, Review, scheduled In Progress (Phone/Review/Promise/Other put the account in a WIP
Promise,       list); Client = a contact with the client about the account (it carries the
Other, Email,  client number too)
Text, Client
Note           writes a note line (``DATE TIME STATUS OPERATOR : TEXT``)
Status         sets the account status and runs that status code's Run Plan
Activate       sets the mode to Active
Close          closes the account through the financial engine (which posts a 499 for an
               interest account); sets the mode to Closed when no engine is installed
Operator       assigns the account operator; In Progress contacts of the previous operator
               move to the new one
Sales          sets the Sales ID
Edit           sets any field by printable code: ``de.xx=value``
Commission     sets the account's commission rate ("45" = 45 %)
Rate Plan      sets the account's commission rate plan
Transaction    posts a transaction of the event's type (and amount, if one is given)
Plan           runs another contact plan in place
ODBC           runs an ODBC Sync pair at once through :data:`ODBC_EXECUTOR`
Metro          credit-bureau contacts: never created by a plan, never deleted by one
=============  ==========================================================================

Where an action keeps its argument (our decision: the seed says only that Status and
Commission events use the description, and ODBC events the attachment):

* Description: Status (status code), Commission (rate), Rate Plan (code), Plan (code), Note (text)
* Attachment: Operator and Sales (operator ID), Transaction (transaction type code), Edit
  (``de.xx=value``), ODBC (the CSV/INI pair name).

A plan event names the Operator/Sales ID with "Assign to specific operator" (the seed's JC
example) or in its description; an Edit event may give ``de.xx=value`` in its description or its
attachment; a Transaction event uses its Transaction Type field.  When such an event is saved as
a delayed contact, the argument is stored in the contact field above so that processing the
contact later does the same thing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import WIP_TYPES, Contact, ContactType, DebtorMode
from ..models.fieldcodes import FieldCode, lookup

log = logging.getLogger(__name__)

T = ContactType

#: Worked by people (or printed): saved In Progress whatever their date.
SCHEDULED_TYPES = frozenset({T.LETTER, T.PHONE, T.REVIEW, T.PROMISE, T.OTHER, T.EMAIL, T.TEXT,
                             T.CLIENT})
#: Executed by the system when due.
ACTION_TYPES = frozenset({T.NOTE, T.STATUS, T.ACTIVATE, T.CLOSE, T.OPERATOR, T.SALES, T.EDIT,
                          T.COMMISSION, T.RATE_PLAN, T.TRANSACTION, T.PLAN, T.ODBC})

ARGUMENT_FIELD: dict[str, str] = {
    T.STATUS: "description", T.COMMISSION: "description", T.RATE_PLAN: "description",
    T.PLAN: "description", T.NOTE: "description",
    T.OPERATOR: "attachment", T.SALES: "attachment", T.TRANSACTION: "attachment",
    T.EDIT: "attachment", T.ODBC: "attachment",
}

WIP_TYPE_VALUES = tuple(t.value for t in WIP_TYPES)


class ActionError(Exception):
    """An action that could not run (bad value, missing engine); the plan goes on without it."""


class OdbcNotConfigured(ActionError):
    pass


def _odbc_not_configured(session: Session, target: Any, pair: str, operator: str) -> None:
    raise OdbcNotConfigured("ODBC Sync not configured")


#: ``ODBC_EXECUTOR(session, target, pair_name, operator)`` runs one ODBC Sync pair for the account
#: and raises on failure.  The ODBC Sync module replaces this default, which always fails.
ODBC_EXECUTOR: Callable[[Session, Any, str, str], None] = _odbc_not_configured

#: ``CLOSE_EXECUTOR(session, debtor, operator=…)`` closes an account.  None: use the financial
#: engine's ``close_account`` when it is installed, else just set the mode to Closed.
CLOSE_EXECUTOR: Callable[..., Any] | None = None

_CLOSE_MODULES = ("collectdesk.engine.posting", "collectdesk.engine.closing",
                  "collectdesk.engine.accounts")


def close_executor() -> Callable[..., Any] | None:
    if CLOSE_EXECUTOR is not None:
        return CLOSE_EXECUTOR
    for name in _CLOSE_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found = getattr(module, "close_account", None)
        if callable(found):
            return found
    return None


def call_with_supported(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` with only the keyword arguments its signature accepts."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn(*args, **kwargs)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(*args, **kwargs)
    return fn(*args, **{k: v for k, v in kwargs.items() if k in params})


class AccountSink(Protocol):
    """What an action may do to the account (or client) a contact belongs to.

    The per-account ORM runner and the set-based batch runner both implement it, so the meaning
    of every contact type is written once, here.
    """

    def get(self, attribute: str) -> Any: ...
    def set(self, attribute: str, value: Any) -> None: ...
    def status_changed(self, old: str, new: str) -> None: ...
    def operator_changed(self, old: str, new: str) -> None: ...
    def edit(self, field: FieldCode, value: Any) -> None: ...
    def write_note(self, text: str, status: str, operator: str) -> None: ...
    def run_plan(self, code: str) -> None: ...
    def post_transaction(self, type_code: str, amount: Decimal, description: str) -> None: ...
    def close(self) -> None: ...
    def odbc(self, pair: str) -> None: ...


def contact_argument(contact: Any) -> str:
    """The argument of an action contact (status code, operator ID, ``de.xx=value`` …)."""
    name = ARGUMENT_FIELD.get(contact.type)
    return (getattr(contact, name) or "").strip() if name else ""


def parse_edit(argument: str) -> tuple[FieldCode, Any]:
    """``de.xx=value`` → the field and its typed value."""
    code, sep, raw = argument.partition("=")
    if not sep or not code.strip():
        raise ActionError(f"Edit needs 'field code=value', got {argument!r}")
    try:
        field = lookup(code.strip())
    except KeyError as exc:
        raise ActionError(str(exc.args[0])) from None
    try:
        value = _typed(field, raw.strip())
    except (ValueError, InvalidOperation, OverflowError) as exc:
        raise ActionError(f"Edit: {raw.strip()!r} is not a valid value for {field.code}") from exc
    if field.length and isinstance(value, str) and len(value) > field.length:
        raise ActionError(f"Edit: {value!r} is longer than {field.code} allows ({field.length})")
    return field, value


def _typed(field: FieldCode, raw: str) -> Any:
    if field.kind in ("text", "phone", "picklist", "radio"):
        return raw
    if field.kind == "datetime":
        from dateutil import parser

        return parser.parse(raw) if raw else None
    if field.kind == "time":
        return dt.time.fromisoformat(raw) if raw else None
    return field.parse(raw)


def change_field(sink: AccountSink, attribute: str, value: Any) -> None:
    """Set an account field, with the side effects a person changing it would cause."""
    old = sink.get(attribute)
    if value == old:
        return
    sink.set(attribute, value)
    if attribute == "status":
        sink.status_changed(old or "", value)
    elif attribute == "operator_id":
        sink.operator_changed(old or "", value)


def execute_action(sink: AccountSink, ctype: str, argument: str, *, description: str = "",
                   amount: Decimal = Decimal("0"), note_status: str | None = None,
                   note_operator: str | None = None) -> None:
    """Run one action contact (or plan event) on the account."""
    if ctype == T.STATUS:
        if not argument:
            raise ActionError("Status event has no status code in its description")
        change_field(sink, "status", argument)
    elif ctype == T.ACTIVATE:
        change_field(sink, "mode", DebtorMode.ACTIVE)
    elif ctype == T.CLOSE:
        sink.close()
    elif ctype == T.OPERATOR:
        if not argument:
            raise ActionError("Operator event names no operator")
        change_field(sink, "operator_id", argument)
    elif ctype == T.SALES:
        change_field(sink, "sales_id", argument)
    elif ctype == T.COMMISSION:
        try:
            rate = Decimal(argument.rstrip("%").strip())
        except InvalidOperation:
            raise ActionError(f"Commission event: {argument!r} is not a rate") from None
        change_field(sink, "commission_rate", rate)
    elif ctype == T.RATE_PLAN:
        change_field(sink, "rate_plan", argument)
    elif ctype == T.EDIT:
        field, value = parse_edit(argument)
        sink.edit(field, value)
    elif ctype == T.NOTE:
        status = sink.get("status") if note_status is None else note_status
        operator = sink.get("operator_id") if note_operator is None else note_operator
        sink.write_note(argument, status or "", operator or "")
    elif ctype == T.TRANSACTION:
        if not argument:
            raise ActionError("Transaction event has no transaction type")
        sink.post_transaction(argument, amount, description)
    elif ctype == T.PLAN:
        if not argument:
            raise ActionError("Plan event names no plan in its description")
        sink.run_plan(argument)
    elif ctype == T.ODBC:
        sink.odbc(argument)
    else:
        raise ActionError(f"{ctype} contacts are not executed automatically")


# ------------------------------------------------------------------------------------------
# Deleting pending contacts
# ------------------------------------------------------------------------------------------


def is_active_wip(contact: Any, today: dt.date) -> bool:
    """In Progress Review/Phone/Promise/Other already due: it is in somebody's WIP list now."""
    return contact.type in WIP_TYPE_VALUES and contact.due_date is not None \
        and contact.due_date <= today


def is_repeating_promise(contact: Any) -> bool:
    return contact.type == T.PROMISE and (contact.repeat_days or 0) > 0


def deletion_actions(pending: Iterable[Any], *, delete_all: bool,
                     same_type: Iterable[tuple[str, str | None]], today: dt.date
                     ) -> tuple[list[Any], list[Any]]:
    """Which pending contacts a plan deletes and which it marks Completed instead.

    ``same_type``: (type, description or None) for each event with "Delete same type contacts"
    (description given when "Same description only" is on; compared case-insensitively).
    Metro contacts are never touched; repeating promises and active WIP contacts are completed.
    """
    rules = [(t, None if d is None else d.strip().casefold()) for t, d in same_type]
    if not delete_all and not rules:
        return [], []
    delete, complete = [], []
    for contact in pending:
        if contact.type == T.METRO:
            continue
        description = (contact.description or "").strip().casefold()
        if not delete_all and not any(contact.type == t and (d is None or description == d)
                                      for t, d in rules):
            continue
        if is_repeating_promise(contact) or is_active_wip(contact, today):
            complete.append(contact)
        else:
            delete.append(contact)
    return delete, complete


def unindexed(column: Any, blank: Any) -> Any:
    """``column`` wrapped so that the planner looks the account's contacts up by account.

    Without statistics SQLite prefers ix_contacts_wip / ix_contacts_due for ``done = 0 AND
    operator_id = ?``, which scans every pending contact of the operator (or of everybody)
    instead of the few contacts of one account.
    """
    return func.coalesce(column, blank)


def move_in_progress(session: Session, *, debtor_id: int, old: str, new: str,
                     by: str | None = None) -> int:
    """Give the new operator the account's In Progress contacts that were the old operator's.

    Seed 003 "Reassigning an Account to a New Operator": completed contacts and contacts of
    other operators stay where they are.  ``by``: the operator making the change, recorded on
    each moved contact (as the batch runner does).
    """
    contacts = session.scalars(select(Contact).where(
        Contact.debtor_id == debtor_id, unindexed(Contact.done, False).is_(False),
        unindexed(Contact.operator_id, "") == old)).all()
    for contact in contacts:
        contact.operator_id = new
        if by is not None:
            contact.updated_by = by
    return len(contacts)


__all__ = [
    "ACTION_TYPES", "ARGUMENT_FIELD", "CLOSE_EXECUTOR", "ODBC_EXECUTOR", "SCHEDULED_TYPES",
    "AccountSink", "ActionError", "OdbcNotConfigured", "call_with_supported", "change_field",
    "close_executor", "contact_argument", "deletion_actions", "execute_action", "is_active_wip",
    "is_repeating_promise", "move_in_progress", "parse_edit", "unindexed",
]
