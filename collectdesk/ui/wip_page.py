"""The Work-In-Progress list: the collector's due phone, review, promise and other contacts.

Reads pages of :func:`collectdesk.engine.wip.wip_list`; Enter opens the account, and
<< >> on the account move through this list; F6 (Open Next Account) closes the account being
worked and opens the next due one after it.  Orphans… lists the accounts on the desk that are
in nobody's WIP list.  Ctrl+N (Daily Administration ▸ Schedule Next Contact, or the button
here) completes the contact being worked and schedules the next one;
the list reloads whenever it comes back on top or a contact changes, so a worked contact
leaves it.  With "Automatically display dialer" (WIP Options, Auto Dialer Setup), opening a
phone contact dials the account's phone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from ..devices.dial_settings import load_dial_settings
from ..engine import wip
from ..models import Debtor, Phone
from .desk_list_page import PAGE, DeskListPage, RowKeys
from .forms.editors import format_value

COLUMNS = ("Type", "Due", "Time", "Priority", "Name", "Status", "Owing", "Description", "Operator")


class WipPage(DeskListPage):
    heading = "Work In Progress"
    columns = COLUMNS
    stretch_column = "Description"
    right_aligned = frozenset({"Owing", "Priority"})
    empty_text = ("Nothing due: no In Progress phone, review, promise or other contact is due for "
                  "you now.")
    help_text = ("Your Work In Progress: In Progress phone, review, promise and other contacts due "
                 "now, highest priority first (or by status, see WIP Options). Enter opens the "
                 "account; << >> on the account move through the list; F6 opens the next due "
                 "account; Ctrl+N completes the contact and schedules the next one.")

    def __init__(self, window: Any) -> None:
        self.entries: list[wip.WipEntry] = []
        self.counts_by_type: dict[str, int] = {}
        #: The entry whose account was opened last: what Schedule Next Contact completes.
        self.working: wip.WipEntry | None = None
        super().__init__(window, name="wip")
        self.counts = self.summary
        self.ctx.changed.connect(self._on_changed)
        self.reload(0)

    def extra_buttons(self) -> tuple[list[QPushButton], list[QPushButton]]:
        self.next_account_button = QPushButton("Open Ne&xt Account")
        self.next_account_button.setToolTip("Close the account being worked and open the next "
                                            "due account after it (F6)")
        self.next_account_button.clicked.connect(self.open_next)
        self.schedule_button = QPushButton("Schedule &Next…")
        self.schedule_button.setToolTip("Complete the highlighted contact and schedule the next "
                                        "one (Ctrl+N)")
        self.schedule_button.clicked.connect(self.schedule_next)
        refresh = QPushButton("&Refresh")
        refresh.setToolTip("Read the list again")
        refresh.clicked.connect(lambda: self.reload(self.offset))
        options = QPushButton("Op&tions…")
        options.setToolTip("WIP Options: sort, weekends, dialer")
        options.clicked.connect(self.show_options)
        orphans = QPushButton("Orp&hans…")
        orphans.setToolTip("Accounts on the desk with no In Progress contact: in nobody's WIP "
                           "list")
        orphans.clicked.connect(self.show_orphans)
        return [self.next_account_button, self.schedule_button], [refresh, options, orphans]

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
        self.entries = page.entries
        self.counts_by_type = dict(page.counts)
        sort = "by priority" if page.sort == "priority" else "by status"
        self.counts.setText("    ".join(f"{t} {n}" for t, n in page.counts.items())
                            + f"    ·    {page.total} due, {sort}")
        rows = [(e.type, format_value("date", e.due_date), format_value("time", e.due_time),
                 str(e.priority), e.name, e.status,
                 format_value("money", e.owing) if e.owing is not None else "", e.description,
                 e.operator_id) for e in self.entries]
        ids = [e.contact_id for e in self.entries]
        self.show_rows(rows, offset=offset, more=offset + PAGE < page.total,
                       select=ids.index(keep.contact_id) if keep and keep.contact_id in ids
                       else 0)

    def selected_entry(self) -> wip.WipEntry | None:
        row = self.table.currentRow() if hasattr(self, "table") else -1
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def update_buttons(self) -> None:
        entry = self.selected_entry()
        self.open_button.setEnabled(entry is not None)
        self.next_account_button.setEnabled(bool(self.entries))
        self.schedule_button.setEnabled(entry is not None and getattr(entry, "accessible", True))

    def _on_changed(self, table: str, _key: Any) -> None:
        if table in ("contacts", "preferences") and self.window_.current_page() is self:
            self.reload(self.offset)

    # -- working the list -----------------------------------------------------------------------
    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            self.open_entry(self.entries[row])

    def open_next(self) -> Any:
        """Open Next Account (F6): close the account being worked (asking to save what was
        typed) and open the next due account after it; from the list itself, the first."""
        working = self.working
        with self.ctx.session() as s:
            entry = wip.next_account(
                s, self.ctx.operator_id, now=dt.datetime.now(),
                after_debtor_id=working.debtor_id if working else None,
                after_contact_id=working.contact_id if working else None,
                manager=self.everyone.isChecked(), policy=self.ctx.policy)
        if entry is None:
            self.window_.statusBar().showMessage(
                "No other account is due after this one in the WIP list.", 5000)
            return None
        pages = self.window_.pages()
        for page in reversed(pages[pages.index(self) + 1:] if self in pages else []):
            if not self.window_.close_page(page):
                return None
        return self.open_entry(entry)

    def open_entry(self, entry: wip.WipEntry) -> Any:
        self.working = entry
        if entry.debtor_id is not None:
            keys = [e.debtor_id for e in self.entries if e.debtor_id is not None]
            if entry.debtor_id not in keys:  # on a later page of the list
                keys = [entry.debtor_id]
            page = self.window_.open_form("debtor", entry.debtor_id, browse=RowKeys(keys),
                                          row=keys.index(entry.debtor_id))
            self.window_.statusBar().showMessage(
                f"Working {entry.type} “{entry.description}” — Ctrl+N completes it and schedules "
                "the next contact; Esc returns to the WIP list.", 10000)
            if entry.type == "Phone" and getattr(entry, "accessible", True):
                self._display_dialer(entry, page)
            return page
        if entry.client_id is not None:
            return self.window_.open_form("client", entry.client_id)
        return None

    def _display_dialer(self, entry: wip.WipEntry, page: Any) -> None:
        """"Automatically display dialer": dial the account at once, as a click on its phone
        does (which asks first only when the Auto Dialer prompts before dialing)."""
        with self.ctx.session() as s:
            if not load_dial_settings(s, self.ctx.operator_id).display_dialer:
                return
            number = _phone_for(s, entry)
        if not number:
            self.window_.statusBar().showMessage(
                "Automatically display dialer: this account has no phone number to dial.", 8000)
            return
        self.window_.dialer.dial(number, debtor_id=entry.debtor_id, parent=page)

    def schedule_next(self) -> Any:
        from .schedule_next import schedule_next

        return schedule_next(self.window_)

    def show_orphans(self) -> Any:
        from .orphans_page import open_orphans

        return open_orphans(self.window_)

    def show_options(self) -> Any:
        from .wip_options import open_wip_options

        return open_wip_options(self.window_)

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
