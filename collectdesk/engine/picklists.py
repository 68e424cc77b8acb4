"""Pick lists: stored in the database, attached to fields through access rights (seed 003
"Pick Lists").

An entry has a key (what is stored), a text (what is shown; the key when empty), an order and
an optional colour.  An entry with a blank key lets the user type a value that is not in the
list — which must still fit the field's data type: text, numeric (whole numbers), currency (up
to 2 decimals), percent (up to 3 decimals) or date.

The list a field uses comes from the access rights: the level's Form Rights pick list, else the
Access Right's (:meth:`collectdesk.engine.rights.RightsTable.picklist`).  Legacy ``.pck`` files
are read by :func:`collectdesk.engine.shipped.parse_pck` — one parser for shipped and imported
lists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from ..models import (
    CommissionRatePlan,
    ContactPlan,
    Operator,
    PickList,
    PickListEntry,
    StatusCode,
    TransactionType,
)
from ..models.fieldcodes import FieldCode, registry
from .shipped import DYNAMIC_PICKLISTS, PICKLIST_TYPES, PickListFileError, parse_pck

DATA_TYPES = PICKLIST_TYPES  # text, numeric, currency, percent, date

#: Field kinds (models.fieldcodes) → pick list data type.
_KIND_TYPES = {"number": "numeric", "money": "currency", "percent": "percent",
               "date": "date", "datetime": "date"}

_WHOLE = re.compile(r"^[+-]?\d+$")
_COLOUR = re.compile(r"^[0-9A-Fa-f]{6}$")
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")
_KEY_LENGTH = 60  # PickListEntry.key


class PickListError(ValueError):
    """A value that the field's pick list or data type refuses; the message says why."""


@dataclass(frozen=True)
class Entry:
    key: str
    text: str
    order: int = 0
    color: str = ""

    @property
    def shown(self) -> str:
        return self.text or self.key

    @property
    def blank(self) -> bool:
        return not self.key.strip()


def data_type_of(fc: FieldCode) -> str:
    """The pick list data type of a field (from its column type when its kind is a pick list)."""
    if fc.kind in _KIND_TYPES:
        return _KIND_TYPES[fc.kind]
    column_type = sa_inspect(fc.model).column_attrs[fc.attribute].columns[0].type
    if isinstance(column_type, Boolean):
        return "text"
    if isinstance(column_type, Numeric):
        return "percent" if column_type.scale == 3 else "currency"
    if isinstance(column_type, Integer):
        return "numeric"
    if isinstance(column_type, Date | DateTime):
        return "date"
    return "text"


# ---------------------------------------------------------------------------------------------
# Reading lists
# ---------------------------------------------------------------------------------------------

def _dynamic(session: Session, name: str) -> list[Entry]:
    """Lists built from tables (shipped.DYNAMIC_PICKLISTS)."""
    if name == "operators":
        rows = session.execute(select(Operator.id, Operator.name).order_by(Operator.id))
    elif name == "status_codes":
        rows = session.execute(select(StatusCode.code, StatusCode.description)
                               .order_by(StatusCode.code))
    elif name == "contact_plans":
        rows = session.execute(select(ContactPlan.code, ContactPlan.description)
                               .order_by(ContactPlan.code))
    elif name == "transaction_types":
        rows = session.execute(select(TransactionType.code, TransactionType.description)
                               .order_by(TransactionType.code))
    elif name == "rate_plans":
        rows = session.execute(select(CommissionRatePlan.code, CommissionRatePlan.description)
                               .order_by(CommissionRatePlan.code))
    else:
        raise LookupError(name)
    # A blank entry: these fields may be left empty, and nothing else may be typed.
    return [Entry(k, t or "", i) for i, (k, t) in enumerate(rows, start=1)]


def get(session: Session, name: str) -> PickList | None:
    return session.scalar(select(PickList).where(PickList.name == name))


def entries(session: Session, name: str) -> list[Entry] | None:
    """A list's entries in order; None when there is no such list."""
    if name in DYNAMIC_PICKLISTS:
        return _dynamic(session, name)
    pick_list = get(session, name)
    if pick_list is None:
        return None
    return [Entry(e.key or "", e.text or "", e.order or 0, e.color or "")
            for e in sorted(pick_list.entries, key=lambda e: (e.order or 0, e.id or 0))]


def data_type(session: Session, name: str) -> str:
    pick_list = get(session, name)
    return (pick_list.data_type if pick_list is not None else "text") or "text"


def allows_free_text(items: list[Entry]) -> bool:
    return any(e.blank for e in items)


def shown(session: Session, name: str, key: str) -> str:
    """The text shown for a stored key (the report writer's @PT); the key when not listed."""
    for e in entries(session, name) or []:
        if e.key == key:
            return e.shown
    return key


def colour(session: Session, name: str, key: str) -> str:
    for e in entries(session, name) or []:
        if e.key == key:
            return e.color
    return ""


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

