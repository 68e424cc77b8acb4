"""Contact plans: the shipped samples, the seed's procedure step by step, triggers, batch, files.

Seed 003: "Contact Plans", "How Collect! Executes Contact Plans Internally", "Contact Plan
Samples", "Reassigning an Account to a New Operator", "Debtor Status Codes", "Holidays".
Every test uses a real SQLite file.  "Now" is Monday 4 March 2024, 09:00.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import threading
import types
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import collectdesk.engine as engine_pkg
from collectdesk.db import make_engine, session_factory
from collectdesk.engine import contacts as contact_types
from collectdesk.engine.batch import (
    process_automatic_contacts,
    run_plan_batch,
    tagged_debtor_ids,
)
from collectdesk.engine.contact_plans import (
    PlanCallbacks,
    PreparedContact,
    UnknownPlan,
    forget_cached_plans,
    processing_group,
    run_plan,
)
from collectdesk.engine.plan_files import PlanFileError, export_plans, import_plans
from collectdesk.engine.plan_triggers import (
    change_operator,
    on_new_account,
    on_phone_change,
    on_status_change,
    run_action,
)
from collectdesk.models import (
    Assign,
    Base,
    Client,
    ClientSettings,
    Contact,
    ContactPlan,
    ContactType,
    Debtor,
    Holiday,
    Note,
    Operator,
    PickList,
    PickListEntry,
    PlanEvent,
    Preferences,
    StatusCode,
    Tag,
)

T = ContactType
NOW = dt.datetime(2024, 3, 4, 9, 0)
TODAY = NOW.date()
D = dt.date


# ------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------

# The seed's sample plans, as "Contact Plan Samples" lists them (used only when the shipped
# rows cannot be installed).
_SEED_PLANS: dict[str, tuple[str, bool, list[dict[str, Any]]]] = {
    "NEW": ("New Business", True, [
        {"type": "Status", "description": "NEW", "timeless": True},
        {"type": "Letter", "description": "Letter 1", "priority": 10, "timeless": True},
        {"type": "Phone", "description": "Home", "priority": 30, "use_delay_days": True,
         "delay_days": 10, "timeless": True},
        {"type": "Letter", "description": "Letter 2", "priority": 20, "use_delay_days": True,
         "delay_days": 30, "timeless": True},
        {"type": "Letter", "description": "Letter 3", "priority": 30, "use_delay_days": True,
         "delay_days": 60, "timeless": True}]),
    "CLO": ("Close File", True, [
        {"type": "Close", "timeless": True},
        {"type": "Note", "description": "File closed", "timeless": True}]),
    "C0": ("Call In 15 Minutes", False, [
        {"type": "Phone", "description": "Home", "priority": 90, "use_delay_minutes": True,
         "delay_minutes": 15, "timeless": True},
        {"type": "Note", "description": "Busy, call again in 15 minutes", "timeless": True}]),
    "L1": ("Letter 1 - Today", False, [
        {"type": "Letter", "description": "Series 3 - Letter 1", "prompt_to_confirm": True,
         "delete_same_type": True, "timeless": True},
        {"type": "Review", "description": "Letter sent recently. Any response?", "priority": 25,
         "use_delay_days": True, "delay_days": 14, "prompt_to_confirm": True,
         "delete_same_type": True, "same_description_only": True, "timeless": True}]),
    "REV": ("Review", False, [
        {"type": "Review", "description": "Review file...", "priority": 30,
         "prompt_to_confirm": True, "delete_same_type": True, "timeless": True}]),
    "C": ("Prompt to plan call", False, [
        {"type": "Phone", "description": "Home", "prompt_to_confirm": True, "timeless": True}]),
}


def _install_seed_rows(session: Session) -> None:
    for code, priority, run in (("NEW", 90, ""), ("ACT", 50, ""), ("SKP", 60, ""),
                                ("PIF", 0, "CLO"), ("CLO", 0, "")):
        session.add(StatusCode(code=code, description=code, wip_priority=priority, run_plan=run))
    for code, (description, delete_all, events) in _SEED_PLANS.items():
        add_plan(session, code, events, description=description, delete_all_pending=delete_all)
    for op in ("OWN", "SYS", "MGR"):
        session.add(Operator(id=op, name=op))
    session.add(Preferences(operator_id=None, schedule_on_weekends=False, wip_sort="priority",
                            cache_contact_plans=False, operator_change_plan="",
                            phone_change_plan="", payment_posting_plan=""))
    states = PickList(name="states")
    states.entries = [PickListEntry(key="NY", text="New York"), PickListEntry(key="NJ",
                                                                           text="New Jersey")]
    session.add(states)


def _install(session: Session) -> None:
    try:
        from collectdesk.engine.shipped import install_system_rows

        install_system_rows(session, demo=True)
        if session.scalar(select(ContactPlan).where(ContactPlan.code == "NEW")) is None:
            raise LookupError("no NEW plan shipped")
    except Exception:
        session.rollback()
        _install_seed_rows(session)
    for op in ("JC", "AB", "OWN"):
        if session.get(Operator, op) is None:
            session.add(Operator(id=op, name=op))
    session.flush()


@pytest.fixture(scope="module")
def template(tmp_path_factory: Any) -> Any:
    """A database with the shipped rows, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "plans.db"
    eng = make_engine(str(path))
    Base.metadata.create_all(eng)
    with session_factory(eng)() as s:
        _install(s)
        s.add(Client(id=1, name="Acme Credit"))
        s.commit()
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def engine(template: Any, tmp_path: Any) -> Any:
    path = tmp_path / "plans.db"
    shutil.copyfile(template, path)
    eng = make_engine(str(path))
    yield eng
    forget_cached_plans()
    eng.dispose()


@pytest.fixture
def session(engine: Any) -> Any:
    with session_factory(engine)() as s:
        yield s


def add_plan(session: Session, code: str, events: list[dict[str, Any]], **plan: Any) -> ContactPlan:
    row = ContactPlan(code=code, **plan)
    row.events = [PlanEvent(seq=i, **ev) for i, ev in enumerate(events, 1)]
    session.add(row)
    session.flush()
    return row


def new_debtor(session: Session, **values: Any) -> Debtor:
    values.setdefault("name", "Doe, John")
    values.setdefault("operator_id", "OWN")
    values.setdefault("client_id", 1)
    debtor = Debtor(**values)
    session.add(debtor)
    session.flush()
    return debtor


def add_contact(session: Session, debtor: Debtor, **values: Any) -> Contact:
    values.setdefault("operator_id", "OWN")
    values.setdefault("due_date", TODAY + dt.timedelta(days=5))
    contact = Contact(debtor_id=debtor.id, **values)
    session.add(contact)
    session.flush()
    return contact


def contacts(session: Session, debtor: Debtor, *, done: bool | None = False) -> list[Contact]:
    stmt = select(Contact).where(Contact.debtor_id == debtor.id).order_by(Contact.id)
    if done is not None:
        stmt = stmt.where(Contact.done.is_(done))
    return list(session.scalars(stmt))


def notes(session: Session, debtor: Debtor) -> list[Note]:
    return list(session.scalars(select(Note).where(Note.debtor_id == debtor.id).order_by(Note.id)))


def shape(c: Contact) -> tuple[Any, ...]:
    return (c.type, c.due_date, c.due_time, c.priority, c.operator_id, c.description)


def run(session: Session, target: Any, code: str, **kw: Any) -> Any:
    kw.setdefault("operator", "OWN")
    kw.setdefault("now", NOW)
    return run_plan(session, target, code, **kw)


# ------------------------------------------------------------------------------------------
# The shipped sample plans
# ------------------------------------------------------------------------------------------


