"""Access rights: what each user level may do with every form, field, menu item and button.

Seed 003 "User Level And Access Rights" and "Screen Labels".  Every item has one
:class:`~collectdesk.models.AccessRight` row, named by kind::

    form:debtor              a form (the snake_case name of its model class)
    field:debtor.name        a field (form . model attribute), from the printable-code registry
    menu:system              a menu; menu:system.operators is an item under it
    button:debtor.recalc     a button on a form

The row holds the item's properties (alias, hide label, pick list, control file, list width,
colour, verify on exit, log verification, log to notes, required); its
:class:`~collectdesk.models.FormRight` rows override, per user level, the rights (no access /
read / write), the alias and the pick list.

A level with no FormRight row for an item gets the shipped default for that level
(:data:`SHIPPED_DEFAULTS`, data the manager overrides by adding FormRight rows), else write.
An item is never more open than what contains it: a field or a button is limited by its form,
a menu item by its menu.

At sign-on the UI builds one :class:`RightsTable` with :func:`effective` and asks it
everything (``rights_for``, ``alias``, ``label``, ``picklist``, ``hidden_label``,
``required`` …); a refused action raises :class:`AccessRefused`, whose message names the
access right to change, and is written to the audit log.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AccessRight, FormRight, PickList, Rights
from ..models.fieldcodes import FieldCode, registry
from . import audit as audit_log

KINDS = ("form", "field", "menu", "button")

#: ``updated_by`` of rows written by a rebuild: such a row was never edited by a person, so a
#: later rebuild may refresh it from the model (a field that became required, a new pick list).
REBUILD = audit_log.REBUILD_MARK

ADMIN_LEVEL = 99
GUEST_LEVEL = 98


class AccessRefused(PermissionError):
    """An action the operator's user level may not do; the message names the right to change."""

    def __init__(self, name: str, right_id: int | None, level: int, have: Rights, need: Rights,
                 *, because: str | None = None) -> None:
        self.name = name
        self.right_id = right_id
        self.level = level
        self.have = have
        self.need = need
        self.because = because or name  # the right that refused (the item or what contains it)
        number = f"#{right_id}" if right_id is not None else "not yet in the access rights list"
        what = "no access" if have is Rights.NONE else "read-only access"
        msg = (f"Access right '{self.because}' ({number}) gives level {level} {what}; "
               "ask an administrator to change it")
        if self.because != name:
            msg += f" (needed for '{name}')"
        super().__init__(msg + ".")


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RightItem:
    """One form, field, menu item or button the program has, with its built-in properties."""

    name: str
    kind: str
    form: str = ""
    label: str = ""
    picklist: str = ""
    required: bool = False
    list_width: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown access right kind {self.kind!r} (use one of {KINDS})")
        if not self.name.startswith(self.kind + ":"):
            raise ValueError(f"access right {self.name!r} must start with '{self.kind}:'")


