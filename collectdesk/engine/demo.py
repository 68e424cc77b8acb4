"""The demo content of ``demodb``: an agency with real-looking clients, accounts and a day's work.

:func:`build_demo` adds it to a database that already holds the shipped system rows.  It is
deterministic (a fixed seed, no network) and every date is relative to ``today``, so the demo
always shows overdue, due-today and future contacts in the collectors' WIP lists.

What it adds:

* the agency's Company Details (filled where the shipped row left blanks);
* collectors JC, AB and KM beside the shipped SC (password: the lower-case ID, hashed);
* six clients whose Client Settings differ: net, gross and combined remittance, a commission
  rate plan, tax and a tax-exempt client, a fixed fee charged to the client (397) and one
  charged to the debtor (398), and a branch owned by another client;
* 320 accounts told the same way as the bulk generator tells them
  (:mod:`collectdesk.engine.generate`): names, addresses, phones typed in mixed formats with
  their Phone records, emails with their Email records, cosigners, an Original Principal,
  payments, fees and promises, notes, and contacts In Progress and completed;
* one showcase account that fills every tab of the Debtor form: its detail (clerk, bank),
  simple interest, credit reporting, attachments, a prior address and a second account of the
  same person at another client, grouped with it;
* three payment plans (a down payment and monthly payments, a late fee when one is missed),
  one of them with its first payment kept, so Daily Administration ▸ Payment Plans and the
  Promise contacts in the WIP lists have something to show;
* the debtor totals, recalculated by the financial engine.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Numeric, func, insert, select
from sqlalchemy.orm import Session

from ..models import (
    Address,
    Attachment,
    Base,
    Client,
    ClientSettings,
    CommissionRatePlan,
    CompanyDetails,
    Contact,
    Cosigner,
    CreditReport,
    Debtor,
    DebtorDetail,
    DebtorGroup,
    Email,
    InterestDetail,
    Note,
    Operator,
    OperatorType,
    Phone,
    StatusCode,
    Transaction,
    TransactionType,
)
from .generate import (
    BULK_TABLES,
    CLIENT_KINDS,
    ClientPlan,
    Context,
    _ChunkMaker,
    _types_from_session,
    next_free_ids,
    with_ids,
)
from .client_recalc import recalc_clients
from .passwords import hash_password
from .recalc import recalc_all
from .records import phone_digits
from .shipped import DEMO_COMPANY

DEMO_ACCOUNTS = 320
DEMO_COLLECTORS = (("SC", "Senior Collector"), ("JC", "Janet Collins"), ("AB", "Alan Brooks"),
                   ("KM", "Karen Mills"))

# The demo company is shipped.DEMO_COMPANY; the demo only fills what it leaves blank.
COMPANY_EXTRAS: dict[str, Any] = {
    "phone_ext": "100",
    "cell": "(214) 555-0144",
    "taxation_number": "75-1234567",
}


@dataclass(frozen=True)
class DemoClient:
    """One demo client: its record, its settings and how much business it places."""

    name: str
    city: str
    state: str
    zip: str
    phone: str
    contact: str
    classification: str  # creditor_classification
    kind: int  # CLIENT_KINDS index (amounts, debtor type)
    remit: str  # net | gross | combined
    commission_rate: str
    rate_plan: str
    tax_rate: str
    tax_exempt: bool
    fixed_fee_mode: str  # none | client | debtor
    fixed_fee: str
    owned_by: int | None  # index in DEMO_CLIENTS
    weight: float
    sales_id: str


DEMO_CLIENTS: tuple[DemoClient, ...] = (
    DemoClient("Mercy Regional Medical Center", "Fort Worth", "TX", "76104", "817-555-0110",
               "Linda Ortiz", "02", 0, "net", "33.333", "", "0.000", False, "client", "10.00",
               None, 3.0, "MGR"),
    DemoClient("First Prairie Bank", "Wichita", "KS", "67202", "(316) 555-0120",
               "Robert Hale", "08", 3, "gross", "25.000", "PTD", "7.000", False, "none", "0.00",
               None, 2.0, "MGR"),
    DemoClient("Lakeside Property Management", "Madison", "WI", "53703", "608.555.0130",
               "Karen Vogel", "09", 6, "combined", "35.000", "", "8.250", False, "debtor",
               "25.00", None, 2.0, "SC"),
    DemoClient("Valley Water & Power", "Fresno", "CA", "93721", "5595550140",
               "Miguel Serrano", "10", 1, "net", "20.000", "AGEC", "6.250", True, "none", "0.00",
               None, 1.5, "MGR"),
    DemoClient("Mercy Urgent Care - North Campus", "Fort Worth", "TX", "76131", "817-555-0150",
               "Linda Ortiz", "02", 0, "net", "33.333", "", "0.000", False, "none", "0.00",
               0, 1.0, "MGR"),
    DemoClient("Northstar Auto Finance", "Columbus", "OH", "43215", "1-614-555-0160",
               "Dwayne Fisher", "14", 5, "gross", "30.000", "REMB", "5.000", False, "none",
               "0.00", None, 1.5, "SC"),
)


@dataclass
class DemoSummary:
    clients: int = 0
    debtors: int = 0
    cosigners: int = 0
    transactions: int = 0
    contacts: int = 0
    contacts_in_progress: int = 0
    notes: int = 0
    phones: int = 0
    emails: int = 0
    operators_added: tuple[str, ...] = ()
    seconds: float = 0.0


def build_demo(session: Session, *, seed: int = 2026, today: dt.date = dt.date(2026, 11, 22)
               ) -> DemoSummary:
    """Add the demo content (system rows must exist).  Flushes; the caller commits."""
    started = time.perf_counter()
    summary = DemoSummary()
    _fill_company(session)
    summary.operators_added = _add_collectors(session)
    plans = _add_clients(session)
    summary.clients = len(plans)
    session.flush()

    next_ids = next_free_ids(session.connection())
    statuses = frozenset(session.scalars(select(StatusCode.code)))
    ctx = Context(seed=seed, today=today, first_file_number=next_ids["debtors"],
                  clients=tuple(plans), collectors=tuple(op for op, _ in DEMO_COLLECTORS),
                  types=_types_from_session(session), statuses=statuses)
    chunk = _ChunkMaker(ctx).make(0, 0, DEMO_ACCOUNTS)
    counts = _insert(session, chunk, next_ids)
    summary.debtors = counts.get("debtors", 0)
    summary.cosigners = counts.get("cosigners", 0)
    summary.transactions = counts.get("transactions", 0)
    summary.contacts = counts.get("contacts", 0)
    summary.notes = counts.get("notes", 0)
    summary.phones = counts.get("phones", 0)
    summary.emails = counts.get("emails", 0)
    _bump_autoincrement(session)
    session.flush()
    for added in (_add_showcase(session, today), _add_payment_plans(session, today)):
        summary.debtors += added.debtors
        summary.transactions += added.transactions
        summary.contacts += added.contacts
        summary.notes += added.notes
        summary.phones += added.phones
        summary.emails += added.emails
        session.flush()
    summary.contacts_in_progress = session.scalar(
        select(func.count()).select_from(Contact).where(Contact.done.is_(False))) or 0
    recalc_all(session, today=today)
    recalc_clients(session, today=today)
    session.flush()
    summary.seconds = time.perf_counter() - started
    return summary


# -- pieces ----------------------------------------------------------------------------------

def _fill_company(session: Session) -> None:
    company = session.scalar(select(CompanyDetails).order_by(CompanyDetails.id).limit(1))
    if company is None:
        company = CompanyDetails()
        session.add(company)
    for name, value in {**DEMO_COMPANY, **COMPANY_EXTRAS}.items():
        if not getattr(company, name, None):
            setattr(company, name, value)
    if not company.commission_rate:
        company.commission_rate = Decimal("30.000")
    if not company.tax_rate:
        company.tax_rate = Decimal("0.000")


def _add_collectors(session: Session) -> tuple[str, ...]:
    existing = {o.lower() for o in session.scalars(select(Operator.id))}
    added = []
    for n, (op_id, name) in enumerate(DEMO_COLLECTORS):
        if op_id.lower() in existing:
            continue
        session.add(Operator(
            id=op_id, name=name, title="Collector", type=OperatorType.COLLECTOR.value,
            user_level=20, password_hash=hash_password(op_id.lower()),
            email=f"{op_id.lower()}@summitrecovery.example", extension=str(201 + n),
        ))
        added.append(op_id)
    return tuple(added)


def _add_clients(session: Session) -> list[ClientPlan]:
    rate_plans = set(session.scalars(select(CommissionRatePlan.code)))
    made: list[tuple[Client, DemoClient]] = []
    for spec in DEMO_CLIENTS:
        settings = ClientSettings(
            billing_period="monthly",
            remit_gross=spec.remit == "gross",
            remit_combined=spec.remit == "combined",
            tax_exempt=spec.tax_exempt,
            report_to_bureaus=spec.kind in (3, 5),
            fixed_fee_mode=spec.fixed_fee_mode,
            fixed_fee_amount=Decimal(spec.fixed_fee),
            commission_rate=Decimal(spec.commission_rate),
            rate_plan=spec.rate_plan if spec.rate_plan in rate_plans else "",
            tax_rate=Decimal(spec.tax_rate),
            currency="USD",
            sales_id=spec.sales_id,
            operator_id="SC",
            new_account_plan="NEW",
        )
        slug = "".join(ch for ch in spec.name.lower() if ch.isalpha())[:16]
        client = Client(
            name=spec.name, contact=spec.contact, address=f"{100 + 37 * len(made)} Main St",
            city=spec.city, state=spec.state, zip=spec.zip, country="US", phone=spec.phone,
            email=f"billing@{slug}.example", type=spec.classification, status="A",
            run_plan="", settings=settings,
        )
        session.add(client)
        made.append((client, spec))
    session.flush()
    for client, spec in made:
        if spec.owned_by is not None:
            client.owned_by_id = made[spec.owned_by][0].id
    plans = []
    for client, spec in made:
        letters = "".join(w[0] for w in spec.name.split() if w[0].isalpha())[:3].upper()
        settings = client.settings
        assert settings is not None
        plans.append(ClientPlan(
            id=client.id, prefix=letters, kind=spec.kind,
            commission_rate=spec.commission_rate, rate_plan=settings.rate_plan,
            tax_rate=spec.tax_rate, tax_exempt=spec.tax_exempt,
            fixed_fee_mode=spec.fixed_fee_mode, fixed_fee_cents=int(Decimal(spec.fixed_fee) * 100),
            sales_id=spec.sales_id, weight=spec.weight,
        ))
    assert len(CLIENT_KINDS) > max(s.kind for s in DEMO_CLIENTS)
    return plans


#: The showcase account's client (rent arrears: a fee to the debtor, tax, combined remittance)
#: and the client of the second account of the same person.
SHOWCASE_CLIENT = "Lakeside Property Management"
SHOWCASE_SECOND_CLIENT = "Northstar Auto Finance"


#: The demo's payment plans: (days before today the schedule started, monthly payments,
#: down payment); the first one's down payment was kept.
DEMO_PAYMENT_PLANS = ((45, 4, Decimal("50.00")), (20, 3, Decimal("0")), (5, 6, Decimal("25.00")))


def _add_payment_plans(session: Session, today: dt.date) -> DemoSummary:
    """Payment schedules on a few active accounts that owe enough for one, each a few
    scheduled promises with their Promise contacts for the account's collector."""
    from .payment_plans import create_payment_plan, keep_promise

    accounts = session.scalars(
        select(Debtor).where(Debtor.status == "ACT", Debtor.owing >= 600, Debtor.operator_id != "",
                             Debtor.judgement_date.is_(None))
        .order_by(Debtor.id).limit(len(DEMO_PAYMENT_PLANS))).all()
    added = DemoSummary()
    for i, (debtor, (days, count, down)) in enumerate(zip(accounts, DEMO_PAYMENT_PLANS,
                                                          strict=False)):
        start = today - dt.timedelta(days=days)
        schedule = create_payment_plan(session, debtor, start=start, count=count,
                                       down_payment=down, late_fee=Decimal("15.00"),
                                       operator=debtor.operator_id, today=today)
        added.transactions += len(schedule.payments)
        added.contacts += len(schedule.payments)
        if i == 0:
            keep_promise(session, schedule.payments[0].transaction, posted_date=start,
                         operator=debtor.operator_id, today=today)
            added.transactions += 1
    return added


