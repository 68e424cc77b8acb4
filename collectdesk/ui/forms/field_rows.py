"""A few fields of a model in a small dialog (Schedule Next Contact, Confirm Contact): one row
per printable code, the editors of the registry, required marks, and reading them back with
a message naming the field that is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from ...engine import forms_spec
from .editors import BadValue, Editor, create_editor


class FieldRows(QFormLayout):
    """Rows of ``model``'s fields ``codes`` (``required`` ones marked), set to ``values``."""

    def __init__(self, model: type, codes: Iterable[str], values: Mapping[str, Any], *,
                 required: Iterable[str] = (), where: str = "", parent: QWidget | None = None
                 ) -> None:
        super().__init__()
        self.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setHorizontalSpacing(8)
        self.setVerticalSpacing(4)
        required = set(required)
        self.editors: dict[str, Editor] = {}
        for code in codes:
            spec = forms_spec.resolve_field(model, code, where)
            if code in required:
                spec = forms_spec.FieldSpec(**{**spec.__dict__, "required": True})
            editor = create_editor(spec, parent)
            editor.set_value(values.get(code))
            label = QLabel(spec.label)
            label.setProperty("required", "true" if spec.required else "false")
            label.setBuddy(editor.focus_widget())
            self.addRow(label, editor)
            self.editors[code] = editor

    def values(self) -> tuple[dict[str, Any] | None, str, Editor | None]:
        """(code → value, "", None), or (None, what is wrong, its editor)."""
        out: dict[str, Any] = {}
        for code, editor in self.editors.items():
            try:
                value = editor.value()
            except BadValue as exc:
                return None, f"{editor.spec.label}: {exc}", editor
            if editor.spec.required and value in (None, ""):
                return None, f"{editor.spec.label} is required.", editor
            out[code] = value
        return out, "", None


__all__ = ["FieldRows"]
