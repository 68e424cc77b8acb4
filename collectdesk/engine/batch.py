"""Batch processing: a contact plan on many accounts, and "Process automatic contacts".

Seed 003, "Contact Plans" → "Batch Processing" and the examples that run a plan on a tagged list
("Tools → Batch Processing → Run Contact Plans"), on a Find result, or on a client's debtors.

Two ways to run the same rules (:func:`.contact_plans.prepare_events`,
:func:`.contact_plans.process_prepared`, :func:`.contacts.deletion_actions`):

* **set-based** — the plan is read once; the debtor columns its rules read are read a chunk
  at a time with Core selects; the rules run through :class:`_RowSink` once per distinct
  combination of those columns (accounts alike in them get the same contacts, notes and
  changes), and the rows are written with ``executemany``.  The deletion rules run in SQL, one
  UPDATE (marked Completed) and one DELETE per chunk ("Same description only" is decided in
  Python, as :func:`.contacts.deletion_actions` compares descriptions).  Used when every event
  of the plan only touches the debtor row, its contacts and its notes;
* **per account** through the ORM (:func:`.contact_plans.execute_plan`), each account in its own
  savepoint, for plans that post transactions, close accounts, call plans, run ODBC pairs, edit
  fields outside the debtor row, trigger status or operator-change plans, or ask questions per
  account.

Both commit once per chunk, so a cancelled batch keeps the accounts finished before the cancel.
The "Prompt for start date" question is asked once, before the first account, and its answer is
used for the whole batch (seed).  "Prompt before deleting" is not asked in a batch unless a
callback is given (the seed: "Don't turn it on if you plan to run a Contact plan in a batch").
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    column,
    delete,
    func,
    insert,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.orm import Session

from ..models import Client, Contact, ContactType, Debtor, Note, StatusCode, Tag
from ..models.fieldcodes import FieldCode
from .contact_plans import (
    CompiledPlan,
    PlanCallbacks,
    PlanResult,
    PreparedContact,
    RunContext,
    execute_plan,
    make_sink,
    prepare_events,
    process_prepared,
    type_group,
)
from .contacts import (
    ACTION_TYPES,
    WIP_TYPE_VALUES,
    ActionError,
    change_field,
    contact_argument,
    deletion_actions,
    execute_action,
    parse_edit,
    unindexed,
)

T = ContactType
CONTACTS: Table = Contact.__table__  # type: ignore[assignment]
DEBTORS: Table = Debtor.__table__  # type: ignore[assignment]
NOTES: Table = Note.__table__  # type: ignore[assignment]

_Item = TypeVar("_Item")
Progress = Callable[[int, int], None]
Cancel = threading.Event | Callable[[], bool] | None

#: Event types that need the ORM (financial engine, nested plans, external systems).
ORM_ONLY_TYPES = frozenset({T.TRANSACTION, T.PLAN, T.CLOSE, T.ODBC})
MAX_SKIPPED_IDS = 100


def _cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def _chunks(items: Sequence[_Item], size: int) -> Iterable[Sequence[_Item]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ------------------------------------------------------------------------------------------
# Which accounts
# ------------------------------------------------------------------------------------------


def tagged_debtor_ids(session: Session, operator: str) -> list[int]:
    """The operator's tagged list, in file-number order."""
    return list(session.scalars(select(Tag.debtor_id).where(Tag.operator_id == operator)
                                .order_by(Tag.debtor_id)))


def client_debtor_ids(session: Session, client_id: int) -> list[int]:
    return list(session.scalars(select(Debtor.id).where(Debtor.client_id == client_id)
                                .order_by(Debtor.id)))


# ------------------------------------------------------------------------------------------
# Summary
# ------------------------------------------------------------------------------------------


@dataclass
class BatchSummary:
    plan: str
    accounts: int = 0  # asked for
    processed: int = 0
    contacts_created: int = 0
    notes_written: int = 0
    actions_executed: int = 0
    deleted: int = 0
    marked_completed: int = 0
    contacts_moved: int = 0
    fields_changed: int = 0
    not_scheduled: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_ids: dict[str, list[int]] = field(default_factory=dict)
    cancelled: bool = False
    start_date: dt.date | None = None
    method: str = ""
    fallback_reason: str = ""
    seconds: float = 0.0

    def skip(self, debtor_id: int, reason: str) -> None:
        self.skipped[reason] += 1
        ids = self.skipped_ids.setdefault(reason, [])
        if len(ids) < MAX_SKIPPED_IDS:
            ids.append(debtor_id)

    @property
    def accounts_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan, "accounts": self.accounts, "processed": self.processed,
            "contacts_created": self.contacts_created, "notes_written": self.notes_written,
            "actions_executed": self.actions_executed, "deleted": self.deleted,
            "marked_completed": self.marked_completed, "contacts_moved": self.contacts_moved,
            "fields_changed": self.fields_changed,
            "not_scheduled": dict(self.not_scheduled), "errors": dict(self.errors),
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": [{"reason": r, "count": n, "debtors": self.skipped_ids.get(r, [])}
                                  for r, n in self.skipped.items()],
            "cancelled": self.cancelled, "start_date": self.start_date, "method": self.method,
            "fallback_reason": self.fallback_reason, "seconds": round(self.seconds, 3),
            "accounts_per_second": round(self.accounts_per_second, 1),
        }


