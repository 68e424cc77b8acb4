"""Questions the program asks, in one place so that tests can answer them.

Each function shows a modal message box; tests replace ``answer`` with a callable
returning the chosen button's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

#: Tests set this to ``lambda title, text, choices: "Discard"`` and the like.
answer: Callable[[str, str, Sequence[str]], str] | None = None
#: Every question asked, (title, text), newest last — for tests.
asked: list[tuple[str, str]] = []
#: Tests set this to work a form-like dialog themselves: called with the dialog, shown but not
#: blocking, it fills the editors and clicks a button (see :func:`run`).
fill: Callable[[QDialog], None] | None = None


def run(dialog: QDialog, text: str = "") -> bool:
    """Show a form-like modal ``dialog``; True when it was accepted.

    Tests: with :data:`fill` the test works the real dialog; with only :data:`answer` the
    dialog is accepted as shown when the answer is its first choice ("OK")."""
    asked.append((dialog.windowTitle(), text))
    if fill is not None:
        dialog.show()
        fill(dialog)
        accepted = dialog.result() == QDialog.DialogCode.Accepted
        dialog.close()
        return accepted
    if answer is not None:
        if answer(dialog.windowTitle(), text, ("OK", "Cancel")) != "OK":
            return False
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask(parent: QWidget | None, title: str, text: str, choices: Sequence[str],
        default: str | None = None, icon: QMessageBox.Icon = QMessageBox.Icon.Question) -> str:
    """Ask with buttons named ``choices``; returns the chosen text (Esc = the last choice)."""
    asked.append((title, text))
    if answer is not None:
        return answer(title, text, choices)
    box = QMessageBox(icon, title, text, parent=parent)
    buttons = {}
    for choice in choices:
        role = QMessageBox.ButtonRole.RejectRole if choice == choices[-1] else \
            QMessageBox.ButtonRole.AcceptRole
        buttons[box.addButton(choice, role)] = choice
    if default:
        for b, c in buttons.items():
            if c == default:
                box.setDefaultButton(b)
    box.exec()
    return buttons.get(box.clickedButton(), choices[-1])


def tell(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> None:
    asked.append((title, text))
    if answer is not None:
        answer(title, text, ("OK",))
        return
    (QMessageBox.warning if warning else QMessageBox.information)(parent, title, text)


def ask_text(parent: QWidget | None, title: str, text: str) -> str | None:
    """Ask for a line of text; None when cancelled.  A test's ``answer`` gets the choices
    ("OK", "Cancel") and returns the text typed, or "Cancel"."""
    asked.append((title, text))
    if answer is not None:
        typed = answer(title, text, ("OK", "Cancel"))
        return None if typed == "Cancel" else typed
    typed, ok = QInputDialog.getText(parent, title, text)
    return typed if ok else None


def ask_date(parent: QWidget | None, title: str, text: str, default: dt.date) -> dt.date | None:
    """Ask for a date (a calendar pops up); None when cancelled.  A test's ``answer`` gets the
    choices ("OK", "Cancel") and may return "OK" (the default date), "Cancel" or MM/DD/YYYY."""
    asked.append((title, text))
    if answer is not None:
        chosen = answer(title, text, ("OK", "Cancel"))
        if chosen == "Cancel":
            return None
        return default if chosen == "OK" else dt.datetime.strptime(chosen, "%m/%d/%Y").date()
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    edit = QDateEdit(QDate(default.year, default.month, default.day), calendarPopup=True)
    edit.setDisplayFormat("MM/dd/yyyy")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    lay.addWidget(QLabel(text, wordWrap=True))
    lay.addWidget(edit)
    lay.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return edit.date().toPython()
