"""The bulk generator (issue 8): counts, ids, totals that a recalculation confirms, the command."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from collectdesk.commands import run
from collectdesk.db import make_engine, session_factory
from collectdesk.engine import generate as generate_module
from collectdesk.engine.generate import GenerateError, generate
from collectdesk.engine.recalc import recalc_all
from collectdesk.engine.shipped import install_system_rows
from collectdesk.models import Base, Client, Debtor, Operator

TODAY = dt.date(2026, 11, 22)
N = 2_000

# An independent statement of the rule: owing = principal + interest + fees + legal - paid -
# adjustments, each from the posted transactions of its financial type (a negative To Us /
# Direct adds to what is owed); promises (no posted date) and internal ones count for nothing.
OWING_BY_SQL = """
SELECT d.id, d.owing, d.principal, d.fees, d.paid,
       COALESCE(t.principal, 0) + COALESCE(t.interest, 0) + COALESCE(t.fees, 0)
         + COALESCE(t.legal, 0) - COALESCE(t.paid, 0) - COALESCE(t.adjustments, 0),
       COALESCE(t.principal, 0), COALESCE(t.fees, 0), COALESCE(t.paid, 0)
FROM debtors d LEFT JOIN (
    SELECT debtor_id,
           SUM(CASE WHEN financial_type = 16 THEN -(to_us + direct) ELSE 0 END) AS principal,
           SUM(CASE WHEN financial_type = 2 THEN -(to_us + direct) ELSE 0 END) AS interest,
           SUM(CASE WHEN financial_type = 4 THEN -(to_us + direct) ELSE 0 END) AS fees,
           SUM(CASE WHEN financial_type = 8 THEN -(to_us + direct) ELSE 0 END) AS legal,
           SUM(CASE WHEN financial_type = 1 THEN to_us + direct ELSE 0 END) AS paid,
           SUM(CASE WHEN financial_type = 32 THEN to_us + direct ELSE 0 END) AS adjustments
    FROM transactions WHERE posted_date IS NOT NULL GROUP BY debtor_id
) t ON t.debtor_id = d.id
"""


def _new_database(path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with session_factory(engine)() as session:
        install_system_rows(session, demo=False)
        session.commit()
    engine.dispose()
    return url


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    url = _new_database(tmp_path_factory.mktemp("gen") / "gen.db")
    seen: list[tuple[int, int]] = []
    summary = generate(url, N, seed=3, today=TODAY, progress=lambda d, t: seen.append((d, t)))
    engine = make_engine(url)
    yield url, engine, summary, seen
    engine.dispose()


def _scalar(engine, sql: str):
    with engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def test_counts(generated) -> None:
    _url, engine, summary, seen = generated
    assert summary.debtors == _scalar(engine, "SELECT count(*) FROM debtors") == N
    assert summary.clients == _scalar(engine, "SELECT count(*) FROM clients") == 1
    assert summary.contacts == _scalar(engine, "SELECT count(*) FROM contacts") == 5 * N
    assert _scalar(engine, "SELECT count(DISTINCT debtor_id) FROM contacts") == N
    assert _scalar(engine, "SELECT max(n) FROM (SELECT count(*) AS n FROM contacts "
                           "GROUP BY debtor_id)") == 5
    tx = _scalar(engine, "SELECT count(*) FROM transactions")
    assert summary.transactions == tx and 2.6 * N <= tx <= 3.6 * N
    cosigners = _scalar(engine, "SELECT count(*) FROM cosigners")
    assert summary.cosigners == cosigners and 0.08 * N <= cosigners <= 0.12 * N
    notes = _scalar(engine, "SELECT count(*) FROM notes")
    assert summary.notes == notes and N <= notes <= 2 * N
    assert summary.phones == _scalar(engine, "SELECT count(*) FROM phones") > 2 * N
    assert summary.emails == _scalar(engine, "SELECT count(*) FROM emails") > 0.7 * N
    assert _scalar(engine, "SELECT count(*) FROM operators WHERE id LIKE 'COL%'") == 50
    assert seen[-1] == (N, N)
    assert summary.rows_per_second > 0 and summary.phases


def test_realistic_spread(generated) -> None:
    _url, engine, _summary, _seen = generated
    with engine.connect() as conn:
        states = conn.exec_driver_sql("SELECT count(DISTINCT state) FROM debtors").scalar()
        assert states >= 45
        open_, done = conn.exec_driver_sql(
            "SELECT sum(done = 0), sum(done = 1) FROM contacts").one()
        assert 0.1 * 5 * N < open_ < 0.4 * 5 * N < done
        due = dict(conn.exec_driver_sql(
            "SELECT CASE WHEN due_date < :t THEN 'past' WHEN due_date = :t THEN 'today' "
            "ELSE 'future' END, count(*) FROM contacts WHERE done = 0 GROUP BY 1",
            {"t": TODAY.isoformat()}).all())
        assert due["past"] > 0 and due["today"] > 0 and due["future"] > 0
        operators = conn.exec_driver_sql(
            "SELECT count(DISTINCT operator_id) FROM contacts WHERE done = 0").scalar()
        assert operators == 50
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM transactions WHERE posted_date IS NULL").scalar() > 0
        codes = {c for (c,) in conn.exec_driver_sql("SELECT DISTINCT type_code FROM transactions")}
        assert {"196", "101", "109"} <= codes
        phones = conn.exec_driver_sql("SELECT number, digits FROM phones").all()
        assert all(d == re.sub(r"\D", "", n) for n, d in phones)
        assert len({re.sub(r"\d", "9", n) for n, _d in phones}) == 5
        bad = conn.exec_driver_sql(
            "SELECT count(*) FROM debtors WHERE substr(ssn, 1, 3) IN ('000', '666') "
            "OR substr(ssn, 1, 1) = '9'").scalar()
        assert bad == 0
        emails = conn.exec_driver_sql(
            "SELECT count(*) FROM emails e JOIN debtors d ON d.id = e.debtor_id "
            "WHERE e.address = d.email AND e.address_lower = lower(d.email)").scalar()
        assert emails == _scalar(engine, "SELECT count(*) FROM emails")


def test_owing_equals_the_transactions(generated) -> None:
    _url, engine, _summary, _seen = generated
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(OWING_BY_SQL).all()
    assert len(rows) == N
    for debtor_id, owing, principal, fees, paid, want, want_p, want_f, want_paid in rows:
        assert _money(owing) == _money(want), debtor_id
        assert (_money(principal), _money(fees), _money(paid)) == \
            (_money(want_p), _money(want_f), _money(want_paid)), debtor_id


def test_a_recalculation_changes_nothing(generated) -> None:
    _url, engine, _summary, _seen = generated
    result = recalc_all(engine, today=TODAY)
    assert result.debtors == N and result.changed == 0


def test_indexes_and_journal_are_restored(generated) -> None:
    _url, engine, summary, _seen = generated
    assert summary.journal == "memory"  # while loading, with the file to itself
    with engine.connect() as conn:
        names = {n for (n,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    wanted = {ix.name for table in Base.metadata.tables.values() for ix in table.indexes}
    assert wanted <= names


def test_ids_continue_after_orm_inserts(tmp_path) -> None:
    url = _new_database(tmp_path / "ids.db")
    engine = make_engine(url)
    first = generate(url, 300, seed=1, today=TODAY)
    assert (first.first_file_number, first.last_file_number) == (1, 300)
    with session_factory(engine)() as session:
        client_id = session.scalar(select(func.max(Client.id)))
        debtor = Debtor(client_id=client_id, name="Typed, By Hand")
        session.add(debtor)
        session.commit()
        assert debtor.id == 301
    second = generate(url, 200, seed=2, today=TODAY)
    assert (second.first_file_number, second.last_file_number) == (302, 501)
    assert second.journal == "wal"  # another connection was open: loaded in WAL, still right
    with session_factory(engine)() as session:
        again = Debtor(client_id=client_id, name="Typed, Again")
        session.add(again)
        client = Client(name="By Hand Client")
        session.add(client)
        session.commit()
        assert again.id == 502
        assert client.id == 3  # after the two generated clients
        assert session.scalar(select(func.count()).select_from(Operator)
                              .where(Operator.id.like("COL%"))) == 50
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*), count(DISTINCT id) FROM contacts").one() \
            == (2_500, 2_500)
    engine.dispose()


def _fingerprint(url: str) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT d.id, d.name, d.ssn, d.owing, d.home_phone, "
            "(SELECT group_concat(type || due_date, ',') FROM contacts c WHERE c.debtor_id = d.id) "
            "FROM debtors d ORDER BY d.id").all()
    engine.dispose()
    return rows


def test_same_seed_same_data_however_the_work_is_split(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(generate_module, "CHUNK", 250)
    inline = _new_database(tmp_path / "inline.db")
    generate(inline, 600, seed=9, today=TODAY, workers=0)
    pooled = _new_database(tmp_path / "pooled.db")
    summary = generate(pooled, 600, seed=9, today=TODAY, workers=2)
    assert summary.workers == 2
    assert _fingerprint(inline) == _fingerprint(pooled)
    other = _new_database(tmp_path / "other.db")
    generate(other, 600, seed=10, today=TODAY, workers=0)
    assert _fingerprint(other) != _fingerprint(inline)


def test_refuses_a_database_without_schema(tmp_path) -> None:
    with pytest.raises(GenerateError, match="no CollectDesk schema"):
        generate(f"sqlite:///{tmp_path / 'empty.db'}", 10)
    with pytest.raises(GenerateError):
        generate(f"sqlite:///{tmp_path / 'empty.db'}", 0)


def test_command_creates_the_schema_and_reports_json(tmp_path, capsys) -> None:
    path = tmp_path / "cmd.db"
    assert run(["generate", "--accounts", "400", "--db", str(path), "--seed", "4",
                "--today", "2026-11-22", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["created_schema"] is True
    assert report["debtors"] == 400 and report["contacts"] == 2_000
    engine = make_engine(str(path))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM transaction_types")).scalar() > 50
    engine.dispose()
    assert run(["generate", "--accounts", "100", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Generated 100 accounts" in out and "401 - 500" in out


def test_command_fails_in_one_line(tmp_path, capsys) -> None:
    assert run(["generate", "--accounts", "0", "--db", str(tmp_path / "x.db")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("collectdesk generate:")


def test_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    try:
        summary = generate(pg_url, 1_000, seed=5, today=TODAY)
        assert summary.debtors == 1_000 and summary.contacts == 5_000
        assert recalc_all(engine, today=TODAY).changed == 0
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(OWING_BY_SQL).all()
        assert all(_money(r[1]) == _money(r[5]) for r in rows)
        with session_factory(engine)() as session:
            client_id = session.scalar(select(func.max(Client.id)))
            debtor = Debtor(client_id=client_id, name="Typed, By Hand")
            session.add(debtor)
            session.commit()
            assert debtor.id == 1_001
    finally:
        Base.metadata.drop_all(engine)
        engine.dispose()
