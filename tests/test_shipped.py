"""The rows every new database ships with, checked against the setup manual (seed 003)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from collectdesk.db import make_engine, session_factory
from collectdesk.engine import shipped
from collectdesk.engine.passwords import verify_password
from collectdesk.engine.shipped import (
    DYNAMIC_PICKLISTS,
    EXTRA_PICKLISTS,
    PickListFileError,
    install_missing_rows,
    install_system_rows,
    model_picklist_names,
    parse_pck,
    read_pck_file,
    shipped_pick_list_files,
)
from collectdesk.models import (
    AmountMode,
    Assign,
    Base,
    CommissionRatePlan,
    CompanyDetails,
    ContactPlan,
    FinancialType,
    Operator,
    PickList,
    PickListEntry,
    PlanEvent,
    Preferences,
    RatePlanKind,
    StatusCode,
    TransactionType,
)


def _new_database(tmp_path, name, *, demo):
    engine = make_engine(str(tmp_path / f"{name}.db"))
    Base.metadata.create_all(engine)
    factory = session_factory(engine)
    with factory() as session:
        install_system_rows(session, demo=demo)
        session.commit()
    return engine, factory


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    engine, factory = _new_database(tmp_path_factory.mktemp("demo"), "demodb", demo=True)
    yield factory
    engine.dispose()


@pytest.fixture(scope="module")
def master_db(tmp_path_factory):
    engine, factory = _new_database(tmp_path_factory.mktemp("master"), "masterdb", demo=False)
    yield factory
    engine.dispose()


@pytest.fixture
def demo(demo_db):
    with demo_db() as session:
        yield session


@pytest.fixture
def master(master_db):
    with master_db() as session:
        yield session


# --- Transaction types --------------------------------------------------------------------------

# "Viewing The List Of Transaction Types", verbatim.
SEED_TYPE_LIST = """\
100 PAYMENTS AND SYSTEM
101 Check Payment
102 Cash Payment
103 Payment Out of Court
104 Money Order Payment
105 Returned NSF Check
106 Payment of Agency NSF Fee
107 Check Payment Taken By Phone
108 Debtor Over Payment
109 Credit Card Payment
110 ACH Payment
111 Direct Payment to Client
120 Attorney Fee Payment
122 Court Cost Payment
150 Down Payment
151 Payment Plan Payment
160 Monthly Billing Amount
193 Payment Plan Initial Discount
194 Judgment Principal
195 Judgment Interest
196 Original Principal
197 Original Interest
200 LEGAL FEES
201 Court Cost Charge
202 Attorney Fees Charge
294 Judgement Legal Costs
300 FEES
301 NSF Charge Due Agency
302 Closing Fee
303 Locate Fee
305 ACH Convenience Fee Reversal
307 ACH Convenience Fee
309 Credit Card Convenience Fee
310 Service Charge
320 Payment Plan Late Fee
340 Daily Storage Fee
350 Payment Plan Service Charge
351 Late Fee
394 Judgement Court Costs
397 Client Fee
398 Debtor Fee
399 Collection Fee
400 INTEREST
401 Interest Adjustment
402 Accrued Compound Interest
495 Additional Judgement Interest
499 Total Accrued Interest
500 ADJUSTMENTS
501 Adjustment by Client
502 Adjustment by Court Order
503 Adjust Judgement Principal
599 Adjustment through Upgrade
600 INTERNAL EXPENSES
601 Agency Internal Expenditure
"""

# "System Reserved Types", verbatim.
SEED_RESERVED = """\
194 Judgment Principal
195 Judgment Interest
196 Original Principal
197 Original Interest
294 Judgement Legal Costs
394 Judgement Court Costs
397 Client Fee
398 Debtor Fee
399 Collection Fee
499 Total Accrued Interest
599 Adjustment through Upgrade
1081 Original Fees, Prior to Assignment
1082 Original Legal, Prior to Assignment
1083 Original Misc, Prior to Assignment
1084 Original Other, Prior to Assignment
1085 Original Paid to Client, Prior to Assignment
"""

# Named in the samples but missing from the list.
SAMPLE_ONLY_TYPES = {
    "121": "Legal Fee Advance Received",
    "161": "Add Current Accrued Interest",
    "162": "Add Percent of Owing",
    "163": "Add Percent of Principal",
    "205": "Legal Fee Advance Request",
}


def _pairs(text):
    return dict(line.split(" ", 1) for line in text.splitlines())


def _types(session):
    return {t.code: t for t in session.scalars(select(TransactionType))}


def test_every_listed_type_is_shipped_with_its_description(demo):
    types = _types(demo)
    for code, description in {**_pairs(SEED_TYPE_LIST), **SAMPLE_ONLY_TYPES}.items():
        assert code in types, code
        assert types[code].description == description


def test_reserved_codes_exist_and_are_flagged(demo):
    types = _types(demo)
    reserved = _pairs(SEED_RESERVED)
    for code, description in reserved.items():
        assert types[code].description == description
        assert types[code].system_reserved, code
    assert {c for c, t in types.items() if t.system_reserved} == set(reserved)


def test_group_headings(demo):
    types = _types(demo)
    headings = {c for c, t in types.items() if t.is_heading}
    assert headings == {"100", "200", "300", "400", "500", "600"}
    assert types["100"].financial_type == FinancialType.PAYMENT
    assert types["200"].financial_type == FinancialType.LEGAL
    assert types["300"].financial_type == FinancialType.FEE
    assert types["400"].financial_type == FinancialType.INTEREST
    assert types["500"].financial_type == FinancialType.ADJUSTMENT
    assert types["600"].financial_type == FinancialType.INTERNAL


def test_financial_type_by_group(demo):
    principal = {"160", "161", "162", "163", "194", "196"}
    interest = {"195", "197"}
    for code, t in _types(demo).items():
        if code in principal:
            expected = FinancialType.PRINCIPAL
        elif code in interest:
            expected = FinancialType.INTEREST
        elif code == "193":
            expected = FinancialType.ADJUSTMENT
        elif len(code) == 3:
            expected = {"1": FinancialType.PAYMENT, "2": FinancialType.LEGAL,
                        "3": FinancialType.FEE, "4": FinancialType.INTEREST,
                        "5": FinancialType.ADJUSTMENT, "6": FinancialType.INTERNAL}[code[0]]
        else:
            expected = {"1081": FinancialType.FEE, "1082": FinancialType.LEGAL,
                        "1083": FinancialType.FEE, "1084": FinancialType.FEE,
                        "1085": FinancialType.PAYMENT}[code]
        assert t.financial_type == expected, code


def _flags(t):
    return (t.omit_from_statement, t.omit_from_daily_cash, t.dont_calculate_commission,
            t.dont_calculate_tax)


ALL_OFF = (True, True, True, True)
NOTHING = (False, False, False, False)


@pytest.mark.parametrize("code", ["196", "194", "197", "195", "401", "499", "160", "161", "162",
                                  "163", "201", "301", "351", "399", "601"])
def test_samples_omitted_from_both_reports_without_commission_or_tax(demo, code):
    assert _flags(_types(demo)[code]) == ALL_OFF


@pytest.mark.parametrize("code", ["101", "107", "150", "151"])
def test_payment_samples_omit_nothing(demo, code):
    t = _types(demo)[code]
    assert _flags(t) == NOTHING
    assert t.amount_mode == AmountMode.ENTER
    assert t.commission_rate is None


def test_every_type_copies_its_description_and_shows_both_fields_by_default(demo):
    types = _types(demo)
    assert all(t.copy_description for t in types.values())
    assert all(t.show_to_us and t.show_direct for c, t in types.items() if c not in ("111", "1085"))


def test_down_payment_and_plan_payment_write_a_note(demo):
    types = _types(demo)
    assert types["150"].write_note and types["151"].write_note
    assert not types["101"].write_note


def test_original_principal_196(demo):
    t = _types(demo)["196"]
    assert t.financial_type == FinancialType.PRINCIPAL
    assert t.amount_mode == AmountMode.ENTER
    assert _flags(t) == ALL_OFF
    assert t.show_to_us and t.show_direct
    assert t.commission_rate is None and t.contact_plan == "" and t.operator_id == ""


def test_agency_nsf_fee_payment_106(demo):
    t = _types(demo)["106"]
    assert t.financial_type == FinancialType.PAYMENT
    assert t.amount_mode == AmountMode.DOLLARS
    assert t.to_agency_amount == Decimal("25.00")
    assert t.commission_amount == Decimal("25.00")
    assert isinstance(t.to_agency_amount, Decimal)
    assert _flags(t) == (True, False, True, True)


def test_legal_fee_payment_120_keeps_all_commission(demo):
    t = _types(demo)["120"]
    assert t.financial_type == FinancialType.PAYMENT
    assert t.commission_rate == Decimal("100")
    assert _flags(t) == (True, False, False, False)


@pytest.mark.parametrize("code", ["121", "122"])
def test_legal_fee_advances_are_on_the_statement_but_not_in_daily_cash(demo, code):
    t = _types(demo)[code]
    assert t.financial_type == FinancialType.PAYMENT
    assert _flags(t) == (False, True, False, False)


def test_legal_fee_advance_request_205(demo):
    t = _types(demo)["205"]
    assert t.financial_type == FinancialType.LEGAL
    assert _flags(t) == (False, True, True, True)


def test_nsf_charge_due_agency_301(demo):
    t = _types(demo)["301"]
    assert t.financial_type == FinancialType.FEE
    assert t.amount_mode == AmountMode.DOLLARS
    assert t.to_agency_amount == Decimal("-25.00")
    assert t.commission_amount == Decimal("0")


@pytest.mark.parametrize("code", ["307", "309"])
def test_convenience_fee_percent_of_payment_capped_by_commission(demo, code):
    t = _types(demo)[code]
    assert t.financial_type == FinancialType.FEE
    assert t.amount_mode == AmountMode.PERCENT_PAYMENT
    assert t.percent_value == Decimal("5")
    assert t.commission_amount == Decimal("5.00")
    assert _flags(t) == ALL_OFF


def test_convenience_fee_reversal_305(demo):
    t = _types(demo)["305"]
    assert t.financial_type == FinancialType.FEE
    assert t.amount_mode == AmountMode.ENTER
    assert _flags(t) == ALL_OFF


@pytest.mark.parametrize("code", ["350", "351", "399"])
def test_plan_and_collection_fees(demo, code):
    t = _types(demo)[code]
    assert t.financial_type == FinancialType.FEE
    assert t.amount_mode == AmountMode.ENTER
    assert t.omit_from_statement and t.omit_from_daily_cash


@pytest.mark.parametrize("code", ["501", "193"])
def test_adjustments(demo, code):
    t = _types(demo)[code]
    assert t.financial_type == FinancialType.ADJUSTMENT
    assert t.amount_mode == AmountMode.ENTER
    assert t.omit_from_statement and t.omit_from_daily_cash


def test_internal_expenditure_601(demo):
    t = _types(demo)["601"]
    assert t.financial_type == FinancialType.INTERNAL
    assert _flags(t) == ALL_OFF


def test_total_accrued_interest_499(demo):
    t = _types(demo)["499"]
    assert t.financial_type == FinancialType.INTEREST
    assert t.amount_mode == AmountMode.PERCENT_INTEREST
    assert t.percent_value == Decimal("-100")
    assert t.system_reserved


@pytest.mark.parametrize(("code", "mode", "percent", "to_agency"), [
    ("160", AmountMode.DOLLARS, "0", "-53.20"),
    ("161", AmountMode.PERCENT_INTEREST, "-100", "0"),
    ("162", AmountMode.PERCENT_OWING, "-5", "0"),
    ("163", AmountMode.PERCENT_PRINCIPAL, "-35", "0"),
])
def test_principal_samples(demo, code, mode, percent, to_agency):
    t = _types(demo)[code]
    assert t.financial_type == FinancialType.PRINCIPAL
    assert t.amount_mode == mode
    assert t.percent_value == Decimal(percent)
    assert t.to_agency_amount == Decimal(to_agency)


def test_transaction_flag_bits_match_the_import_module(demo):
    # Seed 001: 53 inhibits everything (1 + 4 + 16 + 32); 48 = commission and tax only.
    types = _types(demo)
    assert int(types["196"].flags) == 53
    assert int(types["101"].flags) == 0
    assert int(types["106"].flags) == 49


# --- Status codes -------------------------------------------------------------------------------


def test_status_codes(demo):
    codes = {s.code: s for s in demo.scalars(select(StatusCode))}
    for code in ("NEW", "ACT", "PIF", "SKP", "BNK", "CLO", "PPA", "LEG", "DIS", "TCN"):
        assert code in codes and codes[code].description
    assert codes["NEW"].wip_priority == 90
    assert codes["ACT"].wip_priority == 50
    assert codes["NEW"].wip_priority > codes["ACT"].wip_priority > codes["PIF"].wip_priority
    assert codes["PIF"].run_plan == "CLO"
    assert codes["CLO"].run_plan == ""
    assert codes["NEW"].run_plan == ""
    plans = set(demo.scalars(select(ContactPlan.code)))
    for status in codes.values():
        assert status.run_plan == "" or status.run_plan in plans
        assert status.run_plan != status.code  # a status running its own plan would loop


# --- Pick lists ---------------------------------------------------------------------------------

SEED_CALL_RESULTS = """\
0 : None specified
1 : Left Message on Machine
2 : Left message with person
3 : Debtor not in - call back. No message.
4 : Spoke to debtor. Verified right party.
5 : Wrong number / debtor unknown.
6 : NIS
101: Manual dial: right party contact
102: Manual dial: pick up, hung up
103: Manual dial: debtor in, unavailable
104: Manual dial: debtor not in, call back
105: Manual dial: machine answer, left msg
106: Manual dial: machine answer, no message
107: Manual dial: left message with person
108: Manual dial: no answer
109: Manual dial: busy
110: Manual dial: call did not go through
111: Manual dial: wrong number/debtor unknown
112: Manual dial: not in service
113: Dialer: transfer to operator
114: Dialer: unknown call result
115: Dialer: transfer-operator, wrong number
116: Dialer: answered, hung up
117: Dialer: answered, system terminated
118: Dialer: answered, voice mail
119: Dialer: no answer
120: Dialer: busy, no machine
121: Dialer: machine, delivered
122: Dialer: machine, not delivered
123: Dialer: fax machine detected
124: Dialer: cancelled, incomplete number
125: Dialer: cancelled, compliance reasons
126: Dialer: cancelled, do not call
127: Dialer: call failed, technical reasons
128: Dialer: cancelled broadcast or blank num
"""


def _entries(session, name):
    pick_list = session.scalar(select(PickList).where(PickList.name == name))
    assert pick_list is not None, name
    return pick_list, [(e.key, e.text) for e in pick_list.entries]


def test_call_results_are_exactly_the_seed_list(demo):
    pick_list, entries = _entries(demo, "call_results")
    expected = [(k.strip(), t.strip()) for k, t in
                (line.split(":", 1) for line in SEED_CALL_RESULTS.splitlines())]
    assert entries == expected
    assert [k for k, _ in entries] == [str(n) for n in [*range(0, 7), *range(101, 129)]]
    assert pick_list.data_type == "numeric"
    assert pick_list.system


def test_states_and_provinces(demo):
    _, entries = _entries(demo, "states")
    keys = [k for k, _ in entries]
    assert len(keys) == len(set(keys))
    us = {"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
          "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
          "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
          "VA", "WA", "WV", "WI", "WY"}
    territories = {"DC", "PR", "GU", "VI", "AS", "MP"}
    canada = {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
    assert us | territories | canada <= set(keys)
    assert all(len(k) == 2 for k in keys if k)
    assert dict(entries)["ID"] == "Idaho"


def test_every_shipped_pick_list_is_installed(demo):
    names = set(demo.scalars(select(PickList.name)))
    assert set(shipped_pick_list_files()) <= names
    assert not names & DYNAMIC_PICKLISTS


@pytest.mark.parametrize("name,expected", [
    ("debtor_modes", [("A", "Active"), ("C", "Closed"), ("X", "Archived")]),
    ("billing_periods", [("monthly", "Monthly"), ("weekly", "Weekly"), ("biweekly", "Biweekly"),
                         ("daily", "Daily")]),
])
def test_small_lists(demo, name, expected):
    assert _entries(demo, name)[1] == expected


def test_enum_backed_lists_match_the_models(demo):
    from collectdesk.models import ContactType, CosignerClass, OperatorType

    assert [k for k, _ in _entries(demo, "contact_types")[1]] == [t.value for t in ContactType]
    assert [k for k, _ in _entries(demo, "operator_types")[1]] == [t.value for t in OperatorType]
    assert [k for k, _ in _entries(demo, "rate_plan_kinds")[1]] == [k.value for k in RatePlanKind]
    assert [k for k, _ in _entries(demo, "cosigner_classes")[1]] == list(CosignerClass.ALL)


def test_metro2_lists(demo):
    classes = dict(_entries(demo, "creditor_classification")[1])
    assert list(classes) == [f"{n:02d}" for n in range(1, 16)]
    assert classes["02"] == "Medical/Health Care" and classes["11"] == "Cable/Cellular"
    statuses = [k for k, _ in _entries(demo, "cbr_account_status")[1]]
    assert statuses == ["11", "13", "61", "62", "63", "64", "65", "71", "78", "80", "82", "83",
                        "84", "88", "89", "93", "94", "95", "96", "97", "DA", "DF"]


def test_every_pck_file_parses():
    files = shipped_pick_list_files()
    assert len(files) >= 19
    for name, path in files.items():
        data_type, entries = read_pck_file(path)
        assert entries, name
        assert data_type in shipped.PICKLIST_TYPES


def test_every_model_pick_list_is_shipped_or_dynamic_and_no_file_is_orphaned():
    used = model_picklist_names()
    files = set(shipped_pick_list_files())
    missing = sorted(n for n in used if n not in files and n not in DYNAMIC_PICKLISTS)
    assert missing == [], f"fields name pick lists with no .pck file: {missing}"
    orphans = sorted(files - set(used) - EXTRA_PICKLISTS)
    assert orphans == [], f".pck files no field uses (list them in EXTRA_PICKLISTS): {orphans}"
    assert not files & DYNAMIC_PICKLISTS
    assert shipped.missing_pick_lists() == []


def test_every_key_fits_the_fields_that_use_its_list():
    from sqlalchemy import String

    files = shipped_pick_list_files()
    for mapper in Base.registry.mappers:
        for attr in mapper.column_attrs:
            column = attr.columns[0]
            name = column.info.get("picklist")
            if name not in files:
                continue
            _, entries = read_pck_file(files[name])
            if isinstance(column.type, String) and column.type.length:
                too_long = [e.key for e in entries if len(e.key) > column.type.length]
                assert too_long == [], f"{name} keys too long for {column.info.get('code')}"
            else:
                assert all(e.key.lstrip("-").isdigit() for e in entries if e.key), name


def test_parse_pck_format():
    text = ';type=numeric\n; comment\n\n"1" One\n"2"\n" "\n'
    data_type, entries = parse_pck(text, "x.pck")
    assert data_type == "numeric"
    assert entries == [("1", "One"), ("2", ""), ("", "")]
    assert parse_pck('"CA" California\n')[0] == "text"


@pytest.mark.parametrize(("text", "line", "reason"), [
    ('"CA" California\n"OR Oregon\n', 2, "unterminated key"),
    ('CA California\n', 1, "must start with its key"),
    (';type=text\n"A"\n"A" again\n', 3, "already on line 2"),
    (';type=numeric\n"X" Ten\n', 2, "not a whole number"),
    (';type=colour\n"1"\n', 1, "unknown type"),
    ('"1"\n;type=numeric\n', 2, "must be the first line"),
    (';type=date\n"13/45/2024"\n', 2, "not a date"),
])
def test_parse_pck_errors_name_file_and_line(text, line, reason):
    with pytest.raises(PickListFileError) as excinfo:
        parse_pck(text, "broken.pck")
    assert excinfo.value.line == line
    assert str(excinfo.value).startswith(f"broken.pck line {line}: ")
    assert reason in str(excinfo.value)


def test_date_and_currency_keys():
    assert parse_pck(';type=date\n"01/31/2024"\n"2024-02-29"\n')[1][1].key == "2024-02-29"
    assert parse_pck(';type=currency\n"12.50" Twelve fifty\n')[1][0].text == "Twelve fifty"
    with pytest.raises(PickListFileError):
        parse_pck(';type=percent\n"ten"\n')


# --- Contact plans ------------------------------------------------------------------------------

EVENT_DEFAULTS = dict(description="", assign=Assign.ACCOUNT_OPERATOR, operator_id="", priority=0,
                      use_delay_days=False, delay_days=0, use_day_of_month=False, day_of_month=0,
                      next_month_same_day=False, use_delay_minutes=False, delay_minutes=0,
                      timeless=False, time_of_day=None, prompt_to_confirm=False,
                      delete_same_type=False, same_description_only=False, print_now=False,
                      schedule_if_field="", transaction_type="", attachment="")


def _event(type_, **switches):
    return {**EVENT_DEFAULTS, "type": type_, **switches}


EXPECTED_PLANS = {
    "NEW": ("New Business", True, [
        _event("Status", description="NEW", timeless=True),
        _event("Letter", description="Letter 1", priority=10, timeless=True),
        _event("Phone", description="Home", use_delay_days=True, delay_days=10, priority=30,
               timeless=True),
        _event("Letter", description="Letter 2", use_delay_days=True, delay_days=30, priority=20,
               timeless=True),
        _event("Letter", description="Letter 3", use_delay_days=True, delay_days=60, priority=30,
               timeless=True),
    ]),
    "CLO": ("Close File", True, [
        _event("Close", timeless=True),
        _event("Note", description="File closed", timeless=True),
    ]),
    "C0": ("Call In 15 Minutes", False, [
        _event("Phone", description="Home", priority=90, use_delay_minutes=True, delay_minutes=15,
               timeless=True),
        _event("Note", description="Busy, call again in 15 minutes", timeless=True),
    ]),
    "L1": ("Letter 1 - Today", False, [
        _event("Letter", description="Series 3 - Letter 1", prompt_to_confirm=True,
               delete_same_type=True, timeless=True),
        _event("Review", description="Letter sent recently. Any response?", use_delay_days=True,
               delay_days=14, priority=25, prompt_to_confirm=True, delete_same_type=True,
               same_description_only=True, timeless=True),
    ]),
    "REV": ("Review", False, [
        _event("Review", description="Review file...", priority=30, prompt_to_confirm=True,
               delete_same_type=True, timeless=True),
    ]),
    "C": ("Prompt to plan call", False, [
        _event("Phone", description="Home", prompt_to_confirm=True, timeless=True),
    ]),
}


@pytest.mark.parametrize("code", list(EXPECTED_PLANS))
def test_sample_contact_plan(demo, code):
    description, delete_all, events = EXPECTED_PLANS[code]
    plan = demo.scalar(select(ContactPlan).where(ContactPlan.code == code))
    assert plan is not None
    assert plan.description == description
    assert plan.delete_all_pending is delete_all
    assert plan.prompt_before_deleting is False and plan.prompt_for_start_date is False
    assert len(plan.events) == len(events)
    for seq, (event, expected) in enumerate(zip(plan.events, events, strict=True), start=1):
        assert event.seq == seq
        actual = {name: getattr(event, name) for name in expected}
        assert actual == expected, f"{code} event {seq}"


def test_contact_plans_are_in_the_master_database_too(master):
    assert set(master.scalars(select(ContactPlan.code))) == set(EXPECTED_PLANS)


# --- Commission rate plans ----------------------------------------------------------------------

AGE = [("0", "60", "10"), ("61", "90", "15"), ("91", "120", "20"), ("121", "150", "30"),
       ("151", "365", "40"), ("366", "9999999", "50")]
DAYS = [("0", "14", "10"), ("15", "30", "15"), ("31", "60", "20"), ("61", "90", "25"),
        ("91", "365", "35"), ("366", "99999999", "50")]
EXPECTED_RATE_PLANS = {
    "AGEC": (RatePlanKind.AGE_CHARGED, AGE),
    "AGED": (RatePlanKind.AGE_DELINQUENT, AGE),
    "LIST": (RatePlanKind.LIST_AMOUNT, [
        ("0", "100", "50"), ("100.01", "500", "45"), ("500.01", "1000", "40"),
        ("1000.01", "5000", "30"), ("5000.01", "20000", "25"), ("20000.01", "999999", "20")]),
    "PAYA": (RatePlanKind.PAYMENT_AMOUNT, [
        ("0.01", "100", "50"), ("100.01", "500", "40"), ("500.01", "1000", "35"),
        ("1000.01", "5000", "30"), ("5000.01", "10000", "25"), ("10000.01", "999999", "15")]),
    "PTD": (RatePlanKind.PAID_TO_DATE, [
        ("0", "2000", "25"), ("2000.01", "5000", "20"), ("5000.01", "10000", "15"),
        ("10000.01", "20000", "13"), ("20000.01", "50000", "11"), ("50000.01", "99999999", "10")]),
    "REMB": (RatePlanKind.REMAINING_BALANCE, [
        ("0", "50", "40"), ("50.01", "500", "35"), ("500.01", "1000", "30"),
        ("1000.01", "2000", "25"), ("2000.01", "5000", "20"), ("5000.01", "99999", "15")]),
    "PDL": (RatePlanKind.DAYS_FROM_LISTING, DAYS),
    "PDC": (RatePlanKind.DAYS_FROM_CHARGED, DAYS),
    "PDD": (RatePlanKind.DAYS_FROM_DELINQUENT, DAYS),
}


@pytest.mark.parametrize("code", list(EXPECTED_RATE_PLANS))
def test_sample_rate_plan(demo, code):
    kind, tiers = EXPECTED_RATE_PLANS[code]
    plan = demo.scalar(select(CommissionRatePlan).where(CommissionRatePlan.code == code))
    assert plan is not None and plan.kind == kind.value and plan.description
    actual = [(t.range_from, t.range_to, t.rate) for t in plan.tiers]
    assert actual == [(Decimal(a), Decimal(b), Decimal(r)) for a, b, r in tiers]
    assert [t.seq for t in plan.tiers] == list(range(1, len(tiers) + 1))
    for tier in plan.tiers:
        assert isinstance(tier.range_from, Decimal) and isinstance(tier.rate, Decimal)
        assert tier.min_commission is None and tier.max_commission is None


def test_rate_plan_tiers_do_not_overlap():
    for spec in shipped.RATE_PLANS:
        bounds = [(Decimal(a), Decimal(b)) for a, b, _ in spec.tiers]
        for (lo, hi), (next_lo, _) in zip(bounds, bounds[1:]):
            assert lo <= hi < next_lo, spec.code


# --- Operators, company, preferences ------------------------------------------------------------

EXPECTED_OPERATORS = {"OWN": ("SYSTEM", 10), "SYS": ("SYSTEM", 90), "MGR": ("SYSTEM", 50),
                      "SC": ("COLLECTOR", 30), "99": ("SYSTEM", 99)}


def test_operators(demo):
    operators = {o.id: o for o in demo.scalars(select(Operator))}
    assert {i: (o.type, o.user_level) for i, o in operators.items()} == EXPECTED_OPERATORS
    assert all(o.name for o in operators.values())


def test_demo_passwords_are_the_lower_case_id_salted_and_hashed(demo):
    salts = set()
    for operator in demo.scalars(select(Operator)):
        password = operator.id.lower()
        stored = operator.password_hash
        assert verify_password(password, stored)
        assert not verify_password(password + "x", stored)
        assert stored != password
        fields = stored.split("$")
        assert fields[0] == "scrypt"
        assert password not in fields and operator.id not in fields
        salts.add(fields[4])
        assert not operator.must_set_password
    assert len(salts) == len(EXPECTED_OPERATORS)  # salted: no two hashes share a salt


def test_master_operators_must_set_a_password(master):
    operators = list(master.scalars(select(Operator)))
    assert {o.id for o in operators} == set(EXPECTED_OPERATORS)
    for operator in operators:
        assert operator.password_hash == ""
        assert operator.must_set_password
        assert not verify_password(operator.id.lower(), operator.password_hash)


def test_company_details(demo, master):
    demo_company = demo.scalars(select(CompanyDetails)).all()
    assert len(demo_company) == 1
    assert demo_company[0].name and demo_company[0].name != "Your Company Name"
    assert demo_company[0].city and demo_company[0].state and demo_company[0].zip
    master_company = master.scalars(select(CompanyDetails)).all()
    assert [c.name for c in master_company] == ["Your Company Name"]


def test_system_preferences(demo):
    rows = demo.scalars(select(Preferences)).all()
    assert len(rows) == 1
    prefs = rows[0]
    assert prefs.operator_id is None
    assert prefs.schedule_on_weekends is False
    assert prefs.prompt_before_dialing is True
    assert prefs.wip_sort == "priority"
    assert prefs.cache_contact_plans is False
    for name in shipped.SYSTEM_PREFERENCES:
        assert getattr(prefs, name) is not None, name


# --- Idempotence and top-up ---------------------------------------------------------------------

COUNTED = (TransactionType, StatusCode, PickList, PickListEntry, ContactPlan, PlanEvent,
           CommissionRatePlan, Operator, CompanyDetails, Preferences)


def _counts(session):
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def test_installing_twice_adds_nothing(tmp_path):
    engine, factory = _new_database(tmp_path, "twice", demo=True)
    with factory() as session:
        before = _counts(session)
        hash_before = session.get(Operator, "OWN").password_hash
        report = install_missing_rows(session, demo=True)
        session.commit()
        assert not report.added_anything()
        assert _counts(session) == before
        assert session.get(Operator, "OWN").password_hash == hash_before
    engine.dispose()


def test_top_up_of_an_older_database_keeps_what_managers_changed(tmp_path):
    engine, factory = _new_database(tmp_path, "older", demo=False)
    with factory() as session:
        session.delete(session.get(TransactionType, "1083"))
        session.delete(session.get(StatusCode, "TCN"))
        session.delete(session.scalar(select(PickList).where(PickList.name == "states")))
        session.delete(session.scalar(select(ContactPlan).where(ContactPlan.code == "REV")))
        session.get(TransactionType, "101").description = "Cheque Payment"
        session.get(TransactionType, "194").system_reserved = False
        session.get(StatusCode, "ACT").wip_priority = 55
        session.scalar(select(Preferences)).wip_sort = None
        session.commit()

        report = install_missing_rows(session, demo=False)
        session.commit()
        assert report.transaction_types == ["1083"]
        assert report.status_codes == ["TCN"]
        assert report.pick_lists == ["states"]
        assert report.contact_plans == ["REV"]
        assert report.operators == [] and not report.company and not report.preferences
        assert session.get(TransactionType, "101").description == "Cheque Payment"
        assert session.get(TransactionType, "194").system_reserved
        assert session.get(StatusCode, "ACT").wip_priority == 55
        assert session.scalar(select(Preferences)).wip_sort == "priority"
    engine.dispose()


def test_each_spec_has_its_values_spelled_out():
    for spec in shipped.TRANSACTION_TYPES:
        values = shipped.transaction_type_values(spec)
        assert isinstance(values["to_agency_amount"], Decimal)
        assert isinstance(values["percent_value"], Decimal)
    assert len({s.code for s in shipped.TRANSACTION_TYPES}) == len(shipped.TRANSACTION_TYPES)


def test_no_qt_in_the_engine():
    # In a fresh interpreter: pytest-qt has already imported PySide6 into this one.
    import subprocess
    import sys

    code = ("import sys, collectdesk.engine.shipped; "
            "sys.exit(any(m.startswith('PySide6') for m in sys.modules))")
    root = Path(__file__).resolve().parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
