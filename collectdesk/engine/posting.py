"""Posting a transaction by its type (seed 003 "Transaction Types", "Transaction Posting Event
Sequence" and the "… Sample" sections).

:func:`post_transaction` follows the event sequence:

1. the transaction record is created and calculated — amounts from the type's amount mode,
   description, reporting and calculation flags, operator and sales, payment breakdown,
   commission and tax;
2. the debtor's totals are recalculated;
3. the transaction type's contact plan is run;
4. the default payment-posting contact plan (Preferences) is run — for payments only.

Plans run through :data:`PLAN_RUNNER`, the one hook between posting and the contact-plan
engine.  Everything here flushes but never commits; the caller saves.

Decisions where the seed is silent:

* Amount modes fill To Us when neither To Us nor Direct is given; what the caller gives
  always wins ("you may override any setting when posting").  Percent modes take the
  percent of the principal / owing / accrued interest as of the payment date; a percent of
  payment (convenience fee) takes it of ``of_payment`` (default: the last payment), a
  positive percent adding to fees, capped by the type's Commission amount.
* Payments are broken down into what they paid in the order interest → fees → legal →
  principal (interest first, as lenders apply payments), each part limited to what is
  outstanding on it; what is left goes to principal.  A negative payment (a reversal) is
  all principal.  A breakdown given by the caller is used as is.
* The transaction's operator is the type's Operator, else the account's, else the one
  posting; sales likewise.
* Bill Commission to Debtor (account or client switch) posts the commission on a payment
  as a 399 Collection Fee charged to the debtor (To Us = −commission), linked to the
  payment by its Reference ``bill:<id>`` and deleted with it.
* Commission credited to a DISTRIBUTION team — the transaction's operator or sales, which
  default to the account's — is shared among the members by their percentages and recorded
  as CommissionShare rows (:func:`~collectdesk.engine.commission.share_commission`); editing
  the transaction shares it again, deleting it deletes them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    AmountMode,
    CommissionShare,
    Debtor,
    DebtorMode,
    FinancialType,
    Note,
    Preferences,
    Transaction,
    TransactionType,
)
from .commission import (
    Breakdown,
    Commission,
    apply_rate_plan,
    calculate_commission,
    client_settings,
    share_commission,
)
from .recalc import Totals, compute_debtor, recalc_debtor
from .rounding import ZERO, money, of, percent, rate_of
from .tax import tax_on, tax_rate_for

log = logging.getLogger(__name__)

COLLECTION_FEE = "399"
CLIENT_FEE = "397"
DEBTOR_FEE = "398"
TOTAL_ACCRUED_INTEREST = "499"

#: The reporting and calculation flags a transaction takes from its type.
FLAGS = ("omit_from_statement", "omit_from_daily_cash", "dont_calculate_commission",
         "dont_calculate_tax")
#: What a payment's breakdown is typed in.
BREAKDOWN_FIELDS = ("paid_principal", "paid_interest", "paid_fees", "paid_legal")

#: Order in which a payment pays what is owed (decision, see module docstring).
BREAKDOWN_ORDER = ("interest", "fees", "legal", "principal")


class PostingError(ValueError):
    """A transaction cannot be posted; the message says why in one line."""


# -- the contact-plan hook ---------------------------------------------------------------------

def run_contact_plan(session: Session, target: Any, code: str, *, operator: str,
                     **options: Any) -> Any:
    """Run contact plan ``code`` on ``target`` with :mod:`collectdesk.engine.contact_plans`.

    Imported lazily: without that module posting runs no plans.  A plan code that names no
    plan is logged and skipped — the transaction is posted all the same.
    """
    try:
        from . import contact_plans  # type: ignore[attr-defined]
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith("contact_plans"):
            return None
        raise
    try:
        return contact_plans.run_plan(session, target, code, operator=operator, **options)
    except LookupError:
        log.warning("transaction posting names unknown contact plan %s", code)
        return None


#: The one hook between posting and the contact-plan engine:
#: ``PLAN_RUNNER(session, debtor, code, operator=…, [callbacks=…])``.  Replace it (tests, a
#: batch that must not run plans) to change how plans are run.
PLAN_RUNNER: Callable[..., Any] = run_contact_plan


def payment_posting_plan(session: Session, operator: str) -> str:
    """The default payment-posting plan: the operator's own preference, else the system's."""
    rows = session.scalars(select(Preferences).where(
        (Preferences.operator_id == operator) | Preferences.operator_id.is_(None))).all()
    own = next((p.payment_posting_plan for p in rows if p.operator_id == operator and operator
                and p.payment_posting_plan is not None), None)
    if own is not None:
        return own
    return next((p.payment_posting_plan or "" for p in rows if p.operator_id is None), "")


# -- posting -----------------------------------------------------------------------------------

@dataclass
class PostResult:
    transaction: Transaction
    totals: Totals
    commission_source: str = ""
    extra: list[Transaction] = field(default_factory=list)
    plans_run: list[str] = field(default_factory=list)
    shares: list[CommissionShare] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "transaction": transaction_dict(self.transaction),
            "commission": self.transaction.commission,
            "commission_rate": self.transaction.commission_rate,
            "commission_source": self.commission_source,
            "tax": self.transaction.tax,
            "tax_rate": self.transaction.tax_rate,
            "commission_shares": [{"role": sh.role, "team": sh.team_id,
                                   "operator": sh.operator_id, "amount": sh.amount}
                                  for sh in self.shares],
            "also_posted": [transaction_dict(t) for t in self.extra],
            "plans_run": self.plans_run,
            "debtor": {"file_number": self.transaction.debtor_id, **self.totals.as_dict()},
        }


def transaction_dict(tx: Transaction) -> dict[str, Any]:
    return {
        "id": tx.id, "file_number": tx.debtor_id, "client": tx.client_id, "type": tx.type_code,
        "description": tx.description, "financial_type": FinancialType(tx.financial_type).label,
        "to_us": tx.to_us, "direct": tx.direct, "commission": tx.commission,
        "commission_rate": tx.commission_rate, "tax": tx.tax, "tax_rate": tx.tax_rate,
        "payment_date": tx.payment_date, "posted_date": tx.posted_date,
        "paid_principal": tx.paid_principal, "paid_interest": tx.paid_interest,
        "paid_fees": tx.paid_fees, "paid_legal": tx.paid_legal,
        "operator": tx.operator_id, "sales": tx.sales_id, "reference": tx.reference,
        "omit_from_statement": tx.omit_from_statement,
        "omit_from_daily_cash": tx.omit_from_daily_cash,
        "dont_calculate_commission": tx.dont_calculate_commission,
        "dont_calculate_tax": tx.dont_calculate_tax,
        "receipt_number": tx.receipt_number, "invoice_number": tx.invoice_number,
    }


def transaction_type(session: Session, code: str) -> TransactionType:
    ttype = session.get(TransactionType, code)
    if ttype is None:
        raise PostingError(f"unknown transaction type {code!r}")
    if ttype.is_heading:
        raise PostingError(f"transaction type {code} is a group heading, not a type to post")
    return ttype


def type_amounts(ttype: TransactionType, before: Totals, *,
                 of_payment: Decimal | None = None) -> tuple[Decimal, Decimal]:
    """(To Us, Direct) filled in by the type's amount mode, from the account as it stands."""
    mode = AmountMode(ttype.amount_mode or AmountMode.ENTER.value)
    pct = ttype.percent_value or ZERO
    if mode is AmountMode.DOLLARS:
        return money(ttype.to_agency_amount or ZERO), ZERO
    if mode is AmountMode.PERCENT_PRINCIPAL:
        return money(of(before.principal, pct)), ZERO
    if mode is AmountMode.PERCENT_OWING:
        return money(of(before.owing, pct)), ZERO
    if mode is AmountMode.PERCENT_INTEREST:
        return money(of(before.accrued_interest, pct)), ZERO
    if mode is AmountMode.PERCENT_PAYMENT:
        base = of_payment if of_payment is not None else before.last_payment_amount
        fee = money(of(base, pct))
        cap = ttype.commission_amount or ZERO
        if cap > 0 and abs(fee) > cap:
            fee = cap if fee > 0 else -cap
        return -fee if fee else ZERO, ZERO
    raise PostingError(f"transaction type {ttype.code} takes an amount: give To Us or Direct")


