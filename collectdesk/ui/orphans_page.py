"""Orphaned accounts: active accounts on a desk with no In Progress Review, Phone, Promise or
Other contact, so in nobody's WIP list (seed 003, "Contact Plan For New Accounts": "ALL
accounts expected to appear in a WIP list MUST have an In Progress contact event").

Reached from the WIP list's Orphans… button.  A collector sees their own desk; a SYSTEM
operator may tick All operators.  The list is a report of account data: only accounts the
signed-on operator may fully see are listed (:func:`.engine.wip.orphan_accounts` through the
operator's account access).  Enter opens the account, where a contact on its Contacts tab
puts it back in a WIP list.
"""

from __future__ import annotations

from typing import Any

from ..engine import wip
from .desk_list_page import PAGE, DeskListPage


class OrphansPage(DeskListPage):
    heading = "Orphaned Accounts"
    columns = ("File", "Name", "Operator")
    stretch_column = "Name"
    right_aligned = frozenset({"File"})
    empty_text = ("No orphans: every active account on the desk has an In Progress phone, "
                  "review, promise or other contact.")
    help_text = ("Accounts on a desk that are in nobody's WIP list: no In Progress phone, review, "
                 "promise or other contact. Enter opens the account; schedule a contact there to "
                 "put it back in the WIP list.")

    def __init__(self, window: Any) -> None:
        super().__init__(window, name="orphans")
        self.rows: list[tuple[int, str, str]] = []
        self.reload(0)

    def reload(self, offset: int) -> None:
        desk = None if self.everyone.isChecked() else self.ctx.operator_id
        with self.ctx.session() as s:
            rows = wip.orphan_accounts(s, desk, limit=PAGE + 1, offset=offset,
                                       policy=self.ctx.policy)
        self.rows = rows[:PAGE]
        whose = "every desk" if desk is None else f"{desk}'s desk"
        shown = f"{offset + 1}–{offset + len(self.rows)}" if self.rows else "none"
        self.summary.setText(f"Active accounts on {whose} in nobody's WIP list: {shown}")
        self.show_rows([(str(f), name, op) for f, name, op in self.rows], offset=offset,
                       more=len(rows) > PAGE)

    def open_row(self, row: int) -> None:
        self.open_account([file_number for file_number, _n, _o in self.rows], row)


def open_orphans(window: Any) -> OrphansPage:
    return OrphansPage.open_in(window)


__all__ = ["OrphansPage", "open_orphans"]