def test_new_business_plan(session: Session) -> None:
    debtor = new_debtor(session, status="")
    old_phone = add_contact(session, debtor, type="Phone", description="old")
    metro = add_contact(session, debtor, type="Metro", description="CBR")
    result = run(session, debtor, "NEW")
    session.commit()
    assert debtor.status == "NEW"
    assert debtor.mode == "A"
    assert [shape(c) for c in contacts(session, debtor) if c.type != "Metro"] == [
        ("Letter", TODAY, None, 10, "OWN", "Letter 1"),
        ("Phone", D(2024, 3, 14), None, 30, "OWN", "Home"),
        ("Letter", D(2024, 4, 3), None, 20, "OWN", "Letter 2"),
        ("Letter", D(2024, 5, 3), None, 30, "OWN", "Letter 3"),
    ]
    assert all(c.plan_code == "NEW" for c in result.contacts)
    assert session.get(Contact, old_phone.id) is None  # delete all pending
    assert session.get(Contact, metro.id) is not None  # Metro contacts are kept
    assert result.executed == ["Status NEW"]
    assert notes(session, debtor) == []


def test_call_in_fifteen_minutes(session: Session) -> None:
    debtor = new_debtor(session, status="ACT")
    keep = add_contact(session, debtor, type="Letter", description="kept")
    run(session, debtor, "C0")
    session.commit()
    phones = [c for c in contacts(session, debtor) if c.type == "Phone"]
    assert [shape(c) for c in phones] == [("Phone", TODAY, dt.time(9, 15), 90, "OWN", "Home")]
    [note] = notes(session, debtor)
    assert (note.text, note.status, note.operator_id, note.noted_at) == \
        ("Busy, call again in 15 minutes", "ACT", "OWN", NOW)
    assert note.line() == "03/04/2024 09:00 ACT  OWN    : Busy, call again in 15 minutes"
    assert session.get(Contact, keep.id) is not None  # C0 deletes nothing


def test_close_file(session: Session) -> None:
    debtor = new_debtor(session, status="NEW")
    add_contact(session, debtor, type="Letter", description="Letter 2")
    due_review = add_contact(session, debtor, type="Review", due_date=TODAY - dt.timedelta(days=1))
    result = run(session, debtor, "CLO")
    session.commit()
    assert debtor.mode == "C"
    [note] = notes(session, debtor)
    assert (note.text, note.status, note.operator_id) == ("File closed", "NEW", "OWN")
    assert contacts(session, debtor) == []
    assert session.get(Contact, due_review.id).done  # an active WIP contact is completed
    assert result.deleted == 1 and result.completed == 1
    # Close runs last (group 10), after the note (group 3)
    assert result.executed == ["Note", "Close"]


def test_letter_one_with_prompts(session: Session) -> None:
    debtor = new_debtor(session)
    old_letter = add_contact(session, debtor, type="Letter", description="Series 1")
    same_review = add_contact(session, debtor, type="Review",
                              description="Letter sent recently. Any response?")
    other_review = add_contact(session, debtor, type="Review", description="Call the employer")
    shown: list[tuple[str, dt.date, int]] = []

    def confirm(contact: Contact) -> bool:
        shown.append((contact.type, contact.due_date, contact.priority))
        if contact.type == "Review":
            contact.description = "Any response to letter 1?"
        return True

    run(session, debtor, "L1", callbacks=PlanCallbacks(confirm_contact=confirm))
    session.commit()
    assert shown == [("Letter", TODAY, 0), ("Review", D(2024, 3, 18), 25)]
    assert [shape(c) for c in contacts(session, debtor)] == [
        ("Review", TODAY + dt.timedelta(days=5), None, 0, "OWN", "Call the employer"),
        ("Letter", TODAY, None, 0, "OWN", "Series 3 - Letter 1"),
        ("Review", D(2024, 3, 18), None, 25, "OWN", "Any response to letter 1?"),
    ]
    assert session.get(Contact, old_letter.id) is None  # delete same type
    assert session.get(Contact, same_review.id) is None  # same type and description
    assert session.get(Contact, other_review.id) is not None  # other description kept


def test_confirming_details_saves_the_contact_as_edited(session: Session) -> None:
    debtor = new_debtor(session)

    def edit(contact: Contact) -> bool:
        assert (contact.due_date, contact.priority, contact.operator_id) == (TODAY, 30, "OWN")
        contact.due_date, contact.due_time = D(2024, 3, 7), dt.time(14, 45)
        contact.operator_id, contact.description, contact.priority = "JC", "Edited", 5
        return True

    result = run(session, debtor, "REV", callbacks=PlanCallbacks(confirm_contact=edit))
    session.commit()
    session.expire_all()
    assert [shape(c) for c in contacts(session, debtor)] == [
        ("Review", D(2024, 3, 7), dt.time(14, 45), 5, "JC", "Edited")]
    assert [c.plan_code for c in result.contacts] == ["REV"]


def test_letter_one_declined_letter_is_not_queued(session: Session) -> None:
    debtor = new_debtor(session)
    result = run(session, debtor, "L1", callbacks=PlanCallbacks(
        confirm_contact=lambda c: c.type != "Letter"))
    assert [c.type for c in contacts(session, debtor)] == ["Review"]
    assert result.not_scheduled == [(1, "declined when confirming details")]


def test_review_plan(session: Session) -> None:
    debtor = new_debtor(session)
    future_review = add_contact(session, debtor, type="Review", description="later")
    due_review = add_contact(session, debtor, type="Review", description="due",
                             due_date=TODAY - dt.timedelta(days=3))

    def describe(contact: Contact) -> bool:
        contact.description = "Check the dispute file"
        return True

    run(session, debtor, "REV", callbacks=PlanCallbacks(confirm_contact=describe))
    session.commit()
    assert [shape(c) for c in contacts(session, debtor)] == [
        ("Review", TODAY, None, 30, "OWN", "Check the dispute file")]
    assert session.get(Contact, future_review.id) is None
    assert session.get(Contact, due_review.id).done


def test_review_plan_without_prompt_callback_uses_the_plan_description(session: Session) -> None:
    debtor = new_debtor(session)
    run(session, debtor, "REV")
    assert [shape(c) for c in contacts(session, debtor)] == [
        ("Review", TODAY, None, 30, "OWN", "Review file...")]


def test_prompt_to_plan_call(session: Session) -> None:
    debtor = new_debtor(session)

    def plan_call(contact: Contact) -> bool:
        contact.due_date, contact.due_time, contact.priority = D(2024, 3, 5), dt.time(14, 30), 50
        return True

    run(session, debtor, "C", callbacks=PlanCallbacks(confirm_contact=plan_call))
    assert [shape(c) for c in contacts(session, debtor)] == [
        ("Phone", D(2024, 3, 5), dt.time(14, 30), 50, "OWN", "Home")]


def test_unknown_plan(session: Session) -> None:
    with pytest.raises(UnknownPlan, match="NOPE"):
        run(session, new_debtor(session), "NOPE")


def test_plan_codes_are_found_case_insensitively(session: Session) -> None:
    debtor = new_debtor(session)
    assert run(session, debtor, "new").plan == "NEW"


# ------------------------------------------------------------------------------------------
# Dates in plans: weekends, holidays, start date
# ------------------------------------------------------------------------------------------


def test_plan_skips_weekends_and_holidays(session: Session) -> None:
    add_plan(session, "FRI", [{"type": "Review", "use_delay_days": True, "delay_days": 1}])
    session.add(Holiday(date=D(2024, 3, 11), description="Closed"))
    debtor = new_debtor(session)
    run(session, debtor, "FRI", now=dt.datetime(2024, 3, 8, 10, 0))  # a Friday
    assert contacts(session, debtor)[0].due_date == D(2024, 3, 12)  # Sat, Sun, holiday Monday


def test_plan_schedules_on_weekends_when_the_preference_is_on(session: Session) -> None:
    add_plan(session, "FRI", [{"type": "Review", "use_delay_days": True, "delay_days": 1}])
    system = session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))
    system.schedule_on_weekends = True
    debtor = new_debtor(session)
    run(session, debtor, "FRI", now=dt.datetime(2024, 3, 8, 10, 0))
    assert contacts(session, debtor)[0].due_date == D(2024, 3, 9)


