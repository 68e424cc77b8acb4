"""A browse list page: Browse Clients, Active Debtors, All Debtors, Operators, Find By results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ..engine import browse as browse_ops
from ..engine import forms_spec
from ..models import Debtor
from . import deleting
from .browse_model import BrowseModel
from .browse_view import BrowseView
from .page import Page


class BrowsePage(Page):
    def __init__(self, window: Any, list_id: str, *, ids: Sequence[Any] | None = None,
                 title: str | None = None) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.spec = forms_spec.browse_list(list_id)
        self.setObjectName(f"browse:{list_id}")
        self.setWindowTitle(title or self.spec.title)
        self.help_text = self.spec.help
        with self.ctx.session() as s:
            access = forms_spec.load_field_access(s, self.ctx.user_level)
        fields = [c.field.with_access(access.get(c.field.code.lower())) for c in self.spec.columns]
        fields = [f for f in fields if not f.hidden]
        extra = self._extra_columns(access, fields)
        self.access = access
        query = browse_ops.list_query_for(self.spec, operator_id=self.ctx.operator_id, ids=ids,
                                          policy=self.ctx.policy)
        query.columns = [f.attribute for f in fields + extra]
        if query.sort not in query.columns:
            query.columns.append(query.sort)
        self.model = BrowseModel(self.ctx.new_session, query, fields + extra, self)
        self.taggable = self.spec.model is Debtor
        self.view = BrowseView(self.model, taggable=self.taggable)
        self.view.setObjectName("browseView")
        self.view.list_widths = {code: a.list_width for code, a in access.items() if a.list_width}
        self.view.all_fields = self._all_fields(fields + extra)
        self.view.fit_columns()
        self.view.open_requested.connect(self.open_row)
        self.view.new_requested.connect(self.new_record)
        self.view.delete_requested.connect(self.delete_row)
        self.view.tag_requested.connect(self.toggle_tag)
        self.view.tag_all_requested.connect(self.tag_all)

        title_label = QLabel(self.windowTitle(), objectName="formTitle")
        self.count_label = QLabel(objectName="formSubtitle")
        head = QHBoxLayout()
        head.addWidget(title_label)
        head.addStretch(1)
        head.addWidget(self.count_label)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Open the highlighted record (Enter, F5)")
        self.open_button.clicked.connect(lambda: self.open_row(self.view.current_row()))
        buttons.addWidget(self.open_button)
        self.new_button = QPushButton("&New")
        self.new_button.setToolTip("A new record (F3)")
        self.new_button.clicked.connect(self.new_record)
        self.new_button.setVisible(ids is None and not self.spec.tagged_only
                                   and self.spec.opens is not None)
        self.open_button.setVisible(self.spec.opens is not None)  # a log opens no form
        buttons.addWidget(self.new_button)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip("Delete the highlighted record (Del)")
        self.delete_button.clicked.connect(lambda: self.delete_row(self.view.current_row()))
        self.delete_button.setVisible(self.spec.opens is not None)
        buttons.addWidget(self.delete_button)
        if self.taggable:
            for text, tip, slot in (
                ("&Tag", "Tag or untag the highlighted account (Space)",
                 lambda: self.toggle_tag(self.view.current_row())),
                ("Tag &All", "Tag every account in this list (Ctrl+A)", self.tag_all),
                ("&View Tags", "Only the accounts you tagged", lambda: window.open_browse("tagged_debtors")),
                ("C&lear Tags", "Remove all your tags", self.clear_tags),
            ):
                b = QPushButton(text)
                b.setToolTip(tip)
                b.clicked.connect(slot)
                buttons.addWidget(b)
        columns = QPushButton("Colu&mns…")
        columns.setToolTip("Choose the columns of this list (or right-click a column heading)")
        columns.clicked.connect(self.choose_columns)
        buttons.addWidget(columns)
        buttons.addStretch(1)
        close = QPushButton("&Close")
        close.setToolTip("Back (Esc)")
        close.clicked.connect(lambda: window.close_page(self))
        buttons.addWidget(close)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addLayout(head)
        lay.addWidget(self.view, 1)
        lay.addLayout(buttons)
        self._update_count()
        self.ctx.changed.connect(self._on_changed)
        self.view.go_to(0)
        self.setFocusProxy(self.view)

    def _extra_columns(self, access: dict[str, forms_spec.FieldAccess],
                       fields: list[forms_spec.FieldSpec]) -> list[forms_spec.FieldSpec]:
        """Fields an access right's List Width adds to every list of their record."""
        shown = {f.code for f in fields}
        extra = []
        for code, a in access.items():
            if a.list_width > 0 and code not in shown:
                try:
                    f = forms_spec.resolve_field(self.spec.model, code, "access rights")
                except forms_spec.FormSpecError:
                    continue
                extra.append(f.with_access(a))
        return extra

    def _all_fields(self, shown: list[forms_spec.FieldSpec]) -> list[forms_spec.FieldSpec]:
        from ..models.fieldcodes import for_model

        codes = {f.code for f in shown}
        rest = []
        for fc in for_model(self.spec.model):
            if fc.code in codes or fc.kind == "memo":
                continue
            try:
                f = forms_spec.resolve_field(self.spec.model, fc.code, "list")
            except forms_spec.FormSpecError:
                continue
            # The column chooser offers what the operator's level may read, under its alias.
            f = f.with_access(self.access.get(fc.code.lower()))
            if not f.hidden:
                rest.append(f)
        return shown + rest

    def title(self) -> str:
        return self.windowTitle()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"{n:,} record{'s' if n != 1 else ''}")

    def _on_changed(self, table: str, _key: Any) -> None:
        if table in (self.spec.model.__tablename__, "tags"):
            row = self.view.current_row()
            self.model.reload()
            self._update_count()
            self.view.go_to(max(row, 0))

    def activated(self) -> None:
        self.view.setFocus()

    # -- operations ----------------------------------------------------------------------------
    def open_row(self, row: int) -> None:
        key = self.model.key(row) if row >= 0 else None
        if key is None or not self.spec.opens:
            return
        self.window_.open_form(self.spec.opens, key, browse=self.model, row=row)

    def new_record(self) -> None:
        if self.spec.opens and self.new_button.isVisible():
            self.window_.open_form(self.spec.opens, None)

    def delete_row(self, row: int) -> None:
        """Del: delete the highlighted record (:mod:`.deleting`); a placeholder never is."""
        key = self.model.key(row) if row >= 0 else None
        shown = self.model.row_object(row) if key is not None else None
        if shown is None or not shown.accessible or not self.delete_button.isVisible():
            return
        label = next((str(v) for v in shown.values if v not in (None, "")), "")
        if deleting.delete(self, self.ctx, self.spec.model, key,
                           f"{self.spec.title.rstrip('s')} {key} {label}".strip()):
            self.window_.statusBar().showMessage(f"Record {key} deleted.", 5000)

    def toggle_tag(self, row: int) -> None:
        key = self.model.key(row) if row >= 0 else None
        if key is None or not self.taggable:
            return
        shown = self.model.row_object(row)
        if shown is not None and not shown.accessible:
            # Tags feed batch work: a confidential account's placeholder is never tagged.
            self.window_.statusBar().showMessage(
                "A confidential account cannot be tagged (account access control).", 4000)
            return
        with self.ctx.session() as s:
            browse_ops.toggle_tag(s, self.ctx.operator_id, key)
        if self.spec.tagged_only:
            self.ctx.notify("tags")
        else:
            self.model.refresh_row(row)

    def tag_all(self) -> None:
        with self.ctx.session() as s:
            n = browse_ops.tag_all(s, self.ctx.operator_id, self.model.pager.query)
        self.window_.statusBar().showMessage(f"{n:,} accounts tagged", 4000)
        self.ctx.notify("tags")

    def clear_tags(self) -> None:
        with self.ctx.session() as s:
            n = browse_ops.clear_tags(s, self.ctx.operator_id)
        self.window_.statusBar().showMessage(f"{n:,} tags cleared", 4000)
        self.ctx.notify("tags")

    def choose_columns(self) -> None:
        header = self.view.horizontalHeader()
        self.view.choose_columns_menu(header.mapToGlobal(header.rect().bottomLeft()))

    def recalculate(self) -> None:
        self.window_.show_unavailable("Recalculating a whole list")

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_F3:
            self.new_record()
            return
        super().keyPressEvent(event)
