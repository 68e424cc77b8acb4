"""The contact plan engine: run a plan on a debtor (or a client) the way the seed specifies.

Seed 003, "How Collect! Executes Contact Plans Internally", in order:

1. read the plan (from the plan cache when "Cache contact plans" is on);
2. "Prompt before deleting": list the pending contacts the plan would delete and ask; a refusal
   cancels the whole plan and nothing is written;
3. "Delete all pending contacts" (plan) / "Delete same type contacts" (event), optionally "Same
   description only"; Metro contacts are kept; repeating promises and active WIP contacts are
   marked Completed instead of deleted;
4. "Prompt for start date": the reference date (asked once per batch), else today;
5. each event: Schedule If, date rules, time rules, details (priority, operator, description,
   attachment), "Prompt to confirm details";
6. the ten processing groups, each in event order: 1 plans, Print-now letters, prompted
   transactions · 2 Activate · 3 Notes · 4 Status, Sales, Edit, Commission, Rate plan ·
   5 Promises · 6 Operator · 7 Transactions · 8 Metro · 9 everything else and every delayed
   action · 10 Close.  A called plan runs completely, in place, in group 1.

The rules (steps 3-6) are written once, as functions over an :class:`~.contacts.AccountSink`;
this module's ORM sinks run them on one account, :mod:`.batch` runs them set-based on many.

Decisions where the seed is silent (see also :mod:`.scheduling`, :mod:`.schedule_if`,
:mod:`.contacts`):

* Both prompts (delete, start date) are answered before anything is changed, so cancelling
  either one leaves the account untouched.  Without a callback (headless, batch) the delete
  prompt is answered Yes and the start date is today.
* Deletion rules apply whatever an event's Schedule If says: the seed deletes before it scans
  the events.
* An action (Status, Note, Operator …) due today runs now and leaves no contact behind: the note
  line, the new field value or the transaction is its record.  Dated in the future, it is saved
  In Progress as a contact of its type and "Process automatic contacts" runs it then.
* "Assign to account operator" uses the account's operator when the event is prepared; an
  Operator assignment later in the same plan moves it along with the account's other In Progress
  contacts.  A note (group 3) carries the status of the account at that point — before the plan,
  unless a called plan changed it — and the operator the plan is about to assign.
* A Status change runs that status code's Run Plan at once (nested); a plan never runs inside
  itself (a status NEW whose run plan is NEW is not started again).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, object_session, selectinload

from ..models import (
    Assign,
    Client,
    ClientSettings,
    CompanyDetails,
    Contact,
    ContactPlan,
    ContactType,
    CreditReport,
    Debtor,
    DebtorDetail,
    DebtorMode,
    InterestDetail,
    Note,
    PickList,
    PickListEntry,
    PlanEvent,
    StatusCode,
)
from ..models.fieldcodes import FieldCode
from . import contacts as _contacts
from . import preferences
from .contacts import (
    ARGUMENT_FIELD,
    SCHEDULED_TYPES,
    ActionError,
    call_with_supported,
    change_field,
    deletion_actions,
    execute_action,
    move_in_progress,
    parse_edit,
    unindexed,
)
from .schedule_if import Condition, ScheduleIfError, compile_condition
from .scheduling import Calendar, DateRule, TimeRule, event_time

log = logging.getLogger(__name__)
T = ContactType

METRO_REASON = "Metro contacts are never created by a contact plan"


class PlanError(Exception):
    """A plan that cannot run at all."""


class UnknownPlan(PlanError, LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown contact plan {code!r}")
        self.code = code


# ------------------------------------------------------------------------------------------
# Preferences
# ------------------------------------------------------------------------------------------


def preference(session: Session, name: str, operator: str | None = None) -> Any:
    """An effective preference: the operator's own setting, else the system one (else None)."""
    return preferences.effective(session, operator, [name])[0][name]


# ------------------------------------------------------------------------------------------
# Compiled plans (what the cache holds): detached, immutable snapshots of the rows
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompiledEvent:
    seq: int
    type: str
    description: str
    specific_operator: str  # "" = assign to the account operator
    priority: int
    date_rule: DateRule
    time_rule: TimeRule
    prompt_to_confirm: bool
    delete_same_type: bool
    same_description_only: bool
    print_now: bool
    condition: Condition | None
    condition_error: str
    attachment: str  # the contact's attachment (the action argument for Operator/Sales/Edit …)
    amount: Decimal
    repeat_days: int


