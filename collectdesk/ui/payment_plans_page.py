"""Daily Administration ▸ Payment Plans: the schedules' payments not kept yet, the longest
overdue first, so a collector sees whose plan is slipping.

A payment is a promise (150 down payment, 151 scheduled payment) until its Posted date is
written; one whose due date has passed is shown as late (the daily late-fee batch charges
the 351 for it).  A collector sees their own desk; a SYSTEM operator may tick All operators.
The list is a report of account data: only accounts the signed-on operator may fully see
(:func:`.engine.payment_plans.due_payments` through the operator's account access).  Enter
opens the account; its Transactions tab holds the promise to keep.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..engine.payment_plans import DuePayment, due_payments
from .desk_list_page import PAGE, DeskListPage
from .forms.editors import format_value


class PaymentPlansPage(DeskListPage):
    heading = "Payment Plans"
    columns = ("Due", "File", "Name", "Amount", "Description", "Operator", "Late")
    stretch_column = "Description"
    right_aligned = frozenset({"File", "Amount"})
    empty_text = "No payment plan payments are waiting: every scheduled payment was kept."
    help_text = ("The payment plans' scheduled payments not kept yet, the longest overdue first. "
                 "Enter opens the account; writing a payment's Posted date on its Transaction "
                 "form keeps it.")

    def __init__(self, window: Any) -> None:
        super().__init__(window, name="payment_plans")
        self.rows: list[DuePayment] = []
        self.reload(0)

    def reload(self, offset: int) -> None:
        desk = None if self.everyone.isChecked() else self.ctx.operator_id
        today = dt.date.today()
        with self.ctx.session() as s:
            rows = due_payments(s, today, operator=desk, policy=self.ctx.policy,
                                limit=PAGE + 1, offset=offset)
        self.rows = rows[:PAGE]
        late = sum(p.late for p in self.rows)
        whose = "every desk" if desk is None else f"{desk}'s desk"
        shown = f"{offset + 1}–{offset + len(self.rows)}" if self.rows else "none"
        self.summary.setText(f"Scheduled payments not kept on {whose}: {shown}"
                             + (f" · {late} late on this page" if late else ""))
        self.show_rows([(format_value("date", p.due_date), str(p.file_number), p.name,
                         format_value("money", p.amount), p.description, p.operator,
                         "late" if p.late else "") for p in self.rows],
                       offset=offset, more=len(rows) > PAGE)

    def open_row(self, row: int) -> None:
        self.open_account([p.file_number for p in self.rows], row)


def open(window: Any) -> PaymentPlansPage:
    return PaymentPlansPage.open_in(window)


__all__ = ["PaymentPlansPage", "open"]
