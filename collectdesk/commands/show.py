"""``collectdesk show debtor|client N``: every field, totals and counts of related records."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import models as m
from ..db import open_session
from ..models.fieldcodes import for_model
from . import CommandError, add_database_option, add_json_option, print_json

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
        add_database_option(p)
        add_json_option(p)
        p.set_defaults(func=_run)


def _fields(record: Any, model: type) -> dict[str, Any]:
    return {f.attribute: f.value(record) for f in for_model(model)} if record is not None else {}


def _count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def describe_debtor(session: Session, number: int) -> dict[str, Any]:
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


def describe_client(session: Session, number: int) -> dict[str, Any]:
    client = session.get(m.Client, number)
    if client is None:
        raise CommandError(f"no client with number {number}")
    return {
        "number": client.id,
        "fields": _fields(client, m.Client),
        "settings": _fields(client.settings, m.ClientSettings),
        "totals": {name: getattr(client, name) for name in CLIENT_TOTALS},
        "counts": {
            "debtors": _count(session, m.Debtor, m.Debtor.client_id == number),
            "active_debtors": _count(session, m.Debtor, m.Debtor.client_id == number,
                                     m.Debtor.mode == m.DebtorMode.ACTIVE),
            "owned_clients": _count(session, m.Client, m.Client.owned_by_id == number),
            "transactions": _count(session, m.Transaction, m.Transaction.client_id == number),
            "notes": _count(session, m.Note, m.Note.client_id == number),
            "contacts": _count(session, m.Contact, m.Contact.client_id == number),
            "invoices": _count(session, m.Invoice, m.Invoice.client_id == number),
        },
    }


def _run(args: argparse.Namespace) -> int:
    with open_session(args.db) as session:
        describe = describe_debtor if args.kind == "debtor" else describe_client
        data = describe(session, args.number)
    if args.json:
        print_json(data)
        return 0
    title = f"{args.kind.title()} {args.number}"
    print(title)
    print("=" * len(title))
    for section in ("totals", "counts"):
        for key, value in data[section].items():
            print(f"{key.replace('_', ' ').title():<24}{value}")
    return 0
