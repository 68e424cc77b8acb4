"""Every file in forms/ loads, names only fields that exist, and is reached from the program."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from collectdesk.engine import forms_spec
from collectdesk.engine.forms_spec import FormSpec, FormSpecError, ListSpec, check_all, load_file
from collectdesk.paths import forms_dir

FORM_FILES = sorted(p for p in forms_dir().glob("*.toml"))
ROOT = Path(__file__).resolve().parents[1]


def test_forms_folder_has_no_problems():
    assert check_all() == []


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_each_form_file_loads(path):
    spec = load_file(path)
    if isinstance(spec, FormSpec):
        fields = spec.all_fields()
        assert fields, f"{path.name} places no fields"
        for f in fields:
            assert f.kind in forms_spec.KINDS
            assert hasattr(f.model, f.attribute)
    else:
        assert isinstance(spec, ListSpec)
        assert spec.columns


def test_the_forms_issue_3_asks_for_exist():
    names = set(forms_spec.load_all())
    for form_id in ("company", "client", "client_settings", "debtor", "transaction", "cosigner",
                    "status_code", "transaction_type", "operator"):
        assert form_id in names
    tabs = lambda f: [t.title for t in forms_spec.form(f).tabs]
    assert tabs("company") == ["Detail", "Commission", "Tax"]
    assert tabs("client") == ["Debtors", "Invoices", "Payments", "Notes", "Contacts", "Attachments",
                              "Associates", "Phones", "Emails", "Addresses"]
    assert tabs("debtor") == ["Contacts", "Notes", "Transactions", "Cosigners", "Attachments",
                              "Detail", "Financial Detail", "CBR", "Phones", "Emails", "Addresses",
                              "Group"]
    financial = next(t for t in forms_spec.form("debtor").tabs if t.title == "Financial Detail")
    assert {"Interest", "Commission", "Tax", "Fees"} <= {t.title for t in financial.tabs}


#: The forms people work in all day: F1 and pop-up help must explain each of their fields.
HELPED_FORMS = ("debtor", "client", "client_settings", "transaction", "cosigner", "contact",
                "operator")


@pytest.mark.parametrize("form_id", HELPED_FORMS)
def test_every_field_of_the_daily_forms_has_its_own_help(form_id):
    spec = forms_spec.form(form_id)
    missing = [f"{f.code} ({f.label})" for f in spec.all_fields()
               if len(f.help.strip()) < 15 or f.help.strip(" .").lower() == f.label.lower()]
    assert not missing, f"{form_id}: no help of its own for {', '.join(missing)}"
    for f in spec.all_fields():
        assert f.help.endswith((".", ")")) and len(f.help) <= 220, f"{f.code}: {f.help!r}"


def test_labels_and_required_come_from_the_model():
    debtor = forms_spec.form("debtor")
    name = next(f for f in debtor.all_fields() if f.code == "de.na")
    assert name.label == "Name" and name.required and name.kind == "text"
    state = next(f for f in debtor.all_fields() if f.code == "de.st")
    assert state.kind == "picklist" and state.picklist == "states"
    owing = next(f for f in debtor.all_fields() if f.code == "de.ow")
    assert owing.kind == "money" and owing.readonly


def test_an_alias_overrides_the_label(tmp_path):
    path = tmp_path / "status_code.toml"
    path.write_text('[form]\nid = "status_code"\nmodel = "StatusCode"\n'
                    '[[column]]\n[[column.group]]\nfields = [{ field = "sc.de", alias = "Meaning" }]\n')
    spec = load_file(path)
    assert spec.all_fields()[0].label == "Meaning"
    access = forms_spec.FieldAccess(alias="Patient", hide_label=True, rights=1)
    f = spec.all_fields()[0].with_access(access)
    assert (f.label, f.hide_label, f.readonly) == ("Patient", True, True)
    assert spec.all_fields()[0].with_access(forms_spec.FieldAccess(rights=0)).hidden


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_a_field_that_does_not_exist_fails(tmp_path):
    write(tmp_path, "status_code.toml", '[form]\nid = "status_code"\nmodel = "StatusCode"\n'
          '[[column]]\n[[column.group]]\nfields = ["sc.co", "sc.nope"]\n')
    problems = check_all(tmp_path)
    assert any("no field 'sc.nope'" in p for p in problems), problems


def test_a_field_of_another_record_fails(tmp_path):
    with pytest.raises(FormSpecError, match="belongs to Debtor"):
        forms_spec.parse_form({"form": {"id": "x", "model": "Client"},
                               "column": [{"group": [{"fields": ["de.na"]}]}]}, tmp_path / "x.toml")


def test_orphans_missing_targets_and_strangers_are_reported(tmp_path):
    for path in FORM_FILES:
        write(tmp_path, path.name, path.read_text(encoding="utf-8"))
    write(tmp_path, "lonely.toml", '[form]\nid = "lonely"\nmodel = "Holiday"\n'
          '[[column]]\n[[column.group]]\nfields = ["ho.da"]\n')
    write(tmp_path, "notes.txt", "not a form")
    text = (tmp_path / "debtor.toml").read_text().replace('opens = "cosigner"', 'opens = "cosignr"')
    write(tmp_path, "debtor.toml", text)
    problems = check_all(tmp_path)
    assert any("lonely.toml: orphan" in p for p in problems), problems
    assert any("notes.txt: not a form file" in p for p in problems), problems
    assert any("opens 'cosignr'" in p for p in problems), problems


def test_id_must_match_the_file_name(tmp_path):
    write(tmp_path, "a.toml", '[form]\nid = "b"\nmodel = "Holiday"\n')
    with pytest.raises(FormSpecError, match="must equal the file name"):
        load_file(tmp_path / "a.toml")


def test_every_kind_used_has_an_editor():
    from collectdesk.ui.forms.editors import EDITORS

    used = {f.kind for s in forms_spec.load_all().values() if isinstance(s, FormSpec)
            for f in s.all_fields()}
    assert used <= set(EDITORS), used - set(EDITORS)
    assert set(forms_spec.KINDS) <= set(EDITORS)


@pytest.mark.parametrize("module", ["signon", "browse", "records", "forms_spec"])
def test_engine_modules_of_the_client_do_not_import_qt(module):
    source = (ROOT / "collectdesk" / "engine" / f"{module}.py").read_text()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("PySide6") for a in node.names)
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("PySide6")
