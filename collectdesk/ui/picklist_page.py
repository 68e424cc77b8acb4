"""System ▸ Rights ▸ Pick Lists: the pick list editor (seed 003 "Pick Lists").

The left side lists the pick lists in the database; the right side edits the chosen one: its
data type, description and entries — key (what is stored), text (what is shown; the key when
empty), order and an optional RRGGBB colour.  An entry with a blank key lets operators type a
value that is not in the list, which must still fit the data type.

Saving checks every row first (:func:`collectdesk.engine.picklists.set_entries`): a key that
does not fit the data type, a bad colour or a key twice is reported with its row and value,
and nothing is saved.  "Import .pck…" reads a legacy pick list file
(:func:`collectdesk.engine.picklists.import_pck`); a malformed file is reported with its name
and line, and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from ..engine import picklists as pl
from ..engine.shipped import DYNAMIC_PICKLISTS
from ..models import PickList, PickListEntry
from ..paths import picklists_dir
from . import deleting, dialogs
from .page import Page

#: The menu item of this page: an operator needs write on it to change lists.
MENU_RIGHT = "menu:system.rights.pick_lists"

LIST_COLUMNS = ("Name", "Type", "Entries")
ORDER, KEY, TEXT, COLOUR = range(4)
ENTRY_COLUMNS = ("Order", "Key", "Text", "Colour")
TYPE_NAMES = {"text": "Text", "numeric": "Numeric (whole numbers)",
              "currency": "Currency (up to 2 decimals)", "percent": "Percent (up to 3 decimals)",
              "date": "Date (MM/DD/YYYY or YYYY-MM-DD)"}


def open(window: Any, name: str | None = None) -> Page:
    """The entry point Command.open_page calls; ``name`` opens that list."""
    page = PickListPage(window)
    window.push(page)
    if name:
        page.choose(name)
    return page


class PickListPage(Page):
    help_text = ("Pick lists offer choices on fields: the Key is stored, the Text is shown (the "
                 "key when it is empty). An entry with a blank key lets operators type their "
                 "own value, which must still fit the list's data type. Attach a list to a "
                 "field on the Access Rights screen. Import .pck reads a legacy pick list file.")

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle("Pick Lists")
        self.setObjectName("pickLists")
        self.current: str | None = None  # the list being edited (None: nothing, or a new list)
        self.is_new = False
        self.version: int | None = None
        self.baseline: tuple[Any, ...] | None = None
        self._filling = False
        self.names: list[str] = []
        table = self.ctx.rights
        self.editable = table.can_write(MENU_RIGHT) and table.can_write("form:pick_list")

        # -- the lists --------------------------------------------------------------------------
        self.filter = QLineEdit(objectName="listFilter", clearButtonEnabled=True)
        self.filter.setPlaceholderText("Filter by name or description")
        self.filter.textChanged.connect(lambda _t: self._apply_filter())
        self.lists = QTableWidget(0, len(LIST_COLUMNS), objectName="pickLists")
        self.lists.setHorizontalHeaderLabels(LIST_COLUMNS)
        _table_look(self.lists)
        self.lists.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.lists.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.lists.currentCellChanged.connect(self._list_changed)
        self.new_button = QPushButton("&New List")
        self.new_button.clicked.connect(self.new_list)
        self.delete_list_button = QPushButton("De&lete List")
        self.delete_list_button.clicked.connect(self.delete_list)
        self.import_button = QPushButton("&Import .pck…")
        self.import_button.setToolTip("Import a legacy pick list file as a new list")
        self.import_button.clicked.connect(lambda: self.import_file())
        list_buttons = QHBoxLayout()
        list_buttons.setSpacing(6)
        for b in (self.new_button, self.delete_list_button, self.import_button):
            list_buttons.addWidget(b)
        list_buttons.addStretch(1)
        dynamic = QLabel("Operators, status codes, contact plans, transaction types and rate "
                         "plans are lists built from their own tables.", objectName="formSubtitle")
        dynamic.setWordWrap(True)
        left = QWidget()
        llay = QVBoxLayout(left)
        llay.setContentsMargins(0, 0, 0, 0)
        llay.setSpacing(6)
        llay.addWidget(self.filter)
        llay.addWidget(self.lists, 1)
        llay.addLayout(list_buttons)
        llay.addWidget(dynamic)

        # -- the chosen list ----------------------------------------------------------------------
        self.list_title = QLabel(objectName="formTitle")
        self.name = QLineEdit(objectName="listName", maxLength=40)
        self.name.setPlaceholderText("Name of the new list")
        self.data_type = QComboBox(objectName="dataType")
        for kind in pl.DATA_TYPES:
            self.data_type.addItem(TYPE_NAMES.get(kind, kind), kind)
        self.data_type.setToolTip("What the keys are; a field's list has the field's type")
        self.description = QLineEdit(objectName="description", maxLength=80)
        self.system_note = QLabel("Shipped with CollectDesk: installing a new version never "
                                  "overwrites your edits.", objectName="formSubtitle")
        self.system_note.setWordWrap(True)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(10)
        type_row = QHBoxLayout()
        type_row.addWidget(self.data_type)
        type_row.addStretch(1)
        form.addRow("Name", self.name)
        form.addRow("Data type", type_row)
        form.addRow("Description", self.description)

        self.entries = QTableWidget(0, len(ENTRY_COLUMNS), objectName="entries")
        self.entries.setHorizontalHeaderLabels(ENTRY_COLUMNS)
        _table_look(self.entries)
        self.entries.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                     | QAbstractItemView.EditTrigger.EditKeyPressed
                                     | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.entries.horizontalHeader()
        header.setSectionResizeMode(ORDER, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(KEY, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLOUR, QHeaderView.ResizeMode.Fixed)
        self.entries.setColumnWidth(ORDER, 64)
        self.entries.setColumnWidth(KEY, 150)
        self.entries.setColumnWidth(COLOUR, 90)
        self.entries.itemChanged.connect(self._entry_changed)
        self.entries.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.free_text = QLabel(objectName="formSubtitle")
        self.free_text.setWordWrap(True)
        self.add_button = QPushButton("&Add Entry")
        self.add_button.setToolTip("Add an entry at the end (Ins); leave its key blank to "
                                   "allow free text")
        self.add_button.clicked.connect(lambda: self.add_entry())
        self.remove_button = QPushButton("&Delete Entry")
        self.remove_button.setToolTip("Delete the highlighted entry (Del)")
        self.remove_button.clicked.connect(self.delete_entry)
        self.up_button = QPushButton("Move &Up")
        self.up_button.clicked.connect(lambda: self.move_entry(-1))
        self.down_button = QPushButton("Move Do&wn")
        self.down_button.clicked.connect(lambda: self.move_entry(+1))
        entry_buttons = QHBoxLayout()
        entry_buttons.setSpacing(6)
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            entry_buttons.addWidget(b)
        entry_buttons.addStretch(1)
        self.used_by = QLabel(objectName="formSubtitle")
        self.used_by.setWordWrap(True)
        self.used_by.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.editor = QWidget()
        elay = QVBoxLayout(self.editor)
        elay.setContentsMargins(0, 0, 0, 0)
        elay.setSpacing(8)
        elay.addWidget(self.list_title)
        elay.addLayout(form)
        elay.addWidget(self.system_note)
        elay.addWidget(self.entries, 1)
        elay.addLayout(entry_buttons)
        elay.addWidget(self.free_text)
        elay.addWidget(self.used_by)
        self.nothing = QLabel("Choose a pick list on the left, or make a new one.",
                              objectName="formSubtitle")
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.addWidget(self.editor, 1)
        rlay.addWidget(self.nothing, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([420, 780])

        # -- buttons -----------------------------------------------------------------------------
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Check every entry and save the list (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.setToolTip("Show the list as saved, dropping your changes")
        self.revert_button.clicked.connect(self.revert)
        close = QPushButton("&Close")
        close.clicked.connect(lambda: window.close_page(self))
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        self.readonly_note = QLabel("Your user level may only read the pick lists "
                                    f"(access right {MENU_RIGHT}).", objectName="formSubtitle")
        self.readonly_note.setVisible(not self.editable)
        buttons.addWidget(self.readonly_note)
        buttons.addStretch(1)
        buttons.addWidget(close)

        self.counts = QLabel(objectName="formSubtitle")
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(QLabel("Pick Lists", objectName="formTitle"))
        head.addWidget(self.counts, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addLayout(head)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)

        shortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save, context=shortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Insert), self.entries, activated=self.add_entry,
                  context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.entries, activated=self.delete_entry,
                  context=Qt.ShortcutContext.WidgetShortcut)
        for w in (self.name, self.description):
            w.textChanged.connect(lambda _t: self._update_buttons())
        self.data_type.currentIndexChanged.connect(lambda _i: self._entry_changed(None))
        self.setFocusProxy(self.lists)
        self.reload()

    # -- the lists ----------------------------------------------------------------------------------
    def reload(self, choose: str | None = None) -> None:
        keep = choose or self.current
        with self.ctx.session() as s:
            rows = s.execute(
                select(PickList.name, PickList.data_type, PickList.system, PickList.description,
                       func.count(PickListEntry.id))
                .outerjoin(PickListEntry, PickListEntry.pick_list_id == PickList.id)
                .group_by(PickList.id).order_by(func.lower(PickList.name))).all()
        self._filling = True
        self.lists.blockSignals(True)
        self.lists.setRowCount(len(rows))
        self.names = []
        for r, (name, kind, system, description, count) in enumerate(rows):
            self.names.append(name)
            cells = (name, kind or "text", f"{count:,}")
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(description or name)
                cell.setData(Qt.ItemDataRole.UserRole, description or "")
                if c == 2:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if system and c == 0:
                    cell.setToolTip(f"{description or name} — shipped with CollectDesk")
                self.lists.setItem(r, c, cell)
        self.lists.blockSignals(False)
        self._filling = False
        self.counts.setText(f"{len(rows):,} lists")
        self._apply_filter()
        if keep in self.names:
            self.lists.blockSignals(True)
            self.lists.setCurrentCell(self.names.index(keep), 0)
            self.lists.blockSignals(False)
            self._load(keep)
        else:
            self._load(None)

    def _apply_filter(self) -> None:
        text = self.filter.text().strip().casefold()
        for r, name in enumerate(self.names):
            description = self.lists.item(r, 0).data(Qt.ItemDataRole.UserRole) or ""
            self.lists.setRowHidden(r, bool(text) and text not in name.casefold()
                                    and text not in description.casefold())

    def choose(self, name: str) -> bool:
        """Show list ``name`` (asks about unsaved changes first)."""
        if name not in self.names:
            match = [n for n in self.names if n.lower() == name.lower()]
            if not match:
                return False
            name = match[0]
        self.lists.setCurrentCell(self.names.index(name), 0)
        return self.current == name

    def _list_changed(self, row: int, _col: int, prev_row: int, _prev_col: int) -> None:
        name = self.names[row] if 0 <= row < len(self.names) else None
        if name == self.current and not self.is_new:
            return
        if not self._settle():
            self.lists.blockSignals(True)
            self.lists.setCurrentCell(prev_row, 0)
            self.lists.blockSignals(False)
            return
        self._load(name)

    # -- one list --------------------------------------------------------------------------------
    def _load(self, name: str | None) -> None:
        self.is_new = False
        self.current = name
        data: tuple[str, str, bool, list[pl.Entry], list[str]] | None = None
        if name is not None:
            with self.ctx.session() as s:
                pick = pl.get(s, name)
                if pick is not None:
                    data = (pick.data_type or "text", pick.description or "", bool(pick.system),
                            pl.entries(s, name) or [], pl.used_by(s, name))
                    self.version = pick.version
        if data is None:
            self.current = None
            self._show(False)
            return
        kind, description, system, items, used = data
        self._fill(name, kind, description, items)
        self.name.setReadOnly(True)
        self.system_note.setVisible(system)
        self._show_used_by(used)
        self._show(True)

    def _fill(self, name: str, kind: str, description: str, items: list[pl.Entry]) -> None:
        self._filling = True
        self.list_title.setText(name or "New pick list")
        self.name.setText(name)
        self.data_type.setCurrentIndex(max(self.data_type.findData(kind), 0))
        self.description.setText(description)
        self.entries.setRowCount(0)
        for e in items:
            self._append(str(e.order or ""), e.key, e.text, e.color)
        self._filling = False
        self.baseline = self._state()
        self._entry_changed(None)

    def _show(self, on: bool) -> None:
        self.editor.setVisible(on)
        self.nothing.setVisible(not on)
        if not on:
            self.baseline = None
        self._update_buttons()

    def _show_used_by(self, used: list[str]) -> None:
        if used:
            shown = ", ".join(used[:8]) + (f" and {len(used) - 8} more" if len(used) > 8 else "")
            self.used_by.setText(f"Attached to: {shown}.")
        else:
            self.used_by.setText("Not attached to any field: attach it on the Access Rights "
                                 "screen (Pick list).")

    def _append(self, order: str, key: str, text: str, colour: str) -> int:
        row = self.entries.rowCount()
        self.entries.insertRow(row)
        for c, value in enumerate((order, key, text, colour)):
            cell = QTableWidgetItem(value)
            if c == ORDER:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not self.editable:
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.entries.setItem(row, c, cell)
        self._paint_colour(row)
        return row

    def _paint_colour(self, row: int) -> None:
        cell = self.entries.item(row, COLOUR)
        if cell is None:
            return
        value = cell.text().strip().lstrip("#")
        if len(value) == 6 and all(ch in "0123456789abcdefABCDEF" for ch in value):
            colour = QColor(f"#{value}")
            cell.setBackground(QBrush(colour))
            cell.setForeground(QBrush(QColor("white" if colour.lightness() < 128 else "black")))
        else:
            cell.setBackground(QBrush())
            cell.setForeground(QBrush())

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(order, key, text, colour) of every row, top to bottom, as typed."""
        def text(r: int, c: int) -> str:
            cell = self.entries.item(r, c)
            return cell.text() if cell is not None else ""

        return [(text(r, ORDER), text(r, KEY), text(r, TEXT), text(r, COLOUR))
                for r in range(self.entries.rowCount())]

    def _state(self) -> tuple[Any, ...]:
        return (self.name.text().strip(), self.data_type.currentData(),
                self.description.text().strip(), tuple(self.rows()))

    def is_dirty(self) -> bool:
        return self.baseline is not None and (self.is_new or self._state() != self.baseline)

    def _entry_changed(self, item: QTableWidgetItem | None) -> None:
        if self._filling:
            return
        if item is not None and item.column() == COLOUR:
            self._filling = True
            self._paint_colour(item.row())
            self._filling = False
        blanks = [str(r + 1) for r, (_o, key, _t, _c) in enumerate(self.rows()) if not key.strip()]
        kind = TYPE_NAMES.get(self.data_type.currentData() or "text", "text").lower()
        if blanks:
            self.free_text.setText(f"Free text allowed: the blank entry (row {blanks[0]}) lets "
                                   f"operators type a value that is not in the list; it must "
                                   f"still be {kind}.")
        else:
            self.free_text.setText("Only these keys may be entered. Add an entry with a blank "
                                   "key to allow free text.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        if self._filling:
            return
        open_ = self.baseline is not None
        dirty = self.is_dirty()
        row = self.entries.currentRow()
        rows = self.entries.rowCount()
        self.save_button.setEnabled(self.editable and dirty)
        self.revert_button.setEnabled(dirty)
        self.new_button.setEnabled(self.editable)
        self.import_button.setEnabled(self.editable)
        self.delete_list_button.setEnabled(self.editable and open_ and not self.is_new)
        self.add_button.setEnabled(self.editable and open_)
        self.remove_button.setEnabled(self.editable and open_ and 0 <= row < rows)
        self.up_button.setEnabled(self.editable and open_ and 0 < row < rows)
        self.down_button.setEnabled(self.editable and open_ and 0 <= row < rows - 1)
        self.data_type.setEnabled(self.editable and open_)
        self.description.setReadOnly(not self.editable)
        title = "Pick Lists" + (f": {self.current}" if self.current else "") + \
            (" *" if dirty else "")
        if self.windowTitle() != title:
            self.setWindowTitle(title)
            self.title_changed.emit()

    # -- editing entries ------------------------------------------------------------------------
    def add_entry(self, key: str = "", text: str = "", colour: str = "") -> int:
        """A new entry at the end with the next order; returns its row."""
        if not self.editable or self.baseline is None:
            return -1
        orders = [int(o) for o, *_ in self.rows() if o.strip().lstrip("-").isdigit()]
        self._filling = True
        row = self._append(str(max(orders, default=0) + 1), key, text, colour)
        self._filling = False
        self._entry_changed(None)
        self.entries.setCurrentCell(row, KEY)
        if not key:
            self.entries.editItem(self.entries.item(row, KEY))
        return row

    def delete_entry(self) -> None:
        row = self.entries.currentRow()
        if not self.editable or not 0 <= row < self.entries.rowCount():
            return
        self.entries.removeRow(row)
        if self.entries.rowCount():
            self.entries.setCurrentCell(min(row, self.entries.rowCount() - 1), KEY)
        self._entry_changed(None)

    def move_entry(self, step: int) -> None:
        """Move the highlighted entry up or down: it takes its neighbour's order."""
        row = self.entries.currentRow()
        other = row + step
        if not self.editable or not (0 <= row < self.entries.rowCount()
                                     and 0 <= other < self.entries.rowCount()):
            return
        self._filling = True
        for c in (KEY, TEXT, COLOUR):
            a, b = self.entries.takeItem(row, c), self.entries.takeItem(other, c)
            self.entries.setItem(row, c, b)
            self.entries.setItem(other, c, a)
        self._paint_colour(row)
        self._paint_colour(other)
        self._filling = False
        self.entries.setCurrentCell(other, self.entries.currentColumn())
        self._entry_changed(None)

    # -- saving ----------------------------------------------------------------------------------
    def _commit_cell(self) -> None:
        """Take the value of the cell being typed in, as leaving it would."""
        editor = QApplication.focusWidget()
        if self.entries.state() == QAbstractItemView.State.EditingState and editor is not None \
                and self.entries.isAncestorOf(editor):
            self.entries.commitData(editor)
            self.entries.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def _entries_typed(self) -> list[pl.Entry]:
        out = []
        for r, (order, key, text, colour) in enumerate(self.rows(), start=1):
            order = order.strip()
            if order and not order.lstrip("-").isdigit():
                raise pl.EntryError(r, f"order {order!r} is not a whole number.")
            out.append(pl.Entry(key, text, int(order) if order else 0, colour))
        return out

    def _refuse(self, error: pl.PickListError) -> None:
        row = getattr(error, "row", None)
        if row is not None and 0 < row <= self.entries.rowCount():
            column = COLOUR if "colour" in str(error) else ORDER if "order" in str(error) else KEY
            self.entries.setCurrentCell(row - 1, column)
        dialogs.tell(self, "Pick Lists", f"{error}\n\nNothing was saved.", warning=True)

    def save(self) -> bool:
        """Check every entry and save the list; True when nothing is left unsaved."""
        if self.baseline is None or not self.is_dirty():
            return True
        if not self.editable:
            return False
        self._commit_cell()
        name = self.name.text().strip()
        kind = self.data_type.currentData() or "text"
        description = self.description.text().strip()
        try:
            typed = self._entries_typed()
            with self.ctx.session() as s:
                if self.is_new:
                    pick = pl.create(s, name, kind, description=description)
                else:
                    pick = pl.get(s, self.current or "")
                    if pick is None or pick.version != self.version:
                        who = pick.updated_by if pick is not None else ""
                        dialogs.tell(self, "Pick Lists",
                                     f"{self.current} was changed by {who or 'someone else'} "
                                     "since you opened it (or deleted); your changes were not "
                                     "saved. It is shown as saved now.", warning=True)
                        self.reload()
                        return False
                pl.set_entries(s, pick, typed, data_type=kind, description=description)
                pick.updated_by = self.ctx.operator_id
                flag_modified(pick, "updated_by")  # a new version even when only entries changed
                s.commit()
        except pl.PickListError as error:
            self._refuse(error)
            return False
        self.ctx.notify("pick_lists", name)
        self.is_new = False
        self.reload(name)
        self.window_.statusBar().showMessage(f"Pick list {name} saved.", 8000)
        return True

    def revert(self) -> None:
        if self.is_new:
            self.is_new = False
            self._load(None)
        else:
            self._load(self.current)

    def _settle(self) -> bool:
        """Before showing another list: save, discard or stay."""
        if not self.is_dirty():
            return True
        what = self.current or self.name.text().strip() or "the new list"
        choice = dialogs.ask(self, "Pick Lists", f"Save your changes to {what}?",
                             ["Save", "Discard", "Cancel"], default="Save")
        if choice == "Save":
            return self.save()
        return choice == "Discard"

    def may_close(self) -> bool:
        return self._settle()

    # -- lists -----------------------------------------------------------------------------------
    def new_list(self) -> None:
        if not self.editable or not self._settle():
            return
        self.lists.blockSignals(True)
        self.lists.setCurrentCell(-1, -1)
        self.lists.blockSignals(False)
        self.current = None
        self._fill("", "text", "", [])
        self.is_new = True
        self.name.setReadOnly(False)
        self.system_note.setVisible(False)
        self.used_by.setText("")
        self._show(True)
        self.name.setFocus()

    def delete_list(self) -> None:
        name = self.current
        if not self.editable or name is None or self.is_new:
            return
        with self.ctx.session() as s:
            used = pl.used_by(s, name)
        warning = ""
        if used:
            warning = ("Fields still naming it accept any value of their type until a list of "
                       f"that name exists again: {', '.join(used[:6])}"
                       + (" …" if len(used) > 6 else "") + ".")
        if not deleting.confirm(self, self.ctx.operator,
                                f"the pick list {name} and its entries", warning):
            return
        with self.ctx.session() as s:
            pick = pl.get(s, name)
            if pick is not None:
                pl.delete_list(s, pick)
                s.commit()
        self.current = None
        self.baseline = None
        self.ctx.notify("pick_lists", name)
        self.reload()

    def import_file(self, path: str | Path | None = None) -> str | None:
        """Import a legacy ``.pck`` file as a new list; returns the list's name, or None."""
        if not self.editable or not self._settle():
            return None
        if path is None:
            chosen, _filter = QFileDialog.getOpenFileName(
                self, "Import a legacy pick list", str(picklists_dir()),
                "Pick lists (*.pck);;All files (*)")
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        try:
            with self.ctx.session() as s:
                try:
                    pick = pl.import_pck(s, path)
                except pl.PickListError as clash:  # a list of that name exists
                    s.rollback()
                    other = _free_name(s, path.stem)
                    choice = dialogs.ask(self, "Import Pick List",
                                         f"{clash}\n\nImport it as {other} instead?",
                                         [f"Import as {other}", "Cancel"])
                    if choice == "Cancel":
                        return None
                    pick = pl.import_pck(s, path, name=other)
                name, count, kind = pick.name, len(pick.entries), pick.data_type
                s.commit()
        except (pl.PickListError, pl.PickListFileError) as error:  # names the file and line
            reason = str(error)
        except (OSError, UnicodeDecodeError) as error:
            reason = f"{path.name} cannot be read: {error}"
        else:
            reason = ""
        if reason:
            dialogs.tell(self, "Import Pick List", f"{reason}\n\nNothing was imported.",
                         warning=True)
            return None
        self.ctx.notify("pick_lists", name)
        self.current = None
        self.reload(name)
        dialogs.tell(self, "Import Pick List",
                     f"Imported {path.name} as the pick list {name}: {count:,} entries, "
                     f"type {kind}.")
        return name


def _free_name(session: Any, stem: str) -> str:
    """``states`` → ``states_2`` (or the next number nobody uses), for a second import."""
    taken = {n.lower() for n in session.scalars(select(PickList.name))} | DYNAMIC_PICKLISTS
    n = 2
    while f"{stem}_{n}".lower() in taken:
        n += 1
    return f"{stem}_{n}"


def _table_look(table: QTableWidget) -> None:
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
