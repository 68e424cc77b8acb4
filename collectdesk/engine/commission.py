"""Commission: what the agency earns on money collected (seed 003 "Commission And Tax",
"Commission Rate Plans" and every "Commission Rate Plan Sample").

Where the rate comes from, first match wins:

1. a rate typed on the transaction when it is posted;
2. the transaction type's Commission Rate ("used instead of the normal Commission Rate in
   the Debtor form");
3. the account's commission rate plan (the debtor's Rate Plan, else the client's);
4. breakdown rates (Rate on Principal / Interest / Fees / Legal) applied to the payment
   breakdown, the flat rate covering any part without its own rate;
5. the flat rate: the debtor's, else (decision: a 0 % debtor rate means "not set") the
   client's, else the company's.

Commission is calculated automatically on payments; other financial types get one only
from a transaction-type rate (on the size of the amount).  A plan tier's minimum / maximum
replaces the amount (except on the Age and List Amount plans, which ignore them), the
commission never exceeds the payment, and when the amount was replaced the rate shown
becomes amount ÷ payment.  Paid To Date is progressive: the payment is split across the
tiers it spans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import (
    ClientSettings,
    CommissionRatePlan,
    CommissionShare,
    CompanyDetails,
    Debtor,
    FinancialType,
    Operator,
    RatePlanKind,
    TeamMember,
    Transaction,
    TransactionType,
)
from .operators import is_team
from .rounding import HUNDRED, ZERO, money, of, percent, rate_of

#: Plans whose rate depends only on the account; min / max are ignored on them (seed).
IGNORE_MIN_MAX = frozenset({RatePlanKind.AGE_CHARGED, RatePlanKind.AGE_DELINQUENT,
                            RatePlanKind.LIST_AMOUNT})


@dataclass(frozen=True, slots=True)
class Tier:
    """One level of a plan: ``range_from``–``range_to`` (dollars or days), rate, min / max."""

    range_from: Decimal
    range_to: Decimal
    rate: Decimal
    min_commission: Decimal | None = None
    max_commission: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Commission:
    amount: Decimal
    rate: Decimal
    source: str  # manual | fixed | none | type | plan:CODE | breakdown | flat


@dataclass(frozen=True, slots=True)
class Breakdown:
    """What a payment paid: principal, interest, fees, legal."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fees: Decimal = ZERO
    legal: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees + self.legal


# -- rate plans -------------------------------------------------------------------------------

def sorted_tiers(tiers: Sequence[Tier]) -> list[Tier]:
    return sorted(tiers, key=lambda t: (t.range_from, t.range_to))


def tier_for(tiers: Sequence[Tier], value: Decimal) -> Tier:
    """The level ``value`` falls in: the first (lowest) whose To is at least ``value``.

    Ranges are inclusive at the top (List Amount 100.00 → the 0–100.00 level, 100.01 →
    the next); a value above every level uses the highest, one below every level the lowest.
    """
    ordered = sorted_tiers(tiers)
    for tier in ordered:
        if value <= tier.range_to:
            return tier
    return ordered[-1]


def progressive_total(tiers: Sequence[Tier], paid: Decimal) -> Decimal:
    """Commission on the first ``paid`` dollars under a progressive (Paid To Date) plan.

    Level *n* covers the dollars between level *n − 1*'s To and its own To (the highest level
    has no top), so 2,000.00 / 2,000.01 boundaries leave no gap.  Unrounded.
    """
    ordered = sorted_tiers(tiers)
    total = Decimal(0)
    lower = Decimal(0)
    for i, tier in enumerate(ordered):
        last = i == len(ordered) - 1
        upper = tier.range_to
        if last or paid < upper:
            portion = paid - lower
        else:
            portion = upper - lower
        if portion > 0:
            total += of(portion, tier.rate)
        if last or paid <= upper:
            break
        lower = upper
    return total


