"""Operator rules: IDs, types, passwords, the level-99 caution, teams, messaging (seed 003
"Operator Setup").

Every change saved to an operator or a team membership is written to the audit log by
:mod:`collectdesk.engine.audit` (imported here so the hooks are on wherever operators change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ..models import Client, Messaging, Operator, OperatorType, TeamMember
from . import audit as audit_log
from .passwords import FORBIDDEN, hash_password

MAX_ID_LENGTH = 7
RESERVED_IDS = frozenset({"system", "admin"})
ADMIN_LEVEL = 99
#: The shipped administrator: operator 99 at level 99 is not shown the caution.
SHIPPED_ADMIN_ID = "99"

LEVEL_99_CAUTION = (
    "User level 99 is meant for administration only. At level 99 the access rights system is "
    "bypassed, so anything that relies on it (aliases, per-level pick lists, required and "
    "verified fields, hidden labels) does not apply to this operator. Give everyday operators "
    "a lower user level."
)


class OperatorError(ValueError):
    """An operator setting that breaks a rule; the message says which and how to fix it."""


# ---------------------------------------------------------------------------------------------
# IDs and types
# ---------------------------------------------------------------------------------------------

def normalise_id(raw: str) -> str:
    """Operator IDs are case-insensitive and kept in upper case (``sc`` → ``SC``)."""
    return (raw or "").strip().upper()


def check_id(session: Session, raw: str, *, current: Operator | None = None) -> str:
    """The normalised ID, or OperatorError: up to 7 characters, no spaces, unique, not reserved."""
    op_id = normalise_id(raw)
    if not op_id:
        raise OperatorError("Operator ID is empty: an operator needs an ID.")
    if len(op_id) > MAX_ID_LENGTH:
        raise OperatorError(f"Operator ID {op_id!r} is longer than {MAX_ID_LENGTH} characters.")
    if any(ch.isspace() for ch in op_id):
        raise OperatorError(f"Operator ID {op_id!r} cannot contain spaces.")
    if '"' in op_id or not op_id.isprintable():
        raise OperatorError(f"Operator ID {op_id!r} cannot contain quotes or control characters.")
    if op_id.lower() in RESERVED_IDS:
        raise OperatorError(f"{op_id!r} is a reserved word and cannot be an operator ID.")
    clash = session.scalars(
        select(Operator).where(func.upper(Operator.id) == op_id)).first()
    if clash is not None and clash is not current:
        raise OperatorError(f"Operator ID {op_id!r} is already used by {clash.name or clash.id}.")
    return op_id


def is_team(operator: Operator) -> bool:
    return (operator.type or "").upper() == OperatorType.DISTRIBUTION.value


def can_sign_on(operator: Operator) -> bool:
    """DISTRIBUTION operators are teams, never a sign-on ID."""
    return not is_team(operator)


def problems(session: Session, operator: Operator) -> list[str]:
    """Everything wrong with an operator before it is saved (empty: fine)."""
    out: list[str] = []
    try:
        check_id(session, operator.id or "", current=operator)
    except OperatorError as exc:
        out.append(str(exc))
    types = {t.value for t in OperatorType}
    if (operator.type or "").upper() not in types:
        out.append(f"Type {operator.type!r} is not one of {', '.join(sorted(types))}.")
    level = operator.user_level
    if level is None or not 1 <= level <= 99:
        out.append(f"User level {level} is outside 1-99; every operator needs one.")
    if (operator.type or "").upper() == OperatorType.CLIENT.value:
        if operator.client_id is None:
            out.append("A CLIENT operator needs a Client #: it only sees that client's accounts.")
        elif session.get(Client, operator.client_id) is None:
            out.append(f"Client #{operator.client_id} does not exist; a CLIENT operator "
                       "whose client is missing cannot sign on.")
    if operator.security_client_id is not None and session.get(
            Client, operator.security_client_id) is None:
        out.append(f"Security Client #{operator.security_client_id} does not exist.")
    if (operator.messaging or Messaging.NORMAL.value) not in {m.value for m in Messaging}:
        out.append(f"Messaging {operator.messaging!r} is not normal, advanced or expert.")
    return out


def validate(session: Session, operator: Operator) -> Operator:
    """Normalise the ID and raise OperatorError listing every problem."""
    found = problems(session, operator)
    if found:
        raise OperatorError("\n".join(found))
    operator.id = normalise_id(operator.id)
    operator.type = operator.type.upper()
    return operator


def create_operator(session: Session, op_id: str, *, by: str = "", **values: object) -> Operator:
    """A new operator, validated and added to the session (the caller saves it).

    The password can be set only once the operator has been saved (:func:`set_password`).
    """
    operator = Operator(id=normalise_id(op_id), **values)
    operator.type = str(operator.type or OperatorType.COLLECTOR.value)
    operator.messaging = operator.messaging or Messaging.NORMAL.value
    operator.user_level = operator.user_level if operator.user_level is not None else 10
    validate(session, operator)
    operator.updated_by = by
    session.add(operator)
    return operator


# ---------------------------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------------------------

def set_password(session: Session, operator: Operator, new: str, *, by: str = "",
                 at: dt.datetime | None = None) -> None:
    """Store a salted hash of ``new``; refused until the operator has been saved.

    The entry in the audit log (who set it, ``by``) never contains the password or its hash.
    The caller commits.
    """
    if not inspect(operator).persistent:
        raise OperatorError("Save the operator first (OK), then use Change Password.")
    if not new:
        raise OperatorError("A password cannot be empty.")
    if new == FORBIDDEN:
        raise OperatorError("******** (8 asterisks) cannot be used as a password.")
    operator.password_hash = hash_password(new)
    operator.must_set_password = False
    audit_log.audit(session, by or operator.id, audit_log.PASSWORD_SET,
                    f"password of {operator.id} set", at=at)


def needs_password(operator: Operator) -> bool:
    """True when leaving the form should prompt for a password (a sign-on ID without one)."""
    return can_sign_on(operator) and not operator.password_hash


def level_99_caution(operator: Operator) -> str | None:
    """The caution shown when an operator is set to (or signs on at) user level 99.

    Operator 99 at level 99, as shipped, is the one exception.
    """
    return caution_for_level(operator.id, operator.user_level)


def caution_for_level(op_id: str | None, level: int | None) -> str | None:
    """:func:`level_99_caution` for an ID and a level typed on the Operator form."""
    if level != ADMIN_LEVEL or normalise_id(op_id or "") == SHIPPED_ADMIN_ID:
        return None
    return LEVEL_99_CAUTION


# ---------------------------------------------------------------------------------------------
# Messaging
# ---------------------------------------------------------------------------------------------

def delete_confirmation(operator: Operator) -> str:
    """``'type DELETE'`` (normal), ``'ask'`` (advanced) or ``'none'`` (expert)."""
    level = (operator.messaging or Messaging.NORMAL.value).lower()
    if level == Messaging.EXPERT.value:
        return "none"
    if level == Messaging.ADVANCED.value:
        return "ask"
    return "type DELETE"


def delete_confirmed(operator: Operator, answer: str | bool | None) -> bool:
    """Whether a delete may go ahead given what the operator answered to the prompt."""
    mode = delete_confirmation(operator)
    if mode == "none":
        return True
    if mode == "ask":
        return answer is True or (isinstance(answer, str)
                                  and answer.strip().lower() in ("y", "yes"))
    return isinstance(answer, str) and answer.strip() == "DELETE"


# ---------------------------------------------------------------------------------------------
# Teams (DISTRIBUTION operators)
# ---------------------------------------------------------------------------------------------

MAX_TEAM_PERCENT = Decimal("100")


def _team(session: Session, team_id: str) -> Operator:
    team = session.get(Operator, normalise_id(team_id))
    if team is None:
        raise OperatorError(f"There is no operator {team_id!r}.")
    if not is_team(team):
        raise OperatorError(f"{team.id} is a {team.type} operator, not a DISTRIBUTION team.")
    return team


def _contains(session: Session, team_id: str, wanted: str) -> bool:
    """Whether ``wanted`` is ``team_id`` or inside it, at any depth (cycle-safe)."""
    seen: set[str] = set()
    frontier = {team_id}
    while frontier:
        if wanted in frontier:
            return True
        seen |= frontier
        frontier = set(session.scalars(
            select(TeamMember.member_id).where(TeamMember.team_id.in_(sorted(frontier))))) - seen
    return False


def set_members(session: Session, team_id: str, members: Iterable[tuple[str, Decimal | str | int]],
                *, by: str = "") -> list[TeamMember]:
    """Replace a team's members: ``(operator or team ID, commission %)`` pairs.

    Members must exist; a member may itself be a team (nesting to any depth) but a team cannot
    contain itself; the commission percentages may not add up to more than 100.
    """
    team = _team(session, team_id)
    pairs: list[tuple[str, Decimal]] = []
    for raw_id, pct in members:
        member_id = normalise_id(raw_id)
        try:
            percent = Decimal(str(pct).strip().rstrip("%"))
        except InvalidOperation:
            raise OperatorError(f"Commission for {member_id} is not a number: {pct!r}.") from None
        if not percent.is_finite():
            raise OperatorError(f"Commission for {member_id} is not a number: {pct!r}.")
        if percent < 0:
            raise OperatorError(f"Commission for {member_id} cannot be negative.")
        if percent.as_tuple().exponent < -3:  # type: ignore[operator]
            raise OperatorError(f"Commission for {member_id} has more than 3 decimals.")
        member = session.get(Operator, member_id)
        if member is None:
            raise OperatorError(f"There is no operator {member_id!r}; create it before adding it "
                                "to a team.")
        if member_id == team.id or (is_team(member) and _contains(session, member_id, team.id)):
            raise OperatorError(f"{member_id} contains {team.id}: a team cannot be inside itself.")
        if any(m == member_id for m, _ in pairs):
            raise OperatorError(f"{member_id} is listed twice in team {team.id}.")
        pairs.append((member_id, percent))
    total = sum((p for _, p in pairs), Decimal("0"))
    if total > MAX_TEAM_PERCENT:
        raise OperatorError(
            f"Team {team.id} commission adds up to {total}%; it cannot exceed 100%.")
    current = {m.member_id: m for m in team.members}
    keep: list[TeamMember] = []
    for member_id, percent in pairs:
        row = current.pop(member_id, None)
        if row is None:
            row = TeamMember(team_id=team.id, member_id=member_id, commission_percent=percent)
            team.members.append(row)
        elif row.commission_percent != percent:
            row.commission_percent = percent
        keep.append(row)
    for row in current.values():
        team.members.remove(row)
    if by:
        audit_log.set_session_operator(session, by)  # TeamMember rows have no updated_by
    return keep


def add_member(session: Session, team_id: str, member_id: str, percent: Decimal | str | int = 0,
               *, by: str = "") -> TeamMember:
    team = _team(session, team_id)
    pairs = [(m.member_id, m.commission_percent) for m in team.members
             if m.member_id != normalise_id(member_id)]
    rows = set_members(session, team_id, [*pairs, (member_id, percent)], by=by)
    return rows[-1]


def remove_member(session: Session, team_id: str, member_id: str, *, by: str = "") -> None:
    team = _team(session, team_id)
    pairs = [(m.member_id, m.commission_percent) for m in team.members
             if m.member_id != normalise_id(member_id)]
    set_members(session, team_id, pairs, by=by)


def team_members(session: Session, team_id: str) -> list[TeamMember]:
    stmt = (select(TeamMember).where(TeamMember.team_id == normalise_id(team_id))
            .order_by(TeamMember.member_id))
    return list(session.scalars(stmt))


__all__ = [
    "ADMIN_LEVEL", "LEVEL_99_CAUTION", "MAX_ID_LENGTH", "RESERVED_IDS", "OperatorError",
    "add_member", "can_sign_on", "caution_for_level", "check_id", "create_operator",
    "delete_confirmation", "delete_confirmed", "is_team", "level_99_caution", "needs_password",
    "normalise_id", "problems", "remove_member", "set_members", "set_password", "team_members",
    "validate",
]
