"""What every window of a signed-on program shares: the database, the operator, one change signal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Signal
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .. import db
from ..models import Operator


def open_database(database: str | None) -> tuple[str, Engine]:
    """Create or upgrade the database to the current schema, then open it."""
    from ..schema import ensure_database

    url = ensure_database(database)
    return url, db.make_engine(url)


class AppContext(QObject):
    """The signed-on session of the program.

    ``changed(table, id)`` is the one signal windows refresh from (STYLE 5): any
    operation that writes emits it after its commit.
    """

    changed = Signal(str, object)
    popup_help_changed = Signal(bool)

    def __init__(self, url: str, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self.engine = engine
        self.sessions: sessionmaker[Session] = db.session_factory(engine)
        self.operator: Operator | None = None
        self.popup_help = True
        self.settings: Any = None

    @property
    def operator_id(self) -> str:
        return self.operator.id if self.operator else ""

    @property
    def user_level(self) -> int:
        return int(self.operator.user_level) if self.operator else 0

    @property
    def database_name(self) -> str:
        return db.database_name(self.url)

    def new_session(self) -> Session:
        return self.sessions()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as s:
            yield s

    def notify(self, table: str, record_id: Any = None) -> None:
        self.changed.emit(table, record_id)

    def set_popup_help(self, on: bool) -> None:
        self.popup_help = on
        self.popup_help_changed.emit(on)
