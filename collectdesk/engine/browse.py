"""Browse lists and Find By: paged queries that stay fast over a million accounts.

Qt-free.  A :class:`Pager` answers "how many rows", "rows of page n" and "which row
does this prefix start at" with small SQL statements: keyset paging when the page
before is known, otherwise an OFFSET from the nearer end, never a full load.
Tags (space / Ctrl+A in a list) and the Find By look-ups live here too.

Account access control (seed 003) is applied here, in SQL: every read of debtors takes an
optional :class:`~collectdesk.engine.access.AccessPolicy` (None: no restriction — security off,
or system batch work).  Lists and Find By hide refused accounts for a strict operator and return
them masked (name N/A, only the placeholder columns) for a non-strict one; reports and exports
(:func:`report_query`) return only accounts the operator may fully see.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    exists,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from ..models import Client, Cosigner, Debtor, Email, Phone, Tag
from .access import PLACEHOLDER_FIELDS, Access, AccessPolicy, Purpose
from .records import phone_digits, phone_match_keys

PAGE_SIZE = 200
MAX_CACHED_PAGES = 40
FIND_LIMIT = 500


@dataclass
class ListQuery:
    """Which rows a list shows and in which order."""

    model: type
    columns: Sequence[str]  # attributes shown, in order
    sort: str
    descending: bool = False
    where: Sequence[tuple[str, Any]] = ()
    ids: Sequence[Any] | None = None  # a fixed set (Find By results)
    tagged_by: str | None = None  # only rows this operator tagged
    tag_operator: str | None = None  # add a "tagged" flag for this operator (debtor lists)
    #: The signed-on operator's account access (None: every record visible).
    policy: AccessPolicy | None = None
    purpose: Purpose = Purpose.LIST

    @property
    def pk(self) -> Any:
        return inspect(self.model).primary_key[0]

    def masked(self) -> bool:
        """True when refused accounts come back as placeholder rows (restricted, non-strict)."""
        return (self.model is Debtor and self.policy is not None and self.policy.restricted
                and self.policy.refused_as(self.purpose) is Access.PLACEHOLDER)

    def access_filter(self) -> ColumnElement[bool] | None:
        """What the policy adds to the WHERE clause: hidden accounts, clients outside the tree."""
        if self.policy is None:
            return None
        if self.model is Debtor:
            return self.policy.debtor_filter(Debtor, self.purpose)
        if self.model is Client:
            return self.policy.client_filter(Client)
        return None

    def sort_column(self) -> Any:
        return getattr(self.model, self.sort)

    def sort_nullable(self) -> bool:
        col = self.model.__table__.c.get(self.sort_column().key)
        return bool(col is None or col.nullable) and self.sort_column().key != self.pk.key

    def base(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        for attr, value in self.where:
            col = getattr(self.model, attr)
            conds.append(col.is_(None) if value is None else col == value)
        if self.ids is not None:
            conds.append(self.pk.in_(list(self.ids)))
        if self.tagged_by is not None and self.model is Debtor:
            conds.append(exists().where(Tag.debtor_id == Debtor.id, Tag.operator_id == self.tagged_by))
        access = self.access_filter()
        if access is not None:
            conds.append(access)
        return conds

    def has_rows(self, session: Session) -> bool:
        """Whether the list would show anything (a tab's has-data mark before it is built)."""
        return bool(session.scalar(select(exists().where(*self.base()))))

    def select_rows(self) -> Select[Any]:
        """pk, the columns, ``accessible``, ``tagged``: placeholder rows masked in SQL."""
        shown = [getattr(self.model, c) for c in self.columns]
        if self.masked():
            assert self.policy is not None
            cols = self.policy.mask_columns(Debtor, [self.pk, *shown])
        else:
            cols = [self.pk, *shown, literal(True).label("accessible")]
        if self.tag_operator is not None and self.model is Debtor:
            cols.append(exists().where(Tag.debtor_id == Debtor.id,
                                       Tag.operator_id == self.tag_operator).label("tagged"))
        else:
            cols.append(literal(False).label("tagged"))
        return select(*cols).where(*self.base())

    def ordered(self, stmt: Select[Any], reverse: bool = False) -> Select[Any]:
        desc = self.descending != reverse
        sort, pk = self.sort_column(), self.pk
        if sort.key == pk.key:
            return stmt.order_by(pk.desc() if desc else pk)
        return stmt.order_by(sort.desc() if desc else sort, pk.desc() if desc else pk)


@dataclass
class Row:
    key: Any
    values: tuple[Any, ...]
    tagged: bool
    #: False: a confidential account shown as a placeholder (name N/A, only the placeholder
    #: columns filled in); opening it opens the placeholder form.
    accessible: bool = True


@dataclass
class Pager:
    """Pages of a :class:`ListQuery`, fetched on demand and kept in a small LRU cache."""

    sessions: Callable[[], Session]
    query: ListQuery
    page_size: int = PAGE_SIZE
    _count: int | None = None
    _pages: OrderedDict[int, list[Row]] = field(default_factory=OrderedDict)
    _last_of: dict[int, tuple[Any, Any]] = field(default_factory=dict)  # page → (sort value, pk)
    queries: int = 0  # statements run, for tests and the benchmark

    def reset(self) -> None:
        self._count = None
        self._pages.clear()
        self._last_of.clear()

    def count(self) -> int:
        if self._count is None:
            with self.sessions() as s:
                stmt = select(func.count()).select_from(self.query.model).where(*self.query.base())
                self._count = int(s.scalar(stmt) or 0)
                self.queries += 1
        return self._count

    def cached_pages(self) -> int:
        return len(self._pages)

    def row(self, index: int) -> Row | None:
        if index < 0 or index >= self.count():
            return None
        page_no, offset = divmod(index, self.page_size)
        rows = self.page(page_no)
        return rows[offset] if offset < len(rows) else None

    def page(self, page_no: int) -> list[Row]:
        if page_no in self._pages:
            self._pages.move_to_end(page_no)
            return self._pages[page_no]
        rows = self._fetch(page_no)
        self._pages[page_no] = rows
        if rows:
            last = rows[-1]
            # A placeholder's masked sort value (name N/A) is no place to seek from: the next
            # page is then read by offset.
            if last.accessible or self.query.sort_column().key in PLACEHOLDER_FIELDS:
                self._last_of[page_no] = (self._sort_value(last), last.key)
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return rows

    def _sort_index(self) -> int | None:
        q = self.query
        if q.sort_column().key == q.pk.key:
            return None
        try:
            return list(q.columns).index(q.sort) + 1
        except ValueError:
            return None

    def _sort_value(self, row: Row) -> Any:
        idx = self._sort_index()
        return row.key if idx is None else row.values[idx - 1]

    def _fetch(self, page_no: int) -> list[Row]:
        q = self.query
        size = self.page_size
        start = page_no * size
        total = self.count()
        stmt = q.select_rows()
        sort, pk = q.sort_column(), q.pk
        single = sort.key == pk.key
        keyset_ok = (single or (not q.sort_nullable() and self._sort_index() is not None))
        with self.sessions() as s:
            self.queries += 1
            if keyset_ok and (page_no - 1) in self._last_of:
                value, key = self._last_of[page_no - 1]
                after = (pk > key if not q.descending else pk < key) if single else (
                    tuple_(sort, pk) > tuple_(value, key) if not q.descending
                    else tuple_(sort, pk) < tuple_(value, key))
                result = s.execute(q.ordered(stmt.where(after)).limit(size)).all()
            elif start > total // 2:
                # Near the end: count back from the last row instead of skipping a million.
                end = min(start + size, total)
                back = total - end
                result = s.execute(q.ordered(stmt, reverse=True).offset(back).limit(end - start)).all()
                result = list(reversed(result))
            else:
                result = s.execute(q.ordered(stmt).offset(start).limit(size)).all()
        return [Row(r[0], tuple(r[1:-2]), bool(r[-1]), bool(r[-2])) for r in result]

    def index_of_prefix(self, prefix: str) -> int:
        """The first row whose sort column starts at or after ``prefix`` (type-ahead)."""
        q = self.query
        sort = q.sort_column()
        if not prefix:
            return 0
        candidates = _prefix_spellings(prefix)
        with self.sessions() as s:
            best = None
            for text in candidates:
                value: Any = text
                if sort.type.python_type is int:
                    if not text.isdigit():
                        continue
                    value = int(text)
                cond = sort < value if not q.descending else sort > value
                n = int(s.scalar(select(func.count()).select_from(q.model).where(*q.base(), cond)) or 0)
                self.queries += 1
                row = self.row(n) if n < self.count() else None
                if row is not None and str(self._sort_value(row)).lower().startswith(text.lower()):
                    return n
                best = n if best is None else best
            return min(best or 0, max(self.count() - 1, 0))

    def index_of_key(self, key: Any, limit_pages: int = 50) -> int | None:
        """Where a record is in the list (scans cached pages, then a counted position)."""
        for page_no, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r.key == key:
                    return page_no * self.page_size + i
        q = self.query
        sort, pk = q.sort_column(), q.pk
        with self.sessions() as s:
            row = s.execute(select(sort).where(pk == key, *q.base())).first()
            if row is None:
                return None
            value = row[0]
            if sort.key == pk.key:
                before = pk < key if not q.descending else pk > key
            elif value is None:
                return None
            else:
                before = (tuple_(sort, pk) < tuple_(value, key)) if not q.descending else (
                    tuple_(sort, pk) > tuple_(value, key))
            return int(s.scalar(select(func.count()).select_from(q.model).where(*q.base(), before)) or 0)


def _prefix_spellings(prefix: str) -> list[str]:
    """Names are stored as typed (usually "Smith, John"): try the likely capitalisations."""
    out = []
    for text in (prefix.title() if prefix.islower() else prefix, prefix, prefix.upper(), prefix.lower()):
        if text not in out:
            out.append(text)
    return out


# -- tags ----------------------------------------------------------------------------------------


def toggle_tag(session: Session, operator_id: str, debtor_id: int) -> bool:
    """Tag or untag one account for an operator; returns the new state."""
    tag = session.get(Tag, (operator_id, debtor_id))
    if tag is None:
        session.add(Tag(operator_id=operator_id, debtor_id=debtor_id))
        session.commit()
        return True
    session.delete(tag)
    session.commit()
    return False


def tag_all(session: Session, operator_id: str, query: ListQuery) -> int:
    """Tag every row of a debtor list in one statement; returns how many were added.

    Decision: tags feed batch work (plans, letters, exports), so a placeholder row of a
    non-strict operator's list is not tagged — only accounts the operator may fully see.
    """
    if query.model is not Debtor:
        return 0
    not_yet = ~exists().where(Tag.debtor_id == Debtor.id, Tag.operator_id == operator_id)
    sel = select(literal(operator_id), Debtor.id).where(*query.base(), not_yet)
    if query.policy is not None:
        sel = query.policy.restrict(sel, Debtor, Purpose.DATA)
    # preserve_rowcount: without it an INSERT ... SELECT answers -1 on PostgreSQL (psycopg).
    result = session.execute(insert(Tag).from_select(["operator_id", "debtor_id"], sel)
                             .execution_options(preserve_rowcount=True))
    session.commit()
    return int(result.rowcount or 0)


def clear_tags(session: Session, operator_id: str) -> int:
    result = session.execute(delete(Tag).where(Tag.operator_id == operator_id))
    session.commit()
    return int(result.rowcount or 0)


def tag_count(session: Session, operator_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(Tag).where(Tag.operator_id == operator_id)) or 0)