# ------------------------------------------------------------------------------------------
# Can the plan run set-based?
# ------------------------------------------------------------------------------------------


def _debtor_column(fc: FieldCode) -> bool:
    return fc.model is Debtor and fc.attribute != "id"


def set_based_refusal(ctx: RunContext, plan: CompiledPlan, callbacks: PlanCallbacks,
                      seen: frozenset[str] = frozenset()) -> str:
    """Why ``plan`` must run account by account through the ORM ("" = it need not)."""
    if callbacks.confirm_delete is not None and plan.prompt_before_deleting:
        return "the plan prompts before deleting"
    statuses: list[str] = []
    assigns_operator = False
    for ev in plan.events:
        if ev.type in ORM_ONLY_TYPES:
            return f"{ev.type} events need the account engine"
        if ev.prompt_to_confirm and callbacks.confirm_contact is not None:
            return "events prompt to confirm details"
        if ev.type == T.LETTER and ev.print_now and callbacks.print_letter is not None:
            return "letters print now"
        if ev.condition is not None and not _debtor_column(ev.condition.field):
            return f"Schedule If on {ev.condition.code} reads another record"
        if ev.type == T.STATUS:
            statuses.append(ev.description)
        elif ev.type == T.OPERATOR:
            assigns_operator = True
        elif ev.type == T.EDIT:
            try:
                fc, value = parse_edit(ev.attachment)
            except ActionError:
                continue  # fails the same way on every account; the rules report it
            if not _debtor_column(fc):
                return f"Edit of {fc.code} changes another record"
            if fc.attribute == "status":
                statuses.append(str(value))
            assigns_operator |= fc.attribute == "operator_id"
    if statuses:
        plans = ctx.session.scalars(select(StatusCode.code).where(
            StatusCode.code.in_(statuses), StatusCode.run_plan != "")).all()
        if plans:
            return f"status {plans[0]} runs a plan"
    if assigns_operator and (ctx.pref("operator_change_plan") or "").strip():
        return "a plan runs on operator change"
    return ""


# ------------------------------------------------------------------------------------------
# The set-based runner
# ------------------------------------------------------------------------------------------


class _NeedsOrm(Exception):
    pass


