"""The main window: the menus, the form stack and the status bar."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
)
from sqlalchemy import delete, func, select

from ..engine import forms_spec
from ..engine.operators import level_99_caution
from ..engine.rights import AccessRefused, form_name
from ..engine.signon import Route
from ..models import Client, Debtor, Operator, Tag
from . import commands, dialogs
from .commands.base import Command
from .context import AppContext
from .page import Page


class HomePage(Page):
    """The main menu: the day's common starting points as large buttons."""

    help_text = ("The main menu. Every command is also in the menu bar; underlined letters "
                 "work with Alt.")

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setWindowTitle("Main Menu")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 24, 32, 24)
        lay.setSpacing(16)
        title = QLabel("Main Menu", objectName="formTitle")
        who = window.ctx.operator
        subtitle = QLabel(
            f"Signed on as {who.id} — {who.name or 'operator'}  ·  database {window.ctx.database_name}"
            if who else "", objectName="formSubtitle")
        lay.addWidget(title)
        lay.addWidget(subtitle)
        groups = [
            ("Work", ["WorkInProgress", "FindBy", "BrowseActiveDebtors", "BrowseAllDebtors"]),
            ("Clients and accounts", ["BrowseClients", "ViewTags", "ClearTags", "Recalculate"]),
            ("Setup", ["CompanyDetails", "StatusCodes", "TransactionTypes", "Operators"]),
        ]
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        for col, (name, names) in enumerate(groups):
            box = QGroupBox(name)
            blay = QVBoxLayout(box)
            blay.setSpacing(8)
            for cmd_name in names:
                cmd = window.command(cmd_name)
                if cmd is None:
                    continue
                button = QPushButton(cmd.text.replace("…", ""), objectName="homeButton")
                button.clicked.connect(cmd.action.trigger)
                _follow(button, cmd)
                blay.addWidget(button)
            blay.addStretch(1)
            grid.addWidget(box, 0, col)
        lay.addLayout(grid)
        lay.addStretch(1)


def _follow(button: QPushButton, cmd: Command) -> None:
    """The button is enabled and explained like its menu command, now and after every
    :meth:`MainWindow.refresh_commands` (rights changed, a capability came, a page opened)."""

    def sync() -> None:
        button.setEnabled(cmd.action.isEnabled())
        button.setToolTip(cmd.action.toolTip())

    cmd.action.changed.connect(sync)
    sync()


