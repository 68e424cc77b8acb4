"""What a save from a form sets off, end to end through :func:`.saving.save_form` (the path the
Debtor, Client and Transaction forms use): the new-account plan, a status code's Run Plan, a
transaction type's plan and the default payment-posting plan, the operator-change and
phone-change plans of System preferences, and the In Progress contacts that follow an account
to its new operator.

Seed 003: Client Settings "Contact Plan For New Accounts", "Finalizing The Account", Debtor
Status Codes "Run Plan", "Transaction Posting Event Sequence", "Reassigning an Account to a New
Operator"; seed 000 "Set Plans To Run On Changes".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.engine import records
from collectdesk.engine.saving import save_form
from collectdesk.models import (
    ClientSettings,
    Contact,
    Debtor,
    DebtorMode,
    Preferences,
    TransactionType,
)
from tests.test_contact_plans import (  # noqa: F401 - fixtures
    NOW,
    TODAY,
    add_contact,
    add_plan,
    contacts,
    engine,
    new_debtor,
    notes,
    session,
    template,
)


def typed(record: Any, **values: Any) -> list[records.Change]:
    """What the operator typed on the form, as the form applies it."""
    return records.apply_values(record, {k: (v, "", k) for k, v in values.items()})


def save(session: Session, record: Any, *, is_new: bool = False, by: str = "OWN",  # noqa: F811
         **values: Any):
    changes = typed(record, **values)
    versions = [] if is_new else [(record, record.version)]
    return save_form(session, [record], changes, is_new=is_new, operator_id=by,
                     versions=versions, now=NOW)


def system_preferences(session: Session) -> Preferences:  # noqa: F811
    return session.scalar(select(Preferences).where(Preferences.operator_id.is_(None)))


def reread(session: Session, debtor: Debtor) -> Debtor:  # noqa: F811
    session.expire_all()
    return session.get(Debtor, debtor.id)


def test_saving_a_new_account_runs_the_clients_new_account_plan(session: Session) -> None:  # noqa: F811
    session.add(ClientSettings(client_id=1, new_account_plan="NEW"))
    session.commit()
    # The Debtor form starts a new account the way records.new_debtor does: the client's
    # new-account plan is in its Action field.
    debtor = records.new_debtor(session, 1, operator_id="OWN")
    session.expunge(debtor)
    assert debtor.run_plan == "NEW"
    outcome = save(session, debtor, is_new=True, name="Newman, Ann")
    assert [p.plan for p in outcome.plans] == ["NEW"]
    assert outcome.summary() == ["Plan NEW ran: 4 contact(s) scheduled."]
    debtor = reread(session, debtor)
    assert (debtor.status, debtor.run_plan) == ("NEW", "")  # the Action field is a command
    assert sorted((c.type, c.description, c.due_date) for c in contacts(session, debtor)) == [
        ("Letter", "Letter 1", TODAY), ("Letter", "Letter 2", dt.date(2024, 4, 3)),
        ("Letter", "Letter 3", dt.date(2024, 5, 3)), ("Phone", "Home", dt.date(2024, 3, 14))]


def test_a_new_account_with_an_emptied_action_field_falls_back_to_the_client_plan(
        session: Session) -> None:  # noqa: F811
    session.add(ClientSettings(client_id=1, new_account_plan="REV"))
    session.commit()
    debtor = Debtor(client_id=1, operator_id="OWN")
    outcome = save(session, debtor, is_new=True, name="Plain, Pat")
    assert [p.plan for p in outcome.plans] == ["REV"]
    assert [c.type for c in contacts(session, reread(session, debtor))] == ["Review"]
    # Typed by the clerk, the Action field wins over the client's plan.
    typed_plan = Debtor(client_id=1, operator_id="OWN")
    save(session, typed_plan, is_new=True, name="Typed, Tom", run_plan="C0")
    assert [c.type for c in contacts(session, reread(session, typed_plan))] == ["Phone"]


def test_changing_the_status_runs_the_status_codes_plan(session: Session) -> None:  # noqa: F811
    debtor = new_debtor(session, status="ACT")
    add_contact(session, debtor, type="Phone", description="pending")
    session.commit()
    outcome = save(session, debtor, status="PIF")  # PIF's Run Plan is CLO
    assert [p.plan for p in outcome.plans] == ["CLO"]
    debtor = reread(session, debtor)
    assert debtor.mode == DebtorMode.CLOSED
    assert contacts(session, debtor) == []  # CLO deletes every pending contact
    assert [n.text for n in notes(session, debtor)][-1] == "File closed"
    # Saving again with the same status runs nothing.
    assert save(session, debtor, city="Salem").plans == []


def test_posting_a_transaction_runs_the_types_plan_and_the_payment_posting_plan(
        session: Session) -> None:  # noqa: F811
    add_plan(session, "PAYREV", [{"type": "Review", "description": "Payment received",
                                  "priority": 40, "use_delay_days": True, "delay_days": 3,
                                  "timeless": True}])
    add_plan(session, "THANKS", [{"type": "Letter", "description": "Thank you letter",
                                  "timeless": True}])
    session.get(TransactionType, "102").contact_plan = "PAYREV"
    system_preferences(session).payment_posting_plan = "THANKS"
    debtor = new_debtor(session, status="ACT", principal=Decimal("500.00"),
                        owing=Decimal("500.00"))
    session.commit()
    tx = records.new_transaction(today=TODAY)
    tx.debtor_id, tx.client_id = debtor.id, debtor.client_id
    outcome = save(session, tx, is_new=True, type_code="102", to_us=Decimal("50.00"))
    assert outcome.plans_run == ["PAYREV", "THANKS"]
    assert sorted((c.type, c.description, c.plan_code)
                  for c in contacts(session, reread(session, debtor))) == [
        ("Letter", "Thank you letter", "THANKS"), ("Review", "Payment received", "PAYREV")]
    # A fee is not a payment: only its type's plan runs.
    session.get(TransactionType, "301").contact_plan = "PAYREV"
    session.commit()
    fee = records.new_transaction(today=TODAY)
    fee.debtor_id, fee.client_id = debtor.id, debtor.client_id
    assert save(session, fee, is_new=True, type_code="301").plans_run == ["PAYREV"]


def test_changing_the_operator_moves_their_in_progress_contacts_and_runs_the_plan(
        session: Session) -> None:  # noqa: F811
    system_preferences(session).operator_change_plan = "REV"
    debtor = new_debtor(session, operator_id="OWN")
    phone = add_contact(session, debtor, type="Phone", operator_id="OWN")
    letter = add_contact(session, debtor, type="Letter", operator_id="OWN")
    done = add_contact(session, debtor, type="Phone", operator_id="OWN", done=True)
    theirs = add_contact(session, debtor, type="Promise", operator_id="AB", description="AB's")
    elsewhere = add_contact(session, new_debtor(session), type="Phone", operator_id="OWN")
    session.commit()
    outcome = save(session, debtor, by="MGR", operator_id="JC")
    assert outcome.moved_contacts == 2
    assert [p.plan for p in outcome.plans] == ["REV"]
    session.expire_all()
    assert [session.get(Contact, c.id).operator_id
            for c in (phone, letter, done, theirs, elsewhere)] == ["JC", "JC", "OWN", "AB", "OWN"]
    review = [c for c in contacts(session, debtor) if c.plan_code == "REV"]
    assert [(c.type, c.operator_id) for c in review] == [("Review", "JC")]


def test_changing_an_operator_without_a_preference_plan_only_moves_contacts(
        session: Session) -> None:  # noqa: F811
    debtor = new_debtor(session, operator_id="OWN")
    add_contact(session, debtor, type="Phone", operator_id="OWN")
    session.commit()
    outcome = save(session, debtor, operator_id="JC")
    assert (outcome.moved_contacts, outcome.plans) == (1, [])
    assert [c.operator_id for c in contacts(session, reread(session, debtor))] == ["JC"]


def test_changing_a_phone_number_runs_the_phone_change_plan(session: Session) -> None:  # noqa: F811
    system_preferences(session).phone_change_plan = "C0"
    debtor = new_debtor(session, home_phone="503-555-0100")
    session.commit()
    assert save(session, debtor, city="Salem").plans == []  # not a phone field
    outcome = save(session, debtor, home_phone="503-555-0199")
    assert [p.plan for p in outcome.plans] == ["C0"]
    [call] = [c for c in contacts(session, reread(session, debtor)) if c.type == "Phone"]
    assert (call.due_date, call.due_time) == (TODAY, dt.time(9, 15))  # in 15 minutes
