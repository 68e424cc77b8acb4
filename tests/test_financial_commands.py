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


def test_post_json_shows_the_commission_shares_of_a_team(
        books: Books, capsys: pytest.CaptureFixture[str]) -> None:
    books.team("ST1", {"ANN": "70", "BOB": "30"})
    number = books.debtor(principal="1000.00", sales_id="ST1").id
    books.session.commit()
    assert run(["post", "--db", books.url, "--file", str(number), "--type", "101", "--to-us",
                "99.99", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["commission"] == "30.00"  # 30 % of 99.99 = 29.997
    assert data["commission_shares"] == [
        {"role": "sales", "team": "ST1", "operator": "ANN", "amount": "21.00"},
        {"role": "sales", "team": "ST1", "operator": "BOB", "amount": "9.00"}]
    rows = books.session.execute(text(
        "SELECT operator_id, amount FROM commission_shares ORDER BY operator_id")).all()
    assert [(o, D(str(a))) for o, a in rows] == [("ANN", D("21.00")), ("BOB", D("9.00"))]


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


def test_payplan_create_posts_the_schedule(books: Books,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    number = _ready(books)
    assert run(["payplan", "create", "--db", books.url, "--file", str(number), "--down", "100",
                "--amount", "250", "--every", "monthly", "--start", "2024-06-15",
                "--service-charge", "50", "--discount", "150", "--late-fee", "20",
                "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(p["number"], p["type"], p["due_date"], p["amount"]) for p in data["payments"]] == [
        (0, "150", "2024-06-15", "100.00"), (1, "151", "2024-07-15", "250.00"),
        (2, "151", "2024-08-15", "250.00"), (3, "151", "2024-09-15", "250.00"),
        (4, "151", "2024-10-15", "50.00")]
    assert (data["discount"]["type"], data["discount"]["to_us"]) == ("193", "150.00")
    assert (data["service_charge"]["type"], data["service_charge"]["to_us"]) == ("350", "-50.00")
    assert (data["total"], data["owing"]) == ("900.00", "900.00")
    # saved: promises without a posted date and their Promise contacts
    rows = books.session.execute(text(
        "SELECT t.type_code, t.posted_date, c.type FROM transactions t JOIN contacts c "
        "ON c.debtor_id = t.debtor_id AND c.due_date = t.payment_date "
        "WHERE t.debtor_id = :n AND t.type_code IN ('150', '151')"), {"n": number}).all()
    assert len(rows) == 5 and all(r[1] is None and r[2] == "Promise" for r in rows)


def test_payplan_count_and_plain_output(books: Books, capsys: pytest.CaptureFixture[str]) -> None:
    number = _ready(books)
    assert run(["payplan", "create", "--db", books.url, "--file", str(number), "--count", "3",
                "--every", "biweekly", "--start", "06/01/2024"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (f"File {number}: 3 payments totalling 1000.00, from 2024-06-01 to "
                           "2024-06-29")


def test_payplan_late_fees_once_per_missed_payment(books: Books,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    number = _ready(books)
    assert run(["payplan", "create", "--db", books.url, "--file", str(number), "--amount",
                "500", "--start", "2024-06-01", "--late-fee", "25"]) == 0
    capsys.readouterr()
    late = ["payplan", "late-fees", "--db", books.url, "--date", "2024-07-02", "--json"]
    assert run(late) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == 2  # June 1 and July 1 both missed
    assert {(f["type"], f["to_us"], f["file_number"]) for f in data["fees"]} == {
        ("351", "-25.00", number)}
    assert run(late) == 0  # the same date again: nothing more
    assert json.loads(capsys.readouterr().out)["count"] == 0
    owing = books.session.execute(text("SELECT owing FROM debtors WHERE id = :n"),
                                  {"n": number}).scalar_one()
    assert D(str(owing)) == D("1050.00")


@pytest.mark.parametrize(("args", "message"), [
    (["create", "--file", "9999", "--count", "2", "--start", "2024-06-01"],
     "no account with file number 9999"),
    (["create", "--file", "{n}", "--start", "2024-06-01"], "give --amount (each payment) or --count"),
    (["create", "--file", "{n}", "--count", "two", "--start", "2024-06-01"],
     "malformed number of payments for --count: 'two'"),
    (["create", "--file", "{n}", "--count", "2", "--start", "2024-02-30"],
     "malformed date for --start"),
    (["create", "--file", "{n}", "--count", "2", "--down", "5000", "--start", "2024-06-01"],
     "file {n}: the down payment 5000.00 is more than the 1000.00 owed"),
    (["late-fees", "--date", "2024-06-01", "--amount", "-3"],
     "the late fee --amount must be more than 0"),
])
def test_payplan_failures_are_one_line_and_save_nothing(
        books: Books, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    number = _ready(books)
    argv = ["payplan", args[0], "--db", books.url] + [a.replace("{n}", str(number))
                                                      for a in args[1:]]
    assert run(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("collectdesk payplan: ")
    assert message.replace("{n}", str(number)) in err
    count = books.session.execute(text("SELECT count(*) FROM transactions WHERE debtor_id = :n"),
                                  {"n": number}).scalar_one()
    assert count == 1  # the 196 only