class _BulkStatement:
    """One statement compiled once and executed with ``executemany`` on driver-ready rows.

    Values are converted with the column types' own bind processors, memoised per column (a
    batch writes the same dates, codes and priorities over and over), so a row costs a tuple.
    An INSERT on PostgreSQL through psycopg is sent with COPY instead: ``executemany`` there
    costs a statement per row.
    """

    def __init__(self, conn: Any, stmt: Any, keys: Sequence[str]) -> None:
        dialect = conn.dialect
        self.conn = conn
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
        self.sql = compiled.string
        names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
        self.positional = compiled.positional
        escaped = getattr(compiled, "escaped_bind_names", {}) or {}
        self.driver_names = [escaped.get(n, n) for n in names]
        index = {k: i for i, k in enumerate(keys)}
        self.slots: list[tuple[int, Any, dict[Any, Any]] | tuple[None, Any, None]] = []
        for name in names:
            bind = compiled.binds[name]
            proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if name in index:
                self.slots.append((index[name], proc, {}))
            else:
                value = bind.effective_value
                self.slots.append((None, proc(value) if proc else value, None))
        self.position = {names[i]: i for i in range(len(names))}
        self.copy_sql = ""
        table = getattr(stmt, "table", None)
        if getattr(stmt, "is_insert", False) and table is not None and \
                dialect.name == "postgresql" and dialect.driver == "psycopg":
            quote = dialect.identifier_preparer.quote
            self.copy_sql = (f"COPY {dialect.identifier_preparer.format_table(table)} "
                             f"({', '.join(quote(table.c[n].name) for n in names)}) FROM STDIN")

    def convert(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """``values`` in ``keys`` order → a row in the driver's parameter order."""
        out = []
        for i, proc, memo in self.slots:
            if i is None:
                out.append(proc)
                continue
            value = values[i]
            if proc is not None and value is not None:
                try:
                    value = memo[value]  # type: ignore[index]
                except KeyError:
                    value = memo[value] = proc(value)  # type: ignore[index]
                except TypeError:  # unhashable
                    value = proc(value)
            out.append(value)
        return tuple(out)

    def split(self, row: tuple[Any, ...], key: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """A converted row cut around one (unprocessed integer) key, the file number: each
        account's row is then ``head + (file_number,) + tail``."""
        p = self.position[key]
        return row[:p], row[p + 1:]

    def execute(self, rows: list[tuple[Any, ...]]) -> int:
        if not rows:
            return 0
        if self.copy_sql:  # same connection, same transaction as the statements around it
            dbapi = self.conn.connection.dbapi_connection
            with dbapi.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        params: list[Any] = rows if self.positional else \
            [dict(zip(self.driver_names, r, strict=True)) for r in rows]
        result = self.conn.exec_driver_sql(self.sql, params)
        return max(result.rowcount, 0)


_CONTACT_KEYS = tuple(c.key for c in CONTACTS.columns if not c.primary_key)
_NOTE_KEYS = tuple(c.key for c in NOTES.columns if not c.primary_key)


def _database_defaults(source: Table) -> dict[str, Any]:
    """Columns an INSERT may leave out because the database writes the very same value: a
    server default equal to the model's own default, or NULL where there is neither."""
    found: dict[str, Any] = {}
    for c in source.columns:
        if c.primary_key:
            continue
        if c.server_default is None:
            if c.default is None and c.nullable:
                found[c.key] = None
        elif c.default is not None and c.default.is_scalar \
                and _ddl_text(c.default.arg) == getattr(c.server_default, "arg", None):
            found[c.key] = c.default.arg
    return found


def _ddl_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | Decimal):
        return str(int(value)) if value == int(value) else str(value)
    return value if isinstance(value, str) else None


_DATABASE_DEFAULTS = {"contacts": _database_defaults(CONTACTS), "notes": _database_defaults(NOTES)}


def _sent_keys(name: str, keys: Sequence[str], rows: Iterable[dict[str, Any]]) -> frozenset[str]:
    """The columns an INSERT of ``rows`` into ``name`` must send: the file number (each
    account's own) and every value the database would not write by itself.  Most of a plan's
    contact is at its defaults, and a value not sent costs nothing to bind, row after row."""
    defaults = _DATABASE_DEFAULTS[name]
    return frozenset(k for row in rows for k in keys if k == "debtor_id" or k not in defaults
                     or not _same_value(row[k], defaults[k]))


def _same_value(value: Any, default: Any) -> bool:
    """Equal as the database stores them (False and 0 alike; NULL only equals NULL)."""
    if value is None or default is None:
        return value is default
    return bool(value == default)


class _RowSink:
    """One account as the plan rules see it (set-based batch).

    ``row`` holds only the columns :func:`_key_columns` says the plan's rules read, so a rule
    reading another column fails loudly instead of reusing another account's value.
    """

    __slots__ = ("row", "changed", "contacts", "notes", "moves", "moved_new", "n_executed",
                 "not_scheduled", "errors", "now")

    def __init__(self, row: dict[str, Any], now: dt.datetime) -> None:
        self.row = row
        self.now = now
        self.changed: set[str] = set()
        self.contacts: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []
        self.moves: list[tuple[str, str]] = []
        self.moved_new = 0
        self.n_executed = 0
        self.not_scheduled: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def get(self, attribute: str) -> Any:
        return self.row[attribute]

    def set(self, attribute: str, value: Any) -> None:
        if self.row[attribute] != value:
            self.row[attribute] = value
            self.changed.add(attribute)

    def value_of(self, fc: FieldCode) -> Any:
        return self.row[fc.attribute]

    def status_changed(self, old: str, new: str) -> None:
        pass  # no status used by this plan has a run plan (checked before the batch)

    def operator_changed(self, old: str, new: str) -> None:
        """The account's In Progress contacts of ``old`` go to ``new`` (seed: "Reassigning an
        Account to a New Operator"): those already there (``moves``, written after the
        deletions) and those this plan saved before the change, as the per-account runner's
        flush-then-move does."""
        self.moves.append((old, new))
        for contact in self.contacts:
            if contact["operator_id"] == old:
                contact["operator_id"] = new
                self.moved_new += 1

    def edit(self, fc: FieldCode, value: Any) -> None:
        change_field(self, fc.attribute, value)

    def write_note(self, text: str, status: str, operator: str) -> None:
        self.notes.append({"client_id": None, "noted_at": self.now, "status": status,
                           "operator_id": operator, "text": text})

    def run_plan(self, code: str) -> None:
        raise _NeedsOrm(code)

    post_transaction = close = odbc = run_plan  # type: ignore[assignment]

    def save(self, pc: PreparedContact) -> None:
        self.contacts.append({
            "client_id": self.row["client_id"] if pc.type == T.CLIENT else None,
            "type": pc.type, "priority": pc.priority, "operator_id": pc.operator_id,
            "due_date": pc.due_date, "due_time": pc.due_time, "description": pc.description,
            "attachment": pc.attachment, "amount": pc.amount, "repeat_days": pc.repeat_days,
            "print_now": pc.print_now, "plan_code": pc.plan_code})

    print_now = save  # no printer in a batch: the letter stays queued for the letter batch

    def skipped(self, pc: PreparedContact, reason: str) -> None:
        self.not_scheduled[reason] += 1

    def failed(self, pc: PreparedContact, message: str) -> None:
        self.errors[f"event {pc.seq} ({pc.type}): {message}"] += 1

    def executed(self, pc: PreparedContact) -> None:
        self.n_executed += 1


#: A driver-ready row split around its file number: ``head + (debtor_id,) + tail``.
_Split = tuple[tuple[Any, ...], tuple[Any, ...]]


@dataclass
class _Outcome:
    """What the rules do to an account with given column values (file number left out)."""

    contacts: list[dict[str, Any]]  # the rows it inserts, every column
    notes: list[dict[str, Any]]
    sent: dict[str, frozenset[str]]  # "contacts" / "notes": the columns those rows must send
    moves: list[tuple[str, str]]
    update: tuple[tuple[str, Any], ...]  # (column, new value) of the debtor row, by name
    executed: int
    moved_new: int
    not_scheduled: Counter[str]
    errors: Counter[str]
    uses: int = 0
    #: (table, columns sent) → the rows converted for that INSERT, cut around the file number
    converted: dict[tuple[str, tuple[str, ...]], list[_Split]] = field(default_factory=dict)


#: Account columns the rules read or change for each kind of event, besides the account
#: operator (always read: "assign to account operator").  Notes carry the status; a Client
#: contact carries the client number.  Schedule If and Edit fields are added per plan.
_EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    T.STATUS: ("status",), T.NOTE: ("status",), T.ACTIVATE: ("mode",), T.CLOSE: ("mode",),
    T.SALES: ("sales_id",), T.COMMISSION: ("commission_rate",), T.RATE_PLAN: ("rate_plan",),
    T.CLIENT: ("client_id",),
}