def form_name(model: type) -> str:
    """``DebtorDetail`` → ``debtor_detail``: the form part of right names."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def field_right_name(fc: FieldCode) -> str:
    return f"field:{form_name(fc.model)}.{fc.attribute}"


@cache
def _right_names_by_code() -> dict[str, str]:
    return {fc.code.lower(): field_right_name(fc) for fc in registry().values()}


def right_for_code(code: str) -> str | None:
    """``de.st`` → ``field:debtor.state``; None for a column without a printable code."""
    return _right_names_by_code().get((code or "").lower())


def menu_item(path: str, label: str = "") -> RightItem:
    """``menu_item("system.operators")`` → the item for System > Operators."""
    return RightItem(f"menu:{path}", "menu", label=label)


def button_item(form: str, button: str, label: str = "") -> RightItem:
    return RightItem(f"button:{form}.{button}", "button", form=form, label=label)


def form_item(form: str, label: str = "") -> RightItem:
    return RightItem(f"form:{form}", "form", form=form, label=label)


@cache
def model_items() -> tuple[RightItem, ...]:
    """A form item for every model with printable fields, and a field item for each field."""
    items: dict[str, RightItem] = {}
    for fc in registry().values():
        form = form_name(fc.model)
        items.setdefault(f"form:{form}", form_item(form, fc.model.__name__))
        name = field_right_name(fc)
        items[name] = RightItem(name, "field", form=form, label=fc.label,
                                picklist=fc.picklist or "", required=fc.required)
    return tuple(sorted(items.values(), key=lambda i: i.name))


def parents(name: str) -> list[str]:
    """What contains an item, nearest first: field/button → its form; menu a.b.c → a.b → a."""
    kind, _, rest = name.partition(":")
    if kind in ("field", "button") and "." in rest:
        return [f"form:{rest.split('.', 1)[0]}"]
    if kind == "menu":
        parts = rest.split(".")
        return [f"menu:{'.'.join(parts[:i])}" for i in range(len(parts) - 1, 0, -1)]
    return []


# ---------------------------------------------------------------------------------------------
# Shipped defaults (data)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DefaultRule:
    """Rights for ``levels`` on the items whose name matches ``pattern`` (fnmatch)."""

    levels: tuple[int, ...]
    pattern: str
    rights: Rights
    why: str = ""


#: The forms that manage rights and operators: closed to collectors and guests.
RIGHTS_FORMS = ("form:access_right", "form:form_right", "form:operator", "form:team_member",
                "form:pick_list", "form:pick_list_entry", "form:audit_entry")

#: Debtor totals written by recalculation, and the File Number: read-only for collectors.
DEBTOR_FIGURES = ("id", "original_principal", "judgement_principal", "principal", "interest",
                  "fees", "legal_costs", "paid", "adjustments", "owing", "last_payment_date",
                  "last_payment_amount", "commission_total", "tax_total", "internal_total")

_COLLECTOR = (30,)
_GUEST = (GUEST_LEVEL,)

#: First matching rule wins for a level; no rule → WRITE.  A FormRight row always wins.
#: Levels follow the shipped operators (shipped.py): 99 and 90 administer, 50 manages the
#: office, 30 collects, 98 is the guest level the seed recommends for CLIENT operators.
SHIPPED_DEFAULTS: tuple[DefaultRule, ...] = (
    DefaultRule((ADMIN_LEVEL, 90), "*", Rights.WRITE, "administration"),
    DefaultRule(_COLLECTOR, "menu:system", Rights.NONE, "collectors do not set the system up"),
    *(DefaultRule(_COLLECTOR, f, Rights.NONE, "rights and operators are for administrators")
      for f in RIGHTS_FORMS),
    *(DefaultRule(_COLLECTOR, f"field:debtor.{f}", Rights.READ,
                  "file number and totals are written by the system")
      for f in DEBTOR_FIGURES),
    DefaultRule(_GUEST, "menu:system", Rights.NONE, "guests do not set the system up"),
    *(DefaultRule(_GUEST, f, Rights.NONE, "rights and operators are for administrators")
      for f in RIGHTS_FORMS),
    DefaultRule(_GUEST, "button:*", Rights.NONE, "buttons act on records: guests only look"),
    DefaultRule(_GUEST, "*", Rights.READ, "guests read only"),
)


def default_rights(level: int, name: str) -> tuple[Rights, DefaultRule | None]:
    for rule in SHIPPED_DEFAULTS:
        if level in rule.levels and fnmatch.fnmatchcase(name, rule.pattern):
            return rule.rights, rule
    return Rights.WRITE, None


# ---------------------------------------------------------------------------------------------
# Rebuild
# ---------------------------------------------------------------------------------------------

@dataclass
class RebuildReport:
    added: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by a person: left as they are
    removed: list[str] = field(default_factory=list)  # in the database, no longer in the program

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.refreshed)} refreshed, {len(self.kept)} kept "
                f"as edited, {len(self.removed)} no longer used")


#: What a rebuild writes from the program's items (the rest of a row is the manager's).
_BUILT_IN = ("kind", "form", "picklist", "required", "list_width")


def _wanted(items: Iterable[RightItem], include_model_items: bool) -> dict[str, RightItem]:
    wanted: dict[str, RightItem] = {}
    for item in (*(model_items() if include_model_items else ()), *items):
        wanted[item.name] = item
    return wanted


def _compare(wanted: dict[str, RightItem], existing: dict[str, Any]) -> RebuildReport:
    """What a rebuild would do; ``existing`` rows need the name, ``updated_by`` and the
    built-in attributes (AccessRight objects or plain rows)."""
    report = RebuildReport()
    for name, item in sorted(wanted.items()):
        row = existing.get(name)
        if row is None:
            report.added.append(name)
        elif row.updated_by == REBUILD:
            if any(getattr(row, a) != getattr(item, a) for a in _BUILT_IN):
                report.refreshed.append(name)
        else:
            report.kept.append(name)
    report.removed = sorted(set(existing) - set(wanted))
    return report


def rebuild_if_changed(session: Session, items: Iterable[RightItem] = (), *,
                       operator_id: str = "") -> RebuildReport | None:
    """Rebuild the access rights list when the program's forms, fields, menu items or buttons
    changed since it was built (an item without a row, or an unedited row whose built-in
    properties differ), keeping every edited setting; None when nothing changed.

    Done at each sign-on, so a new version of the program brings its new items with it.  A
    database whose list was never built is left to the administrator's first Rebuild (until
    then the shipped defaults decide).  Reading the rows as plain tuples keeps the check to
    one query.
    """
    columns = [AccessRight.name, AccessRight.updated_by,
               *(getattr(AccessRight, a) for a in _BUILT_IN)]
    existing = {row.name: row for row in session.execute(select(*columns))}
    if not existing:
        return None
    wanted = _wanted(items, True)
    report = _compare(wanted, existing)
    if not (report.added or report.refreshed):
        return None
    return rebuild_access_rights(session, items, operator_id=operator_id)


def rebuild_access_rights(session: Session, items: Iterable[RightItem] = (), *,
                          include_model_items: bool = True, operator_id: str = "",
                          delete_removed: bool = False, commit: bool = True) -> RebuildReport:
    """Make the access rights list match the program's items, keeping every edited setting.

    ``items`` are what the UI has (forms, menus, buttons); the model's forms and fields are
    added unless ``include_model_items`` is False.  Missing rows are inserted; rows a rebuild
    wrote and nobody edited are refreshed from the item (kind, form, pick list, required, list
    width); rows a person edited and all FormRight rows are left alone; rows for items the
    program no longer has are reported (and deleted only when ``delete_removed``).

    It commits by default: rows it wrote keep ``updated_by = "rebuild"`` only if no later save
    stamps them with an operator, and that marker is how the next rebuild knows they are
    unedited.
    """
    wanted = _wanted(items, include_model_items)
    existing = {r.name: r for r in session.scalars(select(AccessRight))}
    report = _compare(wanted, existing)
    for name in report.added:
        item = wanted[name]
        session.add(AccessRight(
            name=name, kind=item.kind, form=item.form, picklist=item.picklist,
            required=item.required, list_width=item.list_width, updated_by=REBUILD))
    for name in report.refreshed:
        for attr in _BUILT_IN:
            setattr(existing[name], attr, getattr(wanted[name], attr))
    if delete_removed:
        for name in report.removed:
            session.delete(existing[name])
    if report.added or report.refreshed or (delete_removed and report.removed):
        audit_log.audit(session, operator_id, audit_log.RIGHTS_CHANGED,
                        f"access rights rebuilt: {report.summary()}")
    if commit:
        session.commit()
    return report


# ---------------------------------------------------------------------------------------------
# Effective rights of one level
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    id: int | None
    rights: Rights
    explicit: bool  # a FormRight row for the level
    alias: str
    picklist: str
    hide_label: bool = False
    required: bool = False
    verify_on_exit: bool = False
    log_verification: bool = False
    log_to_notes: bool = False
    list_width: int = 0
    color: str = ""
    control_file: str = ""


class RightsTable:
    """Everything one user level may do, looked up by item name; built once per sign-on."""

    def __init__(self, level: int, entries: dict[str, _Entry], operator_id: str = "") -> None:
        self.level = level
        self.operator_id = operator_id
        self._entries = entries

    def _entry(self, name: str) -> _Entry:
        entry = self._entries.get(name)
        if entry is None:
            rights = default_rights(self.level, name)[0]
            entry = _Entry(None, rights, False, "", "")
            self._entries[name] = entry
        return entry

    # --- rights -------------------------------------------------------------------------------

    def own_rights(self, name: str) -> Rights:
        """The item's own rights, not limited by what contains it."""
        return self._entry(name).rights

    def _deciding(self, name: str) -> tuple[Rights, str]:
        """The effective rights and the right that sets them (the item or a container)."""
        rights, by = self.own_rights(name), name
        for parent in parents(name):
            r = self.own_rights(parent)
            if r < rights:
                rights, by = r, parent
        return rights, by

    def rights_for(self, name: str) -> Rights:
        return self._deciding(name)[0]

    def can_read(self, name: str) -> bool:
        return self.rights_for(name) >= Rights.READ

    def can_write(self, name: str) -> bool:
        return self.rights_for(name) >= Rights.WRITE

    def enabled(self, name: str) -> bool:
        """Menus and buttons: usable with read or write."""
        return self.can_read(name)

    def require(self, name: str, need: Rights = Rights.READ, *,
                session: Session | None = None) -> None:
        """Raise :class:`AccessRefused` unless the level has ``need``; log the refusal."""
        have, by = self._deciding(name)
        if have >= need:
            return
        refusal = AccessRefused(name, self._entry(by).id, self.level, have, Rights(need),
                                because=by)
        if session is not None:
            audit_log.audit_now(session, self.operator_id, audit_log.ACCESS_REFUSED, str(refusal))
        raise refusal

    # --- properties ---------------------------------------------------------------------------

    def alias(self, name: str) -> str:
        return self._entry(name).alias

    def label(self, name: str, default: str) -> str:
        """What to show for the item: its alias at this level, else ``default``."""
        return self.alias(name) or default

    def picklist(self, name: str) -> str:
        """The pick list for the item at this level (the level's own list wins)."""
        return self._entry(name).picklist

    def hidden_label(self, name: str) -> bool:
        return self._entry(name).hide_label

    def required(self, name: str) -> bool:
        return self._entry(name).required

    def verify_on_exit(self, name: str) -> bool:
        return self._entry(name).verify_on_exit

    def log_verification(self, name: str) -> bool:
        return self._entry(name).log_verification

    def log_to_notes(self, name: str) -> bool:
        return self._entry(name).log_to_notes

    def list_width(self, name: str) -> int:
        return self._entry(name).list_width

    def color(self, name: str) -> str:
        return self._entry(name).color

    def control_file(self, name: str) -> str:
        return self._entry(name).control_file

    def right_id(self, name: str) -> int | None:
        return self._entry(name).id


