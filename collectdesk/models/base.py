"""Declarative base, column helpers and the conventions every record shares.

Money is ``Decimal`` end to end: currency columns are ``Numeric(14, 2)``, percent
columns ``Numeric(9, 3)`` (7.0 means 7 %).  Every column a person can see carries
its printable field code, label and help (F1 and pop-up help) in ``Column.info``; the
field-code registry (:mod:`collectdesk.models.fieldcodes`) and the form renderer read them
from there, so a field is described once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CURRENCY = Numeric(14, 2, asdecimal=True)
PERCENT = Numeric(9, 3, asdecimal=True)
CENT = Decimal("0.01")
PERCENT_STEP = Decimal("0.001")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def field(
    type_: Any,
    code: str | None = None,
    label: str | None = None,
    *args: Any,
    kind: str | None = None,
    picklist: str | None = None,
    required: bool = False,
    help: str | None = None,
    **kwargs: Any,
) -> Any:
    """A mapped column that people see: printable ``code``, screen ``label``, editor ``kind``.

    ``kind`` overrides the editor chosen from the column type (phone, picklist,
    radio …); ``picklist`` names the shipped pick list attached by default.  Extra
    positional arguments (a ``ForeignKey``) go to ``mapped_column``.
    """
    info = dict(kwargs.pop("info", {}))
    info.update(
        {
            k: v
            for k, v in {
                "code": code,
                "label": label,
                "kind": kind,
                "picklist": picklist,
                "required": required or None,
                "help": help,
            }.items()
            if v is not None
        }
    )
    if isinstance(type_, type):
        type_ = type_()
    return mapped_column(type_, *args, info=info, **kwargs)


def text(length: int, code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("default", "")
    kw.setdefault("server_default", "")
    return field(String(length), code, label, **kw)


def memo(code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("default", "")
    kw.setdefault("server_default", "")
    return field(Text, code, label, **kw)


def money(code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("default", Decimal("0.00"))
    kw.setdefault("server_default", "0")
    return field(CURRENCY, code, label, **kw)


def percent(code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("default", Decimal("0.000"))
    kw.setdefault("server_default", "0")
    return field(PERCENT, code, label, **kw)


def flag(code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("default", False)
    kw.setdefault("server_default", "0")
    return field(Boolean, code, label, **kw)


def number(code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("default", 0)
    kw.setdefault("server_default", "0")
    return field(Integer, code, label, **kw)


def date(code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("nullable", True)
    return field(Date, code, label, **kw)


def time(code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("nullable", True)
    return field(Time, code, label, **kw)


def timestamp(code: str | None = None, label: str | None = None, **kw: Any) -> Any:
    kw.setdefault("nullable", True)
    return field(DateTime, code, label, **kw)


class Versioned:
    """Optimistic concurrency for records people edit.

    SQLAlchemy adds ``WHERE version = :old`` to every UPDATE and raises
    ``StaleDataError`` when another session saved first; :func:`collectdesk.db.save`
    turns that into a :class:`~collectdesk.db.SaveConflict` naming who saved and when.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    updated_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime, default=func.now(), onupdate=func.now(), nullable=True
    )
    updated_by: Mapped[str] = mapped_column(String(7), default="", server_default="")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}
