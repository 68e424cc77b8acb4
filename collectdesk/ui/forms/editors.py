"""The one registry from field kind to editor widget (STYLE 3).

Every editor has the same small interface: ``value()`` (a typed Python value,
raising :class:`BadValue` with a message when the text cannot be read),
``set_value(v)``, ``set_readonly(on)`` and an ``edited`` signal emitted on user
changes.  Forms never build editors by hand; :func:`create_editor` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCalendarWidget,
    QCheckBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QStyle,
    QStyleOptionFrame,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...engine.forms_spec import FieldSpec, PickEntry
from ...models import AmountMode, FinancialType


class BadValue(ValueError):
    """What was typed in a field cannot be read as its type."""


DATE_FORMAT = "%m/%d/%Y"


def parse_date(text: str, today: dt.date | None = None) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    today = today or dt.date.today()
    if text.lower() in ("t", "today"):
        return today
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%m-%d-%Y", "%m%d%Y", "%m/%d"):
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return parsed.replace(year=today.year) if fmt == "%m/%d" else parsed
    raise BadValue(f"“{text}” is not a date; type MM/DD/YYYY (F2 opens a calendar).")


def format_value(spec_kind: str, value: Any) -> str:
    """A value as a list or a read-only field shows it."""
    if value is None:
        return ""
    if spec_kind == "money":
        return f"{Decimal(value):,.2f}"
    if spec_kind == "percent":
        return f"{Decimal(value):.3f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "Yes" if value else ""
    return str(value)


def _char_width(widget: QWidget, chars: int) -> int:
    fm = QFontMetrics(widget.font())
    return fm.horizontalAdvance("M" * 3 + "n" * 7) * chars // 10 + 18


#: Room a line edit needs around its text: frame, inner margins and the cursor.
TEXT_PADDING = 16
#: The widest a pick list entry's text beside its key grows before it ends in "…".
DESCRIPTION_CHARS = 30


def text_fits(line: QLineEdit) -> bool:
    """Whether all of the line's text is in view (not scrolled or cut at the right edge)."""
    opt = QStyleOptionFrame()
    line.initStyleOption(opt)
    room = line.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, line).width()
    margins = line.textMargins()
    room -= margins.left() + margins.right() + 4  # QLineEdit's own 2-pixel side margins
    return line.fontMetrics().horizontalAdvance(line.text()) <= room


class Editor(QWidget):
    """Base of every editor: a line of the form that holds one field's value."""

    edited = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._readonly = False
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)

    def focus_widget(self) -> QWidget:
        return self

    def value(self) -> Any:  # pragma: no cover - every editor overrides
        raise NotImplementedError

    def set_value(self, value: Any) -> None:  # pragma: no cover
        raise NotImplementedError

    def set_readonly(self, on: bool) -> None:
        self._readonly = on

    def is_readonly(self) -> bool:
        return self._readonly

    def chars(self) -> int:
        """A sensible width in characters from the field's length."""
        if self.spec.width:
            return self.spec.width
        length = self.spec.length or 20
        return max(6, min(length, 34))


