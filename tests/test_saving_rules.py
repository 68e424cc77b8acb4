"""Rules a form save enforces before anything is written (seed 003 "Operator Setup", "Pick
Lists", "Verify On Exit" / "Log Verification" of the Access Rights form)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk import db
from collectdesk.engine import picklists as pl
from collectdesk.engine import records
from collectdesk.engine import rights as r
from collectdesk.engine.audit import FIELD_VERIFIED
from collectdesk.engine.saving import RecordRefused, save_form, to_verify
from collectdesk.models import AuditEntry, Debtor, Note, Operator
from collectdesk.ui.testing import make_database


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> str:
    path = make_database(tmp_path_factory.mktemp("saving_rules") / "template.db", debtors=2)
    engine = db.make_engine(path)
    with db.session_factory(engine)() as s:
        r.rebuild_access_rights(s, commit=False)
        states = pl.create(s, "west_states")
        for key, text in (("OR", "Oregon"), ("WA", "Washington")):
            pl.add_entry(s, states, key, text)
        fees = pl.create(s, "fee_amounts", "currency")
        for key in ("25.00", "50.00", ""):
            pl.add_entry(s, fees, key)
        r.set_level_rights(s, "field:debtor.state", 30, picklist="west_states")
        r.set_level_rights(s, "field:debtor.fees", 30, picklist="fee_amounts")
        s.add(Operator(id="COL", name="Collector", type="COLLECTOR", user_level=30,
                       enable_verification=True))
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def session(template, tmp_path) -> Iterator[Session]:
    import shutil

    path = tmp_path / "rules.db"
    shutil.copy(template, path)
    engine = db.make_engine(str(path))
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


def typed(record, **values) -> list[records.Change]:
    """What a form applies when these fields are typed (codes from the field registry)."""
    codes = {fc.attribute: fc for fc in r.registry().values() if fc.model is type(record)}
    return records.apply_values(record, {k: (v, codes[k].code, codes[k].label)
                                         for k, v in values.items()})


def save_debtor(session: Session, level: int, **values) -> Debtor:
    debtor = session.scalars(select(Debtor).order_by(Debtor.id)).first()
    changes = typed(debtor, **values)
    save_form(session, [debtor], changes, is_new=False, operator_id="COL",
              rights=r.effective(session, level))
    return debtor


def test_a_new_operator_id_is_stored_in_capitals(session: Session) -> None:
    op = Operator(type="collector", user_level=30, name="Jayne McCaul")
    save_form(session, [op], typed(op, id="jmc"), is_new=True, operator_id="SYS")
    session.expire_all()
    saved = session.get(Operator, "JMC")
    assert saved is not None and saved.type == "COLLECTOR"


@pytest.mark.parametrize(("raw", "message"), [
    ("Admin", "'ADMIN' is a reserved word"),
    ("system", "'SYSTEM' is a reserved word"),
    ("toolong1", "Operator ID 'TOOLONG1' is longer than 7 characters"),
    ("sc", "Operator ID 'SC' is already used"),
    ("", "Operator ID is empty"),
])
def test_a_bad_operator_id_is_refused_naming_the_field(session: Session, raw: str,
                                                       message: str) -> None:
    op = Operator(type="COLLECTOR", user_level=30, name="Someone")
    with pytest.raises(RecordRefused, match=message):
        save_form(session, [op], typed(op, id=raw), is_new=True, operator_id="SYS")
    assert session.scalar(select(Operator).where(Operator.name == "Someone")) is None


def test_a_value_the_pick_list_does_not_offer_is_refused_and_nothing_is_written(
        session: Session) -> None:
    with pytest.raises(RecordRefused, match=r"State \(de\.st\): 'CA' is not in the west_states"):
        save_debtor(session, 30, state="CA", city="Sacramento")
    session.expire_all()
    debtor = session.scalars(select(Debtor).order_by(Debtor.id)).first()
    assert (debtor.state, debtor.city) == ("OR", "Portland")


def test_a_listed_value_is_stored_as_its_key(session: Session) -> None:
    save_debtor(session, 30, state="washington")
    session.expire_all()
    assert session.scalars(select(Debtor).order_by(Debtor.id)).first().state == "WA"


def test_a_level_without_the_list_types_freely(session: Session) -> None:
    save_debtor(session, 50, state="CA")
    session.expire_all()
    assert session.scalars(select(Debtor).order_by(Debtor.id)).first().state == "CA"


def test_a_blank_entry_allows_free_values_of_the_lists_data_type(session: Session) -> None:
    save_debtor(session, 30, fees=Decimal("12.50"))
    with pytest.raises(RecordRefused, match=r"Fees \(de\.fe\):.*more than 2 decimals"):
        save_debtor(session, 30, fees=Decimal("12.505"))


def test_a_verified_field_is_audited_and_logged_to_notes(session: Session) -> None:
    r.set_properties(session, "field:debtor.ssn", verify_on_exit=True, log_verification=True)
    r.set_properties(session, "field:debtor.city", verify_on_exit=True)
    session.commit()
    rights = r.effective(session, 30)
    collector = session.get(Operator, "COL")
    debtor = session.scalars(select(Debtor).order_by(Debtor.id)).first()
    changes = typed(debtor, ssn="555-66-7777", city="Salem", zip="97301")
    verified = to_verify(rights, collector, changes)
    assert [c.attribute for c in verified] == ["ssn", "city"]
    collector.enable_verification = False
    assert to_verify(rights, collector, changes) == []  # Enable Verification is per operator
    save_form(session, [debtor], changes, is_new=False, operator_id="COL", rights=rights,
              verified=verified)
    logged = session.scalars(select(AuditEntry).where(AuditEntry.event == FIELD_VERIFIED)
                             .order_by(AuditEntry.id)).all()
    assert [(e.operator_id, e.detail) for e in logged] == [
        ("COL", f"Debtor {debtor.id}: SSN (de.ss) verified as 555-66-7777"),
        ("COL", f"Debtor {debtor.id}: City (de.ci) verified as Salem")]
    notes = [n.text for n in session.scalars(select(Note).where(Note.debtor_id == debtor.id))]
    assert "SSN verified as 555-66-7777" in notes  # Log Verification is on for SSN only
    assert not any("Salem" in n for n in notes)