def test_operator_preference_overrides_the_system_one(session: Session) -> None:
    add_plan(session, "FRI", [{"type": "Review", "use_delay_days": True, "delay_days": 1}])
    session.add(Preferences(operator_id="JC", schedule_on_weekends=True))
    debtor = new_debtor(session)
    run(session, debtor, "FRI", operator="JC", now=dt.datetime(2024, 3, 8, 10, 0))
    assert contacts(session, debtor)[0].due_date == D(2024, 3, 9)


def test_prompt_for_start_date(session: Session) -> None:
    add_plan(session, "SD", [{"type": "Review", "use_delay_days": True, "delay_days": 2},
                             {"type": "Status", "description": "ACT"}],
             prompt_for_start_date=True)
    debtor = new_debtor(session, status="NEW")
    asked: list[str] = []
    result = run(session, debtor, "SD", callbacks=PlanCallbacks(
        start_date=lambda plan: asked.append(plan.code) or D(2024, 3, 11)))
    assert asked == ["SD"]
    assert result.start_date == D(2024, 3, 11)
    # the status event is now dated the 11th: saved for "Process automatic contacts"
    assert [shape(c) for c in contacts(session, debtor)] == [
        ("Review", D(2024, 3, 13), None, 0, "OWN", ""),
        ("Status", D(2024, 3, 11), None, 0, "OWN", "ACT")]
    assert debtor.status == "NEW"


def test_cancelling_the_start_date_prompt_writes_nothing(session: Session) -> None:
    add_plan(session, "SD", [{"type": "Review"}], prompt_for_start_date=True,
             delete_all_pending=True)
    debtor = new_debtor(session)
    old = add_contact(session, debtor, type="Letter")
    result = run(session, debtor, "SD", callbacks=PlanCallbacks(start_date=lambda plan: None))
    assert result.cancelled
    assert contacts(session, debtor) == [old]


# ------------------------------------------------------------------------------------------
# Deleting pending contacts
# ------------------------------------------------------------------------------------------


@pytest.fixture
def pending(session: Session) -> tuple[Debtor, dict[str, Contact]]:
    debtor = new_debtor(session)
    made = {
        "letter": add_contact(session, debtor, type="Letter", description="Letter 2"),
        "future_phone": add_contact(session, debtor, type="Phone", description="Home"),
        "due_phone": add_contact(session, debtor, type="Phone", description="Work",
                                 due_date=TODAY - dt.timedelta(days=1)),
        "promise": add_contact(session, debtor, type="Promise", description="$50",
                               repeat_days=30),
        "one_promise": add_contact(session, debtor, type="Promise", description="$20"),
        "metro": add_contact(session, debtor, type="Metro", description="Metro 2"),
        "review_a": add_contact(session, debtor, type="Review", description="Check"),
        "review_b": add_contact(session, debtor, type="Review", description="Other"),
        "done_letter": add_contact(session, debtor, type="Letter", done=True),
    }
    return debtor, made


def _state(session: Session, made: dict[str, Contact]) -> dict[str, str]:
    session.expire_all()
    out = {}
    for name, contact in made.items():
        row = session.get(Contact, contact.id)
        out[name] = "deleted" if row is None else ("completed" if row.done else "pending")
    return out


def test_delete_all_pending(session: Session, pending: Any) -> None:
    debtor, made = pending
    add_plan(session, "DAP", [{"type": "Note", "description": "x"}], delete_all_pending=True)
    run(session, debtor, "DAP")
    assert _state(session, made) == {
        "letter": "deleted", "future_phone": "deleted", "due_phone": "completed",
        "promise": "completed", "one_promise": "deleted", "metro": "pending",
        "review_a": "deleted", "review_b": "deleted", "done_letter": "completed"}


def test_delete_same_type(session: Session, pending: Any) -> None:
    debtor, made = pending
    add_plan(session, "DST", [{"type": "Phone", "delete_same_type": True},
                              {"type": "Promise", "delete_same_type": True}])
    run(session, debtor, "DST")
    assert _state(session, made) == {
        "letter": "pending", "future_phone": "deleted", "due_phone": "completed",
        "promise": "completed", "one_promise": "deleted", "metro": "pending",
        "review_a": "pending", "review_b": "pending", "done_letter": "completed"}


def test_delete_same_type_same_description_only(session: Session, pending: Any) -> None:
    debtor, made = pending
    add_plan(session, "SDO", [{"type": "Review", "description": "check",
                               "delete_same_type": True, "same_description_only": True}])
    run(session, debtor, "SDO")
    state = _state(session, made)
    assert (state["review_a"], state["review_b"], state["letter"]) == \
        ("deleted", "pending", "pending")


def test_delete_same_type_never_deletes_metro(session: Session, pending: Any) -> None:
    debtor, made = pending
    add_plan(session, "MET", [{"type": "Metro", "delete_same_type": True}])
    result = run(session, debtor, "MET")
    assert _state(session, made)["metro"] == "pending"
    assert result.not_scheduled == [(1, "Metro contacts are never created by a contact plan")]
    assert len(contacts(session, debtor, done=None)) == len(made)


def test_prompt_before_deleting_shows_the_list_and_cancel_writes_nothing(
        session: Session, pending: Any) -> None:
    debtor, made = pending
    add_plan(session, "PBD", [{"type": "Status", "description": "ACT"},
                              {"type": "Note", "description": "hello"},
                              {"type": "Review", "description": "new"}],
             delete_all_pending=True, prompt_before_deleting=True)
    session.commit()
    shown: list[list[str]] = []
    result = run(session, debtor, "PBD", callbacks=PlanCallbacks(
        confirm_delete=lambda listed: shown.append(sorted(c.description for c in listed)) or False))
    session.commit()
    assert result.cancelled
    assert shown == [sorted(["Letter 2", "Home", "Work", "$50", "$20", "Check", "Other"])]
    assert _state(session, made)["letter"] == "pending"
    assert len(contacts(session, debtor)) == 8
    assert notes(session, debtor) == []
    assert session.get(Debtor, debtor.id).status == ""


def test_prompt_before_deleting_yes_goes_on(session: Session, pending: Any) -> None:
    debtor, made = pending
    add_plan(session, "PBD", [{"type": "Review", "description": "new"}],
             delete_all_pending=True, prompt_before_deleting=True)
    result = run(session, debtor, "PBD", callbacks=PlanCallbacks(confirm_delete=lambda c: True))
    assert not result.cancelled
    assert _state(session, made)["letter"] == "deleted"


# ------------------------------------------------------------------------------------------
# Processing order
# ------------------------------------------------------------------------------------------


def test_ten_groups() -> None:
    def group(kind: str, due: bool = True, **kw: Any) -> int:
        pc = PreparedContact(1, kind, TODAY if due else TODAY + dt.timedelta(days=1), None, 0,
                             "", "", "", Decimal(0), 0, kw.get("print_now", False),
                             kw.get("prompt", False), "P")
        return processing_group(pc, TODAY)

    assert group("Plan") == 1
    assert group("Letter", print_now=True) == 1
    assert group("Transaction", prompt=True) == 1
    assert group("Activate") == 2
    assert group("Note") == 3
    assert [group(t) for t in ("Status", "Sales", "Edit", "Commission", "Rate Plan")] == [4] * 5
    assert group("Promise") == 5 and group("Promise", due=False) == 5
    assert group("Operator") == 6
    assert group("Transaction") == 7
    assert group("Metro") == 8
    assert [group(t) for t in ("Other", "Phone", "Review", "Email", "Client", "ODBC", "Letter",
                               "Text")] == [9] * 8
    assert [group(t, due=False) for t in ("Status", "Note", "Operator", "Plan",
                                          "Transaction")] == [9] * 5
    assert group("Close") == 10


