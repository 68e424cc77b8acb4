"""Orphaned accounts: active accounts on a desk with no In Progress Review, Phone, Promise or
Other contact, so in nobody's WIP list (seed 003, "Contact Plan For New Accounts": "ALL
accounts expected to appear in a WIP list MUST have an In Progress contact event").

Reached from the WIP list's Orphans… button.  A collector sees their own desk; a SYSTEM
operator may tick All operators.  The list is a report of account data: only accounts the
signed-on operator may fully see are listed (:func:`.engine.wip.orphan_accounts` through the
operator's account access).  Enter opens the account, where F3 on the Contacts tab (or
Schedule Next Contact) puts it back in a WIP list.
"""

from __future__ import annotations

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
from .page import Page
from .wip_page import RowKeys

PAGE = 50
COLUMNS = ("File", "Name", "Operator")


class OrphansPage(Page):
    help_text = ("Accounts on a desk that are in nobody's WIP list: no In Progress phone, review, "
                 "promise or other contact. Enter opens the account; schedule a contact there to "
                 "put it back in the WIP list.")

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle("Orphaned Accounts")
        self.setObjectName("orphans")
        self.offset = 0
        self.rows: list[tuple[int, str, str]] = []
        op = self.ctx.operator
        self.manager_allowed = bool(op and (op.type or "").upper() == OperatorType.SYSTEM.value)
        self.everyone = QCheckBox("&All operators")
        self.everyone.setVisible(self.manager_allowed)
        self.everyone.toggled.connect(lambda _on: self.reload(0))
        self.summary = QLabel(objectName="formSubtitle")
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(QLabel("Orphaned Accounts", objectName="formTitle"))
        head.addWidget(self.summary, 1)
        head.addWidget(self.everyone)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("orphansTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Name"), QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda idx: self.open_row(idx.row()))
        self.empty = QLabel("No orphans: every active account on the desk has an In Progress "
                            "phone, review, promise or other contact.", objectName="formSubtitle")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Open the highlighted account (Enter)")
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        self.prev_button = QPushButton("<< &Previous page")
        self.next_button = QPushButton("Next pa&ge >>")
        self.prev_button.clicked.connect(lambda: self.reload(max(self.offset - PAGE, 0)))
        self.next_button.clicked.connect(lambda: self.reload(self.offset + PAGE))
        close = QPushButton("&Close")
        close.clicked.connect(lambda: window.close_page(self))
        for b in (self.open_button, self.prev_button, self.next_button):
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
        self.reload(0)

    def reload(self, offset: int) -> None:
        desk = None if self.everyone.isChecked() else self.ctx.operator_id
        with self.ctx.session() as s:
            rows = wip.orphan_accounts(s, desk, limit=PAGE + 1, offset=offset,
                                       policy=self.ctx.policy)
        self.offset = offset
        self.rows = rows[:PAGE]
        self.table.setRowCount(len(self.rows))
        for r, (file_number, name, operator) in enumerate(self.rows):
            for c, value in enumerate((str(file_number), name, operator)):
                item = QTableWidgetItem(value)
                if c == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        whose = "every desk" if desk is None else f"{desk}'s desk"
        shown = f"{offset + 1}–{offset + len(self.rows)}" if self.rows else "none"
        self.summary.setText(f"Active accounts on {whose} in nobody's WIP list: {shown}")
        self.table.setVisible(bool(self.rows))
        self.empty.setVisible(not self.rows)
        self.prev_button.setEnabled(offset > 0)
        self.next_button.setEnabled(len(rows) > PAGE)
        self.open_button.setEnabled(bool(self.rows))
        if self.rows:
            self.table.selectRow(0)

    def open_row(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        keys = [file_number for file_number, _n, _o in self.rows]
        self.window_.open_form("debtor", keys[row], browse=RowKeys(keys), row=row)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F5):
            self.open_row(self.table.currentRow())
            return
        super().keyPressEvent(event)

    def activated(self) -> None:
        self.reload(self.offset)  # an account given a contact has left the list
        self.table.setFocus()


def open_orphans(window: Any) -> OrphansPage:
    page = OrphansPage(window)
    window.push(page)
    return page


__all__ = ["OrphansPage", "open_orphans"]
