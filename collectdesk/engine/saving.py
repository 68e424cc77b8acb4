"""Saving a record from a form: one transaction holding everything the save sets off.

A form collects what was typed into its records (:func:`.records.apply_values` gives the
changes); :func:`save_form` then, in this order and in one transaction:

1. checks that nobody saved the records since the form read them (:class:`.db.SaveConflict`);
2. refuses a record its rules forbid (:class:`RecordRefused`, nothing written): the operator
   ID and type rules (seed 003 "Operator Setup"), a value a field's pick list does not offer
   when the list has no blank entry, or one that does not fit the list's data type ("Pick
   Lists");
3. stamps Owned By on a client created by an operator whose access applies to client accounts
   (seed 003 "How To Set Up Account Access Control");
4. fills what follows from what was typed (phone digits, the account's Phone records, Address
   OK once a ZIP is filled, the time zone);
5. writes the note lines (fields logged to notes, notes typed on a new record) and, for each
   field the operator confirmed under Verify On Exit, an audit entry (and a note line when the
   field's access right says Log Verification);
6. sets off what the seed ties to the change — new business: the client's fixed fee (397 /
   398), then the Action field's plan or the client's new-account plan; an existing account:
   Mode set to Closed closes it (a 499 for accrued interest, interest stopped), the operator
   change (the old operator's In Progress contacts move, then the "Run plan on operator
   change" preference), the status's Run Plan, a typed Action / Run Plan code, the "Run plan
   on phone change" preference; a client's typed Action code; a new transaction is posted by
   its type ("Transaction Posting Event Sequence": amounts, breakdown, commission and tax,
   the account's totals, the type's plan, the payment-posting plan) and an edited one has its
   commission, tax and the account's totals worked out again (a promise given its Posted
   date is kept: its Promise contact is completed);
7. commits, stamping who saved.

A plan's questions (prompt before deleting, start date, confirm details) are asked through
the ``callbacks`` the caller supplies; a plan cancelled there cancels nothing else.  Any error
rolls the whole save back: no record is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import db
from ..models import Client, Debtor, DebtorMode, Email, Operator, Phone, Transaction
from . import audit, operators, payment_plans, picklists, plan_triggers, posting, records
from .access import AccessPolicy, stamp_owned_by
from .contact_plans import PlanCallbacks, PlanResult
from .contacts import move_in_progress
from .preferences import problems as preferences_problems
from .records import DEBTOR_PHONE_FIELDS, Change
from .rights import RightsTable, right_for_code


class RecordRefused(ValueError):
    """A rule refuses the record as typed; the message says which rule and what to change."""


@dataclass
class SaveResult:
    """What a save set off besides writing the record."""

    plans: list[PlanResult] = field(default_factory=list)
    moved_contacts: int = 0
    fee_posted: str = ""
    plans_run: list[str] = field(default_factory=list)  # by a posted transaction's type

    def summary(self) -> list[str]:
        """One line per plan run, for the status bar or a message."""
        lines = []
        for plan in self.plans:
            if plan.cancelled:
                lines.append(f"Plan {plan.plan} was cancelled"
                             + (f": {plan.reason}" if plan.reason else "."))
            else:
                lines.append(f"Plan {plan.plan} ran: {plan.contacts_created} contact(s) scheduled.")
        lines += [f"Plan {code} ran." for code in self.plans_run]
        return lines


def save_form(session: Session, objects: Sequence[Any], changes: Sequence[Change], *,
              is_new: bool, operator_id: str,
              versions: Iterable[tuple[Any, int | None]] = (),
              logged_codes: set[str] = frozenset(),  # type: ignore[assignment]
              new_notes: Sequence[str] = (),
              policy: AccessPolicy | None = None,
              rights: RightsTable | None = None,
              verified: Sequence[Change] = (),
              callbacks: PlanCallbacks | None = None,
              now: dt.datetime | None = None) -> SaveResult:
    """Save a form's records (``objects[0]`` is the form's own record) as described above.

    ``rights`` (the operator's level) decides which pick list each field has; ``verified`` are
    the changes the operator confirmed under Verify On Exit (:func:`to_verify` lists them).

    Raises :class:`.db.SaveConflict` (naming who saved first and when) or
    :class:`RecordRefused`; in both cases the session is rolled back.
    """
    record = objects[0]
    try:
        records.check_versions(versions)
        refuse(session, record)
        if rights is not None:
            check_picklists(session, rights, changes)
        if is_new:
            session.add(record)
            if isinstance(record, Client) and policy is not None:
                stamp_owned_by(policy, record)
        derive(session, record, changes)
        db.stamp_saved_by(session, objects, operator_id)
        session.flush()
        _write_notes(session, record, changes, logged_codes, new_notes, operator_id, now)
        _log_verified(session, record, verified, rights, operator_id, now)
        result = _set_off(session, record, changes, is_new=is_new, operator_id=operator_id,
                          callbacks=callbacks, now=now)
        db.save(session, *objects, operator=operator_id)
    except StaleDataError:
        session.rollback()
        raise db.conflict_for(session, objects) from None
    except posting.PostingError as exc:
        session.rollback()
        raise RecordRefused(str(exc)) from None
    except Exception:
        session.rollback()
        raise
    return result


def derive(session: Session, record: Any, changes: Sequence[Change]) -> None:
    """Fill the fields that follow from what was typed."""
    if isinstance(record, Phone):
        record.digits = records.phone_digits(record.number)
    elif isinstance(record, Email):
        record.address_lower = (record.address or "").strip().lower()
    elif isinstance(record, Debtor):
        records.sync_debtor_phones(session, record, changes)
        zip_filled = any(c.attribute == "zip" and not c.old and c.new for c in changes)
        if zip_filled and record.address and not record.address_ok:
            record.address_ok = True
        if not record.timezone:
            record.timezone = records.debtor_time_zone(record) or record.timezone


def refuse(session: Session, record: Any) -> None:
    """Raise :class:`RecordRefused` when a rule forbids the record as typed."""
    problems = preferences_problems(record)
    if problems:
        raise RecordRefused("\n".join(problems))
    if isinstance(record, Operator):
        problems = operators.problems(session, record)
        if problems:
            raise RecordRefused("\n".join(problems))
        if not inspect(record).persistent:  # a saved operator's ID is not edited in place
            record.id = operators.normalise_id(record.id)
        record.type = (record.type or "").upper()


def check_picklists(session: Session, rights: RightsTable, changes: Sequence[Change]) -> None:
    """Raise :class:`RecordRefused` for a typed value the field's pick list refuses.

    A list without a blank entry allows only its keys (a text value matching a key or a shown
    text in another case is stored as the key); every value must fit the list's data type.
    """
    for c in changes:
        name = right_for_code(c.code)
        list_name = rights.picklist(name) if name else ""
        if not list_name:
            continue
        try:
            value = picklists.validate(session, list_name, picklists.data_type(session, list_name),
                                       c.new)
        except picklists.PickListError as exc:
            raise RecordRefused(f"{c.label} ({c.code}): {exc}") from None
        if isinstance(c.new, str) and isinstance(value, str) and value != c.new:
            setattr(c.record, c.attribute, value)


def to_verify(rights: RightsTable, operator: Operator | None,
              changes: Sequence[Change]) -> list[Change]:
    """The changes to confirm before the form is left: fields whose access right says Verify On
    Exit, for an operator with Enable Verification on ("the verification prompt will only
    appear if the data in the field has changed")."""
    if operator is None or not operator.enable_verification:
        return []
    out = []
    for c in changes:
        name = right_for_code(c.code)
        if name and rights.verify_on_exit(name):
            out.append(c)
    return out


def _log_verified(session: Session, record: Any, verified: Sequence[Change],
                  rights: RightsTable | None, operator_id: str, now: dt.datetime | None) -> None:
    if not verified:
        return
    target = _note_target(session, record)
    for c in verified:
        shown = records.shown_value(c.new)
        where = f"{type(c.record).__name__} {getattr(c.record, 'id', '')}".strip()
        audit.audit(session, operator_id, audit.FIELD_VERIFIED,
                    f"{where}: {c.label} ({c.code}) verified as {shown}", at=now)
        name = right_for_code(c.code)
        if target and rights is not None and name and rights.log_verification(name):
            records.add_note(session, f"{c.label} verified as {shown}", operator_id=operator_id,
                             now=now, **target)


def _note_target(session: Session, record: Any) -> dict[str, Any]:
    """Where a record's note lines go: its account, its client, or nowhere."""
    if isinstance(record, Debtor):
        return {"debtor": record}
    if isinstance(record, Client):
        return {"client": record}
    if getattr(record, "debtor_id", None) is not None:  # a sub-record of an account
        return {"debtor": session.get(Debtor, record.debtor_id)}
    return {}


def _write_notes(session: Session, record: Any, changes: Sequence[Change],
                 logged_codes: set[str], new_notes: Sequence[str], operator_id: str,
                 now: dt.datetime | None) -> None:
    target = _note_target(session, record)
    if not target:
        return
    records.log_changes(session, changes, logged_codes, operator_id=operator_id, now=now,
                        **target)
    for text in new_notes:
        records.add_note(session, text, operator_id=operator_id, now=now, **target)


def _changed(changes: Sequence[Change], record: Any, attribute: str) -> Change | None:
    return next((c for c in changes if c.record is record and c.attribute == attribute), None)


def _set_off(session: Session, record: Any, changes: Sequence[Change], *, is_new: bool,
             operator_id: str, callbacks: PlanCallbacks | None,
             now: dt.datetime | None) -> SaveResult:
    result = SaveResult()
    plan_kw: dict[str, Any] = {"callbacks": callbacks, "now": now}

    def ran(plan: PlanResult | None) -> None:
        if plan is not None:
            result.plans.append(plan)

    if isinstance(record, Debtor):
        if is_new:
            fee = posting.apply_new_account_fees(session, record, operator=operator_id)
            result.fee_posted = fee.transaction.type_code if fee is not None else ""
            ran(plan_triggers.on_new_account(session, record, operator_id, **plan_kw))
            return result
        mode = _changed(changes, record, "mode")
        if mode is not None and mode.new == DebtorMode.CLOSED:
            record.mode = mode.old  # close_account closes it: posts 499, stops interest
            posting.close_account(session, record, operator=operator_id)
        moved = _changed(changes, record, "operator_id")
        if moved is not None:
            result.moved_contacts = move_in_progress(
                session, debtor_id=record.id, old=moved.old or "", new=moved.new or "",
                by=operator_id)
            ran(plan_triggers.on_operator_change(session, record, operator_id, **plan_kw))
        status = _changed(changes, record, "status")
        if status is not None:
            ran(plan_triggers.on_status_change(session, record, status.old or "",
                                               status.new or "", operator_id, **plan_kw))
        if _changed(changes, record, "run_plan") is not None and (record.run_plan or "").strip():
            ran(plan_triggers.run_action(session, record, record.run_plan.strip(), operator_id,
                                         **plan_kw))
        if any(c.record is record and c.attribute in DEBTOR_PHONE_FIELDS for c in changes):
            ran(plan_triggers.on_phone_change(session, record, operator_id, **plan_kw))
    elif isinstance(record, Transaction):
        typed_here = {c.attribute for c in changes if c.record is record}
        if is_new:
            posted = posting.post_entered(session, record, typed_here, operator=operator_id,
                                          plan_callbacks=callbacks)
            result.plans_run = posted.plans_run
        else:
            posting.repost_edited(session, record, typed_here)
            kept = _changed(changes, record, "posted_date")
            if kept is not None and kept.old is None and kept.new is not None:
                payment_plans.promise_posted(session, record)
    elif isinstance(record, Client):
        typed = _changed(changes, record, "run_plan")
        if typed is not None and (record.run_plan or "").strip():
            ran(plan_triggers.run_action(session, record, record.run_plan.strip(), operator_id,
                                         **plan_kw))
    return result


__all__ = ["RecordRefused", "SaveResult", "check_picklists", "derive", "refuse", "save_form",
           "to_verify"]
