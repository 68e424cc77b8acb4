"""System ▸ Rights ▸ Access Rights: every form, field, menu item and button, and what each user
level may do with it (seed 003 "User Level And Access Rights", "Screen Labels").

The left side lists the access rights as a tree (forms with their fields and buttons, the
menus) with a filter box and a kind filter; the columns show the rights and alias of the chosen
user level.  The right side edits the chosen item: for the level, its rights (no access / read
/ write), alias and pick list (a Form Rights row); for every level, the item's properties
(alias, pick list, hide label, required, verify on exit, log verification, log changes to notes,
list width, colour, control file).  Saving writes through :mod:`collectdesk.engine.rights`,
whose mapper events audit every change, then rebuilds the signed-on operator's rights table so
menus and forms follow at once; other operators get the change at their next sign-on.

Rebuild adds rows for the forms, fields, menus and buttons the program has and keeps every
edited setting (:func:`collectdesk.engine.rights.rebuild_access_rights`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from ..engine import audit, forms_spec
from ..engine import picklists as picklist_ops
from ..engine import rights as rights_ops
from ..engine.shipped import DYNAMIC_PICKLISTS
from ..models import AccessRight, FormRight, Operator, OperatorType, PickList, Rights
from . import dialogs
from .page import Page

#: The menu item of this page: an operator needs write on it to change anything here.
MENU_RIGHT = "menu:system.rights.access_rights"

RIGHTS_TEXT = {Rights.NONE: "No access", Rights.READ: "Read", Rights.WRITE: "Write"}
KINDS = (("", "All kinds"), ("form", "Forms"), ("field", "Fields"), ("menu", "Menus"),
         ("button", "Buttons"))
#: Properties that only mean something on a field (forms, menus and buttons have no label to
#: hide, no value to require or log, no list column).
FIELD_ONLY = ("picklist", "hide_label", "required", "verify_on_exit", "log_verification",
              "log_to_notes", "list_width", "color")
PROPERTIES = ("alias", "picklist", "hide_label", "required", "verify_on_exit", "log_verification",
              "log_to_notes", "list_width", "color", "control_file")
NAME_ROLE = Qt.ItemDataRole.UserRole
ROOT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Width of the label column of the editor's forms, so that the group boxes line up.
LABEL_WIDTH = 84
COLOUR = re.compile(r"^[0-9A-Fa-f]{6}$")
ADMIN_NOTE = ("Level 99 bypasses the access rights: write everywhere, no aliases, hidden labels "
              "or required fields, and only the system's pick lists.")


def open(window: Any) -> Page:
    """The entry point Command.open_page calls."""
    return window.push(AccessRightsPage(window))


# ---------------------------------------------------------------------------------------------
# What the program has
# ---------------------------------------------------------------------------------------------

def _slug(text: str) -> str:
    """``Change &Password…`` → ``change_password``: the last part of menu and button right names (the
    same rule as the main window's menus and the record forms' buttons)."""
    return re.sub(r"[^a-z0-9]+", "_", text.replace("&", "").replace("…", "").lower()).strip("_")


def program_items() -> list[rights_ops.RightItem]:
    """The menus, menu items, forms and buttons of the desktop program, with their labels.

    The model's forms and fields are added by the rebuild itself; form files give the forms
    their titles and their buttons (every record form with a Recalc button has its right, and
    every record form has a Delete button).
    """
    from . import commands

    items: list[rights_ops.RightItem] = []

    def walk(entries: list, path: str) -> None:
        for entry in entries:
            if entry is None:
                continue
            if isinstance(entry, tuple):
                sub = f"{path}.{_slug(entry[0])}"
                items.append(rights_ops.menu_item(sub, entry[0].replace("&", "")))
                walk(entry[1], sub)
            else:
                items.append(rights_ops.menu_item(f"{path}.{_slug(entry.text)}",
                                                  entry.text.replace("&", "").replace("…", "")))

    for title, entries in commands.MENUS:
        items.append(rights_ops.menu_item(_slug(title), title.replace("&", "")))
        walk(entries, _slug(title))
    for spec in forms_spec.load_all().values():
        if not isinstance(spec, forms_spec.FormSpec):
            continue
        form = rights_ops.form_name(spec.model)
        items.append(rights_ops.form_item(form, spec.title))
        texts = [b.text for b in spec.buttons] + ["Delete"]
        if spec.model.__name__ in ("Debtor", "Client"):
            texts.append("Recalc")
        for text in texts:
            items.append(rights_ops.button_item(form, _slug(text), text.replace("&", "")))
    return items


def item_labels() -> dict[str, str]:
    """What each right is called on screen: field labels, form titles, menu and button texts."""
    labels = {i.name: _words(i.label) if i.kind == "form" else i.label
              for i in rights_ops.model_items()}
    labels.update({i.name: i.label for i in program_items() if i.label})
    return labels


def _words(name: str) -> str:
    """``CommissionRatePlan`` → ``Commission Rate Plan`` (forms without a form file)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def _drop_pooled_forms(window: Any) -> None:
    """Closed record forms are kept for reuse with the rights they were built with: drop them,
    so that the next form opened is built with the rights just saved."""
    pool = getattr(window, "_pool", None)
    if not isinstance(pool, dict):
        return
    for page in list(pool.values()):
        window.stack.removeWidget(page)
        page.deleteLater()
    pool.clear()


