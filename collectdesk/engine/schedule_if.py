"""The "Schedule If" condition of a plan event: a printable field code, a comparison, a value.

Seed 003, "Reassigning an Account to a New Operator": ``de.st = NY`` assigns New York accounts
to JC; "Changing Debtor Commission Rate": ``Type = 2`` on a pick-list field.  The value is
compared using the field's kind:

* text, phone, radio and pick-list fields compare as text, case-insensitively and ignoring
  surrounding blanks;
* numbers, money, percents and dates are parsed with :meth:`FieldCode.parse` and compared as
  numbers / dates; a date-and-time field compares its date;
* check boxes accept Y/N, 1/0, yes/no, true/false (``=`` and ``<>`` only).

Operators: ``=``, ``<>``, ``<``, ``>``, ``<=``, ``>=``.  A "To" value makes a range: ``=`` means
from ≤ value ≤ to (inclusive), ``<>`` means outside it.  A blank operator means ``=``.

Decisions where the seed is silent:

* Pick-list fields: the value may be the stored key or the text shown in the pick list (the seed:
  "NY or New York, depending on how your states are entered"), and ``=`` / ``<>`` accept several
  values separated by commas (``de.st = NY, NJ``).
* A blank field: ``=`` with a blank value is true; ordered comparisons on a blank date or a blank
  number are false (a missing date is neither before nor after anything).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..models.fieldcodes import FieldCode, lookup

OPERATORS = ("=", "<>", "<", ">", "<=", ">=")

_TEXT_KINDS = frozenset({"text", "phone", "picklist", "radio", "memo"})
_ORDERED = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


class ScheduleIfError(ValueError):
    """A condition that cannot be evaluated: unknown field code, operator or value."""


#: pick-list name → {shown text (casefolded): key}; supplied by the caller (database rows).
PickListTexts = Callable[[str], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Condition:
    field: FieldCode
    op: str
    values: tuple[Any, ...]  # one value, or several for a pick-list = / <>
    high: Any = None  # the "To" value of a range
    is_range: bool = False

    @property
    def code(self) -> str:
        return self.field.code

    def holds(self, raw: Any) -> bool:
        """Whether a record whose field holds ``raw`` satisfies the condition."""
        value = normalise(self.field, raw)
        if self.is_range:
            inside = (value is not None and self.values[0] is not None and self.high is not None
                      and self.values[0] <= value <= self.high)
            return inside if self.op == "=" else not inside
        if self.op == "=":
            return value in self.values
        if self.op == "<>":
            return value not in self.values
        target = self.values[0]
        if value is None or target is None:
            return False
        return _ORDERED[self.op](value, target)

    def describe(self) -> str:
        if self.is_range:
            return f"{self.code} {self.op} {self.values[0]}..{self.high}"
        return f"{self.code} {self.op} {', '.join(str(v) for v in self.values)}"


def normalise(field: FieldCode, raw: Any) -> Any:
    """A field's stored value in the comparable form of its kind (None = blank)."""
    kind = field.kind
    if kind in _TEXT_KINDS:
        return "" if raw is None else str(raw).strip().casefold()
    if raw is None or raw == "":
        return None
    if kind == "check":
        return bool(raw)
    if kind == "datetime":
        return raw.date() if isinstance(raw, dt.datetime) else raw
    if kind in ("money", "percent"):
        return Decimal(raw)
    return raw


def parse_value(field: FieldCode, text: str) -> Any:
    """A condition value typed in the event form, as a comparable value of the field's kind."""
    text = (text or "").strip()
    kind = field.kind
    if kind in _TEXT_KINDS:
        return text.casefold()
    if text == "":
        return None
    try:
        if kind == "datetime":
            return lookup_date(text)
        if kind == "time":
            return dt.time.fromisoformat(text)
        return field.parse(text)
    except (ValueError, InvalidOperation, OverflowError) as exc:
        raise ScheduleIfError(
            f"Schedule If: {text!r} is not a valid {kind} for {field.code}") from exc


def lookup_date(text: str) -> dt.date:
    from dateutil import parser

    return parser.parse(text).date()


def compile_condition(code: str, op: str, value_from: str, value_to: str = "", *,
                      picklist_texts: PickListTexts | None = None) -> Condition | None:
    """The condition of an event, or None when the event has no Schedule If field."""
    code = (code or "").strip()
    if not code:
        return None
    try:
        field = lookup(code)
    except KeyError as exc:
        raise ScheduleIfError(f"Schedule If: unknown printable field code {code}") from exc
    op = (op or "").strip() or "="
    if op == "!=":
        op = "<>"
    if op not in OPERATORS:
        raise ScheduleIfError(f"Schedule If: unknown comparison {op!r} (use {' '.join(OPERATORS)})")
    texts = picklist_texts(field.picklist) if (picklist_texts and field.picklist) else {}

    def parse(text: str) -> Any:
        value = parse_value(field, text)
        if field.kind == "picklist" and isinstance(value, str):
            value = texts.get(value, value).strip().casefold()
        return value

    if (value_to or "").strip():
        if op not in ("=", "<>"):
            raise ScheduleIfError(f"Schedule If: a From/To range needs = or <>, not {op}")
        return Condition(field, op, (parse(value_from),), parse(value_to), is_range=True)
    if field.kind == "check" and op not in ("=", "<>"):
        raise ScheduleIfError(f"Schedule If: {code} is a check box; use = or <>")
    if field.kind == "picklist" and op in ("=", "<>") and "," in (value_from or ""):
        return Condition(field, op, tuple(parse(v) for v in value_from.split(",")))
    return Condition(field, op, (parse(value_from),))


__all__ = ["OPERATORS", "Condition", "ScheduleIfError", "compile_condition", "normalise",
           "parse_value"]
