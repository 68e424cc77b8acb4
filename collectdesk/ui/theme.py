"""The program's look: a calm light palette and one style sheet, applied once at start."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

#: Colours named by purpose, used by the style sheet and by painted widgets.
COLORS = {
    "window": "#eef1f5",
    "panel": "#ffffff",
    "border": "#c5ccd6",
    "text": "#1f2933",
    "muted": "#5f6b7a",
    "accent": "#2f5d8a",
    "accent_dark": "#24415f",
    "selection": "#cfe0f3",
    "tab_empty": "#e3e6ea",
    "tab_data": "#fbeea8",
    "tag": "#fff2b3",
    "error": "#b3261e",
    "required": "#8a1c1c",
    "readonly": "#f4f6f8",
}

STYLE_SHEET = """
QMainWindow, QDialog {{ background: {window}; }}
QWidget {{ color: {text}; }}
QFrame#banner {{ background: {accent_dark}; }}
QLabel#bannerTitle {{ color: white; font-size: 20pt; font-weight: 600; }}
QLabel#bannerSubtitle {{ color: #c9d6e3; }}
QLabel#error {{ color: {error}; }}
QLabel#formTitle {{ font-size: 13pt; font-weight: 600; color: {accent_dark}; }}
QLabel#formSubtitle {{ color: {muted}; }}
QLabel[required="true"] {{ color: {required}; font-weight: 600; }}
QGroupBox {{ background: {panel}; border: 1px solid {border}; border-radius: 4px;
             margin-top: 14px; padding: 10px 8px 6px 8px; font-weight: 600; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {accent}; }}
QGroupBox QLabel {{ font-weight: normal; }}
QLineEdit, QComboBox, QDateEdit, QSpinBox, QDoubleSpinBox, QPlainTextEdit {{
    background: white; border: 1px solid {border}; border-radius: 3px; padding: 2px 4px;
    min-height: 20px; selection-background-color: {selection}; selection-color: {text}; }}
QLineEdit:read-only {{ background: {readonly}; color: {muted}; }}
QLineEdit:focus, QComboBox:focus, QDateEdit:focus, QPlainTextEdit:focus {{ border: 1px solid {accent}; }}
QTabWidget::pane {{ border: 1px solid {border}; background: {panel}; top: -1px; }}
QTabBar::tab {{ background: {tab_empty}; color: {muted}; border: 1px solid {border};
               padding: 4px 10px; margin-right: 1px; border-top-left-radius: 3px;
               border-top-right-radius: 3px; }}
QTabBar::tab:selected {{ background: {panel}; color: {text}; border-bottom-color: {panel}; }}
QTableView {{ background: white; gridline-color: #e1e5ea; selection-background-color: {selection};
              selection-color: {text}; alternate-background-color: #f7f9fb; }}
QHeaderView::section {{ background: #e4e8ee; border: none; border-right: 1px solid {border};
                        border-bottom: 1px solid {border}; padding: 3px 6px; font-weight: 600; }}
QPushButton {{ background: white; border: 1px solid {border}; border-radius: 3px;
               padding: 4px 12px; min-width: 64px; }}
QPushButton:hover {{ border-color: {accent}; }}
QPushButton:default {{ background: {accent}; color: white; border-color: {accent_dark}; }}
QPushButton:disabled {{ color: #9aa4b1; }}
QPushButton#homeButton {{ text-align: left; padding: 10px 14px; font-size: 11pt; }}
QToolButton#dial {{ border: 1px solid {border}; border-radius: 3px; background: #eef6f0;
                    color: #2f7d4f; font-size: 12pt; padding: 0 4px; }}
QToolButton#dial:hover {{ background: #d7ecdc; }}
QToolButton#dial:disabled {{ background: #f4f6f8; color: #b5bec9; }}
QToolButton#calendar, QToolButton#pick {{ border: 1px solid {border}; border-radius: 3px;
                    background: #f4f6f8; padding: 0 4px; }}
QLabel#pickText {{ color: {muted}; }}
QLabel#localTime {{ color: {accent_dark}; font-weight: 600; }}
QStatusBar {{ background: #e4e8ee; }}
QMenuBar {{ background: {window}; }}
QMenu::item:disabled {{ color: #9aa4b1; }}
"""


def apply_theme(app: QApplication) -> None:
    if app.property("collectdesk_theme"):
        return
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(COLORS["window"]))
    pal.setColor(QPalette.ColorRole.Base, QColor("white"))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor("#f7f9fb"))
    pal.setColor(QPalette.ColorRole.Text, QColor(COLORS["text"]))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(COLORS["text"]))
    pal.setColor(QPalette.ColorRole.Button, QColor("#f4f6f8"))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(COLORS["text"]))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(COLORS["selection"]))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor(COLORS["text"]))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffbe6"))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor(COLORS["text"]))
    app.setPalette(pal)
    font = QFont(app.font())
    if font.pointSize() < 9:
        font.setPointSize(9)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET.format(**COLORS))
    app.setProperty("collectdesk_theme", True)
