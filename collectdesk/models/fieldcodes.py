"""The printable field codes (de.na, de.st, cl.na, cd.tr …): the system's vocabulary.

One registry from code to model attribute, built from the ``info`` each column
carries (see :func:`collectdesk.models.base.field`).  Schedule If, the report
writer, import maps and ODBC Sync all resolve codes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, Time
from sqlalchemy.orm import Mapper

from .base import Base


@dataclass(frozen=True)
class FieldCode:
    code: str
    model: type
    attribute: str
    kind: str  # text | number | money | percent | date | time | datetime | check | phone | picklist | radio
    label: str
    form: str  # the form the field appears on: the model's table name
    picklist: str | None
    required: bool
    length: int | None
    choices: tuple[Any, ...] | None = None
    help: str | None = None

    def value(self, record: Any) -> Any:
        return getattr(record, self.attribute)

    def parse(self, raw: str) -> Any:
        """Convert text (a Schedule If value, an import column) to this field's type."""
        raw = raw.strip()
        if self.kind in ("money", "percent"):
            return Decimal(raw.replace(",", "").replace("$", "") or "0")
        if self.kind == "number":
            return int(raw or "0")
        if self.kind == "check":
            return raw.lower() in ("1", "y", "yes", "true", "x", "on")
        if self.kind == "date":
            from dateutil import parser

            return parser.parse(raw).date() if raw else None
        return raw


def _kind(column: Any) -> str:
    info = column.info
    if info.get("kind"):
        return info["kind"]
    if info.get("picklist"):
        return "picklist"
    t = column.type
    if isinstance(t, Boolean):
        return "check"
    if isinstance(t, Numeric):
        return "percent" if t.scale == 3 else "money"
    if isinstance(t, Integer):
        return "number"
    if isinstance(t, DateTime):
        return "datetime"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, Time):
        return "time"
    return "text"


@cache
def registry() -> dict[str, FieldCode]:
    codes: dict[str, FieldCode] = {}
    for mapper in Base.registry.mappers:
        _collect(mapper, codes)
    return codes


def _collect(mapper: Mapper[Any], codes: dict[str, FieldCode]) -> None:
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        code = column.info.get("code")
        if not code:
            continue
        if code in codes:
            raise ValueError(f"printable code {code} is used twice")
        choices = column.info.get("choices")
        codes[code] = FieldCode(
            code=code,
            model=mapper.class_,
            attribute=attr.key,
            kind=_kind(column),
            label=column.info.get("label", attr.key.replace("_", " ").title()),
            form=mapper.local_table.name,
            picklist=column.info.get("picklist"),
            required=bool(column.info.get("required")),
            length=getattr(column.type, "length", None),
            choices=tuple(choices) if choices else None,
            help=column.info.get("help"),
        )


def lookup(code: str) -> FieldCode:
    """The field for ``code`` (``@`` prefix allowed); KeyError names the unknown code."""
    try:
        return registry()[code.lstrip("@").lower()]
    except KeyError:
        raise KeyError(f"unknown printable field code: {code}") from None


def for_model(model: type) -> list[FieldCode]:
    return [f for f in registry().values() if f.model is model]


__all__ = ["FieldCode", "for_model", "lookup", "registry"]
