"""Agency-scale data: ``generate(url, accounts)`` fills a database with realistic accounts fast.

The database must already hold the schema and the shipped system rows.  The generator adds

* clients (about one per 2,000 accounts) with varied Client Settings;
* 50 collectors ``COL01`` … ``COL50`` (password ``collector``, one shared salted hash);
* debtors with names, addresses in every state, phones typed in mixed formats with their
  Phone records (digits only), SSNs, emails with their Email records;
* cosigners on about 10 % of the accounts;
* about 3 transactions per account (196 Original Principal, payments, fees, a few promises);
* 5 contacts per account (In Progress / Completed, due dates before, on and after ``today``);
* 1-2 note lines per account;

and every debtor's totals are computed with the financial engine's arithmetic core
(:func:`collectdesk.engine.recalc.compute_totals`), so a recalculation changes nothing.

Speed: rows are plain tuples made by :class:`_ChunkMaker` from a per-chunk seed (so the result
does not depend on how the work is split), in worker processes when the run is large, and
written through the raw DBAPI connection — ``executemany`` in big transactions on SQLite (with
journaling and syncing off and the secondary indexes dropped only while loading), ``COPY`` on
PostgreSQL.  Ids are allocated here, after the largest existing ones.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import marshal
import math
import multiprocessing
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ..db import make_engine, session_factory
from ..models import (
    Client,
    ClientSettings,
    CommissionRatePlan,
    FinancialType,
    Operator,
    OperatorType,
    StatusCode,
    TransactionType,
)
from .fakedata import FakeData, tables
from .recalc import DEBTOR_FIELDS, AccountTerms, compute_totals

Progress = Callable[[int, int], None]

ACCOUNTS_PER_CLIENT = 2_000
COLLECTORS = tuple(f"COL{n:02d}" for n in range(1, 51))
COLLECTOR_PASSWORD = "collector"
CHUNK = 10_000  # accounts per chunk: the unit of seeding, of work in a worker and of progress


class GenerateError(Exception):
    """The database cannot take generated data (no schema, bad URL …)."""


@dataclass
class GenerateSummary:
    url: str
    accounts: int
    seed: int
    clients: int = 0
    debtors: int = 0
    cosigners: int = 0
    transactions: int = 0
    contacts: int = 0
    notes: int = 0
    phones: int = 0
    emails: int = 0
    operators_created: int = 0
    first_file_number: int = 0
    last_file_number: int = 0
    workers: int = 0
    journal: str = ""  # SQLite: the journal mode while loading ("memory"; "wal" if shared)
    totals: str = "compute_totals per account (collectdesk.engine.recalc)"
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return (self.clients + self.debtors + self.cosigners + self.transactions + self.contacts
                + self.notes + self.phones + self.emails)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self).items()}
        data["rows"] = self.rows
        data["rows_per_second"] = round(self.rows_per_second)
        data["seconds"] = round(self.seconds, 2)
        data["phases"] = {k: round(v, 2) for k, v in self.phases.items()}
        return data


# -- what the rows look like ----------------------------------------------------------------------

DEBTOR_COLUMNS = (
    "id", "client_id", "account", "name", "generation", "address", "address2", "city", "state",
    "zip", "country", "address_ok", "home_phone", "work_phone", "cell_phone", "email", "ssn",
    "birth_date", "employer", "mode", "status", "operator_id", "sales_id", "type", "listed_date",
    "charged_date", "delinquent_date", "itemization_date", "last_worked", "created_at",
    "commission_rate", "rate_plan", "tax_rate", "tax_exempt",
    *(name for name in DEBTOR_FIELDS if name != "last_payment_date"), "last_payment_date",
)
COSIGNER_COLUMNS = (
    "id", "debtor_id", "cosigner_class", "name", "relationship_to_debtor", "address", "address2",
    "city", "state", "zip", "country", "home_phone", "cell_phone", "email", "ssn", "birth_date",
    "ecoa_code",
)
TRANSACTION_COLUMNS = (
    "id", "debtor_id", "client_id", "type_code", "description", "financial_type", "to_us",
    "direct", "commission", "commission_rate", "tax", "tax_rate", "payment_date", "posted_date",
    "omit_from_statement", "omit_from_daily_cash", "dont_calculate_commission",
    "dont_calculate_tax", "operator_id", "reference",
)
CONTACT_COLUMNS = (
    "id", "debtor_id", "type", "done", "priority", "operator_id", "due_date", "description",
    "call_result", "amount", "plan_code", "created_at", "completed_at",
)
NOTE_COLUMNS = ("id", "debtor_id", "noted_at", "status", "operator_id", "text")
PHONE_COLUMNS = ("id", "debtor_id", "cosigner_id", "kind", "number", "digits", "source")
EMAIL_COLUMNS = ("id", "debtor_id", "kind", "address", "address_lower", "consent")

#: Tables filled in bulk, in the order they are written (owners first).
BULK_TABLES: dict[str, tuple[str, ...]] = {
    "debtors": DEBTOR_COLUMNS,
    "cosigners": COSIGNER_COLUMNS,
    "transactions": TRANSACTION_COLUMNS,
    "contacts": CONTACT_COLUMNS,
    "notes": NOTE_COLUMNS,
    "phones": PHONE_COLUMNS,
    "emails": EMAIL_COLUMNS,
}


# -- clients ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientKind:
    classification: str  # creditor_classification pick list
    debtor_type: str  # debtor_types pick list
    names: tuple[str, ...]
    low: int  # principal range in dollars (log-uniform)
    high: int
    weight: float


CLIENT_KINDS: tuple[ClientKind, ...] = (
    ClientKind("02", "MED", ("{city} Regional Medical Center", "{last} Family Practice",
                             "{city} Emergency Physicians", "{city} Orthopedic Associates",
                             "{city} Imaging Center"), 40, 4_000, 30),
    ClientKind("10", "UTL", ("{city} Water & Power", "{state} Gas Company",
                             "{city} Electric Cooperative"), 60, 900, 10),
    ClientKind("11", "UTL", ("{city} Cable & Wireless", "{state} Mobile"), 80, 1_200, 10),
    ClientKind("08", "CC", ("First National Bank of {city}", "{city} Community Bank",
                            "{state} Savings Bank"), 300, 15_000, 12),
    ClientKind("13", "LOAN", ("{city} Teachers Credit Union", "{state} Employees Credit Union"),
               300, 9_000, 8),
    ClientKind("14", "LOAN", ("{last} Auto Finance", "{city} Motors Acceptance"), 1_500, 25_000, 8),
    ClientKind("09", "RENT", ("{last} Property Management", "{city} Apartment Homes"),
               400, 7_000, 8),
    ClientKind("01", "RET", ("{last} Furniture", "{city} Home Furnishings", "{last} Jewelers"),
               100, 3_000, 8),
    ClientKind("07", "OTH", ("{city} Community College", "{state} Technical Institute"),
               200, 6_000, 4),
    ClientKind("15", "CHK", ("{state} Check Recovery",), 25, 800, 2),
)

COMMISSION_RATES = ("25.000", "30.000", "33.333", "35.000", "40.000", "50.000", "20.000")
TAX_RATES = ("5.000", "6.250", "7.000", "8.250")


@dataclass(frozen=True)
class ClientPlan:
    """What an account needs to know about its client (picklable, sent to workers)."""

    id: int
    prefix: str
    kind: int  # index into CLIENT_KINDS
    commission_rate: str
    rate_plan: str
    tax_rate: str
    tax_exempt: bool
    fixed_fee_mode: str
    fixed_fee_cents: int
    sales_id: str
    weight: float
    rate_milli: int = 0  # the commission rate in thousandths of a percent (33.333 % → 33333)
    tax_milli: int = 0  # the tax rate charged on commission; 0 when the client is tax exempt
    tx_tax_rate: str = "0.000"  # the tax rate shown on payments

    def __post_init__(self) -> None:
        charged = "0.000" if self.tax_exempt else self.tax_rate
        object.__setattr__(self, "rate_milli", int(Decimal(self.commission_rate) * 1000))
        object.__setattr__(self, "tax_milli", int(Decimal(charged) * 1000))
        object.__setattr__(self, "tx_tax_rate", charged)


def _client_rows(fd: FakeData, count: int, rate_plans: Sequence[str], sales_ids: Sequence[str]
                 ) -> list[tuple[Client, ClientSettings, float, int]]:
    """``count`` clients with varied settings (ORM objects, ids not yet allocated)."""
    kinds = CLIENT_KINDS
    kind_cum = list(_accumulate([k.weight for k in kinds]))
    out = []
    seen: set[str] = set()
    for n in range(count):
        kind_no = bisect.bisect_right(kind_cum, fd.r() * kind_cum[-1])
        kind = kinds[kind_no]
        city = fd.city()
        name = ""
        for _attempt in range(20):
            name = fd.pick(kind.names).format(city=city.name, last=fd.last_name(),
                                              state=tables().states[city.state])
            if name not in seen:
                break
            name = f"{name} {len(seen)}"
        seen.add(name)
        remit = fd.r()
        fee = fd.r()
        fixed_mode, fixed_cents = "none", 0
        if fee < 0.10:
            fixed_mode, fixed_cents = "client", fd.pick((500, 1000, 1500))
        elif fee < 0.20:
            fixed_mode, fixed_cents = "debtor", fd.pick((1500, 2500, 3500))
        tax_exempt = fd.chance(0.10)
        tax_rate = "0.000" if fd.chance(0.6) else fd.pick(TAX_RATES)
        person = fd.person(city=city)
        settings = ClientSettings(
            billing_period=fd.pick(("monthly", "monthly", "weekly", "biweekly")),
            remit_gross=0.70 <= remit < 0.85,
            remit_combined=remit >= 0.85,
            tax_exempt=tax_exempt,
            report_to_bureaus=fd.chance(0.5),
            fixed_fee_mode=fixed_mode,
            fixed_fee_amount=Decimal(fixed_cents).scaleb(-2),
            commission_rate=Decimal(fd.pick(COMMISSION_RATES)),
            rate_plan=fd.pick(rate_plans) if rate_plans and fd.chance(0.15) else "",
            tax_rate=Decimal(tax_rate),
            currency="USD",
            sales_id=fd.pick(sales_ids) if sales_ids else "",
            new_account_plan="NEW",
        )
        client = Client(
            name=name[:60], contact=f"{person.first} {person.last}", address=person.address,
            address2=person.address2, city=city.name, state=city.state, zip=person.zip,
            country="US", phone=person.home_phone, fax=person.work_phone,
            email=f"billing{n + 1}@client.example.com", type=kind.classification,
            status="A", settings=settings,
        )
        weight = math.exp(fd.r() * 3.0)  # some clients place far more business than others
        out.append((client, settings, weight, kind_no))
    return out


def _accumulate(values: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


# -- the chunk maker ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TxType:
    code: str
    description: str
    financial_type: int
    flags: tuple[int, int, int, int]  # omit statement, omit daily cash, no commission, no tax
    direct: bool  # the money went to the client: shown in Direct


@dataclass(frozen=True)
class Context:
    """Everything a worker needs to make any chunk (picklable)."""

    seed: int
    today: dt.date
    first_file_number: int
    clients: tuple[ClientPlan, ...]
    collectors: tuple[str, ...]
    types: dict[str, TxType]
    statuses: frozenset[str]


_PAYMENT_CODES = (("101", 0.30), ("109", 0.30), ("110", 0.22), ("102", 0.08), ("111", 0.10))
_PROMISE_CODES = ("101", "109", "110")
_RELATIONSHIPS = ("Spouse", "Spouse", "Parent", "Parent", "Sibling", "Child", "Friend",
                  "Co-borrower", "Guarantor")
_CALL_ATTEMPTS = (1, 1, 1, 3, 3, 105, 105, 106, 108, 108, 108, 109, 119, 121)
_CALL_RPC = (4, 101)
_CALL_BAD = (5, 6, 111, 112)
_NOTE_CALLS = (
    "Left message on home phone, asked for a call back",
    "No answer, no machine",
    "Debtor not in, spoke to spouse, will pass the message",
    "Spoke to debtor, verified address and employer",
    "Debtor says the bill was paid by insurance, asked for proof of payment",
    "Debtor disputes the balance, validation notice sent",
    "Debtor lost job, asked to call back next month",
    "Wrong number, removed from the file",
    "Debtor asked for a payment plan, sent arrangement letter",
    "Skip trace: new address from the credit bureau",
    "Debtor requested all contact by mail only",
    "Called work number, HR confirmed employment",
    "Debtor hung up",
    "Sent Letter 2 after no response",
)
_REVIEW_DESCRIPTIONS = ("Review file...", "Letter sent recently. Any response?",
                        "Check for payment", "Skip trace results")
_PHONE_DESCRIPTIONS = ("Home", "Home", "Cell", "Work")
_CLOCK = tuple(f" {m // 60:02d}:{m % 60:02d}:00.000000" for m in range(1_440))


def _cents(c: int) -> str:
    """Cents as a decimal string (``-1234`` → ``"-12.34"``): how money is bound, never a float."""
    if c < 0:
        return f"-{-c // 100}.{_TWO[-c % 100]}"
    return f"{c // 100}.{_TWO[c % 100]}"


_TWO = tuple(f"{n:02d}" for n in range(100))
_TOTAL_MONEY = tuple(n for n in DEBTOR_FIELDS if n != "last_payment_date")
_money_totals = attrgetter(*_TOTAL_MONEY)


class _ChunkMaker:
    """Makes the rows of ``count`` accounts from a seed; a pure function of (context, chunk)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.today = ctx.today.toordinal()
        # Date strings and date objects for every day the data can use, looked up by ordinal.
        self.base = self.today - 4_500
        days = range(self.base, self.today + 400)
        self.iso = [dt.date.fromordinal(d).isoformat() for d in days]
        self.dates = [dt.date.fromordinal(d) for d in days]
        self.client_cum = list(_accumulate([c.weight for c in ctx.clients]))
        self.pay_cum = list(_accumulate([w for _, w in _PAYMENT_CODES]))
        self.status = {s: (s if s in ctx.statuses or not ctx.statuses else "ACT")
                       for s in ("NEW", "ACT", "SKP", "PPA", "DIS", "LEG", "BNK", "PIF", "CLO")}

    def stamp(self, ordinal: int, minute_of_day: int) -> str:
        """A DATETIME as SQLAlchemy writes it on SQLite (and PostgreSQL reads it)."""
        return self.iso[ordinal - self.base] + _CLOCK[minute_of_day]

    def make(self, chunk_no: int, first_index: int, count: int) -> dict[str, list[tuple]]:
        """The rows of accounts ``first_index`` … ``first_index + count - 1``.

        Each account's story: listed ``age`` days ago with an Original Principal (196) and,
        for some clients, a Debtor Fee (398); about half pay one or more times (some until
        paid in full, a few with a bounced cheque and its NSF fee); a few promise a payment
        (a transaction without a posted date).  Its contacts follow: Letter 1 at listing,
        calls and reviews since, and for open accounts the In Progress contact that puts it in
        a collector's WIP list.  Totals come from the financial engine's core.
        """
        ctx = self.ctx
        rng = random.Random(f"collectdesk-generate:{ctx.seed}:{chunk_no}")
        fd = FakeData(rng, ctx.today)
        person = fd.person
        r = rng.random
        today = self.today
        base = self.base
        iso = self.iso
        dates = self.dates
        clock = _CLOCK
        D = Decimal
        Z = D("0.00")
        cents = _cents
        clients = ctx.clients
        client_cum = self.client_cum
        client_total = client_cum[-1]
        collectors = ctx.collectors
        n_collectors = len(collectors)
        types = ctx.types
        t196, t398, t301 = types["196"], types["398"], types["301"]
        pay_cum = self.pay_cum
        pay_total = pay_cum[-1]
        pay_types = [types[code] for code, _ in _PAYMENT_CODES]
        promise_types = [types[code] for code in _PROMISE_CODES]
        status_of = self.status
        st_new, st_skp = status_of["NEW"], status_of["SKP"]
        terms = AccountTerms()
        today_date = ctx.today
        log = math.log
        exp = math.exp
        bisect_right = bisect.bisect_right
        n_call = len(_CALL_ATTEMPTS)
        n_notes = len(_NOTE_CALLS)
        n_rel = len(_RELATIONSHIPS)

        debtors: list[tuple] = []
        cosigners: list[tuple] = []
        transactions: list[tuple] = []
        contacts: list[tuple] = []
        notes: list[tuple] = []
        phones: list[tuple] = []
        cosigner_phones: list[tuple] = []  # (cosigner #, …): the cosigner's id comes at writing
        emails: list[tuple] = []
        add_tx = transactions.append
        add_contact = contacts.append

        for index in range(first_index, first_index + count):
            debtor_id = ctx.first_file_number + index
            client = clients[bisect_right(client_cum, r() * client_total)] \
                if len(clients) > 1 else clients[0]
            client_id = client.id
            kind = CLIENT_KINDS[client.kind]
            p = person()
            operator = collectors[int(r() * n_collectors)]
            listed = today - int(1_095 * r() ** 1.7)
            charged = listed - 30 - int(r() * 365)
            delinquent = charged - 90 - int(r() * 120)
            age = today - listed
            listed_iso = iso[listed - base]
            listed_date = dates[listed - base]

            # -- transactions, in payment-date order ------------------------------------------
            rate_t = client.commission_rate
            rate_milli = client.rate_milli
            tax_t = client.tx_tax_rate
            tax_milli = client.tax_milli
            principal = int(exp(log(kind.low) + r() * log(kind.high / kind.low)) * 100)
            text = cents(-principal)
            add_tx((debtor_id, client_id, "196", t196.description, t196.financial_type, text,
                    0, 0, 0, 0, 0, listed_iso, listed_iso, *t196.flags, "SYS", ""))
            rows = [(1, "196", t196.financial_type, D(text), Z, Z, listed_date, True, Z, Z)]
            owed = principal
            if client.fixed_fee_cents and client.fixed_fee_mode == "debtor":
                fee = client.fixed_fee_cents
                text = cents(-fee)
                add_tx((debtor_id, client_id, "398", t398.description, t398.financial_type, text,
                        0, 0, 0, 0, 0, listed_iso, listed_iso, *t398.flags, "SYS", ""))
                rows.append((2, "398", t398.financial_type, D(text), Z, Z, listed_date, True, Z, Z))
                owed += fee
            paying = age > 20 and r() < 0.55
            paid_in_full = False
            last_pay = listed
            if paying:
                n_payments = min(1 + int(-log(1.0 - r()) * 3.4), 15)
                paid_in_full = r() < 0.2
                step = max(1, (age - 10) // n_payments)
                day = listed + 10
                for k in range(n_payments):
                    if owed <= 0:
                        break
                    day = min(day + 1 + int(r() * step), today)
                    if paid_in_full and k == n_payments - 1:
                        amount = owed
                    else:
                        amount = min(owed, (int(owed * (0.04 + r() * 0.22)) // 500 + 1) * 500)
                    t = pay_types[bisect_right(pay_cum, r() * pay_total)]
                    commission = (amount * rate_milli + 50_000) // 100_000
                    tax = (commission * tax_milli + 50_000) // 100_000
                    text = cents(amount)
                    c_text = cents(commission)
                    x_text = cents(tax)
                    day_iso = iso[day - base]
                    add_tx((debtor_id, client_id, t.code, t.description, t.financial_type,
                            0 if t.direct else text, text if t.direct else 0, c_text, rate_t,
                            x_text, tax_t, day_iso, iso[min(day + 1, today) - base], *t.flags,
                            operator, ""))
                    rows.append((k + 3, t.code, t.financial_type, D(text), D(c_text), D(x_text),
                                 dates[day - base], True, Z, Z))
                    owed -= amount
                    last_pay = day
                    if k == 0 and owed > 2_500 and r() < 0.06:  # a bounced cheque: NSF fee
                        add_tx((debtor_id, client_id, "301", t301.description, t301.financial_type,
                                "-25.00", 0, 0, 0, 0, 0, day_iso,
                                iso[min(day + 3, today) - base], *t301.flags, operator, ""))
                        rows.append((k + 50, "301", t301.financial_type, D("-25.00"), Z, Z,
                                     dates[day - base], True, Z, Z))
                        owed += 2_500
                paid_in_full = owed <= 0

            # -- mode and status ----------------------------------------------------------------
            s = r()
            closed = False
            if paid_in_full:
                status, closed = status_of["PIF"], True
            elif age < 30:
                status = st_new
            elif s < 0.06:
                status, closed = status_of["CLO"], True
            elif s < 0.08:
                status, closed = status_of["BNK"], r() < 0.5
            elif s < 0.16:
                status = st_skp
            elif s < 0.19:
                status = status_of["DIS"]
            elif s < 0.21:
                status = status_of["LEG"]
            elif paying and s < 0.45:
                status = status_of["PPA"]
            else:
                status = status_of["ACT"]
            promise_day = 0
            promised = 0
            if not closed and owed > 0 and r() < 0.08:
                promise_day = today + 1 + int(r() * 30)
                t = promise_types[int(r() * 3)]
                promised = min(owed, (int(owed * (0.1 + r() * 0.4)) // 500 + 1) * 500)
                text = cents(promised)
                add_tx((debtor_id, client_id, t.code, t.description, t.financial_type, text,
                        0, 0, rate_t, 0, tax_t, iso[promise_day - base], None, *t.flags,
                        operator, "Promise"))
                rows.append((99, t.code, t.financial_type, D(text), Z, Z,
                             dates[promise_day - base], False, Z, Z))
            totals = compute_totals(rows, terms, today_date)

            # -- contacts: Letter 1 at listing, history since, the WIP contact --------------------
            closed_day = min(today, max(last_pay, listed + 30 + int(r() * max(1, age - 30)))) \
                if closed else 0
            history_end = closed_day if closed else today
            add_contact((debtor_id, "Letter", 1, 10, operator, listed_iso, "Letter 1", 0, 0,
                         "NEW", listed_iso + clock[540], listed_iso + clock[1_080]))
            n_open = 0
            if not closed:
                w = r()  # overdue, due today or scheduled ahead
                due = today - 1 - int(r() * 45) if w < 0.3 else today if w < 0.45 \
                    else today + 1 + int(r() * 30)
                amount_c: Any = 0
                if promise_day:
                    kind_c, description, due, amount_c = "Promise", "Promise to pay", \
                        promise_day, cents(promised)
                elif w < 0.8:
                    kind_c, description = "Phone", _PHONE_DESCRIPTIONS[int(r() * 4)]
                elif w < 0.95:
                    kind_c, description = "Review", _REVIEW_DESCRIPTIONS[int(r() * 4)]
                else:
                    kind_c, description = "Other", "Call client for documents"
                due = max(due, listed)
                wip_operator = operator if r() < 0.97 else collectors[int(r() * n_collectors)]
                add_contact((debtor_id, kind_c, 0, int(r() * 10) * 10, wip_operator,
                             iso[due - base], description, 0, amount_c, "",
                             iso[max(listed, min(due, today) - 7) - base] + clock[600], None))
                n_open = 1
                if r() < 0.25:
                    due = today + 1 + int(r() * 45)
                    add_contact((debtor_id, "Letter", 0, 20, operator, iso[due - base],
                                 "Letter 2" if age < 90 else "Letter 3", 0, 0, "NEW",
                                 listed_iso + clock[541], None))
                    n_open = 2
            span = max(1, history_end - listed)
            for k in range(4 - n_open):
                day = min(listed + 1 + int(r() * span), history_end)
                day_iso = iso[day - base]
                minute = 480 + int(r() * 600)
                if closed and k == 3:
                    end_iso = iso[history_end - base]
                    add_contact((debtor_id, "Close", 1, 0, operator, end_iso, "File closed", 0, 0,
                                 "CLO", end_iso + clock[minute], end_iso + clock[minute]))
                    continue
                c = r()
                if c < 0.65:
                    result = _CALL_ATTEMPTS[int(r() * n_call)] if c < 0.5 else \
                        _CALL_RPC[int(r() * 2)] if c < 0.6 else _CALL_BAD[int(r() * 4)]
                    add_contact((debtor_id, "Phone", 1, 30, operator, day_iso,
                                 _PHONE_DESCRIPTIONS[int(r() * 4)], result, 0, "",
                                 day_iso + clock[minute - 60], day_iso + clock[minute]))
                elif c < 0.85:
                    add_contact((debtor_id, "Letter", 1, 20, operator, day_iso, "Letter 2", 0, 0,
                                 "NEW", day_iso + clock[540], day_iso + clock[1_080]))
                else:
                    add_contact((debtor_id, "Review", 1, 30, operator, day_iso,
                                 _REVIEW_DESCRIPTIONS[int(r() * 4)], 0, 0, "",
                                 day_iso + clock[minute - 60], day_iso + clock[minute]))

            # -- notes ---------------------------------------------------------------------------
            listed_note = f"New business listed, principal ${principal // 100:,}." \
                f"{_TWO[principal % 100]}"
            notes.append((debtor_id, listed_iso + clock[540], st_new, "SYS", listed_note))
            worked = max(listed, last_pay)
            if r() < 0.6:
                day = min(history_end, listed + 1 + int(r() * span))
                notes.append((debtor_id, iso[day - base] + clock[480 + int(r() * 600)], status,
                               operator, _NOTE_CALLS[int(r() * n_notes)]))
                worked = max(worked, day)

            # -- the debtor, its phones and emails, a cosigner -----------------------------------
            last_payment_date = totals.last_payment_date
            debtors.append((
                debtor_id, client_id,
                f"{client.prefix}{(debtor_id * 7_919 + 104_729) % 1_000_000_000:09d}",
                p.name, p.generation, p.address, p.address2, p.city, p.state, p.zip, "US",
                0 if status == st_skp else 1, p.home_phone, p.work_phone, p.cell_phone, p.email,
                p.ssn, p.birth_date.isoformat(), p.employer, "C" if closed else "A", status,
                operator, client.sales_id, kind.debtor_type, listed_iso,
                iso[charged - base], iso[delinquent - base], iso[charged - base],
                iso[worked - base] + clock[600], listed_iso + clock[540], rate_t,
                client.rate_plan, client.tax_rate, client.tax_exempt,
                *map(str, _money_totals(totals)),
                last_payment_date.isoformat() if last_payment_date is not None else None,
            ))
            phones.append((debtor_id, None, "home", p.home_phone, p.home_digits, "client"))
            if p.cell_phone:
                phones.append((debtor_id, None, "cell", p.cell_phone, p.cell_digits, "client"))
            if p.work_phone:
                phones.append((debtor_id, None, "work", p.work_phone, p.work_digits, "client"))
            if p.email:
                emails.append((debtor_id, "home", p.email, p.email.lower(), 1 if r() < 0.3 else 0))
            if r() < 0.10:
                same_house = r() < 0.5
                relation = _RELATIONSHIPS[int(r() * n_rel)]
                q = person(last=p.last if same_house or relation == "Spouse" else None)
                home = p if same_house else q
                cosigner_no = len(cosigners)
                cosigners.append((
                    debtor_id, "cosigner", q.name, relation, home.address, home.address2,
                    home.city, home.state, home.zip, "US", q.home_phone, q.cell_phone, q.email,
                    q.ssn, q.birth_date.isoformat(), "2",
                ))
                cosigner_phones.append((cosigner_no, "home", q.home_phone, q.home_digits, "client"))
                if q.cell_phone:
                    cosigner_phones.append((cosigner_no, "cell", q.cell_phone, q.cell_digits,
                                            "client"))
        return {
            "debtors": debtors, "cosigners": cosigners, "transactions": transactions,
            "contacts": contacts, "notes": notes, "phones": phones,
            "cosigner_phones": cosigner_phones, "emails": emails,
        }


# Worker processes keep one chunk maker each (built once, tables precomputed).  A chunk goes
# back as one marshal blob: rows are tuples of str / int / None, which marshal turns around
# at about twice pickle's speed.
_maker: _ChunkMaker | None = None


def _init_worker(ctx: Context) -> None:
    global _maker
    gc.disable()  # millions of small tuples: the cyclic collector would only rescan them
    _maker = _ChunkMaker(ctx)


def _make_chunk(job: tuple[int, int, int]) -> bytes:
    assert _maker is not None
    return marshal.dumps(_maker.make(*job))


# -- writing -------------------------------------------------------------------------------------

def with_ids(chunk: dict[str, list[tuple]], next_ids: dict[str, int]
             ) -> Iterator[tuple[str, list[tuple]]]:
    """The chunk's rows table by table (owners first), each with its id; advances ``next_ids``.

    Debtor rows carry their file number already; cosigner phones get the id their cosigner
    is given here.
    """
    if chunk["cosigner_phones"]:
        cosigner_base = next_ids["cosigners"]
        chunk["phones"].extend((None, cosigner_base + no, *rest)
                               for no, *rest in chunk["cosigner_phones"])
    for name in BULK_TABLES:
        rows = chunk[name]
        if not rows:
            continue
        if name != "debtors":
            first = next_ids[name]
            rows = [(first + i, *row) for i, row in enumerate(rows)]
            next_ids[name] = first + len(rows)
        yield name, rows


class _Writer:
    """Writes chunks through the raw DBAPI connection, allocating the ids."""

    def __init__(self, engine: Engine, next_ids: dict[str, int], drop_indexes: bool = True
                 ) -> None:
        self.engine = engine
        self.drop_indexes = drop_indexes
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.next_ids = dict(next_ids)
        self.counts = {name: 0 for name in BULK_TABLES}
        self.raw = engine.raw_connection()
        self.dbapi = self.raw.driver_connection
        self.saved_isolation: Any = None
        self.journal = ""  # the journal mode while loading (SQLite)
        self.dropped_indexes: list[str] = []
        self.sql = {
            name: f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for name, cols in BULK_TABLES.items()
        }

    # SQLite ------------------------------------------------------------------------------------
    def begin(self) -> None:
        if self.is_sqlite:
            con = self.dbapi
            self.raw.commit()
            self.saved_isolation = con.isolation_level
            con.isolation_level = None  # we say BEGIN and COMMIT ourselves
            for pragma in ("foreign_keys=OFF", "synchronous=OFF", "cache_size=-262144",
                           f"threads={min(4, os.cpu_count() or 1)}"):
                con.execute(f"PRAGMA {pragma}").fetchall()
            # Leaving WAL needs the file to ourselves; with another connection open (the
            # program, a second session) the load stays in WAL, only slower.
            try:
                self.journal = con.execute("PRAGMA journal_mode=MEMORY").fetchone()[0]
            except sqlite3.OperationalError:
                self.journal = "wal"
            rows = con.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
                f"AND sql IS NOT NULL AND tbl_name IN ({', '.join('?' * len(BULK_TABLES))})",
                tuple(BULK_TABLES),
            ).fetchall()
            # Measured at 100,000 accounts: dropping every secondary index and building it
            # afterwards (one sort each) takes 14 s in all; keeping them 18 s; keeping only
            # those that loading appends to (file-number-led) 17 s.  The gap grows with size.
            drop = [(name, sql) for name, _table, sql in rows] if self.drop_indexes else []
            self.dropped_indexes = [sql for _name, sql in drop]
            con.execute("BEGIN")
            for name, _sql in drop:
                con.execute(f'DROP INDEX "{name}"')

    def write(self, chunk: dict[str, list[tuple]]) -> None:
        for name, rows in with_ids(chunk, self.next_ids):
            if self.is_sqlite:
                self.dbapi.executemany(self.sql[name], rows)
            else:
                self._copy(name, rows)
            self.counts[name] += len(rows)

    def _copy(self, name: str, rows: list[tuple]) -> None:
        sql = f"COPY {name} ({', '.join(BULK_TABLES[name])}) FROM STDIN"
        with self.dbapi.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self) -> dict[str, float]:
        """Commit, rebuild the dropped indexes, restore the usual settings; returns timings."""
        phases: dict[str, float] = {}
        if self.is_sqlite:
            con = self.dbapi
            started = time.perf_counter()
            # The index sorter hands work to helper threads only when it spills to temporary
            # files (temp_store not MEMORY) and a small cache makes it spill early: measured at
            # 1,000,000 accounts, 27 s with a 16 MiB cache against 47 s with 256 MiB in memory.
            con.execute("PRAGMA cache_size=-16384").fetchall()
            for sql in self.dropped_indexes:
                con.execute(sql)
            con.execute("COMMIT")
            phases["indexes"] = time.perf_counter() - started
            started = time.perf_counter()
            con.execute("PRAGMA analysis_limit=1000").fetchall()
            con.execute("ANALYZE").fetchall()
            phases["analyze"] = time.perf_counter() - started
            self._restore()
        else:
            started = time.perf_counter()
            with self.dbapi.cursor() as cur:
                for name in BULK_TABLES:
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"(SELECT max(id) FROM {name}))")
                self.dbapi.commit()
                for name in BULK_TABLES:
                    cur.execute(f"ANALYZE {name}")
            self.dbapi.commit()
            phases["analyze"] = time.perf_counter() - started
        return phases

    def abort(self) -> None:
        try:
            if self.is_sqlite:
                con = self.dbapi
                if con.in_transaction:
                    con.execute("ROLLBACK")
                self._restore()
            else:
                self.dbapi.rollback()
        finally:
            self.close()

    def _restore(self) -> None:
        con = self.dbapi
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       "cache_size=-2000", "threads=0"):
            con.execute(f"PRAGMA {pragma}").fetchall()
        con.isolation_level = self.saved_isolation

    def close(self) -> None:
        self.raw.close()


# -- the whole run -------------------------------------------------------------------------------

def next_free_ids(conn: Connection) -> dict[str, int]:
    """The first free id of every bulk table: after the largest id and, on SQLite, after
    AUTOINCREMENT's high-water mark (a deleted file number is never given again)."""
    seq: dict[str, int] = {}
    if conn.dialect.name == "sqlite":
        has_seq = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").first()
        if has_seq:
            seq = dict(conn.exec_driver_sql("SELECT name, seq FROM sqlite_sequence").all())
    out = {}
    for name in BULK_TABLES:
        top = conn.exec_driver_sql(f"SELECT max(id) FROM {name}").scalar() or 0
        out[name] = max(top, seq.get(name, 0)) + 1
    return out


_FALLBACK_TYPES = {  # used only when a database lacks one of the shipped types
    "196": ("Original Principal", FinancialType.PRINCIPAL, (1, 1, 1, 1), False),
    "398": ("Debtor Fee", FinancialType.FEE, (1, 1, 1, 1), False),
    "301": ("NSF Charge Due Agency", FinancialType.FEE, (1, 1, 1, 1), False),
    "101": ("Check Payment", FinancialType.PAYMENT, (0, 0, 0, 0), False),
    "102": ("Cash Payment", FinancialType.PAYMENT, (0, 0, 0, 0), False),
    "109": ("Credit Card Payment", FinancialType.PAYMENT, (0, 0, 0, 0), False),
    "110": ("ACH Payment", FinancialType.PAYMENT, (0, 0, 0, 0), False),
    "111": ("Direct Payment to Client", FinancialType.PAYMENT, (0, 0, 0, 0), True),
}


def _types_from_session(session: Session) -> dict[str, TxType]:
    """The transaction types used, with the settings this database gives them."""
    out = {code: TxType(code, d, int(ft), flags, direct)
           for code, (d, ft, flags, direct) in _FALLBACK_TYPES.items()}
    query = select(TransactionType).where(TransactionType.code.in_(list(_FALLBACK_TYPES)))
    for t in session.scalars(query):
        out[t.code] = TxType(
            t.code, t.description, int(t.financial_type),
            (int(t.omit_from_statement), int(t.omit_from_daily_cash),
             int(t.dont_calculate_commission), int(t.dont_calculate_tax)),
            not t.show_to_us and t.show_direct,  # the money went to the client: Direct
        )
    return out


def _types(engine: Engine) -> dict[str, TxType]:
    with session_factory(engine)() as session:
        return _types_from_session(session)


def _ensure_collectors(engine: Engine, fd: FakeData) -> int:
    from .passwords import hash_password

    with session_factory(engine)() as session:
        existing = {o.lower() for o in session.scalars(select(Operator.id))}
        missing = [c for c in COLLECTORS if c.lower() not in existing]
        if not missing:
            return 0
        shared = hash_password(COLLECTOR_PASSWORD)
        for op_id in missing:
            sex = "M" if fd.chance(0.5) else "F"
            first, last = fd.first_name(sex), fd.last_name()
            session.add(Operator(
                id=op_id, name=f"{first} {last}", title="Collector",
                type=OperatorType.COLLECTOR.value, user_level=20, password_hash=shared,
                email=f"{op_id.lower()}@agency.example.com", extension=f"{200 + int(op_id[3:])}",
            ))
        session.commit()
        return len(missing)


def _create_clients(engine: Engine, fd: FakeData, count: int) -> list[ClientPlan]:
    with session_factory(engine)() as session:
        rate_plans = list(session.scalars(select(CommissionRatePlan.code)))
        sales = [o for o in ("MGR", "SC", "OWN") if session.get(Operator, o) is not None]
        made = _client_rows(fd, count, rate_plans, sales)
        existing_ids = list(session.scalars(select(Client.id).order_by(Client.id).limit(50)))
        for client, _settings, _w, _k in made:
            session.add(client)
        session.flush()
        owners = existing_ids + [c.id for c, *_ in made]
        for n, (client, *_rest) in enumerate(made):
            if n >= 3 and fd.chance(0.05):  # a branch owned by an earlier client
                client.owned_by_id = owners[int(fd.r() * min(len(owners), n))]
        session.commit()
        plans = []
        for client, settings, weight, kind_no in made:
            letters = "".join(ch for ch in client.name.upper() if ch.isalpha())[:2] or "CL"
            plans.append(ClientPlan(
                id=client.id, prefix=f"{letters}{client.id % 100:02d}", kind=kind_no,
                commission_rate=f"{settings.commission_rate:.3f}", rate_plan=settings.rate_plan,
                tax_rate=f"{settings.tax_rate:.3f}", tax_exempt=settings.tax_exempt,
                fixed_fee_mode=settings.fixed_fee_mode,
                fixed_fee_cents=int(settings.fixed_fee_amount * 100), sales_id=settings.sales_id,
                weight=weight,
            ))
        return plans


def _check_schema(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    missing = [t for t in (*BULK_TABLES, "clients", "operators") if t not in names]
    if missing:
        raise GenerateError("the database has no CollectDesk schema (missing "
                            f"{', '.join(missing)}); create it with 'collectdesk db init' first")


def _jobs(accounts: int) -> list[tuple[int, int, int]]:
    return [(n, start, min(CHUNK, accounts - start))
            for n, start in enumerate(range(0, accounts, CHUNK))]


def generate(url: str, accounts: int, *, seed: int = 1, progress: Progress | None = None,
             today: dt.date | None = None, workers: int | None = None) -> GenerateSummary:
    """Fill the database at ``url`` (schema and system rows present) with ``accounts`` accounts.

    ``workers``: processes making rows beside the one writing them; default: none for small
    runs, else one per core (at most 3: beyond that the writer is the bottleneck).  The data
    do not depend on it.  ``today`` anchors every date (default: the real today).
    """
    if accounts < 1:
        raise GenerateError("the number of accounts must be at least 1")
    today = today or dt.date.today()
    started = time.perf_counter()
    engine = make_engine(url)
    safe_url = make_url(engine.url).render_as_string(hide_password=True)
    summary = GenerateSummary(url=safe_url, accounts=accounts, seed=seed)
    try:
        _check_schema(engine)
        fd = FakeData(random.Random(f"collectdesk-generate:{seed}:setup"), today)
        t0 = time.perf_counter()
        summary.operators_created = _ensure_collectors(engine, fd)
        n_clients = max(1, round(accounts / ACCOUNTS_PER_CLIENT))
        clients = _create_clients(engine, fd, n_clients)
        summary.clients = n_clients
        with session_factory(engine)() as session:
            statuses = frozenset(session.scalars(select(StatusCode.code)))
        with engine.connect() as conn:
            next_ids = next_free_ids(conn)
        summary.phases["setup"] = time.perf_counter() - t0
        ctx = Context(seed=seed, today=today, first_file_number=next_ids["debtors"],
                      clients=tuple(clients), collectors=COLLECTORS, types=_types(engine),
                      statuses=statuses)
        summary.first_file_number = next_ids["debtors"]
        summary.last_file_number = next_ids["debtors"] + accounts - 1
        if workers is None:  # on 2 cores, 2 makers beside the writer beat 1: 116 s / 126 s
            workers = 0 if accounts < 50_000 else min(3, os.cpu_count() or 1)
        summary.workers = workers
        t0 = time.perf_counter()
        engine.dispose()  # the loading connection must be the only one open (journal mode)
        writer = _Writer(engine, next_ids)
        collecting = gc.isenabled()
        gc.disable()  # millions of small tuples: the cyclic collector would only rescan them
        try:
            writer.begin()
            done = 0
            writing = 0.0
            for chunk in _chunks(ctx, _jobs(accounts), workers):
                t1 = time.perf_counter()
                writer.write(chunk)
                writing += time.perf_counter() - t1
                done += len(chunk["debtors"])
                if progress:
                    progress(done, accounts)
            summary.phases["rows"] = time.perf_counter() - t0
            summary.phases["rows_writing"] = writing
            summary.phases.update(writer.finish())
        except BaseException:
            writer.abort()
            raise
        finally:
            if collecting:
                gc.enable()
        writer.close()
        summary.journal = writer.journal
        counts = writer.counts
        summary.debtors = counts["debtors"]
        summary.cosigners = counts["cosigners"]
        summary.transactions = counts["transactions"]
        summary.contacts = counts["contacts"]
        summary.notes = counts["notes"]
        summary.phones = counts["phones"]
        summary.emails = counts["emails"]
    finally:
        engine.dispose()
    summary.seconds = time.perf_counter() - started
    return summary


def _chunks(ctx: Context, jobs: list[tuple[int, int, int]], workers: int
            ) -> Iterator[dict[str, list[tuple]]]:
    """The chunks in order: made here, or by ``workers`` processes a few chunks ahead."""
    if workers <= 0 or len(jobs) == 1:
        maker = _ChunkMaker(ctx)
        for job in jobs:
            yield maker.make(*job)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    mp = multiprocessing.get_context(method)
    with mp.Pool(workers, initializer=_init_worker, initargs=(ctx,)) as pool:
        ahead = 2 * workers + 1  # enough to keep the writer busy, little memory
        pending = [pool.apply_async(_make_chunk, (job,)) for job in jobs[:ahead]]
        next_job = len(pending)
        while pending:
            blob = pending.pop(0).get()
            if next_job < len(jobs):
                pending.append(pool.apply_async(_make_chunk, (jobs[next_job],)))
                next_job += 1
            yield marshal.loads(blob)
