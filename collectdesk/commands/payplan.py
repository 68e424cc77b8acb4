"""``collectdesk payplan create|late-fees``: post a payment schedule on an account, and charge
the late fees of missed scheduled payments (seed 003 "Down Payment Sample" … "Late Fee Sample";
the rules are in :mod:`collectdesk.engine.payment_plans`).

``create`` posts the initial discount (193) and service charge (350), then the down payment
(150) and the scheduled payments (151) as promises, each a Promise contact in the account
operator's WIP list.  ``late-fees`` posts one 351 Late Fee for every scheduled payment due
before ``--date`` that the payments have not covered; a payment already charged is never
charged again, so running it twice for the same date posts nothing the second time.
"""

from __future__ import annotations

import argparse
import datetime as dt

from ..db import save
from . import CommandError, add_database_option, add_json_option, print_json
from .post import account, parse_amount, parse_date, parse_file_number, posting_session

INTERVALS = ("weekly", "biweekly", "monthly")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("payplan", help="payment plans: post a schedule, charge late fees")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="post a payment schedule on an account")
    add_database_option(create)
    create.add_argument("--file", required=True, metavar="N", help="the account's file number")
    create.add_argument("--start", required=True, metavar="DATE",
                        help="the first due date (the down payment's, or the first payment's)")
    create.add_argument("--amount", metavar="A",
                        help="each scheduled payment (the last takes the remainder)")
    create.add_argument("--count", metavar="K",
                        help="the number of scheduled payments (equal, to the cent)")
    create.add_argument("--every", choices=INTERVALS, default="monthly",
                        help="how often a payment is due (default monthly)")
    create.add_argument("--down", metavar="D", help="down payment (150), due on --start")
    create.add_argument("--service-charge", metavar="S", help="service charge (350) added")
    create.add_argument("--discount", metavar="X", help="initial discount (193) taken off")
    create.add_argument("--late-fee", metavar="F",
                        help="the late fee of a missed payment (kept on the Interest Detail)")
    create.add_argument("--operator", default="", metavar="ID", help="who is posting")
    add_json_option(create)
    create.set_defaults(func=_create)

    late = actions.add_parser("late-fees", help="post a 351 Late Fee for each missed payment")
    add_database_option(late)
    late.add_argument("--date", metavar="D", help="payments due before this date are late "
                                                  "(default today)")
    late.add_argument("--amount", metavar="A",
                      help="the fee (default: each account's Interest Detail Late Fee)")
    late.add_argument("--operator", default="", metavar="ID", help="who is posting")
    add_json_option(late)
    late.set_defaults(func=_late_fees)


def _count(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise CommandError(f"malformed number of payments for --count: {text!r}") from None


def _create(args: argparse.Namespace) -> int:
    from ..engine.payment_plans import create_payment_plan
    from ..engine.posting import transaction_dict
    from ..engine.rounding import ZERO

    number = parse_file_number(args.file)
    start = parse_date(args.start, "--start")
    payment_amount, count = parse_amount(args.amount, "--amount"), _count(args.count)
    down = parse_amount(args.down, "--down") or ZERO
    charge = parse_amount(args.service_charge, "--service-charge") or ZERO
    discount = parse_amount(args.discount, "--discount") or ZERO
    late_fee = parse_amount(args.late_fee, "--late-fee")
    if payment_amount is None and count is None:
        raise CommandError("give --amount (each payment) or --count (number of payments)")
    with posting_session(args.db, "post the plan", f"file {number}: ") as session:
        debtor = account(session, number)
        schedule = create_payment_plan(
            session, debtor, start=start, payment_amount=payment_amount, count=count,
            interval=args.every, down_payment=down, service_charge=charge,
            initial_discount=discount, late_fee=late_fee, operator=args.operator)
        save(session, operator=args.operator)
        data = {
            "file_number": number, "reference": schedule.reference,
            "discount": transaction_dict(schedule.discount) if schedule.discount else None,
            "service_charge": transaction_dict(schedule.service_charge)
            if schedule.service_charge else None,
            "payments": [{"number": p.number, "type": p.transaction.type_code,
                          "due_date": p.due_date, "amount": p.amount,
                          "transaction": p.transaction.id, "contact": p.contact.id}
                         for p in schedule.payments],
            "total": schedule.total, "owing": debtor.owing,
        }
    if args.json:
        print_json(data)
    else:
        print(f"File {number}: {len(data['payments'])} payments totalling {data['total']}, "
              f"from {data['payments'][0]['due_date']} to {data['payments'][-1]['due_date']}")
    return 0


def _late_fees(args: argparse.Namespace) -> int:
    from ..engine.payment_plans import apply_all_late_fees
    from ..engine.posting import transaction_dict

    date = parse_date(args.date, "--date") or dt.date.today()
    amount = parse_amount(args.amount, "--amount")
    if amount is not None and amount <= 0:
        raise CommandError(f"the late fee --amount must be more than 0 (not {amount})")
    with posting_session(args.db, "post late fees") as session:
        fees = apply_all_late_fees(session, date, amount=amount, operator=args.operator)
        save(session, operator=args.operator)
        data = {"date": date, "count": len(fees), "fees": [transaction_dict(t) for t in fees]}
    if args.json:
        print_json(data)
    else:
        accounts = len({t["file_number"] for t in data["fees"]})
        print(f"Posted {data['count']} late fees on {accounts} accounts for {date}")
    return 0
