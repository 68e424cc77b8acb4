"""A page listing what is on an operator's desk, a page of rows at a time: the WIP list
(:mod:`.wip_page`) and the orphaned accounts (:mod:`.orphans_page`).

A title with a summary line, All operators (for a SYSTEM operator only), a read-only table,
a message when it is empty, Open and the page buttons; Enter, F5 or a double-click opens the
highlighted row.  A subclass reads its rows in ``reload(offset)``, shows them with
:meth:`DeskListPage.show_rows` and opens one in ``open_row(row)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..engine.access import may_list_everyones_wip
from .page import Page

PAGE = 50


class RowKeys:
    """What a record form needs to walk the list with << >>: keys by row."""

    def __init__(self, keys: list[int]) -> None:
        self.keys = keys

    def rowCount(self) -> int:
        return len(self.keys)

    def key(self, row: int) -> int | None:
        return self.keys[row] if 0 <= row < len(self.keys) else None


class DeskListPage(Page):
    heading = ""
    columns: tuple[str, ...] = ()
    stretch_column = ""
    right_aligned: frozenset[str] = frozenset()
    empty_text = ""

    def __init__(self, window: Any, *, name: str) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle(self.heading)
        self.setObjectName(name)
        self.offset = 0
        op = self.ctx.operator
        self.manager_allowed = may_list_everyones_wip(op)
        self.everyone = QCheckBox("&All operators")
        self.everyone.setVisible(self.manager_allowed)
        self.everyone.toggled.connect(lambda _on: self.reload(0))
        self.summary = QLabel(objectName="formSubtitle")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(QLabel(self.heading, objectName="formTitle"))
        head.addWidget(self.summary, 1)
        head.addWidget(self.everyone)

        self.table = QTableWidget(0, len(self.columns))
        self.table.setObjectName(f"{name}Table")
        self.table.setHorizontalHeaderLabels(self.columns)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.columns.index(self.stretch_column),
                                    QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.doubleClicked.connect(lambda idx: self.open_row(idx.row()))
        self.table.itemSelectionChanged.connect(self.update_buttons)
        self.empty = QLabel(self.empty_text, objectName="formSubtitle")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Open the highlighted account (Enter, F5)")
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        self.prev_button = QPushButton("<< &Previous page")
        self.next_button = QPushButton("Next pa&ge >>")
        self.prev_button.clicked.connect(lambda: self.reload(max(self.offset - PAGE, 0)))
        self.next_button.clicked.connect(lambda: self.reload(self.offset + PAGE))
        close = QPushButton("&Close")
        close.clicked.connect(lambda: window.close_page(self))
        before, after = self.extra_buttons()
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.open_button, *before, self.prev_button, self.next_button, *after):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addLayout(head)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty, 1)
        lay.addLayout(buttons)
        self.setFocusProxy(self.table)

    # -- for subclasses ----------------------------------------------------------------------
    def extra_buttons(self) -> tuple[list[QPushButton], list[QPushButton]]:
        """The page's own buttons: before the page buttons, and after them."""
        return [], []

    def reload(self, offset: int) -> None:
        raise NotImplementedError

    def open_row(self, row: int) -> None:
        raise NotImplementedError

    def open_account(self, file_numbers: list[int], row: int) -> None:
        """Open the account listed on ``row``; << >> on it walk the listed accounts."""
        if 0 <= row < len(file_numbers):
            self.window_.open_form("debtor", file_numbers[row], browse=RowKeys(file_numbers),
                                   row=row)

    @classmethod
    def open_in(cls, window: Any) -> Any:
        """The page, pushed onto the main window."""
        page = cls(window)
        window.push(page)
        return page

    def update_buttons(self) -> None:
        self.open_button.setEnabled(self.table.currentRow() >= 0 and self.table.rowCount() > 0)

    def show_rows(self, rows: Sequence[Sequence[str]], *, offset: int, more: bool,
                  select: int = 0) -> None:
        """Show one page of rows (text per column) starting at ``offset``; ``more``: a next
        page exists; ``select``: the row to highlight."""
        self.offset = offset
        self.table.setRowCount(len(rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if self.columns[c] in self.right_aligned:
                    item.setTextAlignment(right)
                self.table.setItem(r, c, item)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.prev_button.setEnabled(offset > 0)
        self.next_button.setEnabled(more)
        if rows:
            self.table.selectRow(select)
        self.update_buttons()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F5):
            self.open_row(self.table.currentRow())
            return
        super().keyPressEvent(event)

    def activated(self) -> None:
        self.reload(self.offset)  # what was worked meanwhile may have left the list
        self.table.setFocus()


__all__ = ["PAGE", "DeskListPage", "RowKeys"]