def _key_columns(plan: CompiledPlan) -> list[str]:
    """The debtor columns the plan's outcome depends on: accounts alike in these get the same
    contacts, notes and changes, so the rules run once per distinct combination."""
    names = ["operator_id"]
    for ev in plan.events:
        names.extend(_EVENT_COLUMNS.get(ev.type, ()))
        if ev.condition is not None:
            names.append(ev.condition.field.attribute)
        if ev.type == T.EDIT:
            try:
                names.append(parse_edit(ev.attachment)[0].attribute)
            except ActionError:
                pass
    return list(dict.fromkeys(names))


def _id_filter(column: Any, ids: Sequence[int]) -> Any:
    """``column`` among ``ids``: ranges of consecutive file numbers as BETWEEN (a tagged list or
    a client's accounts are mostly runs), otherwise one IN list of integer literals (a chunk
    may hold more numbers than a statement may have parameters)."""
    ordered = sorted(set(ids))
    runs: list[list[int]] = []
    for i in ordered:
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    if len(runs) > 8:
        return column.in_(bindparam("ids", [int(i) for i in ordered], expanding=True,
                                    literal_execute=True))
    return or_(*(column == lo if lo == hi else column.between(lo, hi) for lo, hi in runs))


class _SetBasedRun:
    """The set-based batch: rules per distinct account state, rows written in bulk."""

    MEMO_LIMIT = 100_000

    def __init__(self, ctx: RunContext, plan: CompiledPlan, reference: dt.date,
                 summary: BatchSummary) -> None:
        self.ctx, self.plan, self.reference, self.summary = ctx, plan, reference, summary
        self.key_columns = _key_columns(plan)
        self.memo: dict[tuple[Any, ...], _Outcome] = {}
        self.bulk: dict[Any, _BulkStatement] = {}
        self.conn: Any = None
        self._deletion_rules()

    # -- deletion rules -------------------------------------------------------------------
    def _deletion_rules(self) -> None:
        """Split the plan's deletion rules between SQL and Python.

        "Delete all pending" and "Delete same type" are plain column tests and run as one
        UPDATE (contacts marked Completed) and one DELETE per chunk.  "Same description only"
        compares descriptions trimmed and case-folded as :func:`.contacts.deletion_actions`
        does (Unicode, which SQL ``lower``/``trim`` are not), so those candidates are read and
        sorted in Python — only the types such rules name, and only when no type rule of the
        plan already takes every contact of that type.
        """
        plan = self.plan
        self.sql_match: Any = None
        self.described: list[tuple[str, str]] = []
        if not plan.deletes:
            return
        c = CONTACTS.c
        if plan.delete_all_pending:
            self.sql_match = c.type != T.METRO
            return
        whole = {t for t, d in plan.same_type_rules if d is None} - {T.METRO}
        if whole:
            self.sql_match = c.type.in_(sorted(whole))
        self.described = [(t, d) for t, d in plan.same_type_rules
                          if d is not None and t not in whole and t != T.METRO]

    def _delete_pending(self, ids: Sequence[int]) -> tuple[int, int]:
        """The deletion rules on the pending contacts of ``ids``: (deleted, marked completed)."""
        conn, ctx, c = self.conn, self.ctx, CONTACTS.c
        pending = and_(_id_filter(c.debtor_id, ids), unindexed(c.done, False).is_(False))
        deleted = completed = 0
        if self.described:
            rows = conn.execute(select(c.id, c.type, c.description, c.repeat_days, c.due_date)
                                .where(pending, c.type.in_(sorted({t for t, _ in self.described}))))
            gone, finished = deletion_actions(rows, delete_all=False, same_type=self.described,
                                              today=ctx.today)
            for part in _chunks([r.id for r in gone], 500):
                deleted += conn.execute(delete(CONTACTS).where(c.id.in_(part))).rowcount
            for part in _chunks([r.id for r in finished], 500):
                completed += conn.execute(self._complete().where(c.id.in_(part))).rowcount
        if self.sql_match is not None:
            keep = or_(and_(c.type == T.PROMISE, func.coalesce(c.repeat_days, 0) > 0),
                       and_(c.type.in_(WIP_TYPE_VALUES), c.due_date.is_not(None),
                            c.due_date <= ctx.today))
            completed += conn.execute(self._complete().where(
                pending, self.sql_match, keep)).rowcount
            deleted += conn.execute(delete(CONTACTS).where(pending, self.sql_match)).rowcount
        return deleted, completed

    def _complete(self) -> Any:
        """Repeating promises and active WIP contacts are marked Completed, not deleted."""
        now = self.ctx.now
        return update(CONTACTS).values(done=True, completed_at=now, updated_at=now,
                                       updated_by=self.ctx.operator,
                                       version=CONTACTS.c.version + 1)

    # -- statements ---------------------------------------------------------------------
    def _statement(self, key: str | tuple[str, tuple[str, ...]]) -> _BulkStatement:
        """``("contacts" | "notes", columns)``: an INSERT of just those columns (the model's
        Python-side defaults left to the database's own); ``"moves"``: see below."""
        found = self.bulk.get(key)
        if found is not None and found.conn is self.conn:
            return found
        now, operator = self.ctx.now, self.ctx.operator
        if isinstance(key, tuple):
            name, keys = key
            source = CONTACTS if name == "contacts" else NOTES
            target = table(source.name, *[column(k, source.c[k].type) for k in keys])
            made = _BulkStatement(self.conn, insert(target), keys)
        else:  # "moves": In Progress contacts of the old operator to the new one
            made = _BulkStatement(self.conn, update(CONTACTS).where(and_(
                CONTACTS.c.debtor_id == bindparam("d"),
                unindexed(CONTACTS.c.done, False).is_(False),
                unindexed(CONTACTS.c.operator_id, "") == bindparam("o"))).values(
                operator_id=bindparam("n"), version=CONTACTS.c.version + 1,
                updated_at=bindparam("_at", now, type_=CONTACTS.c.updated_at.type),
                updated_by=bindparam("_by", operator, type_=CONTACTS.c.updated_by.type)),
                ("d", "o", "n"))
        self.bulk[key] = made
        return made

    # -- rules ----------------------------------------------------------------------------
    def outcome(self, key: tuple[Any, ...]) -> _Outcome:
        """The rules on an account whose :attr:`key_columns` hold ``key`` (memoised)."""
        found = self.memo.get(key)
        if found is not None:
            return found
        ctx = self.ctx
        row = dict(zip(self.key_columns, key, strict=True))
        sink = _RowSink(dict(row), ctx.now)
        prepared = prepare_events(
            self.plan, sink.value_of, calendar=ctx.calendar, reference=self.reference,
            now=ctx.now, account_operator=row["operator_id"] or "",
            not_scheduled=lambda seq, why: sink.not_scheduled.update((why,)))
        process_prepared(prepared, sink, ctx.today)
        base = {"debtor_id": 0, "cosigner_id": None, "done": False, "call_result": 0,
                "rpc_override": False, "created_at": ctx.now, "completed_at": None, "notes": "",
                "version": 1, "updated_at": ctx.now, "updated_by": ctx.operator}
        contacts = [{**base, **c} for c in sink.contacts]
        notes = [{**base, **n} for n in sink.notes]
        found = _Outcome(
            contacts=contacts, notes=notes,
            sent={"contacts": _sent_keys("contacts", _CONTACT_KEYS, contacts),
                  "notes": _sent_keys("notes", _NOTE_KEYS, notes)},
            moves=sink.moves, update=tuple((n, sink.row[n]) for n in sorted(sink.changed)),
            executed=sink.n_executed, moved_new=sink.moved_new,
            not_scheduled=sink.not_scheduled, errors=sink.errors)
        if len(self.memo) >= self.MEMO_LIMIT:
            self._count(self.memo.values())
            self.memo.clear()
        self.memo[key] = found
        return found

    def _converted(self, o: _Outcome, name: str, sent: tuple[str, ...]) -> list[_Split]:
        """``o``'s rows for ``name`` as one INSERT of the ``sent`` columns takes them."""
        found = o.converted.get((name, sent))
        if found is None:
            statement = self._statement((name, sent))
            found = o.converted[(name, sent)] = [
                statement.split(statement.convert([row[k] for k in sent]), "debtor_id")
                for row in (o.contacts if name == "contacts" else o.notes)]
        return found

    def _insert(self, name: str, keys: Sequence[str],
                worked: list[tuple[int, _Outcome]]) -> int:
        """One INSERT of the chunk's ``name`` rows, in the accounts' and the plan's order:
        the columns any of them must send, the rest left to the database."""
        needed = frozenset().union(*{id(o): o.sent[name] for _, o in worked}.values())
        if not needed:
            return 0
        sent = tuple(k for k in keys if k in needed)
        rows = [head + (debtor_id,) + tail for debtor_id, o in worked
                for head, tail in self._converted(o, name, sent)]
        self._statement((name, sent)).execute(rows)
        return len(rows)

    def _count(self, outcomes: Iterable[_Outcome]) -> None:
        summary = self.summary
        for o in outcomes:
            if not o.uses:
                continue
            summary.actions_executed += o.executed * o.uses
            summary.fields_changed += len(o.update) * o.uses
            summary.contacts_moved += o.moved_new * o.uses
            for reason, n in o.not_scheduled.items():
                summary.not_scheduled[reason] += n * o.uses
            for reason, n in o.errors.items():
                summary.errors[reason] += n * o.uses
            o.uses = 0

    # -- one chunk ------------------------------------------------------------------------
    def chunk(self, chunk: Sequence[int]) -> None:
        """Read the chunk's accounts, apply the deletion rules in SQL, write what the rules
        made for each account with one ``executemany`` per statement."""
        self.conn = conn = self.ctx.session.connection()
        with _sqlite_page_cache(conn, SQLITE_CACHE_KIB):
            self._chunk(conn, chunk)

    def _chunk(self, conn: Any, chunk: Sequence[int]) -> None:
        summary = self.summary
        rows = {r[0]: tuple(r[1:]) for r in conn.execute(
            select(DEBTORS.c.id, *[DEBTORS.c[c] for c in self.key_columns])
            .where(_id_filter(DEBTORS.c.id, chunk))).all()}
        if not rows:
            for debtor_id in chunk:
                summary.skip(debtor_id, "no such account")
            return
        deleted, completed = self._delete_pending(list(rows)) \
            if self.sql_match is not None or self.described else (0, 0)
        memo, outcome = self.memo, self.outcome
        worked: list[tuple[int, _Outcome]] = []
        moves: list[tuple[Any, ...]] = []
        updates: dict[tuple[tuple[str, Any], ...], list[int]] = {}
        for debtor_id in chunk:
            key = rows.get(debtor_id)
            if key is None:
                summary.skip(debtor_id, "no such account")
                continue
            o = memo.get(key) or outcome(key)
            o.uses += 1
            worked.append((debtor_id, o))
            for old, new in o.moves:
                moves.append((debtor_id, old, new))
            if o.update:
                updates.setdefault(o.update, []).append(debtor_id)
            summary.processed += 1
        if moves:
            move_stmt = self._statement("moves")
            summary.contacts_moved += move_stmt.execute([move_stmt.convert(m) for m in moves])
        summary.contacts_created += self._insert("contacts", _CONTACT_KEYS, worked)
        now, operator = self.ctx.now, self.ctx.operator
        for values, ids in updates.items():  # one UPDATE per distinct change, not per account
            conn.execute(update(DEBTORS).where(_id_filter(DEBTORS.c.id, ids)).values(
                {**dict(values), "version": DEBTORS.c.version + 1, "updated_at": now,
                 "updated_by": operator}))
        summary.notes_written += self._insert("notes", _NOTE_KEYS, worked)
        summary.deleted += deleted
        summary.marked_completed += completed

    def finish(self) -> None:
        self._count(self.memo.values())