def plan_commission(kind: str, tiers: Sequence[Tier], payment: Decimal, *,
                    basis: Decimal | None = None, paid_before: Decimal = ZERO,
                    code: str = "") -> Commission:
    """Commission on ``payment`` under a plan of ``kind``.

    ``basis`` is what selects the level (days or dollars, see :func:`plan_basis`);
    Paid To Date uses ``paid_before`` (paid to date before this payment) instead.
    """
    source = f"plan:{code}" if code else "plan"
    if not tiers or not payment:
        return Commission(ZERO, percent(0), source)
    if kind == RatePlanKind.PAID_TO_DATE:
        raw = (progressive_total(tiers, paid_before + payment)
               - progressive_total(tiers, paid_before))
        tier = tier_for(tiers, paid_before + payment)
        amount = money(raw)
        rate = rate_of(amount, payment)
    else:
        tier = tier_for(tiers, basis if basis is not None else abs(payment))
        amount = money(of(payment, tier.rate))
        rate = percent(tier.rate)
    limited = amount
    if kind not in IGNORE_MIN_MAX:
        limited = _min_max(amount, tier)
    limited = _cap(limited, payment)
    if limited != amount:
        rate = rate_of(limited, payment)
    return Commission(limited, rate, source)


def _min_max(amount: Decimal, tier: Tier) -> Decimal:
    sign = -1 if amount < 0 else 1
    size = abs(amount)
    if tier.min_commission is not None and tier.min_commission > 0 and size < tier.min_commission:
        size = tier.min_commission
    if tier.max_commission is not None and tier.max_commission > 0 and size > tier.max_commission:
        size = tier.max_commission
    return money(size * sign)


def _cap(amount: Decimal, payment: Decimal) -> Decimal:
    """Commission never exceeds the payment (in size)."""
    if abs(amount) > abs(payment):
        return money(abs(payment) * (-1 if amount < 0 else 1))
    return amount


def _days(later: dt.date | None, earlier: dt.date | None) -> Decimal | None:
    if later is None or earlier is None:
        return None
    return Decimal(max((later - earlier).days, 0))


def plan_basis(kind: str, debtor: Debtor, *, payment: Decimal, payment_date: dt.date | None,
               owing_before: Decimal) -> Decimal | None:
    """What selects a plan level for this account and payment (None: cannot tell).

    Age plans measure the days between Listed and Charged / Delinquent (either order), List
    Amount is Original Principal + Original Interest, Remaining Balance the owing before
    posting, Payment Days From … the days from that date to the payment date.
    """
    k = RatePlanKind(kind)
    if k is RatePlanKind.AGE_CHARGED:
        return _age(debtor.listed_date, debtor.charged_date)
    if k is RatePlanKind.AGE_DELINQUENT:
        return _age(debtor.listed_date, debtor.delinquent_date)
    if k is RatePlanKind.LIST_AMOUNT:
        detail = debtor.interest_detail
        return (debtor.original_principal or ZERO) + (
            (detail.original_interest or ZERO) if detail is not None else ZERO)
    if k is RatePlanKind.PAYMENT_AMOUNT:
        return abs(payment)
    if k is RatePlanKind.REMAINING_BALANCE:
        return owing_before
    if k is RatePlanKind.DAYS_FROM_LISTING:
        return _days(payment_date, debtor.listed_date)
    if k is RatePlanKind.DAYS_FROM_CHARGED:
        return _days(payment_date, debtor.charged_date)
    if k is RatePlanKind.DAYS_FROM_DELINQUENT:
        return _days(payment_date, debtor.delinquent_date)
    return None  # PAID_TO_DATE uses paid to date, not a basis


def _age(a: dt.date | None, b: dt.date | None) -> Decimal | None:
    if a is None or b is None:
        return None
    return Decimal(abs((a - b).days))


def load_plan(session: Session, code: str) -> tuple[CommissionRatePlan, list[Tier]] | None:
    if not code:
        return None
    plan = session.scalar(select(CommissionRatePlan).where(CommissionRatePlan.code == code))
    if plan is None:
        return None
    tiers = [Tier(t.range_from or ZERO, t.range_to or ZERO, t.rate or ZERO, t.min_commission,
                  t.max_commission) for t in plan.tiers]
    return plan, tiers


# -- the account's terms ----------------------------------------------------------------------

def client_settings(session: Session, debtor: Debtor) -> ClientSettings | None:
    return session.get(ClientSettings, debtor.client_id) if debtor.client_id else None


def company(session: Session) -> CompanyDetails | None:
    return session.scalar(select(CompanyDetails).order_by(CompanyDetails.id).limit(1))