@dataclass(frozen=True, slots=True)
class CompiledPlan:
    code: str
    description: str
    delete_all_pending: bool
    prompt_before_deleting: bool
    prompt_for_start_date: bool
    events: tuple[CompiledEvent, ...]

    @property
    def same_type_rules(self) -> list[tuple[str, str | None]]:
        return [(e.type, e.description if e.same_description_only else None)
                for e in self.events if e.delete_same_type]

    @property
    def deletes(self) -> bool:
        return self.delete_all_pending or any(e.delete_same_type for e in self.events)

    def types(self) -> set[str]:
        return {e.type for e in self.events}


def _event_attachment(ev: Any) -> str:
    """The contact attachment an event produces (an action keeps its argument there)."""
    kind = ev.type
    if kind in (T.OPERATOR, T.SALES):
        if ev.assign == Assign.SPECIFIC_OPERATOR and (ev.operator_id or "").strip():
            return ev.operator_id.strip()
        return (ev.description or "").strip()
    if kind == T.EDIT:
        return (ev.description if "=" in (ev.description or "") else ev.attachment or "").strip()
    if kind == T.TRANSACTION:
        return (ev.transaction_type or "").strip()
    return ev.attachment or ""


def compile_plan(plan: ContactPlan,
                 picklist_texts: Callable[[str], Mapping[str, str]] | None = None) -> CompiledPlan:
    events = []
    for ev in sorted(plan.events, key=lambda e: (e.seq, e.id or 0)):
        condition, error = None, ""
        try:
            condition = compile_condition(ev.schedule_if_field, ev.schedule_if_op,
                                          ev.schedule_if_from, ev.schedule_if_to,
                                          picklist_texts=picklist_texts)
        except ScheduleIfError as exc:
            error = str(exc)
        description = ev.description or ""
        if ev.type in ARGUMENT_FIELD and ARGUMENT_FIELD[ev.type] == "description":
            description = description.strip()
        events.append(CompiledEvent(
            seq=ev.seq, type=ev.type, description=description,
            specific_operator=(ev.operator_id or "").strip()
            if ev.assign == Assign.SPECIFIC_OPERATOR else "",
            priority=ev.priority or 0,
            date_rule=DateRule(bool(ev.use_delay_days), ev.delay_days or 0,
                               bool(ev.use_day_of_month), ev.day_of_month or 0,
                               bool(ev.next_month_same_day)),
            time_rule=TimeRule(bool(ev.use_delay_minutes), ev.delay_minutes or 0,
                               bool(ev.timeless), ev.time_of_day),
            prompt_to_confirm=bool(ev.prompt_to_confirm),
            delete_same_type=bool(ev.delete_same_type),
            same_description_only=bool(ev.same_description_only),
            print_now=bool(ev.print_now),
            condition=condition, condition_error=error,
            attachment=_event_attachment(ev),
            amount=ev.amount if ev.amount is not None else Decimal("0"),
            repeat_days=ev.repeat_days or 0,
        ))
    return CompiledPlan(code=plan.code, description=plan.description or "",
                        delete_all_pending=bool(plan.delete_all_pending),
                        prompt_before_deleting=bool(plan.prompt_before_deleting),
                        prompt_for_start_date=bool(plan.prompt_for_start_date),
                        events=tuple(events))


def picklist_texts_for(session: Session) -> Callable[[str], Mapping[str, str]]:
    """pick-list name → {shown text, casefolded: key}, read once per list."""
    cache: dict[str, dict[str, str]] = {}

    def texts(name: str) -> Mapping[str, str]:
        if name not in cache:
            rows = session.execute(select(PickListEntry.key, PickListEntry.text).join(PickList)
                                   .where(PickList.name == name)).all()
            cache[name] = {t.strip().casefold(): k for k, t in rows if (t or "").strip()}
        return cache[name]

    return texts


def _find_plan_row(session: Session, code: str) -> ContactPlan | None:
    options = selectinload(ContactPlan.events)
    row = session.scalar(select(ContactPlan).options(options).where(ContactPlan.code == code))
    if row is None:
        row = session.scalars(select(ContactPlan).options(options).where(
            func.upper(ContactPlan.code) == code.strip().upper())).first()
    return row


def load_plan(session: Session, code: str) -> CompiledPlan:
    """Read and compile one plan from the database (no cache)."""
    row = _find_plan_row(session, (code or "").strip())
    if row is None:
        raise UnknownPlan(code)
    return compile_plan(row, picklist_texts_for(session))