# ---------------------------------------------------------------------------------------------
# The editor's values
# ---------------------------------------------------------------------------------------------

@dataclass
class Loaded:
    """One item as read for one level: what the editor shows and what saving compares with."""

    name: str
    kind: str
    right_id: int
    version: int
    level: int
    level_row: bool  # a Form Rights row exists for the level
    level_version: int | None
    level_by: str
    rights: Rights
    level_alias: str
    level_picklist: str
    props: dict[str, Any]
    form_rights: list[tuple[int, Rights, str, str]]  # (level, rights, alias, pick list)


class AccessRightsPage(Page):
    help_text = ("Every form, field, menu item and button, and what each user level may do with "
                 "it. Choose a user level and an item: the level's rights (no access, read, "
                 "write), alias and pick list apply to that level only; the properties below "
                 "apply to every level. Save (Ctrl+S) applies the change to your own session at "
                 "once, other operators at their next sign-on. Rebuild adds the forms, fields, "
                 "menus and buttons the program has and keeps every edited setting.")

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle("Access Rights")
        self.setObjectName("accessRights")
        self.labels = item_labels()
        self.loaded: Loaded | None = None
        self._filling = False
        self._edit_buttons: dict[QComboBox, QPushButton] = {}
        self._matched: set[str] = set()
        self.items: dict[str, QTreeWidgetItem] = {}
        self.table: rights_ops.RightsTable | None = None
        table = self.ctx.rights
        self.editable = table.can_write(MENU_RIGHT) and table.can_write("form:access_right")

        # -- header ---------------------------------------------------------------------------
        self.level = QSpinBox(objectName="userLevel")
        self.level.setRange(1, 99)
        self.level.setValue(self._first_level())
        self.level.setToolTip("The user level whose rights are shown and edited (1-99; 99 "
                              "administers, 98 is the guest level)")
        self.level.setFixedWidth(64)
        self.level.valueChanged.connect(self._level_changed)
        self._shown_level = self.level.value()
        self.level_operators = QLabel(objectName="formSubtitle")
        self.counts = QLabel(objectName="formSubtitle")
        level_label = QLabel("User &level")
        level_label.setBuddy(self.level)
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(QLabel("Access Rights", objectName="formTitle"))
        head.addWidget(self.counts, 1)
        head.addWidget(level_label)
        head.addWidget(self.level)
        head.addWidget(self.level_operators)

        # -- the list --------------------------------------------------------------------------
        self.filter = QLineEdit(objectName="rightsFilter", clearButtonEnabled=True)
        self.filter.setPlaceholderText("Filter by name, label or alias")
        self.filter.textChanged.connect(lambda _t: self.apply_filter())
        self.kind = QComboBox(objectName="rightsKind")
        for kind, title in KINDS:
            self.kind.addItem(title, kind)
        self.kind.currentIndexChanged.connect(lambda _i: self.apply_filter())
        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.kind)
        self.tree = QTreeWidget(objectName="rightsTree")
        self.tree.setColumnCount(4)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 220)
        self.tree.setColumnWidth(2, 84)
        self.tree.setColumnWidth(3, 96)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.empty = QLabel("The access rights list is empty. Press Rebuild to list every form, "
                            "field, menu item and button of the program.", objectName="error")
        self.empty.setWordWrap(True)
        left = QWidget()
        llay = QVBoxLayout(left)
        llay.setContentsMargins(0, 0, 0, 0)
        llay.setSpacing(6)
        llay.addLayout(filters)
        llay.addWidget(self.empty)
        llay.addWidget(self.tree, 1)

        # -- the editor -------------------------------------------------------------------------
        self.item_title = QLabel(objectName="formTitle")
        self.item_name = QLabel(objectName="formSubtitle")
        self.item_name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editor = QWidget()
        elay = QVBoxLayout(self.editor)
        elay.setContentsMargins(0, 0, 0, 0)
        elay.setSpacing(10)
        elay.addWidget(self.item_title)
        elay.addWidget(self.item_name)
        elay.addWidget(self._level_box())
        elay.addWidget(self._properties_box())
        elay.addWidget(self._form_rights_box(), 1)
        self.nothing = QLabel("Choose a form, field, menu item or button on the left.",
                              objectName="formSubtitle")
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.addWidget(self.editor, 1)
        rlay.addWidget(self.nothing, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(right)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(scroll)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 4)
        split.setSizes([660, 540])

        # -- buttons -----------------------------------------------------------------------------
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Save the changes to this item (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.setToolTip("Show the item as saved, dropping your changes")
        self.revert_button.clicked.connect(self.revert)
        self.rebuild_button = QPushButton("Re&build")
        self.rebuild_button.setToolTip("Add rows for every form, field, menu item and button of "
                                       "the program; edited settings are kept")
        self.rebuild_button.clicked.connect(self.rebuild)
        self.picklists_button = QPushButton("&Pick Lists…")
        self.picklists_button.setToolTip("Open the Pick List editor")
        self.picklists_button.clicked.connect(lambda: self.edit_picklist(""))
        close = QPushButton("&Close")
        close.clicked.connect(lambda: window.close_page(self))
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.save_button, self.revert_button, self.rebuild_button,
                  self.picklists_button):
            buttons.addWidget(b)
        self.readonly_note = QLabel("Your user level may only read the access rights "
                                    f"(access right {MENU_RIGHT}).", objectName="formSubtitle")
        self.readonly_note.setVisible(not self.editable)
        buttons.addWidget(self.readonly_note)
        buttons.addStretch(1)
        buttons.addWidget(close)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addLayout(head)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.setFocusProxy(self.filter)
        self._wire_dirty()
        self.reload()

    # -- building the editor ------------------------------------------------------------------------
    def _level_box(self) -> QGroupBox:
        self.level_box = QGroupBox()
        self.rights_group = QButtonGroup(self)
        row = QHBoxLayout()
        row.setSpacing(16)
        self.rights_buttons: dict[Rights, QRadioButton] = {}
        for rights, text in ((Rights.NONE, "&No access"), (Rights.READ, "&Read"),
                             (Rights.WRITE, "&Write")):
            button = QRadioButton(text, objectName=f"rights_{rights.name.lower()}")
            self.rights_group.addButton(button, int(rights))
            self.rights_buttons[rights] = button
            row.addWidget(button)
        row.addStretch(1)
        self.level_alias = QLineEdit(objectName="levelAlias", maxLength=40)
        self.level_alias.setPlaceholderText("(the alias of every level, else the name)")
        self.level_picklist = self._picklist_combo("levelPicklist")
        self.level_source = QLabel(objectName="formSubtitle")
        self.level_source.setWordWrap(True)
        self.default_button = QPushButton("Use &Default")
        self.default_button.setToolTip("Remove this level's own settings: it gets the shipped "
                                       "default rights again")
        self.default_button.clicked.connect(self.use_default)
        source = QHBoxLayout()
        source.addWidget(self.level_source, 1)
        source.addWidget(self.default_button, 0, Qt.AlignmentFlag.AlignTop)
        form = _form()
        form.addRow(_label("Rights"), row)
        form.addRow(_label("Alias"), self.level_alias)
        form.addRow(_label("Pick list"), self._with_edit(self.level_picklist))
        form.addRow(_label(""), source)
        self.level_box.setLayout(form)
        return self.level_box

    def _properties_box(self) -> QGroupBox:
        box = QGroupBox("Every level")
        self.alias = QLineEdit(objectName="alias", maxLength=40)
        self.alias.setPlaceholderText("(the program's name)")
        self.picklist = self._picklist_combo("picklist")
        self.checks: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)
        for i, (prop, text, tip) in enumerate((
                ("hide_label", "&Hide label", "Hide this field's label when a form opens"),
                ("required", "Re&quired", "The form cannot be saved with this field empty"),
                ("verify_on_exit", "Verify on e&xit",
                 "Ask the operator to verify a changed value before leaving the form"),
                ("log_verification", "Log veri&fication",
                 "Write to the debtor's notes whenever the operator verifies the value"),
                ("log_to_notes", "Log changes to no&tes",
                 "Write to the debtor's notes whenever this field changes"))):
            check = QCheckBox(text, objectName=prop)
            check.setToolTip(tip)
            self.checks[prop] = check
            grid.addWidget(check, i // 2, i % 2)
        self.list_width = QSpinBox(objectName="list_width")
        self.list_width.setRange(0, 200)
        self.list_width.setFixedWidth(72)
        self.list_width.setToolTip("Width of the field's column in lists; 0 keeps it out of "
                                   "lists")
        self.color = QLineEdit(objectName="color", maxLength=7)
        self.color.setPlaceholderText("RRGGBB")
        self.color.setFixedWidth(90)
        self.color.setToolTip("Background colour of the field, six hexadecimal digits; "
                              "empty for white")
        self.control_file = QLineEdit(objectName="control_file", maxLength=80)
        sizes = QHBoxLayout()
        sizes.setSpacing(6)
        sizes.addWidget(self.list_width)
        sizes.addSpacing(18)
        sizes.addWidget(QLabel("Colour"))
        sizes.addWidget(self.color)
        sizes.addStretch(1)
        form = _form()
        form.addRow(_label("Alias"), self.alias)
        form.addRow(_label("Pick list"), self._with_edit(self.picklist))
        form.addRow(_label("Options"), grid)
        form.addRow(_label("List width"), sizes)
        form.addRow(_label("Control file"), self.control_file)
        box.setLayout(form)
        return box

    def _form_rights_box(self) -> QGroupBox:
        box = QGroupBox("Form Rights: the levels with their own settings")
        self.form_rights = QTableWidget(0, 4, objectName="formRights")
        self.form_rights.setHorizontalHeaderLabels(("Level", "Rights", "Alias", "Pick list"))
        self.form_rights.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.form_rights.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.form_rights.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.form_rights.verticalHeader().setVisible(False)
        self.form_rights.verticalHeader().setDefaultSectionSize(
            self.form_rights.fontMetrics().height() + 8)
        self.form_rights.setMinimumHeight(110)
        header = self.form_rights.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.form_rights.setToolTip("Double-click a row to edit that level")
        self.form_rights.cellDoubleClicked.connect(self._form_right_chosen)
        lay = QVBoxLayout(box)
        lay.addWidget(self.form_rights)
        return box

    def _picklist_combo(self, name: str) -> QComboBox:
        combo = QComboBox(objectName=name)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.lineEdit().setMaxLength(40)
        combo.lineEdit().setPlaceholderText("(none)")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        return combo

    def _with_edit(self, combo: QComboBox) -> QHBoxLayout:
        edit = QPushButton("Edit…")
        edit.setToolTip("Open this pick list in the Pick List editor")
        edit.clicked.connect(lambda: self.edit_picklist(combo.currentText().strip()))
        self._edit_buttons[combo] = edit
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(combo, 1)
        row.addWidget(edit)
        return row

    def _wire_dirty(self) -> None:
        self.rights_group.idClicked.connect(lambda _i: self._update_buttons())
        for edit in (self.level_alias, self.alias, self.color, self.control_file):
            edit.textChanged.connect(lambda _t: self._update_buttons())
        for combo in (self.level_picklist, self.picklist):
            combo.currentTextChanged.connect(lambda _t: self._update_buttons())
        for check in self.checks.values():
            check.toggled.connect(lambda _on: self._update_buttons())
        self.list_width.valueChanged.connect(lambda _v: self._update_buttons())

    # -- reading -----------------------------------------------------------------------------------
    def _first_level(self) -> int:
        """The level to show first: the commonest level of the people who sign on, other than
        the administrators' 99 (a collector's 30 in the shipped data)."""
        with self.ctx.session() as s:
            rows = s.execute(select(Operator.user_level, func.count())
                             .where(Operator.type != OperatorType.DISTRIBUTION.value,
                                    Operator.user_level < rights_ops.ADMIN_LEVEL)
                             .group_by(Operator.user_level)
                             .order_by(func.count().desc(), Operator.user_level)).all()
        return int(rows[0][0]) if rows else 30

    def reload(self, select_name: str | None = None) -> None:
        """Read the list again and show the level's rights; keep (or move to) the chosen item."""
        keep = select_name or (self.loaded.name if self.loaded else None)
        with self.ctx.session() as s:
            rows = s.execute(select(AccessRight.name, AccessRight.kind, AccessRight.id)
                             .order_by(AccessRight.name)).all()
            names = sorted(set(s.scalars(select(PickList.name))) | DYNAMIC_PICKLISTS)
        for combo in (self.level_picklist, self.picklist):
            text = combo.currentText()
            self._filling, was = True, self._filling
            combo.clear()
            combo.addItem("")
            combo.addItems(names)
            combo.setCurrentText(text)
            self._filling = was
        self._build_tree(rows)
        self.empty.setVisible(not rows)
        by_kind: dict[str, int] = {}
        for _name, kind, _id in rows:
            by_kind[kind] = by_kind.get(kind, 0) + 1
        self.counts.setText("    ".join(f"{title} {by_kind.get(kind, 0):,}"
                                       for kind, title in KINDS[1:]))
        self._show_level()
        self.loaded = None
        if keep and keep in self.items:
            self.tree.setCurrentItem(self.items[keep])
            self.tree.scrollToItem(self.items[keep])
        self._load(keep if keep in self.items else None)

    def _build_tree(self, rows: list[Any]) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self.items: dict[str, QTreeWidgetItem] = {}
        forms_root = QTreeWidgetItem(["Forms, fields and buttons"])
        menus_root = QTreeWidgetItem(["Menus"])
        self.tree.addTopLevelItems([forms_root, menus_root])
        for root in (forms_root, menus_root):
            root.setData(0, ROOT_ROLE, root.text(0))
            root.setFlags(Qt.ItemFlag.ItemIsEnabled)
            root.setFirstColumnSpanned(True)  # the heading runs across the columns
            font = root.font(0)
            font.setBold(True)
            root.setFont(0, font)
        kinds = {name: kind for name, kind, _id in rows}
        ordered = sorted(kinds, key=lambda n: (n.count("."), self._sort_key(n)))
        for name in ordered:
            kind = kinds[name]
            parent_item = forms_root if kind in ("form", "field", "button") else menus_root
            for parent in rights_ops.parents(name):
                if parent in self.items:
                    parent_item = self.items[parent]
                    break
            else:
                if kind in ("field", "button"):
                    parent_item = self._container(forms_root, rights_ops.parents(name)[0]
                                                  if rights_ops.parents(name) else "form:?")
            label = self.labels.get(name) or name.split(":", 1)[1].rsplit(".", 1)[-1]
            item = QTreeWidgetItem(parent_item, [label, name, "", ""])
            item.setData(0, NAME_ROLE, name)
            item.setToolTip(1, name)
            self.items[name] = item
        forms_root.sortChildren(0, Qt.SortOrder.AscendingOrder)
        forms_root.setExpanded(True)
        menus_root.setExpanded(True)
        self.tree.blockSignals(False)
        self.apply_filter()

    def _sort_key(self, name: str) -> tuple[int, str]:
        """Fields before buttons under a form; otherwise by name."""
        order = {"form": 0, "menu": 0, "field": 1, "button": 2}
        return order.get(name.split(":", 1)[0], 3), name

    def _container(self, root: QTreeWidgetItem, name: str) -> QTreeWidgetItem:
        """A grey heading for the fields of a form that has no row of its own."""
        item = self.items.get(name)
        if item is None:
            item = QTreeWidgetItem(root, [self.labels.get(name, name), name, "", ""])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setForeground(0, QBrush(QColor("#5f6b7a")))
            self.items[name] = item
        return item

    def _show_level(self) -> None:
        """The level's rights and alias in the list, and who signs on with that level."""
        level = self.level.value()
        with self.ctx.session() as s:
            table = rights_ops.effective(s, level)
            explicit = set(s.scalars(select(AccessRight.name).join(
                FormRight, FormRight.access_right_id == AccessRight.id)
                .where(FormRight.user_level == level)))
            people = list(s.scalars(select(Operator.id).where(
                Operator.user_level == level,
                Operator.type != OperatorType.DISTRIBUTION.value).order_by(Operator.id)))
        self.table = table
        self.tree.setHeaderLabels(["Item", "Access right", f"Level {level}", "Alias"])
        bold, plain = QFont(self.tree.font()), QFont(self.tree.font())
        bold.setBold(True)
        muted = QBrush(QColor("#9aa4b1"))
        for name, item in self.items.items():
            if not item.data(0, NAME_ROLE):
                continue
            rights = table.rights_for(name)
            item.setText(2, RIGHTS_TEXT[rights])
            item.setFont(2, bold if name in explicit else plain)
            item.setForeground(2, muted if rights is Rights.NONE else QBrush())
            item.setText(3, table.alias(name))
            item.setToolTip(2, "Set for this level" if name in explicit else "Shipped default")
        shown = ", ".join(people[:6]) + (f" and {len(people) - 6} more" if len(people) > 6 else "")
        self.level_operators.setText(f"Operators: {shown}" if people else "No operator has "
                                     "this level")
        self.level_box.setTitle(f"Level {level}")
        self._shown_level = level

    def apply_filter(self) -> None:
        """Show the items of the chosen kind whose name, label or alias has the filter text; the
        headings above them stay (greyed when they do not match themselves)."""
        text = self.filter.text().strip().casefold()
        kind = self.kind.currentData() or ""
        searching = bool(text or kind)

        def matches(item: QTreeWidgetItem) -> bool:
            name = item.data(0, NAME_ROLE)
            if not name:
                return False
            if kind and not name.startswith(kind + ":"):
                return False
            return not text or any(text in item.text(c).casefold() for c in (0, 1, 3))

        self._matched = set()

        def walk(item: QTreeWidgetItem) -> bool:
            visible_child = False
            for i in range(item.childCount()):
                visible_child = walk(item.child(i)) or visible_child
            own = matches(item)
            if own or (not searching and item.data(0, NAME_ROLE)):
                self._matched.add(item.data(0, NAME_ROLE))
            show = own or visible_child or (not searching and bool(item.data(0, NAME_ROLE)))
            item.setHidden(not show)
            if item.data(0, NAME_ROLE):
                item.setForeground(1, QBrush() if own or not searching else QBrush(QColor(
                    "#9aa4b1")))
            if searching and visible_child:
                item.setExpanded(True)
            return show

        self.tree.setUpdatesEnabled(False)
        for i in range(self.tree.topLevelItemCount()):
            root = self.tree.topLevelItem(i)
            walk(root)
            root.setHidden(False)
            shown = _count(root, self._matched)
            root.setText(0, f"{root.data(0, ROOT_ROLE)}  ({shown:,}"
                         + (" matching)" if searching else ")"))
        self.tree.setUpdatesEnabled(True)

    def visible_names(self) -> list[str]:
        """The rights the filter matches, in the order of the list."""
        out = []
        it = QTreeWidgetItemIterator(self.tree)
        while it.value():
            name = it.value().data(0, NAME_ROLE)
            if name in self._matched:
                out.append(name)
            it += 1
        return out

    # -- choosing --------------------------------------------------------------------------------
    def choose(self, name: str) -> bool:
        """Show item ``name`` (asks about unsaved changes first); False when it is not listed."""
        item = self.items.get(name)
        if item is None or not item.data(0, NAME_ROLE):
            return False
        self.tree.setCurrentItem(item)
        return self.loaded is not None and self.loaded.name == name

    def _current_changed(self, current: QTreeWidgetItem | None,
                         previous: QTreeWidgetItem | None) -> None:
        name = current.data(0, NAME_ROLE) if current is not None else None
        if self.loaded is not None and name == self.loaded.name:
            return
        if not self._settle():
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(previous)
            self.tree.blockSignals(False)
            return
        self._load(name)

    def _level_changed(self, level: int) -> None:
        if level == self._shown_level:
            return
        if not self._settle():
            self.level.blockSignals(True)
            self.level.setValue(self._shown_level)
            self.level.blockSignals(False)
            return
        self._show_level()
        self._load(self.loaded.name if self.loaded else None)

    def _form_right_chosen(self, row: int, _column: int) -> None:
        item = self.form_rights.item(row, 0)
        if item is not None:
            self.level.setValue(int(item.text()))

    def _settle(self) -> bool:
        """Before showing another item or level: save, discard or stay."""
        if not self.is_dirty():
            return True
        name = self.loaded.name if self.loaded else ""
        choice = dialogs.ask(self, "Access Rights", f"Save your changes to {name} for level "
                             f"{self.loaded.level if self.loaded else ''}?",
                             ["Save", "Discard", "Cancel"], default="Save")
        if choice == "Save":
            return self.save()
        return choice == "Discard"

    def may_close(self) -> bool:
        return self._settle()

    def activated(self) -> None:
        """Back from the Pick List editor: its lists may have changed."""
        with self.ctx.session() as s:
            names = sorted(set(s.scalars(select(PickList.name))) | DYNAMIC_PICKLISTS)
        for combo in (self.level_picklist, self.picklist):
            text = combo.currentText()
            self._filling, was = True, self._filling
            combo.clear()
            combo.addItem("")
            combo.addItems(names)
            combo.setCurrentText(text)
            self._filling = was
        self._update_buttons()

    # -- the chosen item ----------------------------------------------------------------------------
    def _read(self, name: str, level: int) -> Loaded | None:
        with self.ctx.session() as s:
            right = s.scalar(select(AccessRight).where(AccessRight.name == name))
            if right is None:
                return None
            rows = list(right.form_rights)
            own = next((fr for fr in rows if fr.user_level == level), None)
            rights = Rights(own.rights) if own is not None else \
                rights_ops.default_rights(level, name)[0]
            return Loaded(
                name=name, kind=right.kind or name.split(":", 1)[0], right_id=right.id,
                version=right.version, level=level, level_row=own is not None,
                level_version=own.version if own is not None else None,
                level_by=(own.updated_by or "") if own is not None else "",
                rights=rights, level_alias=(own.alias or "") if own is not None else "",
                level_picklist=(own.picklist or "") if own is not None else "",
                props={p: _prop_value(p, getattr(right, p)) for p in PROPERTIES},
                form_rights=[(fr.user_level, Rights(fr.rights), fr.alias or "", fr.picklist or "")
                             for fr in rows])

    def _load(self, name: str | None) -> None:
        loaded = self._read(name, self.level.value()) if name else None
        self.loaded = loaded
        self.editor.setVisible(loaded is not None)
        self.nothing.setVisible(loaded is None)
        if loaded is None:
            self._update_buttons()
            return
        self._filling = True
        kind = loaded.kind
        label = self.labels.get(name, "")
        self.item_title.setText(label or name)
        where = ""
        if kind in ("field", "button"):
            form = rights_ops.parents(name)[0] if rights_ops.parents(name) else ""
            where = f" of {self.labels.get(form, form)}"
        self.item_name.setText(f"{name}    ·    #{loaded.right_id}    ·    {kind}{where}")
        self.rights_buttons[loaded.rights].setChecked(True)
        self.level_alias.setText(loaded.level_alias)
        self.level_picklist.setCurrentText(loaded.level_picklist)
        props = loaded.props
        self.alias.setText(props["alias"])
        self.picklist.setCurrentText(props["picklist"])
        for prop, check in self.checks.items():
            check.setChecked(bool(props[prop]))
        self.list_width.setValue(int(props["list_width"] or 0))
        self.color.setText(props["color"])
        self.control_file.setText(props["control_file"])
        self._show_source(loaded)
        self.form_rights.setRowCount(len(loaded.form_rights))
        for r, (lvl, rights, alias, picklist) in enumerate(loaded.form_rights):
            for c, text in enumerate((str(lvl), RIGHTS_TEXT[rights], alias, picklist)):
                cell = QTableWidgetItem(text)
                if c == 0:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if lvl == loaded.level:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.form_rights.setItem(r, c, cell)
        field_like = kind == "field"
        admin = loaded.level == rights_ops.ADMIN_LEVEL
        for prop in FIELD_ONLY:
            widget = self.checks.get(prop) or {"picklist": self.picklist,
                                               "list_width": self.list_width,
                                               "color": self.color}[prop]
            widget.setEnabled(self.editable and field_like)
        self._edit_buttons[self.picklist].setEnabled(field_like)
        self.level_picklist.setEnabled(self.editable and field_like and not admin)
        self._edit_buttons[self.level_picklist].setEnabled(field_like)
        self.control_file.setEnabled(self.editable and kind in ("form", "field"))
        self.alias.setEnabled(self.editable)
        for b in self.rights_buttons.values():
            b.setEnabled(self.editable and not admin)
        self.level_alias.setEnabled(self.editable and not admin)
        self._filling = False
        self._update_buttons()

    def _show_source(self, loaded: Loaded) -> None:
        if loaded.level == rights_ops.ADMIN_LEVEL:
            self.level_source.setText(ADMIN_NOTE)
            return
        if loaded.level_row:
            source = f"Set for level {loaded.level}" + (f" by {loaded.level_by}."
                                                        if loaded.level_by else ".")
        else:
            rights, rule = rights_ops.default_rights(loaded.level, loaded.name)
            why = f" — {rule.why}" if rule is not None and rule.why else ""
            source = f"Shipped default for level {loaded.level}: {RIGHTS_TEXT[rights]}{why}."
        limits = [(p, self.table.own_rights(p)) for p in rights_ops.parents(loaded.name)
                  if self.table.own_rights(p) < loaded.rights]
        if limits:
            parent, rights = min(limits, key=lambda pr: pr[1])
            source += (f" Limited to {RIGHTS_TEXT[rights].lower()} by {parent}, which "
                       "contains it.")
        self.level_source.setText(source)

    # -- editing ------------------------------------------------------------------------------------
    def values(self) -> tuple[Rights, str, str, dict[str, Any]]:
        """(rights, level alias, level pick list, properties) as the editor shows them."""
        checked = self.rights_group.checkedId()
        rights = Rights(checked) if checked >= 0 else Rights.WRITE
        props: dict[str, Any] = {
            "alias": self.alias.text().strip(),
            "picklist": self.picklist.currentText().strip(),
            "list_width": self.list_width.value(),
            "color": self.color.text().strip().lstrip("#").upper(),
            "control_file": self.control_file.text().strip(),
        }
        props.update({p: c.isChecked() for p, c in self.checks.items()})
        return (rights, self.level_alias.text().strip(), self.level_picklist.currentText().strip(),
                props)

    def changes(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(level changes, property changes) against what was read."""
        if self.loaded is None:
            return {}, {}
        rights, alias, picklist, props = self.values()
        level: dict[str, Any] = {}
        if rights != self.loaded.rights:
            level["rights"] = rights
        if alias != self.loaded.level_alias:
            level["alias"] = alias
        if picklist != self.loaded.level_picklist:
            level["picklist"] = picklist
        changed = {p: v for p, v in props.items() if v != self.loaded.props[p]}
        return level, changed

    def is_dirty(self) -> bool:
        level, props = self.changes()
        return bool(level or props)

    def _update_buttons(self) -> None:
        if self._filling:
            return
        dirty = self.is_dirty()
        self.save_button.setEnabled(self.editable and dirty)
        self.revert_button.setEnabled(dirty)
        self.rebuild_button.setEnabled(self.editable)
        self.default_button.setEnabled(self.editable and self.loaded is not None
                                       and self.loaded.level_row)
        title = "Access Rights" + (" *" if dirty else "")
        if self.windowTitle() != title:
            self.setWindowTitle(title)
            self.title_changed.emit()

    def revert(self) -> None:
        self._load(self.loaded.name if self.loaded else None)

    def _check(self, level: dict[str, Any], props: dict[str, Any]) -> str | None:
        colour = props.get("color")
        if colour and not COLOUR.match(colour):
            self.color.setFocus()
            return f"Colour {colour!r} is not six hexadecimal digits (RRGGBB)."
        return None

    def _missing_lists(self, level: dict[str, Any], props: dict[str, Any]) -> list[str]:
        wanted = {v for v in (level.get("picklist"), props.get("picklist")) if v}
        if not wanted:
            return []
        with self.ctx.session() as s:
            have = set(s.scalars(select(PickList.name).where(PickList.name.in_(wanted))))
        return sorted(wanted - have - DYNAMIC_PICKLISTS)

    def save(self) -> bool:
        """Write the changes through the engine (audited); True when nothing is left unsaved."""
        loaded = self.loaded
        if loaded is None or not self.is_dirty():
            return True
        if not self.editable:
            dialogs.tell(self, "Access Rights", "Your user level may only read the access rights "
                         f"(access right {MENU_RIGHT}).", warning=True)
            return False
        level, props = self.changes()
        problem = self._check(level, props)
        if problem:
            dialogs.tell(self, "Access Rights", problem, warning=True)
            return False
        create: list[str] = []
        missing = self._missing_lists(level, props)
        if missing:
            names = ", ".join(missing)
            choice = dialogs.ask(
                self, "Access Rights",
                f"There is no pick list named {names}. Create it empty now (add its entries in "
                "the Pick List editor), keep the name for a list you will import, or cancel?",
                ["Create", "Keep Name", "Cancel"], default="Create")
            if choice == "Cancel":
                return False
            if choice == "Create":
                create = missing
        operator = self.ctx.operator_id
        with self.ctx.session() as s:
            audit.set_session_operator(s, operator)
            right = s.get(AccessRight, loaded.right_id)
            own = s.scalar(select(FormRight).where(FormRight.access_right_id == loaded.right_id,
                                                   FormRight.user_level == loaded.level))
            if right is None or right.version != loaded.version or \
                    (own.version if own is not None else None) != loaded.level_version:
                who = (own.updated_by if own is not None and own.version != loaded.level_version
                       else right.updated_by if right is not None else "")
                dialogs.tell(self, "Access Rights",
                             f"{loaded.name} was changed by {who or 'someone else'} since you "
                             "opened it; your changes were not saved. It is shown as saved "
                             "now.", warning=True)
                self.reload(loaded.name)
                return False
            if level:
                rights_ops.set_level_rights(s, loaded.name, loaded.level, operator_id=operator,
                                            **level)
            if props:
                rights_ops.set_properties(s, loaded.name, operator_id=operator, **props)
            for list_name in create:
                fc = picklist_ops.field_code_for(loaded.name)
                kind = picklist_ops.data_type_of(fc) if fc is not None else "text"
                picklist_ops.create(s, list_name, kind,
                                    description=f"Created for {loaded.name}")
            s.commit()
        self._applied(loaded.name, f"Saved {loaded.name}"
                      + (f" for level {loaded.level}" if level else "") + ".")
        return True

    def use_default(self) -> None:
        """Drop the level's own settings of the item: the shipped default applies again."""
        loaded = self.loaded
        if loaded is None or not loaded.level_row or not self.editable:
            return
        rights, _rule = rights_ops.default_rights(loaded.level, loaded.name)
        choice = dialogs.ask(self, "Access Rights",
                             f"Remove level {loaded.level}'s own settings of {loaded.name}? The "
                             f"level gets the shipped default ({RIGHTS_TEXT[rights]}) and the "
                             "alias and pick list of every level.", ["Remove", "Cancel"])
        if choice != "Remove":
            return
        with self.ctx.session() as s:
            audit.set_session_operator(s, self.ctx.operator_id)
            rights_ops.clear_level_rights(s, loaded.name, loaded.level,
                                          operator_id=self.ctx.operator_id)
            s.commit()
        self._applied(loaded.name, f"Level {loaded.level} uses the default for {loaded.name}.")

    def _applied(self, name: str, message: str) -> None:
        """After a save: the signed-on operator's rights are built again so menus and forms
        follow; every other operator gets them at the next sign-on."""
        self.ctx.operator = self.ctx.operator  # builds the rights table of the level again
        _drop_pooled_forms(self.window_)
        self.window_.refresh_commands()
        self.ctx.notify("access_rights", name)
        self.loaded = None
        self._show_level()
        self._load(name)
        self.window_.statusBar().showMessage(
            f"{message} Operators signed on now get it at their next sign-on.", 10000)

    # -- rebuild and pick lists ------------------------------------------------------------------
    def rebuild(self) -> None:
        if not self.editable or not self._settle():
            return
        with self.ctx.session() as s:
            report = rights_ops.rebuild_access_rights(s, program_items(),
                                                      operator_id=self.ctx.operator_id)
        self.labels = item_labels()
        if report.added or report.refreshed:
            self.ctx.operator = self.ctx.operator
            _drop_pooled_forms(self.window_)
            self.window_.refresh_commands()
            self.ctx.notify("access_rights", None)
        self.reload()
        text = f"Access rights rebuilt: {report.summary()}."
        if report.removed:
            shown = ", ".join(report.removed[:8]) + (" …" if len(report.removed) > 8 else "")
            text += (f"\n\nNo longer in the program (kept, their settings unused): {shown}")
        dialogs.tell(self, "Rebuild", text)

    def edit_picklist(self, name: str) -> None:
        from . import picklist_page

        picklist_page.open(self.window_, name or None)


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(6)
    return form


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setMinimumWidth(LABEL_WIDTH)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


def _count(item: QTreeWidgetItem, names: set[str]) -> int:
    """How many of ``names`` are under ``item``."""
    total = 0
    for i in range(item.childCount()):
        child = item.child(i)
        total += (child.data(0, NAME_ROLE) in names) + _count(child, names)
    return total


_FLAGS = ("hide_label", "required", "verify_on_exit", "log_verification", "log_to_notes")


def _prop_value(prop: str, value: Any) -> Any:
    """A property as the editor shows and compares it (NULL → False, 0 or empty)."""
    if prop in _FLAGS:
        return bool(value)
    if prop == "list_width":
        return int(value or 0)
    if prop == "color":
        return (value or "").upper()
    return value or ""
