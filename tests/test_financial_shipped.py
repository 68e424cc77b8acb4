"""The financial engine on the shipped system rows (transaction types, rate plans, plans and
preferences from :func:`collectdesk.engine.shipped.install_system_rows`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from collectdesk.db import make_engine, session_factory
from collectdesk.models import Base, Client, ClientSettings, Debtor, InterestDetail

shipped = pytest.importorskip("collectdesk.engine.shipped")
from collectdesk.engine.posting import close_account, post_transaction  # noqa: E402

D = Decimal
TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(str(tmp_path / "shipped.db"))
    Base.metadata.create_all(engine)
    with session_factory(engine)() as s:
        shipped.install_system_rows(s, demo=False)
        client = Client(name="Client")
        client.settings = ClientSettings(commission_rate=D("30"))
        s.add(client)
        s.flush()
        yield s
    engine.dispose()


def _debtor(s: Session, principal: str, **values: object) -> Debtor:
    client = s.query(Client).one()
    debtor = Debtor(client_id=client.id, name="Doe, John", listed_date=dt.date(2024, 1, 1),
                    **values)
    s.add(debtor)
    s.flush()
    post_transaction(s, debtor, "196", to_us=-D(principal), payment_date=dt.date(2024, 1, 1),
                     today=TODAY)
    return debtor


def test_paid_to_date_example_with_the_shipped_plan(session: Session) -> None:
    debtor = _debtor(session, "50000.00", rate_plan="PTD")
    got = [post_transaction(session, debtor, "101", to_us=D(a), today=TODAY).transaction
           for a in ("500", "1000", "1000", "2000", "2000")]
    assert [(t.commission_rate, t.commission) for t in got] == [
        (D("25"), D("125.00")), (D("25"), D("250.00")), (D("22.5"), D("225.00")),
        (D("20"), D("400.00")), (D("16.25"), D("325.00"))]


def test_shipped_amount_modes(session: Session) -> None:
    debtor = _debtor(session, "1000.00")
    nsf = post_transaction(session, debtor, "106", today=TODAY).transaction
    assert (nsf.to_us, nsf.commission) == (D("25.00"), D("25.00"))
    fee = post_transaction(session, debtor, "309", of_payment=D("125"), today=TODAY).transaction
    assert fee.to_us == D("-5.00")
    assert post_transaction(session, debtor, "163", today=TODAY).transaction.to_us \
        == D("-350.00")
    assert post_transaction(session, debtor, "160", today=TODAY).transaction.to_us \
        == D("-53.20")
    assert debtor.owing == D("1000.00") - D("25.00") + D("5.00") + D("350.00") + D("53.20")


def test_closing_an_interest_account_with_shipped_types(session: Session) -> None:
    debtor = _debtor(session, "3650.00")
    debtor.interest_detail = InterestDetail(interest_type="simple", annual_rate=D("10"),
                                            calculate_from=dt.date(2024, 1, 1))
    result = close_account(session, debtor, today=TODAY)
    assert result is not None and result.transaction.to_us == D("-152.00")
    assert (debtor.interest, debtor.interest_detail.interest_type) == (D("152.00"), "none")
