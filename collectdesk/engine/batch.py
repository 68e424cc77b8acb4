"""Batch processing: a contact plan on many accounts, and "Process automatic contacts".

Seed 003, "Contact Plans" → "Batch Processing" and the examples that run a plan on a tagged list
("Tools → Batch Processing → Run Contact Plans"), on a Find result, or on a client's debtors.

Two ways to run the same rules (:func:`.contact_plans.prepare_events`,
:func:`.contact_plans.process_prepared`, :func:`.contacts.deletion_actions`):

* **set-based** — the plan is read once; debtor columns are read a chunk at a time with Core
  selects; contacts, notes, moves and field changes are computed in Python through
  :class:`_RowSink` and written with ``executemany``.  Used when every event of the plan only
  touches the debtor row, its contacts and its notes;
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update
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


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
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

    def stamp(self, row: tuple[Any, ...], key: str, value: Any) -> tuple[Any, ...]:
        """A converted row with one (unprocessed integer) key replaced: the file number."""
        p = self.position[key]
        return row[:p] + (value,) + row[p + 1:]

    def execute(self, rows: list[tuple[Any, ...]]) -> int:
        if not rows:
            return 0
        params: list[Any] = rows if self.positional else \
            [dict(zip(self.driver_names, r, strict=True)) for r in rows]
        result = self.conn.exec_driver_sql(self.sql, params)
        return max(result.rowcount, 0)


_CONTACT_KEYS = tuple(c.key for c in CONTACTS.columns if not c.primary_key)
_NOTE_KEYS = tuple(c.key for c in NOTES.columns if not c.primary_key)


class _RowSink:
    """One debtor row as the plan rules see it (set-based batch)."""

    __slots__ = ("row", "changed", "contacts", "notes", "moves", "n_executed", "not_scheduled",
                 "errors", "now")

    def __init__(self, row: dict[str, Any], now: dt.datetime) -> None:
        self.row = row
        self.now = now
        self.changed: set[str] = set()
        self.contacts: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []
        self.moves: list[tuple[str, str]] = []
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
        self.moves.append((old, new))

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


@dataclass
class _Outcome:
    """What the rules do to an account with given column values (file number left out)."""

    contacts: list[tuple[Any, ...]]
    notes: list[tuple[Any, ...]]
    moves: list[tuple[str, str]]
    update_names: tuple[str, ...]
    update_row: tuple[Any, ...] | None
    executed: int
    not_scheduled: Counter[str]
    errors: Counter[str]
    uses: int = 0


def _needed_columns(plan: CompiledPlan) -> list[str]:
    names = ["id", "client_id", "operator_id", "status", "mode", "sales_id", "commission_rate",
             "rate_plan"]
    for ev in plan.events:
        if ev.condition is not None:
            names.append(ev.condition.field.attribute)
        if ev.type == T.EDIT:
            try:
                names.append(parse_edit(ev.attachment)[0].attribute)
            except ActionError:
                pass
    return list(dict.fromkeys(names))


class _SetBasedRun:
    """The set-based batch: rules per distinct account state, rows written in bulk."""

    MEMO_LIMIT = 100_000

    def __init__(self, ctx: RunContext, plan: CompiledPlan, reference: dt.date,
                 summary: BatchSummary) -> None:
        self.ctx, self.plan, self.reference, self.summary = ctx, plan, reference, summary
        self.columns = _needed_columns(plan)
        self.key_columns = [c for c in self.columns if c != "id"]
        self.memo: dict[tuple[Any, ...], _Outcome] = {}
        self.bulk: dict[Any, _BulkStatement] = {}
        self.conn: Any = None

    # -- statements ---------------------------------------------------------------------
    def _statement(self, key: Any) -> _BulkStatement:
        found = self.bulk.get(key)
        if found is not None and found.conn is self.conn:
            return found
        now, operator = self.ctx.now, self.ctx.operator
        if key == "contacts":
            made = _BulkStatement(self.conn, insert(CONTACTS), _CONTACT_KEYS)
        elif key == "notes":
            made = _BulkStatement(self.conn, insert(NOTES), _NOTE_KEYS)
        elif key == "moves":
            made = _BulkStatement(self.conn, update(CONTACTS).where(and_(
                CONTACTS.c.debtor_id == bindparam("d"),
                unindexed(CONTACTS.c.done, False).is_(False),
                unindexed(CONTACTS.c.operator_id, "") == bindparam("o"))).values(
                operator_id=bindparam("n"), version=CONTACTS.c.version + 1,
                updated_at=bindparam("_at", now, type_=CONTACTS.c.updated_at.type),
                updated_by=bindparam("_by", operator, type_=CONTACTS.c.updated_by.type)),
                ("d", "o", "n"))
        else:
            names = key[1]
            made = _BulkStatement(self.conn, update(DEBTORS).where(
                DEBTORS.c.id == bindparam("_id")).values(
                **{n: bindparam(n, type_=DEBTORS.c[n].type) for n in names},
                version=DEBTORS.c.version + 1,
                updated_at=bindparam("_at", now, type_=DEBTORS.c.updated_at.type),
                updated_by=bindparam("_by", operator, type_=DEBTORS.c.updated_by.type)),
                (*names, "_id"))
        self.bulk[key] = made
        return made

    # -- rules ----------------------------------------------------------------------------
    def outcome(self, row: dict[str, Any]) -> _Outcome:
        key = tuple(row[c] for c in self.key_columns)
        found = self.memo.get(key)
        if found is not None:
            return found
        ctx = self.ctx
        sink = _RowSink(dict(row), ctx.now)
        prepared = prepare_events(
            self.plan, sink.value_of, calendar=ctx.calendar, reference=self.reference,
            now=ctx.now, account_operator=row["operator_id"] or "",
            not_scheduled=lambda seq, why: sink.not_scheduled.update((why,)))
        process_prepared(prepared, sink, ctx.today)
        base = {"debtor_id": 0, "cosigner_id": None, "done": False, "call_result": 0,
                "rpc_override": False, "created_at": ctx.now, "completed_at": None, "notes": "",
                "version": 1, "updated_at": ctx.now, "updated_by": ctx.operator}
        contacts = self._statement("contacts")
        notes = self._statement("notes")
        names = tuple(sorted(sink.changed))
        found = _Outcome(
            contacts=[contacts.convert([{**base, **c}[k] for k in _CONTACT_KEYS])
                      for c in sink.contacts],
            notes=[notes.convert([{**base, **n}[k] for k in _NOTE_KEYS]) for n in sink.notes],
            moves=sink.moves,
            update_names=names,
            update_row=self._statement(("debtor", names)).convert(
                [sink.row[n] for n in names] + [0]) if names else None,
            executed=sink.n_executed, not_scheduled=sink.not_scheduled, errors=sink.errors)
        if len(self.memo) >= self.MEMO_LIMIT:
            self._count(self.memo.values())
            self.memo.clear()
        self.memo[key] = found
        return found

    def _count(self, outcomes: Iterable[_Outcome]) -> None:
        summary = self.summary
        for o in outcomes:
            if not o.uses:
                continue
            summary.actions_executed += o.executed * o.uses
            summary.fields_changed += len(o.update_names) * o.uses
            for reason, n in o.not_scheduled.items():
                summary.not_scheduled[reason] += n * o.uses
            for reason, n in o.errors.items():
                summary.errors[reason] += n * o.uses
            o.uses = 0

    # -- one chunk ------------------------------------------------------------------------
    def chunk(self, chunk: Sequence[int]) -> None:
        ctx, plan, summary = self.ctx, self.plan, self.summary
        self.conn = conn = ctx.session.connection()
        rows = {r["id"]: dict(r) for r in conn.execute(
            select(*[DEBTORS.c[c] for c in self.columns]).where(DEBTORS.c.id.in_(chunk)))
            .mappings()}
        pending: dict[int, list[Any]] = {}
        if plan.deletes:
            for c in conn.execute(select(
                    CONTACTS.c.id, CONTACTS.c.debtor_id, CONTACTS.c.type, CONTACTS.c.description,
                    CONTACTS.c.repeat_days, CONTACTS.c.due_date).where(
                    CONTACTS.c.debtor_id.in_(chunk),
                    unindexed(CONTACTS.c.done, False).is_(False))):
                pending.setdefault(c.debtor_id, []).append(c)
        contact_stmt, note_stmt = self._statement("contacts"), self._statement("notes")
        contact_rows: list[tuple[Any, ...]] = []
        note_rows: list[tuple[Any, ...]] = []
        moves: list[tuple[Any, ...]] = []
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        delete_ids: list[int] = []
        complete_ids: list[int] = []
        for debtor_id in chunk:
            row = rows.get(debtor_id)
            if row is None:
                summary.skip(debtor_id, "no such account")
                continue
            if debtor_id in pending:
                gone, finished = deletion_actions(
                    pending[debtor_id], delete_all=plan.delete_all_pending,
                    same_type=plan.same_type_rules, today=ctx.today)
                delete_ids.extend(c.id for c in gone)
                complete_ids.extend(c.id for c in finished)
            o = self.outcome(row)
            o.uses += 1
            for c in o.contacts:
                contact_rows.append(contact_stmt.stamp(c, "debtor_id", debtor_id))
            for n in o.notes:
                note_rows.append(note_stmt.stamp(n, "debtor_id", debtor_id))
            for old, new in o.moves:
                moves.append((debtor_id, old, new))
            if o.update_row is not None:
                stmt = self._statement(("debtor", o.update_names))
                updates.setdefault(o.update_names, []).append(
                    stmt.stamp(o.update_row, "_id", debtor_id))
            summary.processed += 1
        now, operator = ctx.now, ctx.operator
        for part in _chunks(delete_ids, 500):
            conn.execute(delete(CONTACTS).where(CONTACTS.c.id.in_(part)))
        for part in _chunks(complete_ids, 500):
            conn.execute(update(CONTACTS).where(CONTACTS.c.id.in_(part)).values(
                done=True, completed_at=now, updated_by=operator, updated_at=now,
                version=CONTACTS.c.version + 1))
        if moves:
            move_stmt = self._statement("moves")
            summary.contacts_moved += move_stmt.execute([move_stmt.convert(m) for m in moves])
        contact_stmt.execute(contact_rows)
        for names, params in updates.items():
            self._statement(("debtor", names)).execute(params)
        note_stmt.execute(note_rows)
        summary.contacts_created += len(contact_rows)
        summary.notes_written += len(note_rows)
        summary.deleted += len(delete_ids)
        summary.marked_completed += len(complete_ids)

    def finish(self) -> None:
        self._count(self.memo.values())


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
                   cancel: Cancel = None, chunk_size: int = 5000,
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