def test_note_carries_status_from_before_and_operator_from_after(session: Session) -> None:
    add_plan(session, "ORD", [
        {"type": "Phone", "description": "call", "priority": 40},
        {"type": "Operator", "assign": Assign.SPECIFIC_OPERATOR, "operator_id": "JC"},
        {"type": "Status", "description": "ACT"},
        {"type": "Note", "description": "Reassigned"},
    ])
    debtor = new_debtor(session, status="NEW", operator_id="OWN")
    mine = add_contact(session, debtor, type="Review", description="mine")
    done = add_contact(session, debtor, type="Review", description="done", done=True)
    theirs = add_contact(session, debtor, type="Review", description="theirs", operator_id="AB")
    result = run(session, debtor, "ORD")
    session.commit()
    [note] = notes(session, debtor)
    assert (note.status, note.operator_id, note.text) == ("NEW", "JC", "Reassigned")
    assert (debtor.status, debtor.operator_id) == ("ACT", "JC")
    assert result.executed == ["Note", "Status ACT", "Operator JC"]
    assert {c.description: c.operator_id for c in contacts(session, debtor, done=None)} == {
        "mine": "JC", "done": "OWN", "theirs": "AB", "call": "JC"}
    assert result.moved == 1
    assert done.done


def test_called_plan_runs_in_place_before_the_rest(session: Session) -> None:
    add_plan(session, "SUB", [{"type": "Status", "description": "SKP"},
                              {"type": "Note", "description": "from sub"}])
    add_plan(session, "MAIN", [{"type": "Status", "description": "ACT"},
                               {"type": "Note", "description": "from main"},
                               {"type": "Plan", "description": "SUB"}])
    debtor = new_debtor(session, status="NEW")
    result = run(session, debtor, "MAIN")
    assert [(n.text, n.status) for n in notes(session, debtor)] == [
        ("from sub", "NEW"),   # the sub-plan ran first (group 1)
        ("from main", "SKP"),  # status changed by the called plan shows in the caller's note
    ]
    assert debtor.status == "ACT"
    assert [s.plan for s in result.subplans] == ["SUB"]


def test_a_plan_does_not_run_inside_itself(session: Session) -> None:
    add_plan(session, "LOOP", [{"type": "Plan", "description": "LOOP"},
                               {"type": "Note", "description": "once"}])
    debtor = new_debtor(session)
    result = run(session, debtor, "LOOP")
    assert [n.text for n in notes(session, debtor)] == ["once"]
    assert result.subplans[0].cancelled


def test_status_code_run_plan(session: Session) -> None:
    add_plan(session, "PAID", [{"type": "Status", "description": "PIF"}])
    debtor = new_debtor(session, status="ACT")
    result = run(session, debtor, "PAID")
    assert debtor.status == "PIF"
    assert debtor.mode == "C"  # PIF's run plan is CLO
    assert [s.plan for s in result.subplans] == ["CLO"]
    assert [n.text for n in notes(session, debtor)] == ["File closed"]


# ------------------------------------------------------------------------------------------
# What each contact type does
# ------------------------------------------------------------------------------------------


def test_field_actions(session: Session) -> None:
    add_plan(session, "ACTS", [
        {"type": "Activate"},
        {"type": "Sales", "assign": Assign.SPECIFIC_OPERATOR, "operator_id": "AB"},
        {"type": "Commission", "description": "45"},
        {"type": "Rate Plan", "description": "PTD"},
        {"type": "Edit", "description": "de.u1=Sent to legal"},
        {"type": "Edit", "attachment": "de.li=2024-01-15"},
        {"type": "Edit", "description": "dd.d1=From plan"},
        {"type": "Email", "description": "Statement", "priority": 5},
        {"type": "Text", "description": "Reminder"},
        {"type": "Client", "description": "Ask for documents"},
        {"type": "Other", "description": "Misc"},
        {"type": "Promise", "description": "Pay 50", "amount": Decimal("50.00"),
         "repeat_days": 14, "use_delay_days": True, "delay_days": 3},
    ])
    debtor = new_debtor(session, mode="C")
    result = run(session, debtor, "ACTS")
    session.commit()
    assert (debtor.mode, debtor.sales_id, debtor.commission_rate, debtor.rate_plan,
            debtor.user1, debtor.listed_date, debtor.detail.detail1) == \
        ("A", "AB", Decimal("45.000"), "PTD", "Sent to legal", D(2024, 1, 15), "From plan")
    by_type = {c.type: c for c in contacts(session, debtor)}
    assert set(by_type) == {"Email", "Text", "Client", "Other", "Promise"}
    assert by_type["Client"].client_id == 1
    promise = by_type["Promise"]
    assert (promise.amount, promise.repeat_days, promise.due_date) == \
        (Decimal("50.00"), 14, D(2024, 3, 7))
    assert result.errors == []


def test_bad_action_values_are_reported_and_the_plan_goes_on(session: Session) -> None:
    add_plan(session, "BAD", [{"type": "Commission", "description": "lots"},
                              {"type": "Edit", "description": "de.zz=1"},
                              {"type": "Status"},
                              {"type": "Review", "description": "still scheduled"}])
    debtor = new_debtor(session)
    result = run(session, debtor, "BAD")
    assert len(result.errors) == 3
    assert [c.description for c in contacts(session, debtor)] == ["still scheduled"]


def test_odbc_not_configured_is_reported(session: Session) -> None:
    add_plan(session, "ODB", [{"type": "ODBC", "attachment": "odbcsync"}])
    result = run(session, new_debtor(session), "ODB")
    assert result.errors == ["event 1 (ODBC): ODBC Sync not configured"]


def test_odbc_hook_runs_immediately(session: Session, monkeypatch: Any) -> None:
    calls: list[tuple[int, str, str]] = []
    monkeypatch.setattr(contact_types, "ODBC_EXECUTOR",
                        lambda s, target, pair, op: calls.append((target.id, pair, op)))
    add_plan(session, "ODB", [{"type": "ODBC", "attachment": "dialer",
                               "schedule_if_field": "de.st", "schedule_if_op": "=",
                               "schedule_if_from": "NY"}])
    ny, ca = new_debtor(session, state="NY"), new_debtor(session, state="CA")
    run(session, ny, "ODB")
    run(session, ca, "ODB")
    assert calls == [(ny.id, "dialer", "OWN")]
    assert contacts(session, ny) == []


def test_transaction_event_posts_through_the_financial_engine(session: Session,
                                                              monkeypatch: Any) -> None:
    posted: list[dict[str, Any]] = []
    fake = types.ModuleType("collectdesk.engine.posting")

    def post_transaction(session: Session, debtor: Debtor, type_code: str, **kw: Any) -> str:
        posted.append({"debtor": debtor.id, "type": type_code, **kw})
        return "tx"

    fake.post_transaction = post_transaction  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "collectdesk.engine.posting", fake)
    monkeypatch.setattr(engine_pkg, "posting", fake, raising=False)
    add_plan(session, "FEE", [
        {"type": "Transaction", "transaction_type": "301", "amount": Decimal("-25.00"),
         "description": "NSF fee"},
        {"type": "Transaction", "transaction_type": "302", "use_delay_days": True,
         "delay_days": 7}])
    debtor = new_debtor(session)
    result = run(session, debtor, "FEE")
    assert posted == [{"debtor": debtor.id, "type": "301", "to_us": Decimal("-25.00"),
                       "payment_date": TODAY, "posted_date": TODAY, "operator": "OWN",
                       "description": "NSF fee"}]
    assert result.transactions == ["tx"]
    [later] = contacts(session, debtor)  # the delayed one waits, keeping its type code
    assert (later.type, later.attachment, later.due_date) == ("Transaction", "302", D(2024, 3, 11))


