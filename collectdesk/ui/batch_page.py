"""Tools ▸ Batch Processing: run a contact plan on many accounts, process automatic contacts,
and move contact plans between databases as files.

The work is :mod:`collectdesk.engine.batch` and :mod:`collectdesk.engine.plan_files`; this
page chooses the accounts and the plan, runs the batch off the GUI thread with progress and
Cancel, and shows the summary (accounts, contacts created, skipped and why).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from ..engine import batch, plan_files
from ..engine.browse import report_query
from ..models import ContactPlan, Debtor
from . import dialogs
from .operations import run_in_background
from .page import Page

TAGGED, FOUND, CLIENT = "tagged", "found", "client"


def open(window: Any) -> Page:
    """The entry point Command.open_page calls."""
    return window.push(BatchPage(window))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(edit: QDateEdit) -> dt.date:
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return form


def _left(widget: QWidget) -> QHBoxLayout:
    """A widget at its own size, on the left of its form row."""
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row


def summary_text(summary: batch.BatchSummary) -> str:
    """What a batch did, in the words of the screen."""
    lines = [f"Plan {summary.plan}: {summary.processed:,} of {summary.accounts:,} accounts "
             f"processed in {summary.seconds:.1f} s" + (" — cancelled" if summary.cancelled else "")]
    if summary.start_date:
        lines.append(f"Start date {summary.start_date:%m/%d/%Y}")
    lines.append(f"Contacts created {summary.contacts_created:,}; notes written "
                 f"{summary.notes_written:,}; pending contacts deleted {summary.deleted:,}, "
                 f"marked completed {summary.marked_completed:,}")
    if summary.actions_executed or summary.fields_changed or summary.contacts_moved:
        lines.append(f"Actions executed {summary.actions_executed:,}; fields changed "
                     f"{summary.fields_changed:,}; contacts moved {summary.contacts_moved:,}")
    for reason, count in summary.skipped.items():
        files = ", ".join(str(i) for i in summary.skipped_ids.get(reason, [])[:10])
        lines.append(f"Skipped {count:,}: {reason}" + (f" (files {files}…)" if files else ""))
    for reason, count in summary.not_scheduled.items():
        lines.append(f"Not scheduled {count:,}: {reason}")
    for reason, count in summary.errors.items():
        lines.append(f"Problem on {count:,}: {reason}")
    return "\n".join(lines)


def automatic_text(summary: batch.AutomaticSummary) -> str:
    executed = ", ".join(f"{kind} {n:,}" for kind, n in sorted(summary.executed.items())) or "none"
    lines = [f"Automatic contacts due by {summary.date:%m/%d/%Y}: {summary.accounts:,} accounts; "
             f"executed: {executed}" + (" — cancelled" if summary.cancelled else "")]
    lines += [f"Failed on file {f.get('debtor_id') or f.get('client_id')}: {f.get('reason', f)}"
              for f in summary.failed[:20]]
    return "\n".join(lines)


class BatchPage(Page):
    help_text = ("Run a contact plan on the tagged accounts, on the accounts of the list you "
                 "came from, or on one client's debtors; process the automatic contacts "
                 "(status, close, transactions, notes …) scheduled up to a date; export and "
                 "import contact plans. Letters stay queued for printing.")

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.setWindowTitle("Batch Processing")
        self.thread_: Any = None
        self.cancel = threading.Event()
        below = window.current_page()
        self.found_ids: list[int] = list(getattr(getattr(getattr(below, "model", None), "pager",
                                                         None), "query", None).ids or []) \
            if getattr(getattr(below, "spec", None), "id", "") == "find_results" else []

        # -- run a plan -----------------------------------------------------------------------
        self.plan = QComboBox()
        self.start = QDateEdit(_qdate(dt.date.today()), calendarPopup=True)
        self.start.setDisplayFormat("MM/dd/yyyy")
        self.scope = QButtonGroup(self)
        self.tagged = QRadioButton()
        self.found = QRadioButton(f"The accounts found ({len(self.found_ids):,})")
        self.found.setEnabled(bool(self.found_ids))
        self.client_choice = QRadioButton("The debtors of client")
        self.client = QLineEdit(objectName="clientNumber", placeholderText="Client #")
        self.client.setValidator(QIntValidator(1, 2_000_000_000, self.client))
        self.client.setFixedWidth(100)
        self.client.textEdited.connect(lambda _t: self.client_choice.setChecked(True))
        for i, (button, name) in enumerate(((self.tagged, TAGGED), (self.found, FOUND),
                                            (self.client_choice, CLIENT))):
            button.setObjectName(name)
            self.scope.addButton(button, i)
        (self.found if self.found_ids else self.tagged).setChecked(True)
        client_row = QHBoxLayout()
        client_row.addWidget(self.client_choice)
        client_row.addWidget(self.client)
        client_row.addStretch(1)
        accounts = QVBoxLayout()
        accounts.setSpacing(4)
        accounts.addWidget(self.tagged)
        accounts.addWidget(self.found)
        accounts.addLayout(client_row)
        self.run_button = QPushButton("&Run Plan")
        self.run_button.clicked.connect(self.run_plan)
        plan_form = _form()
        plan_form.addRow("Contact plan", self.plan)
        plan_form.addRow("Accounts", accounts)
        plan_form.addRow("Start date", _left(self.start))
        plan_form.addRow("", _left(self.run_button))
        plan_box = QGroupBox("Run a contact plan")
        plan_box.setLayout(plan_form)

        # -- automatic contacts ---------------------------------------------------------------
        self.due = QDateEdit(_qdate(dt.date.today()), calendarPopup=True)
        self.due.setDisplayFormat("MM/dd/yyyy")
        self.auto_button = QPushButton("&Process Automatic Contacts")
        self.auto_button.clicked.connect(self.process_automatic)
        auto_form = _form()
        auto_form.addRow("Scheduled up to", _left(self.due))
        auto_form.addRow("", _left(self.auto_button))
        auto_box = QGroupBox("Process automatic contacts previously scheduled")
        auto_box.setLayout(auto_form)

        # -- plan files -----------------------------------------------------------------------
        export_button = QPushButton("&Export Contact Plans…")
        export_button.clicked.connect(self._ask_export)
        import_button = QPushButton("&Import Contact Plans…")
        import_button.clicked.connect(self._ask_import)
        files = QHBoxLayout()
        files.addWidget(export_button)
        files.addWidget(import_button)
        files.addStretch(1)
        files_box = QGroupBox("Contact plan files")
        files_box.setLayout(files)

        self.result = QPlainTextEdit(readOnly=True, objectName="batchSummary")
        self.result.setPlaceholderText("The summary of each batch appears here.")
        close = QPushButton("&Close")
        close.clicked.connect(lambda: window.close_page(self))
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)

        left = QVBoxLayout()
        left.addWidget(plan_box)
        left.addWidget(auto_box)
        left.addWidget(files_box)
        left.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 2)
        right = QVBoxLayout()
        right.addWidget(QLabel("Summary", objectName="formSubtitle"))
        right.addWidget(self.result, 1)
        body.addLayout(right, 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(QLabel("Batch Processing", objectName="formTitle"))
        lay.addLayout(body, 1)
        lay.addLayout(bottom)
        self.plan.currentIndexChanged.connect(self._plan_chosen)
        self.reload()

    # -- state ------------------------------------------------------------------------------
    def reload(self) -> None:
        with self.ctx.session() as s:
            plans = s.execute(select(ContactPlan.code, ContactPlan.description,
                                     ContactPlan.prompt_for_start_date)
                              .order_by(ContactPlan.code)).all()
            tagged = len(batch.tagged_debtor_ids(s, self.ctx.operator_id))
        current = self.plan.currentData()
        self.plan.blockSignals(True)
        self.plan.clear()
        self.prompts: dict[str, bool] = {}
        for code, description, prompt in plans:
            self.plan.addItem(f"{code} — {description}" if description else code, code)
            self.prompts[code] = bool(prompt)
        if current is not None and self.plan.findData(current) >= 0:
            self.plan.setCurrentIndex(self.plan.findData(current))
        self.plan.blockSignals(False)
        self.tagged.setText(f"Tagged accounts ({tagged:,})")
        self._plan_chosen()

    def activated(self) -> None:
        self.reload()

    def _plan_chosen(self, *_: Any) -> None:
        self.start.setEnabled(self.prompts.get(self.plan.currentData() or "", False))

    def busy(self) -> bool:
        return self.thread_ is not None and self.thread_.isRunning()

    def may_close(self) -> bool:
        if self.busy():
            dialogs.tell(self, "Batch Processing", "A batch is running; cancel it first.")
            return False
        return True

    # -- which accounts ---------------------------------------------------------------------
    def account_ids(self) -> list[int]:
        """The chosen accounts the operator may fully see (a batch never works blind)."""
        scope = self.scope.checkedButton().objectName()
        with self.ctx.session() as s:
            if scope == TAGGED:
                ids = batch.tagged_debtor_ids(s, self.ctx.operator_id)
                where = [Debtor.id.in_(ids)] if ids else [Debtor.id.is_(None)]
            elif scope == FOUND:
                where = [Debtor.id.in_(self.found_ids)]
            else:
                where = [Debtor.client_id == int(self.client.text() or 0)]
            stmt = report_query(Debtor, [Debtor.id], where=where, order_by=[Debtor.id],
                                policy=self.ctx.policy)
            return list(s.scalars(stmt))

    # -- running ----------------------------------------------------------------------------
    def run_plan(self) -> Any:
        code = self.plan.currentData()
        if not code or self.busy():
            return None
        ids = self.account_ids()
        if not ids:
            dialogs.tell(self, "Batch Processing", "There are no accounts to process: tag some, "
                         "or choose a client that has debtors you may work.")
            return None
        with self.ctx.session() as s:
            plan = s.scalar(select(ContactPlan).where(ContactPlan.code == code))
            deletes = bool(plan and plan.prompt_before_deleting)
        if dialogs.ask(self, "Batch Processing",
                       f"Run plan {code} on {len(ids):,} accounts?"
                       + ("\n\nThis plan deletes pending contacts; in a batch it does so without "
                          "asking on each account." if deletes else ""),
                       ["Run", "Cancel"]) != "Run":
            return None
        start = _pydate(self.start) if self.start.isEnabled() else None
        operator, sessions, cancel = self.ctx.operator_id, self.ctx.sessions, self.cancel
        cancel.clear()
        outcome: dict[str, Any] = {}

        def work(progress: Any) -> str:
            with sessions() as s:
                summary = batch.run_plan_batch(s, ids, code, operator=operator, start_date=start,
                                               progress=progress, cancel=cancel)
            outcome["text"] = summary_text(summary)
            return f"Plan {code}: {summary.processed:,} accounts, " \
                   f"{summary.contacts_created:,} contacts created."

        return self._start(f"Running plan {code}", work, outcome)

    def process_automatic(self) -> Any:
        if self.busy():
            return None
        day = _pydate(self.due)
        operator, sessions, cancel = self.ctx.operator_id, self.ctx.sessions, self.cancel
        cancel.clear()
        outcome: dict[str, Any] = {}

        def work(progress: Any) -> str:
            with sessions() as s:
                summary = batch.process_automatic_contacts(s, day, operator=operator,
                                                           progress=progress, cancel=cancel)
            outcome["text"] = automatic_text(summary)
            return f"Automatic contacts: {sum(summary.executed.values()):,} executed."

        return self._start("Processing automatic contacts", work, outcome)

    def _start(self, title: str, work: Any, outcome: dict[str, Any]) -> Any:
        def done(_message: str) -> None:
            self.result.appendPlainText(outcome.get("text", "") + "\n")
            self.ctx.notify("contacts")
            self.reload()

        self.thread_ = run_in_background(self.window_, title, work, on_done=done,
                                         cancel=self.cancel)
        return self.thread_

    # -- plan files -------------------------------------------------------------------------
    def export_to(self, path: Path) -> int:
        with self.ctx.session() as s:
            text = plan_files.export_plans(s)
        path.write_text(text, encoding="utf-8")
        count = len(plan_files.parse_plan_file(text))
        self.result.appendPlainText(f"Exported {count} contact plans to {path}\n")
        return count

    def import_from(self, path: Path) -> bool:
        try:
            text = path.read_text(encoding="utf-8")
            with self.ctx.session() as s:
                result = plan_files.import_plans(s, text)
                s.commit()
        except (OSError, UnicodeDecodeError, plan_files.PlanFileError) as exc:
            dialogs.tell(self, "Import Contact Plans", f"{path}: {exc}\n\nNothing was imported.",
                         warning=True)
            return False
        parts = [f"{label} {', '.join(codes)}" for label, codes in (
            ("added", result.added), ("replaced", result.replaced), ("kept", result.skipped))
            if codes]
        self.result.appendPlainText(f"Imported from {path}: {'; '.join(parts) or 'no plans'}\n")
        self.reload()
        return True

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export Contact Plans", "contact-plans.json",
                                              "Contact plans (*.json);;All files (*)")
        if name:
            self.export_to(Path(name))

    def _ask_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import Contact Plans", "",
                                              "Contact plans (*.json);;All files (*)")
        if name:
            self.import_from(Path(name))
