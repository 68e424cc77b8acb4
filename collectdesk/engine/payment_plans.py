"""Payment plans (seed 003 "Down Payment Sample", "Payment Plan Payment Sample", "Payment Plan
Service Charge Sample", "Payment Plan Initial Discount Sample", "Late Fee Sample").

Posting a schedule:

* an initial discount posts a 193 (Adjustment, positive To Us: lowers the owing) and a
  service charge a 350 (Fee, negative To Us: raises it), both posted at once;
* the down payment (150) and the scheduled payments (151) are *promises* — transactions
  without a posted date, outside the financials until kept — each also a Promise contact
  for the account's operator, so the WIP list shows it;
* the scheduled payments split what is owed after discount, charge and down payment: a
  given amount per payment (the last one takes the remainder) or a given number of equal
  payments (rounded to the cent, the last one absorbing the difference).

Decisions where the seed is silent: the down payment is due on the start date and the first
scheduled payment one interval later (on the start date when there is no down payment);
monthly dates keep the start's day of month (the 31st becomes the month's last day); the
promises of one schedule share the Reference ``plan:<start date>``.  A scheduled payment is
missed when its due date has passed and the payments posted since the start do not cover
everything due up to it; each missed payment gets one 351 Late Fee (Reference
``late:<promise id>``), of the amount given or the Interest Detail's Late Fee.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from dateutil.relativedelta import relativedelta
from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.orm import Session, aliased

from ..models import Contact, ContactType, Debtor, FinancialType, InterestDetail, Transaction
from .access import AccessPolicy, Purpose
from .posting import PostingError, post_transaction
from .recalc import compute_debtor, recalc_debtor
from .rounding import ZERO, money

DOWN_PAYMENT = "150"
PLAN_PAYMENT = "151"
INITIAL_DISCOUNT = "193"
SERVICE_CHARGE = "350"
LATE_FEE = "351"
INTERVALS = {"weekly": 7, "biweekly": 14}


@dataclass
class ScheduledPayment:
    number: int  # 0 = down payment
    due_date: dt.date
    amount: Decimal
    transaction: Transaction
    contact: Contact


@dataclass
class PaymentSchedule:
    start: dt.date
    reference: str
    payments: list[ScheduledPayment] = field(default_factory=list)
    discount: Transaction | None = None
    service_charge: Transaction | None = None

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)


def due_date(start: dt.date, k: int, interval: str | int) -> dt.date:
    """The ``k``-th date after ``start`` (``k`` = 0 is ``start``)."""
    if interval == "monthly":
        return start + relativedelta(months=k)
    days = INTERVALS.get(interval) if isinstance(interval, str) else interval
    if not days or days < 1:
        raise PostingError(f"unknown payment interval {interval!r}")
    return start + dt.timedelta(days=days * k)


def split_amounts(balance: Decimal, *, payment_amount: Decimal | None,
                  count: int | None) -> list[Decimal]:
    """The scheduled payments covering ``balance``."""
    if balance <= 0:
        return []
    if payment_amount is not None and payment_amount > 0:
        payment_amount = money(payment_amount)
        if count is None:
            count = int((balance / payment_amount).to_integral_value(rounding=ROUND_CEILING))
            last = balance - payment_amount * (count - 1)
            return [payment_amount] * (count - 1) + [money(last)]
        return [payment_amount] * count
    if not count or count < 1:
        raise PostingError("a payment plan needs a payment amount or a number of payments")
    each = money(balance / count)
    return [each] * (count - 1) + [money(balance - each * (count - 1))]


@dataclass(frozen=True)
class PlannedPayment:
    """One payment of a schedule, before it is posted."""

    number: int  # 0 = down payment
    code: str
    due_date: dt.date
    amount: Decimal
    description: str


def planned_payments(balance: Decimal, *, start: dt.date, payment_amount: Decimal | None = None,
                     count: int | None = None, interval: str | int = "monthly",
                     down_payment: Decimal = ZERO) -> list[PlannedPayment]:
    """The down payment and scheduled payments covering ``balance`` (what is owed after the
    discount and the service charge)."""
    if payment_amount is not None and payment_amount <= 0:
        raise PostingError(f"the payment amount must be more than 0 (not {payment_amount})")
    if count is not None and count < 1:
        raise PostingError(f"the number of payments must be 1 or more (not {count})")
    if balance <= 0:
        raise PostingError(f"the account owes {balance}: there is nothing to schedule")
    down_payment = money(down_payment)
    if down_payment < 0:
        raise PostingError(f"the down payment cannot be negative ({down_payment})")
    if down_payment > balance:
        raise PostingError(f"the down payment {down_payment} is more than the {balance} owed")
    amounts = split_amounts(balance - down_payment, payment_amount=payment_amount, count=count)
    plan: list[PlannedPayment] = []
    if down_payment:
        plan.append(PlannedPayment(0, DOWN_PAYMENT, start, down_payment, "Down payment"))
    first = 1 if down_payment else 0
    n = len(amounts)
    plan.extend(PlannedPayment(k + 1, PLAN_PAYMENT, due_date(start, k + first, interval), amount,
                               f"Payment plan payment {k + 1} of {n}")
                for k, amount in enumerate(amounts))
    return plan


def preview_payment_plan(
    session: Session, debtor: Debtor, *, start: dt.date, payment_amount: Decimal | None = None,
    count: int | None = None, interval: str | int = "monthly", down_payment: Decimal = ZERO,
    service_charge: Decimal = ZERO, initial_discount: Decimal = ZERO,
    today: dt.date | None = None,
) -> list[PlannedPayment]:
    """The schedule :func:`create_payment_plan` would post, posting nothing."""
    owing = compute_debtor(session, debtor, today=today or dt.date.today()).owing
    balance = owing - money(initial_discount) + money(service_charge)
    return planned_payments(balance, start=start, payment_amount=payment_amount, count=count,
                            interval=interval, down_payment=down_payment)


def create_payment_plan(
    session: Session, debtor: Debtor, *, start: dt.date, payment_amount: Decimal | None = None,
    count: int | None = None, interval: str | int = "monthly", down_payment: Decimal = ZERO,
    service_charge: Decimal = ZERO, initial_discount: Decimal = ZERO,
    late_fee: Decimal | None = None, operator: str = "", today: dt.date | None = None,
) -> PaymentSchedule:
    """Post a payment schedule on ``debtor`` (see the module docstring).  Bad terms raise
    :class:`PostingError` before anything is posted."""
    today = today or dt.date.today()
    for what, value in (("initial discount", initial_discount),
                        ("service charge", service_charge), ("late fee", late_fee)):
        if value is not None and value < 0:
            raise PostingError(f"the {what} cannot be negative ({value})")
    preview_payment_plan(session, debtor, start=start, payment_amount=payment_amount,
                         count=count, interval=interval, down_payment=down_payment,
                         service_charge=service_charge, initial_discount=initial_discount,
                         today=today)  # refuses bad terms before anything is posted
    schedule = PaymentSchedule(start, f"plan:{start.isoformat()}")
    if initial_discount:
        schedule.discount = post_transaction(
            session, debtor, INITIAL_DISCOUNT, to_us=money(initial_discount), payment_date=today,
            operator=operator, reference=schedule.reference, today=today).transaction
    if service_charge:
        schedule.service_charge = post_transaction(
            session, debtor, SERVICE_CHARGE, to_us=-money(service_charge), payment_date=today,
            operator=operator, reference=schedule.reference, today=today).transaction
    owing = recalc_debtor(session, debtor, today=today).owing
    plan = planned_payments(owing, start=start, payment_amount=payment_amount, count=count,
                            interval=interval, down_payment=down_payment)
    for planned in plan:
        posted = post_transaction(session, debtor, planned.code, to_us=planned.amount,
                                  payment_date=planned.due_date, promise=True, operator=operator,
                                  reference=schedule.reference, today=today, run_plans=False)
        contact = Contact(debtor_id=debtor.id, type=ContactType.PROMISE.value, done=False,
                          operator_id=debtor.operator_id or operator, due_date=planned.due_date,
                          amount=planned.amount, description=planned.description,
                          created_at=dt.datetime.now().replace(microsecond=0))
        session.add(contact)
        schedule.payments.append(ScheduledPayment(planned.number, planned.due_date,
                                                  planned.amount, posted.transaction, contact))
    detail = debtor.interest_detail
    if detail is None:
        detail = debtor.interest_detail = InterestDetail()
    scheduled = [p for p in plan if p.number > 0]
    if scheduled:
        detail.payment_amount = scheduled[0].amount
    if late_fee is not None:
        detail.late_fee = money(late_fee)
    session.flush()
    return schedule


def plan_promises(session: Session, debtor: Debtor) -> list[Transaction]:
    """The scheduled payments (kept or not) of every schedule posted on the account."""
    return list(session.scalars(select(Transaction).where(
        Transaction.debtor_id == debtor.id,
        Transaction.type_code.in_((DOWN_PAYMENT, PLAN_PAYMENT)),
        Transaction.reference.like("plan:%"),
    ).order_by(Transaction.payment_date, Transaction.id)))


def apply_late_fees(session: Session, debtor: Debtor, today: dt.date, *,
                    amount: Decimal | None = None, operator: str = "") -> list[Transaction]:
    """Post a 351 Late Fee for every scheduled payment that is due before ``today`` and not
    covered by the payments posted since its schedule started (once per payment)."""
    fee = money(amount if amount is not None else (
        debtor.interest_detail.late_fee if debtor.interest_detail is not None else ZERO))
    if fee <= 0:
        return []
    charged = set(session.scalars(select(Transaction.reference).where(
        Transaction.debtor_id == debtor.id, Transaction.type_code == LATE_FEE,
        Transaction.reference.like("late:%"))))
    by_plan: dict[str, list[Transaction]] = {}
    for promise in plan_promises(session, debtor):
        by_plan.setdefault(promise.reference, []).append(promise)
    posted: list[Transaction] = []
    for reference, promises in sorted(by_plan.items()):
        start = dt.date.fromisoformat(reference.split(":", 1)[1])
        paid = _paid_since(session, debtor, start)
        due_so_far = ZERO
        for promise in promises:
            due_so_far += promise.to_us + promise.direct
            if promise.payment_date is None or promise.payment_date >= today:
                continue
            mark = f"late:{promise.id}"
            if paid >= due_so_far or mark in charged:
                continue
            result = post_transaction(session, debtor, LATE_FEE, to_us=-fee, payment_date=today,
                                      operator=operator, reference=mark, today=today)
            posted.append(result.transaction)
            charged.add(mark)
    return posted


@dataclass(frozen=True)
class DuePayment:
    """A scheduled payment not kept yet (Daily Administration ▸ Payment Plans)."""

    file_number: int
    name: str
    operator: str
    due_date: dt.date | None
    amount: Decimal
    description: str
    late: bool  # due before today and still not kept


def due_payments(session: Session, today: dt.date, *, operator: str | None = None,
                 policy: AccessPolicy | None = None, limit: int | None = None,
                 offset: int = 0) -> list[DuePayment]:
    """Every schedule's payments not kept yet — still promises (no Posted date) and not paid
    by :func:`keep_promise` — the longest overdue first: an operator's desk, or every desk.
    A report of account data: with a ``policy``, only accounts the operator may fully see."""
    paid = aliased(Transaction)
    kept = exists().where(paid.debtor_id == Transaction.debtor_id,
                          paid.reference == literal("kept:") + cast(Transaction.id, String))
    stmt = (select(Debtor.id, Debtor.name, Debtor.operator_id, Transaction.payment_date,
                   Transaction.to_us + Transaction.direct, Transaction.description)
            .join(Debtor, Debtor.id == Transaction.debtor_id)
            .where(Transaction.type_code.in_((DOWN_PAYMENT, PLAN_PAYMENT)),
                   Transaction.reference.like("plan:%"), Transaction.posted_date.is_(None),
                   ~kept)
            .order_by(Transaction.payment_date, Debtor.id, Transaction.id))
    if operator is not None:
        stmt = stmt.where(Debtor.operator_id == operator)
    if policy is not None:
        stmt = policy.restrict(stmt, Debtor, Purpose.DATA)
    stmt = stmt.offset(offset) if offset else stmt
    stmt = stmt.limit(limit) if limit is not None else stmt
    return [DuePayment(f, name, op or "", due, money(amount or ZERO), text or "",
                       due is not None and due < today)
            for f, name, op, due, amount, text in session.execute(stmt)]


def plan_accounts(session: Session) -> list[Debtor]:
    """The accounts with a payment schedule posted on them."""
    ids = select(Transaction.debtor_id).where(
        Transaction.type_code.in_((DOWN_PAYMENT, PLAN_PAYMENT)),
        Transaction.reference.like("plan:%")).distinct()
    return list(session.scalars(select(Debtor).where(Debtor.id.in_(ids)).order_by(Debtor.id)))


def apply_all_late_fees(session: Session, today: dt.date, *, amount: Decimal | None = None,
                        operator: str = "") -> list[Transaction]:
    """:func:`apply_late_fees` on every account with a payment schedule (daily batch)."""
    posted: list[Transaction] = []
    for debtor in plan_accounts(session):
        posted.extend(apply_late_fees(session, debtor, today, amount=amount, operator=operator))
    return posted


def _paid_since(session: Session, debtor: Debtor, start: dt.date) -> Decimal:
    rows = session.execute(select(Transaction.to_us, Transaction.direct).where(
        Transaction.debtor_id == debtor.id, Transaction.posted_date.is_not(None),
        Transaction.financial_type == int(FinancialType.PAYMENT),
        Transaction.payment_date >= start)).all()
    return sum(((to_us or ZERO) + (direct or ZERO) for to_us, direct in rows), ZERO)


def keep_promise(session: Session, promise: Transaction, *, posted_date: dt.date | None = None,
                 amount: Decimal | None = None, operator: str = "",
                 today: dt.date | None = None) -> Transaction:
    """The debtor paid a promised payment: post the payment (commission, tax, totals and plans
    as any posting, Reference ``kept:<promise id>``) and complete its Promise contact.

    The promise itself stays as the record of the schedule, so late fees still compare what
    was due with what was paid.
    """
    if promise.posted_date is not None:
        raise PostingError(f"transaction {promise.id} is not a promise")
    debtor = session.get(Debtor, promise.debtor_id)
    if debtor is None:
        raise PostingError(f"transaction {promise.id} has no account")
    today = today or dt.date.today()
    promised = promise.to_us + promise.direct
    contact = promise_contact(session, promise)
    kept = post_transaction(session, debtor, promise.type_code,
                            to_us=money(amount) if amount is not None else promised,
                            payment_date=posted_date or today, posted_date=posted_date or today,
                            operator=operator, reference=f"kept:{promise.id}", today=today)
    _complete(contact)
    session.flush()
    return kept.transaction


def promise_posted(session: Session, promise: Transaction) -> Contact | None:
    """A promised transaction got its Posted date on its form (seed 003: a post-dated payment is
    final once its posted date is written): its Promise contact is completed, so it leaves the
    WIP list.  Returns that contact, if there was one In Progress."""
    contact = promise_contact(session, promise)
    _complete(contact)
    return contact


def promise_contact(session: Session, promise: Transaction) -> Contact | None:
    """The In Progress Promise contact scheduled with a promised transaction: the account's,
    due on the promise's payment date, for its amount."""
    return session.scalar(select(Contact).where(
        Contact.debtor_id == promise.debtor_id, Contact.type == ContactType.PROMISE.value,
        Contact.done.is_(False), Contact.due_date == promise.payment_date,
        Contact.amount == promise.to_us + promise.direct).order_by(Contact.id).limit(1))


def _complete(contact: Contact | None) -> None:
    if contact is not None:
        contact.done = True
        contact.completed_at = dt.datetime.now().replace(microsecond=0)
