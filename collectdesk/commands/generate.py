"""``collectdesk generate``: fill a database with realistic accounts for benchmarks and trials."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from sqlalchemy.exc import SQLAlchemyError

from ..db import resolve_url
from . import CommandError, add_json_option, print_json, progress


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "generate", help="fill a database with generated accounts (benchmarks, trials)",
        description="Adds N realistic accounts (clients, debtors, cosigners, transactions, "
        "contacts, notes, phones, emails) to a database; creates the schema and the shipped "
        "system rows first when the database is empty.  The same seed gives the same data.")
    parser.add_argument("--accounts", type=int, required=True, metavar="N",
                        help="how many accounts (debtors) to add")
    parser.add_argument("--db", required=True, metavar="URL",
                        help="a SQLite file or a database URL (sqlite:///…, postgresql://…)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="the date the data is generated around (default: today)")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="processes making rows beside the writer (default: automatic)")
    add_json_option(parser)
    parser.set_defaults(func=_run)


def prepare_database(url: str) -> bool:
    """Create the schema and the shipped system rows when the database is empty.

    Returns True when it created them.
    """
    from sqlalchemy import inspect

    from ..db import make_engine

    engine = make_engine(url)
    try:
        if inspect(engine).get_table_names():
            return False
    finally:
        engine.dispose()
    from ..schema import create_database

    create_database(url, demo=False)
    return True


def _run(args: argparse.Namespace) -> int:
    from ..engine.generate import GenerateError, generate

    if args.accounts < 1:
        raise CommandError("--accounts must be at least 1")
    url = resolve_url(args.db)
    try:
        created = prepare_database(url)
        summary = generate(
            url, args.accounts, seed=args.seed, today=args.today, workers=args.workers,
            progress=lambda done, total: progress(done, total, "accounts"),
        )
    except GenerateError as exc:
        raise CommandError(str(exc)) from None
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise CommandError(f"{type(reason).__name__}: {reason}".splitlines()[0]) from None
    if args.json:
        print_json({"created_schema": created, **summary.as_dict()})
        return 0
    out = sys.stdout
    if created:
        out.write(f"Created the schema and the shipped system rows in {summary.url}\n")
    out.write(f"Generated {summary.accounts:,} accounts into {summary.url} "
              f"(seed {summary.seed}) in {summary.seconds:.1f} s, "
              f"{summary.rows_per_second:,.0f} rows/s\n")
    for label, value in (("clients", summary.clients), ("debtors", summary.debtors),
                         ("cosigners", summary.cosigners), ("transactions", summary.transactions),
                         ("contacts", summary.contacts), ("notes", summary.notes),
                         ("phones", summary.phones), ("emails", summary.emails),
                         ("collectors added", summary.operators_created)):
        out.write(f"  {label:<17}{value:>12,}\n")
    out.write(f"  file numbers     {summary.first_file_number:,} - {summary.last_file_number:,}\n")
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in summary.phases.items())
    out.write(f"  phases           {phases}\n")
    return 0
