"""``collectdesk rights rebuild|check``: the access rights list, headless."""

from __future__ import annotations

import argparse

from ..db import open_session
from . import CommandError, add_database_option, add_json_option, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("rights", help="rebuild or check the access rights list")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    rebuild = actions.add_parser(
        "rebuild", help="add rows for new forms and fields, keeping every edited setting")
    rebuild.add_argument("--delete-removed", action="store_true",
                         help="also delete rows of items the program no longer has")
    rebuild.add_argument("--operator", metavar="ID", default="", help="who rebuilds (audit log)")
    add_database_option(rebuild)
    add_json_option(rebuild)
    rebuild.set_defaults(func=_rebuild)
    check = actions.add_parser("check", help="what a user level may do with one item")
    check.add_argument("--level", type=int, required=True, metavar="N")
    check.add_argument("--need", choices=("read", "write"), default="read")
    check.add_argument("name", help="e.g. menu:system, form:debtor, field:debtor.owing")
    add_database_option(check)
    add_json_option(check)
    check.set_defaults(func=_check)


def _rebuild(args: argparse.Namespace) -> int:
    from ..engine.rights import rebuild_access_rights

    with open_session(args.db) as session:
        # Headless, only the model's forms and fields are known: rows of menus and buttons the
        # desktop program registers are reported as not seen here, never deleted unless asked.
        report = rebuild_access_rights(session, operator_id=args.operator,
                                       delete_removed=args.delete_removed)
    if args.json:
        print_json({"added": report.added, "refreshed": report.refreshed,
                    "kept": len(report.kept), "removed": report.removed})
    else:
        print(f"Access rights: {report.summary()}.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from ..engine.rights import AccessRefused, effective
    from ..models import Rights

    if not 1 <= args.level <= 99:
        raise CommandError(f"user level {args.level} is outside 1-99")
    with open_session(args.db) as session:
        table = effective(session, args.level)
    need = Rights.WRITE if args.need == "write" else Rights.READ
    data = {"name": args.name, "level": args.level, "right": table.right_id(args.name),
            "rights": table.rights_for(args.name).name.lower(), "alias": table.alias(args.name),
            "picklist": table.picklist(args.name), "required": table.required(args.name),
            "hidden_label": table.hidden_label(args.name)}
    try:
        table.require(args.name, need)
    except AccessRefused as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print_json(data)
    else:
        print(f"{args.name}: level {args.level} has {data['rights']} access"
              + (f", shown as {data['alias']!r}" if data["alias"] else "")
              + (f", pick list {data['picklist']}" if data["picklist"] else ""))
    return 0