#: SQLite page cache for a chunk, in KiB.  A chunk deletes and inserts tens of thousands of
#: contacts; the default 2 MB cache cannot hold the index pages they touch, so it spills dirty
#: pages to the WAL in the middle of the chunk and reads them back.
SQLITE_CACHE_KIB = 128 * 1024


@contextmanager
def _sqlite_page_cache(conn: Any, kib: int) -> Iterator[None]:
    """A larger page cache on this SQLite connection while a chunk runs, then the old size
    again (the connection goes back to the pool).  PostgreSQL sizes its own buffers."""
    if conn.dialect.name != "sqlite" or kib <= 0:
        yield
        return
    old = int(conn.exec_driver_sql("PRAGMA cache_size").scalar())
    if -old >= kib:  # already as large (a negative size is in KiB, a positive one in pages)
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {old}")


def _run_set_based(ctx: RunContext, plan: CompiledPlan, ids: Sequence[int], reference: dt.date,
                   summary: BatchSummary, *, chunk_size: int, progress: Progress | None,
                   cancel: Cancel) -> None:
    run = _SetBasedRun(ctx, plan, reference, summary)
    done = 0
    try:
        for chunk in _chunks(ids, chunk_size):
            if _cancelled(cancel):
                summary.cancelled = True
                break
            run.chunk(chunk)
            ctx.session.commit()
            done += len(chunk)
            if progress is not None:
                progress(done, len(ids))
    finally:
        run.finish()