def effective(session: Session, level: int, *, operator_id: str = "") -> RightsTable:
    """The rights table of ``level``: a few queries, then dictionary lookups.

    Level 99 bypasses the access rights (seed: "Assigning a User Level 99 may result in losing
    functionality that relies on Collect!'s access rights system"; "User level 99 does not
    display pick lists … except for internal pick lists"): write everywhere, no aliases, no
    hidden labels, no required or verified fields, and only system pick lists.  List width,
    colour, control files and logging changes to notes still apply.
    """
    if level == ADMIN_LEVEL:
        return _admin_table(session, operator_id)
    per_level = {fr.access_right_id: fr for fr in session.scalars(
        select(FormRight).where(FormRight.user_level == level))}
    entries: dict[str, _Entry] = {}
    for row in session.scalars(select(AccessRight)):
        fr = per_level.get(row.id)
        if fr is not None:
            rights, explicit = Rights(fr.rights), True
        else:
            rights, explicit = default_rights(level, row.name)[0], False
        entries[row.name] = _Entry(
            id=row.id, rights=rights, explicit=explicit,
            alias=(fr.alias if fr is not None and fr.alias else row.alias) or "",
            picklist=(fr.picklist if fr is not None and fr.picklist else row.picklist) or "",
            hide_label=bool(row.hide_label), required=bool(row.required),
            verify_on_exit=bool(row.verify_on_exit), log_verification=bool(row.log_verification),
            log_to_notes=bool(row.log_to_notes), list_width=row.list_width or 0,
            color=row.color or "", control_file=row.control_file or "")
    return RightsTable(level, entries, operator_id)