def account_plan_code(session: Session, debtor: Debtor) -> str:
    if debtor.rate_plan:
        return debtor.rate_plan
    settings = client_settings(session, debtor)
    return settings.rate_plan if settings is not None and settings.rate_plan else ""


def flat_rate(session: Session, debtor: Debtor) -> Decimal:
    if debtor.commission_rate:
        return debtor.commission_rate
    settings = client_settings(session, debtor)
    if settings is not None and settings.commission_rate:
        return settings.commission_rate
    comp = company(session)
    return comp.commission_rate if comp is not None and comp.commission_rate else ZERO


def breakdown_rates(session: Session, debtor: Debtor) -> tuple[Decimal | None, ...] | None:
    """Rates on principal, interest, fees, legal (None where not set); None if none are set."""
    rates = (debtor.commission_principal, debtor.commission_interest, debtor.commission_fees,
             debtor.commission_legal)
    if any(r is not None for r in rates):
        return rates
    settings = client_settings(session, debtor)
    if settings is not None:
        rates = (settings.commission_principal, settings.commission_interest,
                 settings.commission_fees, settings.commission_legal)
        if any(r is not None for r in rates):
            return rates
    return None


def calculate_commission(session: Session, debtor: Debtor, ttype: TransactionType, *,
                         payment: Decimal, payment_date: dt.date | None,
                         breakdown: Breakdown | None = None, paid_before: Decimal = ZERO,
                         owing_before: Decimal = ZERO,
                         rate: Decimal | None = None) -> Commission:
    """The calculated commission on ``payment`` (To Us + Direct) of a transaction of ``ttype``."""
    is_payment = ttype.financial_type == int(FinancialType.PAYMENT)
    if rate is None and ttype.commission_rate is not None:
        rate, source = ttype.commission_rate, "type"
    else:
        source = "manual"
    if rate is not None:
        base = payment if is_payment else abs(payment)
        amount = _cap(money(of(base, rate)), base)
        return Commission(amount, percent(rate), source)
    if not is_payment or not payment:
        return Commission(ZERO, percent(0), "none")
    plan = load_plan(session, account_plan_code(session, debtor))
    if plan is not None:
        record, tiers = plan
        if record.kind == RatePlanKind.PAID_TO_DATE:
            return plan_commission(record.kind, tiers, payment, paid_before=paid_before,
                                   code=record.code)
        basis = plan_basis(record.kind, debtor, payment=payment, payment_date=payment_date,
                           owing_before=owing_before)
        if basis is not None and tiers:
            return plan_commission(record.kind, tiers, payment, basis=basis, code=record.code)
    flat = flat_rate(session, debtor)
    parts = breakdown_rates(session, debtor)
    if parts is not None and breakdown is not None and breakdown.total:
        amounts = (breakdown.principal, breakdown.interest, breakdown.fees, breakdown.legal)
        raw = sum((of(a, r if r is not None else flat) for a, r in zip(amounts, parts,
                                                                        strict=True)), ZERO)
        raw += of(payment - breakdown.total, flat)
        amount = _cap(money(raw), payment)
        return Commission(amount, rate_of(amount, payment), "breakdown")
    amount = _cap(money(of(payment, flat)), payment)
    return Commission(amount, percent(flat), "flat")


def current_plan_rate(session: Session, debtor: Debtor, *, today: dt.date) -> Decimal | None:
    """The rate a plan shows on the Debtor form (None: the plan sets no account rate).

    Age and List Amount plans fix it from the account; Paid To Date shows the level that
    paid to date is in; Remaining Balance the level of the owing; Payment Days From … the
    level as of ``today``; Payment Amount plans leave the Rate empty (seed).
    """
    plan = load_plan(session, account_plan_code(session, debtor))
    if plan is None or not plan[1]:
        return None
    record, tiers = plan
    kind = RatePlanKind(record.kind)
    if kind is RatePlanKind.PAYMENT_AMOUNT:
        return None
    if kind is RatePlanKind.PAID_TO_DATE:
        return percent(tier_for(tiers, debtor.paid or ZERO).rate)
    basis = plan_basis(kind, debtor, payment=ZERO, payment_date=today,
                       owing_before=debtor.owing or ZERO)
    return None if basis is None else percent(tier_for(tiers, basis).rate)