# ------------------------------------------------------------------------------------------
# The per-account runner
# ------------------------------------------------------------------------------------------


def _run_per_account(ctx: RunContext, plan: CompiledPlan, ids: Sequence[int],
                     reference: dt.date, summary: BatchSummary, *, chunk_size: int,
                     progress: Progress | None, cancel: Cancel) -> None:
    session = ctx.session
    done = 0
    for chunk in _chunks(ids, chunk_size):
        debtors = {d.id: d for d in session.scalars(select(Debtor).where(Debtor.id.in_(chunk)))}
        for debtor_id in chunk:
            if _cancelled(cancel):
                summary.cancelled = True
                break
            debtor = debtors.get(debtor_id)
            if debtor is None:
                summary.skip(debtor_id, "no such account")
                continue
            savepoint = session.begin_nested()
            try:
                result = execute_plan(ctx, debtor, plan.code, start_date=reference)
            except Exception as exc:  # one bad account must not stop the batch
                savepoint.rollback()
                summary.skip(debtor_id, f"error: {exc}")
                continue
            savepoint.commit()
            if result.cancelled:
                summary.skip(debtor_id, result.reason)
                continue
            summary.processed += 1
            for r in result.all_results():
                summary.contacts_created += len(r.contacts)
                summary.notes_written += len(r.notes)
                summary.actions_executed += len(r.executed)
                summary.deleted += r.deleted
                summary.marked_completed += r.completed
                summary.contacts_moved += r.moved
                summary.fields_changed += len(r.changes)
                summary.not_scheduled.update(why for _, why in r.not_scheduled)
                summary.errors.update(r.errors)
            done += 1
            if progress is not None:
                progress(done, len(ids))
        session.commit()
        if summary.cancelled:
            break