class PlanCache:
    """Every plan, read the first time any plan runs (seed: "Contact Plan Caching").

    The seed has users sign out and back in after a plan is modified; here the cache is also
    cleared whenever this program commits a change to a plan or an event (any session of the
    database, see :func:`_forget_committed_plan_edits`), so an edit takes effect at once.  A
    plan changed by another program is seen at the next sign-on
    (:meth:`.ui.context.AppContext.sign_off` calls :func:`forget_cached_plans`).
    """

    def __init__(self) -> None:
        self._plans: dict[str, CompiledPlan] | None = None
        self._lock = threading.Lock()

    def get(self, session: Session, code: str) -> CompiledPlan:
        with self._lock:
            if self._plans is None:
                texts = picklist_texts_for(session)
                rows = session.scalars(select(ContactPlan).options(
                    selectinload(ContactPlan.events))).all()
                self._plans = {row.code: compile_plan(row, texts) for row in rows}
            plans = self._plans
        code = (code or "").strip()
        found = plans.get(code) or next(
            (p for c, p in plans.items() if c.upper() == code.upper()), None)
        if found is None:
            raise UnknownPlan(code)
        return found

    def clear(self) -> None:
        with self._lock:
            self._plans = None


_ENGINE_CACHES: weakref.WeakKeyDictionary[Engine, PlanCache] = weakref.WeakKeyDictionary()


def plan_cache_for(session: Session) -> PlanCache:
    """The cache shared by every session of one database (one per signed-on program)."""
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    cache = _ENGINE_CACHES.get(engine)
    if cache is None:
        cache = _ENGINE_CACHES[engine] = PlanCache()
    return cache


def forget_cached_plans(engine: Engine | None = None) -> None:
    """Sign-out: the next plan run reads the plans again."""
    if engine is None:
        caches = list(_ENGINE_CACHES.values())
    else:
        caches = [c for e, c in _ENGINE_CACHES.items() if e is engine]
    for cache in caches:
        cache.clear()


_PLANS_EDITED = "contact plans edited"


def _note_plan_edit(_mapper: Any, _connection: Any, row: Any) -> None:
    """A flush wrote a plan or an event: remember it until the transaction ends (a mapper
    event: nothing to do for the flushes of every other row)."""
    session = object_session(row)
    if session is not None:
        session.info[_PLANS_EDITED] = True


def _listen_for_plan_edits() -> None:
    for model in (ContactPlan, PlanEvent):
        for written in ("after_insert", "after_update", "after_delete"):
            event.listen(model, written, _note_plan_edit)


_listen_for_plan_edits()


@event.listens_for(Session, "after_commit")
def _forget_committed_plan_edits(session: Session) -> None:
    """A committed plan edit clears the database's plan cache: the next run reads it anew."""
    if session.info.pop(_PLANS_EDITED, False):
        plan_cache_for(session).clear()


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back_plan_edits(session: Session) -> None:
    session.info.pop(_PLANS_EDITED, None)


# ------------------------------------------------------------------------------------------
# Prepared contacts and the ten groups (shared by the ORM runner and the batch runner)
# ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PreparedContact:
    seq: int
    type: str
    due_date: dt.date
    due_time: dt.time | None
    priority: int
    operator_id: str
    description: str
    attachment: str
    amount: Decimal
    repeat_days: int
    print_now: bool
    prompt_to_confirm: bool
    plan_code: str

    @property
    def argument(self) -> str:
        name = ARGUMENT_FIELD.get(self.type)
        return (getattr(self, name) or "").strip() if name else ""

    def contact_values(self) -> dict[str, Any]:
        return {"type": self.type, "priority": self.priority, "operator_id": self.operator_id,
                "due_date": self.due_date, "due_time": self.due_time,
                "description": self.description, "attachment": self.attachment,
                "amount": self.amount, "repeat_days": self.repeat_days,
                "print_now": self.print_now, "plan_code": self.plan_code}

    def edited(self, contact: Any) -> PreparedContact:
        """This contact as the person left it in the confirmation form."""
        return replace(
            self, type=contact.type or self.type, due_date=contact.due_date or self.due_date,
            due_time=contact.due_time, priority=contact.priority or 0,
            operator_id=contact.operator_id or "", description=contact.description or "",
            attachment=contact.attachment or "",
            amount=contact.amount if contact.amount is not None else Decimal("0"),
            repeat_days=contact.repeat_days or 0, print_now=bool(contact.print_now))


ValueOf = Callable[[FieldCode], Any]
Confirm = Callable[[PreparedContact], PreparedContact | None]


