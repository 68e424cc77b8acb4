"""``collectdesk contacts process``: Process automatic contacts previously scheduled."""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy.exc import SQLAlchemyError

from ..db import open_session
from . import CommandError, add_database_option, add_json_option, print_json, progress


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("contacts", help="process scheduled contacts")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    proc = actions.add_parser(
        "process", help="run the automatic contacts (status, notes, transactions, close …) due "
        "on or before a date; queued letters stay for printing")
    proc.add_argument("--date", metavar="D", help="YYYY-MM-DD (default today)")
    proc.add_argument("--operator", default="SYS", metavar="ID", help="who runs it (default SYS)")
    add_database_option(proc)
    add_json_option(proc)
    proc.set_defaults(func=_process)


def _process(args: argparse.Namespace) -> int:
    from ..engine.batch import process_automatic_contacts

    date = dt.date.today()
    if args.date:
        try:
            date = dt.date.fromisoformat(args.date.strip())
        except ValueError:
            raise CommandError(f"malformed date {args.date!r} (use YYYY-MM-DD)") from None
    try:
        with open_session(args.db) as session:
            summary = process_automatic_contacts(
                session, date, operator=args.operator,
                progress=lambda done, total: progress(done, total, "accounts"))
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot process contacts: {exc.__class__.__name__}: {exc}") from None
    data = summary.as_dict()
    if args.json:
        print_json(data)
    else:
        done = ", ".join(f"{n} {t}" for t, n in sorted(summary.executed.items())) or "nothing"
        print(f"Processed contacts due by {date.isoformat()} on {summary.accounts} accounts: "
              f"{done}; {len(summary.failed)} failed")
        for failure in summary.failed:
            print(f"  contact {failure['contact']} ({failure['type']}): {failure['reason']}")
    return 0 if not summary.failed else 1
