"""The one renderer: a FormSpec from ``forms/`` → widgets, through the editor registry.

The renderer only builds; :class:`collectdesk.ui.record_page.RecordPage` binds the
widgets to records, saves and navigates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...engine.forms_spec import ColumnSpec, FieldAccess, FieldSpec, FormSpec, TabSpec
from ...engine.rights import form_name
from .editors import CheckEditor, Editor, LineEditor, PickListEditor, create_editor, text_fits
from .notes import NotesWidget
from .sublist import SubListWidget
from .tabs import DataTabWidget


@dataclass
class Binding:
    """One editor on the form and where its value lives: ``path`` '' is the main record,
    otherwise a one-to-one relationship of it (``detail``, ``interest_detail`` …)."""

    path: str
    spec: FieldSpec
    editor: Editor
    label: QLabel | None


@dataclass
class TabBinding:
    """One tab. Its widgets are built the first time it is shown (``built``): a debtor form
    has some twenty tabs and a collector looks at two or three of them."""

    spec: TabSpec
    path: str
    tabs: DataTabWidget
    index: int
    page: QWidget
    bindings: list[Binding] = field(default_factory=list)
    sublist: SubListWidget | None = None
    notes: NotesWidget | None = None
    children: list[TabBinding] = field(default_factory=list)
    built: bool = False


class RenderedForm:
    """The widgets of a form. ``built_bindings`` are the editors built so far (the main part
    and the tabs shown); ``bindings`` and the other accessors build every tab first."""

    def __init__(self, renderer: FormRenderer, body: QWidget, tabs: DataTabWidget | None,
                 tab_bindings: list[TabBinding]) -> None:
        self.renderer = renderer
        self.body = body
        self.tabs = tabs
        self.built_bindings = renderer.bindings
        self.tab_bindings = tab_bindings
        # told about each tab as it is built, after its widgets exist (the page binds them)
        self.on_built: Callable[[TabBinding], None] | None = None

    @property
    def bindings(self) -> list[Binding]:
        self.build_all()
        return self.built_bindings

    def build(self, tb: TabBinding) -> None:
        if not tb.built:
            self.renderer.fill_tab(tb, self)

    def build_all(self) -> None:
        for tb in self.all_tabs(build=False):
            if not tb.built:
                self.build(tb)
                self.build_all()  # its inner tabs exist now
                return

    def all_tabs(self, *, build: bool = True) -> list[TabBinding]:
        if build:
            self.build_all()
        out: list[TabBinding] = []

        def walk(items: list[TabBinding]) -> None:
            for t in items:
                out.append(t)
                walk(t.children)

        walk(self.tab_bindings)
        return out

    def shown_fields(self, spec: TabSpec) -> list[FieldSpec]:
        """The fields a tab shows at the operator's level (its own, not its inner tabs')."""
        fields = (self.renderer.field(raw) for col in spec.columns for group in col.groups
                  for raw in group.fields)
        return [f for f in fields if not f.hidden]

    def unbuilt_fields(self) -> list[FieldSpec]:
        """The shown fields of the tabs not built yet, inner tabs included."""
        def walk(spec: TabSpec) -> list[FieldSpec]:
            return self.shown_fields(spec) + [f for child in spec.tabs for f in walk(child)]

        return [f for tb in self.all_tabs(build=False) if not tb.built for f in walk(tb.spec)]

    def sublists(self, *, build: bool = True) -> list[SubListWidget]:
        return [t.sublist for t in self.all_tabs(build=build) if t.sublist is not None]

    def notes(self, *, build: bool = True) -> list[NotesWidget]:
        return [t.notes for t in self.all_tabs(build=build) if t.notes is not None]

    def clipped(self) -> list[str]:
        """The shown fields whose value is cut off or ends in "…" (what a screenshot or a
        collector would notice first)."""
        out = []
        for b in self.built_bindings:
            if not b.editor.isVisible():
                continue
            if isinstance(b.editor, LineEditor) and not text_fits(b.editor.line):
                out.append(f"{b.spec.code} {b.spec.label}: {b.editor.text()!r} is cut off")
            if isinstance(b.editor, PickListEditor) and b.editor.description.text() != \
                    b.editor.description.full_text():
                out.append(f"{b.spec.code} {b.spec.label}: "
                           f"{b.editor.description.full_text()!r} ends in …")
        return out

    def editor(self, code: str) -> Editor:
        for bindings in (self.built_bindings, self.bindings):
            for b in bindings:
                if b.spec.code == code or b.spec.attribute == code:
                    return b.editor
        raise KeyError(code)


class FormRenderer:
    def __init__(self, ctx: Any, spec: FormSpec, access: dict[str, FieldAccess]) -> None:
        self.ctx = ctx
        self.spec = spec
        self.access = access
        self.bindings: list[Binding] = []

    def render(self) -> RenderedForm:
        body = self.columns(self.spec.columns, "")
        tabs = None
        tab_bindings: list[TabBinding] = []
        if self.spec.tabs:
            tabs, tab_bindings = self.tab_widget(self.spec.tabs, "")
        form = RenderedForm(self, body, tabs, tab_bindings)
        for tb in tab_bindings:
            self.follow(tb, form)
        return form

    # -- fields -------------------------------------------------------------------------------
    def field(self, spec: FieldSpec) -> FieldSpec:
        return spec.with_access(self.access.get(spec.code.lower()))

    def group_title(self, title: str) -> str:
        """A group named after its form ("Debtor" on the debtor form) follows the form's alias
        at the operator's level (Screen Labels: PATIENT where others see DEBTOR)."""
        rights = getattr(self.ctx, "rights", None)
        if rights is None or not title or title != self.spec.title:
            return title
        return rights.label(f"form:{form_name(self.spec.model)}", title)

    def columns(self, columns: tuple[ColumnSpec, ...], path: str,
                collect: list[Binding] | None = None) -> QWidget:
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        for col in columns:
            colw = QWidget()
            v = QVBoxLayout(colw)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(8)
            for group in col.groups:
                box = QGroupBox(self.group_title(group.title))
                if not group.title:
                    box.setObjectName("untitled")
                form = QFormLayout(box)
                form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                form.setHorizontalSpacing(8)
                form.setVerticalSpacing(4)
                form.setContentsMargins(8, 12, 8, 8)
                for raw in group.fields:
                    f = self.field(raw)
                    if f.hidden:
                        continue
                    editor = create_editor(f)
                    label = None
                    if isinstance(editor, CheckEditor) or f.hide_label:
                        if f.hide_label and not isinstance(editor, CheckEditor):
                            form.addRow(editor)
                        else:
                            form.addRow("", editor)
                    else:
                        label = QLabel(f.label)
                        label.setObjectName(f"label:{f.code}")
                        label.setProperty("required", "true" if f.required else "false")
                        label.setToolTip(editor.toolTip())
                        label.setBuddy(editor.focus_widget())
                        form.addRow(label, editor)
                    binding = Binding(path, f, editor, label)
                    self.bindings.append(binding)
                    if collect is not None:
                        collect.append(binding)
                v.addWidget(box)
            v.addStretch(1)
            colw.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            row.addWidget(colw, col.stretch)
        return widget

    # -- tabs ---------------------------------------------------------------------------------
    def tab_widget(self, specs: tuple[TabSpec, ...], path: str) -> tuple[DataTabWidget, list[TabBinding]]:
        """The tabs with empty pages: each is filled when first shown (:meth:`fill_tab`)."""
        tabs = DataTabWidget()
        out: list[TabBinding] = []
        for spec in specs:
            page = QWidget()
            page.setObjectName(f"tab:{spec.title}")
            holder: QWidget = page
            if spec.columns and (spec.tabs or spec.sublist is None):
                # Field tabs scroll inside the tab, so the form above never gets squeezed.
                holder = QScrollArea()
                holder.setWidgetResizable(True)
                holder.setFrameShape(QFrame.Shape.NoFrame)
                holder.setWidget(page)
            index = tabs.addTab(holder, spec.title)
            if spec.help:
                tabs.setTabToolTip(index, spec.help)
            out.append(TabBinding(spec, spec.record or path, tabs, index, page))
        return tabs, out

    def follow(self, first: TabBinding, form: RenderedForm) -> None:
        """Fill the tab in view now and each other tab of its row when it comes into view."""
        row = [tb for tb in form.all_tabs(build=False) if tb.tabs is first.tabs]
        first.tabs.currentChanged.connect(
            lambda index: 0 <= index < len(row) and form.build(row[index]))
        form.build(row[first.tabs.currentIndex()])

    def fill_tab(self, tb: TabBinding, form: RenderedForm) -> None:
        spec = tb.spec
        tb.built = True
        lay = QVBoxLayout(tb.page)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(8)
        if spec.columns:
            lay.addWidget(self.columns(spec.columns, tb.path, tb.bindings))
        if spec.sublist is not None:
            tb.sublist = SubListWidget(self.ctx, spec.sublist, spec.title)
            lay.addWidget(tb.sublist, 1)
        if spec.notes:
            tb.notes = NotesWidget()
            lay.addWidget(tb.notes, 1)
        if spec.tabs:
            inner, tb.children = self.tab_widget(spec.tabs, tb.path)
            lay.addWidget(inner, 1)
        if spec.sublist is None and not spec.notes and not spec.tabs:
            lay.addStretch(1)
        if form.on_built is not None:
            form.on_built(tb)
        if tb.children:
            self.follow(tb.children[0], form)
