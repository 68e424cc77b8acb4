"""The Work-In-Progress list: the collector's due phone, review, promise and other contacts.

Reads pages of :func:`collectdesk.engine.wip.wip_list`; Enter opens the account, and
<< >> on the account move through this list.  Ctrl+N (Daily Administration ▸ Schedule Next
Contact, or the button here) completes the contact being worked and schedules the next one;
the list reloads whenever it comes back on top or a contact changes, so a worked contact
leaves it.  With "Automatically display dialer" (WIP Options), opening a phone contact offers
to dial the account's phone.
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
from sqlalchemy import select

from ..engine import wip
from ..engine.access import may_list_everyones_wip
from ..engine.contact_plans import preference
from ..models import Debtor, Phone
from . import dialogs
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
                 "now, highest priority first (or by status, see WIP Options). Enter opens the "
                 "account; << >> on the account move through the list; Ctrl+N completes the "
                 "contact and schedules the next one.")

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle("Work In Progress")
        self.setObjectName("wip")
        self.offset = 0
        self.entries: list[wip.WipEntry] = []
        self.counts_by_type: dict[str, int] = {}
        #: The entry whose account was opened last: what Schedule Next Contact completes.
        self.working: wip.WipEntry | None = None
        op = self.ctx.operator
        self.manager_allowed = may_list_everyones_wip(op)
        self.everyone = QCheckBox("&All operators")
        self.everyone.setVisible(self.manager_allowed)
        self.everyone.toggled.connect(lambda _on: self.reload(0))
        self.counts = QLabel(objectName="formSubtitle")
        self.counts.setTextFormat(Qt.TextFormat.PlainText)
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(QLabel("Work In Progress", objectName="formTitle"))
        head.addWidget(self.counts, 1)
        head.addWidget(self.everyone)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("wipTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
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
        header.setSectionResizeMode(COLUMNS.index("Description"), QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.doubleClicked.connect(lambda idx: self.open_row(idx.row()))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.empty = QLabel("Nothing due: no In Progress phone, review, promise or other contact "
                            "is due for you now.", objectName="formSubtitle")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Open the highlighted account (Enter, F5)")
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        self.schedule_button = QPushButton("Schedule &Next…")
        self.schedule_button.setToolTip("Complete the highlighted contact and schedule the next "
                                        "one (Ctrl+N)")
        self.schedule_button.clicked.connect(self.schedule_next)
        self.prev_button = QPushButton("<< &Previous page")
        self.next_button = QPushButton("Next pa&ge >>")
        self.prev_button.clicked.connect(lambda: self.reload(max(self.offset - PAGE, 0)))
        self.next_button.clicked.connect(lambda: self.reload(self.offset + PAGE))
        refresh = QPushButton("&Refresh")
        refresh.setToolTip("Read the list again")
        refresh.clicked.connect(lambda: self.reload(self.offset))
        options = QPushButton("Op&tions…")
        options.setToolTip("WIP Options: sort, weekends, dialer")
        options.clicked.connect(self.show_options)
        close = QPushButton("&Close")
        close.clicked.connect(lambda: window.close_page(self))
        for b in (self.open_button, self.schedule_button, self.prev_button, self.next_button,
                  refresh, options):
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
        self.ctx.changed.connect(self._on_changed)
        self.reload(0)

    # -- reading ------------------------------------------------------------------------------
    def reload(self, offset: int) -> None:
        keep = self.selected_entry()
        with self.ctx.session() as s:
            page = wip.wip_list(s, self.ctx.operator_id, now=dt.datetime.now(),
                                manager=self.everyone.isChecked(), offset=offset, limit=PAGE,
                                policy=self.ctx.policy)
        if offset and not page.entries and page.total:
            self.reload(max(0, (page.total - 1) // PAGE * PAGE))  # the last page emptied
            return
        self.offset = offset
        self.entries = page.entries
        self.counts_by_type = dict(page.counts)
        sort = "by priority" if page.sort == "priority" else "by status"
        self.counts.setText("    ".join(f"{t} {n}" for t, n in page.counts.items())
                            + f"    ·    {page.total} due, {sort}")
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
        self.table.setVisible(bool(self.entries))
        self.empty.setVisible(not self.entries)
        self.prev_button.setEnabled(offset > 0)
        self.next_button.setEnabled(offset + PAGE < page.total)
        if self.entries:
            ids = [e.contact_id for e in self.entries]
            row = ids.index(keep.contact_id) if keep and keep.contact_id in ids else 0
            self.table.selectRow(row)
        self._update_buttons()

    def selected_entry(self) -> wip.WipEntry | None:
        row = self.table.currentRow() if hasattr(self, "table") else -1
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        self.open_button.setEnabled(entry is not None)
        self.schedule_button.setEnabled(entry is not None and getattr(entry, "accessible", True))

    def _on_changed(self, table: str, _key: Any) -> None:
        if table in ("contacts", "preferences") and self.window_.current_page() is self:
            self.reload(self.offset)

    # -- working the list -----------------------------------------------------------------------
    def open_row(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]
        self.working = entry
        if entry.debtor_id is not None:
            keys = [e.debtor_id for e in self.entries if e.debtor_id is not None]
            page = self.window_.open_form("debtor", entry.debtor_id, browse=_Keys(keys),
                                          row=keys.index(entry.debtor_id))
            self.window_.statusBar().showMessage(
                f"Working {entry.type} “{entry.description}” — Ctrl+N completes it and schedules "
                "the next contact; Esc returns to the WIP list.", 10000)
            if entry.type == "Phone" and getattr(entry, "accessible", True):
                self._display_dialer(entry, page)
        elif entry.client_id is not None:
            self.window_.open_form("client", entry.client_id)

    def _display_dialer(self, entry: wip.WipEntry, page: Any) -> None:
        """WIP Options "Automatically display dialer": offer to call the account at once."""
        with self.ctx.session() as s:
            if not preference(s, "display_dialer", self.ctx.operator_id):
                return
            number = _phone_for(s, entry)
        if not number:
            return
        text = f"{entry.type} contact: {entry.description or entry.name}.\n\nDial {number}?"
        if dialogs.ask(page, "Dialer", text, ["Dial", "Not Now"], default="Dial") == "Dial":
            self.window_.dialer.dial(number, debtor_id=entry.debtor_id, parent=page)

    def schedule_next(self) -> Any:
        from .schedule_next import schedule_next

        return schedule_next(self.window_)

    def show_options(self) -> Any:
        from .wip_options import open_wip_options

        return open_wip_options(self.window_)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F5):
            self.open_row(self.table.currentRow())
            return
        super().keyPressEvent(event)

    def activated(self) -> None:
        self.reload(self.offset)
        self.table.setFocus()

    def deleteLater(self) -> None:
        try:
            self.ctx.changed.disconnect(self._on_changed)
        except (RuntimeError, TypeError):
            pass
        super().deleteLater()


def _phone_for(session: Any, entry: wip.WipEntry) -> str:
    """The number a phone contact means: the account phone whose kind starts the description
    ("Home", "Work" …), else the home phone, else the first active phone."""
    debtor = session.get(Debtor, entry.debtor_id) if entry.debtor_id is not None else None
    if debtor is None:
        return ""
    phones = session.execute(select(Phone.kind, Phone.number).where(
        Phone.debtor_id == debtor.id, Phone.active.is_(True)).order_by(Phone.id)).all()
    wanted = (entry.description or "").strip().lower()
    for kind, number in phones:
        if kind and wanted.startswith(kind.lower()) and number:
            return number
    if debtor.home_phone:
        return debtor.home_phone
    return next((n for _k, n in phones if n), "")
