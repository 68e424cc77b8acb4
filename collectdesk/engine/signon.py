"""Signing on: who may enter, the lock-out after repeated failures, and where each operator lands.

Qt-free; the Welcome dialog and the ``/i`` ``/p`` startup flags both call
:func:`authenticate`.  Every failure and every lock-out is written to the audit log
in its own commit, so a failed attempt is recorded even though it raises.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditEntry, Operator, OperatorType
from .operators import OperatorError
from .operators import set_password as store_password
from .passwords import verify_password

#: Failures in a row before an operator is locked out, and for how long.
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=5)


class SignOnError(Exception):
    """A refused sign-on; ``str(error)`` is the message shown to the person signing on."""

    def __init__(self, message: str, *, reason: str, locked_until: dt.datetime | None = None):
        super().__init__(message)
        self.reason = reason
        self.locked_until = locked_until


class Route(enum.StrEnum):
    """Where an operator lands after signing on (seed 003 "Operator Setup", operator Type)."""

    MAIN_MENU = "main menu"
    WIP_LIST = "WIP list"
    CLIENT_RECORD = "client record"
    DIALER_WAIT = "dialer wait"
    SCHEDULER = "scheduler"
    WEB_HOST = "web host"


_ROUTES = {
    OperatorType.SYSTEM.value: Route.MAIN_MENU,
    OperatorType.COLLECTOR.value: Route.WIP_LIST,
    OperatorType.CLIENT.value: Route.CLIENT_RECORD,
    OperatorType.DIAL_OPERATOR.value: Route.DIALER_WAIT,
    OperatorType.SCHEDULER.value: Route.SCHEDULER,
    OperatorType.WEB_HOST.value: Route.WEB_HOST,
}


def route_for(operator: Operator) -> Route:
    return _ROUTES.get((operator.type or "").upper(), Route.MAIN_MENU)


@dataclass(frozen=True)
class SignOn:
    operator: Operator
    route: Route
    must_set_password: bool


def _audit(session: Session, now: dt.datetime, operator_id: str, event: str, detail: str) -> None:
    session.add(AuditEntry(at=now, operator_id=operator_id[:7], event=event, detail=detail))


def find_operator(session: Session, operator_id: str) -> Operator | None:
    """Operator IDs are case-insensitive at the sign-on prompt (stored upper case)."""
    wanted = operator_id.strip()
    if not wanted:
        return None
    op = session.get(Operator, wanted) or session.get(Operator, wanted.upper())
    if op is None:
        op = session.scalars(
            select(Operator).where(func.upper(Operator.id) == wanted.upper())
        ).first()
    return op


def authenticate(
    session: Session, operator_id: str, password: str, *, now: dt.datetime | None = None
) -> SignOn:
    """Check an operator ID and password; return where the operator lands or raise SignOnError.

    An operator flagged ``must_set_password`` with no password yet (a new masterdb)
    signs on with an empty password and must call :func:`set_password` before
    anything else.
    """
    now = now or dt.datetime.now()
    op = find_operator(session, operator_id)
    if op is None:
        _audit(session, now, operator_id, "signon failed", "unknown operator ID")
        session.commit()
        raise SignOnError(
            f"There is no operator with ID “{operator_id.strip()}”. Check the ID and try again.",
            reason="unknown",
        )
    if (op.type or "").upper() == OperatorType.DISTRIBUTION.value:
        _audit(session, now, op.id, "signon refused", "DISTRIBUTION operators cannot sign on")
        session.commit()
        raise SignOnError(
            f"{op.id} is a DISTRIBUTION team, not a person: teams share commission and cannot sign on.",
            reason="distribution",
        )
    if op.locked_until is not None and op.locked_until > now:
        _audit(session, now, op.id, "signon refused", f"locked out until {op.locked_until:%H:%M:%S}")
        session.commit()
        raise SignOnError(
            f"{op.id} is locked out after {MAX_FAILURES} failed sign-ons. "
            f"Try again after {op.locked_until:%H:%M}, or ask a manager.",
            reason="locked",
            locked_until=op.locked_until,
        )
    first_password = op.must_set_password and not op.password_hash
    if not first_password and not (password and verify_password(password, op.password_hash or "")):
        _fail(session, op, now)
    if op.failed_signons or op.locked_until:
        op.failed_signons = 0
        op.locked_until = None
    _audit(session, now, op.id, "signon", route_for(op).value)
    session.commit()
    return SignOn(op, route_for(op), bool(op.must_set_password))


def _fail(session: Session, op: Operator, now: dt.datetime) -> None:
    op.failed_signons = (op.failed_signons or 0) + 1
    if op.failed_signons >= MAX_FAILURES:
        op.locked_until = now + LOCKOUT
        op.failed_signons = 0
        _audit(session, now, op.id, "signon lockout",
               f"{MAX_FAILURES} failed sign-ons in a row; locked until {op.locked_until:%H:%M:%S}")
        session.commit()
        raise SignOnError(
            f"Wrong password. {op.id} is now locked out for {LOCKOUT.seconds // 60} minutes "
            f"after {MAX_FAILURES} failed sign-ons in a row.",
            reason="locked",
            locked_until=op.locked_until,
        )
    left = MAX_FAILURES - op.failed_signons
    _audit(session, now, op.id, "signon failed", f"wrong password ({op.failed_signons} in a row)")
    session.commit()
    raise SignOnError(
        f"Wrong password for {op.id}. Passwords are case-sensitive; "
        f"{left} more {'try' if left == 1 else 'tries'} before the ID is locked for "
        f"{LOCKOUT.seconds // 60} minutes.",
        reason="password",
    )


def set_password(session: Session, operator: Operator, new: str, confirm: str,
                 *, now: dt.datetime | None = None, by: str = "") -> None:
    """Set and commit an operator's password, typed twice (first sign-on on a new masterdb, or
    Set Password on the Operator form by ``by``): the rules of
    :func:`collectdesk.engine.operators.set_password`."""
    if new != confirm:
        raise SignOnError("The two passwords are not the same.", reason="mismatch")
    try:
        store_password(session, operator, new, by=by or operator.id, at=now)
    except OperatorError as exc:
        raise SignOnError(str(exc), reason="refused") from None
    session.commit()


__all__ = [
    "LOCKOUT", "MAX_FAILURES", "Route", "SignOn", "SignOnError", "authenticate", "find_operator",
    "route_for", "set_password",
]
