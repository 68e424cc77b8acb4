"""Creating and upgrading databases: every schema change goes through alembic migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select

from .db import make_engine, resolve_url, session_factory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (head by default) in one transaction."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def create_database(database: str | None, *, demo: bool) -> str:
    """A new database at head with every shipped system row; demo content when ``demo``."""
    from .engine.shipped import install_system_rows

    url = resolve_url(database)
    engine = make_engine(url)
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            install_system_rows(session, demo=demo)
            session.commit()
            if demo:
                from .engine.demo import build_demo

                build_demo(session)
                session.commit()
    finally:
        engine.dispose()
    return url


def ensure_database(database: str | None) -> str:
    """Open-or-create: a new demodb gets demo content, anything older is upgraded to head."""
    from .engine.shipped import install_system_rows

    url = resolve_url(database)
    engine = make_engine(url)
    try:
        if is_empty(engine):
            engine.dispose()
            demo = (database or "demodb").strip().lower() == "demodb"
            return create_database(url, demo=demo)
        if current_revision(engine) != head_revision():
            upgrade(engine)
            with session_factory(engine)() as session:
                install_system_rows(session, demo=False)
                session.commit()
    finally:
        engine.dispose()
    return url


@dataclass
class DatabaseInfo:
    url: str
    revision: str | None
    head: str
    counts: dict[str, int]


def info(database: str | None) -> DatabaseInfo:
    from . import models

    url = resolve_url(database)
    engine = make_engine(url)
    try:
        counts: dict[str, int] = {}
        if not is_empty(engine):
            with session_factory(engine)() as session:
                for name, model in (("clients", models.Client), ("debtors", models.Debtor),
                                    ("transactions", models.Transaction),
                                    ("contacts", models.Contact), ("operators", models.Operator)):
                    counts[name] = session.scalar(select(func.count()).select_from(model)) or 0
        return DatabaseInfo(engine.url.render_as_string(hide_password=True),
                            current_revision(engine), head_revision(), counts)
    finally:
        engine.dispose()
