"""``collectdesk recalc``: recalculate one account, one client (its accounts and figures) or
everything (Daily Batch Processing → Calculate All Totals)."""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy.exc import SQLAlchemyError

from ..db import make_engine, open_session, save, session_factory
from . import CommandError, add_database_option, add_json_option, print_json, progress
from .post import account, parse_date, parse_file_number


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("recalc", help="recalculate account and client totals")
    add_database_option(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--debtor", metavar="N", help="one account by file number")
    which.add_argument("--client", metavar="N", help="one client: its accounts and its figures")
    which.add_argument("--all", action="store_true",
                       help="every account, then every client (the default)")
    parser.add_argument("--today", metavar="D", help="recalculate as of this date (interest)")
    parser.add_argument("--calclog", metavar="FILE",
                        help="write every calculation step of --debtor to FILE (tab-separated)")
    parser.add_argument("--progress", action="store_true",
                        help="show progress on stderr even when it is not a terminal")
    add_json_option(parser)
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    today = parse_date(args.today, "--today")
    try:
        if args.debtor is not None:
            data = _one_debtor(args, parse_file_number(args.debtor), today)
        elif args.client is not None:
            data = _one_client(args, parse_file_number(args.client), today)
        else:
            data = _everything(args, today)
    except SQLAlchemyError as exc:
        raise CommandError(f"recalculation failed, nothing saved: {exc.__class__.__name__}: "
                           f"{exc}") from None
    if args.json:
        print_json(data)
    return 0


def _one_debtor(args: argparse.Namespace, number: int, today: object) -> dict:
    from ..engine.calclog import CalcLog
    from ..engine.recalc import recalc_debtor

    with open_session(args.db) as session:
        debtor = account(session, number)
        log = CalcLog(args.calclog) if args.calclog else None
        try:
            totals = recalc_debtor(session, debtor, today=today, log=log)  # type: ignore[arg-type]
        finally:
            if log is not None:
                log.close()
        save(session, operator="recalc")
    if not args.json:
        print(f"File {number}: owing {totals.owing} (principal {totals.principal}, interest "
              f"{totals.interest}, fees {totals.fees}, legal {totals.legal_costs}, paid "
              f"{totals.paid}, adjustments {totals.adjustments})")
    return {"file_number": number, **totals.as_dict()}


def _one_client(args: argparse.Namespace, number: int, today: object) -> dict:
    from ..engine.client_recalc import recalc_client
    from ..models import Client

    with open_session(args.db) as session:
        client = session.get(Client, number)
        if client is None:
            raise CommandError(f"no client with number {number}")
        figures = recalc_client(session, client, today=today)  # type: ignore[arg-type]
        save(session, operator="recalc")
    if not args.json:
        print(f"Client {number}: {figures.accounts:,} accounts, listed {figures.listed}, paid "
              f"{figures.paid}, owing {figures.owing}, success rate {figures.success_rate}")
    return {"client": number, **figures.as_dict()}


def _everything(args: argparse.Namespace, today: object) -> dict:
    from ..engine.client_recalc import recalc_clients
    from ..engine.recalc import recalc_all

    def show(done: int, total: int) -> None:
        if args.progress and not sys.stderr.isatty():
            sys.stderr.write(f"recalc {done:,}/{total:,}\n")
            sys.stderr.flush()
        else:
            progress(done, total, "Recalculating accounts")

    engine = make_engine(args.db)
    try:
        started = time.perf_counter()
        batch = recalc_all(engine, today=today, progress=show)  # type: ignore[arg-type]
        with session_factory(engine)() as session:
            clients = recalc_clients(session, today=today)  # type: ignore[arg-type]
            session.commit()
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    if not args.json:
        print(f"Recalculated {batch.debtors:,} accounts ({batch.changed:,} changed) and "
              f"{len(clients):,} clients in {seconds:.1f} s "
              f"({batch.rate:,.0f} accounts/s)")
    return {"debtors": batch.debtors, "changed": batch.changed, "clients": len(clients),
            "seconds": round(seconds, 3), "debtors_per_second": round(batch.rate)}
