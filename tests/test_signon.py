"""Signing on (Qt-free): passwords, lock-out after 5 failures, audit, routing by operator type."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from collectdesk import db
from collectdesk.engine.passwords import hash_password
from collectdesk.engine.signon import (
    LOCKOUT,
    MAX_FAILURES,
    Route,
    SignOnError,
    authenticate,
    set_password,
)
from collectdesk.models import AuditEntry, Client, Operator
from collectdesk.ui.testing import make_database

NOW = dt.datetime(2024, 5, 1, 10, 0, 0)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_database(tmp_path_factory.mktemp("signon") / "template.db", debtors=1)


@pytest.fixture
def session(template, tmp_path):
    import shutil

    path = tmp_path / "signon.db"
    shutil.copy(template, path)
    engine = db.make_engine(str(path))
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


def add_operator(session, op_id, type_, password="pw", **kw):
    session.add(Operator(id=op_id, name=op_id, type=type_, password_hash=hash_password(password), **kw))
    session.commit()


def audit(session, op_id):
    return [(a.event, a.detail) for a in session.scalars(
        select(AuditEntry).where(AuditEntry.operator_id == op_id).order_by(AuditEntry.id))]


def test_right_password_signs_on_and_routes_system_to_main_menu(session):
    result = authenticate(session, "SYS", "sys", now=NOW)
    assert result.operator.id == "SYS"
    assert result.route is Route.MAIN_MENU
    assert not result.must_set_password
    assert ("signon", "main menu") in audit(session, "SYS")


def test_operator_id_is_not_case_sensitive_but_password_is(session):
    assert authenticate(session, "sys", "sys", now=NOW).operator.id == "SYS"
    with pytest.raises(SignOnError, match="case-sensitive"):
        authenticate(session, "SYS", "SYS", now=NOW)


def test_wrong_password_gives_a_clear_message_and_is_audited(session):
    with pytest.raises(SignOnError) as err:
        authenticate(session, "SYS", "nope", now=NOW)
    assert "Wrong password for SYS" in str(err.value)
    assert "4 more tries" in str(err.value)
    assert err.value.reason == "password"
    assert session.get(Operator, "SYS").failed_signons == 1
    assert audit(session, "SYS")[-1][0] == "signon failed"


def test_unknown_operator(session):
    with pytest.raises(SignOnError, match="no operator with ID"):
        authenticate(session, "NOBODY", "x", now=NOW)
    assert audit(session, "NOBODY")[-1] == ("signon failed", "unknown operator ID")


def test_five_failures_in_a_row_lock_the_operator_out_for_five_minutes(session):
    for i in range(MAX_FAILURES - 1):
        with pytest.raises(SignOnError) as err:
            authenticate(session, "SYS", "bad", now=NOW + dt.timedelta(seconds=i))
        assert err.value.reason == "password"
    with pytest.raises(SignOnError) as err:
        authenticate(session, "SYS", "bad", now=NOW + dt.timedelta(seconds=10))
    assert err.value.reason == "locked"
    assert "locked out for 5 minutes" in str(err.value)
    op = session.get(Operator, "SYS")
    assert op.locked_until == NOW + dt.timedelta(seconds=10) + LOCKOUT
    events = [e for e, _ in audit(session, "SYS")]
    assert events.count("signon failed") == MAX_FAILURES - 1
    assert "signon lockout" in events
    # Even the right password is refused while locked, and that is logged too.
    with pytest.raises(SignOnError, match="locked out") as err:
        authenticate(session, "SYS", "sys", now=NOW + dt.timedelta(minutes=4))
    assert err.value.locked_until == op.locked_until
    assert audit(session, "SYS")[-1][0] == "signon refused"
    # After the lock-out the right password works and the count starts again.
    result = authenticate(session, "SYS", "sys", now=NOW + dt.timedelta(minutes=6))
    assert result.operator.failed_signons == 0 and result.operator.locked_until is None


def test_a_success_resets_the_failure_count(session):
    for _ in range(3):
        with pytest.raises(SignOnError):
            authenticate(session, "SYS", "bad", now=NOW)
    authenticate(session, "SYS", "sys", now=NOW)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignOnError) as err:
            authenticate(session, "SYS", "bad", now=NOW)
        assert err.value.reason == "password"


def test_distribution_operators_never_sign_on(session):
    add_operator(session, "TEAM1", "DISTRIBUTION", password="team")
    with pytest.raises(SignOnError, match="DISTRIBUTION team") as err:
        authenticate(session, "TEAM1", "team", now=NOW)
    assert err.value.reason == "distribution"


@pytest.mark.parametrize("type_, route", [
    ("COLLECTOR", Route.WIP_LIST),
    ("CLIENT", Route.CLIENT_RECORD),
    ("DIAL OPERATOR", Route.DIALER_WAIT),
    ("SYSTEM", Route.MAIN_MENU),
])
def test_routing_by_operator_type(session, type_, route):
    client_id = session.scalar(select(Client.id))
    add_operator(session, "X1", type_, client_id=client_id if type_ == "CLIENT" else None)
    assert authenticate(session, "X1", "pw", now=NOW).route is route


def test_new_masterdb_operator_must_set_a_password_first(session):
    session.add(Operator(id="NEW", name="New", type="SYSTEM", password_hash="", must_set_password=True))
    session.commit()
    result = authenticate(session, "NEW", "", now=NOW)
    assert result.must_set_password
    with pytest.raises(SignOnError, match="not the same"):
        set_password(session, result.operator, "abc123", "abc124")
    with pytest.raises(SignOnError, match="cannot be used"):
        set_password(session, result.operator, "********", "********")
    set_password(session, result.operator, "abc123", "abc123")
    op = session.get(Operator, "NEW")
    assert not op.must_set_password and "abc123" not in op.password_hash
    assert not authenticate(session, "NEW", "abc123", now=NOW).must_set_password
    with pytest.raises(SignOnError):
        authenticate(session, "NEW", "", now=NOW)


def test_the_audit_log_headless_newest_first_and_filtered(session, capsys):
    import json

    from collectdesk.commands import run as run_command

    later = dt.datetime(2099, 5, 1, 10, 0, 0)  # after the entries of the database's set-up
    authenticate(session, "SYS", "sys", now=later)
    with pytest.raises(SignOnError):
        authenticate(session, "MGR", "wrong", now=later + dt.timedelta(minutes=1))
    url = str(session.get_bind().url.database)
    assert run_command(["audit", "--db", url, "--json", "--limit", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["operator"], r["event"]) for r in rows] == [("MGR", "signon failed"),
                                                          ("SYS", "signon")]
    assert run_command(["audit", "--db", url, "--operator", "sys", "--event", "signon"]) == 0
    out = capsys.readouterr().out
    assert "05/01/2099 10:00:00  SYS" in out and "MGR" not in out
    with pytest.raises(SystemExit):
        run_command(["audit", "--db", url, "--event", "lockout"])  # not an event name
    assert "invalid choice: 'lockout'" in capsys.readouterr().err