def test_prompted_transactions_post_in_group_one(session: Session, monkeypatch: Any) -> None:
    order: list[tuple[str, Decimal, int]] = []
    fake = types.ModuleType("collectdesk.engine.posting")

    def post_transaction(session: Session, debtor: Debtor, type_code: str, **kw: Any) -> str:
        session.flush()
        order.append((type_code, kw["to_us"], len(notes(session, debtor))))
        return type_code

    fake.post_transaction = post_transaction  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "collectdesk.engine.posting", fake)
    monkeypatch.setattr(engine_pkg, "posting", fake, raising=False)
    add_plan(session, "TXO", [
        {"type": "Transaction", "transaction_type": "302", "amount": Decimal("-5")},
        {"type": "Note", "description": "noted"},
        {"type": "Transaction", "transaction_type": "301", "prompt_to_confirm": True,
         "amount": Decimal("-10")},
    ])

    def confirm(contact: Contact) -> bool:
        contact.amount = Decimal("-12.00")
        return True

    debtor = new_debtor(session)
    run(session, debtor, "TXO", callbacks=PlanCallbacks(confirm_contact=confirm))
    # the prompted one (group 1) before the note (group 3), the other after it (group 7)
    assert order == [("301", Decimal("-12.00"), 0), ("302", Decimal("-5"), 1)]


def test_transaction_event_with_the_financial_engine(session: Session) -> None:
    pytest.importorskip("collectdesk.engine.posting")
    add_plan(session, "FEE", [{"type": "Transaction", "transaction_type": "301",
                               "amount": Decimal("-25.00"), "description": "NSF fee"}])
    debtor = new_debtor(session)
    result = run(session, debtor, "FEE")
    assert result.errors == [] and len(result.transactions) == 1
    assert debtor.owing == Decimal("25.00")


def test_set_based_refusals(session: Session) -> None:
    from collectdesk.engine.batch import set_based_refusal
    from collectdesk.engine.contact_plans import RunContext

    ctx = RunContext(session, operator="OWN", now=NOW)
    add_plan(session, "PIFP", [{"type": "Status", "description": "PIF"}])
    add_plan(session, "OPR", [{"type": "Edit", "description": "de.op=JC"}])
    add_plan(session, "REVX", [{"type": "Review", "prompt_to_confirm": True}])
    add_plan(session, "CLX", [{"type": "Review", "schedule_if_field": "cl.na",
                               "schedule_if_from": "x"}])
    none = PlanCallbacks()
    assert set_based_refusal(ctx, ctx.plan("PIFP"), none) == "status PIF runs a plan"
    assert set_based_refusal(ctx, ctx.plan("OPR"), none) == ""
    assert set_based_refusal(ctx, ctx.plan("REVX"), none) == ""
    assert set_based_refusal(ctx, ctx.plan("REVX"), PlanCallbacks(
        confirm_contact=lambda c: True)) == "events prompt to confirm details"
    assert set_based_refusal(ctx, ctx.plan("CLX"), none) == \
        "Schedule If on cl.na reads another record"
    system = session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))
    system.operator_change_plan = "REV"
    ctx = RunContext(session, operator="OWN", now=NOW)
    assert set_based_refusal(ctx, ctx.plan("OPR"), none) == "a plan runs on operator change"


def test_print_now_letter(session: Session) -> None:
    add_plan(session, "PN", [{"type": "Letter", "description": "Demand", "print_now": True}])
    debtor = new_debtor(session)
    printed: list[str] = []
    run(session, debtor, "PN", callbacks=PlanCallbacks(
        print_letter=lambda c: printed.append(c.description) or True))
    [letter] = contacts(session, debtor, done=None)
    assert printed == ["Demand"] and letter.done
    # without a printer the letter stays queued for the letter batch
    other = new_debtor(session)
    run(session, other, "PN")
    assert not contacts(session, other)[0].done


def test_plan_on_a_client(session: Session) -> None:
    client = session.get(Client, 1)
    add_plan(session, "CLI", [{"type": "Review", "description": "Call the client"},
                              {"type": "Note", "description": "Client reviewed"},
                              {"type": "Status", "description": "ACT"},
                              {"type": "Close"}])
    result = run(session, client, "CLI")
    session.commit()
    [review] = session.scalars(select(Contact).where(Contact.client_id == 1)).all()
    assert (review.debtor_id, review.operator_id, review.description) == \
        (None, "OWN", "Call the client")
    [note] = session.scalars(select(Note).where(Note.client_id == 1)).all()
    assert note.text == "Client reviewed"
    assert client.status == "ACT"
    assert result.errors == ["event 4 (Close): Close events do not apply to a client"]


# ------------------------------------------------------------------------------------------
# Schedule If
# ------------------------------------------------------------------------------------------


def _if_plan(session: Session, code: str, field_code: str, op: str, value: str,
             to: str = "") -> None:
    add_plan(session, code, [{"type": "Review", "description": code,
                              "schedule_if_field": field_code, "schedule_if_op": op,
                              "schedule_if_from": value, "schedule_if_to": to}])


def _scheduled(session: Session, code: str, debtors: list[Debtor]) -> list[bool]:
    out = []
    for debtor in debtors:
        run(session, debtor, code)
        out.append(any(c.description == code for c in contacts(session, debtor)))
    return out


def test_schedule_if_money_range_and_not_equal(session: Session) -> None:
    owing = ["99.99", "100.00", "250.50", "500.00", "500.01"]
    debtors = [new_debtor(session, owing=Decimal(v)) for v in owing]
    _if_plan(session, "RNG", "de.ow", "=", "100", "$500.00")
    _if_plan(session, "OUT", "de.ow", "<>", "100", "500")
    _if_plan(session, "BIG", "@de.ow", ">=", "$250.50")
    _if_plan(session, "LT", "de.ow", "<", "100")
    assert _scheduled(session, "RNG", debtors) == [False, True, True, True, False]
    assert _scheduled(session, "OUT", debtors) == [True, False, False, False, True]
    assert _scheduled(session, "BIG", debtors) == [False, False, True, True, True]
    assert _scheduled(session, "LT", debtors) == [True, False, False, False, False]


def test_schedule_if_text_picklist_date_and_check(session: Session) -> None:
    debtors = [new_debtor(session, state=s, listed_date=d, address_ok=ok) for s, d, ok in
               [("NY", D(2023, 6, 1), True), ("nj", D(2024, 2, 1), False), ("", None, False)]]
    _if_plan(session, "NE", "de.st", "<>", "NY")
    _if_plan(session, "NYT", "de.st", "=", "New York")  # the pick list's text
    _if_plan(session, "TWO", "de.st", "=", "NY, NJ")
    _if_plan(session, "OLD", "de.li", "<", "2024-01-01")
    _if_plan(session, "OK", "de.aok", "=", "Y")
    _if_plan(session, "BLANK", "de.st", "=", "")
    assert _scheduled(session, "NE", debtors) == [False, True, True]
    assert _scheduled(session, "NYT", debtors) == [True, False, False]
    assert _scheduled(session, "TWO", debtors) == [True, True, False]
    assert _scheduled(session, "OLD", debtors) == [True, False, False]
    assert _scheduled(session, "OK", debtors) == [True, False, False]
    assert _scheduled(session, "BLANK", debtors) == [False, False, True]


def test_schedule_if_on_a_client_field(session: Session) -> None:
    _if_plan(session, "CL", "cl.na", "=", "acme credit")
    assert _scheduled(session, "CL", [new_debtor(session)]) == [True]


def test_schedule_if_errors_are_reported(session: Session) -> None:
    _if_plan(session, "UNK", "de.nope", "=", "1")
    _if_plan(session, "OP", "de.st", "~", "1")
    _if_plan(session, "VAL", "de.ow", ">", "lots")
    debtor = new_debtor(session)
    for code, words in (("UNK", "unknown printable field code"), ("OP", "unknown comparison"),
                        ("VAL", "not a valid money")):
        result = run(session, debtor, code)
        assert words in result.not_scheduled[0][1]
        assert contacts(session, debtor) == []


