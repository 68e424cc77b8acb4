"""``collectdesk show debtor|client N``: every field, totals and counts of related records."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import models as m
from ..db import open_session
from ..engine.access import Access, AccessPolicy, Placeholder, open_account
from ..engine.audit import ACCESS_REFUSED, audit_now
from ..engine.browse import report_count
from ..models.fieldcodes import for_model
from . import (
    CommandError,
    add_database_option,
    add_json_option,
    operator_policy,
    print_json,
)

DEBTOR_TOTALS = ("original_principal", "principal", "interest", "fees", "legal_costs", "paid",
                 "adjustments", "owing", "last_payment_date", "last_payment_amount",
                 "commission_total", "tax_total")
CLIENT_TOTALS = ("listed", "paid", "fees", "adjustments", "commission", "tax", "owing",
                 "success_rate", "accounts")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("show", help="print one account or client")
    kinds = parser.add_subparsers(dest="kind", metavar="RECORD", required=True)
    for kind, helptext in (("debtor", "an account by file number"), ("client", "a client by number")):
        p = kinds.add_parser(kind, help=helptext)
        p.add_argument("number", type=int)
        p.add_argument("--operator", metavar="ID", default=None,
                       help="show only what this operator may see (account access control)")
        add_database_option(p)
        add_json_option(p)
        p.set_defaults(func=_run)


def _fields(record: Any, model: type) -> dict[str, Any]:
    return {f.attribute: f.value(record) for f in for_model(model)} if record is not None else {}


def _count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _refuse(session: Session, policy: AccessPolicy, what: str) -> None:
    audit_now(session, policy.operator_id, ACCESS_REFUSED, f"show {what}: refused")


def describe_debtor(session: Session, number: int,
                    policy: AccessPolicy | None = None) -> dict[str, Any]:
    if policy is not None:
        access, opened = open_account(session, policy, number)
        if access is Access.PLACEHOLDER and isinstance(opened, Placeholder):
            return {"file_number": number, "placeholder": True, "fields": opened.fields()}
        if access is not Access.FULL:
            # A hidden account answers exactly like a missing one.
            raise CommandError(f"no account with file number {number}")
    debtor = session.get(m.Debtor, number)
    if debtor is None:
        raise CommandError(f"no account with file number {number}")
    by = m.Contact.debtor_id == number
    return {
        "file_number": debtor.id,
        "client": {"number": debtor.client_id, "name": debtor.client.name},
        "fields": _fields(debtor, m.Debtor),
        "detail": _fields(debtor.detail, m.DebtorDetail),
        "interest_detail": _fields(debtor.interest_detail, m.InterestDetail),
        "credit_report": _fields(debtor.credit_report, m.CreditReport),
        "totals": {name: getattr(debtor, name) for name in DEBTOR_TOTALS},
        "counts": {
            "transactions": _count(session, m.Transaction, m.Transaction.debtor_id == number),
            "contacts": _count(session, m.Contact, by),
            "contacts_in_progress": _count(session, m.Contact, by, m.Contact.done.is_(False)),
            "notes": _count(session, m.Note, m.Note.debtor_id == number),
            "cosigners": _count(session, m.Cosigner, m.Cosigner.debtor_id == number),
            "phones": _count(session, m.Phone, m.Phone.debtor_id == number),
            "emails": _count(session, m.Email, m.Email.debtor_id == number),
            "addresses": _count(session, m.Address, m.Address.debtor_id == number),
            "attachments": _count(session, m.Attachment, m.Attachment.debtor_id == number),
        },
    }


def describe_client(session: Session, number: int,
                    policy: AccessPolicy | None = None) -> dict[str, Any]:
    client = session.get(m.Client, number)
    if client is not None and policy is not None and not policy.can_see_client(number):
        _refuse(session, policy, f"client {number}")
        client = None
    if client is None:
        raise CommandError(f"no client with number {number}")

    def count(model: type, *where: Any) -> int:
        # Counts of accounts and their records are reports: only what the operator may see.
        return report_count(session, model, where=where, policy=policy)

    return {
        "number": client.id,
        "fields": _fields(client, m.Client),
        "settings": _fields(client.settings, m.ClientSettings),
        "totals": {name: getattr(client, name) for name in CLIENT_TOTALS},
        "counts": {
            "debtors": count(m.Debtor, m.Debtor.client_id == number),
            "active_debtors": count(m.Debtor, m.Debtor.client_id == number,
                                    m.Debtor.mode == m.DebtorMode.ACTIVE),
            "owned_clients": count(m.Client, m.Client.owned_by_id == number),
            "transactions": count(m.Transaction, m.Transaction.client_id == number),
            "notes": count(m.Note, m.Note.client_id == number),
            "contacts": count(m.Contact, m.Contact.client_id == number),
            "invoices": _count(session, m.Invoice, m.Invoice.client_id == number),
        },
    }


def _run(args: argparse.Namespace) -> int:
    with open_session(args.db) as session:
        describe = describe_debtor if args.kind == "debtor" else describe_client
        data = describe(session, args.number, operator_policy(session, args.operator))
    if args.json:
        print_json(data)
        return 0
    title = f"{args.kind.title()} {args.number}"
    print(title)
    print("=" * len(title))
    if data.get("placeholder"):
        print("Confidential account: only these fields are shown.")
        for key, value in data["fields"].items():
            print(f"{key.replace('_', ' ').title():<24}{'' if value is None else value}")
        return 0
    for section in ("totals", "counts"):
        for key, value in data[section].items():
            print(f"{key.replace('_', ' ').title():<24}{value}")
    return 0
