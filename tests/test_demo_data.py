"""Demo content (issue 2, item 7) and the fake people it is made of."""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections import Counter
from decimal import Decimal

import phonenumbers
import pytest
from phonenumbers import geocoder
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from collectdesk.db import make_engine, session_factory
from collectdesk.engine.demo import DEMO_CLIENTS, build_demo
from collectdesk.engine.fakedata import FakeData, tables
from collectdesk.engine.shipped import install_system_rows
from collectdesk.models import (
    Base,
    Client,
    ClientSettings,
    CompanyDetails,
    Contact,
    Cosigner,
    Debtor,
    Email,
    Note,
    Phone,
    Transaction,
)

TODAY = dt.date(2026, 11, 22)


def _fresh(path) -> Session:
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    session = session_factory(engine)()
    install_system_rows(session, demo=True)
    session.commit()
    return session


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    session = _fresh(tmp_path_factory.mktemp("demo") / "demo.db")
    started = time.perf_counter()
    summary = build_demo(session, seed=2026, today=TODAY)
    session.commit()
    elapsed = time.perf_counter() - started
    yield session, summary, elapsed
    bind = session.get_bind()
    session.close()
    bind.dispose()


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_builds_quickly_and_reports_what_it_added(demo) -> None:
    session, summary, elapsed = demo
    assert elapsed < 10
    assert summary.debtors == _count(session, Debtor) >= 300
    assert summary.clients == len(DEMO_CLIENTS) >= 5
    assert set(summary.operators_added) >= {"JC", "AB", "KM"}


def test_client_figures_are_recalculated(demo) -> None:
    """The Client form's Figures show the accounts listed with each client, not zeros."""
    session, _summary, _ = demo
    for client in session.scalars(select(Client)):
        listed = _count(session, Debtor, Debtor.client_id == client.id)
        assert client.accounts == listed, client.name
        if listed:
            assert client.listed > 0, client.name


def test_company_details_are_filled(demo) -> None:
    session, _summary, _ = demo
    company = session.scalar(select(CompanyDetails))
    for field in ("name", "address", "city", "state", "zip", "phone", "email", "representative"):
        assert getattr(company, field), field


def test_clients_have_different_settings(demo) -> None:
    session, _summary, _ = demo
    rows = session.execute(select(Client, ClientSettings).join(ClientSettings)).all()
    assert len(rows) >= 5
    settings = [s for _c, s in rows]
    remits = {"gross" if s.remit_gross else "combined" if s.remit_combined else "net"
              for s in settings}
    assert remits == {"net", "gross", "combined"}
    assert any(s.rate_plan for s in settings)
    assert any(s.tax_rate > 0 for s in settings)
    assert any(s.tax_exempt for s in settings)
    assert {s.fixed_fee_mode for s in settings} >= {"client", "debtor"}
    assert all(s.fixed_fee_amount > 0 for s in settings if s.fixed_fee_mode != "none")
    owned = [c for c, _s in rows if c.owned_by_id]
    assert owned and all(session.get(Client, c.owned_by_id) is not None for c in owned)
    assert len({s.commission_rate for s in settings}) >= 4
    # every client has business
    per_client = dict(session.execute(
        select(Debtor.client_id, func.count()).group_by(Debtor.client_id)).all())
    assert set(per_client) == {c.id for c, _s in rows}


def test_debtors_look_real(demo) -> None:
    session, _summary, _ = demo
    debtors = session.scalars(select(Debtor)).all()
    name = re.compile(r"^[A-Z][A-Za-z' -]+, [A-Z][a-z]+( [A-Z][a-z]*)?$")
    assert all(name.match(d.name) for d in debtors), \
        [d.name for d in debtors if not name.match(d.name)][:5]
    assert len({d.name for d in debtors}) > 0.95 * len(debtors)
    assert all(d.address and d.city and d.state and re.fullmatch(r"\d{5}", d.zip) for d in debtors)
    assert all(d.home_phone for d in debtors)
    assert sum(bool(d.cell_phone) for d in debtors) > 0.6 * len(debtors)
    assert sum(bool(d.work_phone) for d in debtors) > 0.25 * len(debtors)
    assert sum(bool(d.email) for d in debtors) > 0.7 * len(debtors)
    ssn = re.compile(r"^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$")
    assert all(ssn.match(d.ssn) for d in debtors)
    assert all(d.birth_date and 18 <= (TODAY - d.birth_date).days / 365.25 <= 90 for d in debtors)
    assert all(d.delinquent_date < d.charged_date < d.listed_date <= TODAY for d in debtors)
    modes = Counter(d.mode for d in debtors)
    assert modes["A"] > modes["C"] > 0
    assert len({d.status for d in debtors}) >= 5
    assert {d.operator_id for d in debtors} >= {"SC", "JC", "AB", "KM"}
    assert all(d.sales_id for d in debtors)
    assert len({(d.client_id, d.account) for d in debtors}) == len(debtors)
    # settings copied from the client when the account was entered
    settings = {s.client_id: s for s in session.scalars(select(ClientSettings))}
    assert all(d.commission_rate == settings[d.client_id].commission_rate for d in debtors)