# -- Find By -------------------------------------------------------------------------------------

FIND_METHODS = ("name", "file", "account", "phone", "ssn", "email")


class FindError(ValueError):
    """What was typed cannot be searched that way (the message says why)."""


def _visible(stmt: Select[Any], policy: AccessPolicy | None) -> Select[Any]:
    """A Find By select on debtors with the operator's access added (strict: hidden rows go)."""
    return stmt if policy is None else policy.restrict(stmt, Debtor, Purpose.LIST)


def _joined_visible(stmt: Select[Any], link: Any, policy: AccessPolicy | None) -> Select[Any]:
    """A Find By select on phones / emails / co-signers: joined to the account when the policy
    hides some, so each candidate row is checked by the account's primary key."""
    cond = policy.debtor_filter(Debtor, Purpose.LIST) if policy is not None else None
    if cond is None:
        return stmt
    return stmt.join(Debtor, Debtor.id == link).where(cond)


def find_by_name(session: Session, text: str, limit: int = FIND_LIMIT, *,
                 policy: AccessPolicy | None = None) -> list[int]:
    """Accounts whose name starts with ``Last, First`` as typed (any capitalisation)."""
    text = re.sub(r"\s*,\s*", ", ", text.strip())
    if not text:
        raise FindError("Type the start of a name: Last, First.")
    hides = policy is not None and policy.debtor_filter(Debtor, Purpose.LIST) is not None
    any_named = False
    for spelling in _prefix_spellings(text):
        in_range = and_(Debtor.name >= spelling, Debtor.name < spelling + "\U0010ffff")
        ids = list(session.scalars(_visible(
            select(Debtor.id).where(in_range).order_by(Debtor.name, Debtor.id).limit(limit),
            policy)))
        if ids:
            return ids
        if hides and not any_named:
            # Names in the range the operator may not see: the case-insensitive scan below
            # would only find them again, so it is not run (it reads every account).
            any_named = session.scalar(select(Debtor.id).where(in_range).limit(1)) is not None
    if any_named:
        return []
    return list(session.scalars(_visible(select(Debtor.id).where(func.lower(Debtor.name).like(
        text.lower().replace("%", r"\%") + "%", escape="\\")).order_by(Debtor.name).limit(limit),
        policy)))


