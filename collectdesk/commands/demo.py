"""``collectdesk demo``: create or reset the demo database (demodb)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from ..db import resolve_url
from . import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="create or reset the demo database")
    parser.add_argument("--db", default="demodb", metavar="URL",
                        help="where to build it (default: demodb in the data folder)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..schema import create_database

    url = resolve_url(args.db)
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        raise CommandError("demo builds a SQLite file; use 'collectdesk db init --demo --db URL' "
                           "for a server database")
    path = Path(u.database or "")
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    create_database(url, demo=True)
    print(f"Demo database ready: {path} ({time.perf_counter() - started:.1f} s)")
    return 0