# ------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------


def _remember_start_date(callbacks: PlanCallbacks) -> PlanCallbacks:
    """Ask "Prompt for start date" once per plan for the whole batch."""
    ask = callbacks.start_date
    if ask is None:
        return callbacks
    answers: dict[str, dt.date | None] = {}

    def once(plan: CompiledPlan) -> dt.date | None:
        if plan.code not in answers:
            answers[plan.code] = ask(plan)
        return answers[plan.code]

    return replace(callbacks, start_date=once)


def run_plan_batch(session: Session, debtor_ids: Iterable[int], code: str, *, operator: str,
                   callbacks: PlanCallbacks | None = None, start_date: dt.date | None = None,
                   now: dt.datetime | None = None, progress: Progress | None = None,
                   cancel: Cancel = None, chunk_size: int = 20_000,
                   per_account: bool = False) -> BatchSummary:
    """Run plan ``code`` on every account in ``debtor_ids``; commits chunk by chunk.

    Raises :class:`~.contact_plans.UnknownPlan` before touching anything.  ``per_account``
    forces the ORM runner (the set-based runner is chosen whenever the plan allows it).
    """
    started = time.perf_counter()
    callbacks = _remember_start_date(callbacks or PlanCallbacks())
    ctx = RunContext(session, operator=operator, callbacks=callbacks, now=now)
    plan = ctx.plan(code)
    ids = list(dict.fromkeys(debtor_ids))
    summary = BatchSummary(plan=plan.code, accounts=len(ids))
    reference = start_date
    if reference is None and plan.prompt_for_start_date and callbacks.start_date is not None:
        reference = callbacks.start_date(plan)
        if reference is None:
            summary.cancelled = True
            summary.seconds = time.perf_counter() - started
            return summary
    reference = reference or ctx.today
    summary.start_date = reference
    refusal = "" if per_account else set_based_refusal(ctx, plan, callbacks)
    if per_account or refusal:
        summary.method, summary.fallback_reason = "per account", refusal or "asked for"
        _run_per_account(ctx, plan, ids, reference, summary, chunk_size=min(chunk_size, 500),
                         progress=progress, cancel=cancel)
    else:
        summary.method = "set-based"
        _run_set_based(ctx, plan, ids, reference, summary, chunk_size=chunk_size,
                       progress=progress, cancel=cancel)
        session.expire_all()
    summary.seconds = time.perf_counter() - started
    return summary


