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
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Contact, ContactType, Debtor, FinancialType, InterestDetail, Transaction
from .posting import PostingError, post_transaction
from .recalc import recalc_debtor
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


def create_payment_plan(
    session: Session, debtor: Debtor, *, start: dt.date, payment_amount: Decimal | None = None,
    count: int | None = None, interval: str | int = "monthly", down_payment: Decimal = ZERO,
    service_charge: Decimal = ZERO, initial_discount: Decimal = ZERO,
    late_fee: Decimal | None = None, operator: str = "", today: dt.date | None = None,
) -> PaymentSchedule:
    """Post a payment schedule on ``debtor`` (see the module docstring)."""
    today = today or dt.date.today()
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
    down_payment = money(down_payment)
    amounts = split_amounts(owing - down_payment, payment_amount=payment_amount, count=count)
    dues: list[tuple[int, str, dt.date, Decimal]] = []
    if down_payment:
        dues.append((0, DOWN_PAYMENT, start, down_payment))
    first = 1 if down_payment else 0
    dues.extend((k + 1, PLAN_PAYMENT, due_date(start, k + first, interval), amount)
                for k, amount in enumerate(amounts))
    n = len(amounts)
    for number, code, due, amount in dues:
        posted = post_transaction(session, debtor, code, to_us=amount, payment_date=due,
                                  promise=True, operator=operator, reference=schedule.reference,
                                  today=today, run_plans=False)
        what = "Down payment" if number == 0 else f"Payment plan payment {number} of {n}"
        contact = Contact(debtor_id=debtor.id, type=ContactType.PROMISE.value, done=False,
                          operator_id=debtor.operator_id or operator, due_date=due,
                          amount=amount, description=what,
                          created_at=dt.datetime.now().replace(microsecond=0))
        session.add(contact)
        schedule.payments.append(ScheduledPayment(number, due, amount, posted.transaction,
                                                  contact))
    detail = debtor.interest_detail
    if detail is None:
        detail = debtor.interest_detail = InterestDetail()
    if amounts:
        detail.payment_amount = amounts[0]
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
    contact = session.scalar(select(Contact).where(
        Contact.debtor_id == debtor.id, Contact.type == ContactType.PROMISE.value,
        Contact.done.is_(False), Contact.due_date == promise.payment_date,
        Contact.amount == promised).limit(1))
    kept = post_transaction(session, debtor, promise.type_code,
                            to_us=money(amount) if amount is not None else promised,
                            payment_date=posted_date or today, posted_date=posted_date or today,
                            operator=operator, reference=f"kept:{promise.id}", today=today)
    if contact is not None:
        contact.done = True
        contact.completed_at = dt.datetime.now().replace(microsecond=0)
    session.flush()
    return kept.transaction
