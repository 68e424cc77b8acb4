"""``collectdesk operator access|password``: account access of an operator, and passwords."""

from __future__ import annotations

import argparse
import getpass
import sys

from ..db import open_session
from . import CommandError, add_database_option, add_json_option, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("operator", help="an operator's account access, or its password")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    access = actions.add_parser(
        "access", help="what an operator may see, and why (optionally for one account)")
    access.add_argument("id", help="operator ID")
    access.add_argument("--debtor", type=int, metavar="FILE",
                        help="explain the decision for this account")
    add_database_option(access)
    add_json_option(access)
    access.set_defaults(func=_access)
    password = actions.add_parser("password", help="set an operator's password")
    password.add_argument("id", help="operator ID")
    password.add_argument("--stdin", action="store_true",
                          help="read the new password from the first line of standard input")
    password.add_argument("--by", metavar="ID", default="", help="who sets it (audit log)")
    add_database_option(password)
    password.set_defaults(func=_password)


def _access(args: argparse.Namespace) -> int:
    from ..engine.access import AccessPolicy
    from ..engine.operators import normalise_id
    from ..models import Debtor

    with open_session(args.db) as session:
        try:
            policy = AccessPolicy.for_operator(session, normalise_id(args.id))
        except LookupError:
            raise CommandError(f"no operator with ID {args.id}") from None
        data = {
            "operator": policy.operator_id, "restricted": policy.restricted,
            "strict": policy.strict, "locked_out_by_default": policy.locked_out,
            "teams": sorted({t.upper() for t in policy.team_ids}),
            "client": policy.client_root,
            "clients": sorted(policy.clients) if policy.clients is not None else None,
            "limits_client_browsing": policy.restrict_clients, "summary": policy.describe(),
        }
        if args.debtor is not None:
            debtor = session.get(Debtor, args.debtor)
            if debtor is None:
                raise CommandError(f"no account with file number {args.debtor}")
            decision = policy.decide(debtor)
            data["debtor"] = {"file_number": debtor.id, "granted": decision.granted,
                              "rule": decision.rule.value,
                              "shown_as": policy.can_see(debtor).value}
    if args.json:
        print_json(data)
        return 0
    print(data["summary"])
    if "debtor" in data:
        d = data["debtor"]
        verdict = "may see" if d["granted"] else f"may not see (shown as {d['shown_as']})"
        print(f"File {d['file_number']}: {verdict}; decided by: {d['rule']}")
    return 0


def _password(args: argparse.Namespace) -> int:
    from ..engine.operators import OperatorError, normalise_id, set_password
    from ..models import Operator

    if args.stdin:
        new = sys.stdin.readline().rstrip("\r\n")
    else:
        new = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != new:
            raise CommandError("the two passwords are not the same")
    with open_session(args.db) as session:
        operator = session.get(Operator, normalise_id(args.id))
        if operator is None:
            raise CommandError(f"no operator with ID {args.id}")
        try:
            set_password(session, operator, new, by=args.by)
        except OperatorError as exc:
            raise CommandError(str(exc)) from None
        session.commit()
    print(f"Password of {operator.id} set.")
    return 0
