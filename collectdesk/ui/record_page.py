"""A record form page: renders a form of ``forms/``, binds it to records, saves, navigates.

Keys: F8 / Ctrl+S OK (save and close), Esc cancel (asks when there are unsaved
changes), PgUp / PgDn and the << >> buttons for the previous / next record (inside a
sub-list or a memo PgUp / PgDn scroll it), F3 new (a sub-list row when the sub-list has
the focus, otherwise a new record of the form), F5 activates the tab's sub-list.

Access (seed 003): the operator's user level decides which fields are read-only or hidden and
what they are called (aliases, through the access rights); a refused action says which access
right to change.  An account the operator may not see opens, for a non-strict operator (or from
the operator's own WIP list), as the placeholder: file number, last worked, operator, owing,
group and member, name N/A, nothing else, and only OK, Next and Prior.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import exists, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from .. import db
from ..engine import forms_spec, operators, recalc, records, saving
from ..engine.access import (
    PLACEHOLDER_BUTTONS,
    Access,
    Placeholder,
    Purpose,
    open_account,
    purpose_for_account,
)
from ..engine.browse import ListQuery
from ..engine.contact_plans import UnknownPlan
from ..engine.contacts import ActionError
from ..engine.forms_spec import ColumnSpec, FieldSpec, FormSpec, GroupSpec, PickEntry, TabSpec
from ..engine.rights import AccessRefused, form_name
from ..models import (
    Client,
    Cosigner,
    Debtor,
    Note,
    Operator,
    OperatorType,
    Rights,
    TeamMember,
    Transaction,
)
from . import deleting, dialogs, plan_prompts
from .browse_model import BrowseModel
from .forms.editors import (
    BadValue,
    LineEditor,
    MemoEditor,
    PhoneEditor,
    PickListEditor,
    format_value,
)
from .forms.notes import NotesWidget
from .forms.renderer import Binding, FormRenderer, TabBinding
from .forms.sublist import SubListWidget, phone_column
from .forms.transaction_rules import attach as follow_transaction_type
from .page import Page

_EMPTY = (None, "", 0, False, Decimal(0))
#: The fields of a placeholder, in the order the placeholder form shows them.
PLACEHOLDER_CODES = ("de.fn", "de.na", "de.lw", "de.op", "de.ow", "de.gr", "de.gm")
PLACEHOLDER_TITLE = "Confidential account: your account access shows only these fields"
#: Build the form's widgets but bind no record (a page made ahead of time, see MainWindow).
NO_RECORD = object()


def _has_value(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value != 0
    return value not in _EMPTY


def _is_action_field(model: Any, b: Binding) -> bool:
    """The account's or client's own Action / Run Plan field (a status code's Run Plan is a
    setting, not a command)."""
    return (model is Debtor or model is Client) and not b.path \
        and b.spec.attribute == "run_plan" and isinstance(b.editor, PickListEditor)


def _dial_context(rec: Any, *, saved: bool = True) -> dict[str, Any]:
    """The account, client and cosigner a record is (once saved) or belongs to: what a call
    from one of its phones is dialed and recorded for."""
    linked = {k: getattr(rec, k, None) for k in ("debtor_id", "client_id", "cosigner_id")}
    own = {Debtor: "debtor_id", Client: "client_id", Cosigner: "cosigner_id"}.get(type(rec))
    if own is not None and saved:
        linked[own] = rec.id
    return linked


class _PopupHelpFilter(QObject):
    """Pop-up help off: swallow the tooltips of fields."""

    def __init__(self, ctx: Any) -> None:
        super().__init__()
        self.ctx = ctx

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        return event.type() == QEvent.Type.ToolTip and not self.ctx.popup_help


class RecordPage(Page):
    def __init__(self, window: Any, form_id: str, key: Any = None, *,
                 new_defaults: dict[str, Any] | None = None, browse: BrowseModel | None = None,
                 row: int | None = None) -> None:
        # Made inside the window's stack: a page built as a top-level widget would take the
        # activation away from the main window on some platforms.
        super().__init__(getattr(window, "stack", None))
        self.hide()
        self.window_ = window
        self.ctx = window.ctx
        self.spec: FormSpec = forms_spec.form(form_id)
        self.setObjectName(f"form:{form_id}")
        self.help_text = self.spec.help
        self.browse = browse
        self.row = row
        self.session = self.ctx.sessions(autoflush=False)
        self.record: Any = None
        self.related: dict[str, Any] = {}
        self.versions: dict[int, tuple[Any, int | None]] = {}
        self.is_new = False
        self.baseline: dict[int, Any] = {}
        self.pending_notes: list[str] = []
        self._saving = False
        self._closing = False
        #: The Action code last run from the field (not run again on leaving it after a failure).
        self._action_tried: str | None = None
        self.placeholder: Placeholder | None = None
        self.placeholder_form: Any = None

        self.rights = self.ctx.rights
        self.form_right_name = f"form:{form_name(self.spec.model)}"
        self.form_rights = int(self.rights.rights_for(self.form_right_name))
        # Screen Labels: the level's alias of the form (PATIENT for DEBTOR) is its title.
        self.title_text = self.rights.label(self.form_right_name, self.spec.title)
        with self.ctx.session() as s:
            self.access = forms_spec.load_field_access(s, self.ctx.user_level, self.ctx.operator_id)
        self.logged_codes = {code.lower() for code, a in self.access.items() if a.log_to_notes}
        self._pick_cache: dict[str, list[PickEntry]] = {}
        PickListEditor.entries_for = self._pick_entries

        self.form = FormRenderer(self.ctx, self.spec, self.access).render()
        self._build()
        self._wire()
        self.form.on_built = self._tab_built
        self.type_display = follow_transaction_type(self.form, self.ctx)  # None: no Type
        if key is not NO_RECORD:
            self.load(key, new_defaults or {})

    # -- reuse -----------------------------------------------------------------------------------
    def park(self) -> None:
        """Closed but kept for the next record of this form: building widgets is the slow part."""
        self.session.close()
        self.record = None
        self.related = {}
        self.versions = {}
        self.pending_notes = []
        self._closing = False
        self._set_placeholder(None)
        for sub in self.form.sublists(build=False):
            sub.set_parent_key(None)

    def reuse(self, key: Any, *, new_defaults: dict[str, Any] | None = None,
              browse: Any = None, row: int | None = None) -> None:
        self.browse, self.row = browse, row
        self._closing = False
        self.session = self.ctx.sessions(autoflush=False)
        PickListEditor.entries_for = self._pick_entries
        self._pick_cache.clear()
        for tb in self.form.all_tabs(build=False):
            if tb.index == 0:
                tb.tabs.setCurrentIndex(0)
        self.load(key, new_defaults or {})

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = QLabel(self.title_text, objectName="formTitle")
        self.caption_label = QLabel(objectName="formSubtitle")
        self.local_time_label = QLabel(objectName="localTime")
        self.local_time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(self.title_label)
        head.addWidget(self.caption_label, 1)
        head.addWidget(self.local_time_label)

        content = QWidget()
        clay = QVBoxLayout(content)
        clay.setContentsMargins(0, 0, 0, 0)
        clay.setSpacing(10)
        self._content_layout = clay
        clay.addWidget(self.form.body)
        if self.form.tabs is not None:
            self.form.tabs.setMinimumHeight(260)
            clay.addWidget(self.form.tabs, 1)
        else:
            clay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.ok_button = QPushButton("&OK")
        self.ok_button.setToolTip("Save and close (F8, Ctrl+S)")
        self.ok_button.setDefault(False)
        self.ok_button.setAutoDefault(False)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setToolTip("Close without saving (Esc)")
        self.prev_button = QPushButton("<<")
        self.prev_button.setToolTip("Previous record (PgUp)")
        self.next_button = QPushButton(">>")
        self.next_button.setToolTip("Next record (PgDn)")
        for b in (self.prev_button, self.next_button):
            b.setMinimumWidth(44)
        self.help_button = QPushButton("&Help")
        self.help_button.setToolTip("Help for this form and field (F1)")
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.prev_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        self.spec_buttons: list[QPushButton] = []
        for bspec in self.spec.buttons:
            b = QPushButton(bspec.text)
            b.setToolTip(bspec.help)
            b.clicked.connect(lambda _c=False, bs=bspec: self._spec_button(bs))
            self.spec_buttons.append(b)
            buttons.addWidget(b)
        self.recalc_button: QPushButton | None = None
        if self.spec.model is Debtor or self.spec.model is Client:
            self.recalc_button = QPushButton("&Recalc")
            self.recalc_button.setToolTip("Recalculate the figures")
            self.recalc_button.clicked.connect(self.recalculate)
            buttons.addWidget(self.recalc_button)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip("Delete this record (how you are asked first is your "
                                      "operator's Messaging setting)")
        self.delete_button.clicked.connect(self.delete)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.help_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(8)
        lay.addLayout(head)
        lay.addWidget(scroll, 1)
        lay.addLayout(buttons)
        # once parented: shown without a parent, a button would be a window of its own
        for b in (self.prev_button, self.next_button):
            b.setVisible(self.spec.navigation)

    def _wire(self) -> None:
        self.ok_button.clicked.connect(self.ok)
        self.cancel_button.clicked.connect(lambda: self.window_.close_page(self))
        self.prev_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(+1))
        self.help_button.clicked.connect(self.window_.show_context_help)
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for seq, slot in (
            (QKeySequence(Qt.Key.Key_F8), self.ok),
            (QKeySequence("Ctrl+S"), self.ok),
            (QKeySequence(Qt.Key.Key_PageDown), lambda: self.go(+1)),
            (QKeySequence(Qt.Key.Key_PageUp), lambda: self.go(-1)),
            (QKeySequence(Qt.Key.Key_F3), self.new_from_keyboard),
            (QKeySequence(Qt.Key.Key_F5), self.activate_sublist),
        ):
            QShortcut(seq, self, activated=slot, context=ctx)
        self._help_filter = _PopupHelpFilter(self.ctx)
        self._wire_bindings(self.form.built_bindings)
        for tb in self.form.all_tabs(build=False):
            if tb.built:
                self._wire_tab(tb)
        self.ctx.changed.connect(self._on_changed)
        self._clock = QTimer(self, interval=30_000, timeout=self._update_title)
        self._clock.start()

    def _wire_bindings(self, bindings: list[Binding]) -> None:
        for b in bindings:
            b.editor.installEventFilter(self._help_filter)
            for child in b.editor.findChildren(QWidget):
                child.installEventFilter(self._help_filter)
            if b.label is not None:
                b.label.installEventFilter(self._help_filter)
            if isinstance(b.editor, PhoneEditor):
                b.editor.dial_requested.connect(self.dial)
            if _is_action_field(self.spec.model, b):
                b.editor.line.editingFinished.connect(lambda b=b: self.run_action_field(b))
                b.editor.line.textEdited.connect(lambda _t: setattr(self, "_action_tried", None))
            if b.spec.model is Operator and b.spec.attribute == "user_level" \
                    and isinstance(b.editor, LineEditor):
                b.editor.line.editingFinished.connect(lambda b=b: self._caution_level_99(b))
            if b.spec.model is Operator and b.spec.attribute == "type":
                b.editor.edited.connect(lambda b=b: self._show_team(b.editor.value()))

    def _wire_tab(self, tb: TabBinding) -> None:
        if tb.sublist is not None:
            tb.sublist.open_requested.connect(
                lambda key, row, sub=tb.sublist: self.open_sub(sub, key, row))
            tb.sublist.new_requested.connect(lambda sub=tb.sublist: self.new_sub(sub))
            tb.sublist.delete_requested.connect(
                lambda key, sub=tb.sublist: deleting.delete(self, self.ctx, sub.spec.model, key))
            tb.sublist.dial_requested.connect(
                lambda key, sub=tb.sublist: self.dial_row(sub.spec.model, key))
        if tb.notes is not None:
            tb.notes.add_requested.connect(self.add_note)

    def _tab_built(self, tb: TabBinding) -> None:
        """A tab came into view for the first time: wire its widgets and show the record in them."""
        self._wire_bindings(tb.bindings)
        self._wire_tab(tb)
        if self.record is None or self.placeholder is not None:
            return
        self._bind_values(tb.bindings)
        if tb.sublist is not None:
            self._load_sublists([tb.sublist])
        if tb.notes is not None:
            self._load_notes([tb.notes])

    def event(self, event: QEvent) -> bool:
        """PgUp / PgDn inside a sub-list or a memo scroll it: the list claims the keys before
        the page's previous / next record shortcuts see them."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown) \
                and isinstance(QApplication.focusWidget(), (QAbstractItemView, QPlainTextEdit)):
            event.accept()
            return True
        return super().event(event)

    # -- pick lists ------------------------------------------------------------------------------
    def _pick_entries(self, name: str) -> list[PickEntry]:
        if name not in self._pick_cache:
            with self.ctx.session() as s:
                self._pick_cache[name] = forms_spec.picklist_entries(s, name)
        return self._pick_cache[name]

    # -- loading and binding -----------------------------------------------------------------------
    def load(self, key: Any, defaults: dict[str, Any] | None = None) -> None:
        self._action_tried = None
        if self.form_rights == 0:
            self.record = None
            self.allowed(self.form_right_name)  # says which access right refuses
            QTimer.singleShot(0, lambda: self.window_.close_page(self, ask=False))
            return
        access = self._account_access(key)
        if access is Access.HIDDEN:
            # A hidden account answers exactly like one that does not exist.
            self.record = None
            self._set_placeholder(None)
            dialogs.tell(self, self.title_text, f"{self.title_text} {key} no longer exists.",
                         warning=True)
            QTimer.singleShot(0, lambda: self.window_.close_page(self, ask=False))
            return
        if access is Access.PLACEHOLDER:
            return
        self._set_placeholder(None)
        if key is None:
            self.record = self._new_record(defaults or {})
            self.is_new = True
        else:
            if self.spec.model is Debtor and getattr(self.ctx.operator, "automatic_recalc", False):
                self._recalc_on_open(key)
            self.record = self.session.get(self.spec.model, key)
            self.is_new = False
            if self.record is None:
                dialogs.tell(self, self.title_text, f"{self.title_text} {key} no longer exists.",
                             warning=True)
                QTimer.singleShot(0, lambda: self.window_.close_page(self, ask=False))
                return
        self.related = {}
        for path in self._paths():
            self.related[path] = getattr(self.record, path) if not self.is_new else \
                getattr(self.record, path, None)
        self.versions = {}
        for obj in [self.record, *self.related.values()]:
            if obj is not None:
                self.versions[id(obj)] = (obj, getattr(obj, "version", None) if not self.is_new else None)
        self._bind()
        self._show_team(self.record)
        self.session.commit()  # end the read: never hold a snapshot while the operator types
        self._load_sublists()
        self._load_notes()
        self._update_tab_marks()
        self._update_title()
        self._update_navigation()
        first = next((b.editor for b in self.form.built_bindings if not b.editor.is_readonly()),
                     None)
        if first is not None:
            QTimer.singleShot(0, first.focus_widget().setFocus)

    # -- access ------------------------------------------------------------------------------------
    def button_right(self, text: str) -> str:
        """``button:debtor.recalc``: the access right of a button of this form."""
        slug = re.sub(r"[^a-z0-9]+", "_", text.replace("&", "").lower()).strip("_")
        return f"button:{form_name(self.spec.model)}.{slug}"

    def allowed(self, right: str, need: Rights = Rights.READ) -> bool:
        """True when the level has ``need`` on ``right``; otherwise say which right refuses."""
        try:
            with self.ctx.session() as s:
                self.rights.require(right, need, session=s)
        except AccessRefused as refusal:
            dialogs.tell(self, self.title_text, str(refusal), warning=True)
            return False
        return True

    def _account_access(self, key: Any) -> Access:
        """FULL for anything but a debtor (or, with a client restriction, a client) the operator
        may not see; a debtor's placeholder is shown here."""
        policy = self.ctx.policy
        if key is not None and self.spec.model is Client:
            return Access.FULL if policy.can_see_client(key) else Access.HIDDEN
        if key is None or self.spec.model is not Debtor or not policy.restricted:
            return Access.FULL
        with self.ctx.session() as s:
            access, opened = open_account(s, policy, key, purpose_for_account(s, policy, key))
        if access is Access.PLACEHOLDER and isinstance(opened, Placeholder):
            self._set_placeholder(opened)
        return access if opened is not None else Access.HIDDEN

    def _placeholder_spec(self) -> FormSpec:
        fields = tuple(forms_spec.resolve_field(Debtor, code, "placeholder")
                       for code in PLACEHOLDER_CODES)
        # Shown, never entered: no required marks, nothing to edit.
        fields = tuple(FieldSpec(**{**f.__dict__, "readonly": True, "required": False})
                       for f in fields)
        return FormSpec(
            id=f"{self.spec.id}_placeholder", model=Debtor, title=self.title_text, caption="",
            help="A confidential account: your account access shows only these fields.",
            columns=(ColumnSpec((GroupSpec(PLACEHOLDER_TITLE, fields),), stretch=1),
                     ColumnSpec((), stretch=1)),
            tabs=(), buttons=(), path=self.spec.path)

    def _set_placeholder(self, ph: Placeholder | None) -> None:
        """Show ``ph`` as the placeholder form, or (None) go back to the full form."""
        if ph is None and self.placeholder is None:
            return
        self.placeholder = ph
        on = ph is not None
        if on and self.placeholder_form is None:
            self.placeholder_form = FormRenderer(self.ctx, self._placeholder_spec(),
                                                 self.access).render()
            self.placeholder_form.body.setObjectName("placeholderForm")
            self._content_layout.insertWidget(0, self.placeholder_form.body)
        self.form.body.setVisible(not on)
        if self.form.tabs is not None:
            self.form.tabs.setVisible(not on)
        if self.placeholder_form is not None:
            self.placeholder_form.body.setVisible(on)
        self._placeholder_stretch(on)
        named = {self.ok_button: "OK", self.prev_button: "Prior", self.next_button: "Next",
                 self.cancel_button: "Cancel", self.help_button: "Help"}
        named.update({b: b.text().replace("&", "") for b in self.spec_buttons})
        named[self.delete_button] = "Delete"
        if self.recalc_button is not None:
            named[self.recalc_button] = "Recalc"
        for b, name in named.items():
            b.setEnabled(not on or name in PLACEHOLDER_BUTTONS)
        if not on:
            self._update_navigation()
            return
        self.record = None
        self.related = {}
        self.versions = {}
        self.is_new = False
        self.pending_notes = []
        values = ph.fields()
        for b in self.placeholder_form.bindings:
            b.editor.set_value(values.get(b.spec.attribute))
            b.editor.set_readonly(True)
        self._update_title()
        self._update_navigation()
        QTimer.singleShot(0, self.ok_button.setFocus)

    def _placeholder_stretch(self, on: bool) -> None:
        """Keep the placeholder at the top of the page instead of spread over it."""
        stretch = getattr(self, "_stretch_index", None)
        lay = self._content_layout
        if on and stretch is None:
            lay.addStretch(1)
            self._stretch_index = lay.count() - 1
        elif not on and stretch is not None:
            item = lay.takeAt(stretch)
            del item
            self._stretch_index = None

    def _paths(self) -> list[str]:
        paths = {b.path for b in self.form.built_bindings if b.path}

        def walk(tabs: tuple[TabSpec, ...], path: str) -> None:
            for spec in tabs:
                paths.add(spec.record or path)
                walk(spec.tabs, spec.record or path)

        walk(self.spec.tabs, "")
        return sorted(paths - {""})

    def _new_record(self, defaults: dict[str, Any]) -> Any:
        model = self.spec.model
        if model is Debtor:
            rec = records.new_debtor(self.session, defaults.pop("client_id", None),
                                     operator_id=self.ctx.operator_id)
            self.session.expunge(rec)
        elif model is Client:
            rec = records.new_client(self.session)
            self.session.expunge(rec)
        elif model is Transaction:
            rec = records.new_transaction()
        else:
            rec = model()
        for column in model.__table__.columns:
            attr = model.__mapper__.get_property_by_column(column).key
            default = column.default
            if getattr(rec, attr) is None and default is not None and default.is_scalar:
                setattr(rec, attr, default.arg)
        for attr, value in defaults.items():
            setattr(rec, attr, value)
        return rec

    def _show_team(self, operator_or_type: Any) -> None:
        """Seed 003: choosing DISTRIBUTION shows the team fields (the Team tab and Team
        Members…); other operators have no members."""
        if self.spec.model is not Operator:
            return
        kind = operator_or_type if isinstance(operator_or_type, str) else \
            getattr(operator_or_type, "type", "")
        on = (kind or "").upper() == OperatorType.DISTRIBUTION.value
        for tb in self.form.all_tabs(build=False):
            if tb.spec.sublist is not None and tb.spec.sublist.model is TeamMember:
                tb.tabs.setTabVisible(tb.index, on)
        for bspec, button in zip(self.spec.buttons, self.spec_buttons, strict=True):
            if bspec.action == "team_members":
                button.setVisible(on)

    def _caution_level_99(self, b: Binding) -> None:
        """Seed 003 "Operator Setup": giving an operator user level 99 shows a caution (not
        for operator 99 itself), once per value typed."""
        raw = self._raw(b)
        if b.editor.is_readonly() or raw == self.baseline.get(id(b)) or raw == self._cautioned:
            return
        self._cautioned = raw
        try:
            level = b.editor.value()
        except BadValue:
            return  # the save names what is wrong with it
        op_id = self.record.id if not self.is_new else self.form.editor("op.id").value()
        text = operators.caution_for_level(op_id, level)
        if text:
            dialogs.tell(self, "User Level 99", text, warning=True)

    def _bind(self) -> None:
        self.baseline = {}
        self._cautioned: Any = None
        self._bind_values(self.form.built_bindings)

    def _bind_values(self, bindings: list[Binding]) -> None:
        pk = {c.key for c in inspect(self.spec.model).primary_key}
        for b in bindings:
            obj = self._object(b.path)
            value = getattr(obj, b.spec.attribute) if obj is not None else None
            b.editor.set_value(value)
            # A saved record's key (operator ID, status code …) is not edited in place.
            key_locked = not b.path and b.spec.attribute in pk and not self.is_new
            b.editor.set_readonly(b.spec.readonly or self.form_rights == 1 or key_locked)
            self.baseline[id(b)] = self._raw(b)

    def _object(self, path: str) -> Any:
        return self.record if not path else self.related.get(path)

    @staticmethod
    def _raw(b: Binding) -> Any:
        ed = b.editor
        if isinstance(ed, LineEditor):
            return ed.text()
        if isinstance(ed, MemoEditor):
            return ed.value()
        try:
            return ed.value()
        except BadValue:
            return object()

    def _set_raw(self, b: Binding, raw: Any) -> None:
        ed = b.editor
        if isinstance(ed, LineEditor):
            ed.line.setText(raw)
        else:
            ed.set_value(raw)

    def record_key(self) -> Any:
        if self.record is None or self.is_new:
            return None
        identity = inspect(self.record).identity
        return identity[0] if identity else None

    def dirty_bindings(self) -> list[Binding]:
        return [b for b in self.form.built_bindings if self._raw(b) != self.baseline.get(id(b))]

    def is_dirty(self) -> bool:
        return bool(self.dirty_bindings()) or bool(self.pending_notes)

    # -- sub-lists, notes, tab marks ---------------------------------------------------------------
    def _parent_value(self, sub: SubListWidget) -> Any:
        if self.is_new:
            return None
        return getattr(self.record, sub.spec.key)

    def _load_sublists(self, subs: list[SubListWidget] | None = None) -> None:
        policy = self.ctx.policy
        for sub in self.form.sublists(build=False) if subs is None else subs:
            value = self._parent_value(sub)
            if sub.spec.key != "id" and value is None and not self.is_new:
                sub.set_parent_key(-1)  # nothing links to a blank group
            else:
                sub.set_parent_key(value)
            if sub.spec.model is Debtor and sub.model is not None and policy.restricted:
                # Other accounts (the Group tab) are hidden or placeholders like in any list.
                sub.model.pager.query.policy = policy
                sub.model.reload()

    def _note_target(self) -> dict[str, Any]:
        if self.spec.model is Debtor:
            return {"debtor": self.record}
        if self.spec.model is Client:
            return {"client": self.record}
        return {}

    def _load_notes(self, widgets: list[NotesWidget] | None = None) -> None:
        widgets = self.form.notes(build=False) if widgets is None else widgets
        if not widgets:
            return
        key = self.record_key()
        if key is None:
            notes: list[Note] = []
        else:
            with self.ctx.session() as s:
                if self.spec.model is Debtor:
                    notes = records.notes_for(s, debtor_id=key)
                else:
                    notes = records.notes_for(s, client_id=key)
        for w in widgets:
            w.show_notes(notes)
            if self.pending_notes:
                w.lines.appendPlainText("\n".join(f"(new) {t}" for t in self.pending_notes))

    def add_note(self, text: str) -> None:
        """A note line is written at once (notes are appended, never edited); on a new record it
        waits for the first save."""
        if self.is_new:
            self.pending_notes.append(text)
            self._load_notes()
            return
        with self.ctx.session() as s:
            target = {k: s.get(type(v), self.record_key()) for k, v in self._note_target().items()}
            records.add_note(s, text, operator_id=self.ctx.operator_id, **target)
            s.commit()
        self._load_notes()
        self._update_tab_marks()

    def _tab_has_data(self, tb: TabBinding) -> bool:
        if not tb.built:
            return self._spec_has_data(tb.spec, tb.path)
        if tb.sublist is not None and tb.sublist.row_count() > 0:
            return True
        if tb.notes is not None and tb.notes.count > 0:
            return True
        spec: TabSpec = tb.spec
        if spec.record and self.related.get(spec.record) is None and not tb.children:
            return False
        for b in tb.bindings:
            try:
                if _has_value(b.editor.value()):
                    return True
            except BadValue:
                return True
        return any(self._tab_has_data(c) for c in tb.children)

    def _spec_has_data(self, spec: TabSpec, path: str) -> bool:
        """The has-data mark of a tab not built yet, read from the record and the database."""
        if spec.sublist is not None:
            return self._sublist_has_rows(spec.sublist)
        if spec.notes:
            key = self.record_key()
            if self.pending_notes:
                return True
            if key is None:
                return False
            with self.ctx.session() as s:
                if self.spec.model is Debtor:
                    return records.has_notes(s, debtor_id=key)
                return records.has_notes(s, client_id=key)
        obj = self._object(path)
        if spec.record and obj is None and not spec.tabs:
            return False
        if obj is not None and any(_has_value(getattr(obj, f.attribute))
                                   for f in self.form.shown_fields(spec)):
            return True
        return any(self._spec_has_data(child, child.record or path) for child in spec.tabs)

    def _sublist_has_rows(self, spec: forms_spec.SubListSpec) -> bool:
        value = None if self.is_new else getattr(self.record, spec.key)
        if value is None:
            return False
        query = ListQuery(model=spec.model, columns=(), sort=spec.model.__mapper__.primary_key[0].key,
                          where=[*spec.where, (spec.link, value)],
                          policy=self.ctx.policy if spec.model is Debtor else None)
        with self.ctx.session() as s:
            return query.has_rows(s)

    def _update_tab_marks(self) -> None:
        for tb in self.form.all_tabs(build=False):
            tb.tabs.set_has_data(tb.index, self._tab_has_data(tb))

    # -- title and local time -----------------------------------------------------------------------
    def caption(self) -> str:
        if self.record is None and self.placeholder is None:
            return ""
        if self.is_new:
            return "New"

        source = self.record if self.placeholder is None else \
            SimpleNamespace(**self.placeholder.fields())

        def value(match: re.Match[str]) -> str:
            spec = forms_spec.resolve_field(self.spec.model, match.group(1), "caption")
            return format_value(spec.kind, getattr(source, spec.attribute, None))

        return re.sub(r"\{([^}]+)\}", value, self.spec.caption or "").strip(" ·")

    def local_time_text(self) -> str:
        if self.spec.model is not Debtor or self.record is None:
            return ""
        zone = records.debtor_time_zone(self.record)
        when = records.local_time(zone)
        if when is None:
            return ""
        return f"{self.title_text}'s local time {when:%I:%M %p} {when.tzname()}".replace(" 0", " ", 1)

    def _update_title(self) -> None:
        caption = self.caption()
        self.caption_label.setText(caption)
        local = self.local_time_text()
        self.local_time_label.setText(local)
        self.setWindowTitle(" — ".join(p for p in (f"{self.title_text}: {caption}" if caption
                                                      else self.title_text, local) if p))
        self.title_changed.emit()

    def _update_navigation(self) -> None:
        for b in (self.prev_button, self.next_button):
            b.setEnabled(not self.is_new)
        self.delete_button.setEnabled(not self.is_new and self.placeholder is None)

    # -- saving ---------------------------------------------------------------------------------------
    def collect(self) -> dict[str, dict[str, tuple[Any, str, str]]] | None:
        """Typed values per path, or None after telling the operator what is wrong."""
        values: dict[str, dict[str, tuple[Any, str, str]]] = {}
        if any(f.required for f in self.form.unbuilt_fields()):
            self.form.build_all()  # a required field is checked on its tab, built or not
        for b in self.form.built_bindings:
            if b.editor.is_readonly():
                continue
            try:
                value = b.editor.value()
            except BadValue as exc:
                self._focus(b)
                dialogs.tell(self, self.title_text, f"{b.spec.label}: {exc}", warning=True)
                return None
            if b.spec.required and value in (None, ""):
                self._focus(b)
                dialogs.tell(self, self.title_text, f"{b.spec.label} is required.", warning=True)
                return None
            values.setdefault(b.path, {})[b.spec.attribute] = (value, b.spec.code, b.spec.label)
        return values

    def _focus(self, b: Binding) -> None:
        widget: QWidget | None = b.editor
        while widget is not None:
            parent = widget.parentWidget()
            from PySide6.QtWidgets import QTabWidget

            if isinstance(parent, QWidget) and isinstance(parent.parentWidget(), QTabWidget):
                tabs = parent.parentWidget()
                tabs.setCurrentWidget(widget)
            widget = parent
        b.editor.focus_widget().setFocus()

    def save(self) -> bool:
        """Write the record (and its one-to-one parts) in one transaction."""
        if self.record is None:
            return False
        values = self.collect()
        if values is None:
            return False
        if not self.is_dirty() and not self.is_new:
            return True
        changes: list[records.Change] = []
        objects = [self.record]
        for path, vals in values.items():
            obj = self._object(path)
            if obj is None:
                if not any(_has_value(v[0]) for v in vals.values()):
                    continue
                target = inspect(self.spec.model).relationships[path].mapper.class_
                obj = target()
                setattr(self.record, path, obj)
                self.related[path] = obj
            changes += records.apply_values(obj, vals)
            if obj is not self.record:
                objects.append(obj)
        verified = saving.to_verify(self.rights, self.ctx.operator, changes)
        if not self._confirm_verified(verified):
            for c in changes:  # nothing was saved: the next OK finds the same changes again
                setattr(c.record, c.attribute, c.old)
            return False
        try:
            outcome = saving.save_form(
                self.session, objects, changes, is_new=self.is_new,
                operator_id=self.ctx.operator_id, versions=list(self.versions.values()),
                logged_codes=self.logged_codes, new_notes=self.pending_notes,
                policy=self.ctx.policy, rights=self.rights, verified=verified,
                callbacks=plan_prompts.callbacks(self))
        except db.SaveConflict as conflict:
            self._conflict(conflict)
            return False
        except saving.RecordRefused as refused:
            dialogs.tell(self, self.title_text, f"The record was not saved.\n\n{refused}",
                         warning=True)
            return False
        except (SQLAlchemyError, ActionError, UnknownPlan) as exc:
            dialogs.tell(self, self.title_text, "The record was not saved: "
                         f"{str(exc).splitlines()[0]}", warning=True)
            return False
        self.is_new = False
        self.pending_notes = []
        for obj in objects:
            self.session.refresh(obj)
        self.versions = {id(o): (o, getattr(o, "version", None)) for o in objects}
        self.session.commit()
        self._bind()  # what the save worked out (commission, totals, an emptied Action field)
        self._saving = True
        try:
            self.ctx.notify(self.spec.model.__tablename__, self.record_key())
        finally:
            self._saving = False
        self._load_sublists()
        self._load_notes()
        self._update_tab_marks()
        self._update_title()
        self._update_navigation()
        lines = outcome.summary()
        if lines:
            self.window_.statusBar().showMessage(" ".join(lines), 10_000)
        return True

    def _confirm_verified(self, verified: list[records.Change]) -> bool:
        """Verify On Exit: the operator confirms each changed field before the form is left;
        No goes back to the field."""
        for c in verified:
            text = (f"Please verify {c.label}:\n\n{records.shown_value(c.new)}\n\n"
                    "Is this correct?")
            if dialogs.ask(self, "Verify", text, ["Yes", "No"], default="Yes") != "Yes":
                b = next((b for b in self.form.built_bindings if b.spec.code == c.code), None)
                if b is not None:
                    self._focus(b)
                return False
        return True

    def _conflict(self, conflict: db.SaveConflict) -> None:
        typed = {id(b): self._raw(b) for b in self.dirty_bindings()}
        choice = dialogs.ask(
            self, "Save Conflict",
            f"{conflict}\n\nReload and keep mine: their changes are read, then what you typed "
            "is put back on top so you can check and save again.",
            ["Reload, Keep My Changes", "Reload, Discard Mine", "Keep Editing"],
            default="Reload, Keep My Changes")
        if choice == "Keep Editing":
            return
        self.reload(keep=typed if choice.startswith("Reload, Keep") else None)

    def reload(self, keep: dict[int, Any] | None = None) -> None:
        key = self.record_key()
        self.session.close()
        self.session = self.ctx.sessions(autoflush=False)
        self.load(key)
        for b in self.form.built_bindings:
            if keep and id(b) in keep:
                self._set_raw(b, keep[id(b)])
        self._update_tab_marks()

    # -- commands ---------------------------------------------------------------------------------
    def run_action_field(self, b: Binding) -> None:
        """The Action / Run Plan field (seed 003): Enter or leaving the field runs the plan
        typed (or picked with F2) at once — the record is saved and the plan runs in that save
        (:func:`.saving.save_form`), which empties the field.  On a new account the plan waits
        for the first save, like the client's new-account plan."""
        if self.is_new or self.record is None or self.placeholder is not None \
                or b.editor.is_readonly():
            return
        code = b.editor.line.text().strip()
        if not code or code == self._action_tried or self._raw(b) == self.baseline.get(id(b)):
            return
        self._action_tried = code  # a refused code is not run again as the focus moves on
        if self.save():
            self._action_tried = None

    def ok(self) -> None:
        if self.placeholder is not None:
            self._closing = True
            self.window_.close_page(self, ask=False)
            return
        if self.save():
            if isinstance(self.record, Operator) and operators.needs_password(self.record):
                self._offer_password()
            self._closing = True
            self.window_.close_page(self, ask=False)

    def _offer_password(self) -> None:
        """Seed 003: leaving a new operator without a password prompts about entering one."""
        if dialogs.ask(self, "Set Password", f"{self.record.id} has no password yet and cannot "
                       "sign on without one. Set it now?", ["Set Password", "Later"],
                       default="Set Password") == "Set Password":
            self.set_password()

    def may_close(self) -> bool:
        if self._closing or self.record is None or not self.is_dirty():
            return True
        choice = dialogs.ask(self, self.title_text,
                             "You have unsaved changes. Save them before closing?",
                             ["Save", "Discard", "Cancel"], default="Save")
        if choice == "Save":
            return self.save()
        return choice == "Discard"

    def go(self, direction: int) -> None:
        """<< / >>: the previous or next record of the list this form came from."""
        if self.placeholder is not None:
            self._go_from(self.placeholder.file_number, direction)
            return
        if self.is_new or self.record is None:
            return
        if self.is_dirty():
            choice = dialogs.ask(self, self.title_text, "Save your changes before moving?",
                                 ["Save", "Discard", "Cancel"], default="Save")
            if choice == "Cancel" or (choice == "Save" and not self.save()):
                return
        self._go_from(self.record_key(), direction)

    def _go_from(self, current_key: Any, direction: int) -> None:
        key = None
        if self.browse is not None and self.row is not None:
            row = self.row + direction
            if 0 <= row < self.browse.rowCount():
                key = self.browse.key(row)
                self.row = row
        elif self.spec.model is Debtor and self.ctx.policy.restricted:
            key = self._visible_neighbour(current_key, direction)
        else:
            with self.ctx.session() as s:
                current = s.get(self.spec.model, current_key)
                key = records.neighbour(s, self.spec.model, current, direction) if current else None
        if key is None:
            self.window_.statusBar().showMessage(
                "This is the last record." if direction > 0 else "This is the first record.", 3000)
            return
        self.session.close()
        self.session = self.ctx.sessions(autoflush=False)
        self.load(key)

    def _visible_neighbour(self, key: Any, direction: int) -> Any:
        """The next or previous file number the operator may open (strict: skips hidden ones)."""
        stmt = select(Debtor.id)
        stmt = stmt.where(Debtor.id > key).order_by(Debtor.id) if direction > 0 else \
            stmt.where(Debtor.id < key).order_by(Debtor.id.desc())
        with self.ctx.session() as s:
            return s.scalar(self.ctx.policy.restrict(stmt, Debtor, Purpose.LIST).limit(1))

    def new_from_keyboard(self) -> None:
        """F3: a row of the sub-list being worked in; anywhere else a new record of this form."""
        if self.placeholder is not None:
            return  # a placeholder allows OK, Next and Prior only
        sub = self._focused_sublist()
        if sub is not None and sub.spec.new and sub.spec.opens:
            self.new_sub(sub)
            return
        if not self.may_close():
            return
        self.browse = None
        self.row = None
        self.session.close()
        self.session = self.ctx.sessions(autoflush=False)
        defaults = {}
        if isinstance(self.record, Debtor) and self.record.client_id:
            defaults["client_id"] = self.record.client_id
        self.load(None, defaults)

    def _focused_sublist(self) -> SubListWidget | None:
        focus = QApplication.focusWidget()
        return next((sub for sub in self.form.sublists(build=False)
                     if focus is not None and sub.isAncestorOf(focus)), None)

    def _active_sublist(self) -> SubListWidget | None:
        """The sub-list with the focus, else the one on the tab in view (F5 activates it)."""
        focused = self._focused_sublist()
        if focused is not None:
            return focused
        for tb in self.form.all_tabs(build=False):
            if tb.sublist is not None and tb.tabs.currentIndex() == tb.index and tb.tabs.isVisible() \
                    and tb.sublist.isVisible():
                return tb.sublist
        return None

    def activate_sublist(self) -> None:
        if self.placeholder is not None:
            return
        sub = self._active_sublist()
        if sub is not None:
            sub.activate()

    def open_sub(self, sub: SubListWidget, key: Any, row: int) -> None:
        self.window_.open_form(sub.spec.opens, key, browse=sub.model, row=row)

    def new_sub(self, sub: SubListWidget) -> None:
        if self.is_new and (dialogs.ask(self, self.title_text, "Save this record before adding to it?",
                                        ["Save", "Cancel"]) != "Save" or not self.save()):
            return
        value = self._parent_value(sub)
        if value is None:
            dialogs.tell(self, sub.title, "There is nothing to link to yet.")
            return
        defaults = {sub.spec.link: value}
        for attr, v in sub.spec.where:
            if v is not None:
                defaults[attr] = v
        cols = sub.spec.model.__table__.c
        if "client_id" in cols and sub.spec.link != "client_id":
            client_id = getattr(self.record, "client_id", None)
            if client_id is not None:
                defaults["client_id"] = client_id
        self.window_.open_form(sub.spec.opens, None, new_defaults=defaults)

    def _spec_button(self, bspec: forms_spec.ButtonSpec) -> None:
        if not self.allowed(self.button_right(bspec.text)):
            return
        if bspec.action == "set_password":
            self.set_password()
            return
        if bspec.action == "test_dial":
            self.window_.dialer.test_dial(self)
            return
        if self.is_new and (dialogs.ask(self, self.title_text, "Save this record first?",
                                        ["Save", "Cancel"]) != "Save" or not self.save()):
            return
        if bspec.action == "dial_setup":
            from .dial_setup import open_dial_setup
            open_dial_setup(self.window_, self.record_key())
            return
        if bspec.action == "payment_plan":
            from .payment_plan_dialog import open_payment_plan
            open_payment_plan(self)
            return
        if bspec.action == "team_members":
            from .team_dialog import open_team
            open_team(self)
            return
        if bspec.record:
            rel = inspect(self.spec.model).relationships[bspec.record]
            obj = self.related.get(bspec.record)
            if obj is None:
                with self.ctx.session() as s:
                    obj = getattr(s.get(self.spec.model, self.record_key()), bspec.record)
                    key = inspect(obj).identity[0] if obj is not None else None
            else:
                key = inspect(obj).identity[0] if inspect(obj).identity else None
            if key is None:
                defaults = {remote.key: getattr(self.record, local.key)
                            for local, remote in rel.local_remote_pairs}
                self.window_.open_form(bspec.opens, None, new_defaults=defaults)
            else:
                self.window_.open_form(bspec.opens, key)
        elif bspec.opens:
            self.window_.open_form(bspec.opens, self.record_key())

    def delete(self) -> None:
        """Delete this record (:mod:`.deleting`); the form closes once it is gone."""
        if self.placeholder is not None or self.is_new or self.record is None:
            return
        if not self.allowed(self.button_right("Delete")):
            return
        what = f"{self.title_text} {self.caption()}".strip()
        self._saving = True  # its own change signal: this page closes instead of reloading
        try:
            deleted = deleting.delete(self, self.ctx, self.spec.model, self.record_key(), what)
        finally:
            self._saving = False
        if deleted:
            self._closing = True
            self.window_.close_page(self, ask=False)
            self.window_.statusBar().showMessage(f"{what} deleted.", 5000)

    def set_password(self) -> None:
        if not isinstance(self.record, Operator) or self.is_new:
            dialogs.tell(self, "Change Password", "Save the operator first.")
            return
        from ..engine.signon import SignOnError
        from ..engine.signon import set_password as set_pw
        from .signon_dialog import SetPasswordDialog

        dlg = SetPasswordDialog(self.record.id, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        with self.ctx.session() as s:
            op = s.get(Operator, self.record.id)
            try:
                set_pw(s, op, dlg.new.text(), dlg.confirm.text(), by=self.ctx.operator_id)
            except SignOnError as exc:
                dialogs.tell(self, "Change Password", str(exc), warning=True)
                return
            new_version = op.version
        self.session.expire(self.record, ["version", "password_hash", "must_set_password"])
        self.versions[id(self.record)] = (self.record, new_version)
        self.session.commit()
        dialogs.tell(self, "Change Password", f"The password of {self.record.id} is set.")

    def dial(self, number: str) -> bool:
        """The phone icon of a field: dial through the operator's dial method, with the
        account, client and cosigner this record is (or belongs to) in context."""
        linked = _dial_context(self.record, saved=not self.is_new)
        return self.window_.dialer.dial(number, **linked, parent=self)

    def dial_row(self, model: type, key: Any) -> bool:
        """A Phones tab's Dial: the highlighted phone record's number, dialed as from its own
        form (its account, client and cosigner in context)."""
        with self.ctx.session() as s:
            row = s.get(model, key)
            if row is None:
                return False
            number = getattr(row, phone_column(model) or "", "") or ""
            linked = _dial_context(row)
        if not number.strip():
            self.window_.statusBar().showMessage("This phone record has no number to dial.", 5000)
            return False
        return self.window_.dialer.dial(number, **linked, parent=self)

    def recalculate(self) -> None:
        if self.is_new or self.record is None:
            return
        if not self.allowed(self.button_right("Recalc")):
            return
        if self.is_dirty() and not self.save():
            return
        with self.ctx.session() as s:
            rec = s.get(self.spec.model, self.record_key())
            if isinstance(rec, Debtor):
                recalc.recalc_debtor(s, rec)
            else:
                recalc.recalc_client(s, rec)
            db.save(s, rec, operator=self.ctx.operator_id)
        self.reload()
        self.window_.statusBar().showMessage("Recalculated.", 3000)

    def _recalc_on_open(self, key: Any) -> None:
        """The operator's Automatic Recalc: the account's figures are brought up to date as it
        opens (nothing is written when they already are)."""
        with self.ctx.session() as s:
            debtor = s.get(Debtor, key)
            if debtor is None:
                return
            recalc.recalc_debtor(s, debtor)
            try:
                db.save(s, debtor, operator=self.ctx.operator_id)
            except db.SaveConflict:
                # someone saved it meanwhile: show theirs; the Recalc button is still there
                self.window_.statusBar().showMessage(
                    f"File {key} changed while it opened; not recalculated.", 5000)

    # -- refresh from other windows ---------------------------------------------------------------
    def _on_changed(self, table: str, key: Any) -> None:
        if self._saving or self.record is None:
            return
        tables = {sub.spec.model.__tablename__: sub for sub in self.form.sublists(build=False)}
        touched = False
        for name, sub in tables.items():
            if name == table:
                sub.reload()
                touched = True
        if table == "notes" or (table == "debtors" and self.spec.model is Debtor):
            self._load_notes()
            touched = True
        if table == self.spec.model.__tablename__ and key == self.record_key() and not self.is_dirty():
            self.reload()
            return
        if touched:
            self._update_tab_marks()

    def activated(self) -> None:
        self._update_tab_marks()

    # -- help ----------------------------------------------------------------------------------------
    def field_help(self) -> tuple[str, str] | None:
        focus = QApplication.focusWidget()
        for b in self.form.built_bindings:
            if focus is not None and (b.editor is focus or b.editor.isAncestorOf(focus)):
                kind = {"money": "an amount", "percent": "a percent (7.0 = 7 %)",
                        "date": "a date, MM/DD/YYYY (F2 opens a calendar)",
                        "picklist": "a pick list (F2 opens it; typing completes)",
                        "phone": "a phone number (click the phone icon to dial)"}.get(b.spec.kind, "")
                text = b.spec.help or f"{b.spec.label}."
                if kind:
                    text += f" This field is {kind}."
                text += f" Printable code @{b.spec.code}."
                return b.spec.label, text
        return None

    def closeEvent(self, event: Any) -> None:
        self.session.close()
        super().closeEvent(event)

    def deleteLater(self) -> None:
        try:
            self.ctx.changed.disconnect(self._on_changed)
        except (RuntimeError, TypeError):
            pass
        self.session.close()
        super().deleteLater()


__all__ = ["RecordPage", "exists", "select"]
