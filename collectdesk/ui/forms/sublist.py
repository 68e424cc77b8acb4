"""A sub-list tab (the account's contacts, transactions, phones …): a lazy list of child records."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...engine.browse import ListQuery
from ...engine.forms_spec import SubListSpec
from ..browse_model import BrowseModel
from ..browse_view import BrowseView


def phone_column(model: type) -> str | None:
    """The phone number column of a sub-record (a Phones tab's rows), if it has one."""
    return next((c.key for c in model.__table__.columns if c.info.get("kind") == "phone"), None)


class SubListWidget(QWidget):
    open_requested = Signal(object, int)  # key, row
    new_requested = Signal()
    delete_requested = Signal(object)  # key
    dial_requested = Signal(object)  # key of a row with a phone number

    def __init__(self, ctx: Any, spec: SubListSpec, title: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.spec = spec
        self.title = title
        self.setObjectName(f"sublist:{title}")
        self.parent_key: Any = None
        self.model: BrowseModel | None = None
        self.view: BrowseView | None = None
        self.message = QLabel(objectName="formSubtitle")
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(6, 6, 6, 6)
        self.lay.addWidget(self.message)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("Ne&w")
        self.new_button.setToolTip(f"Add to {title} (F3)")
        self.new_button.clicked.connect(self.new_requested.emit)
        self.open_button = QPushButton("&Edit")
        self.open_button.setToolTip("Open the highlighted row (F5, Enter)")
        self.open_button.clicked.connect(self.open_current)
        self.delete_button = QPushButton("De&lete")
        self.delete_button.setToolTip("Delete the highlighted row (Del)")
        self.delete_button.clicked.connect(self.delete_current)
        self.dial_button = QPushButton("Di&al")
        self.dial_button.setToolTip("Dial the highlighted number")
        self.dial_button.clicked.connect(self.dial_current)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.dial_button)
        buttons.addStretch(1)
        self.buttons = buttons
        self.lay.addLayout(buttons)
        # only once they have a parent: a parentless button shown is a window of its own
        self.new_button.setVisible(spec.new and spec.opens is not None)
        self.open_button.setVisible(spec.opens is not None)
        self.delete_button.setVisible(spec.opens is not None)  # rows with a form of their own
        self.dial_button.setVisible(phone_column(spec.model) is not None)

    def set_parent_key(self, key: Any) -> None:
        """Show the rows of another parent record: the same view and model, a new query.

        Reused forms call this for every record they show, so nothing is rebuilt here.
        """
        self.parent_key = key
        if key is None:
            if self.view is not None:
                self.view.hide()
            self.message.setText("Save the record first; then rows can be added here.")
            self.message.show()
            return
        self.message.hide()
        spec = self.spec
        where = list(spec.where) + [(spec.link, key)]
        if self.model is None:
            pk = spec.model.__mapper__.primary_key[0].key
            sort, desc = spec.order[0] if spec.order else (pk, False)
            columns = [c.field.attribute for c in spec.columns]
            if sort not in columns:
                columns.append(sort)
            query = ListQuery(model=spec.model, columns=columns, sort=sort, descending=desc,
                              where=where)
            self.model = BrowseModel(self.ctx.new_session, query, [c.field for c in spec.columns],
                                     page_size=100)
            self.view = BrowseView(self.model)
            self.view.open_requested.connect(self._open_row)
            self.view.new_requested.connect(self.new_requested.emit)
            self.view.delete_requested.connect(self._delete_row)
            self.lay.insertWidget(1, self.view, 1)
        else:
            self.model.pager.query.where = where
            self.model.reload()
            self.view.show()
        if self.model.rowCount():
            self.view.go_to(0)

    def row_count(self) -> int:
        return self.model.rowCount() if self.model is not None and self.parent_key is not None else 0

    def _open_row(self, row: int) -> None:
        if self.model is None or self.parent_key is None or self.spec.opens is None:
            return
        key = self.model.key(row)
        if key is not None:
            self.open_requested.emit(key, row)

    def _accessible_key(self, row: int) -> Any:
        """The key of the record shown on ``row``; None for no row or a placeholder (a row
        the operator may not see is never deleted or dialed)."""
        if self.model is None or self.parent_key is None or row < 0:
            return None
        shown = self.model.row_object(row)
        return shown.key if shown is not None and shown.accessible else None

    def _delete_row(self, row: int) -> None:
        key = self._accessible_key(row) if self.spec.opens is not None else None
        if key is not None:
            self.delete_requested.emit(key)

    def delete_current(self) -> None:
        if self.view is not None and self.view.current_row() >= 0:
            self._delete_row(self.view.current_row())

    def dial_current(self) -> None:
        key = self._accessible_key(self.view.current_row()) if self.view is not None else None
        if key is not None:
            self.dial_requested.emit(key)

    def open_current(self) -> None:
        if self.view is not None and self.view.current_row() >= 0:
            self._open_row(self.view.current_row())

    def activate(self) -> None:
        """F5: focus the list; F5 again opens the highlighted row."""
        if self.view is None:
            return
        if self.view.hasFocus():
            self.open_current()
        else:
            self.view.setFocus()
            if self.view.current_row() < 0:
                self.view.go_to(0)

    def reload(self) -> None:
        if self.model is not None and self.parent_key is not None:
            self.model.reload()
