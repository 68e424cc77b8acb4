"""Account access control, table-driven: every rule, their order, strict and non-strict, on
every read path of the program — the real functions, not queries built here: browse lists
(Active and All Debtors through a Pager), Find By on every key, the WIP list (one's own and
everybody's), reports and exports (:func:`browse.report_query`), Tag All, and
``collectdesk show debtor``."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from collectdesk import models as m
from collectdesk.commands import run
from collectdesk.db import make_engine, session_factory
from collectdesk.engine import browse, forms_spec, wip
from collectdesk.engine.access import (
    PLACEHOLDER_FIELDS,
    Access,
    AccessPolicy,
    Purpose,
    Rule,
    client_tree,
    enclosing_teams,
    open_account,
    placeholder,
    stamp_owned_by,
)
from collectdesk.engine.audit import ACCESS_REFUSED

# Clients: 1 owns 2 owns 3 owns 5 (three levels below 1); 4 stands alone; 6 and 7 own each other.
CLIENTS = {1: None, 2: 1, 3: 2, 5: 3, 4: None, 6: 7, 7: 6}


@dataclass(frozen=True)
class Case:
    """One operator and one account; ``ME`` is the operator, single letters are its teams."""

    name: str
    rule: Rule
    granted: bool
    security: bool = True
    locked: bool = False
    sec_client: int | None = None
    client_type: bool = False
    op_client: int | None = None
    teams: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (team, members)
    client: int = 4
    operator: str = "OTHER"
    sales: str = ""
    clerk: str = ""
    access: str = ""
    detail: bool = False  # a Debtor Detail row even when clerk and access are empty


CASES = [
    Case("security off sees a confidential account", Rule.SECURITY_OFF, True,
         security=False, locked=True, access="OTHER"),
    # 1. Client access
    Case("client access: own client", Rule.CLIENT, True, sec_client=1, client=1, access="OTHER"),
    Case("client access: owned three levels down", Rule.CLIENT, True, sec_client=1, client=5,
         access="OTHER"),
    Case("client access: the owner above is not visible", Rule.OUTSIDE_CLIENT, False,
         sec_client=2, client=1),
    Case("client access decides before the operator ID", Rule.OUTSIDE_CLIENT, False,
         sec_client=2, client=4, operator="ME"),
    Case("client access: a cycle of owners does not hang", Rule.CLIENT, True, sec_client=6,
         client=7),
    Case("CLIENT operator: its tree", Rule.CLIENT, True, security=False, client_type=True,
         op_client=2, client=3, access="OTHER"),
    Case("CLIENT operator: nothing else, security switch or not", Rule.OUTSIDE_CLIENT, False,
         security=False, client_type=True, op_client=2, client=4, operator="ME"),
    # 2. Locked out by default
    Case("no access id: open", Rule.NO_ACCESS_ID, True),
    Case("empty detail: open", Rule.NO_ACCESS_ID, True, detail=True),
    Case("locked out: no access id is not enough", Rule.NO_MATCH, False, locked=True),
    Case("locked out: empty detail is not enough", Rule.NO_MATCH, False, locked=True, detail=True),
    Case("access id of someone else", Rule.NO_MATCH, False, access="OTHER"),
    Case("clerk of someone else", Rule.NO_MATCH, False, clerk="OTHER"),
    # 3-6. Operator, Sales, Clerk, Access
    Case("operator ID", Rule.OPERATOR, True, operator="ME", access="OTHER"),
    Case("locked out, operator ID", Rule.OPERATOR, True, locked=True, operator="ME"),
    Case("sales ID", Rule.SALES, True, locked=True, sales="ME", access="OTHER"),
    Case("clerk ID", Rule.CLERK, True, locked=True, clerk="ME"),
    Case("access ID", Rule.ACCESS, True, locked=True, access="ME"),
    Case("operator before sales", Rule.OPERATOR, True, locked=True, operator="ME", sales="ME"),
    Case("sales before clerk", Rule.SALES, True, locked=True, sales="ME", clerk="ME"),
    Case("clerk before access", Rule.CLERK, True, locked=True, clerk="ME", access="ME"),
    Case("sales ID, not locked out", Rule.SALES, True, sales="ME", access="OTHER"),
    Case("clerk ID, not locked out", Rule.CLERK, True, clerk="ME", access="OTHER"),
    Case("access ID, not locked out", Rule.ACCESS, True, clerk="OTHER", access="ME"),
    # 7. Team list
    Case("team in access", Rule.TEAM, True, locked=True, teams=(("A", ("ME",)),), access="A"),
    Case("team in operator", Rule.TEAM, True, locked=True, teams=(("A", ("ME",)),), operator="A"),
    Case("team in clerk, not locked out", Rule.TEAM, True, teams=(("A", ("ME",)),), clerk="A",
         access="OTHER"),
    Case("team in sales, not locked out", Rule.TEAM, True, teams=(("A", ("ME",)),), sales="A",
         access="OTHER"),
    Case("own ID before team", Rule.ACCESS, True, locked=True, teams=(("A", ("ME",)),),
         operator="A", access="ME"),
    Case("teams nested three deep", Rule.TEAM, True, locked=True,
         teams=(("A", ("ME",)), ("B", ("A",)), ("C", ("B",))), access="C"),
    Case("a team the operator is not in", Rule.NO_MATCH, False, locked=True,
         teams=(("A", ("ME",)), ("B", ("OTHER",))), access="B"),
    Case("a cycle of teams does not hang", Rule.TEAM, True, locked=True,
         teams=(("A", ("ME", "B")), ("B", ("A",))), clerk="B"),
    Case("a cycle of teams, no match", Rule.NO_MATCH, False, locked=True,
         teams=(("A", ("ME", "B")), ("B", ("A",))), clerk="OTHER"),
]

VARIANTS = [(i, strict) for i in range(len(CASES)) for strict in (True, False)]


def _ids(index: int, strict: bool) -> dict[str, str]:
    tag = "S" if strict else "N"
    ids = {"ME": f"M{index:02d}{tag}", "OTHER": "OTHER", "": ""}
    for letter in "ABC":
        ids[letter] = f"{letter}{index:02d}{tag}"
    return ids


def _account_name(index: int, strict: bool) -> str:
    return f"CASE{index:02d}{'S' if strict else 'N'}, TEST"


def _phone(index: int, strict: bool) -> str:
    return f"555{index:04d}{1 if strict else 2}00"


def _account(index: int, strict: bool) -> str:
    return f"ACC{index:02d}{'S' if strict else 'N'}"


def _email(index: int, strict: bool) -> str:
    return f"case{index:02d}{'s' if strict else 'n'}@example.com"


SSN = "123-45-6789"  # every account: Find By SSN answers with all of them
NOW = dt.datetime(2026, 1, 6, 9, 0)  # after every contact's due date


@dataclass
class World:
    path: Path
    url: str
    session: Any
    backend: str
    debtor_ids: dict[tuple[int, bool], int] = field(default_factory=dict)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every case in one database: a SQLite file, and a database on the test PostgreSQL."""
    drop = None
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("access") / "access.db"
        url = str(path)
    else:
        pg_url = request.getfixturevalue("pg_url")
        name = f"access_{uuid.uuid4().hex[:12]}"
        admin = create_engine(make_url(pg_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        path = Path(name)

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    engine = make_engine(url)
    m.Base.metadata.create_all(engine)
    session = session_factory(engine)()
    for number, owner in CLIENTS.items():
        session.add(m.Client(id=number, name=f"Client {number}"))
    session.flush()
    for number, owner in CLIENTS.items():
        session.get(m.Client, number).owned_by_id = owner
    session.add(m.Operator(id="OTHER", name="Someone else", type="COLLECTOR"))
    session.flush()
    w = World(path, url, session, request.param)
    for index, strict in VARIANTS:
        case = CASES[index]
        ids = _ids(index, strict)
        session.add(m.Operator(
            id=ids["ME"], name=case.name[:40], user_level=30,
            type="CLIENT" if case.client_type else "COLLECTOR",
            client_id=case.op_client, enable_security=case.security, strict=strict,
            locked_out_by_default=case.locked, security_client_id=case.sec_client))
        for team, _ in case.teams:
            session.add(m.Operator(id=ids[team], name=f"team {team}", type="DISTRIBUTION"))
        session.flush()
        for team, members in case.teams:
            for member in members:
                session.add(m.TeamMember(team_id=ids[team], member_id=ids[member],
                                         commission_percent=Decimal("0")))
        debtor = m.Debtor(
            client_id=case.client, name=_account_name(index, strict), ssn=SSN,
            account=_account(index, strict),
            operator_id=ids[case.operator], sales_id=ids[case.sales],
            last_worked=dt.datetime(2026, 1, 2, 9, 30), owing=Decimal("123.45"),
            group_member=2, address="1 Secret Street", principal=Decimal("100.00"))
        if case.clerk or case.access or case.detail:
            debtor.detail = m.DebtorDetail(clerk_id=ids[case.clerk], access_id=ids[case.access])
        session.add(debtor)
        session.flush()
        session.add(m.Phone(debtor_id=debtor.id, number=_phone(index, strict),
                            digits=_phone(index, strict)))
        session.add(m.Email(debtor_id=debtor.id, address=_email(index, strict),
                            address_lower=_email(index, strict)))
        session.add(m.Contact(debtor_id=debtor.id, type="Phone", operator_id=ids["ME"],
                              due_date=dt.date(2026, 1, 5)))
        session.add(m.Note(debtor_id=debtor.id, noted_at=dt.datetime(2026, 1, 1), text="secret"))
        w.debtor_ids[(index, strict)] = debtor.id
    session.commit()
    yield w
    session.close()
    engine.dispose()
    if drop is not None:
        drop()


def _expected(case: Case, strict: bool) -> Access:
    if case.granted:
        return Access.FULL
    return Access.HIDDEN if (strict or case.client_type) else Access.PLACEHOLDER


def _seen(rows: Iterable[tuple[Any, bool]], debtor_id: int) -> Access:
    """What a list shows for the account: absent, a masked row, or a full row.

    ``rows`` are (file number, accessible) pairs as the read path returned them.
    """
    mine = [accessible for key, accessible in rows if key == debtor_id]
    if not mine:
        return Access.HIDDEN
    assert len(mine) == 1
    return Access.FULL if mine[0] else Access.PLACEHOLDER


def _list(world: World, list_id: str, policy: AccessPolicy, *, ids: list[int] | None = None,
          columns: list[str] | None = None, page_size: int = 7) -> list[browse.Row]:
    """Every row of a browse list as the program pages it (small pages: keyset paging runs)."""
    query = browse.list_query_for(forms_spec.browse_list(list_id), operator_id=policy.operator_id,
                                  ids=ids, policy=policy)
    if columns is not None:
        query.columns = columns
    pager = browse.Pager(sessionmaker(bind=world.session.get_bind()), query, page_size=page_size)
    rows = [pager.row(i) for i in range(pager.count())]
    assert None not in rows
    keys = [r.key for r in rows]
    assert len(set(keys)) == len(keys) == pager.count()  # no row twice, none lost
    return rows


FIND_COLUMNS = ["name", "address", "owing", "last_worked"]


@pytest.mark.parametrize(("index", "strict"), VARIANTS,
                         ids=[f"{CASES[i].name} [{'strict' if s else 'non-strict'}]"
                              for i, s in VARIANTS])
def test_access_rule_on_every_read_path(world: World, index: int, strict: bool,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[index]
    session = world.session
    ids = _ids(index, strict)
    debtor_id = world.debtor_ids[(index, strict)]
    policy = AccessPolicy.for_operator(session, ids["ME"])
    expected = _expected(case, strict)

    # The decision for one loaded account names the rule that decided, in the seed's order.
    debtor = session.get(m.Debtor, debtor_id)
    decision = policy.decide(debtor)
    assert (decision.granted, decision.rule) == (case.granted, case.rule)
    assert policy.can_see(debtor) is expected
    assert policy.check(session, debtor_id) is expected

    # Opening the account on a form.
    opened_as, opened = open_account(session, policy, debtor_id)
    assert opened_as is expected
    if expected is Access.FULL:
        assert opened.name == _account_name(index, strict)
    elif expected is Access.PLACEHOLDER:
        assert opened.name == "N/A" and opened.file_number == debtor_id
    else:
        assert opened is None

    # Browse Active Debtors and All Debtors: the program's Pager over the lists' declarations.
    for list_id in ("active_debtors", "all_debtors"):
        rows = _list(world, list_id, policy)
        assert _seen(((r.key, r.accessible) for r in rows), debtor_id) is expected, list_id
        mine = [r for r in rows if r.key == debtor_id]
        if expected is Access.PLACEHOLDER:
            assert mine[0].values[0] == "N/A", list_id  # the name column, masked in SQL
        if expected is Access.FULL:
            assert mine[0].values[0] == _account_name(index, strict), list_id

    # Find By on every key, then the Accounts Found list the program shows for the answer.
    for method, text_ in (("name", _account_name(index, strict)), ("file", str(debtor_id)),
                          ("account", _account(index, strict)), ("phone", _phone(index, strict)),
                          ("ssn", SSN), ("email", _email(index, strict).upper())):
        found = browse.find(session, method, text_, policy=policy)
        assert (debtor_id in found) is (expected is not Access.HIDDEN), method
        rows = _list(world, "find_results", policy, ids=found, columns=FIND_COLUMNS)
        assert _seen(((r.key, r.accessible) for r in rows), debtor_id) is expected, method
        mine = [dict(zip(FIND_COLUMNS, r.values, strict=True)) for r in rows
                if r.key == debtor_id]
        if expected is Access.PLACEHOLDER:
            assert mine[0]["name"] == "N/A" and mine[0]["address"] is None, method
            assert mine[0]["owing"] == Decimal("123.45") and mine[0]["last_worked"] is not None
        if expected is Access.FULL:
            assert mine[0]["name"] == _account_name(index, strict), method
            assert mine[0]["address"] == "1 Secret Street", method

    # The operator's own WIP list.  An account in one's own WIP that one may not see is a
    # placeholder, strict or not (seed: "an account assignment error").
    own = wip.wip_list(session, ids["ME"], now=NOW, limit=500, policy=policy)
    in_wip = _seen(((e.debtor_id, e.accessible) for e in own.entries), debtor_id)
    assert in_wip is (Access.FULL if case.granted else Access.PLACEHOLDER)
    entry = next(e for e in own.entries if e.debtor_id == debtor_id)
    assert entry.name == (_account_name(index, strict) if case.granted else "N/A")
    assert entry.owing == Decimal("123.45")
    # Everybody's WIP list (a manager's view) follows Strict like any list; counts agree.
    everyone = wip.wip_list(session, ids["ME"], now=NOW, manager=True, limit=500, policy=policy)
    assert _seen(((e.debtor_id, e.accessible) for e in everyone.entries),
                 debtor_id) is expected
    assert everyone.total == len(everyone.entries)

    # A report or an export: only accounts the operator may fully see, strict or not.
    report = browse.report_query(m.Debtor, ["id", "name", "owing"],
                                 where=[m.Debtor.id == debtor_id], policy=policy)
    assert bool(session.execute(report).all()) is case.granted
    assert browse.report_count(session, m.Debtor, where=[m.Debtor.id == debtor_id],
                               policy=policy) == int(case.granted)
    notes = browse.report_query(m.Note, ["text"], where=[m.Note.debtor_id == debtor_id],
                                policy=policy)
    assert bool(session.execute(notes).all()) is case.granted
    assert browse.report_count(session, m.Note, where=[m.Note.debtor_id == debtor_id],
                               policy=policy) == int(case.granted)

    # Tag All tags only accounts the operator may fully see (tags feed batch work).
    tags = sessionmaker(bind=session.get_bind())()
    try:
        query = browse.list_query_for(forms_spec.browse_list("all_debtors"),
                                      operator_id=ids["ME"], ids=[debtor_id], policy=policy)
        assert browse.tag_all(tags, ids["ME"], query) == int(case.granted)
        browse.clear_tags(tags, ids["ME"])
    finally:
        tags.close()

    # The headless command.
    code = run(["show", "debtor", str(debtor_id), "--operator", ids["ME"], "--db", world.url,
                "--json"])
    out, err = capsys.readouterr()
    if expected is Access.HIDDEN:
        assert code == 1
        assert f"no account with file number {debtor_id}" in err and "CASE" not in out + err
    else:
        assert code == 0, err
        data = json.loads(out)
        if expected is Access.FULL:
            assert data["fields"]["name"] == _account_name(index, strict)
        else:
            assert data["placeholder"] is True
            assert data["fields"]["name"] == "N/A"
            assert set(data["fields"]) == {*PLACEHOLDER_FIELDS, "name"}
            assert "Secret" not in out and "CASE" not in out

    # The headless WIP list: the operator's own list, as the program shows it.
    code = run(["wip", "--operator", ids["ME"], "--now", NOW.isoformat(), "--limit", "500",
                "--db", world.url, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    listed = [e for e in json.loads(out)["entries"] if e["debtor_id"] == debtor_id]
    assert len(listed) == 1
    assert listed[0]["name"] == (_account_name(index, strict) if case.granted else "N/A")
    if not case.granted:
        assert "CASE" not in out


def test_wip_for_every_operator_is_refused_to_a_collector(world: World,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    me = _ids(0, False)["ME"]
    assert run(["wip", "--manager", "--operator", me, "--now", NOW.isoformat(),
                "--db", world.url]) == 1
    err = capsys.readouterr().err
    assert f"{me} is a COLLECTOR operator: only SYSTEM operators" in err
    world.session.expire_all()
    assert world.session.scalar(select(func.count()).select_from(m.AuditEntry).where(
        m.AuditEntry.event == ACCESS_REFUSED, m.AuditEntry.operator_id == me,
        m.AuditEntry.detail == "wip --manager: refused")) == 1


def test_unrestricted_read_paths_see_everything(world: World) -> None:
    """No policy (security off, system batch work): every account, nothing masked."""
    session = world.session
    total = session.scalar(select(func.count()).select_from(m.Debtor))
    query = browse.list_query_for(forms_spec.browse_list("all_debtors"))
    pager = browse.Pager(sessionmaker(bind=session.get_bind()), query)
    assert pager.count() == total
    assert all(r.accessible for r in pager.page(0))
    assert len(browse.find(session, "ssn", SSN)) == total
    page = wip.wip_list(session, "OTHER", now=NOW, manager=True, limit=500)
    assert page.total == len(page.entries) == total and all(e.accessible for e in page.entries)
    assert browse.report_count(session, m.Debtor) == total


def test_a_hidden_name_does_not_trigger_the_case_insensitive_scan(world: World) -> None:
    """Find By name of an account the strict operator may not see answers nothing, without
    falling back to the lower(name) scan of every account."""
    index = next(i for i, c in enumerate(CASES) if c.name == "access id of someone else")
    policy = AccessPolicy.for_operator(world.session, _ids(index, True)["ME"])
    statements: list[str] = []
    from sqlalchemy import event

    engine = world.session.get_bind()

    def log(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", log)
    try:
        assert browse.find(world.session, "name", _account_name(index, True), policy=policy) == []
    finally:
        event.remove(engine, "before_cursor_execute", log)
    assert not any("lower(" in sql.lower() for sql in statements)


def test_security_off_adds_no_filter(world: World) -> None:
    policy = AccessPolicy.for_operator(world.session, "OTHER")
    assert not policy.restricted
    assert policy.debtor_filter(m.Debtor) is None
    assert policy.client_filter(m.Client) is None


def test_refusals_are_audited(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    index = next(i for i, c in enumerate(CASES) if c.name == "access id of someone else")
    debtor_id = world.debtor_ids[(index, True)]
    me = _ids(index, True)["ME"]
    before = world.session.scalar(select(func.count()).select_from(m.AuditEntry)
                                  .where(m.AuditEntry.event == ACCESS_REFUSED,
                                         m.AuditEntry.operator_id == me))
    assert run(["show", "debtor", str(debtor_id), "--operator", me, "--db", world.url]) == 1
    capsys.readouterr()
    world.session.expire_all()
    after = world.session.scalar(select(func.count()).select_from(m.AuditEntry)
                                 .where(m.AuditEntry.event == ACCESS_REFUSED,
                                        m.AuditEntry.operator_id == me))
    assert after == before + 1


def test_show_unknown_operator_is_an_error(world: World,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["show", "debtor", "1", "--operator", "NOBODY", "--db", world.url]) == 1
    assert "no operator with ID NOBODY" in capsys.readouterr().err


def test_placeholder_text_output(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    index = next(i for i, c in enumerate(CASES) if c.name == "access id of someone else")
    debtor_id = world.debtor_ids[(index, False)]
    me = _ids(index, False)["ME"]
    assert run(["show", "debtor", str(debtor_id), "--operator", me, "--db", world.url]) == 0
    out = capsys.readouterr().out
    assert "Confidential account" in out and "N/A" in out and "CASE" not in out


def test_client_trees_and_teams_are_cycle_safe(world: World) -> None:
    session = world.session
    assert client_tree(session, 1) == {1, 2, 3, 5}
    assert client_tree(session, 2) == {2, 3, 5}
    assert client_tree(session, 6) == {6, 7}
    index = next(i for i, c in enumerate(CASES) if c.name == "teams nested three deep")
    ids = _ids(index, True)
    assert enclosing_teams(session, ids["ME"]) == {ids["A"], ids["B"], ids["C"]}
    index = next(i for i, c in enumerate(CASES) if c.name == "a cycle of teams does not hang")
    ids = _ids(index, True)
    assert enclosing_teams(session, ids["ME"]) == {ids["A"], ids["B"]}


def test_client_operator_browses_only_its_client_tree(world: World,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    index = next(i for i, c in enumerate(CASES) if c.name == "CLIENT operator: its tree")
    me = _ids(index, False)["ME"]
    policy = AccessPolicy.for_operator(world.session, me)
    assert policy.strict  # CLIENT operators never see placeholders
    assert policy.restrict_clients
    clients = world.session.scalars(select(m.Client.id).where(policy.client_filter(m.Client))
                                    .order_by(m.Client.id)).all()
    assert clients == [2, 3, 5]
    debtors = world.session.scalars(policy.restrict(select(m.Debtor.client_id), m.Debtor)).all()
    assert debtors and set(debtors) <= {2, 3, 5}
    assert run(["show", "client", "4", "--operator", me, "--db", world.url]) == 1
    assert "no client with number 4" in capsys.readouterr().err
    assert run(["show", "client", "3", "--operator", me, "--db", world.url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["number"] == 3


def test_apply_to_client_accounts_limits_clients_and_stamps_owned_by(world: World) -> None:
    session = world.session
    session.add(m.Operator(id="ACL", name="Client-restricted", enable_security=True,
                           security_client_id=2, apply_to_client_accounts=True))
    session.add(m.Operator(id="NOACL", name="Debtors only", enable_security=True,
                           security_client_id=2))
    session.flush()
    policy = AccessPolicy.for_operator(session, "ACL")
    assert session.scalars(select(m.Client.id).where(policy.client_filter(m.Client))
                           .order_by(m.Client.id)).all() == [2, 3, 5]
    new = stamp_owned_by(policy, m.Client(name="New client"))
    assert new.owned_by_id == 2
    inside = stamp_owned_by(policy, m.Client(name="Under 3", owned_by_id=3))
    assert inside.owned_by_id == 3  # already in the operator's tree: kept
    outside = stamp_owned_by(policy, m.Client(name="Under 4", owned_by_id=4))
    assert outside.owned_by_id == 2
    other = AccessPolicy.for_operator(session, "NOACL")
    assert other.client_filter(m.Client) is None  # accounts limited, client browsing not
    assert stamp_owned_by(other, m.Client(name="x")).owned_by_id is None
    session.rollback()


def test_placeholder_of_a_loaded_account(world: World) -> None:
    debtor = world.session.get(m.Debtor, next(iter(world.debtor_ids.values())))
    ph = placeholder(debtor)
    assert ph.name == "N/A"
    assert ph.fields() == {"id": debtor.id, "name": "N/A", "last_worked": debtor.last_worked,
                           "operator_id": debtor.operator_id, "owing": debtor.owing,
                           "group_id": debtor.group_id, "group_member": debtor.group_member}


def test_unknown_operator_fails_closed(world: World) -> None:
    with pytest.raises(LookupError):
        AccessPolicy.for_operator(world.session, "NOBODY")


def test_locked_out_filter_is_driven_by_indexes(world: World) -> None:
    """The locked-out filter looks accounts up by operator/sales/clerk/access, not a scan."""
    if world.backend != "sqlite":
        pytest.skip("SQLite's query plan")
    index = next(i for i, c in enumerate(CASES) if c.name == "access ID")
    policy = AccessPolicy.for_operator(world.session, _ids(index, True)["ME"])
    stmt = policy.restrict(select(m.Debtor.id).where(m.Debtor.name >= "C"), m.Debtor, Purpose.LIST)
    sql = str(stmt.compile(compile_kwargs={"literal_binds": True}))
    assert "debtors.id IN (SELECT" in sql and "UNION" in sql
    plan = " ".join(str(r[-1]) for r in world.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_debtor_details_access_id" in plan and "ix_debtor_details_clerk_id" in plan


def test_find_by_for_a_locked_out_operator_reads_indexes_only(world: World) -> None:
    """Find By through the policy never scans debtors: the names, phones and the operator's
    own accounts are all looked up by index (the original tests every record here)."""
    if world.backend != "sqlite":
        pytest.skip("SQLite's query plan")
    from sqlalchemy import event

    index = next(i for i, c in enumerate(CASES) if c.name == "access ID")
    policy = AccessPolicy.for_operator(world.session, _ids(index, True)["ME"])
    engine = world.session.get_bind()
    seen: list[tuple[str, Any]] = []

    def log(conn, cursor, statement, parameters, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", log)
    try:
        for method, text_ in (("name", _account_name(index, True)), ("phone", _phone(index, True)),
                              ("name", _account_name(0, True)), ("file", "1")):
            browse.find(world.session, method, text_, policy=policy)
    finally:
        event.remove(engine, "before_cursor_execute", log)
    assert seen
    for statement, parameters in seen:
        plan = [str(r[-1]) for r in world.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters)]
        assert not any(step.startswith("SCAN") for step in plan), (statement, plan)


def test_large_client_trees_use_a_recursive_query(world: World, monkeypatch) -> None:
    from collectdesk.engine import access

    index = next(i for i, c in enumerate(CASES)
                 if c.name == "client access: owned three levels down")
    policy = AccessPolicy.for_operator(world.session, _ids(index, True)["ME"])
    stmt = policy.restrict(select(m.Debtor.client_id), m.Debtor)
    bound = sorted(set(world.session.scalars(stmt)))
    monkeypatch.setattr(access, "_MAX_BOUND_CLIENTS", 1)
    stmt = policy.restrict(select(m.Debtor.client_id), m.Debtor)
    assert "RECURSIVE" in str(stmt.compile()).upper()
    assert sorted(set(world.session.scalars(stmt))) == bound
    assert set(bound) <= {1, 2, 3, 5} and 5 in bound
