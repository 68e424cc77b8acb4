"""Save System / Save Operator: the system preferences row and an operator's own row.

:class:`collectdesk.models.Preferences` holds one system row (``operator_id`` NULL) and at most
one row per operator whose non-NULL columns override it, like Collect!'s configuration files
(seed 003 "Auto Dialer Setup": "If they configure their WIP List Options or change the Auto
Dialer preferences and click SAVE OPERATOR, then that will create a personalized configuration
file").  Every screen that edits a group of these settings (WIP Options, Auto Dialer Setup)
reads and writes its group of columns here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import db
from ..models import Preferences


def rows(session: Session,
         operator_id: str | None) -> tuple[Preferences | None, Preferences | None]:
    """``(system row, the operator's own row)``; either may be missing."""
    found = {p.operator_id: p for p in session.scalars(select(Preferences).where(
        Preferences.operator_id.is_(None) | (Preferences.operator_id == (operator_id or ""))))}
    return found.get(None), found.get(operator_id) if operator_id else None


def has_own(own: Preferences | None, attributes: Iterable[str]) -> bool:
    """Whether the operator's own row sets any of ``attributes``."""
    return own is not None and any(getattr(own, attr) is not None for attr in attributes)


def effective(session: Session, operator_id: str | None,
              attributes: Iterable[str]) -> tuple[dict[str, Any], bool]:
    """The value of each attribute for ``operator_id`` (their own, else the system's, else
    None) and whether any of them is their own."""
    attributes = list(attributes)
    system, own = rows(session, operator_id)
    values: dict[str, Any] = {}
    for attr in attributes:
        mine = getattr(own, attr) if own is not None else None
        values[attr] = mine if mine is not None else (getattr(system, attr) if system else None)
    return values, has_own(own, attributes)


def save(session: Session, operator_id: str | None, values: Mapping[str, Any] | None,
         attributes: Iterable[str], *, by: str) -> None:
    """Write ``attributes`` to the operator's own row (``operator_id``) or to the system row
    (None), creating the row when needed; ``values`` None clears the operator's own settings
    of that group, so the system's apply again.  One commit; SaveConflict on a race."""
    row = session.scalar(select(Preferences).where(
        Preferences.operator_id.is_(None) if operator_id is None
        else Preferences.operator_id == operator_id))
    if row is None:
        row = Preferences(operator_id=operator_id)
        session.add(row)
    for attr in attributes:
        setattr(row, attr, None if values is None else values[attr])
    db.save(session, row, operator=by)


def checked_dialing(values: Mapping[str, Any]) -> dict[str, Any]:
    """Auto Dialer preferences as typed, trimmed and ready to save; ValueError naming the
    field when the long-distance prefix or the local area code is not what the number
    clean-up rule (:func:`collectdesk.devices.dial_settings.clean_number`) can use."""
    prefix = (values.get("long_distance_prefix") or "").strip()
    area = (values.get("local_area_code") or "").strip()
    if prefix and not (prefix.isascii() and prefix.isdigit() and len(prefix) <= 4):
        raise ValueError(f"Long distance prefix {prefix!r}: digits only, at most 4 "
                         "(for example 1), or blank.")
    if area and not (area.isascii() and area.isdigit() and len(area) == 3):
        raise ValueError(f"Local area code {area!r}: three digits (for example 212), or blank.")
    return {**values, "long_distance_prefix": prefix, "local_area_code": area}


def problems(record: Any) -> list[str]:
    """Why a record cannot be saved as typed, when it is a Preferences row (the System >
    Preferences form): its Auto Dialer values are checked as the Auto Dialer Setup checks them.
    Any other record: no problem here."""
    if not isinstance(record, Preferences):
        return []
    try:
        checked_dialing({"long_distance_prefix": record.long_distance_prefix,
                         "local_area_code": record.local_area_code})
    except ValueError as exc:
        return [str(exc)]
    return []
