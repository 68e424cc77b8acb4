"""Export and import contact plans as files (System → Contact Management Settings → Import /
Export Contact Plan; seed 003 "Import/Export Contact Plan").

The original's file format is not described in the seed; ours is JSON, readable and diffable::

    {"format": "collectdesk.contact-plans", "version": 1,
     "plans": [{"code": "NEW", "description": "New Business", "delete_all_pending": true, …,
                "events": [{"seq": 1, "type": "Status", "description": "NEW", …}, …]}]}

Every field of a plan and of its events is written by its model attribute name (money as a
decimal string, times as ``HH:MM:SS``), so export → import → export gives the same text.
Importing a plan whose code exists replaces it (its events included) unless ``replace=False``,
in which case the plan is skipped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Integer, Numeric, Time, inspect, select
from sqlalchemy.orm import Session, selectinload

from ..models import ContactPlan, PlanEvent

FORMAT = "collectdesk.contact-plans"
VERSION = 1
_BOOKKEEPING = {"id", "plan_id", "version", "updated_at", "updated_by"}


class PlanFileError(ValueError):
    """A plan file that cannot be read; nothing was imported."""


def _fields(model: type) -> list[tuple[str, Any]]:
    return [(attr.key, attr.columns[0].type) for attr in inspect(model).column_attrs
            if attr.key not in _BOOKKEEPING]


PLAN_FIELDS = _fields(ContactPlan)
EVENT_FIELDS = _fields(PlanEvent)


def _dump(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return value


def _load(name: str, type_: Any, value: Any, where: str) -> Any:
    try:
        if value is None:
            return None
        if isinstance(type_, Boolean):
            if not isinstance(value, bool):
                raise TypeError("true or false")
            return value
        if isinstance(type_, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("a whole number")
            return value
        if isinstance(type_, Numeric):
            return Decimal(str(value))
        if isinstance(type_, Time):
            return dt.time.fromisoformat(value)
        if not isinstance(value, str):
            raise TypeError("text")
        return value
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise PlanFileError(f"{where}: {name} must be {exc or 'valid'}, not {value!r}") from None


def plan_to_dict(plan: ContactPlan) -> dict[str, Any]:
    out = {name: _dump(getattr(plan, name)) for name, _ in PLAN_FIELDS}
    out["events"] = [{name: _dump(getattr(ev, name)) for name, _ in EVENT_FIELDS}
                     for ev in sorted(plan.events, key=lambda e: (e.seq, e.id or 0))]
    return out


def export_plans(session: Session, codes: Iterable[str] | None = None) -> str:
    """The plans (all of them, or those named) as the text of a plan file."""
    stmt = select(ContactPlan).options(selectinload(ContactPlan.events)).order_by(ContactPlan.code)
    wanted = None if codes is None else list(codes)
    if wanted is not None:
        stmt = stmt.where(ContactPlan.code.in_(wanted))
    plans = list(session.scalars(stmt))
    if wanted is not None:
        missing = sorted(set(wanted) - {p.code for p in plans})
        if missing:
            raise PlanFileError(f"no contact plan {', '.join(missing)}")
    data = {"format": FORMAT, "version": VERSION, "plans": [plan_to_dict(p) for p in plans]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _record(model_fields: list[tuple[str, Any]], data: dict[str, Any],
            where: str) -> dict[str, Any]:
    known = {name for name, _ in model_fields}
    unknown = sorted(set(data) - known - {"events"})
    if unknown:
        raise PlanFileError(f"{where}: unknown field {', '.join(unknown)}")
    return {name: _load(name, type_, data[name], where)
            for name, type_ in model_fields if name in data}


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def parse_plan_file(text: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Check a whole file before anything is written: (plan values, [event values])."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"not a plan file: line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlanFileError(f"not a plan file (format should be {FORMAT!r})")
    if data.get("version") != VERSION:
        raise PlanFileError(f"plan file version {data.get('version')!r} is not supported")
    plans = []
    for n, raw in enumerate(data.get("plans") or [], 1):
        if not isinstance(raw, dict) or not str(raw.get("code") or "").strip():
            raise PlanFileError(f"plan {n}: no code")
        where = f"plan {raw['code']}"
        values = _record(PLAN_FIELDS, raw, where)
        events = [_record(EVENT_FIELDS, ev, f"{where} event {i}")
                  for i, ev in enumerate(raw.get("events") or [], 1)]
        for ev in events:
            if not ev.get("type"):
                raise PlanFileError(f"{where}: an event has no type")
        plans.append((values, events))
    codes = [values["code"] for values, _ in plans]
    if len(set(codes)) != len(codes):
        raise PlanFileError("the file names a plan twice")
    return plans


def import_plans(session: Session, text: str, *, replace: bool = True) -> ImportResult:
    """Add (or replace) the plans of a plan file.  Flushes; the caller commits."""
    result = ImportResult()
    for values, events in parse_plan_file(text):
        existing = session.scalar(select(ContactPlan).where(ContactPlan.code == values["code"]))
        if existing is not None and not replace:
            result.skipped.append(values["code"])
            continue
        if existing is None:
            plan = ContactPlan()
            session.add(plan)
            result.added.append(values["code"])
        else:
            plan = existing
            plan.events.clear()
            session.flush()
            result.replaced.append(values["code"])
        for name, value in values.items():
            setattr(plan, name, value)
        plan.events = [PlanEvent(**ev) for ev in events]
    session.flush()
    return result


def write_plan_file(session: Session, path: str | Path, codes: Iterable[str] | None = None) -> int:
    text = export_plans(session, codes)
    Path(path).write_text(text, encoding="utf-8")
    return len(json.loads(text)["plans"])


def read_plan_file(session: Session, path: str | Path, *, replace: bool = True) -> ImportResult:
    return import_plans(session, Path(path).read_text(encoding="utf-8"), replace=replace)


__all__ = ["FORMAT", "ImportResult", "PlanFileError", "export_plans", "import_plans",
           "parse_plan_file", "plan_to_dict", "read_plan_file", "write_plan_file"]
