"""Databases: a database is a URL; ``demodb`` and ``masterdb`` name the two shipped ones.

The default is a SQLite file in the user's data folder (platformdirs) with WAL and
foreign keys on; PostgreSQL URLs work the same for multi-user sites.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

NAMED_DATABASES = ("demodb", "masterdb")


def data_dir() -> Path:
    """Where the embedded databases live; ``COLLECTDESK_DATA`` overrides (tests, kiosks)."""
    override = os.environ.get("COLLECTDESK_DATA")
    path = Path(override) if override else Path(platformdirs.user_data_dir("CollectDesk", False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_url(database: str | None) -> str:
    """``demodb`` / ``masterdb`` / a file path / a SQLAlchemy URL → a SQLAlchemy URL."""
    database = (database or "demodb").strip()
    if "://" in database:
        return database
    if database.lower() in NAMED_DATABASES:
        return f"sqlite:///{data_dir() / (database.lower() + '.db')}"
    return f"sqlite:///{Path(database).expanduser().resolve()}"


def database_name(url: str) -> str:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return Path(u.database or ":memory:").stem
    return u.database or ""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(database: str | None, **kwargs: Any) -> Engine:
    url = resolve_url(database)
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if u.get_backend_name() == "postgresql" and u.drivername == "postgresql":
        url = u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class SaveConflict(Exception):
    """Another operator saved the same record after it was read; nothing was written."""

    def __init__(self, record: Any, by: str, at: dt.datetime | None) -> None:
        self.record = record
        self.by = by
        self.at = at
        when = at.strftime("%m/%d/%Y %H:%M:%S") if at else "an unknown time"
        name = type(record).__name__
        super().__init__(
            f"{name} was changed by {by or 'another operator'} at {when} while you were editing it. "
            "Reload to see their changes; your typed values are kept until you decide."
        )


def save(session: Session, *records: Any, operator: str = "") -> None:
    """Commit the session in one transaction, stamping who saved; raise SaveConflict on a race."""
    stamp_saved_by(session, records, operator)
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise conflict_for(session, records) from None


def stamp_saved_by(session: Session, records: Sequence[Any], operator: str) -> None:
    """Set Updated By on every record the session will write (call before each flush)."""
    for record in (*records, *session.dirty, *session.new):
        if hasattr(record, "updated_by") and (record in session.new or session.is_modified(record)):
            record.updated_by = operator


def conflict_for(session: Session, records: Sequence[Any]) -> SaveConflict:
    """The SaveConflict for a write of ``records`` that found a newer version (rolled back)."""
    stale = next((r for r in records if inspect(r).persistent), records[0] if records else None)
    by, at = _last_saved_by(session, stale)
    return SaveConflict(stale, by, at)


def _last_saved_by(session: Session, record: Any) -> tuple[str, dt.datetime | None]:
    if record is None:
        return "", None
    model = type(record)
    pk = inspect(record).identity
    if not pk:
        return "", None
    key_cols = inspect(model).primary_key
    stmt = select(model.updated_by, model.updated_at)
    for col, value in zip(key_cols, pk, strict=True):
        stmt = stmt.where(col == value)
    row = session.execute(stmt).first()
    return (row[0], row[1]) if row else ("", None)


@contextmanager
def open_session(database: str | None) -> Iterator[Session]:
    engine = make_engine(database)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()
