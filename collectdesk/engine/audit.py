"""The audit log: who signed on, who was refused what, who changed operators and access rights.

Agencies are audited on who could see and change what, so every change to an operator, a team
membership, an access right or a form right writes an :class:`~collectdesk.models.AuditEntry`
no matter which path saved it (a form, a headless command, an import).  That is done with
mapper events (:func:`install`), which write through the flush's own connection: the entry is
committed or rolled back together with the change it describes.

Who made a change: the record's ``updated_by`` (stamped by :func:`collectdesk.db.save`), else
``session.info["operator_id"]`` (set it once per sign-on with :func:`set_session_operator`).

Event names are shared with :mod:`collectdesk.engine.signon`, which writes the sign-on ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Mapper, Session, object_session

from ..models import AccessRight, AuditEntry, FormRight, Operator, TeamMember

# Events (AuditEntry.event, at most 30 characters).
SIGN_ON = "signon"
FAILED_SIGN_ON = "signon failed"
SIGN_ON_REFUSED = "signon refused"
LOCK_OUT = "signon lockout"
PASSWORD_SET = "password set"
RIGHTS_CHANGED = "rights changed"
OPERATOR_CHANGED = "operator changed"
ACCESS_REFUSED = "access refused"
FIELD_VERIFIED = "field verified"
RECORD_DELETED = "record deleted"

EVENTS = (SIGN_ON, FAILED_SIGN_ON, SIGN_ON_REFUSED, LOCK_OUT, PASSWORD_SET, RIGHTS_CHANGED,
          OPERATOR_CHANGED, ACCESS_REFUSED, FIELD_VERIFIED, RECORD_DELETED)

#: Attributes whose changes are not worth an "operator changed" entry: bookkeeping, the sign-on
#: counters (signon.py logs failures and lock-outs itself) and the password hash (logged as
#: "password set" without the hash).
_QUIET = frozenset({"version", "updated_at", "updated_by", "failed_signons", "locked_until",
                    "password_hash", "must_set_password"})


def now() -> dt.datetime:
    return dt.datetime.now()


def audit(session: Session, operator_id: str, event_name: str, detail: str = "",
          *, at: dt.datetime | None = None) -> AuditEntry:
    """Add one entry to ``session``; it is written with the session's next commit."""
    entry = AuditEntry(at=at or now(), operator_id=(operator_id or "")[:7],
                       event=event_name[:30], detail=detail)
    session.add(entry)
    return entry


def audit_now(session: Session, operator_id: str, event_name: str, detail: str = "") -> None:
    """Add an entry and commit it at once when the session holds no other pending change.

    Used for refusals: the refused action is abandoned, so nothing else would commit the entry.
    When the session has unsaved edits, the entry is flushed and goes in with their commit.
    """
    pending = bool(session.dirty or session.deleted or session.new)
    audit(session, operator_id, event_name, detail)
    if pending:
        session.flush()
    else:
        session.commit()


def set_session_operator(session: Session, operator_id: str) -> None:
    """Who is working in ``session``: used for audit entries of records without ``updated_by``."""
    session.info["operator_id"] = operator_id


def recent(session: Session, *, limit: int = 100, operator_id: str | None = None,
           event_name: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if operator_id:
        stmt = stmt.where(AuditEntry.operator_id == operator_id)
    if event_name:
        stmt = stmt.where(AuditEntry.event == event_name)
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------------------------
# Change auditing (mapper events)
# ---------------------------------------------------------------------------------------------

def _who(target: Any) -> str:
    who = getattr(target, "updated_by", "") or ""
    if not who:
        session = object_session(target)
        who = session.info.get("operator_id", "") if session is not None else ""
    return who


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) or value is None else str(value)


def _changes(target: Any) -> list[str]:
    state = inspect(target)
    out = []
    for attr in state.mapper.column_attrs:
        if attr.key in _QUIET:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                out.append(f"{attr.key}: {_shown(old)} → {_shown(new)}")
    return out


def _describe(connection: Any, target: Any) -> tuple[str, str]:
    if isinstance(target, Operator):
        return OPERATOR_CHANGED, f"operator {target.id}"
    if isinstance(target, TeamMember):
        return OPERATOR_CHANGED, f"team {target.team_id} member {target.member_id}"
    if isinstance(target, AccessRight):
        return RIGHTS_CHANGED, f"access right {target.name!r}"
    if isinstance(target, FormRight):
        # Read the right's name through the flush's connection: no lazy load inside a flush.
        name = connection.execute(
            select(AccessRight.name).where(AccessRight.id == target.access_right_id)
        ).scalar() or f"#{target.access_right_id}"
        return RIGHTS_CHANGED, f"access right {name!r} level {target.user_level}"
    return "changed", type(target).__name__


#: What an "added" entry shows of a new record.
_ADDED_SHOWS = {Operator: ("type", "user_level", "enable_security"),
                TeamMember: ("commission_percent",),
                FormRight: ("rights", "alias", "picklist")}

#: ``updated_by`` of access rights written by a rebuild, which logs one summary entry itself.
REBUILD_MARK = "rebuild"


def _write(connection: Any, target: Any, what: str) -> None:
    if isinstance(target, AccessRight) and target.updated_by == REBUILD_MARK:
        return
    event_name, subject = _describe(connection, target)
    if what == "changed":
        changes = _changes(target)
        if not changes:
            return
        detail = f"{subject} changed: " + "; ".join(changes)
    else:
        detail = f"{subject} {what}"
        shows = _ADDED_SHOWS.get(type(target), ()) if what == "added" else ()
        if shows:
            detail += " (" + ", ".join(f"{a}={_shown(getattr(target, a))}" for a in shows) + ")"
    connection.execute(insert(AuditEntry).values(
        at=now(), operator_id=_who(target)[:7], event=event_name, detail=detail))


def _after_insert(_mapper: Mapper[Any], connection: Any, target: Any) -> None:
    _write(connection, target, "added")


def _after_update(_mapper: Mapper[Any], connection: Any, target: Any) -> None:
    _write(connection, target, "changed")


def _after_delete(_mapper: Mapper[Any], connection: Any, target: Any) -> None:
    _write(connection, target, "deleted")


_AUDITED: tuple[type, ...] = (Operator, TeamMember, AccessRight, FormRight)


def install(classes: Iterable[type] = _AUDITED) -> None:
    """Turn on change auditing for the given mapped classes (idempotent; done on import)."""
    for cls in classes:
        for name, fn in (("after_insert", _after_insert), ("after_update", _after_update),
                         ("after_delete", _after_delete)):
            if not event.contains(cls, name, fn):
                event.listen(cls, name, fn)


install()

__all__ = [
    "ACCESS_REFUSED", "EVENTS", "FAILED_SIGN_ON", "FIELD_VERIFIED", "LOCK_OUT",
    "OPERATOR_CHANGED", "PASSWORD_SET", "RECORD_DELETED",
    "RIGHTS_CHANGED", "SIGN_ON", "SIGN_ON_REFUSED", "audit", "audit_now", "install", "recent",
    "set_session_operator",
]
