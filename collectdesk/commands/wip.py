"""``collectdesk wip``: an operator's Work-In-Progress list (or the orphaned accounts)."""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy.exc import SQLAlchemyError

from ..db import open_session
from . import (
    CommandError,
    add_database_option,
    add_json_option,
    operator_policy,
    print_json,
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("wip", help="the contacts due for an operator, or orphaned accounts")
    parser.add_argument("--operator", metavar="ID",
                        help="whose list; what it shows follows that operator's account access")
    parser.add_argument("--manager", action="store_true", help="every operator's contacts")
    parser.add_argument("--sort", choices=("priority", "status"),
                        help="WIP sort (default: the WIP Options preference)")
    parser.add_argument("--limit", type=int, default=50, metavar="N")
    parser.add_argument("--offset", type=int, default=0, metavar="N")
    parser.add_argument("--now", metavar="YYYY-MM-DDTHH:MM",
                        help="the moment to list (default now)")
    parser.add_argument("--orphans", action="store_true",
                        help="list active accounts on a desk that are in nobody's WIP list "
                        "(with --operator: that desk, only the accounts the operator may see)")
    add_database_option(parser)
    add_json_option(parser)
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..engine.access import may_list_everyones_wip
    from ..engine.audit import ACCESS_REFUSED, audit_now
    from ..engine.wip import orphan_accounts, wip_list
    from ..models import Operator

    if not args.operator and not args.manager and not args.orphans:
        raise CommandError("name an --operator (or --manager, or --orphans)")
    now = dt.datetime.now()
    if args.now:
        try:
            now = dt.datetime.fromisoformat(args.now)
        except ValueError:
            raise CommandError(f"malformed --now {args.now!r}") from None
    try:
        with open_session(args.db) as session:
            # What the operator may see, exactly as in the program's WIP list.
            policy = operator_policy(session, args.operator)
            operator_id = policy.operator_id if policy is not None else None
            if args.manager and operator_id is not None:
                operator = session.get(Operator, operator_id)
                if not may_list_everyones_wip(operator):
                    audit_now(session, operator.id, ACCESS_REFUSED, "wip --manager: refused")
                    raise CommandError(
                        f"{operator.id} is a {operator.type} operator: only SYSTEM operators "
                        "may list every operator's WIP (--manager); list your own without it")
            if args.orphans:
                rows = orphan_accounts(session, operator_id, limit=args.limit,
                                       offset=args.offset, policy=policy)
                data = {"orphans": [{"file_number": f, "name": n, "operator": o}
                                    for f, n, o in rows]}
                text = "\n".join(f"{f:>8}  {o:<7}  {n}" for f, n, o in rows) or "No orphans."
            else:
                page = wip_list(session, operator_id or "", now=now, manager=args.manager,
                                sort=args.sort, offset=args.offset, limit=args.limit,
                                policy=policy)
                data = {"operator": args.operator, "sort": page.sort, "counts": page.counts,
                        "total": page.total, "offset": page.offset,
                        "entries": [e.as_dict() for e in page.entries]}
                lines = [f"{e.priority:>3} {e.type:<8} {e.due_date} "
                         f"{e.due_time.strftime('%H:%M') if e.due_time else '     '} "
                         f"{e.debtor_id or '':>8} {e.status:<4} {e.name}  {e.description}"
                         for e in page.entries]
                counts = ", ".join(f"{t} {n}" for t, n in page.counts.items())
                text = "\n".join([f"{page.total} due ({counts})", *lines])
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot read the WIP list: {exc}") from None
    if args.json:
        print_json(data)
    else:
        print(text)
    return 0
