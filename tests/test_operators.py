"""Operator rules: IDs, types, passwords, the level-99 caution, messaging, teams, audit."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk import models as m
from collectdesk.db import make_engine, save, session_factory
from collectdesk.engine import operators as ops
from collectdesk.engine.access import AccessPolicy
from collectdesk.engine.audit import OPERATOR_CHANGED, PASSWORD_SET
from collectdesk.engine.passwords import verify_password


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    engine = make_engine(str(tmp_path / "operators.db"))
    m.Base.metadata.create_all(engine)
    with session_factory(engine)() as s:
        s.add(m.Client(id=7, name="Acme"))
        s.add(m.Operator(id="SC", name="Senior Collector", type="COLLECTOR", user_level=30))
        s.commit()
        yield s
    engine.dispose()


def _events(session: Session, event: str) -> list[m.AuditEntry]:
    return list(session.scalars(select(m.AuditEntry).where(m.AuditEntry.event == event)
                                .order_by(m.AuditEntry.id)))


@pytest.mark.parametrize(("raw", "error"), [
    ("", "needs an ID"),
    ("ABCDEFGH", "longer than 7"),
    ("system", "reserved"),
    ("SYSTEM", "reserved"),
    ("Admin", "reserved"),
    ("J M", "spaces"),
    ("sc", "already used"),
    ('A"B', "quotes"),
])
def test_refused_ids(session: Session, raw: str, error: str) -> None:
    with pytest.raises(ops.OperatorError, match=error):
        ops.check_id(session, raw)


@pytest.mark.parametrize(("raw", "stored"), [("jm", "JM"), (" sd ", "SD"), ("ABCDEFG", "ABCDEFG"),
                                             ("99", "99"), ("ST1", "ST1")])
def test_accepted_ids_are_upper_case(session: Session, raw: str, stored: str) -> None:
    assert ops.check_id(session, raw) == stored


def test_an_operator_keeps_its_own_id_when_saved_again(session: Session) -> None:
    sc = session.get(m.Operator, "SC")
    assert ops.check_id(session, "SC", current=sc) == "SC"
    assert ops.problems(session, sc) == []


def test_client_operator_needs_an_existing_client(session: Session) -> None:
    with pytest.raises(ops.OperatorError, match="needs a Client #"):
        ops.create_operator(session, "CL1", type="CLIENT")
    with pytest.raises(ops.OperatorError, match="Client #99 does not exist"):
        ops.create_operator(session, "CL1", type="CLIENT", client_id=99)
    op = ops.create_operator(session, "cl1", type="CLIENT", client_id=7, user_level=98)
    assert op.id == "CL1"


def test_types_and_sign_on(session: Session) -> None:
    team = ops.create_operator(session, "ST1", type="DISTRIBUTION")
    assert not ops.can_sign_on(team) and not ops.needs_password(team)
    assert ops.can_sign_on(session.get(m.Operator, "SC"))
    with pytest.raises(ops.OperatorError, match="Type 'BOSS'"):
        ops.create_operator(session, "X1", type="BOSS")
    with pytest.raises(ops.OperatorError, match="outside 1-99"):
        ops.create_operator(session, "X2", user_level=0)


def test_password_only_once_saved_never_stars_and_hashed(session: Session) -> None:
    op = ops.create_operator(session, "JM", name="John Miller")
    with pytest.raises(ops.OperatorError, match="Save the operator first"):
        ops.set_password(session, op, "secret1")
    assert ops.needs_password(op)
    save(session, op, operator="SYS")
    with pytest.raises(ops.OperatorError, match=r"\*\*\*\*\*\*\*\*"):
        ops.set_password(session, op, "********")
    with pytest.raises(ops.OperatorError, match="empty"):
        ops.set_password(session, op, "")
    ops.set_password(session, op, "secret1", by="SYS")
    session.commit()
    assert "secret1" not in op.password_hash
    assert verify_password("secret1", op.password_hash)
    assert not verify_password("secret2", op.password_hash)
    again = op.password_hash
    ops.set_password(session, op, "secret1")
    assert op.password_hash != again  # salted
    assert not ops.needs_password(op)
    logged = _events(session, PASSWORD_SET)
    assert logged and logged[0].operator_id == "SYS"
    everything = " ".join(e.detail for e in session.scalars(select(m.AuditEntry)))
    assert "secret1" not in everything and "scrypt" not in everything


@pytest.mark.parametrize(("op_id", "level", "caution"), [
    ("SYS", 99, True), ("MGR", 99, True), ("99", 99, False), ("99", 90, False), ("SYS", 90, False),
    ("SC", 30, False),
])
def test_level_99_caution(op_id: str, level: int, caution: bool) -> None:
    message = ops.level_99_caution(m.Operator(id=op_id, user_level=level))
    assert (message is not None) is caution
    if caution:
        assert "99" in message and "access rights" in message


@pytest.mark.parametrize(("messaging", "mode", "answers"), [
    ("normal", "type DELETE", {"DELETE": True, "delete": False, "y": False, True: False}),
    ("advanced", "ask", {"y": True, True: True, "n": False, None: False}),
    ("expert", "none", {None: True}),
])
def test_delete_confirmation_by_messaging_level(messaging, mode, answers) -> None:
    op = m.Operator(id="X", messaging=messaging)
    assert ops.delete_confirmation(op) == mode
    for answer, allowed in answers.items():
        assert ops.delete_confirmed(op, answer) is allowed


def test_teams_with_commission_and_nesting(session: Session) -> None:
    for op_id in ("JM", "SD"):
        ops.create_operator(session, op_id)
    for team in ("ST1", "ST2", "ST3"):
        ops.create_operator(session, team, type="DISTRIBUTION")
    session.flush()
    ops.set_members(session, "ST1", [("jm", "60"), ("SD", Decimal("40"))])
    with pytest.raises(ops.OperatorError, match="100.5%"):
        ops.set_members(session, "ST1", [("JM", "60"), ("SD", "40.5")])
    with pytest.raises(ops.OperatorError, match="no operator 'NOBODY'"):
        ops.add_member(session, "ST1", "NOBODY")
    with pytest.raises(ops.OperatorError, match="not a DISTRIBUTION team"):
        ops.add_member(session, "SC", "JM")
    ops.add_member(session, "ST2", "ST1")  # a team in a team
    ops.add_member(session, "ST3", "ST2")
    with pytest.raises(ops.OperatorError, match="cannot be inside itself"):
        ops.add_member(session, "ST1", "ST3")
    with pytest.raises(ops.OperatorError, match="cannot be inside itself"):
        ops.add_member(session, "ST1", "ST1")
    ops.add_member(session, "ST1", "SC", 0)
    session.commit()
    assert [(t.member_id, t.commission_percent) for t in ops.team_members(session, "ST1")] == [
        ("JM", Decimal("60.000")), ("SC", Decimal("0.000")), ("SD", Decimal("40.000"))]
    ops.remove_member(session, "ST1", "SC")
    session.commit()
    assert [t.member_id for t in ops.team_members(session, "ST1")] == ["JM", "SD"]
    session.get(m.Operator, "JM").enable_security = True
    session.commit()
    assert AccessPolicy.for_operator(session, "JM").team_ids >= {"ST1", "ST2", "ST3"}


def test_operator_changes_are_audited(session: Session) -> None:
    op = ops.create_operator(session, "JM", name="John", by="SYS")
    save(session, op, operator="SYS")
    op.user_level = 99
    op.failed_signons = 3  # sign-on bookkeeping is not an operator change
    save(session, op, operator="MGR")
    op.failed_signons = 4
    save(session, op, operator="MGR")
    ops.create_operator(session, "ST1", type="DISTRIBUTION")
    session.flush()
    ops.add_member(session, "ST1", "JM", 10, by="SYS")
    session.commit()
    details = [(e.operator_id, e.detail) for e in _events(session, OPERATOR_CHANGED)]
    assert ("SYS", "operator JM added (type='COLLECTOR', user_level=10, enable_security=False)") \
        in details
    assert ("MGR", "operator JM changed: user_level: 10 → 99") in details
    assert ("SYS", "team ST1 member JM added (commission_percent=10)") in details
    assert len([d for _, d in details if d.startswith("operator JM changed")]) == 1


def test_headless_access_and_password(tmp_path, monkeypatch, capsys) -> None:
    import io
    import json

    from collectdesk.commands import run

    path = tmp_path / "cmd.db"
    engine = make_engine(str(path))
    m.Base.metadata.create_all(engine)
    with session_factory(engine)() as s:
        s.add(m.Client(id=1, name="Acme"))
        s.add(m.Operator(id="LO", enable_security=True, locked_out_by_default=True))
        s.add(m.Operator(id="ST1", type="DISTRIBUTION"))
        s.flush()
        s.add(m.TeamMember(team_id="ST1", member_id="LO", commission_percent=Decimal("0")))
        s.add(m.Debtor(id=10, client_id=1, name="A, B", sales_id="ST1"))
        s.add(m.Debtor(id=11, client_id=1, name="C, D"))
        s.commit()
    engine.dispose()
    assert run(["operator", "access", "lo", "--debtor", "10", "--db", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["teams"] == ["ST1"] and data["debtor"]["rule"] == "team"
    assert run(["operator", "access", "LO", "--debtor", "11", "--db", str(path)]) == 0
    assert "may not see (shown as placeholder); decided by: no match" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("********\n"))
    assert run(["operator", "password", "LO", "--stdin", "--db", str(path)]) == 1
    assert "cannot be used" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    assert run(["operator", "password", "LO", "--stdin", "--db", str(path)]) == 0
    engine = make_engine(str(path))
    with session_factory(engine)() as s:
        assert verify_password("s3cret", s.get(m.Operator, "LO").password_hash)
    engine.dispose()
