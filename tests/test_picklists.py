"""Pick lists: validation by data type and membership, the blank entry, per-level lists,
editing, and importing legacy ``.pck`` files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from collectdesk import models as m
from collectdesk.db import make_engine, session_factory
from collectdesk.engine import picklists as pl
from collectdesk.engine import rights as r
from collectdesk.engine.shipped import PickListFileError, shipped_pick_list_files


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(str(tmp_path / "picklists.db"))
    m.Base.metadata.create_all(engine)
    with session_factory(engine)() as s:
        states = pl.create(s, "states")
        for key, text in (("CA", "California"), ("OR", "Oregon"), ("WA", "Washington")):
            pl.add_entry(s, states, key, text)
        free = pl.create(s, "choices")
        for key in ("First Choice", "Second Choice", ""):
            pl.add_entry(s, free, key)
        codes = pl.create(s, "codes", "numeric")
        for key, text in (("1", "One"), ("2", "Two")):
            pl.add_entry(s, codes, key, text, color="00ff00")
        open_numbers = pl.create(s, "open_numbers", "numeric")
        pl.add_entry(s, open_numbers, "10")
        pl.add_entry(s, open_numbers, " ")
        fees = pl.create(s, "fees", "currency")
        pl.add_entry(s, fees, "25.00")
        pl.add_entry(s, fees, "50")
        s.commit()
        yield s
    engine.dispose()


@pytest.mark.parametrize(("data_type", "value", "parsed"), [
    ("text", "anything at all", "anything at all"),
    ("numeric", "42", 42),
    ("numeric", "-7", -7),
    ("numeric", 12, 12),
    ("currency", "12.34", Decimal("12.34")),
    ("currency", "$1,200.5", Decimal("1200.5")),
    ("currency", "7", Decimal(7)),
    ("percent", "7.125", Decimal("7.125")),
    ("percent", "7.5%", Decimal("7.5")),
    ("date", "01/31/2026", dt.date(2026, 1, 31)),
    ("date", "2026-01-31", dt.date(2026, 1, 31)),
    ("date", dt.date(2026, 2, 1), dt.date(2026, 2, 1)),
])
def test_values_fit_their_data_type(session: Session, data_type: str, value, parsed) -> None:
    assert pl.validate(session, None, data_type, value) == parsed


@pytest.mark.parametrize(("data_type", "value", "error"), [
    ("numeric", "1.5", "not a whole number"),
    ("numeric", "ten", "not a whole number"),
    ("currency", "1.234", "more than 2 decimals"),
    ("currency", "abc", "not a number"),
    ("percent", "7.1255", "more than 3 decimals"),
    ("date", "31/01/2026", "not a date"),
    ("date", "soon", "not a date"),
    ("colour", "x", "unknown data type"),
])
def test_values_that_do_not_fit_are_refused(session: Session, data_type: str, value, error) -> None:
    with pytest.raises(pl.PickListError, match=error):
        pl.validate(session, None, data_type, value)


def test_membership_without_a_blank_entry(session: Session) -> None:
    assert pl.validate(session, "states", "text", "CA") == "CA"
    assert pl.validate(session, "states", "text", "oregon") == "OR"  # the text, stored as the key
    assert pl.validate(session, "states", "text", "wa") == "WA"
    with pytest.raises(pl.PickListError, match="'NV' is not in the states pick list"):
        pl.validate(session, "states", "text", "NV")
    assert pl.validate(session, "codes", "numeric", "2") == 2
    assert pl.validate(session, "codes", "numeric", "02") == 2
    with pytest.raises(pl.PickListError, match="not in the codes pick list"):
        pl.validate(session, "codes", "numeric", "3")
    assert pl.validate(session, "fees", "currency", "50.00") == Decimal("50.00")
    with pytest.raises(pl.PickListError):
        pl.validate(session, "fees", "currency", "49.99")
    assert pl.validate(session, "states", "text", "") == ""  # empty is the Required right's job


def test_a_blank_entry_allows_free_text_of_the_right_type(session: Session) -> None:
    assert pl.validate(session, "choices", "text", "Something else") == "Something else"
    assert pl.validate(session, "open_numbers", "numeric", "99") == 99
    with pytest.raises(pl.PickListError, match="not a whole number"):
        pl.validate(session, "open_numbers", "numeric", "ninety")


def test_a_missing_list_only_checks_the_type(session: Session) -> None:
    assert pl.validate(session, "no_such_list", "text", "x") == "x"
    with pytest.raises(pl.PickListError):
        pl.validate(session, "no_such_list", "numeric", "x")


def test_dynamic_lists_come_from_their_tables(session: Session) -> None:
    session.add(m.Operator(id="SC", name="Senior Collector"))
    session.commit()
    assert pl.validate(session, "operators", "text", "SC") == "SC"
    with pytest.raises(pl.PickListError, match="operators"):
        pl.validate(session, "operators", "text", "NOBODY")
    assert pl.shown(session, "operators", "SC") == "Senior Collector"


def test_entries_shown_text_and_colour(session: Session) -> None:
    assert [e.key for e in pl.entries(session, "states")] == ["CA", "OR", "WA"]
    assert pl.shown(session, "states", "CA") == "California"
    assert pl.shown(session, "choices", "First Choice") == "First Choice"  # no text: the key
    assert pl.shown(session, "states", "ZZ") == "ZZ"
    assert pl.colour(session, "codes", "1") == "00FF00"
    assert pl.entries(session, "nothing") is None


def test_editing_entries(session: Session) -> None:
    states = pl.get(session, "states")
    nv = pl.add_entry(session, states, "NV", "Nevada")
    assert nv.order == 4  # pre-filled
    with pytest.raises(pl.PickListError, match="already has key 'CA'"):
        pl.add_entry(session, states, "CA")
    with pytest.raises(pl.PickListError, match="six hexadecimal"):
        pl.add_entry(session, states, "ID", color="red")
    with pytest.raises(pl.PickListError, match="not a whole number"):
        pl.add_entry(session, pl.get(session, "codes"), "x")
    with pytest.raises(pl.PickListError, match="already exists"):
        pl.create(session, "states")
    with pytest.raises(pl.PickListError, match="built from its table"):
        pl.create(session, "operators")


def test_per_level_pick_list_through_the_access_rights(session: Session) -> None:
    r.rebuild_access_rights(session)
    collector_list = pl.create(session, "collector_states")
    pl.add_entry(session, collector_list, "WA", "Washington")
    r.set_level_rights(session, "field:debtor.state", 30, picklist="collector_states")
    r.set_properties(session, "field:debtor.state", picklist="states")
    session.commit()
    collector, manager = r.effective(session, 30), r.effective(session, 50)
    assert pl.validate_field(session, manager, "field:debtor.state", "CA") == "CA"
    with pytest.raises(pl.PickListError, match="collector_states"):
        pl.validate_field(session, collector, "field:debtor.state", "CA")
    assert pl.validate_field(session, collector, "field:debtor.state", "WA") == "WA"
    # The data type comes from the field: Owing is currency.
    with pytest.raises(pl.PickListError, match="2 decimals"):
        pl.validate_field(session, manager, "field:debtor.owing", "1.234")
    assert pl.validate_field(session, manager, "field:contact.call_result", "3") == 3


def test_import_a_legacy_pck_file(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "titles.pck"
    path.write_text(';type=text\n; honorifics\n"MR" Mister\n"MS"\n" "\n', encoding="utf-8")
    imported = pl.import_pck(session, path)
    session.commit()
    assert (imported.name, imported.data_type) == ("titles", "text")
    assert [(e.key, e.text, e.order) for e in imported.entries] == [
        ("MR", "Mister", 1), ("MS", "", 2), ("", "", 3)]
    assert pl.validate(session, "titles", "text", "Dr") == "Dr"  # the blank entry
    with pytest.raises(pl.PickListError, match="already exists; rename titles.pck"):
        pl.import_pck(session, path)
    bad = tmp_path / "bad.pck"
    bad.write_text('"A" one\nB two\n', encoding="utf-8")
    with pytest.raises(PickListFileError, match="bad.pck line 2"):
        pl.import_pck(session, bad)


def test_every_shipped_pck_file_imports(session: Session) -> None:
    files = shipped_pick_list_files()
    assert files
    for path in files.values():
        imported = pl.import_pck(session, path, name=f"legacy_{path.stem}")
        assert imported.entries, path.name
        assert imported.data_type in pl.DATA_TYPES


def test_set_entries_checks_every_row_before_changing_anything(session: Session) -> None:
    codes = pl.get(session, "codes")
    rows = [pl.Entry("1", "One"), pl.Entry("x", "Bad"), pl.Entry("3", "Three")]
    with pytest.raises(pl.EntryError, match=r"Row 2: key 'x' is not a whole number") as bad:
        pl.set_entries(session, codes, rows)
    assert bad.value.row == 2
    with pytest.raises(pl.EntryError, match=r"Row 3: colour 'red' is not six hexadecimal"):
        pl.set_entries(session, codes, [pl.Entry("1", ""), pl.Entry("2", ""), pl.Entry("3", "", color="red")])
    with pytest.raises(pl.EntryError, match=r"Row 3: key '1' is already on row 1"):
        pl.set_entries(session, codes, [pl.Entry("1", ""), pl.Entry("2", ""), pl.Entry(" 1 ", "")])
    with pytest.raises(pl.EntryError, match=r"Row 2: the blank entry .* already on row 1"):
        pl.set_entries(session, codes, [pl.Entry("", ""), pl.Entry(" ", "")])
    session.rollback()
    assert [e.key for e in pl.entries(session, "codes")] == ["1", "2"]  # nothing changed

    pl.set_entries(session, codes, [pl.Entry("2", "Two", 5), pl.Entry("1", "One", 0, "#00ff00"),
                                    pl.Entry("", "", 9)], description="Codes")
    session.commit()
    assert [(e.key, e.text, e.order, e.color) for e in pl.entries(session, "codes")] == [
        ("1", "One", 2, "00FF00"), ("2", "Two", 5, ""), ("", "", 9, "")]
    assert pl.get(session, "codes").description == "Codes"
    assert pl.validate(session, "codes", "numeric", "77") == 77  # the blank entry: free numbers
    # Changing the type checks the keys against the new type.
    with pytest.raises(pl.EntryError, match="Row 1: key 'CA' is not a whole number"):
        pl.set_entries(session, pl.get(session, "states"), [pl.Entry("CA", "")], data_type="numeric")


def test_used_by_and_delete_list(session: Session) -> None:
    r.rebuild_access_rights(session)
    mine = pl.create(session, "my_states")
    pl.add_entry(session, mine, "QC", "Quebec")
    r.set_properties(session, "field:debtor.state", picklist="my_states")
    r.set_level_rights(session, "field:client.state", 30, picklist="my_states")
    session.commit()
    assert pl.used_by(session, "my_states") == ["field:debtor.state",
                                                "field:client.state (level 30)"]
    pl.delete_list(session, mine)
    session.commit()
    assert pl.get(session, "my_states") is None
    assert session.query(m.PickListEntry).filter_by(key="QC").count() == 0
    assert pl.validate(session, "my_states", "text", "Anything") == "Anything"  # missing: any