def paid_by_part(session: Session, debtor_id: int, *, without: int | None = None) -> Breakdown:
    """What the account's posted payments have paid so far, part by part (leaving out
    transaction ``without``)."""
    t = Transaction
    query = select(
        func.coalesce(func.sum(t.paid_principal), 0), func.coalesce(func.sum(t.paid_interest), 0),
        func.coalesce(func.sum(t.paid_fees), 0), func.coalesce(func.sum(t.paid_legal), 0),
    ).where(t.debtor_id == debtor_id, t.posted_date.is_not(None),
            t.financial_type == int(FinancialType.PAYMENT))
    if without is not None:
        query = query.where(t.id != without)
    row = session.execute(query).one()
    return Breakdown(*(money(Decimal(str(v))) for v in row))


def default_breakdown(amount: Decimal, outstanding: Breakdown) -> Breakdown:
    """Split a payment over interest → fees → legal → principal (rest to principal)."""
    if amount <= 0:
        return Breakdown(principal=amount)
    left = amount
    parts: dict[str, Decimal] = {}
    for name in BREAKDOWN_ORDER[:-1]:
        take = min(left, max(getattr(outstanding, name), ZERO))
        parts[name] = take
        left -= take
    parts["principal"] = left
    return Breakdown(**parts)


def post_transaction(
    session: Session, debtor: Debtor, type_code: str, *,
    to_us: Decimal | None = None, direct: Decimal | None = None,
    payment_date: dt.date | None = None, posted_date: dt.date | None = None,
    promise: bool = False, operator: str = "", operator_id: str | None = None,
    sales_id: str | None = None, description: str | None = None,
    commission: Decimal | None = None, commission_rate: Decimal | None = None,
    tax: Decimal | None = None, tax_rate: Decimal | None = None,
    breakdown: Breakdown | None = None, of_payment: Decimal | None = None,
    reference: str = "", notes: str = "", today: dt.date | None = None, run_plans: bool = True,
    plan_callbacks: Any = None, flags: dict[str, bool] | None = None,
    record: Transaction | None = None,
) -> PostResult:
    """Post a transaction of ``type_code`` to ``debtor`` (see the module docstring).

    ``promise=True`` posts it without a posted date (a promise: not in the financials).
    ``operator`` is who is posting (plans run as them; a note line names them).
    ``plan_callbacks`` go to the contact-plan engine (prompts, confirmations).
    ``flags`` (reporting and calculation flags by attribute) override the type's.
    ``record``: fill this Transaction (a Transaction form's new record) instead of a new one.
    """
    today = today or dt.date.today()
    ttype = transaction_type(session, type_code)
    posted = None if promise else (posted_date or today)
    paid_on = payment_date or posted or today
    before = compute_debtor(session, debtor, today=paid_on,
                            without=record.id if record is not None else None)
    if to_us is None and direct is None:
        to_us, direct = type_amounts(ttype, before, of_payment=of_payment)
    to_us, direct = money(to_us or ZERO), money(direct or ZERO)
    amount = to_us + direct
    ftype = int(ttype.financial_type)
    is_payment = ftype == int(FinancialType.PAYMENT)
    settings = client_settings(session, debtor)

    values = dict(
        debtor_id=debtor.id, client_id=debtor.client_id, type_code=ttype.code,
        description=description if description is not None else (
            ttype.description if ttype.copy_description else ""),
        financial_type=ftype, to_us=to_us, direct=direct, payment_date=paid_on, posted_date=posted,
        **{name: getattr(ttype, name) for name in FLAGS}, **(flags or {}),
        operator_id=operator_id or ttype.operator_id or debtor.operator_id or operator,
        sales_id=sales_id or ttype.sales_id or debtor.sales_id or "",
        reference=reference, notes=notes, updated_by=operator,
    )
    tx = record if record is not None else Transaction()
    for name, value in values.items():
        setattr(tx, name, value)
    calc = _calculate(session, debtor, ttype, tx, before, breakdown=breakdown,
                      commission=commission, commission_rate=commission_rate, tax=tax,
                      tax_rate=tax_rate)

    session.add(tx)
    session.flush()
    shares = share_commission(session, tx)
    if ttype.create_receipt_number and not tx.receipt_number:
        tx.receipt_number = str(tx.id)
    if ttype.create_invoice_number and not tx.invoice_number:
        tx.invoice_number = str(tx.id)
    if ttype.write_note:
        session.add(Note(debtor_id=debtor.id, noted_at=dt.datetime.now().replace(microsecond=0),
                         status=debtor.status, operator_id=operator,
                         text=f"{'Promised' if posted is None else 'Posted'} {ttype.code} "
                              f"{tx.description} {amount}"))
    totals = recalc_debtor(session, debtor, today=today)
    result = PostResult(tx, totals, calc.source, shares=shares)

    bill = debtor.bill_commission_to_debtor or (settings is not None
                                                 and settings.bill_commission_to_debtor)
    if bill and is_payment and posted is not None and tx.commission:
        fee = post_transaction(session, debtor, COLLECTION_FEE, to_us=-tx.commission,
                               payment_date=paid_on, posted_date=posted, operator=operator,
                               commission=ZERO, tax=ZERO, reference=f"bill:{tx.id}",
                               today=today, run_plans=False)
        result.extra.append(fee.transaction)
        result.totals = fee.totals
    apply_rate_plan(session, debtor, today=today)

    if run_plans:
        options = {"callbacks": plan_callbacks} if plan_callbacks is not None else {}
        if ttype.contact_plan:
            PLAN_RUNNER(session, debtor, ttype.contact_plan, operator=operator, **options)
            result.plans_run.append(ttype.contact_plan)
        default_plan = payment_posting_plan(session, operator) if is_payment and posted else ""
        if default_plan:
            PLAN_RUNNER(session, debtor, default_plan, operator=operator, **options)
            result.plans_run.append(default_plan)
        if result.plans_run:
            session.flush()
    return result


