"""The set-based batch gives the same accounts as running the plan account by account.

Seed 003, "How Collect! Executes Contact Plans Internally": the deletion rules (delete all
pending, same type, same description; Metro kept; repeating promises and active WIP contacts
marked Completed), the ten processing groups, Schedule If — whether a plan runs on one account
or on a tagged list.  Each plan runs set-based on one copy of a mixed set of accounts and with
:func:`run_plan` on an identical copy; contacts, notes and account fields must match.  On a real
SQLite file and on PostgreSQL.  "Now" is Monday 4 March 2024, 09:00.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from collectdesk.db import make_engine, session_factory
from collectdesk.engine.batch import run_plan_batch
from collectdesk.engine.contact_plans import forget_cached_plans, run_plan
from collectdesk.models import (
    Assign,
    Client,
    Contact,
    ContactPlan,
    Debtor,
    Note,
    Operator,
    PlanEvent,
)
from collectdesk.schema import create_database

NOW = dt.datetime(2024, 3, 4, 9, 0)
TODAY = NOW.date()
DAY = dt.timedelta(days=1)


# ------------------------------------------------------------------------------------------
# Databases
# ------------------------------------------------------------------------------------------


def _prepare(url: str) -> None:
    create_database(url, demo=False)
    engine = make_engine(url)
    with session_factory(engine)() as s:
        for op in ("JC", "AB"):
            if s.get(Operator, op) is None:
                s.add(Operator(id=op, name=op))
        s.add_all([Client(id=1, name="Acme Credit"), Client(id=2, name="Bolt Finance")])
        s.commit()
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'batch.db'}"
    _prepare(url)
    return url


@pytest.fixture
def postgres_url(pg_url: str) -> Iterator[str]:
    """A database of its own on the test server, dropped afterwards."""
    name = f"plans_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        _prepare(url)
        yield url
    finally:
        forget_cached_plans()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            yield s
    finally:
        forget_cached_plans()
        engine.dispose()


# ------------------------------------------------------------------------------------------
# A mixed set of accounts
# ------------------------------------------------------------------------------------------

#: (operator, status, state, owing, client) of each account of one copy.
ACCOUNTS = [
    ("OWN", "", "NY", "50.00", 1),
    ("JC", "NEW", "NJ", "150.00", 1),
    ("AB", "ACT", "NY", "150.00", 2),
    ("OWN", "SKP", "CA", "0.00", 2),
    ("", "", "NY", "900.00", 1),
    ("JC", "ACT", "TX", "20.00", 1),
]


def _existing_contacts(session: Session, debtor: Debtor, kind: int) -> None:
    """Pending contacts of many kinds; ``kind`` varies the mix from account to account."""
    op = debtor.operator_id or "OWN"

    def add(**values: Any) -> None:
        values.setdefault("operator_id", op)
        values.setdefault("due_date", TODAY + 5 * DAY)
        session.add(Contact(debtor_id=debtor.id, **values))

    if kind == 5:
        return  # an account without contacts
    add(type="Letter", description="Letter 2")
    add(type="Phone", description="Home")  # future: deleted
    add(type="Phone", description="Work", due_date=TODAY - DAY)  # active WIP: completed
    add(type="Phone", description="Cell", due_date=TODAY)  # due today: active WIP
    add(type="Promise", description="$50", repeat_days=30)  # repeating: completed
    add(type="Promise", description="$20")  # one-off, future: deleted
    add(type="Metro", description="Metro 2")  # never deleted
    add(type="Metro", description="Metro 2", due_date=TODAY - DAY)
    add(type="Review", description="Check")
    add(type="Review", description=" CHECK ", operator_id="AB")
    add(type="Review", description="Other", due_date=None)  # no date: not in a WIP list
    add(type="Review", description="Straße")  # case-folds to "strasse"
    add(type="Letter", description="Letter 1", done=True,
        completed_at=NOW - 3 * DAY)  # completed: never touched
    if kind % 2:
        add(type="Other", description="Call lawyer", due_date=TODAY - 3 * DAY)
        add(type="Email", description="Statement")
        add(type="Client", description="Ask client", client_id=debtor.client_id)
    if kind % 3 == 0:
        add(type="Status", description="ACT", due_date=TODAY + 2 * DAY)
        add(type="Promise", description="$10", due_date=TODAY - 2 * DAY)  # active: completed
        add(type="Phone", description="Home", operator_id="JC")


def make_accounts(session: Session, copies: int, *, interleave: bool,
                  repeat: int = 1) -> list[list[Debtor]]:
    """``copies`` identical sets of accounts (:data:`ACCOUNTS` ``repeat`` times); interleaved so
    that the file numbers of one set are not contiguous."""
    sets: list[list[Debtor]] = [[] for _ in range(copies)]
    kinds = list(range(len(ACCOUNTS))) * repeat
    order = [(i, c) for i in kinds for c in range(copies)] if interleave else \
        [(i, c) for c in range(copies) for i in kinds]
    for i, copy in order:
        operator, status, state, owing, client = ACCOUNTS[i]
        debtor = Debtor(name=f"Debtor {i}", operator_id=operator, status=status, state=state,
                        owing=Decimal(owing), client_id=client)
        session.add(debtor)
        session.flush()
        _existing_contacts(session, debtor, i)
        sets[copy].append(debtor)
    session.commit()
    return sets


def add_plan(session: Session, code: str, events: list[dict[str, Any]], **plan: Any) -> None:
    row = ContactPlan(code=code, **plan)
    row.events = [PlanEvent(seq=i, **ev) for i, ev in enumerate(events, 1)]
    session.add(row)
    session.commit()


def picture(session: Session, debtor_id: int) -> Any:
    """Everything a plan may change on an account, in file-number order of its rows.

    Not the version counters: the per-account runner flushes in the middle of a plan when the
    operator changes (the debtor row, and a contact it just saved, are written twice), where the
    batch writes each row once."""
    row = session.get(Debtor, debtor_id)
    assert row is not None
    contacts = session.scalars(select(Contact).where(Contact.debtor_id == debtor_id)
                               .order_by(Contact.id))
    notes = session.scalars(select(Note).where(Note.debtor_id == debtor_id).order_by(Note.id))
    return (
        (row.status, row.operator_id, row.sales_id, row.mode, row.user2, row.commission_rate,
         row.rate_plan),
        [(c.type, bool(c.done), c.due_date, c.due_time, c.priority, c.operator_id,
          c.description, c.attachment, c.amount, c.repeat_days, bool(c.print_now), c.plan_code,
          c.client_id, c.created_at, c.completed_at, c.updated_by)
         for c in contacts],
        [(n.status, n.operator_id, n.text, n.noted_at, n.client_id) for n in notes],
    )


def run_both(session: Session, code: str, *, chunk_size: int = 4, interleave: bool = True,
             times: int = 1, start_date: dt.date | None = None, repeat: int = 1) -> list[Any]:
    """Run ``code`` set-based on one copy and account by account on the other; compare."""
    fast, slow = make_accounts(session, 2, interleave=interleave, repeat=repeat)
    summaries = []
    for _ in range(times):
        summary = run_plan_batch(session, [d.id for d in fast], code, operator="MGR", now=NOW,
                                 chunk_size=chunk_size, start_date=start_date)
        assert summary.method == "set-based", summary.fallback_reason
        assert summary.processed == len(fast) and not summary.skipped
        results = []
        for debtor in slow:
            results.append(run_plan(session, debtor, code, operator="MGR", now=NOW,
                                    start_date=start_date))
            session.commit()
        every = [r for result in results for r in result.all_results()]
        assert (summary.contacts_created, summary.notes_written, summary.deleted,
                summary.marked_completed, summary.contacts_moved, summary.actions_executed) == (
            sum(len(r.contacts) for r in every), sum(len(r.notes) for r in every),
            sum(r.deleted for r in every), sum(r.completed for r in every),
            sum(r.moved for r in every), sum(len(r.executed) for r in every))
        summaries.append(summary)
    session.expire_all()
    for a, b in zip(fast, slow, strict=True):
        got, want = picture(session, a.id), picture(session, b.id)
        assert got[0] == want[0], f"account {a.id}"
        assert [c for c in got[1] if c not in want[1]] == \
            [c for c in want[1] if c not in got[1]] == [], f"contacts of account {a.id}"
        assert got == want, f"account {a.id}"
    return summaries


# ------------------------------------------------------------------------------------------
# Plans
# ------------------------------------------------------------------------------------------


def test_new_plan_twice_matches_account_by_account(session: Session) -> None:
    """The benchmark's case: the second run finds the first run's contacts and deletes them."""
    first, second = run_both(session, "NEW", times=2)
    assert first.deleted > 0 and first.marked_completed > 0
    assert second.deleted == 4 * len(ACCOUNTS)  # the four contacts NEW made, nothing else
    assert second.contacts_created == 4 * len(ACCOUNTS)


def test_new_plan_on_contiguous_file_numbers(session: Session) -> None:
    run_both(session, "NEW", interleave=False, chunk_size=5000)


def test_new_plan_on_scattered_file_numbers_in_one_chunk(session: Session) -> None:
    """More gaps in a chunk than it spells as ranges: the file numbers go in one IN list."""
    summary, = run_both(session, "NEW", repeat=3, chunk_size=5000)
    assert summary.processed == 3 * len(ACCOUNTS)


def test_missing_accounts_are_skipped_and_the_rest_processed(session: Session) -> None:
    fast, = make_accounts(session, 1, interleave=False)
    ids = [fast[0].id, 999_999, *[d.id for d in fast[1:]], 1_000_005]
    summary = run_plan_batch(session, ids, "NEW", operator="MGR", now=NOW, chunk_size=3)
    assert summary.processed == len(fast)
    assert summary.skipped_ids == {"no such account": [999_999, 1_000_005]}


def test_new_plan_with_a_start_date(session: Session) -> None:
    run_both(session, "NEW", start_date=TODAY + 7 * DAY, chunk_size=1)


def test_delete_same_type_and_same_description(session: Session) -> None:
    add_plan(session, "DST", [
        {"type": "Phone", "description": "Home", "delete_same_type": True, "priority": 40},
        {"type": "Promise", "delete_same_type": True, "use_delay_days": True, "delay_days": 3},
        {"type": "Review", "description": "check", "delete_same_type": True,
         "same_description_only": True, "use_delay_days": True, "delay_days": 7},
        {"type": "Metro", "delete_same_type": True},
        {"type": "Other", "description": "Call lawyer", "delete_same_type": True,
         "same_description_only": True},
    ])
    summary, = run_both(session, "DST")
    assert summary.deleted and summary.marked_completed
    assert summary.not_scheduled == {"Metro contacts are never created by a contact plan":
                                     len(ACCOUNTS)}


def test_same_description_only_without_other_rules(session: Session) -> None:
    add_plan(session, "SDO", [
        {"type": "Review", "description": "CHECK", "delete_same_type": True,
         "same_description_only": True},
        {"type": "Review", "description": "STRASSE", "delete_same_type": True,
         "same_description_only": True, "use_delay_days": True, "delay_days": 9},
        {"type": "Letter", "description": "Letter 2", "delete_same_type": True,
         "same_description_only": True, "use_delay_days": True, "delay_days": 2},
    ])
    run_both(session, "SDO")


def test_operator_change_moves_contacts_the_plan_made_before_it(session: Session) -> None:
    """Groups 1-5 save contacts for the account operator; group 6 assigns JC: they move."""
    add_plan(session, "MOVE", [
        {"type": "Operator", "assign": Assign.SPECIFIC_OPERATOR, "operator_id": "JC"},
        {"type": "Promise", "description": "$25", "amount": Decimal("25.00"),
         "repeat_days": 14, "use_delay_days": True, "delay_days": 3},
        {"type": "Note", "description": "Moved to JC"},
        {"type": "Letter", "description": "Letter 1", "print_now": True},
        {"type": "Phone", "description": "Home", "use_delay_days": True, "delay_days": 1,
         "delete_same_type": True},
        {"type": "Client", "description": "Tell client", "use_delay_days": True,
         "delay_days": 2},
        {"type": "Status", "description": "SKP"},
        {"type": "Status", "description": "ACT", "use_delay_days": True, "delay_days": 5},
    ])
    summary, = run_both(session, "MOVE")
    assert summary.contacts_moved > 0


def test_schedule_if_and_field_actions(session: Session) -> None:
    add_plan(session, "MIX", [
        {"type": "Note", "description": "Batch note"},
        {"type": "Status", "description": "SKP", "schedule_if_field": "de.ow",
         "schedule_if_op": ">", "schedule_if_from": "100"},
        {"type": "Operator", "assign": Assign.SPECIFIC_OPERATOR, "operator_id": "AB",
         "schedule_if_field": "de.st", "schedule_if_op": "=", "schedule_if_from": "NY"},
        {"type": "Review", "description": "Look", "priority": 20, "use_delay_days": True,
         "delay_days": 4, "schedule_if_field": "de.st", "schedule_if_op": "<>",
         "schedule_if_from": "TX"},
        {"type": "Sales", "description": "AB"},
        {"type": "Edit", "description": "de.u2=batch"},
        {"type": "Commission", "description": "45"},
        {"type": "Rate Plan", "description": "RP1"},
        {"type": "Activate"},
        {"type": "Other", "description": "Follow up", "delete_same_type": True,
         "use_delay_days": True, "delay_days": 1},
    ], delete_all_pending=True)
    run_both(session, "MIX", chunk_size=3)


def test_the_sqlite_page_cache_is_given_back(sqlite_url: str) -> None:
    """The batch enlarges the connection's page cache for each chunk, not for good."""
    engine = make_engine(sqlite_url)
    try:
        with session_factory(engine)() as s:
            fast, = make_accounts(s, 1, interleave=False)
            before = s.connection().exec_driver_sql("PRAGMA cache_size").scalar()
            run_plan_batch(s, [d.id for d in fast], "NEW", operator="MGR", now=NOW)
            assert s.connection().exec_driver_sql("PRAGMA cache_size").scalar() == before
    finally:
        forget_cached_plans()
        engine.dispose()
