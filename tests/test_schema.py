"""Migrations bring real SQLite and PostgreSQL databases to head, and agree with the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from collectdesk.db import make_engine
from collectdesk.models import Base
from collectdesk.schema import current_revision, head_revision, upgrade


def _assert_matches_models(engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def _assert_at_head(engine) -> None:
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_sqlite_migrates_to_head_and_matches_models(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "fresh.db"))
    upgrade(engine)
    _assert_at_head(engine)
    _assert_matches_models(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "older.db"))
    upgrade(engine)
    from alembic import command

    from collectdesk.schema import alembic_config

    cfg = alembic_config(str(engine.url))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert current_revision(engine) is None
    upgrade(engine)
    _assert_at_head(engine)


def test_postgresql_migrates_to_head_and_matches_models(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        _assert_at_head(engine)
        _assert_matches_models(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("constraint_kind", ["pk", "fk", "ix"])
def test_constraint_names_follow_the_convention(constraint_kind: str) -> None:
    prefix = {"pk": "pk_", "fk": "fk_", "ix": "ix_"}[constraint_kind]
    table = Base.metadata.tables["transactions"]
    names = {
        "pk": [table.primary_key.name],
        "fk": [fk.name for fk in table.foreign_key_constraints],
        "ix": [ix.name for ix in table.indexes],
    }[constraint_kind]
    assert names and all(str(n).startswith(prefix) for n in names)
