"""``collectdesk plan run|export|import``: run a contact plan on accounts, move plans as files."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ..db import open_session, save
from . import CommandError, add_database_option, add_json_option, print_json, progress


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("plan", help="run, export or import contact plans")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    run = actions.add_parser("run", help="run a contact plan on an account, a client's "
                             "accounts or an operator's tagged list")
    run.add_argument("code", metavar="CODE", help="contact plan code")
    which = run.add_mutually_exclusive_group(required=True)
    which.add_argument("--debtor", metavar="N", help="the account's file number")
    which.add_argument("--client", metavar="N",
                       help="a client number: run on every account of the client (add "
                       "--on-client to run on the client record itself)")
    which.add_argument("--tagged", action="store_true",
                       help="the tagged list of --operator (without --operator: SYS's tags)")
    run.add_argument("--on-client", action="store_true",
                     help="with --client: run on the client record instead of its accounts")
    run.add_argument("--operator", default="", metavar="ID",
                     help="who runs the plan (and whose tagged list); default SYS")
    run.add_argument("--start-date", metavar="D",
                     help="reference date for the plan's delays (YYYY-MM-DD; default today)")
    add_database_option(run)
    add_json_option(run)
    run.set_defaults(func=_run)

    export = actions.add_parser("export", help="write contact plans to a plan file")
    export.add_argument("codes", nargs="*", metavar="CODE", help="plans to export (default all)")
    export.add_argument("--file", metavar="PATH", help="write here instead of standard output")
    add_database_option(export)
    export.set_defaults(func=_export)

    imp = actions.add_parser("import", help="read contact plans from a plan file")
    imp.add_argument("file", metavar="PATH")
    imp.add_argument("--keep-existing", action="store_true",
                     help="skip plans whose code exists instead of replacing them")
    add_database_option(imp)
    add_json_option(imp)
    imp.set_defaults(func=_import)


def _number(text: str, what: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(f"malformed {what} {text!r}")
    return number


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise CommandError(f"malformed date {text!r} (use YYYY-MM-DD or MM/DD/YYYY)")


def _run(args: argparse.Namespace) -> int:
    from ..engine.batch import client_debtor_ids, run_plan_batch, tagged_debtor_ids
    from ..engine.contact_plans import UnknownPlan, run_plan
    from ..models import Client, Debtor, Operator

    operator = args.operator or "SYS"
    start = _date(args.start_date)
    if args.on_client and not args.client:
        raise CommandError("--on-client goes with --client")
    try:
        with open_session(args.db) as session:
            if args.debtor or args.on_client:
                model, what = (Debtor, "file number") if args.debtor else (Client, "client number")
                number = _number(args.debtor or args.client, what)
                target = session.get(model, number)
                if target is None:
                    raise CommandError(f"no {'account' if args.debtor else 'client'} with "
                                       f"{what} {number}")
                try:
                    result = run_plan(session, target, args.code, operator=operator,
                                      start_date=start)
                except UnknownPlan as exc:
                    raise CommandError(str(exc)) from None
                save(session, operator=operator)
                data = result.summary()
                text = (f"Plan {result.plan} on {result.target}: "
                        + (f"cancelled ({result.reason})" if result.cancelled else
                           f"{result.contacts_created} contacts scheduled, "
                           f"{len(result.executed)} actions executed, {result.deleted} deleted, "
                           f"{result.completed} marked completed")
                        + ("".join(f"\n  error: {e}" for e in result.errors)))
            else:
                if args.tagged:
                    if session.get(Operator, operator) is None:
                        raise CommandError(f"no operator {operator!r}")
                    ids = tagged_debtor_ids(session, operator)
                else:
                    number = _number(args.client, "client number")
                    if session.get(Client, number) is None:
                        raise CommandError(f"no client with client number {number}")
                    ids = client_debtor_ids(session, number)
                try:
                    summary = run_plan_batch(
                        session, ids, args.code, operator=operator, start_date=start,
                        progress=lambda done, total: progress(done, total, f"plan {args.code}"))
                except UnknownPlan as exc:
                    raise CommandError(str(exc)) from None
                data = summary.as_dict()
                text = (f"Plan {summary.plan} on {summary.processed:,} of {summary.accounts:,} "
                        f"accounts ({summary.method}): {summary.contacts_created:,} contacts "
                        f"scheduled, {summary.actions_executed:,} actions, {summary.deleted:,} "
                        f"deleted, {summary.marked_completed:,} marked completed, "
                        f"{sum(summary.skipped.values()):,} skipped"
                        + "".join(f"\n  skipped {n:,}: {r}" for r, n in summary.skipped.items())
                        + (" (cancelled)" if summary.cancelled else ""))
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot run the plan: {exc.__class__.__name__}: {exc}") from None
    if args.json:
        print_json(data)
    else:
        print(text)
    return 0


def _export(args: argparse.Namespace) -> int:
    from ..engine.plan_files import PlanFileError, export_plans

    try:
        with open_session(args.db) as session:
            text = export_plans(session, args.codes or None)
    except PlanFileError as exc:
        raise CommandError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot read the plans: {exc}") from None
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _import(args: argparse.Namespace) -> int:
    from ..engine.plan_files import PlanFileError, import_plans

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        with open_session(args.db) as session:
            result = import_plans(session, text, replace=not args.keep_existing)
            save(session)
    except PlanFileError as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot import the plans: {exc}") from None
    data = {"added": result.added, "replaced": result.replaced, "skipped": result.skipped}
    if args.json:
        print_json(data)
    else:
        print(f"Imported {len(result.added)} new and {len(result.replaced)} replaced plans"
              + (f"; skipped {', '.join(result.skipped)}" if result.skipped else ""))
    return 0
