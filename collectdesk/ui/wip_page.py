"""The Work-In-Progress list: the collector's due phone, review, promise and other contacts.

Reads pages of :func:`collectdesk.engine.wip.wip_list`; Enter opens the account, and
<< >> on the account move through this list.
"""

from __future__ import annotations

import datetime as dt
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

from ..engine import wip
from ..models import OperatorType
from .forms.editors import format_value
from .page import Page

PAGE = 50
COLUMNS = ("Type", "Due", "Time", "Priority", "Name", "Status", "Owing", "Description", "Operator")


class _Keys:
    """What a record form needs to walk the list with << >>: keys by row."""

    def __init__(self, keys: list[int]) -> None:
        self.keys = keys

    def rowCount(self) -> int:
        return len(self.keys)

    def key(self, row: int) -> int | None:
        return self.keys[row] if 0 <= row < len(self.keys) else None


class WipPage(Page):
    help_text = ("Your Work In Progress: In Progress phone, review, promise and other contacts due "
                 "now, highest priority first. Enter opens the account; << >> on the account move "
                 "through the list.")

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle("Work In Progress")
        self.offset = 0
        self.entries: list[wip.WipEntry] = []
        op = self.ctx.operator
        self.manager_allowed = bool(op and (op.type or "").upper() == OperatorType.SYSTEM.value)
        self.everyone = QCheckBox("&All operators")
        self.everyone.setVisible(self.manager_allowed)
        self.everyone.toggled.connect(lambda _on: self.reload(0))
        self.counts = QLabel(objectName="formSubtitle")
        head = QHBoxLayout()
        head.addWidget(QLabel("Work In Progress", objectName="formTitle"))
        head.addWidget(self.counts, 1)
        head.addWidget(self.everyone)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda idx: self.open_row(idx.row()))
        buttons = QHBoxLayout()
        self.prev_button = QPushButton("<< &Previous page")
        self.next_button = QPushButton("&Next page >>")
        self.prev_button.clicked.connect(lambda: self.reload(max(self.offset - PAGE, 0)))
        self.next_button.clicked.connect(lambda: self.reload(self.offset + PAGE))
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(lambda: self.reload(self.offset))
        close = QPushButton("&Close")
        close.clicked.connect(lambda: window.close_page(self))
        for b in (self.prev_button, self.next_button, refresh):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addLayout(head)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        self.setFocusProxy(self.table)
        self.reload(0)

    def reload(self, offset: int) -> None:
        with self.ctx.session() as s:
            page = wip.wip_list(s, self.ctx.operator_id, now=dt.datetime.now(),
                                manager=self.everyone.isChecked(), offset=offset, limit=PAGE)
        self.offset = offset
        self.entries = page.entries
        self.counts.setText("   ".join(f"{t}: {n}" for t, n in page.counts.items())
                            + f"   ·   total {page.total}")
        self.table.setRowCount(len(self.entries))
        for r, e in enumerate(self.entries):
            values = (e.type, format_value("date", e.due_date), format_value("time", e.due_time),
                      str(e.priority), e.name, e.status,
                      format_value("money", e.owing) if e.owing is not None else "", e.description,
                      e.operator_id)
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if COLUMNS[c] in ("Owing", "Priority"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.prev_button.setEnabled(offset > 0)
        self.next_button.setEnabled(offset + PAGE < page.total)
        if self.entries:
            self.table.selectRow(0)

    def open_row(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]
        if entry.debtor_id is not None:
            keys = [e.debtor_id for e in self.entries if e.debtor_id is not None]
            self.window_.open_form("debtor", entry.debtor_id, browse=_Keys(keys),
                                   row=keys.index(entry.debtor_id))
        elif entry.client_id is not None:
            self.window_.open_form("client", entry.client_id)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F5):
            self.open_row(self.table.currentRow())
            return
        super().keyPressEvent(event)

    def activated(self) -> None:
        self.reload(self.offset)
