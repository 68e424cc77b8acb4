"""What starts a contact plan: the Action field, new accounts, status, operator and phone changes.

Seed 003: the Debtor form's Action / Run Plan field ("typing a code runs it"), Client Settings
"Contact Plan For New Accounts" and "Finalizing The Account" (the code in the Action field runs
when a new account is saved), Debtor Status Codes "Run Plan", "Reassigning an Account to a New
Operator", and System Preferences "Run plan on operator change / phone change" (seed 000, "Set
Plans To Run On Changes").  Transaction type plans and the default payment posting plan are run by
the financial engine (:mod:`.posting`) through :func:`.contact_plans.run_plan`.

Every function flushes and leaves the commit to the caller.

Decisions:

* A new account runs the plan in its own Action field if one was typed, otherwise its client's
  "Contact Plan For New Accounts".  The Action field is emptied once its plan has run: it is a
  command, not a setting.
* A status code's Run Plan runs when the status changes to that code (setting the same status
  again runs nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ClientSettings, Debtor
from .contact_plans import (
    DebtorSink,
    PlanCallbacks,
    PlanResult,
    RunContext,
    execute_plan,
    run_plan,
    run_status_plan,
)
from .contacts import change_field


def run_action(session: Session, target: Any, code: str, operator: str, *,
               callbacks: PlanCallbacks | None = None,
               now: dt.datetime | None = None) -> PlanResult:
    """The Run Plan / Action field: run ``code`` now (F2 picks it, typing it runs it)."""
    result = run_plan(session, target, code, operator=operator, callbacks=callbacks, now=now)
    if (getattr(target, "run_plan", "") or "").strip().upper() == result.plan.upper():
        target.run_plan = ""
    return result


def new_account_plan(session: Session, debtor: Debtor) -> str:
    code = (debtor.run_plan or "").strip()
    if code:
        return code
    return (session.scalar(select(ClientSettings.new_account_plan).where(
        ClientSettings.client_id == debtor.client_id)) or "").strip()


def on_new_account(session: Session, debtor: Debtor, operator: str, *,
                   callbacks: PlanCallbacks | None = None,
                   now: dt.datetime | None = None) -> PlanResult | None:
    """A new account was saved: run its Action field's plan or its client's new-account plan."""
    code = new_account_plan(session, debtor)
    if not code:
        return None
    if debtor.id is None:
        session.add(debtor)
        session.flush()
    return run_action(session, debtor, code, operator, callbacks=callbacks, now=now)


def on_status_change(session: Session, target: Any, old: str, new: str, operator: str, *,
                     callbacks: PlanCallbacks | None = None,
                     now: dt.datetime | None = None) -> PlanResult | None:
    """Someone changed the status field from ``old`` to ``new``: run the status's Run Plan."""
    if (old or "") == (new or ""):
        return None
    ctx = RunContext(session, operator=operator, callbacks=callbacks, now=now)
    return run_status_plan(ctx, target, new)


@dataclass
class OperatorChange:
    old: str
    new: str
    moved: int
    plan: PlanResult | None


def change_operator(session: Session, debtor: Debtor, new_operator: str, by: str, *,
                    callbacks: PlanCallbacks | None = None,
                    now: dt.datetime | None = None) -> OperatorChange:
    """Give the account to ``new_operator``.

    The previous operator's In Progress contacts move with it; completed contacts and other
    operators' contacts stay.  Then the "Run plan on operator change" preference runs.
    """
    ctx = RunContext(session, operator=by, callbacks=callbacks, now=now)
    result = PlanResult("", f"debtor {debtor.id}")
    old = debtor.operator_id or ""
    change_field(DebtorSink(ctx, debtor, result), "operator_id", new_operator or "")
    session.flush()
    return OperatorChange(old, debtor.operator_id, result.moved,
                          result.subplans[0] if result.subplans else None)


def _preference_plan(session: Session, debtor: Debtor, preference: str, operator: str,
                     callbacks: PlanCallbacks | None, now: dt.datetime | None) -> PlanResult | None:
    ctx = RunContext(session, operator=operator, callbacks=callbacks, now=now)
    code = (ctx.pref(preference) or "").strip()
    return execute_plan(ctx, debtor, code) if code else None


def on_phone_change(session: Session, debtor: Debtor, operator: str, *,
                    callbacks: PlanCallbacks | None = None,
                    now: dt.datetime | None = None) -> PlanResult | None:
    """A phone number of the account changed: run the "Run plan on phone change" preference."""
    return _preference_plan(session, debtor, "phone_change_plan", operator, callbacks, now)


def on_operator_change(session: Session, debtor: Debtor, operator: str, *,
                       callbacks: PlanCallbacks | None = None,
                       now: dt.datetime | None = None) -> PlanResult | None:
    """The account's Operator field was changed on its form (the In Progress contacts already
    moved with it, :func:`.contacts.move_in_progress`): run the "Run plan on operator change"
    preference.  :func:`change_operator` does both for a change made by a plan or a batch."""
    return _preference_plan(session, debtor, "operator_change_plan", operator, callbacks, now)


__all__ = ["OperatorChange", "change_operator", "new_account_plan", "on_new_account",
           "on_operator_change", "on_phone_change", "on_status_change", "run_action"]