def apply_rate_plan(session: Session, debtor: Debtor, *, today: dt.date | None = None) -> None:
    """Set the debtor's Rate from its plan, when the plan defines one."""
    rate = current_plan_rate(session, debtor, today=today or dt.date.today())
    if rate is not None and debtor.commission_rate != rate:
        debtor.commission_rate = rate


def copy_commission_terms(session: Session, debtor: Debtor) -> None:
    """A new account takes its client's commission and tax terms (the company's where the
    client has none): rate, breakdown rates, rate plan, tax rate, exemption, billing."""
    settings = client_settings(session, debtor)
    comp = company(session)
    if settings is not None:
        debtor.commission_rate = settings.commission_rate or (
            comp.commission_rate if comp is not None else ZERO) or ZERO
        debtor.commission_principal = settings.commission_principal
        debtor.commission_interest = settings.commission_interest
        debtor.commission_fees = settings.commission_fees
        debtor.commission_legal = settings.commission_legal
        debtor.rate_plan = settings.rate_plan or (comp.rate_plan if comp is not None else "")
        debtor.tax_rate = settings.tax_rate or (comp.tax_rate if comp is not None else ZERO) or ZERO
        debtor.tax_exempt = settings.tax_exempt
        debtor.bill_commission_to_debtor = settings.bill_commission_to_debtor
    elif comp is not None:
        debtor.commission_rate = comp.commission_rate or ZERO
        debtor.rate_plan = comp.rate_plan or ""
        debtor.tax_rate = comp.tax_rate or ZERO


# -- distribution teams -----------------------------------------------------------------------

#: The transaction's operators whose commission a team shares (CommissionShare.role).
SHARE_ROLES = (("operator", "operator_id"), ("sales", "sales_id"))


def _names_team(session: Session, operator_id: str) -> bool:
    """Whether ``operator_id`` is a DISTRIBUTION team."""
    op = session.get(Operator, operator_id) if operator_id else None
    return op is not None and is_team(op)


def split_commission(session: Session, operator_id: str, amount: Decimal,
                     ) -> list[tuple[str, Decimal]]:
    """Share ``amount`` among a DISTRIBUTION team's members by their percentages.

    Teams nest: a member that is itself a team is split again.  An operator who is not a
    team keeps everything.  Shares are rounded to the cent and the rounding difference goes
    to the first member (by ID), so the shares add up to ``amount`` exactly; percentages
    adding up to less than 100 leave the rest with the team itself.
    """
    return _split(session, operator_id, money(amount), frozenset())


def _split(session: Session, operator_id: str, amount: Decimal,
           seen: frozenset[str]) -> list[tuple[str, Decimal]]:
    if not _names_team(session, operator_id) or operator_id in seen:
        return [(operator_id, amount)]
    members = session.scalars(select(TeamMember).where(TeamMember.team_id == operator_id)
                              .order_by(TeamMember.member_id)).all()
    if not members:
        return [(operator_id, amount)]
    shares = [(m.member_id, money(of(amount, m.commission_percent or ZERO))) for m in members]
    total_pct = sum((m.commission_percent or ZERO for m in members), ZERO)
    rest = amount - sum((s for _, s in shares), ZERO)
    if total_pct >= HUNDRED and rest:
        shares[0] = (shares[0][0], shares[0][1] + rest)
        rest = ZERO
    out: list[tuple[str, Decimal]] = []
    for member_id, share in shares:
        out.extend(_split(session, member_id, share, seen | {operator_id}))
    if rest:
        out.append((operator_id, rest))
    return out


def share_commission(session: Session, tx: Transaction) -> list[CommissionShare]:
    """Record (again) how ``tx``'s commission is shared: for its operator and its sales, when
    that is a DISTRIBUTION team, one row per member (``tx`` flushed, its commission set).
    A transaction without commission, or credited to plain operators, has no rows."""
    session.execute(delete(CommissionShare).where(CommissionShare.transaction_id == tx.id))
    rows: list[CommissionShare] = []
    if tx.commission:
        for role, attribute in SHARE_ROLES:
            team = getattr(tx, attribute) or ""
            if _names_team(session, team):
                rows.extend(CommissionShare(transaction_id=tx.id, role=role, team_id=team,
                                            operator_id=member, amount=amount)
                            for member, amount in split_commission(session, team, tx.commission))
    session.add_all(rows)
    return rows