def find_by_file(session: Session, text: str, *, policy: AccessPolicy | None = None) -> list[int]:
    digits = text.strip().lstrip("#")
    if not digits.isdigit():
        raise FindError("A file number is a whole number.")
    found = session.scalar(_visible(select(Debtor.id).where(Debtor.id == int(digits)), policy))
    return [found] if found is not None else []


def find_by_account(session: Session, account: str, client_id: int | None = None,
                    limit: int = FIND_LIMIT, *, policy: AccessPolicy | None = None) -> list[int]:
    account = account.strip()
    if not account:
        raise FindError("Type the client's account number.")
    stmt = select(Debtor.id).where(Debtor.account == account)
    if client_id is not None:
        stmt = stmt.where(Debtor.client_id == client_id)
    return list(session.scalars(_visible(stmt.order_by(Debtor.id).limit(limit), policy)))


def find_by_phone(session: Session, text: str, limit: int = FIND_LIMIT, *,
                  policy: AccessPolicy | None = None) -> list[int]:
    """Any format: matched on the digits kept beside each phone (with or without the leading 1)."""
    keys = phone_match_keys(text)
    if len(phone_digits(text)) < 4:
        raise FindError("Type at least 4 digits of the phone number.")
    direct = _joined_visible(
        select(Phone.debtor_id).where(Phone.digits.in_(keys), Phone.debtor_id.is_not(None)),
        Phone.debtor_id, policy)
    via_cosigner = _joined_visible(
        select(Cosigner.debtor_id).join(Phone, Phone.cosigner_id == Cosigner.id)
        .where(Phone.digits.in_(keys), Cosigner.debtor_id.is_not(None)),
        Cosigner.debtor_id, policy)
    ids = {i for i in session.scalars(direct.limit(limit))}
    ids |= {i for i in session.scalars(via_cosigner.limit(limit))}
    return sorted(ids)[:limit]


