"""Client recalculation: figures and the three Success Rate methods (seed 003 "Success Rate")."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from test_financial_fixtures import TODAY, Books, D, make_books

from collectdesk.engine.client_recalc import recalc_client, recalc_clients
from collectdesk.engine.posting import apply_new_account_fees
from collectdesk.engine.recalc import recalc_all
from collectdesk.models import Client, ClientSettings, DebtorMode


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    yield from make_books(tmp_path)


def _portfolio(books: Books) -> Client:
    settings = books.client.settings
    a = books.debtor(principal="1000.00")
    books.post(a, "101", "200")
    books.post(a, "101", direct=D("100"))
    settings.fixed_fee_mode, settings.fixed_fee_amount = "client", D("10.00")
    apply_new_account_fees(books.session, a, today=TODAY)  # 397: a client fee of 10
    settings.fixed_fee_mode = "none"
    b = books.debtor(principal="500.00")
    books.post(b, "101", "500")
    b.mode = DebtorMode.CLOSED
    c = books.debtor(principal="200.00")
    books.post(c, "398", "-15")
    books.post(c, "501", "50")
    books.post(c, "301", "20")  # a positive fee amount: a fee reversal, counts as adjustment
    books.session.flush()
    return books.client


def test_client_figures(books: Books) -> None:
    client = _portfolio(books)
    f = recalc_client(books.session, client, today=TODAY)
    assert (f.accounts, f.listed, f.paid, f.adjustments) == (3, D("1700.00"), D("800.00"),
                                                             D("50.00"))
    # debtor fees (15 - 20 = -5) + the client fee of 10
    assert f.fees == D("5.00")
    assert (f.commission, f.owing) == (D("250.00"), D("845.00"))
    assert (client.listed, client.paid, client.fees, client.accounts, client.last_recalc) == (
        D("1700.00"), D("800.00"), D("5.00"), 3, TODAY)


def test_success_rate_all_accounts(books: Books) -> None:
    """Gross Paid × 100 / ((All Listed + All Fees) − Adjustments)."""
    client = _portfolio(books)
    recalc_client(books.session, client, today=TODAY)
    # 800 × 100 / ((1,700 + 5) − (50 adjustment + 20 fee reversal)) = 48.930
    assert client.success_rate == (D("80000") / D("1635")).quantize(D("0.001"))
    assert client.success_rate == D("48.930")


def test_success_rate_closed_accounts(books: Books) -> None:
    client = _portfolio(books)
    client.settings.success_rate_method = "closed"
    recalc_client(books.session, client, today=TODAY)
    assert client.success_rate == D("100.000")  # 500 paid of 500 listed on the closed account


def test_success_rate_custom_is_left_alone(books: Books) -> None:
    client = _portfolio(books)
    client.settings.success_rate_method = "custom"
    client.success_rate = D("12.5")
    recalc_client(books.session, client, today=TODAY)
    assert client.success_rate == D("12.5")
    assert client.paid == D("800.00")


def test_success_rate_of_a_client_without_accounts(books: Books) -> None:
    assert recalc_client(books.session, books.client, today=TODAY).success_rate == D("0.000")


@pytest.mark.parametrize("through_engine", [False, True])
def test_batch_client_recalc_matches_the_recalc_button(books: Books,
                                                       through_engine: bool) -> None:
    client = _portfolio(books)
    other = Client(name="Other")
    other.settings = ClientSettings(success_rate_method="closed")
    books.session.add(other)
    books.session.flush()
    books.debtor(principal="80.00", client=other)
    expected = recalc_client(books.session, client, today=TODAY).as_dict()
    books.session.commit()
    client.paid = D("0")
    books.session.commit()
    recalc_all(books.session, today=TODAY)
    books.session.commit()
    target = books.session.get_bind() if through_engine else books.session
    figures = recalc_clients(target, today=TODAY)  # type: ignore[arg-type]
    books.session.commit()
    books.session.expire_all()
    assert figures[client.id].as_dict() == expected
    assert {n: getattr(client, n) for n in expected} == expected
    assert (other.accounts, other.listed, other.success_rate) == (1, D("80.00"), D("0.000"))


def test_client_sums_are_exact_in_cents(books: Books) -> None:
    for _ in range(30):
        books.debtor(principal="0.10")
    f = recalc_client(books.session, books.client, today=TODAY)
    assert f.listed == Decimal("3.00")