def post_entered(session: Session, tx: Transaction, entered: Iterable[str], *, operator: str,
                 today: dt.date | None = None, plan_callbacks: Any = None) -> PostResult:
    """Post a transaction typed on the Transaction form (``tx``, its type and account set).

    What the operator typed (``entered``: attribute names) stands; everything else comes from
    the type as :func:`post_transaction` fills it — To Us by the amount mode when neither
    amount was typed, the description when the type copies it, the flags, the operator and
    sales, the breakdown, commission and tax.  A blank Posted date posts a promise."""
    entered = set(entered)
    debtor = session.get(Debtor, tx.debtor_id)
    if debtor is None:
        raise PostingError(f"transaction names file number {tx.debtor_id}, which does not exist")
    if not (tx.type_code or "").strip():
        raise PostingError("a transaction needs its Type (F2 lists them)")

    def typed(name: str) -> Any:
        return getattr(tx, name) if name in entered else None

    amounts = bool(entered & {"to_us", "direct"})
    breakdown = Breakdown(*(money(getattr(tx, n) or ZERO) for n in BREAKDOWN_FIELDS)) \
        if entered & set(BREAKDOWN_FIELDS) else None
    return post_transaction(
        session, debtor, tx.type_code.strip(),
        to_us=tx.to_us if amounts else None, direct=tx.direct if amounts else None,
        payment_date=tx.payment_date, posted_date=tx.posted_date,
        promise=tx.posted_date is None, operator=operator,
        operator_id=tx.operator_id or None, sales_id=tx.sales_id or None,
        description=tx.description or None,
        commission=typed("commission"), commission_rate=typed("commission_rate"),
        tax=typed("tax"), tax_rate=typed("tax_rate"), breakdown=breakdown,
        reference=tx.reference or "", notes=tx.notes or "", today=today,
        plan_callbacks=plan_callbacks,
        flags={n: bool(getattr(tx, n)) for n in FLAGS if n in entered}, record=tx)