def find_by_ssn(session: Session, text: str, limit: int = FIND_LIMIT, *,
                policy: AccessPolicy | None = None) -> list[int]:
    digits = phone_digits(text)
    if len(digits) not in (4, 9):
        raise FindError("Type the 9 digits of the SSN.")
    forms = {text.strip(), digits}
    if len(digits) == 9:
        forms.add(f"{digits[:3]}-{digits[3:5]}-{digits[5:]}")
    return list(session.scalars(_visible(
        select(Debtor.id).where(Debtor.ssn.in_(forms)).order_by(Debtor.id).limit(limit), policy)))


def find_by_email(session: Session, text: str, limit: int = FIND_LIMIT, *,
                  policy: AccessPolicy | None = None) -> list[int]:
    address = text.strip().lower()
    if "@" not in address:
        raise FindError("Type a whole email address.")
    ids = set(session.scalars(_joined_visible(select(Email.debtor_id).where(
        Email.address_lower == address, Email.debtor_id.is_not(None)), Email.debtor_id, policy)
        .limit(limit)))
    if not ids:
        ids = set(session.scalars(_visible(
            select(Debtor.id).where(func.lower(Debtor.email) == address).limit(limit), policy)))
    return sorted(ids)


def find(session: Session, method: str, text: str, *, client_id: int | None = None,
         policy: AccessPolicy | None = None) -> list[int]:
    """Find By one of :data:`FIND_METHODS`; the account ids, best first.

    With a ``policy``, a strict operator finds only accounts it may see; a non-strict one also
    finds the others, which every list and form then shows as placeholders.
    """
    if method == "name":
        return find_by_name(session, text, policy=policy)
    if method == "file":
        return find_by_file(session, text, policy=policy)
    if method == "account":
        return find_by_account(session, text, client_id, policy=policy)
    if method == "phone":
        return find_by_phone(session, text, policy=policy)
    if method == "ssn":
        return find_by_ssn(session, text, policy=policy)
    if method == "email":
        return find_by_email(session, text, policy=policy)
    raise FindError(f"unknown Find By method {method!r}")


