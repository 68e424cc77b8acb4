"""Deleting a record: the one path every form and list deletes through.

A delete is refused whole, never done in part: :func:`check_delete` names what stops it — the
access right (write on the record's form), the account access (a restricted operator deletes
only accounts it may see), or a record that must be kept while others point at it
(:data:`KEEPS`, rules as data: an account with transactions, a client with accounts, an
operator still named on accounts …) or one that is never deleted (:data:`NEVER`: the audit
log, Company Details, the system preferences, reserved transaction types).  What a record
owns (an account's phones, notes, contacts, details; a plan's events) goes with it.  Deleting
a transaction works the account's totals out again in the same commit.  Every delete is
written to the audit log.

How the operator is asked first depends on their Messaging level (seed 003 "Operator Setup"):
:func:`collectdesk.engine.operators.delete_confirmation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ..models import (
    AuditEntry,
    Client,
    CompanyDetails,
    ContactPlan,
    Debtor,
    Operator,
    Preferences,
    Rights,
    StatusCode,
    TeamMember,
    Transaction,
    TransactionType,
)
from . import audit, recalc
from .access import Access, AccessPolicy
from .rights import RightsTable, form_name


class DeleteRefused(ValueError):
    """A record that may not be deleted; the message says why and what to do instead."""


@dataclass(frozen=True)
class Keeps:
    """A ``model`` record is kept while ``child`` rows name it in ``column`` (by ``key``)."""

    model: type
    child: type
    column: str
    what: str  # the child rows, plural
    instead: str
    key: str = "id"


KEEPS: tuple[Keeps, ...] = (
    Keeps(Debtor, Transaction, "debtor_id", "transaction(s)",
          "an account's financial history is kept: close the account (Mode Closed) instead"),
    Keeps(Client, Debtor, "client_id", "account(s)",
          "delete or move its accounts first"),
    Keeps(Client, Transaction, "client_id", "transaction(s)",
          "a client's financial history is kept"),
    Keeps(Client, Client, "owned_by_id", "client(s) it owns",
          "change their Owned By Client first"),
    Keeps(Operator, Debtor, "operator_id", "account(s) naming it as Operator",
          "reassign those accounts first", key="id"),
    Keeps(Operator, Debtor, "sales_id", "account(s) naming it as Sales",
          "reassign those accounts first", key="id"),
    Keeps(Operator, TeamMember, "member_id", "team membership(s)",
          "remove it from its teams first", key="id"),
    Keeps(StatusCode, Debtor, "status", "account(s) with this status",
          "give those accounts another status first", key="code"),
    Keeps(TransactionType, Transaction, "type_code", "transaction(s) of this type",
          "a posted transaction keeps its type", key="code"),
    Keeps(ContactPlan, StatusCode, "run_plan", "status code(s) running this plan",
          "change their Run Plan first", key="code"),
)


@dataclass(frozen=True)
class NeverDeleted:
    """Records of ``model`` for which ``applies`` is true are never deleted: ``why``."""

    model: type
    applies: Callable[[Any], bool]
    why: str


NEVER: tuple[NeverDeleted, ...] = (
    NeverDeleted(AuditEntry, lambda _r: True,
                 "the audit log is never edited: its entries cannot be deleted"),
    NeverDeleted(CompanyDetails, lambda _r: True,
                 "a database has one Company Details record: change it instead"),
    NeverDeleted(Preferences, lambda r: r.operator_id is None,
                 "the system preferences are kept: change them instead"),
    NeverDeleted(TransactionType, lambda r: bool(r.system_reserved or r.is_heading),
                 "reserved transaction types and group headings are used by the program"),
)


def describe(record: Any) -> str:
    """``Debtor 12``, ``Operator SC``: how messages and the audit log name a record."""
    identity = inspect(record).identity
    key = identity[0] if identity and len(identity) == 1 else identity
    return f"{type(record).__name__} {key}"


def _kept_by(session: Session, record: Any) -> list[str]:
    reasons = []
    for rule in KEEPS:
        if not isinstance(record, rule.model):
            continue
        value = getattr(record, rule.key)
        column = getattr(rule.child, rule.column)
        # IDs typed by hand may be in another case; the variants keep the index usable.
        values = {value, value.upper(), value.lower()} if isinstance(value, str) else {value}
        condition = column.in_(sorted(values))
        count = session.scalar(select(func.count()).select_from(rule.child).where(condition))
        if count:
            reasons.append(f"{count:,} {rule.what}: {rule.instead}")
    return reasons


def check_delete(session: Session, record: Any, *, rights: RightsTable | None = None,
                 policy: AccessPolicy | None = None) -> None:
    """Raise :class:`DeleteRefused` (or :class:`~.rights.AccessRefused`, audited) when
    ``record`` may not be deleted; nothing is changed."""
    for rule in NEVER:
        if isinstance(record, rule.model) and rule.applies(record):
            raise DeleteRefused(f"{describe(record)} cannot be deleted: {rule.why}.")
    if isinstance(record, Operator) and policy is not None \
            and record.id.upper() == policy.operator_id.upper():
        raise DeleteRefused(f"{describe(record)} cannot be deleted: you are signed on as it.")
    if rights is not None:
        rights.require(f"form:{form_name(type(record))}", Rights.WRITE, session=session)
    if policy is not None and isinstance(record, Debtor) \
            and policy.check(session, record.id) is not Access.FULL:
        audit.audit_now(session, policy.operator_id, audit.ACCESS_REFUSED,
                        f"debtor {record.id}: delete refused")
        raise DeleteRefused(f"{describe(record)} cannot be deleted: your account access does "
                            "not include it.")
    reasons = _kept_by(session, record)
    if reasons:
        raise DeleteRefused(f"{describe(record)} cannot be deleted; it has "
                            + "; ".join(reasons) + ".")


def delete_record(session: Session, record: Any, *, operator_id: str,
                  rights: RightsTable | None = None,
                  policy: AccessPolicy | None = None) -> str:
    """Delete ``record`` and what it owns in one commit, or refuse as :func:`check_delete`.

    Returns how the record was named (for the status bar).
    """
    check_delete(session, record, rights=rights, policy=policy)
    named = describe(record)
    debtor = session.get(Debtor, record.debtor_id) \
        if isinstance(record, Transaction) and record.debtor_id is not None else None
    try:
        if hasattr(record, "updated_by"):
            record.updated_by = operator_id  # audited records name who deleted them
        session.delete(record)
        session.flush()
        if debtor is not None:
            recalc.recalc_debtor(session, debtor)
        audit.audit(session, operator_id, audit.RECORD_DELETED, named)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return named


__all__ = ["KEEPS", "NEVER", "DeleteRefused", "Keeps", "NeverDeleted", "check_delete",
           "delete_record", "describe"]
