"""``collectdesk post`` and ``collectdesk recalc`` on a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from test_financial_fixtures import Books, D, make_books

from collectdesk.commands import run


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    yield from make_books(tmp_path)


def _ready(books: Books) -> int:
    debtor = books.debtor(principal="1000.00")
    books.session.commit()
    return debtor.id


def test_post_prints_the_transaction_commission_tax_and_totals(
        books: Books, capsys: pytest.CaptureFixture[str]) -> None:
    books.client.settings.tax_rate = D("10")
    number = _ready(books)
    code = run(["post", "--db", books.url, "--file", str(number), "--type", "101", "--to-us",
                "100", "--payment-date", "2024-05-02", "--posted-date", "05/03/2024",
                "--operator", "JANE", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    tx = data["transaction"]
    assert (tx["type"], tx["to_us"], tx["payment_date"], tx["posted_date"], tx["operator"]) == (
        "101", "100.00", "2024-05-02", "2024-05-03", "JANE")
    assert (data["commission"], data["commission_rate"], data["tax"]) == ("30.00", "30.000",
                                                                         "3.00")
    assert (data["debtor"]["file_number"], data["debtor"]["paid"], data["debtor"]["owing"]) == (
        number, "100.00", "900.00")
    # saved: a new session sees it
    books.session.expire_all()
    owing = books.session.execute(text("SELECT owing FROM debtors WHERE id = :n"),
                                  {"n": number}).scalar_one()
    assert D(str(owing)) == D("900.00")


def test_post_by_amount_mode_without_amounts(books: Books,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    number = _ready(books)
    assert run(["post", "--db", books.url, "--file", str(number), "--type", "106", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["transaction"]["to_us"], data["commission"]) == ("25.00", "25.00")


def test_post_plain_output(books: Books, capsys: pytest.CaptureFixture[str]) -> None:
    number = _ready(books)
    assert run(["post", "--db", books.url, "--file", str(number), "--type", "301"]) == 0
    out = capsys.readouterr().out
    assert "Posted 301" in out and "owes 1025.00" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--file", "9999", "--type", "101", "--to-us", "1"], "no account with file number 9999"),
    (["--file", "{n}", "--type", "777", "--to-us", "1"], "unknown transaction type '777'"),
    (["--file", "{n}", "--type", "101", "--to-us", "1O0"], "malformed amount for --to-us"),
    (["--file", "{n}", "--type", "101", "--to-us", "1", "--payment-date", "2024-13-01"],
     "malformed date for --payment-date"),
    (["--file", "x", "--type", "101", "--to-us", "1"], "malformed file number 'x'"),
    (["--file", "{n}", "--type", "101"], "takes an amount"),
])
def test_post_failures_are_one_line(books: Books, capsys: pytest.CaptureFixture[str],
                                    args: list[str], message: str) -> None:
    number = _ready(books)
    argv = ["post", "--db", books.url] + [a.replace("{n}", str(number)) for a in args]
    assert run(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("collectdesk post: ") and message in err
    assert "\n" not in err


def test_recalc_debtor_with_calclog(books: Books, capsys: pytest.CaptureFixture[str],
                                   tmp_path: Path) -> None:
    number = _ready(books)
    books.session.execute(text("UPDATE debtors SET owing = 0"))
    books.session.commit()
    log = tmp_path / "calc.log"
    assert run(["recalc", "--db", books.url, "--debtor", str(number), "--today", "2024-06-01",
                "--calclog", str(log), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["file_number"], data["owing"]) == (number, "1000.00")
    assert "total\towing\t1000.00" in log.read_text()


def test_recalc_client_and_all(books: Books, capsys: pytest.CaptureFixture[str]) -> None:
    for amount in ("100.00", "200.00", "300.00"):
        books.debtor(principal=amount)
    books.session.commit()
    books.session.execute(text("UPDATE debtors SET owing = 0"))
    books.session.commit()
    assert run(["recalc", "--db", books.url, "--client", str(books.client.id), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["client"], data["accounts"], data["listed"], data["owing"]) == (
        books.client.id, 3, "600.00", "600.00")
    books.session.execute(text("UPDATE debtors SET owing = 0"))
    books.session.commit()
    assert run(["recalc", "--db", books.url, "--all", "--json", "--progress"]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert (data["debtors"], data["changed"], data["clients"]) == (3, 3, 1)
    assert "recalc 3/3" in out.err
    assert run(["recalc", "--db", books.url]) == 0
    assert "Recalculated 3 accounts (0 changed) and 1 clients" in capsys.readouterr().out


def test_recalc_unknown_numbers(books: Books, capsys: pytest.CaptureFixture[str]) -> None:
    _ready(books)
    assert run(["recalc", "--db", books.url, "--debtor", "404"]) == 1
    assert "no account with file number 404" in capsys.readouterr().err
    assert run(["recalc", "--db", books.url, "--client", "404"]) == 1
    assert "no client with number 404" in capsys.readouterr().err
