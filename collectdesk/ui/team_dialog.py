"""Team Members…: the members of a DISTRIBUTION operator and their commission percentages.

Seed 003 "Operator Setup", Distribution Operator: a team has its own ID and lists operators
(or other teams, nested to any depth) by their ID, each with the share of the commission it
gets.  The rules — members exist, a team is never inside itself, shares have at most 3
decimals and add up to 100 % at most — are :func:`collectdesk.engine.operators.set_members`;
a refused list says why and nothing is changed.  The Operator form's Team tab lists them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from sqlalchemy import select

from ..engine import operators
from ..models import Operator
from . import dialogs

MEMBER, PERCENT = 0, 1


class TeamDialog(QDialog):
    """The member table, Add / Remove, OK (saves through the engine) / Cancel."""

    def __init__(self, page: Any, team_id: str) -> None:
        super().__init__(page)
        self.ctx = page.ctx
        self.team_id = team_id
        self.setWindowTitle(f"Team Members of {team_id}")
        with self.ctx.session() as s:
            self.candidates = [(i, n or i) for i, n in s.execute(
                select(Operator.id, Operator.name).where(Operator.id != team_id)
                .order_by(Operator.id))]
            members = [(m.member_id, m.commission_percent)
                       for m in operators.team_members(s, team_id)]
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Member", "Commission %"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(MEMBER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PERCENT, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        for member_id, percent in members:
            self.add_row(member_id, f"{percent:.3f}")
        self.member = QComboBox()
        self.member.addItems([f"{i}  {n}" for i, n in self.candidates])
        add = QPushButton("&Add")
        add.setToolTip("Add the chosen operator or team; then type its commission %")
        add.clicked.connect(lambda: self.add_row(self._chosen(), "0.000"))
        remove = QPushButton("&Remove")
        remove.setToolTip("Remove the highlighted member")
        remove.clicked.connect(self.remove_row)
        self.message = QLabel(objectName="error", wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.member, 1)
        row.addWidget(add)
        row.addWidget(remove)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Commission on this team's accounts is shared among its members by "
                             "these percentages (up to 100 % in all).", wordWrap=True))
        lay.addWidget(self.table, 1)
        lay.addLayout(row)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.resize(440, 360)

    def _chosen(self) -> str:
        index = self.member.currentIndex()
        return self.candidates[index][0] if index >= 0 else ""

    def add_row(self, member_id: str, percent: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, MEMBER, QTableWidgetItem(member_id))
        self.table.setItem(row, PERCENT, QTableWidgetItem(percent))
        self.table.setCurrentCell(row, PERCENT)

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def rows(self) -> list[tuple[str, str]]:
        return [((self.table.item(r, MEMBER) or QTableWidgetItem()).text().strip(),
                 (self.table.item(r, PERCENT) or QTableWidgetItem()).text().strip() or "0")
                for r in range(self.table.rowCount())]

    def save(self) -> bool:
        """Replace the team's members; on a refusal say why and stay open."""
        try:
            with self.ctx.session() as s:
                operators.set_members(s, self.team_id, self.rows(), by=self.ctx.operator_id)
                s.commit()
        except operators.OperatorError as exc:
            self.message.setText(str(exc))
            return False
        self.ctx.notify("team_members", self.team_id)
        self.accept()
        return True


def open_team(page: Any) -> TeamDialog | None:
    """The Operator form's Team Members… button: only for a saved DISTRIBUTION operator."""
    if page.is_dirty() and not page.save():
        return None
    if page.record is None or not operators.is_team(page.record):
        dialogs.tell(page, "Team Members", "Only a DISTRIBUTION operator (a team) has members: "
                     "set Type to DISTRIBUTION and save first.")
        return None
    dlg = TeamDialog(page, page.record.id)
    dlg.open()
    return dlg


__all__ = ["TeamDialog", "open_team"]