class LineEditor(Editor):
    """A one-line text field; subclasses convert the text."""

    align = Qt.AlignmentFlag.AlignLeft

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.line = QLineEdit()
        self.line.setAlignment(self.align | Qt.AlignmentFlag.AlignVCenter)
        if spec.length and spec.kind in ("text", "email", "phone"):
            self.line.setMaxLength(spec.length)
        self.line.textEdited.connect(lambda _t: self.edited.emit())
        self.layout().addWidget(self.line, 1)
        self._least = _char_width(self.line, min(self.chars(), 12))
        self.line.setMinimumWidth(self._least)
        self.line.setMaximumWidth(_char_width(self.line, self.chars()) + 12)
        self.setFocusProxy(self.line)

    def focus_widget(self) -> QWidget:
        return self.line

    def text(self) -> str:
        return self.line.text()

    def set_readonly(self, on: bool) -> None:
        super().set_readonly(on)
        self.line.setReadOnly(on)
        self.line.setFocusPolicy(Qt.FocusPolicy.ClickFocus if on else Qt.FocusPolicy.StrongFocus)

    def value(self) -> Any:
        return self.line.text().strip() if self.spec.kind != "text" else self.line.text().rstrip()

    def set_value(self, value: Any) -> None:
        self.line.setText(format_value(self.spec.kind, value))
        self.line.setCursorPosition(0)
        self._fit()

    def _fit(self) -> None:
        """Make the field wide enough for the value it shows, up to the field's length, so the
        form's columns make room for it instead of cutting it off."""
        needed = self.line.fontMetrics().horizontalAdvance(self.line.text()) + TEXT_PADDING
        ceiling = _char_width(self.line, max(self.chars(), self.spec.length or 0)) + 12
        width = min(needed, ceiling)
        if width > self.line.maximumWidth():
            self.line.setMaximumWidth(width)
        self.line.setMinimumWidth(max(self._least, width))


class TextEditor(LineEditor):
    pass


class EmailEditor(LineEditor):
    def value(self) -> Any:
        text = self.line.text().strip()
        if text and ("@" not in text or " " in text):
            raise BadValue(f"“{text}” is not an email address.")
        return text


class NumberEditor(LineEditor):
    align = Qt.AlignmentFlag.AlignRight

    def chars(self) -> int:
        return self.spec.width or 8

    def value(self) -> Any:
        text = self.line.text().strip().replace(",", "")
        if not text:
            return None if self.spec.nullable else 0
        try:
            return int(text)
        except ValueError:
            raise BadValue(f"“{text}” is not a whole number.") from None


class MoneyEditor(LineEditor):
    align = Qt.AlignmentFlag.AlignRight
    places = Decimal("0.01")

    def chars(self) -> int:
        return self.spec.width or 13

    def value(self) -> Any:
        text = self.line.text().strip().replace(",", "").replace("$", "").replace("%", "").strip()
        if text.startswith("(") and text.endswith(")"):
            text = "-" + text[1:-1]
        if not text:
            return None if self.spec.nullable else Decimal(0).quantize(self.places)
        try:
            return Decimal(text).quantize(self.places)
        except InvalidOperation:
            raise BadValue(f"“{self.line.text()}” is not an amount.") from None


class PercentEditor(MoneyEditor):
    places = Decimal("0.001")

    def chars(self) -> int:
        return self.spec.width or 9