class PlaceholderPage(Page):
    """A landing place for a capability that other work will fill (WIP list, dialer wait)."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 24, 32, 24)
        lay.addWidget(QLabel(title, objectName="formTitle"))
        body = QLabel(text)
        body.setWordWrap(True)
        lay.addWidget(body)
        lay.addStretch(1)
        self.help_text = text


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.commands: dict[str, Command] = {}
        self._pool: dict[str, Page] = {}  # closed record forms kept for reuse
        self._open: list[Page] = []
        from .dialing import DialAdapter

        self.dialer = DialAdapter(self)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        from .dialer_page import attach_dialer

        self.predictive = attach_dialer(self)  # /z, /W2: the program's predictive dialer
        self._build_menus()
        self.home = HomePage(self)
        self.push(self.home)
        self._status = QLabel()
        self.statusBar().addPermanentWidget(self._status)
        self._tick()
        self._clock = QTimer(self, interval=30_000, timeout=self._tick)
        self._clock.start()
        ctx.changed.connect(lambda *_: self.refresh_commands())
        self.resize(1180, 760)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.escape,
                  context=Qt.ShortcutContext.WindowShortcut)

    # -- menus -------------------------------------------------------------------------------
    @property
    def rights(self) -> Any:
        """The signed-on operator's access rights (menus are enabled by them)."""
        return self.ctx.rights

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for title, items in commands.MENUS:
            menu = bar.addMenu(title)
            self._fill(menu, items, _right_part(title))

    def _fill(self, menu: QMenu, items: list, path: str) -> None:
        menu.setToolTipsVisible(True)
        menu.aboutToShow.connect(self.refresh_commands)
        for item in items:
            if item is None:
                menu.addSeparator()
            elif isinstance(item, tuple):
                self._fill(menu.addMenu(item[0]), item[1], f"{path}.{_right_part(item[0])}")
            else:
                cmd = item(self)
                cmd.right = f"menu:{path}.{_right_part(item.text)}"
                cmd.refresh()
                self.commands[item.__name__] = cmd
                menu.addAction(cmd.action)

    def command(self, name: str) -> Command | None:
        return self.commands.get(name)

    def refresh_commands(self) -> None:
        for cmd in self.commands.values():
            cmd.refresh()

    # -- the form stack ------------------------------------------------------------------------
    def current_page(self) -> Page | None:
        return self._open[-1] if self._open else None

    def pages(self) -> list[Page]:
        """The open pages, bottom (the main menu) to top."""
        return list(self._open)

    def push(self, page: Page) -> Page:
        if self.stack.indexOf(page) < 0:
            self.stack.addWidget(page)
            page.title_changed.connect(self._retitle)
        self._open.append(page)
        self.stack.setCurrentWidget(page)
        self._retitle()
        self.refresh_commands()
        QTimer.singleShot(0, page.setFocus) if page.focusWidget() is None else None
        return page

    def close_page(self, page: Page | None = None, *, ask: bool = True) -> bool:
        page = page or self.current_page()
        if page is None or page is self.home or page not in self._open:
            return False
        if ask and not page.may_close():
            return False
        self._open.remove(page)
        form_id = getattr(getattr(page, "spec", None), "id", None)
        top = self.current_page()
        if top is not None:
            self.stack.setCurrentWidget(top)
        if hasattr(page, "park") and form_id not in self._pool:
            page.park()  # stays in the stack, hidden, ready for the next record of its form
            self._pool[form_id] = page
        else:
            self.stack.removeWidget(page)
            page.deleteLater()
        if top is not None:
            top.activated()
        self._retitle()
        self.refresh_commands()
        return True

    def escape(self) -> None:
        page = self.current_page()
        if page is not None and page is not self.home and page.escapable:
            self.close_page(page)

    def _retitle(self) -> None:
        page = self.current_page()
        where = f"{self.ctx.database_name} — {self.ctx.operator_id}"
        self.setWindowTitle(f"{page.title()} — CollectDesk [{where}]" if page else "CollectDesk")

    def _tick(self) -> None:
        op = self.ctx.operator
        self._status.setText(
            f"  {op.id if op else ''}  ·  level {self.ctx.user_level}  ·  {self.ctx.database_name}"
            f"  ·  {dt.datetime.now():%a %m/%d/%Y %H:%M}  ")

    # -- landing after sign-on -----------------------------------------------------------------
    def land(self) -> None:
        signon = getattr(self.ctx, "signon", None)
        route = signon.route if signon else Route.MAIN_MENU
        op = self.ctx.operator
        caution = level_99_caution(op) if op is not None else None
        if caution:  # "Operators who sign into Collect! at user level 99 will see a similar
            self.statusBar().showMessage(caution, 30_000)  # message" (not operator 99 itself)
        if route is Route.WIP_LIST:
            self.open_wip()
        elif route is Route.CLIENT_RECORD:
            client_id = self.ctx.operator.client_id if self.ctx.operator else None
            if client_id:
                self.open_form("client", client_id)
            else:
                self.push(PlaceholderPage("Client Access",
                                          "This CLIENT operator is not linked to a client. "
                                          "Ask a manager to fill in Client # on the Operator form."))
        elif route is Route.DIALER_WAIT:
            self.open_dialer_wait()
        elif route in (Route.SCHEDULER, Route.WEB_HOST):
            self.push(PlaceholderPage(route.value.title(),
                                      f"{route.value.title()} mode is not built yet; "
                                      "the main menu is available from the menu bar."))

    # -- commands' operations --------------------------------------------------------------------
    def open_browse(self, list_id: str, **kwargs: Any) -> Page | None:
        """A browse list, unless the level has No Access to its form: then say which access
        right refuses (the refusal is written to the audit log) and open nothing."""
        from .browse_page import BrowsePage

        right = f"form:{form_name(forms_spec.browse_list(list_id).model)}"
        try:
            with self.ctx.session() as s:
                self.ctx.rights.require(right, session=s)
        except AccessRefused as refusal:
            dialogs.tell(self, "Access Rights", str(refusal), warning=True)
            return None
        return self.push(BrowsePage(self, list_id, **kwargs))

    def open_form(self, form_id: str, key: Any = None, *, new_defaults: dict | None = None,
                  browse: Any = None, row: int | None = None) -> Page:
        from .record_page import RecordPage

        page = self._pool.pop(form_id, None)
        if page is not None:
            page.reuse(key, new_defaults=new_defaults, browse=browse, row=row)
            return self.push(page)
        return self.push(RecordPage(self, form_id, key, new_defaults=new_defaults,
                                    browse=browse, row=row))

    def prepare_forms(self, form_ids: tuple[str, ...] = ("debtor", "client")) -> None:
        """Build the busiest forms ahead of time so that opening one only reads the record."""
        from ..engine import records
        from .record_page import NO_RECORD, RecordPage

        records.time_zones_for_zip("10001")  # loads the ZIP → time zone data (~0.3 s) now
        open_now = {getattr(getattr(p, "spec", None), "id", None) for p in self._open}
        for form_id in form_ids:
            # a form already open is parked for reuse when it closes: no second copy
            if form_id not in self._pool and form_id not in open_now:
                page = RecordPage(self, form_id, NO_RECORD)
                self.stack.addWidget(page)  # laid out and polished now, shown later
                page.title_changed.connect(self._retitle)
                self._pool[form_id] = page

    def open_company_details(self) -> Page:
        from ..models import CompanyDetails

        with self.ctx.session() as s:
            key = s.scalar(select(func.min(CompanyDetails.id)))
        return self.open_form("company", key)

    def open_preferences(self) -> Page:
        """System > Preferences: the system row (operator rows are WIP Options and Operator)."""
        from ..models import Preferences

        with self.ctx.session() as s:
            key = s.scalar(select(Preferences.id).where(Preferences.operator_id.is_(None)))
        return self.open_form("preferences", key)

    def find_by(self) -> None:
        from .find_dialog import FindByDialog

        FindByDialog(self).exec()

    def open_wip(self) -> Page:
        try:
            from . import wip_page
        except ImportError:
            wip_page = None
        if wip_page is not None:
            return self.push(wip_page.WipPage(self))
        return self.push(PlaceholderPage(
            "Work In Progress",
            "Your WIP list appears here once the contact-plan and WIP engine is installed. "
            "Until then use Browse ▸ Active Debtors or Find By (Ctrl+F) to open accounts."))

    def open_dialer_wait(self) -> Page:
        from .dialer_page import open_waiting

        return open_waiting(self)

    def show_unavailable(self, text: str) -> None:
        dialogs.tell(self, "Not available", f"{text.replace('&', '')} is not built yet.")

    def show_database_information(self) -> None:
        with self.ctx.session() as s:
            counts = {
                "Clients": s.scalar(select(func.count()).select_from(Client)),
                "Debtors": s.scalar(select(func.count()).select_from(Debtor)),
                "Operators": s.scalar(select(func.count()).select_from(Operator)),
            }
        lines = [f"Database: {self.ctx.database_name}", f"URL: {self.ctx.url}", ""]
        lines += [f"{k}: {v:,}" for k, v in counts.items()]
        dialogs.tell(self, "Database Information", "\n".join(lines))

    def sign_off(self) -> None:
        if not self._close_all_pages():
            return
        from .app import sign_on

        ctx = sign_on(_without_direct_signon(self.ctx.settings))
        if ctx is None:
            return
        ctx.settings = self.ctx.settings
        self.ctx.sign_off()
        new = MainWindow(ctx)
        new.show()
        new.land()
        app = QApplication.instance()
        app.setProperty("main_window", new)
        self.ctx = ctx
        self.close()

    def exit_locked(self) -> bool:
        no_exit = getattr(self.ctx.settings, "no_exit", False) if self.ctx.settings else False
        return bool(no_exit) and self.ctx.user_level not in (1, 99)

    def clear_tags(self) -> None:
        with self.ctx.session() as s:
            s.execute(delete(Tag).where(Tag.operator_id == self.ctx.operator_id))
            s.commit()
        self.ctx.notify("tags")

    def recalculate(self) -> None:
        page = self.current_page()
        if page is not None and hasattr(page, "recalculate"):
            page.recalculate()
        elif dialogs.ask(self, "Recalculate", "Recalculate every account and every client's "
                         "figures now?", ["Recalculate", "Cancel"]) == "Recalculate":
            self.recalculate_all()

    def recalculate_all(self) -> Any:
        """Tools > Recalculate from a list or the main menu: every account, then every client."""
        from ..engine import recalc
        from .operations import run_in_background

        engine = self.ctx.engine

        def work(progress: Any) -> str:
            result = recalc.recalc_all(engine, progress=progress)
            text = f"Recalculated {result.debtors:,} accounts ({result.changed:,} changed)"
            try:
                from ..engine.client_recalc import recalc_clients
            except ImportError:
                return text + "."
            return text + f" and {len(recalc_clients(engine)):,} clients."

        return run_in_background(self, "Recalculate", work,
                                 on_done=lambda _m: self.ctx.notify("debtors"))

    def show_context_help(self) -> None:
        page = self.current_page()
        if page is None:
            return
        field = page.field_help()
        text = f"<h3>{page.title()}</h3><p>{page.help_text or 'No help for this form yet.'}</p>"
        if field:
            text += f"<h4>{field[0]}</h4><p>{field[1]}</p>"
        dialogs.tell(self, "Help", text)

    def show_keyboard_help(self) -> None:
        dialogs.tell(self, "Keyboard", KEYBOARD_HELP)

    def show_about(self) -> None:
        dialogs.tell(self, "About CollectDesk",
                     "<b>CollectDesk</b><br>An open-source credit and collection system "
                     "in the spirit of Collect!.")

    def _close_all_pages(self) -> bool:
        for page in reversed(self.pages()):
            if page is self.home:
                continue
            self.stack.setCurrentWidget(page)
            if not self.close_page(page):
                return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.exit_locked() or not self._close_all_pages():
            event.ignore()
            return
        event.accept()


