"""Schedule Next Contact: complete the contact being worked and schedule the next one.

Seed 003, "Examples Using Contact Plans" (the Schedule Next Contact form) and "Holidays" (it skips
weekends and holidays unless "Schedule contacts on weekends" is on).  The work is
:func:`collectdesk.engine.wip.schedule_next_contact`; this module finds which contact is being
worked, asks for the next one's details with the editors of the form registry and tells the
other windows through ``ctx.changed``.

Which contact: the one highlighted in the WIP list; on an account, the one the WIP list opened
(when the form still shows that account), otherwise the account's In Progress phone, review,
promise or other contact — the operator's own and due ones first, then by priority; on a
contact form, that contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy import case, select

from .. import db
from ..engine import forms_spec, wip
from ..engine.forms_spec import PickEntry
from ..models import Contact, Debtor
from . import dialogs
from .forms.editors import Editor, PickListEditor, format_value
from .forms.field_rows import FieldRows

#: The next contact's fields, in the order the dialog shows them (printable codes of Contact).
FIELDS = ("co.ty", "co.dd", "co.dt", "co.pr", "co.de", "co.op", "co.am", "co.rep")
REQUIRED = ("co.ty", "co.dd")


def _record_page_class() -> type:
    from .record_page import RecordPage

    return RecordPage


def _wip_page_class() -> type:
    from .wip_page import WipPage

    return WipPage


def can_schedule_from(page: Any) -> bool:
    """Whether Schedule Next Contact has something to work on in ``page`` (cheap: no database)."""
    if page is None:
        return False
    if isinstance(page, _wip_page_class()):
        entry = page.selected_entry()
        return entry is not None and getattr(entry, "accessible", True)
    if isinstance(page, _record_page_class()):
        return (page.record is not None and not page.is_new
                and getattr(page, "placeholder", None) is None  # an account it may not see
                and page.spec.model in (Debtor, Contact))
    return False


def contact_in_progress(session: Any, debtor_id: int, operator_id: str,
                        today: dt.date | None = None) -> int | None:
    """The account's In Progress WIP contact the operator is most likely working."""
    today = today or dt.date.today()
    return session.scalar(
        select(Contact.id).where(Contact.debtor_id == debtor_id, Contact.done.is_(False),
                                 Contact.type.in_(wip.WIP_TYPE_VALUES))
        .order_by(case((Contact.operator_id == operator_id, 0), else_=1),
                  case((Contact.due_date <= today, 0), else_=1),
                  Contact.priority.desc(), Contact.due_date, Contact.id)
        .limit(1))


def contact_to_complete(window: Any) -> int | None:
    page = window.current_page()
    wip_pages = [p for p in window.pages() if isinstance(p, _wip_page_class())]
    if not can_schedule_from(page):
        return None
    if isinstance(page, _wip_page_class()):
        entry = page.selected_entry()
        return entry.contact_id if entry else None
    if page.spec.model is Contact:
        return None if page.record.done else page.record_key()
    if page.spec.model is not Debtor:
        return None
    debtor_id = page.record_key()
    for wp in reversed(wip_pages):
        working = wp.working
        if working is not None and working.debtor_id == debtor_id:
            with window.ctx.session() as s:
                c = s.get(Contact, working.contact_id)
                if c is not None and not c.done:
                    return c.id
    with window.ctx.session() as s:
        return contact_in_progress(s, debtor_id, window.ctx.operator_id)