class DateEditor(LineEditor):
    """MM/DD/YYYY; F2 or the calendar button opens a calendar; ``t`` means today."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.line.setPlaceholderText("MM/DD/YYYY")
        self.button = QToolButton(objectName="calendar")
        self.button.setText("▦")
        self.button.setToolTip("Calendar (F2)")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.open_calendar)
        self.layout().addWidget(self.button)
        self.line.installEventFilter(self)
        self.calendar: QCalendarWidget | None = None

    def chars(self) -> int:
        return 11

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_F2 and not self._readonly:
            self.open_calendar()
            return True
        return False

    def open_calendar(self) -> None:
        if self._readonly:
            return
        cal = QCalendarWidget()
        cal.setWindowFlags(Qt.WindowType.Popup)
        cal.setGridVisible(True)
        try:
            current = self.value()
        except BadValue:
            current = None
        if current:
            cal.setSelectedDate(current)
        cal.activated.connect(lambda d: self._pick(cal, d.toPython()))
        cal.clicked.connect(lambda d: self._pick(cal, d.toPython()))
        cal.move(self.line.mapToGlobal(QPoint(0, self.line.height())))
        cal.show()
        cal.setFocus()
        self.calendar = cal

    def _pick(self, cal: QCalendarWidget, day: dt.date) -> None:
        self.set_value(day)
        cal.close()
        self.edited.emit()
        self.line.setFocus()

    def set_readonly(self, on: bool) -> None:
        super().set_readonly(on)
        self.button.setVisible(not on)

    def value(self) -> Any:
        return parse_date(self.line.text())


class DateTimeEditor(LineEditor):
    def chars(self) -> int:
        return 16

    def value(self) -> Any:
        text = self.line.text().strip()
        if not text:
            return None
        for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise BadValue(f"“{text}” is not a date and time (MM/DD/YYYY HH:MM).")


class TimeEditor(LineEditor):
    def chars(self) -> int:
        return 6

    def value(self) -> Any:
        text = self.line.text().strip()
        if not text:
            return None
        for fmt in ("%H:%M", "%H%M", "%I:%M%p", "%I:%M %p", "%H:%M:%S"):
            try:
                return dt.datetime.strptime(text.upper(), fmt).time()
            except ValueError:
                continue
        raise BadValue(f"“{text}” is not a time (HH:MM).")


class PhoneEditor(LineEditor):
    """A phone as typed, with a phone icon; clicking the icon or double-clicking the number
    (seed 003 "Auto Dialer Setup": "double-click into any phone number field") asks the form
    to dial it (the form hands it to :mod:`collectdesk.ui.dialing`)."""

    dial_requested = Signal(str)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.button = QToolButton(objectName="dial")
        self.button.setText("☎")
        self.button.setToolTip("Dial this number")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setFixedWidth(30)
        self.button.clicked.connect(self.dial)
        self.line.textChanged.connect(lambda t: self.button.setEnabled(bool(t.strip())))
        self.button.setEnabled(False)
        self.layout().addWidget(self.button)
        self.line.installEventFilter(self)

    def chars(self) -> int:
        return 16

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonDblClick and self.line.text().strip():
            self.dial()
            return True
        return False

    def dial(self) -> None:
        number = self.line.text().strip()
        if number:
            self.dial_requested.emit(number)


class MemoEditor(Editor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(70)
        self.edit.setMinimumWidth(260)
        self.edit.textChanged.connect(self._changed)
        self.layout().addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self._setting = False

    def _changed(self) -> None:
        if not self._setting:
            self.edited.emit()

    def focus_widget(self) -> QWidget:
        return self.edit

    def value(self) -> Any:
        return self.edit.toPlainText()

    def set_value(self, value: Any) -> None:
        self._setting = True
        self.edit.setPlainText(value or "")
        self._setting = False

    def set_readonly(self, on: bool) -> None:
        super().set_readonly(on)
        self.edit.setReadOnly(on)


class CheckEditor(Editor):
    """A check box carrying its own label (the form leaves the label column empty)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.box = QCheckBox(spec.label)
        self.box.clicked.connect(lambda _c: self.edited.emit())
        self.layout().addWidget(self.box)
        self.setFocusProxy(self.box)

    def focus_widget(self) -> QWidget:
        return self.box

    def value(self) -> Any:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def set_readonly(self, on: bool) -> None:
        super().set_readonly(on)
        self.box.setEnabled(not on)


CHOICE_LABELS: dict[Any, str] = {
    "": "None",
    AmountMode.ENTER.value: "Enter amount on posting",
    AmountMode.DOLLARS.value: "Dollar amounts",
    AmountMode.PERCENT_PRINCIPAL.value: "Percent of principal",
    AmountMode.PERCENT_OWING.value: "Percent of owing",
    AmountMode.PERCENT_INTEREST.value: "Percent of accrued interest",
    AmountMode.PERCENT_PAYMENT.value: "Percent of payment (max = commission)",
    "user1": "User 1", "user2": "User 2",
    "all": "Calculate using all accounts", "closed": "Use closed accounts only",
    "custom": "Custom success rate",
    "none": "None", "client": "Charge fee to client", "debtor": "Charge fee to debtor",
    "name": "By name", "account": "By account number",
    "specific": "Specific operator",
}

