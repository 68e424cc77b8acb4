"""The WIP list, Schedule Next Contact and orphaned accounts (seed 003: "Contact Plan For New
Accounts", Debtor Status Codes "WIP Priority", "Holidays")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.db import make_engine, session_factory
from collectdesk.engine.wip import (
    next_account,
    orphan_accounts,
    schedule_next_contact,
    wip_counts,
    wip_list,
)
from collectdesk.models import (
    Base,
    Client,
    Contact,
    Debtor,
    Holiday,
    Operator,
    Preferences,
    StatusCode,
)

NOW = dt.datetime(2024, 3, 8, 10, 0)  # a Friday
TODAY = NOW.date()
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def engine(tmp_path: Any) -> Any:
    eng = make_engine(str(tmp_path / "wip.db"))
    Base.metadata.create_all(eng)
    with session_factory(eng)() as s:
        s.add_all([Operator(id=o, name=o) for o in ("OWN", "JC", "MGR")])
        s.add(Preferences(operator_id=None, schedule_on_weekends=False, wip_sort="priority"))
        s.add(Client(id=1, name="Acme Credit"))
        s.add_all([StatusCode(code=c, description=c, wip_priority=p) for c, p in
                   (("NEW", 90), ("DIS", 80), ("SKA", 60), ("SKB", 60), ("ACT", 50))])
        s.commit()
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Any) -> Any:
    with session_factory(engine)() as s:
        yield s


def debtor(session: Session, name: str, status: str = "ACT", **kw: Any) -> Debtor:
    kw.setdefault("operator_id", "OWN")
    d = Debtor(client_id=1, name=name, status=status, **kw)
    session.add(d)
    session.flush()
    return d


def contact(session: Session, d: Debtor | None, kind: str = "Phone", *, priority: int = 0,
            due: dt.date = YESTERDAY, at: dt.time | None = None, operator: str = "OWN",
            done: bool = False, description: str = "") -> Contact:
    c = Contact(debtor_id=d.id if d else None, client_id=None if d else 1, type=kind,
                priority=priority, due_date=due, due_time=at, operator_id=operator, done=done,
                description=description or f"{kind} {priority}")
    session.add(c)
    session.flush()
    return c


@pytest.fixture
def worklist(session: Session) -> dict[str, Contact]:
    a, b, c, e = (debtor(session, "Able", "ACT"), debtor(session, "Baker", "NEW"),
                  debtor(session, "Cole", "SKB"), debtor(session, "Dunn", "SKA"))
    made = {
        "a_low": contact(session, a, "Review", priority=10),
        "a_high_late": contact(session, a, "Phone", priority=90, due=YESTERDAY),
        "a_high_early": contact(session, a, "Phone", priority=90,
                                due=TODAY - dt.timedelta(days=5)),
        "b_mid": contact(session, b, "Promise", priority=50),
        "c_other": contact(session, c, "Other", priority=40, due=TODAY, at=dt.time(9, 30)),
        "e_review": contact(session, e, "Review", priority=20, due=TODAY),
        # not in the list
        "later_today": contact(session, a, "Phone", priority=99, due=TODAY, at=dt.time(15, 0)),
        "tomorrow": contact(session, b, "Phone", priority=99, due=TODAY + dt.timedelta(days=1)),
        "letter": contact(session, a, "Letter", priority=99),
        "done": contact(session, a, "Phone", priority=99, done=True),
        "jc": contact(session, b, "Phone", priority=95, operator="JC"),
    }
    session.commit()
    return made


def _keys(page: Any, made: dict[str, Contact]) -> list[str]:
    names = {c.id: n for n, c in made.items()}
    return [names[e.contact_id] for e in page.entries]


def test_sorted_by_priority_then_due(session: Session, worklist: dict[str, Contact]) -> None:
    page = wip_list(session, "OWN", now=NOW, sort="priority")
    assert _keys(page, worklist) == ["a_high_early", "a_high_late", "b_mid", "c_other",
                                     "e_review", "a_low"]
    first = page.entries[0]
    assert (first.name, first.status, first.type, first.operator_id) == \
        ("Able", "ACT", "Phone", "OWN")
    assert page.counts == {"Review": 2, "Phone": 2, "Promise": 1, "Other": 1}
    assert page.total == 6


def test_sorted_by_status_wip_priority_then_code(session: Session,
                                                 worklist: dict[str, Contact]) -> None:
    page = wip_list(session, "OWN", now=NOW, sort="status")
    # NEW (90) · SKA, SKB (60, code A-Z) · ACT (50), each by contact priority within
    assert _keys(page, worklist) == ["b_mid", "e_review", "c_other", "a_high_early",
                                     "a_high_late", "a_low"]
    assert [e.status_priority for e in page.entries] == [90, 60, 60, 50, 50, 50]


def test_sorted_by_status_code_alone_when_no_code_has_a_wip_priority(
        session: Session, worklist: dict[str, Contact]) -> None:
    for code in session.scalars(select(StatusCode)):
        code.wip_priority = 0
    session.commit()
    page = wip_list(session, "OWN", now=NOW, sort="status")
    # ACT (Able) · NEW (Baker) · SKA (Dunn) · SKB (Cole), each by contact priority within
    assert _keys(page, worklist) == ["a_high_early", "a_high_late", "a_low", "b_mid",
                                     "e_review", "c_other"]


def test_the_wip_options_sort_is_the_default(session: Session,
                                             worklist: dict[str, Contact]) -> None:
    session.add(Preferences(operator_id="OWN", wip_sort="status"))
    session.commit()
    assert wip_list(session, "OWN", now=NOW).sort == "status"
    with pytest.raises(ValueError):
        wip_list(session, "OWN", now=NOW, sort="name")


def test_contacts_due_later_today_appear_when_their_time_comes(
        session: Session, worklist: dict[str, Contact]) -> None:
    at_nine = wip_list(session, "OWN", now=NOW.replace(hour=9))
    assert "c_other" not in _keys(at_nine, worklist)
    at_three = wip_list(session, "OWN", now=NOW.replace(hour=15))
    assert _keys(at_three, worklist)[0] == "later_today"


def test_manager_sees_every_operator(session: Session, worklist: dict[str, Contact]) -> None:
    page = wip_list(session, "MGR", now=NOW, manager=True)
    assert _keys(page, worklist)[:2] == ["jc", "a_high_early"]
    assert wip_counts(session, "MGR", now=NOW, manager=True)["Phone"] == 3
    assert _keys(wip_list(session, "JC", now=NOW), worklist) == ["jc"]


def test_paging(session: Session, worklist: dict[str, Contact]) -> None:
    page = wip_list(session, "OWN", now=NOW, offset=2, limit=2)
    assert _keys(page, worklist) == ["b_mid", "c_other"]


def test_client_contacts_appear_with_the_client_name(session: Session) -> None:
    contact(session, None, "Review", priority=5)
    [entry] = wip_list(session, "OWN", now=NOW).entries
    assert (entry.name, entry.debtor_id, entry.status) == ("Acme Credit", None, "")


def test_next_account_skips_the_account_just_worked(session: Session,
                                                    worklist: dict[str, Contact]) -> None:
    first = next_account(session, "OWN", now=NOW)
    assert first is not None and first.name == "Able"
    following = next_account(session, "OWN", now=NOW, after_debtor_id=first.debtor_id)
    assert following is not None and following.name == "Baker"
    assert next_account(session, "JC", now=NOW, after_debtor_id=following.debtor_id) is None


def test_next_account_is_the_next_one_below_the_contact_being_worked(
        session: Session, worklist: dict[str, Contact]) -> None:
    # The list: a_high_early, a_high_late (Able) · b_mid (Baker) · c_other (Cole) ·
    # e_review (Dunn) · a_low (Able again)
    def after(name: str) -> str | None:
        worked = worklist[name]
        entry = next_account(session, "OWN", now=NOW, after_debtor_id=worked.debtor_id,
                             after_contact_id=worked.id)
        return entry.name if entry else None

    assert [after(n) for n in ("a_high_early", "b_mid", "c_other", "e_review")] == \
        ["Baker", "Cole", "Dunn", "Able"]
    assert after("a_low") is None  # the last account of the list
    # Completed, the contact has left the list: the top account other than the one worked.
    schedule_next_contact(session, worklist["c_other"], type="Phone",
                          due_date=TODAY + dt.timedelta(days=7), now=NOW)
    session.commit()
    assert after("c_other") == "Able"


def test_schedule_next_contact_completes_and_reschedules(session: Session,
                                                         worklist: dict[str, Contact]) -> None:
    session.add(Holiday(date=dt.date(2024, 3, 11), description="Closed"))
    current = worklist["a_high_early"]
    following = schedule_next_contact(
        session, current, type="Review", due_date=dt.date(2024, 3, 9),  # a Saturday
        description="Check payment", priority=60, by="OWN", now=NOW)
    session.commit()
    assert current.done and current.completed_at == NOW
    assert (following.type, following.due_date, following.priority, following.operator_id,
            following.debtor_id, following.done) == \
        ("Review", dt.date(2024, 3, 12), 60, "OWN", current.debtor_id, False)
    assert session.get(Debtor, current.debtor_id).last_worked == NOW
    # it has left today's list
    assert "a_high_early" not in _keys(wip_list(session, "OWN", now=NOW), worklist)
    assert following.id not in [e.contact_id for e in wip_list(session, "OWN", now=NOW).entries]


def test_schedule_next_contact_on_weekends_when_allowed(session: Session,
                                                        worklist: dict[str, Contact]) -> None:
    system = session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))
    system.schedule_on_weekends = True
    following = schedule_next_contact(session, worklist["b_mid"], type="Phone",
                                      due_date=dt.date(2024, 3, 9), operator="JC", now=NOW)
    assert (following.due_date, following.operator_id) == (dt.date(2024, 3, 9), "JC")


def test_orphan_accounts(session: Session) -> None:
    only_letter = debtor(session, "Letter Only")
    contact(session, only_letter, "Letter")
    with_phone = debtor(session, "Has Phone")
    contact(session, with_phone, "Phone", due=TODAY + dt.timedelta(days=30))
    only_done = debtor(session, "Done Only")
    contact(session, only_done, "Review", done=True)
    closed = debtor(session, "Closed", mode="C")
    no_desk = debtor(session, "No Desk", operator_id="")
    elsewhere = debtor(session, "Elsewhere", operator_id="JC")
    session.commit()
    assert orphan_accounts(session) == [
        (only_letter.id, "Letter Only", "OWN"), (only_done.id, "Done Only", "OWN"),
        (elsewhere.id, "Elsewhere", "JC")]
    assert [row[0] for row in orphan_accounts(session, "JC")] == [elsewhere.id]
    assert closed.id not in [r[0] for r in orphan_accounts(session)]
    assert no_desk.id not in [r[0] for r in orphan_accounts(session)]


def test_first_page_reads_the_wip_index(session: Session, engine: Any) -> None:
    from sqlalchemy.dialects import sqlite

    from collectdesk.engine import wip

    stmt = select(Contact.id).where(*wip._wip_filter("OWN", NOW, False)).order_by(
        Contact.priority.desc()).limit(50)
    sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "ix_contacts_wip" in plan


def test_wip_command(engine: Any, session: Session, worklist: dict[str, Contact],
                     capsys: Any) -> None:
    from collectdesk.commands import run as run_command

    db = str(engine.url.database)
    assert run_command(["wip", "--operator", "OWN", "--now", NOW.isoformat(), "--db", db,
                        "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 6 and data["entries"][0]["contact_id"] == worklist["a_high_early"].id
    assert run_command(["wip", "--orphans", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"orphans": []}
    assert run_command(["wip", "--operator", "NOBODY", "--db", db]) == 1
    assert "no operator with ID NOBODY" in capsys.readouterr().err


def test_orphans_command_lists_only_the_accounts_the_operator_may_see(
        session: Session, engine: Any, capsys: Any) -> None:
    from collectdesk.commands import run as run_command

    session.add(Client(id=2, name="Other Client"))
    # RX may see client 1's accounts only (Security Client #); two orphans sit on its desk.
    session.add(Operator(id="RX", name="Restricted", enable_security=True, strict=True,
                         security_client_id=1))
    mine = debtor(session, "Visible Orphan", operator_id="RX")
    hidden = Debtor(client_id=2, name="Hidden Orphan", status="ACT", operator_id="RX")
    session.add(hidden)
    worked = debtor(session, "Worked", operator_id="RX")
    contact(session, worked, "Phone", operator="RX")
    session.commit()
    db = str(engine.url.database)
    assert run_command(["wip", "--operator", "rx", "--orphans", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "orphans": [{"file_number": mine.id, "name": "Visible Orphan", "operator": "RX"}]}
    # Without an operator (the system's view) both are listed.
    assert run_command(["wip", "--orphans", "--db", db, "--json"]) == 0
    listed = [o["file_number"] for o in json.loads(capsys.readouterr().out)["orphans"]]
    assert mine.id in listed and hidden.id in listed and worked.id not in listed
    assert run_command(["wip", "--operator", "RX", "--orphans", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "Visible Orphan" in text and "Hidden Orphan" not in text