def test_reassign_new_york_accounts_to_jc_in_a_batch(session: Session) -> None:
    """The seed's example: Operator event, assign to specific operator JC, if de.st = NY."""
    add_plan(session, "NYJC", [{"type": "Operator", "description": "New York desk",
                                "assign": Assign.SPECIFIC_OPERATOR, "operator_id": "JC",
                                "schedule_if_field": "de.st", "schedule_if_op": "=",
                                "schedule_if_from": "NY"}])
    states = ["NY", "NJ", "ny", "CA", "", "NY"]
    for per_account in (False, True):
        debtors = [new_debtor(session, state=s, operator_id="OWN") for s in states]
        for d in debtors:
            add_contact(session, d, type="Phone", description="mine")
            add_contact(session, d, type="Phone", description="done", done=True)
            add_contact(session, d, type="Review", description="theirs", operator_id="AB")
        session.commit()
        summary = run_plan_batch(session, [d.id for d in debtors], "NYJC", operator="MGR",
                                 now=NOW, per_account=per_account)
        assert summary.method == ("per account" if per_account else "set-based")
        assert summary.processed == 6 and summary.contacts_moved == 3
        assert summary.not_scheduled == {"Schedule If de.st = ny is false": 3}
        session.expire_all()
        assert [session.get(Debtor, d.id).operator_id for d in debtors] == \
            ["JC", "OWN", "JC", "OWN", "OWN", "JC"]
        for d in debtors:
            owners = {c.description: c.operator_id for c in contacts(session, d, done=None)}
            moved = "JC" if d.state.upper() == "NY" else "OWN"
            assert owners == {"mine": moved, "done": "OWN", "theirs": "AB"}
            assert session.get(Debtor, d.id).version == (2 if moved == "JC" else 1)


# ------------------------------------------------------------------------------------------
# Triggers
# ------------------------------------------------------------------------------------------


def test_run_action_clears_the_action_field(session: Session) -> None:
    debtor = new_debtor(session, run_plan="REV")
    run_action(session, debtor, "REV", "OWN", now=NOW)
    assert debtor.run_plan == ""
    assert [c.type for c in contacts(session, debtor)] == ["Review"]


def test_new_account_runs_the_client_new_account_plan(session: Session) -> None:
    session.add(ClientSettings(client_id=1, new_account_plan="NEW"))
    debtor = Debtor(client_id=1, name="New, Account", operator_id="OWN")
    session.add(debtor)
    result = on_new_account(session, debtor, "OWN", now=NOW)
    assert result is not None and result.plan == "NEW"
    assert debtor.status == "NEW" and len(contacts(session, debtor)) == 4
    # the Action field typed on the account wins over the client's plan
    typed = Debtor(client_id=1, name="Typed, Plan", operator_id="OWN", run_plan="REV")
    session.add(typed)
    assert on_new_account(session, typed, "OWN", now=NOW).plan == "REV"
    assert typed.run_plan == ""


def test_new_account_without_a_plan(session: Session) -> None:
    debtor = new_debtor(session)
    assert on_new_account(session, debtor, "OWN", now=NOW) is None


def test_status_change_runs_the_status_plan(session: Session) -> None:
    debtor = new_debtor(session, status="ACT")
    debtor.status = "PIF"
    result = on_status_change(session, debtor, "ACT", "PIF", "OWN", now=NOW)
    assert result is not None and result.plan == "CLO" and debtor.mode == "C"
    assert on_status_change(session, debtor, "PIF", "PIF", "OWN", now=NOW) is None


def test_change_operator_moves_only_the_previous_operators_in_progress_contacts(
        session: Session) -> None:
    debtor = new_debtor(session, operator_id="OWN")
    mine = add_contact(session, debtor, type="Phone", operator_id="OWN")
    letter = add_contact(session, debtor, type="Letter", operator_id="OWN")
    done = add_contact(session, debtor, type="Phone", operator_id="OWN", done=True)
    theirs = add_contact(session, debtor, type="Review", operator_id="AB")
    other_account = add_contact(session, new_debtor(session), type="Phone", operator_id="OWN")
    change = change_operator(session, debtor, "JC", "MGR", now=NOW)
    assert (change.old, change.new, change.moved, change.plan) == ("OWN", "JC", 2, None)
    assert [c.operator_id for c in (mine, letter, done, theirs, other_account)] == \
        ["JC", "JC", "OWN", "AB", "OWN"]


def test_operator_and_phone_change_plans(session: Session) -> None:
    system = session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))
    system.operator_change_plan = "REV"
    system.phone_change_plan = "C0"
    debtor = new_debtor(session, operator_id="OWN")
    change = change_operator(session, debtor, "JC", "MGR", now=NOW)
    assert change.plan is not None and change.plan.plan == "REV"
    [review] = contacts(session, debtor)
    assert review.operator_id == "JC"
    result = on_phone_change(session, debtor, "JC", now=NOW)
    assert result is not None and result.plan == "C0"


def _rev_priority(session: Session, value: int) -> PlanEvent:
    event = session.scalars(select(PlanEvent).join(ContactPlan)
                            .where(ContactPlan.code == "REV")).one()
    event.priority = value
    return event


def test_plan_cache(session: Session, engine: Any) -> None:
    system = session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))
    system.cache_contact_plans = True
    session.commit()
    debtor = new_debtor(session)

    def priority(s: Session = session) -> int:
        scheduled = run(s, s.get(Debtor, debtor.id), "REV").contacts[0].priority
        s.commit()
        return scheduled

    assert priority() == 30
    # Another program changes the plan: this one keeps its cached copy until sign-off.
    session.execute(PlanEvent.__table__.update().values(priority=55))
    session.commit()
    assert priority() == 30  # cached: not seen yet
    forget_cached_plans(engine)  # signing out and back in
    assert priority() == 55
    # Saving a plan here (committed) clears the cache: the edit takes effect at once ...
    _rev_priority(session, 77)
    session.commit()
    assert priority() == 77
    # ... whichever session saved it; an edit rolled back clears nothing.
    session.execute(PlanEvent.__table__.update().values(priority=44))
    session.commit()
    with session_factory(engine)() as other:
        _rev_priority(other, 66)
        other.flush()
        other.rollback()
        assert priority(other) == 77
        _rev_priority(other, 88)
        other.commit()
    assert priority() == 88
    system.cache_contact_plans = False
    _rev_priority(session, 78)
    session.commit()
    assert priority() == 78


def test_signing_off_forgets_the_cached_plans(session: Session, engine: Any) -> None:
    from collectdesk.ui.context import AppContext

    system = session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))
    system.cache_contact_plans = True
    session.commit()
    debtor = new_debtor(session)
    assert run(session, debtor, "REV").contacts[0].priority == 30
    session.execute(PlanEvent.__table__.update().values(priority=55))  # another workstation
    session.commit()
    assert run(session, debtor, "REV").contacts[0].priority == 30
    ctx = AppContext(str(engine.url), engine)
    ctx.operator = session.get(Operator, "OWN")
    ctx.sign_off()
    assert ctx.operator is None
    assert run(session, debtor, "REV").contacts[0].priority == 55


# ------------------------------------------------------------------------------------------
# Batches
# ------------------------------------------------------------------------------------------


def _tag(session: Session, operator: str, debtors: list[Debtor]) -> None:
    session.add_all(Tag(operator_id=operator, debtor_id=d.id) for d in debtors)
    session.commit()


def test_new_plan_on_the_tagged_list(session: Session) -> None:
    debtors = [new_debtor(session, name=f"Debtor {i}") for i in range(25)]
    add_contact(session, debtors[0], type="Phone")
    add_contact(session, debtors[0], type="Metro")
    _tag(session, "OWN", debtors)
    ids = tagged_debtor_ids(session, "OWN") + [999999]
    seen: list[tuple[int, int]] = []
    summary = run_plan_batch(session, ids, "NEW", operator="OWN", now=NOW, chunk_size=10,
                             progress=lambda done, total: seen.append((done, total)))
    assert summary.method == "set-based"
    assert (summary.accounts, summary.processed, summary.contacts_created, summary.deleted) == \
        (26, 25, 100, 1)
    assert summary.skipped == {"no such account": 1}
    assert summary.skipped_ids == {"no such account": [999999]}
    assert summary.actions_executed == 25 and summary.fields_changed == 25
    assert seen[-1] == (26, 26)
    session.expire_all()
    for debtor in debtors:
        got = sorted(shape(c) for c in contacts(session, debtor) if c.type != "Metro")
        assert got == sorted([
            ("Letter", TODAY, None, 10, "OWN", "Letter 1"),
            ("Phone", D(2024, 3, 14), None, 30, "OWN", "Home"),
            ("Letter", D(2024, 4, 3), None, 20, "OWN", "Letter 2"),
            ("Letter", D(2024, 5, 3), None, 30, "OWN", "Letter 3")])
        assert session.get(Debtor, debtor.id).status == "NEW"
    data = summary.as_dict()
    assert data["skipped"] == 1 and json.dumps(data, default=str)


