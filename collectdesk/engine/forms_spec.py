"""The declarative forms and lists in ``forms/``: loading, resolving fields, validating.

``forms/`` says where fields go, models say what they are (STYLE 2).  A form file
(TOML) arranges printable field codes into columns, groups and tabs and names the
sub-lists that appear; labels, editor kinds, pick lists and required-ness come from
the model column's ``info`` through :mod:`collectdesk.models.fieldcodes`, and can be
overridden in the file or by an access right (alias, hidden label, pick list).

A form file::

    [form]
    id = "status_code"          # the file name without .toml
    model = "StatusCode"
    title = "Debtor Status"
    caption = "{sc.co} {sc.de}" # title bar text, field codes in braces

    [[column]]                  # the body: columns left to right, groups top to bottom
    [[column.group]]
    title = "Status"
    fields = ["sc.co", "sc.de", {field = "sc.wp", help = "Higher sorts first"}]

    [[tab]]                     # tabs below the body
    title = "Detail"
    record = "detail"           # a one-to-one relationship of the main record
    [[tab.column]] ...
    [[tab]]
    title = "Notes"
    notes = true                # the note lines of the record
    [[tab]]
    title = "Phones"
    list = "Phone"              # a sub-list: model, link column, columns, form to open
    link = "debtor_id"
    columns = ["ph.ki", "dph.nu"]
    opens = "phone"

A list file (a browse list) has a ``[list]`` table instead: model, columns, sort,
filter and the form a row opens.

Qt-free: the UI renders these objects; tests validate every file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import RelationshipProperty

from .. import models
from ..models.fieldcodes import FieldCode, registry
from ..paths import forms_dir

#: Forms and lists the program opens directly (menus, sign-on routes, Find By).  Every other
#: file in forms/ must be reached from one of these through ``opens``; the rest are orphans.
ROOTS = frozenset({
    "company", "client", "debtor", "operator", "status_code", "transaction_type",
    "clients", "active_debtors", "all_debtors", "tagged_debtors", "operators", "status_codes",
    "transaction_types", "find_results", "contact_plans", "holidays", "preferences",
    "audit_log",
})

KINDS = frozenset({"text", "memo", "number", "money", "percent", "date", "time", "datetime", "check",
                   "phone", "picklist", "radio", "email"})


class FormSpecError(ValueError):
    """A form file is wrong; the message names the file and what is wrong."""


@dataclass(frozen=True)
class FieldSpec:
    """One field placed on a form, with its model metadata resolved."""

    code: str  # printable code, or "model.attribute" for columns without one
    model: type
    attribute: str
    kind: str
    label: str
    required: bool
    picklist: str | None
    length: int | None
    choices: tuple[Any, ...] | None
    help: str
    readonly: bool = False
    hide_label: bool = False
    width: int | None = None  # characters
    span: int = 1
    nullable: bool = True
    pytype: type = str
    hidden: bool = False  # no access for this user level

    def with_access(self, access: FieldAccess | None) -> FieldSpec:
        if access is None:
            return self
        changes: dict[str, Any] = {}
        if access.alias:
            changes["label"] = access.alias
        if access.hide_label:
            changes["hide_label"] = True
        if access.picklist:
            changes["picklist"] = access.picklist
            if self.kind == "text":
                changes["kind"] = "picklist"
        if access.required:
            changes["required"] = True
        if access.rights == 1:
            changes["readonly"] = True
        if access.rights == 0:
            changes["hidden"] = True
        if not changes:
            return self
        return FieldSpec(**{**self.__dict__, **changes})


@dataclass(frozen=True)
class GroupSpec:
    title: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class ColumnSpec:
    groups: tuple[GroupSpec, ...]
    stretch: int = 1  # share of the form's width


@dataclass(frozen=True)
class ListColumn:
    field: FieldSpec
    width: int | None = None  # characters; None = from the field's length


@dataclass(frozen=True)
class SubListSpec:
    model: type
    link: str  # column of the sub-record pointing at the parent
    key: str  # attribute of the parent record the link matches (usually "id")
    columns: tuple[ListColumn, ...]
    opens: str | None
    order: tuple[tuple[str, bool], ...]  # (attribute, descending)
    where: tuple[tuple[str, Any], ...] = ()
    new: bool = True  # F3 adds a row


#: Operations a form button may run instead of opening a form (the UI maps each to a function).
ACTIONS = frozenset({"set_password", "test_dial", "dial_setup", "payment_plan", "team_members"})


@dataclass(frozen=True)
class ButtonSpec:
    text: str
    opens: str | None  # a form id, or None for an action
    record: str | None  # relationship of the main record the opened form edits
    help: str = ""
    action: str | None = None


@dataclass(frozen=True)
class TabSpec:
    title: str
    help: str = ""
    record: str | None = None  # a one-to-one relationship (Detail, Interest, CBR)
    model: type | None = None  # the model its fields belong to
    columns: tuple[ColumnSpec, ...] = ()
    tabs: tuple[TabSpec, ...] = ()
    sublist: SubListSpec | None = None
    notes: bool = False


@dataclass(frozen=True)
class FormSpec:
    id: str
    model: type
    title: str
    caption: str
    help: str
    columns: tuple[ColumnSpec, ...]
    tabs: tuple[TabSpec, ...]
    buttons: tuple[ButtonSpec, ...]
    path: Path
    navigation: bool = True  # << >> between records

    def all_fields(self) -> list[FieldSpec]:
        out = [f for c in self.columns for g in c.groups for f in g.fields]

        def walk(tabs: tuple[TabSpec, ...]) -> None:
            for t in tabs:
                out.extend(f for c in t.columns for g in c.groups for f in g.fields)
                walk(t.tabs)

        walk(self.tabs)
        return out

    def opens(self) -> set[str]:
        found = {b.opens for b in self.buttons if b.opens}

        def walk(tabs: tuple[TabSpec, ...]) -> None:
            for t in tabs:
                if t.sublist and t.sublist.opens:
                    found.add(t.sublist.opens)
                walk(t.tabs)

        walk(self.tabs)
        return found


@dataclass(frozen=True)
class ListSpec:
    """A browse list: which rows, which columns, the default order and what a row opens."""

    id: str
    model: type
    title: str
    help: str
    columns: tuple[ListColumn, ...]
    sort: str  # attribute
    where: tuple[tuple[str, Any], ...]
    opens: str | None
    tagged_only: bool
    path: Path
    descending: bool = False  # sort = "-code": newest first

    def opens_set(self) -> set[str]:
        return {self.opens} if self.opens else set()


@dataclass(frozen=True)
class FieldAccess:
    """What an access right changes about a field for the signed-on user level.

    Decision: a field's access right is named by its printable code (``de.na``), a
    form's by its form id; ``list_width`` > 0 shows the field in lists at that width
    (0 leaves the list's own choice alone).
    """

    alias: str = ""
    hide_label: bool = False
    picklist: str = ""
    required: bool = False
    list_width: int = 0
    log_to_notes: bool = False
    rights: int = 2  # 0 none, 1 read, 2 write
    color: str = ""


# -- resolving fields -------------------------------------------------------------------------

def model_class(name: str) -> type:
    cls = getattr(models, name, None)
    if not isinstance(cls, type) or not hasattr(cls, "__table__"):
        raise FormSpecError(f"unknown model {name!r}")
    return cls


def _codes_by_attr(model: type) -> dict[str, FieldCode]:
    return {f.attribute: f for f in registry().values() if f.model is model}


def resolve_field(model: type, entry: str | dict[str, Any], where: str) -> FieldSpec:
    """A printable code (``de.na``) or an attribute name of ``model`` → a FieldSpec."""
    opts: dict[str, Any] = {}
    if isinstance(entry, dict):
        opts = dict(entry)
        name = opts.pop("field", None)
        if not isinstance(name, str):
            raise FormSpecError(f"{where}: a field entry needs field = \"code\"")
    else:
        name = entry
    fc = registry().get(name.lower())
    if fc is not None:
        if fc.model is not model:
            raise FormSpecError(
                f"{where}: field {name} belongs to {fc.model.__name__}, not {model.__name__}")
        base = _from_code(fc)
    else:
        base = _from_attribute(model, name, where)
    known = {"alias", "label", "readonly", "help", "width", "span", "kind", "hide_label", "picklist",
             "required"}
    unknown = set(opts) - known
    if unknown:
        raise FormSpecError(f"{where}: unknown option(s) {sorted(unknown)} on field {name}")
    kind = opts.get("kind", base.kind)
    if kind not in KINDS:
        raise FormSpecError(f"{where}: unknown kind {kind!r} on field {name}")
    return FieldSpec(
        **{**base.__dict__,
           "label": opts.get("alias") or opts.get("label") or base.label,
           "readonly": bool(opts.get("readonly", base.readonly)),
           "help": opts.get("help", base.help),
           "width": opts.get("width", base.width),
           "span": int(opts.get("span", 1)),
           "kind": kind,
           "hide_label": bool(opts.get("hide_label", False)),
           "picklist": opts.get("picklist", base.picklist),
           "required": bool(opts.get("required", base.required))})


def _from_code(fc: FieldCode) -> FieldSpec:
    kind = fc.kind
    column = fc.model.__table__.c[_column_name(fc.model, fc.attribute)]
    if kind == "text" and column.type.__class__.__name__ == "Text":
        kind = "memo"
    return FieldSpec(code=fc.code, model=fc.model, attribute=fc.attribute, kind=kind, label=fc.label,
                     required=fc.required, picklist=fc.picklist, length=fc.length, choices=fc.choices,
                     help=fc.help or "", nullable=bool(column.nullable), pytype=_pytype(column))


def _pytype(column: Any) -> type:
    try:
        return column.type.python_type
    except NotImplementedError:
        return str


def _column_name(model: type, attribute: str) -> str:
    prop = sa_inspect(model).get_property(attribute)
    return prop.columns[0].key


def _from_attribute(model: type, name: str, where: str) -> FieldSpec:
    mapper = sa_inspect(model)
    attr = mapper.column_attrs.get(name) if hasattr(mapper.column_attrs, "get") else None
    if attr is None:
        raise FormSpecError(f"{where}: no field {name!r} on {model.__name__} "
                            "(use a printable code or a column attribute)")
    by_attr = _codes_by_attr(model)
    if name in by_attr:
        return _from_code(by_attr[name])
    column = attr.columns[0]
    from ..models.fieldcodes import _kind

    return FieldSpec(code=f"{model.__tablename__}.{name}", model=model, attribute=name,
                     kind=_kind(column), label=column.info.get("label", name.replace("_", " ").title()),
                     required=False, picklist=column.info.get("picklist"),
                     length=getattr(column.type, "length", None), choices=None,
                     help=column.info.get("help", ""), nullable=bool(column.nullable),
                     pytype=_pytype(column))


def _relationship_model(model: type, name: str, where: str) -> type:
    prop = sa_inspect(model).relationships.get(name)
    if not isinstance(prop, RelationshipProperty):
        raise FormSpecError(f"{where}: {model.__name__} has no relationship {name!r}")
    return prop.mapper.class_


def _columns(model: type, raw: list[dict[str, Any]], where: str) -> tuple[ColumnSpec, ...]:
    cols = []
    for i, col in enumerate(raw or []):
        groups = []
        for j, g in enumerate(col.get("group", [])):
            fields = tuple(resolve_field(model, f, f"{where} column {i + 1} group {j + 1}")
                           for f in g.get("fields", []))
            groups.append(GroupSpec(g.get("title", ""), fields))
        cols.append(ColumnSpec(tuple(groups), int(col.get("stretch", 1))))
    return tuple(cols)


def _list_columns(model: type, raw: list[Any], where: str) -> tuple[ListColumn, ...]:
    out = []
    for entry in raw:
        width = entry.get("width") if isinstance(entry, dict) else None
        if isinstance(entry, dict):
            entry = {k: v for k, v in entry.items() if k != "width"}
        out.append(ListColumn(resolve_field(model, entry, where), width))
    return tuple(out)


def _order(model: type, raw: Any, where: str) -> tuple[tuple[str, bool], ...]:
    items = raw if isinstance(raw, list) else [raw] if raw else []
    out = []
    for item in items:
        desc = item.startswith("-")
        spec = resolve_field(model, item.lstrip("-"), where)
        out.append((spec.attribute, desc))
    return tuple(out)


def _where(model: type, raw: dict[str, Any] | None, where: str) -> tuple[tuple[str, Any], ...]:
    out = []
    for name, value in (raw or {}).items():
        spec = resolve_field(model, name, where)
        out.append((spec.attribute, None if value == "null" else value))
    return tuple(out)


def _tab(model: type, raw: dict[str, Any], where: str) -> TabSpec:
    title = raw.get("title")
    if not title:
        raise FormSpecError(f"{where}: a tab needs a title")
    where = f"{where} tab {title!r}"
    record = raw.get("record")
    tab_model = _relationship_model(model, record, where) if record else model
    sublist = None
    if "list" in raw:
        sub_model = model_class(raw["list"])
        link = raw.get("link")
        if not link or link not in sub_model.__table__.c:
            raise FormSpecError(f"{where}: link {link!r} is not a column of {sub_model.__name__}")
        key = raw.get("key", "id")
        if key not in sa_inspect(model).attrs:
            raise FormSpecError(f"{where}: key {key!r} is not an attribute of {model.__name__}")
        sublist = SubListSpec(
            model=sub_model, link=link, key=key,
            columns=_list_columns(sub_model, raw.get("columns", []), where),
            opens=raw.get("opens"),
            order=_order(sub_model, raw.get("order"), where),
            where=_where(sub_model, raw.get("where"), where),
            new=bool(raw.get("new", True)),
        )
    return TabSpec(
        title=title, help=raw.get("help", ""), record=record, model=tab_model,
        columns=_columns(tab_model, raw.get("column", []), where),
        tabs=tuple(_tab(tab_model, t, where) for t in raw.get("tab", [])),
        sublist=sublist, notes=bool(raw.get("notes", False)),
    )


def parse_form(data: dict[str, Any], path: Path) -> FormSpec | ListSpec:
    where = path.name
    if "list" in data and "form" not in data:
        return _parse_list(data["list"], path)
    head = data.get("form")
    if not isinstance(head, dict):
        raise FormSpecError(f"{where}: needs a [form] or a [list] table")
    form_id = head.get("id")
    if form_id != path.stem:
        raise FormSpecError(f"{where}: id {form_id!r} must equal the file name {path.stem!r}")
    model = model_class(head.get("model", ""))
    buttons = []
    for b in data.get("button", []):
        bwhere = f"{where} button {b.get('text')!r}"
        if b.get("record"):
            _relationship_model(model, b["record"], bwhere)
        if bool(b.get("opens")) == bool(b.get("action")):
            raise FormSpecError(f"{bwhere}: give either opens = \"form\" or action = \"name\"")
        if b.get("action") and b["action"] not in ACTIONS:
            raise FormSpecError(f"{bwhere}: unknown action {b['action']!r}")
        buttons.append(ButtonSpec(b["text"], b.get("opens"), b.get("record"), b.get("help", ""),
                                  b.get("action")))
    spec = FormSpec(
        id=form_id, model=model, title=head.get("title", model.__name__), caption=head.get("caption", ""),
        help=head.get("help", ""), columns=_columns(model, data.get("column", []), where),
        tabs=tuple(_tab(model, t, where) for t in data.get("tab", [])),
        buttons=tuple(buttons), path=path, navigation=bool(head.get("navigation", True)),
    )
    for code in _caption_codes(spec.caption):
        resolve_field(model, code, f"{where} caption")
    return spec


def _caption_codes(caption: str) -> list[str]:
    import re

    return re.findall(r"\{([^}]+)\}", caption)


def _parse_list(head: dict[str, Any], path: Path) -> ListSpec:
    where = path.name
    list_id = head.get("id")
    if list_id != path.stem:
        raise FormSpecError(f"{where}: id {list_id!r} must equal the file name {path.stem!r}")
    model = model_class(head.get("model", ""))
    columns = _list_columns(model, head.get("columns", []), where)
    if not columns:
        raise FormSpecError(f"{where}: a list needs columns")
    sort_raw = str(head.get("sort", columns[0].field.code))
    sort = resolve_field(model, sort_raw.lstrip("-"), where).attribute
    return ListSpec(id=list_id, model=model, title=head.get("title", list_id), help=head.get("help", ""),
                    columns=columns, sort=sort, where=_where(model, head.get("where"), where),
                    opens=head.get("opens"), tagged_only=bool(head.get("tagged_only", False)),
                    path=path, descending=sort_raw.startswith("-"))


def load_file(path: Path) -> FormSpec | ListSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FormSpecError(f"{path.name}: {exc}") from None
    return parse_form(data, path)


@cache
def _load_all(directory: str) -> dict[str, FormSpec | ListSpec]:
    return {p.stem: load_file(p) for p in sorted(Path(directory).glob("*.toml"))}


def load_all(directory: Path | None = None) -> dict[str, FormSpec | ListSpec]:
    return _load_all(str(directory or forms_dir()))


def form(form_id: str) -> FormSpec:
    spec = load_all().get(form_id)
    if not isinstance(spec, FormSpec):
        raise FormSpecError(f"no form {form_id!r} in forms/")
    return spec


def browse_list(list_id: str) -> ListSpec:
    spec = load_all().get(list_id)
    if not isinstance(spec, ListSpec):
        raise FormSpecError(f"no list {list_id!r} in forms/")
    return spec


def check_all(directory: Path | None = None) -> list[str]:
    """Every problem of forms/: bad files, references to missing forms, orphans."""
    directory = directory or forms_dir()
    problems: list[str] = []
    specs: dict[str, FormSpec | ListSpec] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.name.lower() == "readme.md":
            continue
        if path.suffix != ".toml":
            problems.append(f"{path.name}: not a form file (forms are .toml)")
            continue
        try:
            specs[path.stem] = load_file(path)
        except (FormSpecError, KeyError, TypeError) as exc:
            problems.append(str(exc))
    reached: set[str] = set()
    todo = [r for r in ROOTS if r in specs]
    problems += [f"root form {r!r} has no file in forms/" for r in sorted(ROOTS - set(specs))]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        spec = specs[name]
        targets = spec.opens() if isinstance(spec, FormSpec) else spec.opens_set()
        for target in targets:
            if target not in specs:
                problems.append(f"{spec.path.name}: opens {target!r}, which has no file in forms/")
            else:
                todo.append(target)
    problems += [f"{specs[n].path.name}: orphan — nothing opens this form"
                 for n in sorted(set(specs) - reached)]
    return problems


def caption_codes(caption: str) -> list[str]:
    return _caption_codes(caption)


__all__ = [
    "ROOTS", "ButtonSpec", "ColumnSpec", "FieldAccess", "FieldSpec", "FormSpec", "FormSpecError",
    "GroupSpec", "ListColumn", "ListSpec", "SubListSpec", "TabSpec", "browse_list", "caption_codes",
    "check_all", "form", "load_all", "load_file", "resolve_field",
]


def load_field_access(session: Any, user_level: int, operator_id: str = "") -> dict[str, FieldAccess]:
    """What the access rights change about each field for ``user_level``, by printable code.

    Rights are named and resolved by :mod:`collectdesk.engine.rights`
    (``field:debtor.name``); only fields whose access differs from the plain default
    are returned.
    """
    from . import rights as rights_engine

    table = rights_engine.effective(session, user_level, operator_id=operator_id)
    plain = FieldAccess()
    out: dict[str, FieldAccess] = {}
    for fc in registry().values():
        name = rights_engine.field_right_name(fc)
        fa = FieldAccess(
            alias=table.alias(name), hide_label=table.hidden_label(name),
            picklist=table.picklist(name) if table.picklist(name) != (fc.picklist or "") else "",
            required=table.required(name) and not fc.required, list_width=table.list_width(name),
            log_to_notes=table.log_to_notes(name), rights=int(table.rights_for(name)),
            color=table.color(name),
        )
        if fa != plain:
            out[fc.code] = fa
    return out


def form_rights(session: Any, model: type, user_level: int, operator_id: str = "") -> tuple[int, str]:
    """(rights, name of the access right) of a form for ``user_level``: 0 none, 1 read, 2 write."""
    from . import rights as rights_engine

    table = rights_engine.effective(session, user_level, operator_id=operator_id)
    name = f"form:{rights_engine.form_name(model)}"
    return int(table.rights_for(name)), name


# -- pick lists -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PickEntry:
    key: str
    text: str
    color: str = ""


def picklist_entries(session: Any, name: str) -> list[PickEntry]:
    """What a pick list offers: a list built from a table (operators, status codes …),
    the database's PickList rows, or the shipped ``.pck`` file."""
    from sqlalchemy import select

    from ..models import (
        CommissionRatePlan,
        ContactPlan,
        Operator,
        PickList,
        StatusCode,
        TransactionType,
    )

    if name == "clients":
        from ..models import Client

        return [PickEntry(str(i), n or str(i)) for i, n in session.execute(
            select(Client.id, Client.name).order_by(Client.id).limit(5000))]
    if name == "operators":
        return [PickEntry(i, n or i) for i, n in session.execute(
            select(Operator.id, Operator.name).order_by(Operator.id))]
    if name == "status_codes":
        return [PickEntry(c, d or c) for c, d in session.execute(
            select(StatusCode.code, StatusCode.description).order_by(StatusCode.code))]
    if name == "contact_plans":
        return [PickEntry(c, d or c) for c, d in session.execute(
            select(ContactPlan.code, ContactPlan.description).order_by(ContactPlan.code))]
    if name == "transaction_types":
        rows = session.execute(select(TransactionType.code, TransactionType.description)
                               .where(TransactionType.is_heading.is_(False)))
        return sorted((PickEntry(c, d or c) for c, d in rows), key=lambda e: (len(e.key), e.key))
    if name == "rate_plans":
        return [PickEntry(c, d or c) for c, d in session.execute(
            select(CommissionRatePlan.code, CommissionRatePlan.description).order_by(CommissionRatePlan.code))]
    pick = session.scalars(select(PickList).where(PickList.name == name)).first()
    if pick is not None:
        return [PickEntry(e.key.strip(), e.text or e.key.strip(), e.color or "") for e in pick.entries]
    try:
        from ..paths import picklists_dir
        from .shipped import read_pck_file

        path = picklists_dir() / f"{name}.pck"
        if path.exists():
            _type, entries = read_pck_file(path)
            return [PickEntry(e.key.strip(), e.text or e.key.strip()) for e in entries]
    except (ImportError, FileNotFoundError):
        pass
    return []
