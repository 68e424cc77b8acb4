"""The Work-In-Progress list: what a collector works today, and accounts nobody will see.

Seed 003: "Contact Plan For New Accounts" (orphaned accounts: "ALL accounts expected to appear
in a WIP list MUST have an In Progress contact event in one of the default types being Review,
Phone, Promise or Other"), Debtor Status Codes "WIP Priority" ("Collect! will look at this field
first and sort it descending, then Ascending by Status Code"), Holidays (Schedule Next Contact
skips weekends and holidays unless "Schedule contacts on weekends" is on).

* The list holds In Progress Review / Phone / Promise / Other contacts due up to now: any earlier
  day, or today with no time or a time already past.  A collector sees their own; a manager
  sees everybody's.
* Sort "priority": contact priority (high first), then due date and time.  Sort "status"
  (WIP Options): the account status's WIP priority (high first), then the status code (A-Z),
  then as for "priority".
* The first page is read from ix_contacts_wip (operator, done, type, due date, priority, due
  time, account), which covers the query: the four WIP types are four index ranges; sorted by
  status, each due contact's account is looked up for its status; account details are read
  for that page only.

Decisions: a contact without a due date is not due (it never appears); a client's own contact
(no account) shows in the list with no status; Closed accounts are listed like any other (CLO
deletes their pending contacts, so they rarely have any).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from ..models import WIP_TYPES, Client, Contact, Debtor, DebtorMode, StatusCode
from .access import PLACEHOLDER_NAME, AccessPolicy, Purpose
from .contact_plans import preference
from .contacts import unindexed
from .scheduling import Calendar

WIP_TYPE_VALUES = tuple(t.value for t in WIP_TYPES)
SORTS = ("priority", "status")


@dataclass(frozen=True)
class WipEntry:
    contact_id: int
    debtor_id: int | None
    client_id: int | None
    type: str
    priority: int
    due_date: dt.date | None
    due_time: dt.time | None
    description: str
    operator_id: str
    name: str
    status: str
    status_priority: int
    owing: Decimal | None
    #: False: an account the operator may not see, shown as a placeholder (name N/A; status
    #: and description blank; file number, due date, operator and owing kept).
    accessible: bool = True

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class WipPage:
    entries: list[WipEntry]
    counts: dict[str, int] = field(default_factory=dict)
    offset: int = 0
    limit: int = 50
    sort: str = "priority"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _due_now(now: dt.datetime) -> Any:
    today, moment = now.date(), now.time()
    return and_(
        Contact.due_date <= today,  # the indexed range; the time only matters today
        or_(Contact.due_date < today, Contact.due_time.is_(None), Contact.due_time <= moment))


def _wip_filter(operator: str, now: dt.datetime, manager: bool) -> list[Any]:
    terms = [Contact.done.is_(False), _due_now(now), Contact.type.in_(WIP_TYPE_VALUES)]
    if not manager:
        terms.insert(0, Contact.operator_id == operator)
    return terms


def _purpose(manager: bool) -> Purpose:
    """One's own list shows refused accounts as placeholders, strict or not (an assignment
    error to fix); everybody's list follows the operator's Strict setting."""
    return Purpose.LIST if manager else Purpose.OWN_WIP


def _access_filter(policy: AccessPolicy | None, manager: bool) -> Any:
    """The WHERE clause the policy adds (with debtors outer-joined), or None."""
    if policy is None:
        return None
    cond = policy.debtor_filter(Debtor, _purpose(manager))
    if cond is None:
        return None
    client_rows: Any = Contact.debtor_id.is_(None)
    clients = policy.client_filter(Client)
    if clients is not None:
        client_rows = and_(client_rows, Contact.client_id.in_(select(Client.id).where(clients)))
    return or_(client_rows, cond)


def _status_wip_priority(session: Session) -> list[Any]:
    """ORDER BY the account status's WIP priority, high first (0 for a status without a code),
    as a CASE over the few status codes: cheaper than joining the status codes to each of
    50,000 due contacts.  No term when no code has a WIP priority."""
    ranked = session.execute(select(StatusCode.code, StatusCode.wip_priority).where(
        StatusCode.wip_priority != 0)).all()
    if not ranked:
        return []
    return [case({code: priority for code, priority in ranked}, value=Debtor.status,
                 else_=0).desc()]


def wip_counts(session: Session, operator: str, *, now: dt.datetime,
               manager: bool = False, policy: AccessPolicy | None = None) -> dict[str, int]:
    """How many due contacts of each WIP type."""
    stmt = select(Contact.type, func.count()).where(*_wip_filter(operator, now, manager))
    access = _access_filter(policy, manager)
    if access is not None:
        stmt = stmt.outerjoin(Debtor, Debtor.id == Contact.debtor_id).where(access)
    rows = session.execute(stmt.group_by(Contact.type)).all()
    counts = {t: 0 for t in WIP_TYPE_VALUES}
    counts.update({t: n for t, n in rows})
    return counts


def wip_list(session: Session, operator: str, *, now: dt.datetime | None = None,
             manager: bool = False, sort: str | None = None, offset: int = 0,
             limit: int = 50, counts: bool = True,
             policy: AccessPolicy | None = None) -> WipPage:
    """One page of the operator's (or, for a manager, everybody's) WIP list.

    ``policy`` is the signed-on operator's account access (None: no restriction): accounts
    it may not see are placeholders in its own list, and hidden (strict) or placeholders
    (non-strict) in everybody's.
    """
    now = now or dt.datetime.now()
    sort = sort or preference(session, "wip_sort", operator) or "priority"
    if sort not in SORTS:
        raise ValueError(f"unknown WIP sort {sort!r} (use {' or '.join(SORTS)})")
    by_priority = (Contact.priority.desc(), Contact.due_date, Contact.due_time, Contact.id)
    stmt = select(Contact.id).where(*_wip_filter(operator, now, manager))
    access = _access_filter(policy, manager)
    if sort == "status" or access is not None:
        stmt = stmt.outerjoin(Debtor, Debtor.id == Contact.debtor_id)
    if access is not None:
        stmt = stmt.where(access)
    if sort == "status":
        stmt = stmt.order_by(*_status_wip_priority(session), func.coalesce(Debtor.status, ""),
                             *by_priority)
    else:
        stmt = stmt.order_by(*by_priority)
    ids = list(session.scalars(stmt.offset(offset).limit(limit)))
    entries = _entries(session, ids, policy)
    return WipPage(entries=entries,
                   counts=wip_counts(session, operator, now=now, manager=manager,
                                     policy=policy) if counts else {},
                   offset=offset, limit=limit, sort=sort)


def _entries(session: Session, ids: list[int],
             policy: AccessPolicy | None = None) -> list[WipEntry]:
    if not ids:
        return []
    expr = policy.access_expression(Debtor) if policy is not None else None
    # A client's own contact (no account) is never a placeholder.
    seen: Any = literal(True) if expr is None else or_(Contact.debtor_id.is_(None), expr)

    def masked(value: Any, blank: Any) -> Any:
        return value if expr is None else case((seen, value), else_=literal(blank))

    rows = session.execute(
        select(Contact.id, Contact.debtor_id, Contact.client_id, Contact.type, Contact.priority,
               Contact.due_date, Contact.due_time, masked(Contact.description, ""),
               Contact.operator_id,
               masked(func.coalesce(Debtor.name, Client.name, ""), PLACEHOLDER_NAME),
               masked(func.coalesce(Debtor.status, ""), ""),
               masked(func.coalesce(StatusCode.wip_priority, 0), 0), Debtor.owing, seen)
        .outerjoin(Debtor, Debtor.id == Contact.debtor_id)
        .outerjoin(Client, Client.id == Contact.client_id)
        .outerjoin(StatusCode, StatusCode.code == Debtor.status)
        .where(Contact.id.in_(ids))).all()
    by_id = {r[0]: WipEntry(*r[:-1], accessible=bool(r[-1])) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def next_account(session: Session, operator: str, *, now: dt.datetime | None = None,
                 after_debtor_id: int | None = None, after_contact_id: int | None = None,
                 manager: bool = False, sort: str | None = None,
                 policy: AccessPolicy | None = None) -> WipEntry | None:
    """The account to open after the one being worked (WIP "Open Next Account").

    The first entry below contact ``after_contact_id`` on another account; None when that
    contact is the list's last account.  When the contact has left the list (it was
    completed) or none is given, the first entry on another account than ``after_debtor_id``.
    """
    passed = after_contact_id is None
    first_other: WipEntry | None = None
    offset = 0
    while True:
        page = wip_list(session, operator, now=now, manager=manager, sort=sort, offset=offset,
                        limit=50, counts=False, policy=policy)
        for entry in page.entries:
            if entry.contact_id == after_contact_id:
                passed = True
            elif entry.debtor_id is not None and entry.debtor_id != after_debtor_id:
                if passed:
                    return entry
                first_other = first_other or entry
        if len(page.entries) < 50:
            return None if passed and after_contact_id is not None else first_other
        offset += 50


def schedule_next_contact(session: Session, contact: Contact, *, type: str,
                          due_date: dt.date, due_time: dt.time | None = None,
                          description: str = "", priority: int = 0, operator: str | None = None,
                          amount: Decimal | None = None, repeat_days: int = 0, by: str = "",
                          now: dt.datetime | None = None) -> Contact:
    """The Schedule Next Contact form: complete ``contact`` and schedule the next one.

    The date moves off weekends and holidays unless "Schedule contacts on weekends" is on.
    Working the account stamps its Last Worked.  Flushes; the caller commits.
    """
    now = (now or dt.datetime.now()).replace(microsecond=0)
    calendar = Calendar.load(session, schedule_on_weekends=bool(
        preference(session, "schedule_on_weekends", by)))
    contact.done = True
    contact.completed_at = now
    contact.updated_by = by
    following = Contact(
        debtor_id=contact.debtor_id, client_id=contact.client_id, cosigner_id=contact.cosigner_id,
        type=type, done=False, priority=priority,
        operator_id=contact.operator_id if operator is None else operator,
        due_date=calendar.next_business_day(due_date), due_time=due_time,
        description=description, amount=amount if amount is not None else Decimal("0"),
        repeat_days=repeat_days, created_at=now, updated_by=by)
    session.add(following)
    if contact.debtor_id is not None:
        debtor = session.get(Debtor, contact.debtor_id)
        if debtor is not None:
            debtor.last_worked = now
    session.flush()
    return following


def orphan_accounts(session: Session, operator: str | None = None, *,
                    limit: int | None = None, offset: int = 0,
                    policy: AccessPolicy | None = None) -> list[tuple[int, str, str]]:
    """Active accounts on a desk that are in nobody's WIP list: (file number, name, operator).

    A report: with a ``policy``, only accounts the operator may fully see.
    """
    in_wip = exists().where(
        Contact.debtor_id == Debtor.id, unindexed(Contact.done, False).is_(False),
        Contact.type.in_(WIP_TYPE_VALUES))
    stmt = select(Debtor.id, Debtor.name, Debtor.operator_id).where(
        Debtor.mode == DebtorMode.ACTIVE, Debtor.operator_id != "", ~in_wip).order_by(Debtor.id)
    if operator is not None:
        stmt = stmt.where(Debtor.operator_id == operator)
    if policy is not None:
        stmt = policy.restrict(stmt, Debtor, Purpose.DATA)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


__all__ = ["SORTS", "WipEntry", "WipPage", "next_account", "orphan_accounts",
           "schedule_next_contact", "wip_counts", "wip_list"]
