"""Account access control, table-driven: every rule, their order, strict and non-strict, on
every read path (browse, Find By name and phone, WIP, report/export, ``collectdesk show``)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from collectdesk import models as m
from collectdesk.commands import run
from collectdesk.db import make_engine, session_factory
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
            client_id=case.client, name=_account_name(index, strict), ssn="123-45-6789",
            operator_id=ids[case.operator], sales_id=ids[case.sales],
            last_worked=dt.datetime(2026, 1, 2, 9, 30), owing=Decimal("123.45"),
            group_member=2, address="1 Secret Street", principal=Decimal("100.00"))
        if case.clerk or case.access or case.detail:
            debtor.detail = m.DebtorDetail(clerk_id=ids[case.clerk], access_id=ids[case.access])
        session.add(debtor)
        session.flush()
        session.add(m.Phone(debtor_id=debtor.id, number=_phone(index, strict),
                            digits=_phone(index, strict)))
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


def _seen(rows: list[Any], debtor_id: int) -> Access:
    """What a list shows for the account: absent, a masked row, or a full row."""
    mine = [r for r in rows if r.id == debtor_id]
    if not mine:
        return Access.HIDDEN
    assert len(mine) == 1
    return Access.FULL if mine[0].accessible else Access.PLACEHOLDER


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

    # Browse All Debtors: the list filter plus the accessible column.
    browse = policy.restrict(select(m.Debtor.id, policy.access_column(m.Debtor))
                             .order_by(m.Debtor.name), m.Debtor, Purpose.LIST)
    assert _seen(session.execute(browse).all(), debtor_id) is expected

    # Find By name, with the columns masked in SQL.
    columns = policy.mask_columns(m.Debtor, [m.Debtor.id, m.Debtor.name, m.Debtor.address,
                                             m.Debtor.owing, m.Debtor.last_worked])
    find = policy.restrict(select(*columns).where(m.Debtor.name == _account_name(index, strict)),
                           m.Debtor, Purpose.LIST)
    rows = session.execute(find).all()
    assert _seen(rows, debtor_id) is expected
    if expected is Access.PLACEHOLDER:
        assert rows[0].name == "N/A" and rows[0].address is None
        assert rows[0].owing == Decimal("123.45") and rows[0].last_worked is not None
    if expected is Access.FULL:
        assert rows[0].name == _account_name(index, strict) and rows[0].address == "1 Secret Street"

    # Find By phone: a join through phones.
    by_phone = policy.restrict(
        select(m.Debtor.id, policy.access_column(m.Debtor))
        .join(m.Phone, m.Phone.debtor_id == m.Debtor.id)
        .where(m.Phone.digits == _phone(index, strict)), m.Debtor, Purpose.LIST)
    assert _seen(session.execute(by_phone).all(), debtor_id) is expected

    # The operator's own WIP list: a Contact → Debtor join.  An account in one's own WIP that
    # one may not see is a placeholder, strict or not (seed: "an account assignment error").
    wip = policy.restrict(
        select(m.Debtor.id, policy.access_column(m.Debtor))
        .join(m.Contact, m.Contact.debtor_id == m.Debtor.id)
        .where(m.Contact.operator_id == ids["ME"], m.Contact.done.is_(False)),
        m.Debtor, Purpose.OWN_WIP)
    in_wip = _seen(session.execute(wip).all(), debtor_id)
    assert in_wip is (Access.FULL if case.granted else Access.PLACEHOLDER)

    # A report or an export: only accounts the operator may fully see, strict or not.
    report = policy.restrict(select(m.Debtor.id, m.Debtor.name, m.Debtor.owing)
                             .where(m.Debtor.id == debtor_id), m.Debtor)
    assert bool(session.execute(report).all()) is case.granted
    count = policy.restrict(select(func.count()).select_from(m.Debtor)
                            .where(m.Debtor.id == debtor_id), m.Debtor)
    assert session.scalar(count) == int(case.granted)
    notes = select(m.Note.text).where(m.Note.debtor_id == debtor_id)
    cond = policy.debtor_id_filter(m.Note.debtor_id)
    if cond is not None:
        notes = notes.where(cond)
    assert bool(session.execute(notes).all()) is case.granted

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