#: What changes the money of a saved transaction: its commission and tax are worked out again.
_RECALCULATED_BY = frozenset({"type_code", "to_us", "direct", "payment_date", "posted_date",
                              "dont_calculate_commission", "dont_calculate_tax",
                              *BREAKDOWN_FIELDS})


def repost_edited(session: Session, tx: Transaction, changed: Iterable[str], *,
                  today: dt.date | None = None) -> Totals | None:
    """A saved transaction was edited on its form: when its type, amounts, dates, breakdown or
    calculation flags changed, the breakdown, commission and tax are worked out again from the
    account without it — except what the operator typed there too; the commission billed to
    the debtor (399) follows; then the account is recalculated.  Plans do not run again."""
    changed = set(changed)
    debtor = session.get(Debtor, tx.debtor_id) if tx.debtor_id is not None else None
    if debtor is None:
        return None
    if changed & _RECALCULATED_BY:
        ttype = transaction_type(session, tx.type_code)
        tx.financial_type = int(ttype.financial_type)
        if tx.payment_date is None:
            tx.payment_date = tx.posted_date or today or dt.date.today()
        before = compute_debtor(session, debtor, today=tx.payment_date, without=tx.id)
        breakdown = Breakdown(*(money(getattr(tx, n) or ZERO) for n in BREAKDOWN_FIELDS)) \
            if changed & set(BREAKDOWN_FIELDS) else None

        def typed(name: str) -> Any:
            return getattr(tx, name) if name in changed else None

        _calculate(session, debtor, ttype, tx, before, breakdown=breakdown,
                   commission=typed("commission"), commission_rate=typed("commission_rate"),
                   tax=typed("tax"), tax_rate=typed("tax_rate"))
    share_commission(session, tx)
    for fee in session.scalars(select(Transaction).where(
            Transaction.debtor_id == tx.debtor_id, Transaction.reference == f"bill:{tx.id}")):
        fee.to_us = -(tx.commission or ZERO)
        fee.payment_date, fee.posted_date = tx.payment_date, tx.posted_date
    session.flush()
    totals = recalc_debtor(session, debtor, today=today)
    apply_rate_plan(session, debtor, today=today)
    return totals