def _right_part(text: str) -> str:
    """``Contact &Management Settings`` → ``contact_management_settings`` (access right names)."""
    clean = re.sub(r"[^a-z0-9]+", "_", text.replace("&", "").replace("…", "").lower())
    return clean.strip("_")


def _without_direct_signon(settings: Any) -> Any:
    """Signing on again after Sign Off always shows the Welcome dialog (never reuses /i /p)."""
    import dataclasses

    if settings is None or not dataclasses.is_dataclass(settings):
        return None
    return dataclasses.replace(settings, user_id=None, password=None)


KEYBOARD_HELP = """<table cellspacing=4>
<tr><td><b>F1</b></td><td>Help for this form and field</td></tr>
<tr><td><b>F2</b></td><td>Open the calendar or pick list of the field</td></tr>
<tr><td><b>F3</b></td><td>New record: of the list or sub-list you are in, else of the form</td></tr>
<tr><td><b>F5</b></td><td>Open the highlighted row / activate the sub-list of the tab</td></tr>
<tr><td><b>F6</b></td><td>Open the next due account of the WIP list</td></tr>
<tr><td><b>F8</b>, <b>Ctrl+S</b></td><td>OK: save and close the form</td></tr>
<tr><td><b>Esc</b></td><td>Cancel: close the form (asks when there are unsaved changes)</td></tr>
<tr><td><b>PgUp</b> / <b>PgDn</b></td><td>Previous / next record (the &lt;&lt; and &gt;&gt; buttons); in a list or notes, a page up / down</td></tr>
<tr><td><b>Space</b>, <b>Ctrl+A</b></td><td>Tag the row / tag every row of the list</td></tr>
<tr><td><b>Ctrl+F</b></td><td>Find By</td></tr>
</table>"""