def test_phones_are_mixed_formats_with_digits(demo) -> None:
    session, _summary, _ = demo
    phones = session.scalars(select(Phone)).all()
    assert all(p.digits == re.sub(r"\D", "", p.number) for p in phones)
    layouts = {re.sub(r"\d", "9", p.number) for p in phones}
    assert layouts >= {"999-999-9999", "(999) 999-9999", "999.999.9999", "9999999999",
                       "9-999-999-9999"}  # the last one typed 1-NPA-NXX-XXXX
    # the Phone records mirror the debtor's own phone fields
    by_debtor: dict[int, set[tuple[str, str]]] = {}
    for p in phones:
        if p.debtor_id is not None:
            by_debtor.setdefault(p.debtor_id, set()).add((p.kind, p.number))
    for d in session.scalars(select(Debtor)):
        expected = {(k, n) for k, n in (("home", d.home_phone), ("work", d.work_phone),
                                        ("cell", d.cell_phone)) if n}
        assert by_debtor[d.id] == expected
    assert any(p.cosigner_id for p in phones)


def test_emails_mirror_the_debtor(demo) -> None:
    session, _summary, _ = demo
    emails = {e.debtor_id: e for e in session.scalars(select(Email))}
    for d in session.scalars(select(Debtor)):
        if d.email:
            assert emails[d.id].address == d.email
            assert emails[d.id].address_lower == d.email.lower()
        else:
            assert d.id not in emails
    assert all(e.address.split("@")[1].lower().endswith(("example.com", "example.net",
                                                           "example.org")) for e in emails.values())


def test_cosigners_on_about_a_tenth(demo) -> None:
    session, summary, _ = demo
    n = _count(session, Cosigner)
    assert 0.04 * summary.debtors <= n <= 0.18 * summary.debtors
    assert all(c.name and c.debtor_id and c.relationship_to_debtor
               for c in session.scalars(select(Cosigner)))


def test_transactions(demo) -> None:
    session, summary, _ = demo
    codes = Counter(session.scalars(select(Transaction.type_code)))
    assert codes["196"] == summary.debtors
    assert all(t.to_us < 0 and t.posted_date for t in session.scalars(
        select(Transaction).where(Transaction.type_code == "196")))
    payments = session.scalars(select(Transaction).where(
        Transaction.financial_type == 1, Transaction.posted_date.is_not(None))).all()
    assert {t.type_code for t in payments} >= {"101", "102", "109"}
    assert all(t.to_us + t.direct > 0 for t in payments)
    paying = {t.debtor_id for t in payments}
    assert 0.35 * summary.debtors <= len(paying) <= 0.7 * summary.debtors
    assert codes["398"] > 0  # the client charging its fixed fee to the debtor
    promises = _count(session, Transaction, Transaction.posted_date.is_(None))
    assert promises > 0


def test_totals_agree_with_the_transactions(demo) -> None:
    session, _summary, _ = demo
    sums = dict(session.execute(text(
        "SELECT debtor_id, SUM(CASE WHEN financial_type IN (2, 4, 8, 16) THEN -(to_us + direct) "
        "WHEN financial_type IN (1, 32) THEN -(to_us + direct) ELSE 0 END) "
        "FROM transactions WHERE posted_date IS NOT NULL GROUP BY debtor_id")).all())
    for d in session.scalars(select(Debtor)):
        accrued = d.interest_detail.accrued_interest if d.interest_detail else Decimal(0)
        assert d.owing == Decimal(str(round(sums[d.id], 2))).quantize(Decimal("0.01")) + accrued
        assert d.owing == d.principal + d.interest + d.fees + d.legal_costs - d.paid - d.adjustments
    assert session.scalar(select(func.sum(Debtor.paid))) > 0


