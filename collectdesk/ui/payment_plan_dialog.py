"""Payment Plan…: set up a payment schedule on the account open on the Debtor form.

The operator types the terms — start date, down payment, each payment or the number of
payments, how often, service charge, initial discount, late fee — and sees the schedule the
engine would post as they type (:func:`collectdesk.engine.payment_plans.preview_payment_plan`,
nothing posted).  Post Plan posts it with :func:`create_payment_plan`: the 193 and 350 at
once, the 150 and 151 as promises with their Promise contacts (the WIP list shows them), and
tells the other windows through ``ctx.changed``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .. import db
from ..engine.forms_spec import FieldSpec
from ..engine.payment_plans import PlannedPayment, create_payment_plan, preview_payment_plan
from ..engine.posting import PostingError
from ..engine.rounding import ZERO
from ..models import Debtor
from . import dialogs
from .forms.editors import BadValue, Editor, create_editor, format_value

INTERVALS = ("weekly", "biweekly", "monthly")
COLUMNS = ("#", "Type", "Due", "Amount", "Description")


def _spec(name: str, kind: str, label: str, help: str, **extra: Any) -> FieldSpec:
    return FieldSpec(code=f"plan.{name}", model=Debtor, attribute=name, kind=kind, label=label,
                     required=False, picklist=None, length=None, choices=extra.get("choices"),
                     help=help, pytype=extra.get("pytype", Decimal))


#: The terms, in the order the dialog shows them.
TERMS = (
    _spec("start", "date", "Start date", "The down payment's due date (the first payment's "
          "without one); later payments follow at the interval.", pytype=dt.date),
    _spec("down_payment", "money", "Down payment", "Posted as a 150 promise due on the start "
          "date."),
    _spec("payment_amount", "money", "Payment amount", "Each scheduled payment (151); the last "
          "takes what is left. Or give the number of payments."),
    _spec("count", "number", "Number of payments", "Equal payments to the cent; the last "
          "absorbs the rounding.", pytype=int),
    _spec("interval", "radio", "Every", "How often a scheduled payment is due.",
          choices=INTERVALS, pytype=str),
    _spec("service_charge", "money", "Service charge", "Posted now as a 350 fee: it adds to "
          "what the schedule covers."),
    _spec("initial_discount", "money", "Initial discount", "Posted now as a 193 adjustment: "
          "it takes off what the schedule covers."),
    _spec("late_fee", "money", "Late fee", "Charged (351) on each scheduled payment missed; "
          "kept on the account's Interest Detail."),
)


class PaymentPlanDialog(QDialog):
    """The terms on top, the schedule they give below, Post Plan / Cancel."""

    def __init__(self, window: Any, debtor_id: int, *, today: dt.date | None = None) -> None:
        super().__init__(window)
        self.window_ = window
        self.ctx = window.ctx
        self.debtor_id = debtor_id
        self.today = today or dt.date.today()
        self.schedule: list[PlannedPayment] = []
        self.setWindowTitle("Payment Plan")
        self.setObjectName("paymentPlan")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        with self.ctx.session() as s:
            debtor = s.get(Debtor, debtor_id)
            if debtor is None:
                raise LookupError(f"account {debtor_id} no longer exists")
            who = f"{debtor.name} · File {debtor.id} · owing {format_value('money', debtor.owing)}"

        terms = QGroupBox("Terms")
        form = QFormLayout(terms)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        self.editors: dict[str, Editor] = {}
        for spec in TERMS:
            editor = create_editor(spec, self)
            label = QLabel(spec.label)
            label.setBuddy(editor.focus_widget())
            form.addRow(label, editor)
            editor.edited.connect(self.refresh)
            self.editors[spec.attribute] = editor
        self.editors["start"].set_value(self.today + dt.timedelta(days=7))
        self.editors["interval"].set_value("monthly")

        preview = QGroupBox("Schedule")
        play = QVBoxLayout(preview)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("planSchedule")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.total = QLabel(objectName="formSubtitle")
        play.addWidget(self.table, 1)
        play.addWidget(self.total)
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)

        self.post_button = QPushButton("&Post Plan")
        self.post_button.setDefault(True)
        self.post_button.setToolTip("Post the discount and service charge, and the schedule as "
                                    "promises with their Promise contacts")
        cancel = QPushButton("&Cancel")
        self.post_button.clicked.connect(self.post)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.post_button)
        buttons.addWidget(cancel)

        body = QHBoxLayout()
        body.setSpacing(12)
        terms.setMaximumWidth(terms.sizeHint().width())
        body.addWidget(terms)
        body.addWidget(preview, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addWidget(QLabel("Payment Plan", objectName="formTitle"))
        lay.addWidget(QLabel(who, objectName="formSubtitle"))
        lay.addLayout(body, 1)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.resize(920, 460)
        self.refresh()
        self.editors["payment_amount"].focus_widget().setFocus()

    def editor(self, name: str) -> Editor:
        return self.editors[name]

    def terms(self) -> dict[str, Any]:
        """The typed terms as the engine takes them (BadValue names a field it cannot read)."""
        values: dict[str, Any] = {}
        for name, editor in self.editors.items():
            try:
                values[name] = editor.value()
            except BadValue as exc:
                raise BadValue(f"{editor.spec.label}: {exc}") from None
        if values["start"] is None:
            raise BadValue("Start date is required.")
        for name in ("down_payment", "service_charge", "initial_discount"):
            values[name] = values[name] or ZERO
        return values

    def refresh(self) -> None:
        """Show the schedule the terms give, or why they give none."""
        self.schedule = []
        try:
            terms = self.terms()
            terms.pop("late_fee")
            with self.ctx.session() as s:
                self.schedule = preview_payment_plan(s, s.get(Debtor, self.debtor_id),
                                                     today=self.today, **terms)
            self.message.setText("")
        except (BadValue, PostingError) as exc:
            self.message.setText(_sentence(str(exc)))
        self.table.setRowCount(len(self.schedule))
        for row, p in enumerate(self.schedule):
            cells = (str(p.number) if p.number else "Down", p.code,
                     format_value("date", p.due_date), format_value("money", p.amount),
                     p.description)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        total = sum((p.amount for p in self.schedule), ZERO)
        self.total.setText(f"{len(self.schedule)} payments, total {format_value('money', total)}"
                           if self.schedule else "")
        self.post_button.setEnabled(bool(self.schedule))

    def post(self) -> None:
        try:
            terms = self.terms()
        except BadValue as exc:
            self.message.setText(_sentence(str(exc)))
            return
        by = self.ctx.operator_id
        try:
            with self.ctx.session() as s:
                debtor = s.get(Debtor, self.debtor_id)
                if debtor is None:
                    self.message.setText("This account was deleted meanwhile.")
                    return
                schedule = create_payment_plan(s, debtor, operator=by, today=self.today, **terms)
                db.save(s, debtor, operator=by)
                posted = len(schedule.payments)
        except (PostingError, db.SaveConflict) as exc:
            self.message.setText(_sentence(str(exc)))
            return
        for table in ("transactions", "contacts", "debtors"):
            self.ctx.notify(table, self.debtor_id if table == "debtors" else None)
        self.window_.statusBar().showMessage(
            f"Payment plan posted: {posted} payments from "
            f"{format_value('date', terms['start'])}.", 6000)
        self.accept()


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def open_payment_plan(page: Any) -> PaymentPlanDialog | None:
    """The Debtor form's Payment Plan… button: saves a changed form first, then shows the
    dialog (window-modal, not blocking) and returns it."""
    if page.is_dirty() and not page.save():
        return None
    try:
        dlg = PaymentPlanDialog(page.window_, page.record_key())
    except LookupError as exc:
        dialogs.tell(page, "Payment Plan", str(exc), warning=True)
        return None
    dlg.open()
    return dlg


__all__ = ["PaymentPlanDialog", "open_payment_plan"]
