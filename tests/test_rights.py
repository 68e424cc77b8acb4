"""Access rights: rebuild keeps edits, per-level rights and defaults, refusals that name the right,
aliases per level, per-level pick lists, and the audit log of every change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk import models as m
from collectdesk.db import make_engine, save, session_factory
from collectdesk.engine import rights as r
from collectdesk.engine.audit import ACCESS_REFUSED, RIGHTS_CHANGED
from collectdesk.models import Rights

UI_ITEMS = [
    r.menu_item("system", "System"),
    r.menu_item("system.operators", "Operators"),
    r.menu_item("system.access_rights", "Access Rights"),
    r.menu_item("file", "File"),
    r.button_item("debtor", "recalc", "Recalc"),
    r.form_item("wip_list", "WIP List"),
]


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    engine = make_engine(str(tmp_path / "rights.db"))
    m.Base.metadata.create_all(engine)
    with session_factory(engine)() as s:
        r.rebuild_access_rights(s, UI_ITEMS)
        yield s
    engine.dispose()


def _events(session: Session, event: str) -> list[m.AuditEntry]:
    return list(session.scalars(select(m.AuditEntry).where(m.AuditEntry.event == event)
                                .order_by(m.AuditEntry.id)))


def test_every_form_field_menu_and_button_has_a_row(session: Session) -> None:
    names = set(session.scalars(select(m.AccessRight.name)))
    assert {"form:debtor", "field:debtor.name", "field:debtor_detail.access_id",
            "form:operator", "field:client.owned_by_id"} <= names
    assert {i.name for i in UI_ITEMS} <= names
    state = session.scalar(select(m.AccessRight).where(m.AccessRight.name == "field:debtor.state"))
    assert (state.kind, state.form, state.picklist) == ("field", "debtor", "states")
    assert session.scalar(select(m.AccessRight.required)
                          .where(m.AccessRight.name == "field:debtor.name")) is True


def test_rebuild_keeps_edited_rows_refreshes_untouched_ones_and_reports_removed(
        session: Session) -> None:
    edited = r.get_right(session, "field:debtor.state")
    edited.picklist = "my_states"
    edited.alias = "Province"
    save(session, edited, operator="SYS")
    r.set_level_rights(session, "menu:system", 30, rights=Rights.READ, operator_id="SYS")
    session.commit()

    items = [*UI_ITEMS[:-1],  # the WIP form is gone from the program
             r.button_item("debtor", "promise", "Promise"),  # a new button
             r.RightItem("field:debtor.state", "field", form="debtor", picklist="us_states"),
             r.RightItem("field:debtor.city", "field", form="debtor", picklist="cities")]
    report = r.rebuild_access_rights(session, items, operator_id="99")

    assert report.added == ["button:debtor.promise"]
    assert report.removed == ["form:wip_list"]
    assert "field:debtor.state" in report.kept
    assert "field:debtor.city" in report.refreshed
    session.expire_all()
    state = r.get_right(session, "field:debtor.state")
    assert (state.picklist, state.alias) == ("my_states", "Province")  # the edit survives
    assert r.get_right(session, "field:debtor.city").picklist == "cities"
    assert r.get_right(session, "form:wip_list")  # reported, not deleted
    assert r.effective(session, 30).rights_for("menu:system") is Rights.READ  # FormRight kept
    assert any("rebuilt" in e.detail for e in _events(session, RIGHTS_CHANGED))

    again = r.rebuild_access_rights(session, items)
    assert again.added == [] and again.refreshed == []

    gone = r.rebuild_access_rights(session, items, delete_removed=True)
    assert gone.removed == ["form:wip_list"]
    assert session.scalar(
        select(m.AccessRight).where(m.AccessRight.name == "form:wip_list")) is None


def test_a_changed_program_rebuilds_at_sign_on_keeping_every_setting(session: Session) -> None:
    assert r.rebuild_if_changed(session, UI_ITEMS) is None  # nothing changed: nothing written
    edited = r.get_right(session, "field:debtor.state")
    edited.alias = "Province"
    save(session, edited, operator="SYS")
    r.set_level_rights(session, "menu:system", 30, rights=Rights.READ, operator_id="SYS")
    session.commit()
    newer = [*UI_ITEMS, r.button_item("debtor", "promise", "Promise"),
             r.RightItem("field:debtor.city", "field", form="debtor", picklist="cities")]
    report = r.rebuild_if_changed(session, newer, operator_id="SC")
    assert report is not None
    assert (report.added, report.refreshed) == (["button:debtor.promise"], ["field:debtor.city"])
    session.expire_all()
    assert r.get_right(session, "button:debtor.promise").kind == "button"
    assert r.get_right(session, "field:debtor.city").picklist == "cities"
    assert r.get_right(session, "field:debtor.state").alias == "Province"
    assert r.effective(session, 30).rights_for("menu:system") is Rights.READ
    assert r.rebuild_if_changed(session, newer) is None  # built: the next sign-on reads only
    assert [e.operator_id for e in _events(session, RIGHTS_CHANGED)
            if "rebuilt" in e.detail][-1] == "SC"


def test_a_list_never_built_is_left_to_the_administrator(tmp_path) -> None:
    engine = make_engine(str(tmp_path / "empty.db"))
    m.Base.metadata.create_all(engine)
    with session_factory(engine)() as s:
        assert r.rebuild_if_changed(s, UI_ITEMS) is None
        assert s.scalar(select(m.AccessRight.id)) is None
    engine.dispose()


def test_level_30_is_refused_the_system_menu_with_the_right_named(session: Session) -> None:
    table = r.effective(session, 30, operator_id="SC")
    right = r.get_right(session, "menu:system")
    assert not table.enabled("menu:system")
    assert not table.enabled("menu:system.operators")  # closed with its menu
    with pytest.raises(r.AccessRefused) as refused:
        table.require("menu:system", session=session)
    message = str(refused.value)
    assert f"Access right 'menu:system' (#{right.id}) gives level 30 no access" in message
    assert "ask an administrator" in message
    with pytest.raises(r.AccessRefused) as child:
        table.require("menu:system.operators")
    assert "'menu:system'" in str(child.value) and "menu:system.operators" in str(child.value)
    logged = _events(session, ACCESS_REFUSED)
    assert len(logged) == 1 and logged[0].operator_id == "SC" and "menu:system" in logged[0].detail
    assert table.enabled("menu:file")
    table.require("menu:file")


def test_shipped_defaults_by_level(session: Session) -> None:
    admin, sysadmin, collector, guest, manager = (
        r.effective(session, level) for level in (99, 90, 30, 98, 50))
    for name in ("menu:system", "form:access_right", "field:debtor.owing", "button:debtor.recalc"):
        assert admin.can_write(name) and sysadmin.can_write(name) and manager.can_write(name)
    assert collector.rights_for("form:access_right") is Rights.NONE
    assert collector.rights_for("form:operator") is Rights.NONE
    assert collector.rights_for("field:debtor.owing") is Rights.READ
    assert collector.rights_for("field:debtor.id") is Rights.READ
    assert collector.can_write("field:debtor.name")
    assert collector.can_read("button:debtor.recalc")
    with pytest.raises(r.AccessRefused, match="gives level 30 read-only access"):
        collector.require("field:debtor.owing", Rights.WRITE)
    assert guest.rights_for("field:debtor.name") is Rights.READ
    assert guest.rights_for("menu:system") is Rights.NONE
    assert not guest.enabled("button:debtor.recalc")
    assert guest.rights_for("menu:system.operators") is Rights.NONE


def test_a_field_is_never_more_open_than_its_form(session: Session) -> None:
    r.set_level_rights(session, "form:debtor", 40, rights=Rights.READ)
    session.commit()
    table = r.effective(session, 40)
    assert table.own_rights("field:debtor.name") is Rights.WRITE
    assert table.rights_for("field:debtor.name") is Rights.READ
    with pytest.raises(r.AccessRefused, match="'form:debtor'"):
        table.require("field:debtor.name", Rights.WRITE)


def test_alias_patient_for_debtor_at_one_level_only(session: Session) -> None:
    r.set_level_rights(session, "form:debtor", 30, alias="PATIENT")
    r.set_level_rights(session, "field:debtor.name", 30, alias="Patient")
    session.commit()
    collector, manager = r.effective(session, 30), r.effective(session, 50)
    assert collector.label("form:debtor", "Debtor") == "PATIENT"
    assert collector.label("field:debtor.name", "Name") == "Patient"
    assert manager.label("form:debtor", "Debtor") == "Debtor"
    assert manager.alias("field:debtor.name") == ""
    # The alias did not change the rights of the level.
    assert collector.can_write("field:debtor.name")


def test_item_alias_applies_to_every_level_unless_a_level_overrides(session: Session) -> None:
    r.set_properties(session, "field:debtor.birth_date", alias="DOI", operator_id="SYS")
    r.set_level_rights(session, "field:debtor.birth_date", 30, alias="Injury")
    session.commit()
    assert r.effective(session, 50).label("field:debtor.birth_date", "DOB") == "DOI"
    assert r.effective(session, 30).label("field:debtor.birth_date", "DOB") == "Injury"


def test_per_level_pick_list_overrides_the_access_right_one(session: Session) -> None:
    r.set_properties(session, "field:debtor.status", picklist="status_codes")
    r.set_level_rights(session, "field:debtor.status", 30, picklist="collector_status")
    session.commit()
    assert r.effective(session, 30).picklist("field:debtor.status") == "collector_status"
    assert r.effective(session, 50).picklist("field:debtor.status") == "status_codes"


def test_field_properties(session: Session) -> None:
    r.set_properties(session, "field:debtor.ssn", hide_label=True, verify_on_exit=True,
                     log_verification=True, log_to_notes=True, list_width=11, color="FFEEDD",
                     required=True)
    session.commit()
    table = r.effective(session, 30)
    name = "field:debtor.ssn"
    assert table.hidden_label(name) and table.verify_on_exit(name)
    assert table.log_verification(name) and table.log_to_notes(name) and table.required(name)
    assert (table.list_width(name), table.color(name)) == (11, "FFEEDD")
    assert not table.required("field:debtor.city")
    with pytest.raises(ValueError, match="not an access right property"):
        r.set_properties(session, name, rights=0)


def test_rights_changes_are_audited(session: Session) -> None:
    fr = r.set_level_rights(session, "menu:system", 30, rights=Rights.READ, operator_id="SYS")
    session.commit()
    fr.rights = int(Rights.NONE)
    save(session, fr, operator="MGR")
    r.set_properties(session, "form:debtor", alias="PATIENT", operator_id="SYS")
    session.commit()
    details = [(e.operator_id, e.detail) for e in _events(session, RIGHTS_CHANGED)]
    assert ("SYS", "access right 'menu:system' level 30 added (rights=1, alias='', picklist='')") \
        in details
    assert ("MGR", "access right 'menu:system' level 30 changed: rights: 1 → 0") in details
    assert any(who == "SYS" and "'form:debtor' changed: alias: '' → 'PATIENT'" in d
               for who, d in details)
    # The rebuild's own rows are summarised, not logged one by one.
    assert not any("added" in d and "field:" in d for _, d in details)


def test_unknown_items_use_the_level_defaults(session: Session) -> None:
    table = r.effective(session, 30)
    assert table.rights_for("menu:system.something_new") is Rights.NONE
    assert table.right_id("menu:nowhere") is None
    with pytest.raises(r.AccessRefused, match="'menu:system' .#"):
        table.require("menu:system.something_new")  # refused by its menu, which has a row
    with pytest.raises(r.AccessRefused, match="not yet in the access rights list"):
        r.effective(session, 98).require("button:debtor.something_new")


def test_item_names_are_checked() -> None:
    with pytest.raises(ValueError):
        r.RightItem("debtor.name", "field")
    with pytest.raises(ValueError):
        r.RightItem("widget:x", "widget")
    assert r.parents("field:debtor.name") == ["form:debtor"]
    assert r.parents("menu:a.b.c") == ["menu:a.b", "menu:a"]
    assert r.parents("form:debtor") == []


def test_headless_rebuild_and_check(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from collectdesk.commands import run

    path = tmp_path / "cmd.db"
    engine = make_engine(str(path))
    m.Base.metadata.create_all(engine)
    engine.dispose()
    assert run(["rights", "rebuild", "--db", str(path), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert "field:debtor.owing" in first["added"]
    assert run(["rights", "rebuild", "--db", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == []
    assert run(["rights", "check", "--level", "30", "--need", "write", "field:debtor.owing",
                "--db", str(path)]) == 1
    assert "Access right 'field:debtor.owing' (#" in capsys.readouterr().err
    assert run(["rights", "check", "--level", "30", "field:debtor.owing", "--db", str(path)]) == 0
    assert "level 30 has read access" in capsys.readouterr().out


def test_level_99_bypasses_the_access_rights(session: Session) -> None:
    session.add(m.PickList(name="states", system=True))
    session.add(m.PickList(name="my_list", system=False))
    r.set_level_rights(session, "menu:system", 99, rights=Rights.NONE)
    r.set_level_rights(session, "form:debtor", 99, alias="PATIENT")
    r.set_properties(session, "field:debtor.city", picklist="my_list", required=True,
                     hide_label=True, log_to_notes=True)
    session.commit()
    admin = r.effective(session, 99)
    assert admin.can_write("menu:system") and admin.can_write("form:access_right")
    assert admin.label("form:debtor", "Debtor") == "Debtor"
    assert admin.picklist("field:debtor.state") == "states"  # an internal list
    assert admin.picklist("field:debtor.city") == ""  # a list someone made
    assert not admin.required("field:debtor.city") and not admin.hidden_label("field:debtor.city")
    assert admin.log_to_notes("field:debtor.city")  # the trail in the notes is kept
    assert r.effective(session, 50).picklist("field:debtor.city") == "my_list"


def test_clearing_a_level_returns_it_to_the_shipped_default(session: Session) -> None:
    r.set_level_rights(session, "field:debtor.owing", 30, rights=Rights.WRITE, operator_id="SYS")
    session.commit()
    assert r.effective(session, 30).rights_for("field:debtor.owing") is Rights.WRITE
    assert r.clear_level_rights(session, "field:debtor.owing", 30, operator_id="MGR")
    session.commit()
    assert r.effective(session, 30).rights_for("field:debtor.owing") is Rights.READ
    assert not r.clear_level_rights(session, "field:debtor.owing", 30)
    details = [(e.operator_id, e.detail) for e in _events(session, RIGHTS_CHANGED)]
    assert ("MGR", "access right 'field:debtor.owing' level 30 deleted") in details