def test_notes_and_contacts(demo) -> None:
    session, summary, _ = demo
    assert _count(session, Note) >= summary.debtors
    assert all(n.noted_at and n.text and n.operator_id for n in session.scalars(select(Note)))
    open_ = session.scalars(select(Contact).where(Contact.done.is_(False))).all()
    per_operator = Counter(c.operator_id for c in open_)
    assert len([op for op, n in per_operator.items() if n >= 10]) >= 3
    types = {c.type for c in open_}
    assert {"Phone", "Review", "Promise"} <= types
    dues = [c.due_date for c in open_ if c.type in ("Phone", "Review", "Promise", "Other")]
    assert any(d < TODAY for d in dues) and any(d == TODAY for d in dues) \
        and any(d > TODAY for d in dues)
    done = _count(session, Contact, Contact.done.is_(True))
    assert done > len(open_)
    # every active account is in someone's WIP list (no orphans)
    active = set(session.scalars(select(Debtor.id).where(Debtor.mode == "A")))
    in_wip = {c.debtor_id for c in open_ if c.type in ("Phone", "Review", "Promise", "Other")}
    assert active == in_wip


def test_same_seed_same_demo(tmp_path) -> None:
    names = []
    for n in range(2):
        session = _fresh(tmp_path / f"d{n}.db")
        build_demo(session, seed=2026, today=TODAY)
        session.commit()
        names.append(session.scalars(select(Debtor.name).order_by(Debtor.id)).all())
        bind = session.get_bind()
        session.close()
        bind.dispose()
    assert names[0] == names[1]


# -- fake people ----------------------------------------------------------------------------------

def test_cities_phone_area_and_zip_agree_with_the_state() -> None:
    t = tables()
    assert len(t.states) == 51
    assert {c.state for c in t.city_list} == set(t.states)
    for city in t.city_list:
        for code in city.area_codes:
            number = phonenumbers.parse(f"+1{code}2345678")
            where = geocoder.description_for_number(number, "en")
            assert t.states[city.state] in where or f", {city.state}" in where \
                or (city.state == "DC" and "Washington" in where), (city, code, where)


def test_fake_data_is_deterministic_and_mixed() -> None:
    a = [FakeData(random.Random(7), TODAY).person() for _ in range(3)]
    b = [FakeData(random.Random(7), TODAY).person() for _ in range(3)]
    assert a == b
    fd = FakeData(random.Random(1), TODAY)
    people = [fd.person() for _ in range(5000)]
    lasts = Counter(p.last for p in people)
    assert lasts.most_common(1)[0][0] in ("Smith", "Johnson", "Williams")
    assert len(lasts) > 500
    assert len({p.state for p in people}) >= 45
    for p in people[:500]:
        for number, digits in ((p.home_phone, p.home_digits), (p.cell_phone, p.cell_digits)):
            assert digits == re.sub(r"\D", "", number)


def test_one_account_fills_every_tab_of_the_debtor_form(demo) -> None:
    """The showcase account: a new user (and the README's screenshots) see every tab in use."""
    from collectdesk.models import Address, Attachment

    session, _summary, _ = demo
    debtor = session.scalar(select(Debtor).join(Attachment, Attachment.debtor_id == Debtor.id)
                            .order_by(Debtor.id).limit(1))
    assert debtor is not None
    for model in (Contact, Note, Transaction, Cosigner, Attachment, Phone, Email, Address):
        assert _count(session, model, model.debtor_id == debtor.id), model.__name__
    assert debtor.detail.clerk_id and debtor.detail.bank_name
    assert debtor.interest_detail.interest_type == "simple" and debtor.interest > 0
    assert debtor.credit_report.report
    assert _count(session, Transaction, Transaction.debtor_id == debtor.id,
                  Transaction.financial_type == 4), "a fee for the Fees tab"
    group = session.scalars(select(Debtor).where(Debtor.group_id == debtor.group_id)
                            .order_by(Debtor.group_member)).all()
    assert [d.group_member for d in group] == [1, 2] and group[0] is debtor
    assert {d.name for d in group} == {debtor.name} and group[1].client_id != debtor.client_id
    assert group[1].owing == Decimal("2480.00")
