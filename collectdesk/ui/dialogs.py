"""Questions the program asks, in one place so that tests can answer them.

Each function shows a modal message box; tests replace ``answer`` with a callable
returning the chosen button's text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

#: Tests set this to ``lambda title, text, choices: "Discard"`` and the like.
answer: Callable[[str, str, Sequence[str]], str] | None = None
#: Every question asked, (title, text), newest last — for tests.
asked: list[tuple[str, str]] = []


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