def _calculate(session: Session, debtor: Debtor, ttype: TransactionType, tx: Transaction,
               before: Totals, *, breakdown: Breakdown | None, commission: Decimal | None,
               commission_rate: Decimal | None, tax: Decimal | None,
               tax_rate: Decimal | None) -> Commission:
    """Step 1 of the event sequence on ``tx`` (its amounts, dates and flags set): the payment
    breakdown, commission and tax, from the account as it stood ``before``."""
    amount = tx.to_us + tx.direct
    if tx.financial_type == int(FinancialType.PAYMENT) and tx.posted_date is not None:
        if breakdown is None:
            paid = paid_by_part(session, debtor.id) if tx.id is None else \
                paid_by_part(session, debtor.id, without=tx.id)
            outstanding = Breakdown(before.principal - paid.principal,
                                    before.interest - paid.interest, before.fees - paid.fees,
                                    before.legal_costs - paid.legal)
            breakdown = default_breakdown(amount, outstanding)
        tx.paid_principal, tx.paid_interest = money(breakdown.principal), money(breakdown.interest)
        tx.paid_fees, tx.paid_legal = money(breakdown.fees), money(breakdown.legal)
    calc = _commission(session, debtor, ttype, tx, amount=amount, paid_on=tx.payment_date,
                       breakdown=breakdown, before=before, commission=commission,
                       rate=commission_rate)
    tx.commission, tx.commission_rate = calc.amount, calc.rate
    if tax is not None:
        tx.tax = money(tax)
        tx.tax_rate = rate_of(tx.tax, tx.commission)
    else:
        rate = tax_rate_for(session, debtor, ttype, rate=tax_rate,
                            dont_calculate=tx.dont_calculate_tax)
        tx.tax, tx.tax_rate = tax_on(tx.commission, rate)
    return calc