def _decimal(value: Any, places: int, what: str) -> Decimal:
    text = str(value).strip().replace(",", "").replace("$", "").rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise PickListError(f"{value!r} is not a number ({what}).") from None
    if not number.is_finite():
        raise PickListError(f"{value!r} is not a number ({what}).")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places:
        raise PickListError(f"{value!r} has more than {places} decimals ({what}).")
    return number


def parse_value(data_type_name: str, value: Any) -> Any:
    """``value`` converted to the data type, or PickListError saying what is wrong."""
    kind = (data_type_name or "text").lower()
    if kind not in DATA_TYPES:
        raise PickListError(f"unknown data type {data_type_name!r} "
                            f"(use one of {', '.join(DATA_TYPES)})")
    if kind == "text":
        return "" if value is None else str(value)
    if kind == "numeric":
        if isinstance(value, bool):
            raise PickListError(f"{value!r} is not a whole number.")
        if isinstance(value, int):
            return value
        text = str(value).strip().replace(",", "")
        if not _WHOLE.match(text):
            raise PickListError(f"{value!r} is not a whole number.")
        return int(text)
    if kind == "currency":
        return _decimal(value, 2, "currency, up to 2 decimals")
    if kind == "percent":
        return _decimal(value, 3, "percent, up to 3 decimals")
    # date
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise PickListError(f"{value!r} is not a date (MM/DD/YYYY or YYYY-MM-DD).")


def _same(data_type_name: str, key: str, parsed: Any) -> bool:
    try:
        return parse_value(data_type_name, key) == parsed
    except PickListError:
        return False


def validate(session: Session, list_name: str | None, data_type_name: str, value: Any) -> Any:
    """The value to store for ``value`` in a field of ``data_type_name`` with pick list
    ``list_name`` (None or "" for no list), or PickListError.

    An empty value is always accepted (whether the field is required is an access right).
    The value must fit the data type; when the list has no blank entry it must also be one of
    the keys — or, for text, a key or shown text in any case, which is stored as the key.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return "" if (data_type_name or "text") == "text" else None
    parsed = parse_value(data_type_name, value)
    if not list_name:
        return parsed
    items = entries(session, list_name)
    if items is None:
        return parsed  # a missing list restricts nothing (the access right names a list to create)
    if allows_free_text(items):
        return parsed
    if (data_type_name or "text") == "text":
        wanted = str(parsed).strip()
        for e in items:
            if not e.blank and e.key == wanted:
                return e.key
        folded = wanted.casefold()
        for e in items:
            if not e.blank and folded in (e.key.casefold(), e.text.casefold()):
                return e.key
    else:
        for e in items:
            if not e.blank and _same(data_type_name, e.key, parsed):
                return parsed
    choices = ", ".join(e.key for e in items[:12]) + (" …" if len(items) > 12 else "")
    raise PickListError(f"{value!r} is not in the {list_name} pick list ({choices}).")


def validate_field(session: Session, table: Any, right_name: str, value: Any) -> Any:
    """Validate a field by its access right name (``field:debtor.state``) for one level.

    ``table`` is the level's :class:`~collectdesk.engine.rights.RightsTable`: its pick list (the
    level's own, else the access right's) is used; the data type comes from the field registry.
    """
    fc = field_code_for(right_name)
    kind = data_type_of(fc) if fc is not None else "text"
    return validate(session, table.picklist(right_name), kind, value)


def field_code_for(right_name: str) -> FieldCode | None:
    return _fields_by_right().get(right_name)


@cache
def _fields_by_right() -> dict[str, FieldCode]:
    from .rights import field_right_name

    return {field_right_name(fc): fc for fc in registry().values()}


# ---------------------------------------------------------------------------------------------
# Editing
# ---------------------------------------------------------------------------------------------

def create(session: Session, name: str, data_type_name: str = "text", *,
           description: str = "", system: bool = False) -> PickList:
    name = name.strip()
    if not name:
        raise PickListError("A pick list needs a name.")
    if data_type_name not in DATA_TYPES:
        raise PickListError(f"unknown data type {data_type_name!r} "
                            f"(use one of {', '.join(DATA_TYPES)})")
    if name in DYNAMIC_PICKLISTS:
        raise PickListError(f"{name} is built from its table and cannot be edited as a list.")
    if get(session, name) is not None:
        raise PickListError(f"A pick list named {name!r} already exists.")
    pick_list = PickList(name=name, data_type=data_type_name, description=description,
                         system=system)
    session.add(pick_list)
    return pick_list


def add_entry(session: Session, pick_list: PickList, key: str, text: str = "", *,
              color: str = "", order: int | None = None) -> PickListEntry:
    """Add an entry; the order pre-fills to the next one, the key must fit the list's type."""
    key = (key or "").strip()
    if key:
        parse_value(pick_list.data_type or "text", key)
    if color and not _COLOUR.match(color):
        raise PickListError(f"Colour {color!r} is not six hexadecimal digits (RRGGBB).")
    if any((e.key or "") == key for e in pick_list.entries):
        what = "a blank entry" if not key else f"key {key!r}"
        raise PickListError(f"{pick_list.name} already has {what}.")
    if order is None:
        order = max((e.order or 0 for e in pick_list.entries), default=0) + 1
    entry = PickListEntry(key=key, text=text or "", color=color.upper(), order=order)
    pick_list.entries.append(entry)
    return entry