def _admin_table(session: Session, operator_id: str) -> RightsTable:
    from .shipped import DYNAMIC_PICKLISTS

    internal = set(session.scalars(select(PickList.name).where(PickList.system.is_(True))))
    internal |= DYNAMIC_PICKLISTS
    entries: dict[str, _Entry] = {}
    for row in session.scalars(select(AccessRight)):
        entries[row.name] = _Entry(
            id=row.id, rights=Rights.WRITE, explicit=False, alias="",
            picklist=row.picklist if row.picklist in internal else "",
            log_to_notes=bool(row.log_to_notes), list_width=row.list_width or 0,
            color=row.color or "", control_file=row.control_file or "")
    return RightsTable(ADMIN_LEVEL, entries, operator_id)


# ---------------------------------------------------------------------------------------------
# Editing
# ---------------------------------------------------------------------------------------------

def get_right(session: Session, name: str) -> AccessRight:
    row = session.scalar(select(AccessRight).where(AccessRight.name == name))
    if row is None:
        raise LookupError(f"no access right named {name!r}; rebuild the access rights list")
    return row


def set_level_rights(session: Session, name: str, level: int, *, rights: Rights | None = None,
                     alias: str | None = None, picklist: str | None = None,
                     operator_id: str = "") -> FormRight:
    """Create or change the FormRight of ``level`` on item ``name`` (audited on flush)."""
    if not 1 <= level <= 99:
        raise ValueError(f"user level {level} is outside 1-99")
    right = get_right(session, name)
    fr = session.scalar(select(FormRight).where(
        FormRight.access_right_id == right.id, FormRight.user_level == level))
    if fr is None:
        fr = FormRight(access_right_id=right.id, user_level=level,
                       rights=int(default_rights(level, name)[0]))
        session.add(fr)
    if rights is not None:
        fr.rights = int(rights)
    if alias is not None:
        fr.alias = alias
    if picklist is not None:
        fr.picklist = picklist
    fr.updated_by = operator_id
    return fr


