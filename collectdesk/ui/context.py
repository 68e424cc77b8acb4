"""What every window of a signed-on program shares: the database, the operator, one change signal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Signal
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .. import db
from ..engine.access import AccessPolicy
from ..engine.contact_plans import forget_cached_plans
from ..engine.rights import RightsTable, effective, rebuild_if_changed
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

    Signing on (setting :attr:`operator`) builds the operator's account access
    (:attr:`policy`) and the access rights of its user level (:attr:`rights`) once; every
    window passes them to the engine.  Signing off (``operator = None``) drops them, and the
    next sign-on builds them again — changed rights take effect at the next sign-on (seed 003).
    """

    changed = Signal(str, object)
    popup_help_changed = Signal(bool)

    def __init__(self, url: str, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self.engine = engine
        self.sessions: sessionmaker[Session] = db.session_factory(engine)
        self._operator: Operator | None = None
        self._policy: AccessPolicy | None = None
        self._rights: RightsTable | None = None
        self.popup_help = True
        self.settings: Any = None

    @property
    def operator(self) -> Operator | None:
        return self._operator

    @operator.setter
    def operator(self, operator: Operator | None) -> None:
        self._operator = operator
        self._policy = None
        self._rights = None
        if operator is not None:
            self._build_access()
            # Disable Popup Help (Operator Detail tab): the operator starts with it off; Help >
            # Pop-up Help turns it back on for the session.
            self.set_popup_help(not operator.disable_popup_help)

    def _build_access(self) -> None:
        from .access_rights_page import program_items

        with self.sessions() as s:
            # A program whose forms, fields, menus or buttons changed brings their rows with it.
            rebuild_if_changed(s, program_items(), operator_id=self.operator_id)
            try:
                self._policy = AccessPolicy.for_operator(s, self.operator_id)
            except LookupError:
                # The operator's row is gone: fail closed, every account refused and hidden.
                self._policy = AccessPolicy(self.operator_id, restricted=True, strict=True,
                                            locked_out=True)
            self._rights = effective(s, self.user_level, operator_id=self.operator_id)

    @property
    def policy(self) -> AccessPolicy:
        """The signed-on operator's account access (everything visible when nobody is on)."""
        if self._policy is None:
            if self._operator is not None:
                self._build_access()
            else:
                return AccessPolicy.unrestricted()
        assert self._policy is not None
        return self._policy

    @property
    def rights(self) -> RightsTable:
        """The access rights of the signed-on operator's user level."""
        if self._rights is None:
            if self._operator is not None:
                self._build_access()
            else:
                with self.sessions() as s:
                    return effective(s, self.user_level)
        assert self._rights is not None
        return self._rights

    def sign_off(self) -> None:
        """Drop the operator, and the cached contact plans: the next sign-on reads them anew
        (seed 003 "Contact Plan Caching")."""
        self.operator = None
        forget_cached_plans(self.engine)

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
