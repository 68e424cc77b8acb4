"""Commission and tax: the worked examples of seed 003 "Commission Rate Plans", the tier
boundaries of the nine sample plans, overrides, breakdown rates, tax, teams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from test_financial_fixtures import SAMPLE_PLANS, TODAY, Books, D, make_books

from collectdesk.engine.commission import (
    Breakdown,
    Tier,
    apply_rate_plan,
    copy_commission_terms,
    plan_commission,
    split_commission,
    tier_for,
)
from collectdesk.engine.posting import delete_transaction, repost_edited
from collectdesk.models import (
    CommissionRatePlan,
    CommissionRateTier,
    CommissionShare,
    CompanyDetails,
    RatePlanKind,
    TransactionType,
)


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    yield from make_books(tmp_path)


def tiers(code: str) -> tuple[RatePlanKind, list[Tier]]:
    kind, rows = SAMPLE_PLANS[code]
    return kind, [Tier(D(str(lo)), D(str(hi)), D(str(rate))) for lo, hi, rate in rows]


# -- Paid To Date: the worked example ---------------------------------------------------------

def test_paid_to_date_worked_example_on_the_plan() -> None:
    kind, levels = tiers("PTD")
    paid = D("0")
    seen = []
    for payment in ("500", "1000", "1000", "2000", "2000"):
        c = plan_commission(kind, levels, D(payment), paid_before=paid)
        seen.append((c.rate, c.amount))
        paid += D(payment)
    assert seen == [(D("25"), D("125.00")), (D("25"), D("250.00")), (D("22.50"), D("225.00")),
                    (D("20"), D("400.00")), (D("16.25"), D("325.00"))]


def test_paid_to_date_worked_example_by_posting(books: Books) -> None:
    """'We list a debtor with $50,000.00 Principal' and post the five payments."""
    debtor = books.debtor(principal="50000.00", rate_plan="PTD")
    results = [books.post(debtor, "101", amount) for amount in ("500", "1000", "1000", "2000",
                                                                "2000")]
    assert [(r.transaction.commission_rate, r.transaction.commission) for r in results] == [
        (D("25.000"), D("125.00")), (D("25.000"), D("250.00")), (D("22.500"), D("225.00")),
        (D("20.000"), D("400.00")), (D("16.250"), D("325.00"))]
    assert debtor.paid == D("6500.00")
    assert debtor.commission_total == D("1325.00")
    # the Rate on the Debtor form shows the current level: 6,500 paid is in 5,000.01-10,000
    assert debtor.commission_rate == D("15")


def test_paid_to_date_reversal_takes_back_what_the_payment_earned(books: Books) -> None:
    debtor = books.debtor(principal="50000.00", rate_plan="PTD")
    books.post(debtor, "101", "1500")
    earned = books.post(debtor, "101", "1000").transaction.commission
    reversal = books.post(debtor, "105", "-1000").transaction
    assert reversal.commission == -earned == D("-225.00")
    assert debtor.commission_total == D("375.00")


# -- minimum and maximum ----------------------------------------------------------------------

def _min_plan(books: Books, minimum: str | None = "25.00", maximum: str | None = None) -> None:
    plan = CommissionRatePlan(code="MIN", kind=RatePlanKind.PAYMENT_AMOUNT.value)
    plan.tiers = [CommissionRateTier(seq=0, range_from=D("0.01"), range_to=D("100.00"),
                                     rate=D("35"),
                                     min_commission=D(minimum) if minimum else None,
                                     max_commission=D(maximum) if maximum else None),
                  CommissionRateTier(seq=1, range_from=D("100.01"), range_to=D("999999"),
                                     rate=D("35"), max_commission=D("100.00"))]
    books.session.add(plan)
    books.session.flush()


def test_minimum_commission_on_a_fifty_dollar_payment(books: Books) -> None:
    """35 % of $50 is $17.50; the $25 minimum replaces it and the rate shows 50 %."""
    _min_plan(books)
    debtor = books.debtor(principal="1000.00", rate_plan="MIN")
    tx = books.post(debtor, "101", "50").transaction
    assert (tx.commission, tx.commission_rate) == (D("25.00"), D("50.000"))


def test_minimum_never_takes_more_than_the_payment(books: Books) -> None:
    """'unless, of course, the payment is $15.00. Collect! would then take the complete $15.00.'"""
    _min_plan(books)
    debtor = books.debtor(principal="1000.00", rate_plan="MIN")
    tx = books.post(debtor, "101", "15").transaction
    assert (tx.commission, tx.commission_rate) == (D("15.00"), D("100.000"))


def test_maximum_commission_replaces_the_amount(books: Books) -> None:
    _min_plan(books)
    debtor = books.debtor(principal="5000.00", rate_plan="MIN")
    tx = books.post(debtor, "101", "1000").transaction  # 35 % would be 350
    assert (tx.commission, tx.commission_rate) == (D("100.00"), D("10.000"))


def test_age_and_list_plans_ignore_min_and_max() -> None:
    level = [Tier(D("0"), D("100"), D("50"), min_commission=D("40"), max_commission=D("1"))]
    for kind in (RatePlanKind.AGE_CHARGED, RatePlanKind.AGE_DELINQUENT, RatePlanKind.LIST_AMOUNT):
        assert plan_commission(kind, level, D("10"), basis=D("5")).amount == D("5.00")
    assert plan_commission(RatePlanKind.PAYMENT_AMOUNT, level, D("10"),
                           basis=D("10")).amount == D("1.00")


# -- tier boundaries of the nine sample plans -------------------------------------------------

BOUNDARIES = {
    "AGEC": [(0, 10), (60, 10), (61, 15), (90, 15), (91, 20), (120, 20), (121, 30), (150, 30),
             (151, 40), (365, 40), (366, 50), (20000, 50), (9999999, 50)],
    "LIST": [("0", 50), ("100.00", 50), ("100.01", 45), ("500.00", 45), ("500.01", 40),
             ("1000.00", 40), ("1000.01", 30), ("5000.00", 30), ("5000.01", 25),
             ("20000.00", 25), ("20000.01", 20), ("999999.00", 20)],
    "PAY": [("0.01", 50), ("100.00", 50), ("100.01", 40), ("500.00", 40), ("500.01", 35),
            ("1000.00", 35), ("1000.01", 30), ("5000.00", 30), ("5000.01", 25),
            ("10000.00", 25), ("10000.01", 15), ("999999.00", 15)],
    "PTD": [("0", 25), ("2000.00", 25), ("2000.01", 20), ("5000.00", 20), ("5000.01", 15),
            ("10000.00", 15), ("10000.01", 13), ("20000.00", 13), ("20000.01", 11),
            ("50000.00", 11), ("50000.01", 10), ("99999999.00", 10)],
    "REMB": [("0", 40), ("50.00", 40), ("50.01", 35), ("500.00", 35), ("500.01", 30),
             ("1000.00", 30), ("1000.01", 25), ("2000.00", 25), ("2000.01", 20),
             ("5000.00", 20), ("5000.01", 15), ("99999.00", 15)],
    "DFL": [(0, 10), (14, 10), (15, 15), (30, 15), (31, 20), (60, 20), (61, 25), (90, 25),
            (91, 35), (365, 35), (366, 50), (99999999, 50)],
}
BOUNDARIES["AGED"] = BOUNDARIES["AGEC"]
BOUNDARIES["DFC"] = BOUNDARIES["DFD"] = BOUNDARIES["DFL"]


@pytest.mark.parametrize("code", sorted(BOUNDARIES))
def test_sample_plan_tier_boundaries(code: str) -> None:
    _kind, levels = tiers(code)
    for value, rate in BOUNDARIES[code]:
        assert tier_for(levels, D(str(value))).rate == D(str(rate)), (code, value)


@pytest.mark.parametrize(("payment", "rate", "commission"), [
    ("0.01", "50.000", "0.01"), ("100.00", "50.000", "50.00"), ("100.01", "40.000", "40.00"),
    ("10000.00", "25.000", "2500.00"), ("10000.01", "15.000", "1500.00"),
    ("999999.00", "15.000", "149999.85"),
])
def test_payment_amount_plan_by_posting_up_to_its_top(books: Books, payment: str, rate: str,
                                                      commission: str) -> None:
    """Seed 003: "$10000.01 to $999,999.00 … set to 15% automatically" — the top level."""
    debtor = books.debtor(principal="1000000.00", rate_plan="PAY")
    tx = books.post(debtor, "101", payment).transaction
    assert (tx.commission_rate, tx.commission) == (D(rate), D(commission))


def test_list_amount_plan_sets_the_debtor_rate(books: Books) -> None:
    small = books.debtor(principal="100.00", rate_plan="LIST")
    large = books.debtor(principal="100.01", rate_plan="LIST")
    for d in (small, large):
        apply_rate_plan(books.session, d, today=TODAY)
    assert (small.commission_rate, large.commission_rate) == (D("50"), D("45"))
    tx = books.post(large, "101", "100").transaction
    assert (tx.commission, tx.commission_rate) == (D("45.00"), D("45.000"))


@pytest.mark.parametrize(("code", "field", "days", "rate"), [
    ("AGEC", "charged_date", 60, "10"), ("AGEC", "charged_date", 61, "15"),
    ("AGED", "delinquent_date", 365, "40"), ("AGED", "delinquent_date", 366, "50"),
])
def test_age_plans_measure_listed_against_charged_or_delinquent(
        books: Books, code: str, field: str, days: int, rate: str) -> None:
    listed = dt.date(2024, 1, 1)
    debtor = books.debtor(principal="1000.00", rate_plan=code, listed_date=listed,
                          **{field: listed - dt.timedelta(days=days)})
    tx = books.post(debtor, "101", "100").transaction
    assert tx.commission_rate == D(rate)
    assert tx.commission == D(rate).quantize(D("0.01"))


@pytest.mark.parametrize(("code", "field"), [("DFL", "listed_date"), ("DFC", "charged_date"),
                                             ("DFD", "delinquent_date")])
def test_payment_days_plans_count_days_to_the_payment_date(books: Books, code: str,
                                                           field: str) -> None:
    start = dt.date(2024, 1, 1)
    debtor = books.debtor(principal="5000.00", rate_plan=code, **{field: start})
    on_14 = books.post(debtor, "101", "100", payment_date=start + dt.timedelta(days=14))
    on_15 = books.post(debtor, "101", "100", payment_date=start + dt.timedelta(days=15))
    on_366 = books.post(debtor, "101", "100", payment_date=start + dt.timedelta(days=366))
    assert [r.transaction.commission_rate for r in (on_14, on_15, on_366)] == [
        D("10"), D("15"), D("50")]


def test_remaining_balance_plan_uses_the_owing_before_posting(books: Books) -> None:
    debtor = books.debtor(principal="5000.01", rate_plan="REMB")
    first = books.post(debtor, "101", "10").transaction  # owing 5,000.01 before: 15 %
    second = books.post(debtor, "101", "10").transaction  # owing 4,990.01 before: 20 %
    assert (first.commission_rate, second.commission_rate) == (D("15"), D("20"))


def test_payment_amount_plan_leaves_the_debtor_rate_alone(books: Books) -> None:
    debtor = books.debtor(principal="5000.00", rate_plan="PAY", commission_rate=D("0"))
    tx = books.post(debtor, "101", "100.01").transaction
    assert (tx.commission, tx.commission_rate) == (D("40.00"), D("40"))
    assert debtor.commission_rate == D("0")


def test_client_rate_plan_applies_when_the_debtor_has_none(books: Books) -> None:
    books.client.settings.rate_plan = "PAY"
    debtor = books.debtor(principal="5000.00")
    assert books.post(debtor, "101", "100").transaction.commission_rate == D("50")


# -- rates and overrides ----------------------------------------------------------------------

def test_flat_rates_debtor_then_client_then_company(books: Books) -> None:
    own = books.debtor(principal="1000.00", commission_rate=D("20"))
    assert books.post(own, "101", "100").transaction.commission == D("20.00")
    from_client = books.debtor(principal="1000.00")  # client settings: 30 %
    assert books.post(from_client, "101", "100").transaction.commission == D("30.00")
    books.client.settings.commission_rate = D("0")
    books.session.query(CompanyDetails).one().commission_rate = D("12.5")
    from_company = books.debtor(principal="1000.00")
    assert books.post(from_company, "101", "100").transaction.commission == D("12.50")


def test_transaction_type_rate_overrides_the_debtor(books: Books) -> None:
    """Legal Fee Payment sample: 'a commission rate of 100.00 as we will be retaining 100%'."""
    debtor = books.debtor(principal="1000.00", commission_rate=D("30"), rate_plan="PTD")
    tx = books.post(debtor, "120", "80").transaction
    assert (tx.commission, tx.commission_rate) == (D("80.00"), D("100"))


def test_rate_and_amount_given_when_posting_win(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    assert books.post(debtor, "101", "100", commission_rate=D("10")).transaction.commission \
        == D("10.00")
    tx = books.post(debtor, "101", "200", commission=D("7")).transaction
    assert (tx.commission, tx.commission_rate) == (D("7.00"), D("3.500"))


def test_breakdown_rates_apply_to_what_the_payment_paid(books: Books) -> None:
    """'25% on Rate 1: Principal, 100% on Rate 2: Interest, 0% on Rate 3: Fees'."""
    debtor = books.debtor(principal="1000.00", commission_rate=D("30"),
                          commission_principal=D("25"), commission_interest=D("100"),
                          commission_fees=D("0"))
    books.post(debtor, "401", "-50")  # interest 50 owed
    books.post(debtor, "301")  # NSF fee 25 owed
    tx = books.post(debtor, "101", "175").transaction  # pays 50 interest, 25 fees, 100 principal
    assert (tx.paid_interest, tx.paid_fees, tx.paid_legal, tx.paid_principal) == (
        D("50.00"), D("25.00"), D("0.00"), D("100.00"))
    assert tx.commission == D("75.00")  # 50 × 100 % + 25 × 0 % + 100 × 25 %
    assert tx.commission_rate == D("42.857")


def test_explicit_breakdown_is_used_as_given(books: Books) -> None:
    debtor = books.debtor(principal="1000.00", commission_principal=D("10"),
                          commission_interest=D("50"))
    tx = books.post(debtor, "101", "100", breakdown=Breakdown(principal=D("60"),
                                                              interest=D("40"))).transaction
    assert tx.commission == D("26.00")


def test_non_payments_earn_no_calculated_commission(books: Books) -> None:
    debtor = books.debtor(principal="1000.00")
    assert books.post(debtor, "501", "100").transaction.commission == D("0.00")
    assert books.post(debtor, "201", "-40").transaction.commission == D("0.00")


def test_copy_commission_terms_from_client(books: Books) -> None:
    s = books.client.settings
    s.commission_rate, s.commission_interest, s.rate_plan = D("33"), D("100"), "PTD"
    s.tax_rate, s.tax_exempt, s.bill_commission_to_debtor = D("5"), True, True
    debtor = books.debtor()
    copy_commission_terms(books.session, debtor)
    assert (debtor.commission_rate, debtor.commission_interest, debtor.rate_plan) == (
        D("33"), D("100"), "PTD")
    assert (debtor.tax_rate, debtor.tax_exempt, debtor.bill_commission_to_debtor) == (
        D("5"), True, True)


# -- tax on commission ------------------------------------------------------------------------

def test_tax_is_charged_on_commission_not_on_the_payment(books: Books) -> None:
    books.client.settings.tax_rate = D("13")
    debtor = books.debtor(principal="1000.00")
    tx = books.post(debtor, "101", "100").transaction
    assert (tx.commission, tx.tax, tx.tax_rate) == (D("30.00"), D("3.90"), D("13"))
    assert debtor.tax_total == D("3.90")


def test_tax_rate_precedence(books: Books) -> None:
    books.session.query(CompanyDetails).one().tax_rate = D("5")
    debtor = books.debtor(principal="1000.00")
    assert books.post(debtor, "101", "100").transaction.tax == D("1.50")  # company 5 %
    books.client.settings.tax_rate = D("10")
    assert books.post(debtor, "101", "100").transaction.tax == D("3.00")  # client 10 %
    debtor.tax_rate = D("7")
    assert books.post(debtor, "101", "100").transaction.tax == D("2.10")  # debtor 7 %
    books.session.get_one(TransactionType, "101").tax_rate = D("20")
    assert books.post(debtor, "101", "100").transaction.tax == D("6.00")  # transaction 20 %


def test_tax_exempt_client_and_its_transaction_level_override(books: Books) -> None:
    books.client.settings.tax_rate = D("13")
    books.client.settings.tax_exempt = True
    debtor = books.debtor(principal="1000.00")
    assert books.post(debtor, "101", "100").transaction.tax == D("0.00")
    assert books.post(debtor, "101", "100", tax_rate=D("13")).transaction.tax == D("3.90")


def test_tax_exempt_debtor_and_dont_calculate_flags(books: Books) -> None:
    books.client.settings.tax_rate = D("13")
    exempt = books.debtor(principal="1000.00", tax_exempt=True)
    assert books.post(exempt, "101", "100").transaction.tax == D("0.00")
    debtor = books.debtor(principal="1000.00")
    nsf = books.post(debtor, "106").transaction  # type says don't calculate tax
    assert (nsf.commission, nsf.tax) == (D("25.00"), D("0.00"))
    books.session.query(CompanyDetails).one().dont_calculate_tax = True
    assert books.post(debtor, "101", "100").transaction.tax == D("0.00")


# -- bill commission to debtor ----------------------------------------------------------------

def test_bill_commission_to_debtor_adds_a_399_collection_fee(books: Books) -> None:
    books.client.settings.bill_commission_to_debtor = True
    debtor = books.debtor(principal="1000.00")
    result = books.post(debtor, "101", "100")
    [fee] = result.extra
    assert (fee.type_code, fee.to_us, fee.commission, fee.reference) == (
        "399", D("-30.00"), D("0.00"), f"bill:{result.transaction.id}")
    assert (debtor.fees, debtor.paid, debtor.owing) == (D("30.00"), D("100.00"), D("930.00"))
    assert result.totals.owing == D("930.00")


def test_deleting_a_billed_payment_deletes_its_collection_fee(books: Books) -> None:
    debtor = books.debtor(principal="1000.00", bill_commission_to_debtor=True)
    tx = books.post(debtor, "101", "100").transaction
    delete_transaction(books.session, tx, today=TODAY)
    assert (debtor.fees, debtor.paid, debtor.owing, debtor.commission_total) == (
        D("0.00"), D("0.00"), D("1000.00"), D("0.00"))


# -- distribution teams -----------------------------------------------------------------------

def test_split_commission_by_member_percentage(books: Books) -> None:
    books.team("TEAM", {"ANN": "50", "BOB": "30", "CAT": "20"})
    assert split_commission(books.session, "TEAM", D("125.00")) == [
        ("ANN", D("62.50")), ("BOB", D("37.50")), ("CAT", D("25.00"))]


def test_split_commission_rounding_goes_to_the_first_member_and_teams_nest(books: Books) -> None:
    books.team("SUB", {"DAN": "50", "EVE": "50"})
    books.team("TOP", {"ANN": "33.334", "BOB": "33.333", "SUB": "33.333"})
    shares = split_commission(books.session, "TOP", D("100.00"))
    assert sum(a for _, a in shares) == D("100.00")
    assert dict(shares) == {"ANN": D("33.34"), "BOB": D("33.33"), "DAN": D("16.66"),
                            "EVE": D("16.67")}


def test_split_commission_of_a_plain_operator_and_a_partial_team(books: Books) -> None:
    books.team("PART", {"ANN": "60"})
    assert split_commission(books.session, "ANN", D("10")) == [("ANN", D("10.00"))]
    assert split_commission(books.session, "PART", D("10")) == [("ANN", D("6.00")),
                                                                 ("PART", D("4.00"))]


def test_split_commission_of_no_amount_is_exact(books: Books) -> None:
    books.team("T3", {"ANN": "100"})
    assert split_commission(books.session, "T3", Decimal(0)) == [("ANN", D("0.00"))]


def test_split_commission_rounding_goes_to_the_first_member_not_the_largest(books: Books) -> None:
    # 10 % and 90 % of 0.05 round to 0.01 and 0.05: one cent too many, taken from ANN
    books.team("TINY", {"ANN": "10", "BOB": "90"})
    assert split_commission(books.session, "TINY", D("0.05")) == [("ANN", D("0.00")),
                                                                 ("BOB", D("0.05"))]


# -- posting to a team: the shares are recorded ------------------------------------------------

def _shares(books: Books, tx_id: int) -> list[tuple[str, str, str, Decimal]]:
    return [(s.role, s.team_id, s.operator_id, s.amount) for s in books.session.scalars(
        select(CommissionShare).where(CommissionShare.transaction_id == tx_id)
        .order_by(CommissionShare.role, CommissionShare.operator_id))]


def test_posting_shares_the_commission_of_a_team_operator(books: Books) -> None:
    """The seed's Paid To Date example's first payment (500 → 125.00 commission) on an
    account whose Operator is a team of three."""
    books.team("ST1", {"ANN": "50", "BOB": "30", "CAT": "20"})
    debtor = books.debtor(principal="50000.00", rate_plan="PTD", operator_id="ST1")
    result = books.post(debtor, "101", "500")
    assert result.transaction.commission == D("125.00")
    assert _shares(books, result.transaction.id) == [
        ("operator", "ST1", "ANN", D("62.50")), ("operator", "ST1", "BOB", D("37.50")),
        ("operator", "ST1", "CAT", D("25.00"))]
    assert [(s["operator"], s["amount"]) for s in result.as_dict()["commission_shares"]] == [
        ("ANN", D("62.50")), ("BOB", D("37.50")), ("CAT", D("25.00"))]


def test_operator_and_sales_teams_each_share_the_whole_commission(books: Books) -> None:
    books.team("ST1", {"ANN": "33.333", "BOB": "33.333", "CAT": "33.334"})
    books.team("ST2", {"DAN": "100"})
    debtor = books.debtor(principal="1000.00", operator_id="ST1", sales_id="ST2")
    tx = books.post(debtor, "101", "100").transaction  # 30 % of 100
    shares = _shares(books, tx.id)
    assert shares == [("operator", "ST1", "ANN", D("10.00")), ("operator", "ST1", "BOB",
                                                               D("10.00")),
                      ("operator", "ST1", "CAT", D("10.00")), ("sales", "ST2", "DAN",
                                                               D("30.00"))]
    for role in ("operator", "sales"):
        assert sum(a for r, _t, _o, a in shares if r == role) == tx.commission == D("30.00")


def test_plain_operators_and_no_commission_record_no_shares(books: Books) -> None:
    books.team("ST1", {"ANN": "100"})
    plain = books.debtor(principal="1000.00", operator_id="ANN")
    assert _shares(books, books.post(plain, "101", "100").transaction.id) == []
    team = books.debtor(principal="1000.00", operator_id="ST1")
    assert _shares(books, books.post(team, "301").transaction.id) == []  # a fee: no commission
    promise = books.post(team, "101", "100", promise=True).transaction
    assert _shares(books, promise.id) == []


def test_editing_reshares_and_deleting_removes_the_shares(books: Books) -> None:
    books.team("ST1", {"ANN": "60", "BOB": "40"})
    debtor = books.debtor(principal="1000.00", operator_id="ST1")
    tx = books.post(debtor, "101", "100").transaction
    assert [a for *_r, a in _shares(books, tx.id)] == [D("18.00"), D("12.00")]
    tx.to_us = D("200.00")
    repost_edited(books.session, tx, {"to_us"}, today=TODAY)
    books.session.flush()
    assert [a for *_r, a in _shares(books, tx.id)] == [D("36.00"), D("24.00")]
    tx.operator_id = "ANN"  # credited to a plain operator now
    repost_edited(books.session, tx, {"operator_id"}, today=TODAY)
    books.session.flush()
    assert _shares(books, tx.id) == []
    tx.operator_id = "ST1"
    repost_edited(books.session, tx, {"operator_id"}, today=TODAY)
    books.session.flush()
    tx_id = tx.id
    assert len(_shares(books, tx_id)) == 2
    delete_transaction(books.session, tx, today=TODAY)
    books.session.expire_all()
    assert _shares(books, tx_id) == []