def prepare_events(plan: CompiledPlan, value_of: ValueOf, *, calendar: Calendar,
                   reference: dt.date, now: dt.datetime, account_operator: str,
                   not_scheduled: Callable[[int, str], None],
                   confirm: Confirm | None = None) -> list[PreparedContact]:
    """Scan the events: Schedule If, date, time, details, confirmation (seed order)."""
    prepared: list[PreparedContact] = []
    for ev in plan.events:
        if ev.condition_error:
            not_scheduled(ev.seq, ev.condition_error)
            continue
        if ev.condition is not None:
            try:
                holds = ev.condition.holds(value_of(ev.condition.field))
            except ScheduleIfError as exc:
                not_scheduled(ev.seq, str(exc))
                continue
            if not holds:
                not_scheduled(ev.seq, f"Schedule If {ev.condition.describe()} is false")
                continue
        due_date = calendar.event_date(reference, ev.date_rule)
        due_date, due_time = event_time(ev.time_rule, due_date, now)
        pc = PreparedContact(
            seq=ev.seq, type=ev.type, due_date=due_date, due_time=due_time, priority=ev.priority,
            operator_id=ev.specific_operator or account_operator, description=ev.description,
            attachment=ev.attachment, amount=ev.amount, repeat_days=ev.repeat_days,
            print_now=ev.print_now, prompt_to_confirm=ev.prompt_to_confirm, plan_code=plan.code)
        if ev.prompt_to_confirm and confirm is not None:
            confirmed = confirm(pc)
            if confirmed is None:
                not_scheduled(ev.seq, "declined when confirming details")
                continue
            pc = confirmed
        prepared.append(pc)
    return prepared


def processing_group(pc: PreparedContact, today: dt.date) -> int:
    """Which of the seed's ten processing groups a prepared contact belongs to."""
    return type_group(pc.type, due=pc.due_date <= today, print_now=pc.print_now,
                      prompt_to_confirm=pc.prompt_to_confirm)


def type_group(t: str, *, due: bool, print_now: bool = False,
               prompt_to_confirm: bool = False) -> int:
    if t == T.PLAN:
        return 1 if due else 9
    if t == T.LETTER:
        return 1 if due and print_now else 9
    if t == T.TRANSACTION:
        return (1 if prompt_to_confirm else 7) if due else 9
    if t == T.ACTIVATE:
        return 2 if due else 9
    if t == T.NOTE:
        return 3 if due else 9
    if t in (T.STATUS, T.SALES, T.EDIT, T.COMMISSION, T.RATE_PLAN):
        return 4 if due else 9
    if t == T.PROMISE:
        return 5
    if t == T.OPERATOR:
        return 6 if due else 9
    if t == T.METRO:
        return 8
    if t == T.CLOSE:
        return 10
    return 9


def _assigned_operator(pc: PreparedContact) -> str | None:
    if pc.type == T.OPERATOR:
        return pc.argument or None
    if pc.type == T.EDIT:
        try:
            field_, value = parse_edit(pc.argument)
        except ActionError:
            return None
        if field_.model is Debtor and field_.attribute == "operator_id":
            return value or None
    return None


def _operator_after_plan(later: list[PreparedContact], sink: Any, today: dt.date) -> str:
    operator = sink.get("operator_id") or ""
    for pc in later:
        if pc.due_date <= today:
            operator = _assigned_operator(pc) or operator
    return operator


def process_prepared(prepared: list[PreparedContact], sink: Any, today: dt.date) -> None:
    """Run the prepared contacts in the ten groups, each group in event order."""
    order = sorted(prepared, key=lambda pc: processing_group(pc, today))  # stable: event order
    note_operator: str | None = None
    for pos, pc in enumerate(order):
        t = pc.type
        if t == T.METRO:
            sink.skipped(pc, METRO_REASON)
            continue
        if t in SCHEDULED_TYPES:
            if t == T.LETTER and pc.print_now and pc.due_date <= today:
                sink.print_now(pc)
            else:
                sink.save(pc)
            continue
        if pc.due_date > today:
            sink.save(pc)
            continue
        if t == T.NOTE and note_operator is None:
            note_operator = _operator_after_plan(order[pos:], sink, today)
        before = sink.get("operator_id")
        try:
            execute_action(sink, t, pc.argument, description=pc.description, amount=pc.amount,
                           note_operator=note_operator if t == T.NOTE else None)
        except ActionError as exc:
            sink.failed(pc, str(exc))
            continue
        sink.executed(pc)
        after = sink.get("operator_id")
        if after != before:
            for waiting in order[pos + 1:]:
                if waiting.operator_id == before:
                    waiting.operator_id = after


# ------------------------------------------------------------------------------------------
# Running a plan on one account (ORM)
# ------------------------------------------------------------------------------------------


