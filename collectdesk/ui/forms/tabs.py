"""A tab widget whose tabs show whether they hold data: grey when empty, highlighted when not."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionTab, QStylePainter, QTabBar, QTabWidget

from ..theme import COLORS


class DataTabBar(QTabBar):
    def __init__(self) -> None:
        super().__init__()
        self._has_data: dict[int, bool] = {}
        self.setDrawBase(True)
        self.setExpanding(False)
        self.setUsesScrollButtons(True)

    def set_has_data(self, index: int, on: bool) -> None:
        self._has_data[index] = on
        self.setTabToolTip(index, "Has data" if on else "Empty")
        self.update()

    def has_data(self, index: int) -> bool:
        return self._has_data.get(index, False)

    def paintEvent(self, _event) -> None:
        painter = QStylePainter(self)
        data_color = QColor(COLORS["tab_data"])
        empty_text = QColor(COLORS["muted"])
        for i in range(self.count()):
            opt = QStyleOptionTab()
            self.initStyleOption(opt, i)
            selected = bool(opt.state & QStyle.StateFlag.State_Selected)
            painter.drawControl(QStyle.ControlElement.CE_TabBarTabShape, opt)
            if self.has_data(i):
                r = opt.rect.adjusted(2, 3, -2, -1 if not selected else -2)
                color = QColor(data_color)
                if selected:
                    color = color.lighter(106)
                painter.fillRect(r, color)
            else:
                opt.palette.setColor(QPalette.ColorRole.WindowText, empty_text)
                opt.palette.setColor(QPalette.ColorRole.ButtonText, empty_text)
            painter.drawControl(QStyle.ControlElement.CE_TabBarTabLabel, opt)


class DataTabWidget(QTabWidget):
    def __init__(self) -> None:
        super().__init__()
        self.data_bar = DataTabBar()
        self.setTabBar(self.data_bar)
        self.setDocumentMode(False)

    def set_has_data(self, index: int, on: bool) -> None:
        self.data_bar.set_has_data(index, on)

    def has_data(self, index: int) -> bool:
        return self.data_bar.has_data(index)