# ------------------------------------------------------------------------------------------
# Process automatic contacts previously scheduled
# ------------------------------------------------------------------------------------------


@dataclass
class AutomaticSummary:
    date: dt.date
    accounts: int = 0
    executed: Counter[str] = field(default_factory=Counter)
    failed: list[dict[str, Any]] = field(default_factory=list)
    cancelled: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date, "accounts": self.accounts, "executed": dict(self.executed),
                "executed_total": sum(self.executed.values()), "failed": self.failed,
                "cancelled": self.cancelled}


def _execution_order(contact: Contact) -> tuple[Any, ...]:
    return (type_group(contact.type, due=True), contact.due_date or dt.date.min,
            contact.due_time or dt.time.min, contact.id)


def process_automatic_contacts(session: Session, date: dt.date, *, operator: str,
                               now: dt.datetime | None = None, progress: Progress | None = None,
                               cancel: Cancel = None, chunk_size: int = 500) -> AutomaticSummary:
    """Execute the action contacts due on or before ``date`` and mark them Completed.

    Queued letters stay In Progress for the letter batch; people's contacts (Phone, Review …)
    are not touched.  On each account the contacts run in the plan's group order (Activate,
    notes, status …, Close last), then by due date and time.  A contact that fails stays In
    Progress and is reported.  Commits per chunk of accounts.
    """
    summary = AutomaticSummary(date)
    action_types = [t.value for t in ACTION_TYPES]
    due = select(Contact.debtor_id, Contact.client_id).where(
        Contact.done.is_(False), Contact.due_date <= date, Contact.type.in_(action_types)
    ).order_by(Contact.debtor_id, Contact.client_id)
    owners = list(dict.fromkeys((d, c if d is None else None) for d, c in session.execute(due)))
    ctx = RunContext(session, operator=operator, now=now)
    for number, (debtor_id, client_id) in enumerate(owners, 1):
        if _cancelled(cancel):
            summary.cancelled = True
            break
        target = session.get(Debtor, debtor_id) if debtor_id is not None \
            else session.get(Client, client_id)
        owner = Contact.debtor_id == debtor_id if debtor_id is not None else \
            (Contact.client_id == client_id) & Contact.debtor_id.is_(None)
        contacts = sorted(session.scalars(select(Contact).where(
            owner, Contact.done.is_(False), Contact.due_date <= date,
            Contact.type.in_(action_types))), key=_execution_order)
        if target is None:
            continue
        result = PlanResult("", f"{type(target).__name__.lower()} {target.id}")
        sink = make_sink(ctx, target, result)
        for contact in contacts:
            savepoint = session.begin_nested()
            try:
                execute_action(sink, contact.type, contact_argument(contact),
                               description=contact.description or "",
                               amount=contact.amount or Decimal("0"),
                               note_operator=contact.operator_id or None)
            except ActionError as exc:
                savepoint.rollback()
                summary.failed.append({"contact": contact.id, "debtor": debtor_id,
                                       "client": client_id, "type": contact.type,
                                       "reason": str(exc)})
                continue
            contact.done = True
            contact.completed_at = ctx.now
            contact.updated_by = operator
            savepoint.commit()
            summary.executed[contact.type] += 1
        summary.accounts += 1
        if number % chunk_size == 0:
            session.commit()
        if progress is not None:
            progress(number, len(owners))
    session.commit()
    return summary


__all__ = ["AutomaticSummary", "BatchSummary", "ORM_ONLY_TYPES", "client_debtor_ids",
           "process_automatic_contacts", "run_plan_batch", "set_based_refusal",
           "tagged_debtor_ids"]
