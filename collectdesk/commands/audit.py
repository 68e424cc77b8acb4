"""``collectdesk audit``: the audit log, newest first (sign-ons, lock-outs, refused access,
changes to operators, teams and access rights, verified fields, deleted records)."""

from __future__ import annotations

import argparse

from ..db import open_session
from . import CommandError, add_database_option, add_json_option, print_json


def register(sub: argparse._SubParsersAction) -> None:
    from ..engine.audit import EVENTS

    parser = sub.add_parser("audit", help="the audit log, newest first")
    parser.add_argument("--operator", metavar="ID", help="only what this operator did")
    parser.add_argument("--event", choices=EVENTS, metavar="EVENT",
                        help=f"only one kind of entry: {', '.join(EVENTS)}")
    parser.add_argument("--limit", type=int, default=50, metavar="N")
    add_database_option(parser)
    add_json_option(parser)
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..engine.audit import recent
    from ..engine.operators import normalise_id

    if args.limit < 1:
        raise CommandError(f"--limit must be at least 1, not {args.limit}")
    with open_session(args.db) as session:
        entries = recent(session, limit=args.limit, event_name=args.event,
                         operator_id=normalise_id(args.operator) if args.operator else None)
        rows = [{"at": e.at, "operator": e.operator_id, "event": e.event, "detail": e.detail}
                for e in entries]
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        print(f"{r['at']:%m/%d/%Y %H:%M:%S}  {r['operator']:<7}  {r['event']:<16}  {r['detail']}")
    if not rows:
        print("No audit entries match.")
    return 0