#: Where one stored value means different things on different fields: (field code, value).
FIELD_CHOICE_LABELS: dict[tuple[str, Any], str] = {
    ("ev.as", "account"): "The account's operator",
}


def choice_label(value: Any, code: str = "") -> str:
    if (code, value) in FIELD_CHOICE_LABELS:
        return FIELD_CHOICE_LABELS[code, value]
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return FinancialType(value).label
        except ValueError:
            return str(value)
    if value in CHOICE_LABELS:
        return CHOICE_LABELS[value]
    return str(value).replace("_", " ").capitalize()


class RadioEditor(Editor):
    """One choice of a few, laid out in a column (or a row when there are at most three)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.group = QButtonGroup(self)
        self.buttons: list[tuple[Any, QRadioButton]] = []
        choices = list(spec.choices or ())
        box = QWidget()
        across = len(choices) <= 3 and sum(len(choice_label(c, spec.code)) for c in choices) <= 24
        inner = QHBoxLayout(box) if across else QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(12 if across else 2)
        for i, choice in enumerate(choices):
            rb = QRadioButton(choice_label(choice, spec.code))
            self.group.addButton(rb, i)
            inner.addWidget(rb)
            self.buttons.append((choice, rb))
        if isinstance(inner, QHBoxLayout):
            inner.addStretch(1)
        self.group.idClicked.connect(lambda _i: self.edited.emit())
        self.layout().addWidget(box)
        if self.buttons:
            self.setFocusProxy(self.buttons[0][1])

    def value(self) -> Any:
        i = self.group.checkedId()
        if i < 0:
            return self.buttons[0][0] if self.buttons and self.buttons[0][0] == "" else None
        return self.buttons[i][0]

    def set_value(self, value: Any) -> None:
        for choice, rb in self.buttons:
            if choice == value or (value in (None, "") and choice == ""):
                rb.setChecked(True)
                return
        self.group.setExclusive(False)
        for _c, rb in self.buttons:
            rb.setChecked(False)
        self.group.setExclusive(True)

    def set_readonly(self, on: bool) -> None:
        super().set_readonly(on)
        for _c, rb in self.buttons:
            rb.setEnabled(not on)


class ElidedLabel(QLabel):
    """A label that ends in … instead of being cut when its column is narrow."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._full = ""

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 10))
        super().setText(shown)


