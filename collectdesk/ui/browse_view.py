"""The table every list uses: keyboard-first (type-ahead, Space tags, Enter opens), sortable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from ..engine.forms_spec import FieldSpec
from .browse_model import BrowseModel


class BrowseView(QTableView):
    open_requested = Signal(int)  # row
    new_requested = Signal()
    tag_requested = Signal(int)  # row
    tag_all_requested = Signal()
    delete_requested = Signal(int)  # row

    def __init__(self, model: BrowseModel, *, taggable: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        model.setParent(self)  # the model lives and dies with its view
        self.taggable = taggable
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._sort_by)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda pos: self.choose_columns_menu(
            header.mapToGlobal(pos)))
        header.setStretchLastSection(True)
        self.doubleClicked.connect(lambda idx: self.open_requested.emit(idx.row()))
        self._typed = ""
        self._typed_timer = QElapsedTimer()
        self.all_fields: list[FieldSpec] = list(model.fields)
        self.list_widths: dict[str, int] = {}
        self.fit_columns()
        if not taggable:
            self.setColumnHidden(0, True)
        self._show_sort()

    def browse_model(self) -> BrowseModel:
        return self.model()  # type: ignore[return-value]

    def fit_columns(self) -> None:
        fm = self.fontMetrics()
        model = self.browse_model()
        self.setColumnWidth(0, fm.horizontalAdvance("✓") + 16)
        for i, f in enumerate(model.fields, start=1):
            chars = self.list_widths.get(f.code) or _list_chars(f)
            width = max(fm.horizontalAdvance("n" * chars), fm.horizontalAdvance(f.label) + 28)
            self.setColumnWidth(i, width)

    def current_row(self) -> int:
        idx = self.currentIndex()
        return idx.row() if idx.isValid() else -1

    def go_to(self, row: int) -> None:
        model = self.browse_model()
        if model.rowCount() == 0:
            return
        row = max(0, min(row, model.rowCount() - 1))
        idx = model.index(row, 1)
        self.setCurrentIndex(idx)
        self.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)

    # -- keyboard ---------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F5):
            if self.current_row() >= 0:
                self.open_requested.emit(self.current_row())
            return
        if key == Qt.Key.Key_F3:
            self.new_requested.emit()
            return
        if key == Qt.Key.Key_Delete:
            if self.current_row() >= 0:
                self.delete_requested.emit(self.current_row())
            return
        if self.taggable and key == Qt.Key.Key_Space and not self._typed:
            if self.current_row() >= 0:
                self.tag_requested.emit(self.current_row())
                self.go_to(self.current_row() + 1)
            return
        if self.taggable and event.matches(QKeySequence.StandardKey.SelectAll):
            self.tag_all_requested.emit()
            return
        text = event.text()
        if text and text.isprintable() and not (mods & (Qt.KeyboardModifier.ControlModifier
                                                        | Qt.KeyboardModifier.AltModifier)):
            self.type_ahead(text)
            return
        if key == Qt.Key.Key_Backspace and self._typed:
            self._typed = self._typed[:-1]
            self._jump()
            return
        self._typed = ""
        super().keyPressEvent(event)

    def type_ahead(self, text: str) -> None:
        if not self._typed_timer.isValid() or self._typed_timer.elapsed() > 1200:
            self._typed = ""
        self._typed += text
        self._typed_timer.restart()
        self._jump()

    def _jump(self) -> None:
        if not self._typed:
            return
        row = self.browse_model().pager.index_of_prefix(self._typed)
        self.go_to(row)
        self.window().statusBar().showMessage(f"Find: {self._typed}", 1500) \
            if hasattr(self.window(), "statusBar") else None

    def keyboardSearch(self, search: str) -> None:  # Qt's own search would scan every row
        self.type_ahead(search)

    # -- sorting and columns ---------------------------------------------------------------------
    def _sort_by(self, section: int) -> None:
        if section == 0:
            return
        model = self.browse_model()
        f = model.fields[section - 1]
        q = model.pager.query
        descending = (not q.descending) if q.sort == f.attribute else False
        key = model.key(self.current_row()) if self.current_row() >= 0 else None
        model.set_sort(f.attribute, descending)
        self._show_sort()
        if key is not None:
            row = model.pager.index_of_key(key)
            if row is not None:
                self.go_to(row)

    def _show_sort(self) -> None:
        model = self.browse_model()
        q = model.pager.query
        for i, f in enumerate(model.fields, start=1):
            if f.attribute == q.sort:
                self.horizontalHeader().setSortIndicator(
                    i, Qt.SortOrder.DescendingOrder if q.descending else Qt.SortOrder.AscendingOrder)
                return
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def choose_columns_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        menu.setTitle("Columns")
        model = self.browse_model()
        shown = {f.code for f in model.fields}
        for f in self.all_fields:
            act = QAction(f.label, menu, checkable=True)
            act.setChecked(f.code in shown)
            act.toggled.connect(lambda on, f=f: self.toggle_column(f, on))
            menu.addAction(act)
        menu.exec(pos)

    def toggle_column(self, field: FieldSpec, on: bool) -> None:
        model = self.browse_model()
        current = [f for f in model.fields if f.code != field.code]
        if on:
            order = [f.code for f in self.all_fields]
            current.append(field)
            current.sort(key=lambda f: order.index(f.code) if f.code in order else 999)
        if not current:
            return
        model.set_fields(current)
        self.fit_columns()
        self._show_sort()


def _list_chars(f: FieldSpec) -> int:
    if f.kind in ("money",):
        return 12
    if f.kind in ("percent", "number"):
        return 8
    if f.kind in ("date",):
        return 11
    if f.kind in ("datetime",):
        return 16
    if f.kind == "check":
        return 4
    if f.kind == "phone":
        return 15
    return max(4, min(f.length or 12, 30))


OpenHandler = Callable[[int], None]