def _add_showcase(session: Session, today: dt.date) -> DemoSummary:
    """One account with something on every tab, so that a new user (and the README's
    screenshots) see what each tab is for."""
    clients = {c.name: c for c in session.scalars(select(Client))}
    home, second = clients[SHOWCASE_CLIENT], clients[SHOWCASE_SECOND_CLIENT]
    debtor = session.scalar(
        select(Debtor).join(Cosigner, Cosigner.debtor_id == Debtor.id)
        .where(Debtor.client_id == home.id, Debtor.status == "ACT", Debtor.email != "",
               Debtor.cell_phone != "").order_by(Debtor.id).limit(1))
    if debtor is None:
        return DemoSummary()
    listed = debtor.listed_date or today
    debtor.detail = DebtorDetail(
        clerk_id="JC", bank_name="First Prairie Bank", bank_routing="101000695",
        bank_account="4420018816", detail1=f"Lease {debtor.account}-L",
        detail2="Moved out owing two months' rent")
    debtor.interest_detail = InterestDetail(
        interest_type="simple", annual_rate=Decimal("6.000"), calculate_from=listed,
        payment_amount=Decimal("75.00"))
    debtor.credit_report = CreditReport(
        report=True, start_reporting=listed + dt.timedelta(days=30), account_status="93",
        ecoa_code="1")
    session.add_all([
        Attachment(debtor_id=debtor.id, attachment_class="Contract", attachment_type="PDF",
                   description="Signed lease agreement", date=listed - dt.timedelta(days=400),
                   file=f"placements/{debtor.account}/lease.pdf"),
        Attachment(debtor_id=debtor.id, attachment_class="Statement", attachment_type="PDF",
                   description="Itemized move-out statement", date=listed,
                   file=f"placements/{debtor.account}/move-out.pdf"),
        Address(debtor_id=debtor.id, kind="home", address=debtor.address,
                address2=debtor.address2, city=debtor.city, state=debtor.state, zip=debtor.zip,
                country=debtor.country, address_ok=debtor.address_ok, active=True),
        Address(debtor_id=debtor.id, kind="prior", address="2210 Lakeshore Dr",
                address2="Unit 4B", city=home.city, state=home.state, zip=home.zip,
                country="US", address_ok=False, active=False),
    ])
    group = DebtorGroup(name=debtor.name)
    session.add(group)
    session.flush()
    debtor.group_id, debtor.group_member = group.id, 1
    other_listed = listed - dt.timedelta(days=120)
    other = Debtor(
        client_id=second.id, account=f"NAF{debtor.id:09d}", name=debtor.name,
        address=debtor.address, address2=debtor.address2, city=debtor.city,
        state=debtor.state, zip=debtor.zip, country=debtor.country,
        address_ok=debtor.address_ok, home_phone=debtor.home_phone,
        cell_phone=debtor.cell_phone, email=debtor.email, ssn=debtor.ssn,
        birth_date=debtor.birth_date, employer=debtor.employer, mode="A", status="ACT",
        operator_id=debtor.operator_id, sales_id="SC", type=debtor.type,
        listed_date=other_listed, charged_date=other_listed - dt.timedelta(days=95),
        delinquent_date=other_listed - dt.timedelta(days=280), group_id=group.id, group_member=2,
        commission_rate=Decimal("30.000"), tax_rate=Decimal("5.000"),
        original_principal=Decimal("2480.00"))
    session.add(other)
    session.flush()
    t196 = session.get(TransactionType, "196")
    phones = [Phone(debtor_id=other.id, kind=kind, number=number, digits=phone_digits(number))
              for kind, number in (("home", other.home_phone), ("cell", other.cell_phone))]
    session.add_all([
        Transaction(debtor_id=other.id, client_id=second.id, type_code="196",
                    description=t196.description, financial_type=t196.financial_type,
                    to_us=Decimal("-2480.00"), payment_date=other_listed,
                    posted_date=other_listed, operator_id="SYS"),
        *phones,
        Email(debtor_id=other.id, kind="home", address=other.email,
              address_lower=other.email.lower()),
        Contact(debtor_id=other.id, type="Phone", operator_id=other.operator_id, priority=30,
                due_date=today, description="Home", plan_code="NEW"),
        Note(debtor_id=other.id, noted_at=dt.datetime.combine(other_listed, dt.time(9, 0)),
             status="ACT", operator_id="SYS",
             text="New business listed; grouped with the Lakeside account of the same person"),
    ])
    return DemoSummary(debtors=1, transactions=1, contacts=1, notes=1, phones=len(phones),
                       emails=1)