def _commission(session: Session, debtor: Debtor, ttype: TransactionType, tx: Transaction, *,
                amount: Decimal, paid_on: dt.date, breakdown: Breakdown | None, before: Totals,
                commission: Decimal | None, rate: Decimal | None) -> Commission:
    if commission is not None:
        commission = money(commission)
        return Commission(commission, rate_of(commission, amount), "manual")
    mode = ttype.amount_mode or AmountMode.ENTER.value
    if mode == AmountMode.DOLLARS.value and ttype.commission_amount:
        fixed = money(ttype.commission_amount)
        return Commission(fixed, rate_of(fixed, amount), "fixed")
    if tx.posted_date is None or (tx.dont_calculate_commission and rate is None):
        return Commission(ZERO, percent(0), "none")
    return calculate_commission(session, debtor, ttype, payment=amount, payment_date=paid_on,
                                breakdown=breakdown, paid_before=before.paid,
                                owing_before=before.owing, rate=rate)


def delete_transaction(session: Session, tx: Transaction, *,
                       today: dt.date | None = None) -> Totals | None:
    """Delete a transaction (with the collection fee that billed its commission) and
    recalculate its account."""
    debtor = session.get(Debtor, tx.debtor_id) if tx.debtor_id is not None else None
    if tx.id is not None:
        for linked in session.scalars(select(Transaction).where(
                Transaction.debtor_id == tx.debtor_id,
                Transaction.reference == f"bill:{tx.id}")).all():
            session.delete(linked)
    session.delete(tx)
    session.flush()
    if debtor is None:
        return None
    totals = recalc_debtor(session, debtor, today=today)
    apply_rate_plan(session, debtor, today=today)
    return totals


# -- account events that post ------------------------------------------------------------------

def close_account(session: Session, debtor: Debtor, *, today: dt.date | None = None,
                  operator: str = "") -> PostResult | None:
    """Close an account.  With interest: post a 499 for the accrued interest, switch interest
    off and set Calculate-From to today (so it can be restarted later)."""
    today = today or dt.date.today()
    result = None
    detail = debtor.interest_detail
    if detail is not None and detail.interest_type not in ("", "none"):
        accrued = compute_debtor(session, debtor, today=today).accrued_interest
        if accrued:
            result = post_transaction(session, debtor, TOTAL_ACCRUED_INTEREST, to_us=-accrued,
                                      payment_date=today, posted_date=today, operator=operator,
                                      today=today, run_plans=False)
        detail.interest_type = "none"
        detail.calculate_from = today
    debtor.mode = DebtorMode.CLOSED
    totals = recalc_debtor(session, debtor, today=today)
    if result is not None:
        result.totals = totals
    return result


def apply_new_account_fees(session: Session, debtor: Debtor, *, today: dt.date | None = None,
                           operator: str = "") -> PostResult | None:
    """Post the client's fixed fee on a new account (Client Settings "Fixed Fees").

    "Charge Fee to Client" posts a 397 whose amount is in the Commission field only — a
    charge the client owes the agency, outside the debtor's balance; "Charge Fee to Debtor"
    posts a 398 with To Us = −fee, so it shows in Fees and in the balance.  An account that
    already has its 397 / 398 gets nothing more.
    """
    settings = client_settings(session, debtor)
    if settings is None or settings.fixed_fee_mode not in ("client", "debtor"):
        return None
    fee = money(settings.fixed_fee_amount or ZERO)
    if not fee:
        return None
    code = CLIENT_FEE if settings.fixed_fee_mode == "client" else DEBTOR_FEE
    session.flush()
    exists = session.scalar(select(func.count()).select_from(Transaction).where(
        Transaction.debtor_id == debtor.id, Transaction.type_code == code))
    if exists:
        return None
    when = debtor.listed_date or today or dt.date.today()
    if code == CLIENT_FEE:
        return post_transaction(session, debtor, code, to_us=ZERO, commission=fee,
                                payment_date=when, posted_date=when, operator=operator,
                                today=today)
    return post_transaction(session, debtor, code, to_us=-fee, commission=ZERO,
                            payment_date=when, posted_date=when, operator=operator, today=today)