class PickPopup(QWidget):
    """The F2 list of a pick list: type to filter, Enter or a click chooses."""

    chosen = Signal(str)

    def __init__(self, entries: list[PickEntry], current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.entries = entries
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        self.filter = QLineEdit(placeholderText="Type to filter…")
        self.list = QListWidget()
        lay.addWidget(self.filter)
        lay.addWidget(self.list)
        self.filter.textChanged.connect(self._fill)
        self.list.itemActivated.connect(self._choose)
        self.list.itemClicked.connect(self._choose)
        self.filter.installEventFilter(self)
        self._fill("")
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == current:
                self.list.setCurrentRow(i)
        self.resize(320, 300)

    def _fill(self, text: str) -> None:
        self.list.clear()
        t = text.lower()
        for e in self.entries:
            shown = f"{e.key:<6}  {e.text}" if e.text and e.text != e.key else e.key or "(blank)"
            if t and t not in shown.lower():
                continue
            item = QListWidgetItem(shown)
            item.setData(Qt.ItemDataRole.UserRole, e.key)
            if e.color:
                item.setBackground(QColor("#" + e.color.lstrip("#")))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self.list.keyPressEvent(event)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._choose(item)
                return True
        return False

    def _choose(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.close()


class PickListEditor(LineEditor):
    """The stored key, with the entry's text beside it; F2 opens the list, typing completes."""

    entries_for: Callable[[str], list[PickEntry]] | None = None

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self._entries: list[PickEntry] | None = None
        self.button = QToolButton(objectName="pick")
        self.button.setText("▾")
        self.button.setToolTip("Pick from the list (F2)")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.open_list)
        self.description = ElidedLabel(objectName="pickText")
        self.description.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.description.setMinimumWidth(60)
        self.layout().addWidget(self.button)
        self.layout().addWidget(self.description, 1)
        self.line.installEventFilter(self)
        self.line.textChanged.connect(self._describe)
        self.completer_model = QStringListModel(self)
        completer = QCompleter(self.completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.line.setCompleter(completer)
        self.line.setMaximumWidth(_char_width(self.line, self.chars()) + 12)

    def chars(self) -> int:
        return max(5, min(self.spec.length or 8, 10))

    def entries(self) -> list[PickEntry]:
        if self._entries is None:
            finder = PickListEditor.entries_for
            self._entries = finder(self.spec.picklist or "") if finder and self.spec.picklist else []
            self.completer_model.setStringList([e.key for e in self._entries if e.key])
        return self._entries

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_F2 and not self._readonly:
            self.open_list()
            return True
        if event.type() == QEvent.Type.FocusIn:
            self.entries()
        return False

    def open_list(self) -> None:
        if self._readonly:
            return
        popup = PickPopup(self.entries(), self.line.text().strip(), self)
        popup.chosen.connect(self._chosen)
        popup.move(self.line.mapToGlobal(QPoint(0, self.line.height())))
        popup.show()
        popup.filter.setFocus()
        self.popup = popup

    def _chosen(self, key: str) -> None:
        self.line.setText(key)
        self.edited.emit()
        self.line.setFocus()

    def _describe(self, text: str) -> None:
        key = text.strip()
        if not key or self._entries is None and not self.isVisible():
            self.description.setText("")
            return
        match = next((e for e in self.entries() if e.key.lower() == key.lower()), None)
        self.description.setText(match.text if match and match.text != match.key else "")
        # room for the entry's text beside the key (a longer one ends in "…", tooltip in full)
        needed = self.description.fontMetrics().horizontalAdvance(self.description.full_text())
        most = _char_width(self.description, DESCRIPTION_CHARS)
        self.description.setMinimumWidth(max(60, min(needed + 4, most)))

    def set_value(self, value: Any) -> None:
        super().set_value(value)
        self._describe(self.line.text())

    def set_readonly(self, on: bool) -> None:
        super().set_readonly(on)
        self.button.setVisible(not on)

    def value(self) -> Any:
        text = self.line.text().strip()
        if self.spec.pytype is int:
            if not text:
                return None if self.spec.nullable else 0
            try:
                return int(text)
            except ValueError:
                raise BadValue(f"“{text}” is not one of the list's numbers (F2 shows them).") from None
        return text

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._describe(self.line.text())


#: The registry: field kind → editor class.
EDITORS: dict[str, type[Editor]] = {
    "text": TextEditor,
    "email": EmailEditor,
    "memo": MemoEditor,
    "number": NumberEditor,
    "money": MoneyEditor,
    "percent": PercentEditor,
    "date": DateEditor,
    "datetime": DateTimeEditor,
    "time": TimeEditor,
    "phone": PhoneEditor,
    "picklist": PickListEditor,
    "check": CheckEditor,
    "radio": RadioEditor,
}


def create_editor(spec: FieldSpec, parent: QWidget | None = None) -> Editor:
    kind = spec.kind
    if kind == "text" and spec.label.lower().startswith("email"):
        kind = "email"
    editor = EDITORS[kind](spec, parent)
    if isinstance(editor, LineEditor) and not isinstance(editor, PickListEditor):
        editor.layout().addStretch(0)  # short fields stay at the left edge of their column
    editor.setObjectName(f"field:{spec.code}")
    tip = spec.help or ""
    editor.setToolTip(f"<b>{spec.label}</b> ({spec.code})" + (f"<br>{tip}" if tip else ""))
    if spec.readonly:
        editor.set_readonly(True)
    return editor