class EntryError(PickListError):
    """A bad entry of an edited list; ``row`` is its 1-based row, named in the message with the
    value that is wrong."""

    def __init__(self, row: int, message: str) -> None:
        self.row = row
        super().__init__(f"Row {row}: {message}")


def check_entries(data_type_name: str, rows: Sequence[Entry]) -> list[Entry]:
    """The entries of a list as they will be stored (keys trimmed, colours upper case), or
    :class:`EntryError` for the first row whose key does not fit ``data_type_name``, whose
    colour is not RRGGBB, or whose key (the blank one too) is already on an earlier row."""
    kind = (data_type_name or "text").lower()
    if kind not in DATA_TYPES:
        raise PickListError(f"unknown data type {data_type_name!r} "
                            f"(use one of {', '.join(DATA_TYPES)})")
    seen: dict[str, int] = {}
    out: list[Entry] = []
    for row, entry in enumerate(rows, start=1):
        key = (entry.key or "").strip()
        if len(key) > _KEY_LENGTH:
            raise EntryError(row, f"key {key!r} is longer than {_KEY_LENGTH} characters.")
        if key:
            try:
                parse_value(kind, key)
            except PickListError as exc:
                raise EntryError(row, f"key {exc}") from None
        color = (entry.color or "").strip().lstrip("#")
        if color and not _COLOUR.match(color):
            raise EntryError(row, f"colour {entry.color!r} is not six hexadecimal digits "
                                  "(RRGGBB).")
        if key in seen:
            what = f"key {key!r}" if key else "the blank entry (free text)"
            raise EntryError(row, f"{what} is already on row {seen[key]}.")
        seen[key] = row
        out.append(Entry(key, (entry.text or "").strip(), entry.order, color.upper()))
    return out


def set_entries(session: Session, pick_list: PickList, rows: Sequence[Entry], *,
                data_type: str | None = None, description: str | None = None) -> PickList:
    """Replace a list's entries (and optionally its data type and description) after checking
    every row with :func:`check_entries`: on an error nothing is changed.  An entry with order
    0 takes its row number."""
    kind = data_type or pick_list.data_type or "text"
    checked = check_entries(kind, rows)
    pick_list.data_type = kind
    if description is not None:
        pick_list.description = description
    pick_list.entries.clear()
    session.flush()  # the old rows go before new ones with the same keys arrive
    for row, entry in enumerate(checked, start=1):
        pick_list.entries.append(PickListEntry(key=entry.key, text=entry.text, color=entry.color,
                                               order=entry.order or row))
    return pick_list


def used_by(session: Session, name: str) -> list[str]:
    """The access rights that attach list ``name``: ``field:debtor.state`` (every level) or
    ``field:debtor.state (level 30)``."""
    from ..models import AccessRight, FormRight

    found = list(session.scalars(select(AccessRight.name).where(AccessRight.picklist == name)
                                 .order_by(AccessRight.name)))
    found += [f"{right} (level {level})" for right, level in session.execute(
        select(AccessRight.name, FormRight.user_level)
        .join(FormRight, FormRight.access_right_id == AccessRight.id)
        .where(FormRight.picklist == name).order_by(AccessRight.name, FormRight.user_level))]
    return found


def delete_list(session: Session, pick_list: PickList) -> None:
    """Delete a list and its entries.  Access rights naming it keep the name: a field whose
    list is missing accepts any value of its type until a list of that name exists again."""
    session.delete(pick_list)


def import_pck(session: Session, path: str | Path, name: str | None = None) -> PickList:
    """Import a legacy ``.pck`` file as a pick list named after the file (or ``name``).

    Refused when a list of that name exists ("rename the file to be unique"); a malformed file
    raises :class:`~collectdesk.engine.shipped.PickListFileError` naming the line.
    """
    path = Path(path)
    list_name = (name or path.stem).strip()
    if list_name.lower().endswith(".pck"):
        list_name = list_name[:-4]
    existing = session.scalar(
        select(PickList).where(func.lower(PickList.name) == list_name.lower()))
    if existing is not None:
        raise PickListError(f"A pick list named {existing.name!r} already exists; rename "
                            f"{path.name} to import it.")
    kind, rows = parse_pck(path.read_text(encoding="utf-8"), source=path.name)
    pick_list = create(session, list_name, kind, description=f"Imported from {path.name}")
    for order, row in enumerate(rows, start=1):
        pick_list.entries.append(PickListEntry(key=row.key, text=row.text, order=order))
    return pick_list


__all__ = [
    "DATA_TYPES", "Entry", "EntryError", "PickListError", "PickListFileError", "add_entry",
    "allows_free_text", "check_entries", "colour", "create", "data_type", "data_type_of",
    "delete_list", "entries", "field_code_for", "get", "import_pck", "parse_value",
    "set_entries", "shown", "used_by", "validate", "validate_field",
]
