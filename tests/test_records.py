"""Records: versioned rows refuse lost updates; money stays Decimal; file numbers are never reused."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Numeric

from collectdesk import models as m
from collectdesk.db import SaveConflict, make_engine, save, session_factory
from collectdesk.models.fieldcodes import lookup, registry
from collectdesk.schema import upgrade


@pytest.fixture
def factory(tmp_path: Path):
    engine = make_engine(str(tmp_path / "records.db"))
    upgrade(engine)
    with session_factory(engine)() as s:
        s.add(m.Client(id=24, name="First National"))
        s.add(m.Debtor(id=4585, client_id=24, name="Doe, John", account="A-1"))
        s.commit()
    yield session_factory(engine)
    engine.dispose()


def test_second_save_of_the_same_debtor_conflicts_and_overwrites_nothing(factory) -> None:
    first, second = factory(), factory()
    mine = first.get(m.Debtor, 4585)
    theirs = second.get(m.Debtor, 4585)
    mine.name = "Doe, Jonathan"
    save(first, mine, operator="SC")
    theirs.name = "Doe, Johnny"
    with pytest.raises(SaveConflict) as raised:
        save(second, theirs, operator="MGR")
    assert raised.value.by == "SC"
    assert "SC" in str(raised.value)
    with factory() as check:
        stored = check.get(m.Debtor, 4585)
        assert stored.name == "Doe, Jonathan"
        assert stored.version == 2
        assert stored.updated_by == "SC"


def test_money_round_trips_as_decimal(factory) -> None:
    with factory() as s:
        s.add(m.Transaction(debtor_id=4585, client_id=24, type_code="196",
                            to_us=Decimal("-1234567.89")))
        s.commit()
    with factory() as s:
        tx = s.query(m.Transaction).one()
        assert tx.to_us == Decimal("-1234567.89")
        assert isinstance(tx.to_us, Decimal)


def test_file_numbers_are_never_reused(factory) -> None:
    with factory() as s:
        s.add(m.Debtor(client_id=24, name="Roe, Jane"))
        s.commit()
        newest = s.query(m.Debtor).order_by(m.Debtor.id.desc()).first()
        assert newest.id == 4586
        s.delete(newest)
        s.commit()
        s.add(m.Debtor(client_id=24, name="Poe, Ed"))
        s.commit()
        assert s.query(m.Debtor).order_by(m.Debtor.id.desc()).first().id == 4587


def test_every_money_and_percent_column_is_numeric_with_the_right_scale() -> None:
    for table in m.Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Numeric) and column.name != "multiply_by":
                assert column.type.scale in (2, 3), f"{table.name}.{column.name}"
                assert column.type.asdecimal


def test_printable_codes_resolve_to_model_attributes() -> None:
    assert lookup("de.st").model is m.Debtor and lookup("de.st").attribute == "state"
    assert lookup("@cl.na").attribute == "name"
    assert lookup("cd.tr").kind == "percent"
    assert lookup("de.ow").kind == "money"
    assert lookup("dph.nu").kind == "phone"
    assert len(registry()) > 300
    with pytest.raises(KeyError, match="zz.zz"):
        lookup("zz.zz")
