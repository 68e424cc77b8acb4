"""The Transaction form follows its transaction type's display settings (seed 003, Transaction
Type "Display" and "Payment breakdown"): To Us and Direct show only when the type's Show To Us /
Show Direct are on, the Payment Breakdown fields only when its Payment breakdown is on.

The settings are rows the manager edits (Transaction Types); this module only maps each form
field to the setting that shows it, and re-applies the map whenever the Type field changes —
when a record is loaded as well as while the operator types or picks.  Hidden fields keep their
values: hiding never changes what is saved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QWidget

from ...models import TransactionType
from .editors import LineEditor
from .renderer import Binding, RenderedForm

TYPE_FIELD = "tr.ty"
#: Transaction field → the Transaction Type setting (attribute) that shows it.
SHOWN_BY = {
    "tr.tu": "show_to_us",
    "tr.di": "show_direct",
    "tr.bpr": "payment_breakdown",
    "tr.bin": "payment_breakdown",
    "tr.bfe": "payment_breakdown",
    "tr.ble": "payment_breakdown",
}
#: A blank or unknown type shows what a new type would: the settings' defaults.
DEFAULTS = {name: bool(TransactionType.__table__.c[name].default.arg)
            for name in set(SHOWN_BY.values())}


class TransactionDisplay:
    """Shows and hides the fields of one rendered Transaction form by its type."""

    def __init__(self, form: RenderedForm, ctx: Any, type_editor: LineEditor) -> None:
        self.ctx = ctx
        self.type_editor = type_editor
        self.ruled = [b for b in form.bindings if b.spec.code in SHOWN_BY]
        type_editor.line.textChanged.connect(self.apply)

    def settings(self, code: str) -> dict[str, bool]:
        code = code.strip()
        ttype = None
        if code:
            with self.ctx.session() as s:
                ttype = s.get(TransactionType, code)
        if ttype is None:
            return dict(DEFAULTS)
        return {name: bool(getattr(ttype, name)) for name in DEFAULTS}

    def apply(self, code: str | None = None) -> None:
        shown = self.settings(self.type_editor.line.text() if code is None else code)
        boxes: dict[int, QGroupBox] = {}
        for b in self.ruled:
            _set_row_visible(b, shown[SHOWN_BY[b.spec.code]])
            box = _group_box(b.editor)
            if box is not None:
                boxes[id(box)] = box
        for box in boxes.values():  # a group whose every row is hidden goes as a whole
            layout = box.layout()
            if isinstance(layout, QFormLayout):
                box.setVisible(any(layout.isRowVisible(i) for i in range(layout.rowCount())))

    def visible(self, code: str) -> bool:
        """Whether the field ``code`` is shown (its row and its group): for tests and help."""
        for b in self.ruled:
            if b.spec.code == code:
                box = _group_box(b.editor)
                return not b.editor.isHidden() and (box is None or not box.isHidden())
        raise KeyError(code)


def attach(form: RenderedForm, ctx: Any) -> TransactionDisplay | None:
    """Make a form with a transaction Type field follow the type; None for any other form."""
    for b in form.built_bindings:  # the Type field is on the form itself, never on a tab
        if b.spec.code == TYPE_FIELD and b.path == "" and isinstance(b.editor, LineEditor):
            return TransactionDisplay(form, ctx, b.editor)
    return None


def _group_box(widget: QWidget) -> QGroupBox | None:
    parent = widget.parentWidget()
    return parent if isinstance(parent, QGroupBox) else None


def _set_row_visible(b: Binding, on: bool) -> None:
    box = _group_box(b.editor)
    layout = box.layout() if box is not None else None
    if isinstance(layout, QFormLayout):
        layout.setRowVisible(b.editor, on)
    else:
        b.editor.setVisible(on)
        if b.label is not None:
            b.label.setVisible(on)