def clear_level_rights(session: Session, name: str, level: int, *,
                       operator_id: str = "") -> bool:
    """Drop the FormRight of ``level`` on item ``name``: the level gets the shipped default
    again (audited on flush as deleted by ``operator_id``).  False when there was none."""
    right = get_right(session, name)
    fr = session.scalar(select(FormRight).where(
        FormRight.access_right_id == right.id, FormRight.user_level == level))
    if fr is None:
        return False
    fr.updated_by = operator_id  # the audit entry names who removed it, not who last set it
    session.delete(fr)
    return True


def set_properties(session: Session, name: str, *, operator_id: str = "",
                   **props: object) -> AccessRight:
    """Change an item's properties (alias, hide_label, picklist, required …; audited on flush)."""
    right = get_right(session, name)
    allowed = {"alias", "hide_label", "picklist", "control_file", "list_width", "color",
               "verify_on_exit", "log_verification", "log_to_notes", "required"}
    unknown = set(props) - allowed
    if unknown:
        raise ValueError(f"not an access right property: {', '.join(sorted(unknown))}")
    for key, value in props.items():
        setattr(right, key, value)
    right.updated_by = operator_id or "edited"  # anything but REBUILD marks it as edited
    return right


__all__ = [
    "ADMIN_LEVEL", "GUEST_LEVEL", "KINDS", "REBUILD", "RIGHTS_FORMS", "SHIPPED_DEFAULTS",
    "AccessRefused", "DefaultRule", "RebuildReport", "RightItem", "RightsTable", "button_item",
    "clear_level_rights", "default_rights", "effective", "field_right_name", "form_item",
    "form_name", "get_right", "menu_item", "model_items", "parents", "rebuild_access_rights",
    "rebuild_if_changed", "right_for_code", "set_level_rights", "set_properties",
]