@dataclass
class PlanCallbacks:
    """Questions a plan asks the person running it; None = not asked (batch / headless).

    * ``confirm_delete(pending) -> bool``: "Prompt before deleting"; False cancels the plan.
    * ``start_date(plan) -> date | None``: "Prompt for start date"; None cancels the plan.
    * ``confirm_contact(contact) -> bool``: "Prompt to confirm details": the contact (not saved
      yet) may be edited in place; False skips it.
    * ``print_letter(contact) -> bool``: a "Print now" letter; True = printed (Completed).
    """

    confirm_delete: Callable[[list[Contact]], bool] | None = None
    start_date: Callable[[CompiledPlan], dt.date | None] | None = None
    confirm_contact: Callable[[Contact], bool] | None = None
    print_letter: Callable[[Contact], bool] | None = None


@dataclass
class PlanResult:
    """What one run of a plan did (sub-plans in ``subplans``)."""

    plan: str
    target: str
    cancelled: bool = False
    reason: str = ""
    start_date: dt.date | None = None
    contacts: list[Contact] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    deleted: int = 0
    completed: int = 0
    moved: int = 0
    notes: list[Note] = field(default_factory=list)
    transactions: list[Any] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    not_scheduled: list[tuple[int, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    subplans: list[PlanResult] = field(default_factory=list)

    def all_results(self) -> list[PlanResult]:
        out = [self]
        for sub in self.subplans:
            out.extend(sub.all_results())
        return out

    @property
    def contacts_created(self) -> int:
        return sum(len(r.contacts) for r in self.all_results())

    def summary(self) -> dict[str, Any]:
        return {
            "plan": self.plan, "target": self.target, "cancelled": self.cancelled,
            "reason": self.reason, "start_date": self.start_date,
            "contacts": [{"type": c.type, "due_date": c.due_date, "due_time": c.due_time,
                          "priority": c.priority, "operator": c.operator_id,
                          "description": c.description, "done": bool(c.done)}
                         for c in self.contacts],
            "executed": self.executed, "deleted": self.deleted,
            "marked_completed": self.completed, "moved": self.moved,
            "notes": [n.text for n in self.notes],
            "changes": {k: [v[0], v[1]] for k, v in self.changes.items()},
            "not_scheduled": [{"event": s, "reason": r} for s, r in self.not_scheduled],
            "errors": self.errors,
            "subplans": [s.summary() for s in self.subplans],
        }


_STACK_KEY = "collectdesk.plan_stack"


class RunContext:
    """Everything a run reads once: time, operator, callbacks, calendar, preferences, plans.

    A batch keeps one context for all its accounts.
    """

    def __init__(self, session: Session, *, operator: str, callbacks: PlanCallbacks | None = None,
                 now: dt.datetime | None = None, cache: PlanCache | None = None) -> None:
        self.session = session
        self.operator = operator or ""
        self.callbacks = callbacks or PlanCallbacks()
        self.now = (now or dt.datetime.now()).replace(microsecond=0)
        self.today = self.now.date()
        if cache is None and preference(session, "cache_contact_plans", self.operator):
            cache = plan_cache_for(session)
        self.cache = cache
        self._plans: dict[str, CompiledPlan] = {}
        self._calendar: Calendar | None = None
        self._prefs: dict[str, Any] = {}
        self._company: list[Any] = []

    @property
    def calendar(self) -> Calendar:
        if self._calendar is None:
            self._calendar = Calendar.load(self.session, schedule_on_weekends=bool(
                self.pref("schedule_on_weekends")))
        return self._calendar

    def pref(self, name: str) -> Any:
        if name not in self._prefs:
            self._prefs[name] = preference(self.session, name, self.operator)
        return self._prefs[name]

    def plan(self, code: str) -> CompiledPlan:
        if self.cache is not None:
            return self.cache.get(self.session, code)
        key = (code or "").strip().upper()
        if key not in self._plans:
            self._plans[key] = load_plan(self.session, code)
        return self._plans[key]

    def company(self) -> Any:
        if not self._company:
            self._company.append(self.session.scalar(select(CompanyDetails).limit(1)))
        return self._company[0]

    @property
    def stack(self) -> list[str]:
        return self.session.info.setdefault(_STACK_KEY, [])


class _OrmSink:
    """The account a plan runs on, through the ORM (one account at a time)."""

    target: Any

    def __init__(self, ctx: RunContext, target: Any, result: PlanResult) -> None:
        self.ctx = ctx
        self.session = ctx.session
        self.target = target
        self.result = result

    # -- what the rules need ------------------------------------------------------------
    def set(self, attribute: str, value: Any) -> None:
        record = self._record_for(attribute)
        old = getattr(record, attribute)
        if old == value:
            return
        setattr(record, attribute, value)
        change = self.result.changes.setdefault(attribute, [old, value])
        change[1] = value

    def _record_for(self, attribute: str) -> Any:
        return self.target

    def save(self, pc: PreparedContact, *, done: bool = False) -> Contact:
        contact = Contact(**self._owner(pc.type), **pc.contact_values(), done=done,
                          created_at=self.ctx.now, updated_by=self.ctx.operator,
                          completed_at=self.ctx.now if done else None)
        self.session.add(contact)
        self.result.contacts.append(contact)
        return contact

    def print_now(self, pc: PreparedContact) -> None:
        contact = self.save(pc)
        printer = self.ctx.callbacks.print_letter
        if printer is not None and printer(contact):
            contact.done = True
            contact.completed_at = self.ctx.now

    def skipped(self, pc: PreparedContact, reason: str) -> None:
        self.result.not_scheduled.append((pc.seq, reason))

    def failed(self, pc: PreparedContact, message: str) -> None:
        self.result.errors.append(f"event {pc.seq} ({pc.type}): {message}")
        log.warning("plan %s on %s: event %s (%s) failed: %s", self.result.plan,
                    self.result.target, pc.seq, pc.type, message)

    def executed(self, pc: PreparedContact) -> None:
        label = pc.type + (f" {pc.argument}" if pc.argument and pc.type != T.NOTE else "")
        self.result.executed.append(label)

    def write_note(self, text: str, status: str, operator: str) -> None:
        note = Note(**self._note_owner(), noted_at=self.ctx.now, status=status,
                    operator_id=operator, text=text)
        self.session.add(note)
        self.result.notes.append(note)

    def status_changed(self, old: str, new: str) -> None:
        sub = run_status_plan(self.ctx, self.target, new)
        if sub is not None:
            self.result.subplans.append(sub)

    def run_plan(self, code: str) -> None:
        try:
            sub = execute_plan(self.ctx, self.target, code)
        except UnknownPlan as exc:
            raise ActionError(str(exc)) from None
        self.result.subplans.append(sub)

    def odbc(self, pair: str) -> None:
        try:
            _contacts.ODBC_EXECUTOR(self.session, self.target, pair, self.ctx.operator)
        except ActionError:
            raise
        except Exception as exc:  # an external database: report, never abort the plan
            log.exception("ODBC Sync %s failed", pair)
            raise ActionError(f"ODBC contact plan did not execute: {exc}") from exc

    # -- pending contacts -----------------------------------------------------------------
    def pending(self) -> list[Contact]:
        return list(self.session.scalars(select(Contact).where(
            self._pending_filter(), unindexed(Contact.done, False).is_(False))
            .order_by(Contact.id)))


class DebtorSink(_OrmSink):
    _RELATED = {DebtorDetail: "detail", InterestDetail: "interest_detail",
                CreditReport: "credit_report"}

    def label(self) -> str:
        return f"debtor {self.target.id}"

    def get(self, attribute: str) -> Any:
        return getattr(self.target, attribute)

    def account_operator(self) -> str:
        return self.target.operator_id or ""

    def _owner(self, ctype: str) -> dict[str, Any]:
        owner = {"debtor_id": self.target.id}
        if ctype == T.CLIENT:
            owner["client_id"] = self.target.client_id
        return owner

    def _note_owner(self) -> dict[str, Any]:
        return {"debtor_id": self.target.id}

    def _pending_filter(self) -> Any:
        return Contact.debtor_id == self.target.id

    def value_of(self, fc: FieldCode) -> Any:
        debtor = self.target
        model = fc.model
        if model is Debtor:
            record = debtor
        elif model is Client:
            record = debtor.client
        elif model is ClientSettings:
            record = debtor.client.settings if debtor.client else None
        elif model in self._RELATED:
            record = getattr(debtor, self._RELATED[model])
        elif model is CompanyDetails:
            record = self.ctx.company()
        else:
            raise ScheduleIfError(f"Schedule If: {fc.code} is not a field of the account")
        return None if record is None else getattr(record, fc.attribute)

    def edit(self, fc: FieldCode, value: Any) -> None:
        if fc.model is Debtor:
            if fc.attribute == "id":
                raise ActionError("the file number cannot be edited")
            change_field(self, fc.attribute, value)
            return
        relation = self._RELATED.get(fc.model)
        if relation is None:
            raise ActionError(f"Edit: {fc.code} is not a field of the account")
        record = getattr(self.target, relation)
        if record is None:
            record = fc.model()
            setattr(self.target, relation, record)
        old = getattr(record, fc.attribute)
        if old != value:
            setattr(record, fc.attribute, value)
            self.result.changes.setdefault(fc.code, [old, value])[1] = value

    def operator_changed(self, old: str, new: str) -> None:
        self.session.flush()
        self.result.moved += move_in_progress(self.session, debtor_id=self.target.id,
                                              old=old, new=new, by=self.ctx.operator)
        code = (self.ctx.pref("operator_change_plan") or "").strip()
        if code:
            self._nested(code, "operator change")

    def _nested(self, code: str, why: str) -> None:
        try:
            self.result.subplans.append(execute_plan(self.ctx, self.target, code))
        except UnknownPlan:
            self.result.errors.append(f"{why} plan {code!r} does not exist")

    def post_transaction(self, type_code: str, amount: Decimal, description: str) -> None:
        try:
            from . import posting
        except ImportError:
            raise ActionError("the financial engine (posting) is not installed") from None
        self.session.flush()
        try:
            transaction = call_with_supported(
                posting.post_transaction, self.session, self.target, type_code,
                to_us=amount if amount else None, payment_date=self.ctx.today,
                posted_date=self.ctx.today, operator=self.ctx.operator,
                description=description)
        except (ValueError, LookupError) as exc:
            raise ActionError(f"transaction {type_code}: {exc}") from exc
        self.result.transactions.append(transaction)

    def close(self) -> None:
        closer = _contacts.close_executor()
        if closer is None:
            change_field(self, "mode", DebtorMode.CLOSED)
            return
        old = self.target.mode
        self.session.flush()
        try:
            call_with_supported(closer, self.session, self.target, operator=self.ctx.operator,
                                today=self.ctx.today)
        except (ValueError, LookupError) as exc:
            raise ActionError(f"close: {exc}") from exc
        if self.target.mode != DebtorMode.CLOSED:
            self.target.mode = DebtorMode.CLOSED
        if old != DebtorMode.CLOSED:
            self.result.changes.setdefault("mode", [old, DebtorMode.CLOSED])[1] = DebtorMode.CLOSED


class ClientSink(_OrmSink):
    """A plan run on a client: its contacts and notes; settings fields where they exist.

    A client has no account operator: "assign to account operator" gives the contact to the
    operator running the plan.  Activate, Close, Operator and Transaction events do not apply.
    """

    _SETTINGS = {"sales_id", "commission_rate", "rate_plan"}
    _NOT_FOR_CLIENTS = {"mode": "Activate", "operator_id": "Operator"}

    def label(self) -> str:
        return f"client {self.target.id}"

    def get(self, attribute: str) -> Any:
        if attribute == "operator_id":
            return self.ctx.operator
        return getattr(self._record_for(attribute), attribute)

    def _record_for(self, attribute: str) -> Any:
        if attribute in self._NOT_FOR_CLIENTS:
            raise ActionError(f"{self._NOT_FOR_CLIENTS[attribute]} events do not apply to a client")
        return self._settings() if attribute in self._SETTINGS else self.target

    def account_operator(self) -> str:
        return self.ctx.operator

    def _owner(self, ctype: str) -> dict[str, Any]:
        return {"client_id": self.target.id}

    def _note_owner(self) -> dict[str, Any]:
        return {"client_id": self.target.id}

    def _pending_filter(self) -> Any:
        return (Contact.client_id == self.target.id) & Contact.debtor_id.is_(None)

    def value_of(self, fc: FieldCode) -> Any:
        if fc.model is Client:
            record = self.target
        elif fc.model is ClientSettings:
            record = self.target.settings
        elif fc.model is CompanyDetails:
            record = self.ctx.company()
        else:
            raise ScheduleIfError(f"Schedule If: {fc.code} is not a field of the client")
        return None if record is None else getattr(record, fc.attribute)

    def edit(self, fc: FieldCode, value: Any) -> None:
        if fc.model is Client and fc.attribute != "id":
            change_field(self, fc.attribute, value)
        elif fc.model is ClientSettings and fc.attribute in self._SETTINGS:
            change_field(self, fc.attribute, value)
        elif fc.model is ClientSettings:
            setattr(self._settings(), fc.attribute, value)
        else:
            raise ActionError(f"Edit: {fc.code} is not a field of the client")

    def _settings(self) -> ClientSettings:
        if self.target.settings is None:
            self.target.settings = ClientSettings()
        return self.target.settings

    def operator_changed(self, old: str, new: str) -> None:  # pragma: no cover - refused earlier
        raise ActionError("Operator events do not apply to a client")

    def post_transaction(self, type_code: str, amount: Decimal, description: str) -> None:
        raise ActionError("Transaction events do not apply to a client")

    def close(self) -> None:
        raise ActionError("Close events do not apply to a client")


def make_sink(ctx: RunContext, target: Any, result: PlanResult) -> DebtorSink | ClientSink:
    if isinstance(target, Debtor):
        return DebtorSink(ctx, target, result)
    if isinstance(target, Client):
        return ClientSink(ctx, target, result)
    raise TypeError(f"a contact plan runs on a Debtor or a Client, not {type(target).__name__}")


def _target_label(target: Any) -> str:
    return f"{'client' if isinstance(target, Client) else 'debtor'} {getattr(target, 'id', '?')}"


def _confirm_with(ctx: RunContext, sink: _OrmSink) -> Confirm | None:
    ask = ctx.callbacks.confirm_contact
    if ask is None:
        return None

    def confirm(pc: PreparedContact) -> PreparedContact | None:
        contact = Contact(**sink._owner(pc.type), **pc.contact_values())
        if not ask(contact):
            return None
        return pc.edited(contact)

    return confirm


def execute_plan(ctx: RunContext, target: Any, code: str, *,
                 start_date: dt.date | None = None) -> PlanResult:
    """Run plan ``code`` on ``target`` within ``ctx`` (also used for called plans)."""
    plan = ctx.plan(code)
    result = PlanResult(plan.code, _target_label(target))
    stack = ctx.stack
    if plan.code in stack:
        result.cancelled = True
        result.reason = f"plan {plan.code} is already running (a plan does not run inside itself)"
        result.errors.append(result.reason)
        return result
    session = ctx.session
    if getattr(target, "id", None) is None:
        session.flush()
    stack.append(plan.code)
    try:
        sink = make_sink(ctx, target, result)
        result.target = sink.label()
        delete, complete = [], []
        if plan.deletes:
            delete, complete = deletion_actions(
                sink.pending(), delete_all=plan.delete_all_pending,
                same_type=plan.same_type_rules, today=ctx.today)
        ask_delete = ctx.callbacks.confirm_delete
        if plan.prompt_before_deleting and (delete or complete) and ask_delete is not None:
            if not ask_delete([*delete, *complete]):
                result.cancelled, result.reason = True, "cancelled at the prompt before deleting"
                return result
        reference = start_date
        if reference is None:
            ask_date = ctx.callbacks.start_date
            if plan.prompt_for_start_date and ask_date is not None:
                reference = ask_date(plan)
                if reference is None:
                    result.cancelled, result.reason = True, "cancelled at the start date prompt"
                    return result
            else:
                reference = ctx.today
        result.start_date = reference
        for contact in delete:
            session.delete(contact)
        for contact in complete:
            contact.done = True
            contact.completed_at = ctx.now
            contact.updated_by = ctx.operator
        result.deleted, result.completed = len(delete), len(complete)

        prepared = prepare_events(
            plan, sink.value_of, calendar=ctx.calendar, reference=reference, now=ctx.now,
            account_operator=sink.account_operator(),
            not_scheduled=lambda seq, why: result.not_scheduled.append((seq, why)),
            confirm=_confirm_with(ctx, sink))
        process_prepared(prepared, sink, ctx.today)
        session.flush()
    finally:
        stack.pop()
    return result


def run_status_plan(ctx: RunContext, target: Any, status: str) -> PlanResult | None:
    """The Run Plan of status code ``status``, if it has one."""
    code = ctx.session.scalar(select(StatusCode.run_plan).where(StatusCode.code == status))
    if not (code or "").strip():
        return None
    try:
        return execute_plan(ctx, target, code.strip())
    except UnknownPlan:
        log.warning("status %s names unknown run plan %s", status, code)
        return None


def run_plan(session: Session, target: Debtor | Client, code: str, *, operator: str,
             callbacks: PlanCallbacks | None = None, start_date: dt.date | None = None,
             now: dt.datetime | None = None, cache: PlanCache | None = None) -> PlanResult:
    """Run contact plan ``code`` on a debtor or a client.  Flushes; the caller commits.

    Raises :class:`UnknownPlan` for a code that does not exist.  ``start_date`` answers the
    "Prompt for start date" question in advance (the batch runner's remembered answer).
    """
    ctx = RunContext(session, operator=operator, callbacks=callbacks, now=now, cache=cache)
    return execute_plan(ctx, target, code, start_date=start_date)


__all__ = [
    "METRO_REASON", "CompiledEvent", "CompiledPlan", "DebtorSink", "ClientSink", "PlanCache",
    "PlanCallbacks", "PlanError", "PlanResult", "PreparedContact", "RunContext", "UnknownPlan",
    "compile_plan", "execute_plan", "forget_cached_plans", "load_plan", "make_sink",
    "picklist_texts_for", "plan_cache_for", "preference", "prepare_events", "process_prepared",
    "processing_group", "run_plan", "run_status_plan", "type_group",
]