class ScheduleNextDialog(QDialog):
    """Completing: the contact being worked.  Next: its type, date, time, priority …"""

    scheduled = Signal(int)  # the new contact's id

    def __init__(self, window: Any, contact_id: int, *,
                 today: dt.date | None = None) -> None:
        super().__init__(window)
        self.window_ = window
        self.ctx = window.ctx
        self.contact_id = contact_id
        self.next_id: int | None = None
        self.setWindowTitle("Schedule Next Contact")
        self.setObjectName("scheduleNext")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        today = today or dt.date.today()
        with self.ctx.session() as s:
            c = s.get(Contact, contact_id)
            if c is None:
                raise LookupError(f"contact {contact_id} no longer exists")
            name = ""
            if c.debtor_id is not None:
                d = s.get(Debtor, c.debtor_id)
                name = f"{d.name} (file {d.id})" if d is not None else ""
            current = {"co.ty": c.type, "co.dd": today + dt.timedelta(days=1), "co.dt": None,
                       "co.pr": c.priority, "co.de": c.description, "co.op": c.operator_id,
                       "co.am": c.amount if c.type == "Promise" else Decimal("0.00"),
                       "co.rep": c.repeat_days}
            due = " ".join(x for x in (format_value("date", c.due_date),
                                       format_value("time", c.due_time)) if x) or "—"
            done = (f"<b>{escape(c.type)}</b> {escape(c.description or '')} — due {due}, "
                    f"priority {c.priority}, operator {escape(c.operator_id or '—')}")
        self._previous_finder = PickListEditor.entries_for
        self._picks: dict[str, list[PickEntry]] = {}
        PickListEditor.entries_for = self._pick_entries

        completing = QGroupBox("Completing")
        clay = QVBoxLayout(completing)
        who = QLabel(name, objectName="formSubtitle")
        what = QLabel(done)
        what.setWordWrap(True)
        clay.addWidget(what)
        if name:
            clay.addWidget(who)

        nxt = QGroupBox("Next contact")
        form = FieldRows(Contact, FIELDS, current, required=REQUIRED,
                         where="Schedule Next Contact", parent=self)
        nxt.setLayout(form)
        self.fields = form
        self.editors: dict[str, Editor] = form.editors
        note = QLabel("A Saturday, Sunday or holiday moves to the next business day unless "
                      "WIP Options schedule contacts on weekends.", objectName="formSubtitle")
        note.setWordWrap(True)
        form.addRow("", note)
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)

        self.ok_button = QPushButton("&Schedule")
        self.ok_button.setDefault(True)
        self.ok_button.setToolTip("Complete the current contact and schedule this one (Enter)")
        cancel = QPushButton("&Cancel")
        self.ok_button.clicked.connect(self.schedule)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(cancel)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addWidget(QLabel("Schedule Next Contact", objectName="formTitle"))
        lay.addWidget(completing)
        lay.addWidget(nxt)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.setMinimumWidth(520)
        self.finished.connect(self._restore_finder)
        self.editors["co.dd"].focus_widget().setFocus()

    def _pick_entries(self, name: str) -> list[PickEntry]:
        if name not in self._picks:
            with self.ctx.session() as s:
                self._picks[name] = forms_spec.picklist_entries(s, name)
        return self._picks[name]

    def _restore_finder(self, _result: int = 0) -> None:
        if PickListEditor.entries_for == self._pick_entries:
            PickListEditor.entries_for = self._previous_finder

    def editor(self, code: str) -> Editor:
        return self.editors[code]

    def values(self) -> dict[str, Any] | None:
        out, problem, editor = self.fields.values()
        if out is None and editor is not None:
            self.message.setText(problem)
            editor.focus_widget().setFocus()
        return out

    def schedule(self) -> None:
        v = self.values()
        if v is None:
            return
        by = self.ctx.operator_id
        try:
            with self.ctx.session() as s:
                contact = s.get(Contact, self.contact_id)
                if contact is None or contact.done:
                    self.message.setText("This contact was completed or deleted meanwhile.")
                    return
                following = wip.schedule_next_contact(
                    s, contact, type=v["co.ty"], due_date=v["co.dd"], due_time=v["co.dt"],
                    description=v["co.de"] or "", priority=v["co.pr"] or 0,
                    operator=v["co.op"] or None, amount=v["co.am"],
                    repeat_days=v["co.rep"] or 0, by=by)
                debtor_id = contact.debtor_id
                db.save(s, contact, following, operator=by)
                self.next_id = following.id
                due = following.due_date
        except db.SaveConflict as exc:
            self.message.setText(str(exc))
            return
        self.ctx.notify("contacts", self.next_id)
        if debtor_id is not None:
            self.ctx.notify("debtors", debtor_id)
        self.window_.statusBar().showMessage(
            f"Contact completed; next {v['co.ty']} on {format_value('date', due)}.", 6000)
        self.scheduled.emit(self.next_id)
        self.accept()


def schedule_next(window: Any, *, on_done: Callable[[int], None] | None = None
                  ) -> ScheduleNextDialog | None:
    """Schedule Next Contact from the page on top: saves a changed form first, then shows the
    dialog (window-modal, not blocking) and returns it."""
    page = window.current_page()
    if isinstance(page, _record_page_class()) and page.record is not None and page.is_dirty():
        choice = dialogs.ask(page, "Schedule Next Contact", "Save your changes first?",
                             ["Save", "Cancel"], default="Save")
        if choice != "Save" or not page.save():
            return None
    contact_id = contact_to_complete(window)
    if contact_id is None:
        dialogs.tell(window, "Schedule Next Contact",
                     "There is no In Progress phone, review, promise or other contact here to "
                     "complete. Add a contact on the account's Contacts tab instead.")
        return None
    try:
        dlg = ScheduleNextDialog(window, contact_id)
    except LookupError as exc:
        dialogs.tell(window, "Schedule Next Contact", str(exc), warning=True)
        return None
    if on_done is not None:
        dlg.scheduled.connect(on_done)
    dlg.open()
    return dlg


__all__ = ["ScheduleNextDialog", "can_schedule_from", "contact_in_progress",
           "contact_to_complete", "schedule_next"]
