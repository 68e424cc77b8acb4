"""A lazy, paged table model over :class:`collectdesk.engine.browse.Pager`.

Rows are fetched a page at a time when the view asks for them, so a list of a
million accounts costs one COUNT and one small SELECT to show.  The query carries the
signed-on operator's account access: a confidential account of a non-strict operator
comes back masked from the database and is shown greyed, in italics, as N/A.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from sqlalchemy.orm import Session

from ..engine.browse import ListQuery, Pager, Row
from ..engine.forms_spec import FieldSpec
from .forms.editors import format_value
from .theme import COLORS

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
PLACEHOLDER_TIP = ("A confidential account: your account access shows only its file number, "
                   "last worked, operator, owing, group and member.")


class BrowseModel(QAbstractTableModel):
    """Columns are FieldSpecs; rows come from the pager on demand."""

    def __init__(self, sessions: Callable[[], Session], query: ListQuery,
                 fields: Sequence[FieldSpec], parent: Any = None, page_size: int = 200) -> None:
        super().__init__(parent)
        self.fields = list(fields)
        self.pager = Pager(sessions, query, page_size=page_size)
        self._tag_brush = QBrush(QColor(COLORS["tag"]))
        self._bold = QFont()
        self._bold.setBold(True)
        self._muted = QBrush(QColor(COLORS["muted"]))
        self._italic = QFont()
        self._italic.setItalic(True)

    # -- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.pager.count()

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.fields) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if section == 0 else self.fields[section - 1].label
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            f = self.fields[section - 1]
            return f"{f.label} ({f.code})"
        if role == Qt.ItemDataRole.TextAlignmentRole and section > 0 and \
                self.fields[section - 1].kind in ("money", "percent", "number"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.pager.row(index.row())
        if row is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return "✓" if row.tagged else ""
            f = self.fields[col - 1]
            value = row.values[col - 1]
            if f.kind == "check":
                return "✓" if value else ""
            return format_value(f.kind, value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col > 0 and self.fields[col - 1].kind in ("money", "percent", "number"):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col == 0:
                return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole and row.tagged:
            return self._tag_brush
        if not row.accessible:
            if role == Qt.ItemDataRole.ForegroundRole:
                return self._muted
            if role == Qt.ItemDataRole.FontRole:
                return self._italic
            if role == Qt.ItemDataRole.ToolTipRole:
                return PLACEHOLDER_TIP
        if role == Qt.ItemDataRole.UserRole:
            return row.key
        return None

    # -- operations ------------------------------------------------------------------------------
    def key(self, row: int) -> Any:
        r = self.pager.row(row)
        return r.key if r else None

    def row_object(self, row: int) -> Row | None:
        return self.pager.row(row)

    def reload(self) -> None:
        self.beginResetModel()
        self.pager.reset()
        self.endResetModel()

    def set_sort(self, attribute: str, descending: bool) -> None:
        self.beginResetModel()
        self.pager.query.sort = attribute
        self.pager.query.descending = descending
        if attribute not in self.pager.query.columns:
            self.pager.query.columns = list(self.pager.query.columns) + [attribute]
        self.pager.reset()
        self.endResetModel()

    def set_fields(self, fields: Sequence[FieldSpec]) -> None:
        self.beginResetModel()
        self.fields = list(fields)
        columns = [f.attribute for f in fields]
        if self.pager.query.sort not in columns:
            columns.append(self.pager.query.sort)
        self.pager.query.columns = columns
        self.pager.reset()
        self.endResetModel()

    def refresh_row(self, row: int) -> None:
        page_no = row // self.pager.page_size
        self.pager._pages.pop(page_no, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