def test_set_based_and_per_account_give_the_same_result(session: Session) -> None:
    add_plan(session, "MIX", [
        {"type": "Note", "description": "Batch note"},
        {"type": "Status", "description": "SKP", "schedule_if_field": "de.ow",
         "schedule_if_op": ">", "schedule_if_from": "100"},
        {"type": "Operator", "assign": Assign.SPECIFIC_OPERATOR, "operator_id": "JC",
         "schedule_if_field": "de.st", "schedule_if_op": "=", "schedule_if_from": "NY"},
        {"type": "Review", "description": "Look", "priority": 20, "use_delay_days": True,
         "delay_days": 4},
        {"type": "Sales", "description": "AB"},
        {"type": "Edit", "description": "de.u2=batch"},
        {"type": "Status", "description": "ACT", "use_delay_days": True, "delay_days": 2},
        {"type": "Phone", "delete_same_type": True, "description": "Home"},
    ], delete_all_pending=False)
    rows = [("NY", "50"), ("NJ", "150"), ("NY", "150"), ("CA", "0")]

    def make() -> list[Debtor]:
        made = [new_debtor(session, state=s, owing=Decimal(o), status="NEW") for s, o in rows]
        for d in made:
            add_contact(session, d, type="Phone", description="old")
            add_contact(session, d, type="Phone", description="due", due_date=TODAY)
        session.commit()
        return made

    fast, slow = make(), make()
    s1 = run_plan_batch(session, [d.id for d in fast], "MIX", operator="MGR", now=NOW)
    s2 = run_plan_batch(session, [d.id for d in slow], "MIX", operator="MGR", now=NOW,
                        per_account=True)
    assert (s1.method, s2.method) == ("set-based", "per account")
    for key in ("processed", "contacts_created", "notes_written", "deleted", "marked_completed",
                "contacts_moved", "actions_executed"):
        assert getattr(s1, key) == getattr(s2, key), key
    session.expire_all()

    def picture(d: Debtor) -> Any:
        row = session.get(Debtor, d.id)
        return ((row.status, row.operator_id, row.sales_id, row.user2),
                sorted((c.type, c.done, c.due_date, c.due_time, c.priority, c.operator_id,
                        c.description, c.attachment) for c in contacts(session, d, done=None)),
                [(n.status, n.operator_id, n.text, n.noted_at) for n in notes(session, d)])

    for a, b in zip(fast, slow, strict=True):
        assert picture(a) == picture(b)
    assert picture(fast[2])[0] == ("SKP", "JC", "AB", "batch")


def test_plans_needing_the_account_engine_run_per_account(session: Session) -> None:
    debtors = [new_debtor(session) for _ in range(3)]
    session.commit()
    summary = run_plan_batch(session, [d.id for d in debtors], "CLO", operator="MGR", now=NOW)
    assert summary.method == "per account"
    assert summary.fallback_reason == "Close events need the account engine"
    assert summary.processed == 3 and summary.notes_written == 3
    session.expire_all()
    assert all(session.get(Debtor, d.id).mode == "C" for d in debtors)


def test_batch_cancel_keeps_finished_chunks(session: Session) -> None:
    debtors = [new_debtor(session) for _ in range(30)]
    session.commit()
    stop = threading.Event()
    summary = run_plan_batch(session, [d.id for d in debtors], "NEW", operator="OWN", now=NOW,
                             chunk_size=10, cancel=stop, progress=lambda done, total: stop.set())
    assert summary.cancelled and summary.processed == 10
    session.expire_all()
    assert [session.get(Debtor, d.id).status for d in debtors] == ["NEW"] * 10 + [""] * 20
    # the per-account runner stops between accounts
    calls = iter(range(100))
    summary = run_plan_batch(session, [d.id for d in debtors], "CLO", operator="OWN", now=NOW,
                             cancel=lambda: next(calls) >= 4)
    assert summary.cancelled and summary.processed == 4


def test_batch_asks_for_the_start_date_once(session: Session) -> None:
    add_plan(session, "SD", [{"type": "Review", "use_delay_days": True, "delay_days": 1},
                             {"type": "Plan", "description": "SD2"}],
             prompt_for_start_date=True)
    add_plan(session, "SD2", [{"type": "Phone"}], prompt_for_start_date=True)
    debtors = [new_debtor(session) for _ in range(3)]
    session.commit()
    asked: list[str] = []

    def start(plan: Any) -> dt.date:
        asked.append(plan.code)
        return {"SD": TODAY, "SD2": D(2024, 3, 18)}[plan.code]

    summary = run_plan_batch(session, [d.id for d in debtors], "SD", operator="OWN", now=NOW,
                             callbacks=PlanCallbacks(start_date=start))
    assert asked == ["SD", "SD2"]  # once per plan for the whole batch
    assert summary.start_date == TODAY and summary.processed == 3
    session.expire_all()
    for debtor in debtors:
        assert sorted((c.type, c.due_date) for c in contacts(session, debtor)) == \
            [("Phone", D(2024, 3, 18)), ("Review", D(2024, 3, 5))]


def test_a_batch_asks_the_start_date_once_and_before_deleting_on_each_account(
        session: Session) -> None:
    add_plan(session, "PB", [{"type": "Review", "use_delay_days": True, "delay_days": 2}],
             prompt_for_start_date=True, prompt_before_deleting=True, delete_all_pending=True)
    debtors = [new_debtor(session) for _ in range(3)]
    old = [add_contact(session, d, type="Phone", description=f"old {i}")
           for i, d in enumerate(debtors)]
    session.commit()
    asked: list[str] = []
    listed: list[list[str]] = []

    def start(plan: Any) -> dt.date:
        asked.append(plan.code)
        return D(2024, 3, 11)

    def delete(pending: list[Contact]) -> bool:
        listed.append([c.description for c in pending])
        return pending[0].description != "old 1"  # No on the second account

    summary = run_plan_batch(session, [d.id for d in debtors], "PB", operator="OWN", now=NOW,
                             callbacks=PlanCallbacks(start_date=start, confirm_delete=delete))
    assert asked == ["PB"]  # once for the whole batch
    assert listed == [["old 0"], ["old 1"], ["old 2"]]  # each account's own pending list
    assert summary.method == "per account"
    assert (summary.processed, summary.skipped) == \
        (2, {"cancelled at the prompt before deleting": 1})
    session.expire_all()
    assert [[shape(c)[:2] for c in contacts(session, d)] for d in debtors] == [
        [("Review", D(2024, 3, 13))], [("Phone", TODAY + dt.timedelta(days=5))],
        [("Review", D(2024, 3, 13))]]
    assert session.get(Contact, old[1].id) is not None  # refused: untouched


def test_batch_unknown_plan(session: Session) -> None:
    with pytest.raises(UnknownPlan):
        run_plan_batch(session, [1], "NOPE", operator="OWN")


# ------------------------------------------------------------------------------------------
# Process automatic contacts previously scheduled
# ------------------------------------------------------------------------------------------


