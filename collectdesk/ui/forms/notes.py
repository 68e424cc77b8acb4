"""The Notes tab: dated note lines with the operator; a new line is stamped when added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...models import Note


class NotesWidget(QWidget):
    """Lines ``DATE TIME STATUS OPERATOR : TEXT``; type below and press Enter to add one."""

    add_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("notes")
        self.lines = QPlainTextEdit(objectName="noteLines")
        self.lines.setReadOnly(True)
        self.lines.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.lines.setFont(font)
        self.entry = QLineEdit(objectName="noteEntry")
        self.entry.setPlaceholderText("Type a note line and press Enter — date, time, status and "
                                      "operator are added")
        self.entry.returnPressed.connect(self._add)
        add = QPushButton("Add &Note")
        add.clicked.connect(self._add)
        row = QHBoxLayout()
        row.addWidget(QLabel("New line"))
        row.addWidget(self.entry, 1)
        row.addWidget(add)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.lines, 1)
        lay.addLayout(row)
        self.count = 0

    def _add(self) -> None:
        text = self.entry.text().strip()
        if text:
            self.add_requested.emit(text)
            self.entry.clear()

    def show_notes(self, notes: list[Note]) -> None:
        self.count = len(notes)
        self.lines.setPlainText("\n".join(n.line() for n in notes))
        self.lines.moveCursor(QTextCursor.MoveOperation.End)
        self.lines.ensureCursorVisible()

    def showEvent(self, event: Any) -> None:
        """The lines were laid out while the tab was hidden: bring the newest one into view."""
        super().showEvent(event)
        self.lines.ensureCursorVisible()

    def text(self) -> str:
        return self.lines.toPlainText()


NoteAdder = Callable[[str], None]
__all__ = ["NotesWidget", "Qt"]