_MODELS: dict[str, type[Base]] = {
    "debtors": Debtor, "cosigners": Cosigner, "transactions": Transaction, "contacts": Contact,
    "notes": Note, "phones": Phone, "emails": Email,
}


def _table(name: str) -> Any:
    return _MODELS[name].__table__


def _converter(column: Any) -> Any:
    """Generated rows hold text for dates and money (what the bulk path binds); the ORM's
    types want Python values, so the demo converts them (any database, PostgreSQL too)."""
    t = column.type
    if isinstance(t, DateTime):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(t, Date):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if isinstance(t, Numeric):
        return lambda v: None if v is None else Decimal(str(v))
    if isinstance(t, Boolean):
        return lambda v: None if v is None else bool(v)
    return None


def _insert(session: Session, chunk: dict[str, list[tuple]], next_ids: dict[str, int]
            ) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, rows in with_ids(chunk, dict(next_ids)):
        table = _table(name)
        columns = BULK_TABLES[name]
        convert = [(i, c) for i, c in enumerate(_converter(table.c[col]) for col in columns)
                   if c is not None]
        records = []
        for row in rows:
            values = list(row)
            for i, c in convert:
                values[i] = c(values[i])
            records.append(dict(zip(columns, values, strict=True)))
        session.execute(insert(table), records)
        counts[name] = len(records)
    return counts


def _bump_autoincrement(session: Session) -> None:
    """SQLite: explicit file numbers move AUTOINCREMENT's high-water mark by themselves;
    PostgreSQL: move each sequence past the ids written here."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name in BULK_TABLES:
        session.execute(
            select(func.setval(func.pg_get_serial_sequence(name, "id"),
                               select(func.max(_table(name).c.id)).scalar_subquery())))