def test_process_automatic_contacts(session: Session) -> None:
    later = {"use_delay_days": True, "delay_days": 2}
    add_plan(session, "LATER", [
        {"type": "Letter", "description": "Letter 2", **later},
        {"type": "Phone", "description": "Home", **later},
        {"type": "Status", "description": "SKP", **later},
        {"type": "Note", "description": "Two days on", **later},
        {"type": "Operator", "assign": Assign.SPECIFIC_OPERATOR, "operator_id": "JC", **later},
        {"type": "Close", **later},
        {"type": "Commission", "description": "30", "use_delay_days": True, "delay_days": 9},
    ])
    debtor = new_debtor(session, status="NEW", operator_id="OWN")
    run(session, debtor, "LATER")
    session.commit()
    assert debtor.status == "NEW"
    assert len(contacts(session, debtor)) == 7
    summary = process_automatic_contacts(session, D(2024, 3, 6), operator="SYS",
                                         now=dt.datetime(2024, 3, 6, 7, 0))
    session.expire_all()
    debtor = session.get(Debtor, debtor.id)
    assert dict(summary.executed) == {"Status": 1, "Note": 1, "Operator": 1, "Close": 1}
    assert (debtor.status, debtor.operator_id, debtor.mode) == ("SKP", "JC", "C")
    [note] = notes(session, debtor)
    assert (note.text, note.status, note.operator_id) == ("Two days on", "NEW", "OWN")
    waiting = {c.type: c for c in contacts(session, debtor)}
    assert set(waiting) == {"Letter", "Phone", "Commission"}  # letters stay queued
    assert waiting["Phone"].operator_id == "JC"  # moved with the account
    assert summary.failed == []


def test_process_automatic_contacts_reports_failures(session: Session) -> None:
    debtor = new_debtor(session)
    failing = add_contact(session, debtor, type="ODBC", attachment="odbcsync", due_date=TODAY)
    session.commit()
    summary = process_automatic_contacts(session, TODAY, operator="SYS", now=NOW)
    assert summary.failed[0]["reason"] == "ODBC Sync not configured"
    session.expire_all()
    assert not session.get(Contact, failing.id).done


# ------------------------------------------------------------------------------------------
# Plan files
# ------------------------------------------------------------------------------------------


def test_export_import_round_trip(session: Session, tmp_path: Any) -> None:
    add_plan(session, "RT", [
        {"type": "Operator", "assign": Assign.SPECIFIC_OPERATOR, "operator_id": "JC",
         "schedule_if_field": "de.st", "schedule_if_op": "=", "schedule_if_from": "NY"},
        {"type": "Review", "description": "Évaluer", "use_day_of_month": True,
         "day_of_month": 31, "timeless": True, "time_of_day": dt.time(18, 0)},
        {"type": "Transaction", "transaction_type": "301", "amount": Decimal("-12.50")},
    ], description="Round trip", prompt_for_start_date=True)
    session.commit()
    text = export_plans(session)
    other = make_engine(str(tmp_path / "other.db"))
    Base.metadata.create_all(other)
    with session_factory(other)() as fresh:
        result = import_plans(fresh, text)
        fresh.commit()
        assert "RT" in result.added and "NEW" in result.added
        assert export_plans(fresh) == text
        # importing again replaces
        again = import_plans(fresh, export_plans(session, ["RT"]))
        fresh.commit()
        assert again.replaced == ["RT"]
        assert export_plans(fresh) == text
        assert import_plans(fresh, text, replace=False).skipped
    other.dispose()
    data = json.loads(text)
    rt = next(p for p in data["plans"] if p["code"] == "RT")
    assert rt["events"][1]["time_of_day"] == "18:00:00"
    assert rt["events"][2]["amount"] == "-12.50"


@pytest.mark.parametrize("text, words", [
    ("not json", "not a plan file"),
    ('{"format": "other"}', "format"),
    ('{"format": "collectdesk.contact-plans", "version": 1, "plans": [{"code": "X", '
     '"colour": 1}]}', "unknown field colour"),
    ('{"format": "collectdesk.contact-plans", "version": 1, "plans": [{"code": "X", '
     '"events": [{"type": "Review", "priority": "high"}]}]}', "priority must be"),
])
def test_bad_plan_files_import_nothing(session: Session, text: str, words: str) -> None:
    before = session.scalar(select(ContactPlan.id).where(ContactPlan.code == "X"))
    with pytest.raises(PlanFileError, match=words):
        import_plans(session, text)
    assert before is None and session.scalar(
        select(ContactPlan.id).where(ContactPlan.code == "X")) is None


# ------------------------------------------------------------------------------------------
# Headless commands
# ------------------------------------------------------------------------------------------


def _cli(argv: list[str], capsys: Any) -> tuple[int, str, str]:
    from collectdesk.commands import run as run_command

    code = run_command(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_run_command(engine: Any, session: Session, capsys: Any) -> None:
    debtor = new_debtor(session)
    tagged = [new_debtor(session) for _ in range(3)]
    _tag(session, "OWN", tagged)
    db = str(engine.url.database)
    code, out, _ = _cli(["plan", "run", "NEW", "--debtor", str(debtor.id), "--db", db,
                         "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["plan"] == "NEW" and len(data["contacts"]) == 4
    code, out, _ = _cli(["plan", "run", "REV", "--tagged", "--operator", "OWN", "--db", db,
                         "--json"], capsys)
    assert code == 0 and json.loads(out)["processed"] == 3
    code, out, _ = _cli(["plan", "run", "REV", "--client", "1", "--db", db, "--json"], capsys)
    assert code == 0 and json.loads(out)["processed"] == 4
    code, _, err = _cli(["plan", "run", "NOPE", "--debtor", str(debtor.id), "--db", db], capsys)
    assert code == 1 and "unknown contact plan 'NOPE'" in err
    code, _, err = _cli(["plan", "run", "NEW", "--debtor", "424242", "--db", db], capsys)
    assert code == 1 and "no account with file number 424242" in err


def test_plan_run_tagged_without_an_operator_uses_the_sys_tags(engine: Any, session: Session,
                                                               capsys: Any) -> None:
    mine = [new_debtor(session) for _ in range(3)]
    sys_tags = [new_debtor(session) for _ in range(2)]
    _tag(session, "OWN", mine)
    _tag(session, "SYS", sys_tags)
    db = str(engine.url.database)
    code, out, _ = _cli(["plan", "run", "REV", "--tagged", "--db", db, "--json"], capsys)
    assert code == 0 and json.loads(out)["processed"] == 2
    session.expire_all()
    assert [len(contacts(session, d)) for d in sys_tags + mine] == [1, 1, 0, 0, 0]
    code, _, err = _cli(["plan", "run", "REV", "--tagged", "--operator", "NOBODY", "--db", db],
                        capsys)
    assert code == 1 and "no operator 'NOBODY'" in err
    with pytest.raises(SystemExit):
        _cli(["plan", "run", "--help"], capsys)
    assert "without --operator: SYS's tags" in " ".join(capsys.readouterr().out.split())


def test_plan_export_import_commands(engine: Any, tmp_path: Any, capsys: Any) -> None:
    db = str(engine.url.database)
    path = tmp_path / "plans.json"
    assert _cli(["plan", "export", "NEW", "CLO", "--file", str(path), "--db", db], capsys)[0] == 0
    code, out, _ = _cli(["plan", "import", str(path), "--db", db, "--json"], capsys)
    assert code == 0 and json.loads(out)["replaced"] == ["CLO", "NEW"]


def test_contacts_process_command(engine: Any, session: Session, capsys: Any) -> None:
    debtor = new_debtor(session, status="NEW")
    add_contact(session, debtor, type="Status", description="ACT", due_date=TODAY)
    add_contact(session, debtor, type="Letter", due_date=TODAY)
    session.commit()
    code, out, _ = _cli(["contacts", "process", "--date", TODAY.isoformat(), "--db",
                         str(engine.url.database), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["executed"] == {"Status": 1}
    session.expire_all()
    assert session.get(Debtor, debtor.id).status == "ACT"
    code, _, err = _cli(["contacts", "process", "--date", "tomorrow", "--db",
                         str(engine.url.database)], capsys)
    assert code == 1 and "malformed date" in err
