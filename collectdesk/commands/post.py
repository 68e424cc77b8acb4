"""``collectdesk post``: post one transaction to an account, exactly as the Transaction form
does (:func:`collectdesk.engine.posting.post_transaction`: amount modes, payment breakdown,
commission, tax and team commission shares, the debtor's recalculation, then the type's and
the payment-posting contact plans), and save it in one database transaction.

Options:

``--file N`` (required)
    the account's file number.
``--type CODE`` (required)
    the transaction type; a group heading (100, 200 …) is refused.
``--to-us A`` / ``--direct A``
    the amount paid to the agency / directly to the client.  Negative adds to what is owed
    (principal, interest, fees, legal), positive reduces it.  Without either, the type's
    amount mode fills To Us (fixed dollars; percent of principal, owing or accrued interest;
    percent of a payment); a type that takes an entered amount is refused without one.
``--payment-date D``
    the day the money was paid: interest and payment-days plans run from it (default: the
    posted date).  D is YYYY-MM-DD or MM/DD/YYYY.
``--posted-date D``
    the day it is posted, for client statements (default today).
``--promise``
    post without a posted date: a promise, outside the financials.
``--operator ID``
    who is posting (plans run as them, notes and Updated By name them); the transaction's own
    operator and sales come from the type, else the account.
``--commission A``
    this commission instead of the calculated one (the rate shown becomes A ÷ amount).
``--description TEXT``
    instead of the type's description.
``--of-payment A``
    the payment a percent-of-payment fee (convenience fee) is taken of (default: the last
    payment).
``--json``
    print the transaction, its commission, rate, tax, team shares, anything posted with it
    (a 399 billing the commission to the debtor), the plans run and the account's new totals.

Bad input — an unknown account or type, a malformed amount, date or file number — is one line
on stderr naming the option, exit code 1, and nothing is saved.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..db import open_session, save
from . import CommandError, add_database_option, add_json_option, print_json

if TYPE_CHECKING:
    from ..models import Debtor


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("post", help="post a transaction to an account")
    add_database_option(parser)
    parser.add_argument("--file", required=True, metavar="N", help="the account's file number")
    parser.add_argument("--type", required=True, metavar="CODE", help="transaction type code")
    parser.add_argument("--to-us", metavar="A", help="amount paid to the agency")
    parser.add_argument("--direct", metavar="A", help="amount paid directly to the client")
    parser.add_argument("--payment-date", metavar="D", help="YYYY-MM-DD or MM/DD/YYYY")
    parser.add_argument("--posted-date", metavar="D",
                        help="YYYY-MM-DD or MM/DD/YYYY (default today)")
    parser.add_argument("--promise", action="store_true", help="post without a posted date")
    parser.add_argument("--operator", default="", metavar="ID", help="who is posting")
    parser.add_argument("--commission", metavar="A", help="commission amount (skips calculation)")
    parser.add_argument("--description", metavar="TEXT")
    parser.add_argument("--of-payment", metavar="A",
                        help="the payment a percent-of-payment fee is taken of")
    add_json_option(parser)
    parser.set_defaults(func=_run)


def parse_amount(text: str | None, what: str) -> Decimal | None:
    if text is None:
        return None
    from ..engine.rounding import parse_amount as parse

    try:
        return parse(text)
    except ValueError:
        raise CommandError(f"malformed amount for {what}: {text!r}") from None


def parse_date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise CommandError(f"malformed date for {what}: {text!r} (use YYYY-MM-DD or MM/DD/YYYY)")


def parse_file_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise CommandError(f"malformed file number {text!r}") from None
    if number < 1:
        raise CommandError(f"malformed file number {text!r}")
    return number


@contextmanager
def posting_session(database: str | None, what: str, where: str = "") -> Iterator[Session]:
    """A session to post in: a PostingError (prefixed with ``where``) or a database error
    becomes one CommandError line, and nothing is saved (no commit happened)."""
    from ..engine.posting import PostingError

    try:
        with open_session(database) as session:
            yield session
    except PostingError as exc:
        raise CommandError(f"{where}{exc}") from None
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot {what}, nothing saved: {exc.__class__.__name__}: "
                           f"{exc}") from None


def account(session: Session, number: int) -> Debtor:
    """The account with file number ``number``, or a CommandError saying there is none."""
    from ..models import Debtor

    debtor = session.get(Debtor, number)
    if debtor is None:
        raise CommandError(f"no account with file number {number}")
    return debtor


def _run(args: argparse.Namespace) -> int:
    from ..engine.posting import post_transaction

    number = parse_file_number(args.file)
    to_us = parse_amount(args.to_us, "--to-us")
    direct = parse_amount(args.direct, "--direct")
    commission = parse_amount(args.commission, "--commission")
    of_payment = parse_amount(args.of_payment, "--of-payment")
    payment_date = parse_date(args.payment_date, "--payment-date")
    posted_date = parse_date(args.posted_date, "--posted-date")
    with posting_session(args.db, "post") as session:
        result = post_transaction(
            session, account(session, number), args.type, to_us=to_us, direct=direct,
            payment_date=payment_date, posted_date=posted_date, promise=args.promise,
            operator=args.operator, commission=commission, description=args.description,
            of_payment=of_payment)
        save(session, operator=args.operator)
        data = result.as_dict()
    if args.json:
        print_json(data)
    else:
        tx = data["transaction"]
        totals = data["debtor"]
        print(f"Posted {tx['type']} {tx['description']} as transaction {tx['id']} on file "
              f"{tx['file_number']}: To Us {tx['to_us']}, Direct {tx['direct']}, commission "
              f"{tx['commission']} ({tx['commission_rate']} %), tax {tx['tax']}")
        print(f"Account now owes {totals['owing']} (principal {totals['principal']}, interest "
              f"{totals['interest']}, fees {totals['fees']}, legal {totals['legal_costs']}, paid "
              f"{totals['paid']}, adjustments {totals['adjustments']})")
    return 0