def list_query_for(spec: Any, *, operator_id: str | None = None, ids: Sequence[Any] | None = None,
                   hidden: Sequence[str] = (), policy: AccessPolicy | None = None) -> ListQuery:
    """A ListQuery from a browse list's declaration (:class:`forms_spec.ListSpec`)."""
    columns = [c.field.attribute for c in spec.columns if c.field.attribute not in hidden]
    return ListQuery(
        model=spec.model, columns=columns, sort=spec.sort, descending=spec.descending,
        where=list(spec.where), ids=ids,
        tagged_by=operator_id if spec.tagged_only else None,
        tag_operator=operator_id if spec.model is Debtor else None, policy=policy,
    )


# -- reports and exports ---------------------------------------------------------------------------


def report_filter(model: type, policy: AccessPolicy | None) -> ColumnElement[bool] | None:
    """What a report or an export of ``model`` may include: only accounts the operator may
    fully see (never placeholders), their records, and clients inside a client restriction.

    Debtors are filtered directly; a table with a ``debtor_id`` (notes, contacts, transactions,
    phones …) through its account, its client-level rows (no account) through ``client_id``.
    """
    if policy is None or not (policy.restricted or policy.restrict_clients):
        return None
    if model is Debtor:
        return policy.debtor_filter(Debtor, Purpose.DATA)
    if model is Client:
        return policy.client_filter(Client)
    table = model.__table__.c
    if "debtor_id" not in table:
        return None
    by_account = policy.debtor_id_filter(model.debtor_id, Purpose.DATA)
    client_rows: ColumnElement[bool] = model.debtor_id.is_(None)
    clients = policy.client_filter(Client)
    if clients is not None and "client_id" in table:
        client_rows = and_(client_rows, model.client_id.in_(select(Client.id).where(clients)))
    if by_account is None:
        return None
    return or_(client_rows, by_account)


def report_query(model: type, columns: Sequence[str | Any], *, where: Sequence[Any] = (),
                 order_by: Sequence[Any] = (), policy: AccessPolicy | None = None) -> Select[Any]:
    """The rows of a report or an export: ``columns`` (attribute names or columns) of ``model``
    where ``where``, limited by the operator's access (:func:`report_filter`)."""
    cols = [getattr(model, c) if isinstance(c, str) else c for c in columns]
    stmt = select(*cols).select_from(model).where(*where)
    cond = report_filter(model, policy)
    if cond is not None:
        stmt = stmt.where(cond)
    return stmt.order_by(*order_by) if order_by else stmt


def report_count(session: Session, model: type, *, where: Sequence[Any] = (),
                 policy: AccessPolicy | None = None) -> int:
    """How many rows a report or an export of ``model`` would hold."""
    return int(session.scalar(report_query(model, [func.count()], where=where, policy=policy))
               or 0)


__all__ = [
    "FIND_METHODS", "FindError", "ListQuery", "Pager", "Row", "clear_tags", "find", "find_by_account",
    "find_by_email", "find_by_file", "find_by_name", "find_by_phone", "find_by_ssn", "list_query_for",
    "report_count", "report_filter", "report_query", "tag_all", "tag_count", "toggle_tag",
]
