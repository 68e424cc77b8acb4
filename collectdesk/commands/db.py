"""``collectdesk db init|upgrade|info``: create, migrate and describe a database."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import SQLAlchemyError

from ..db import resolve_url
from . import CommandError, add_database_option, add_json_option, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("db", help="create, upgrade or describe a database")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create a new database with every shipped system row")
    add_database_option(init)
    init.add_argument("--demo", action="store_true", help="add the demo content as well")
    init.set_defaults(func=_init)
    up = actions.add_parser("upgrade", help="bring an older database to the current schema")
    add_database_option(up)
    up.set_defaults(func=_upgrade)
    inf = actions.add_parser("info", help="schema revision and record counts")
    add_database_option(inf)
    add_json_option(inf)
    inf.set_defaults(func=_info)


def _init(args: argparse.Namespace) -> int:
    from ..db import make_engine
    from ..schema import create_database, is_empty

    url = resolve_url(args.db)
    engine = make_engine(url)
    try:
        if not is_empty(engine):
            raise CommandError(f"{engine.url.render_as_string(hide_password=True)} already holds "
                               "a database; use 'collectdesk db upgrade'")
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot open {args.db}: {exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}") from None
    finally:
        engine.dispose()
    demo = args.demo or (args.db or "demodb").lower() == "demodb"
    create_database(url, demo=demo)
    print(f"Created {'demo' if demo else 'master'} database {url}")
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from ..db import make_engine
    from ..engine.shipped import install_system_rows
    from ..schema import current_revision, head_revision, is_empty, upgrade

    engine = make_engine(args.db)
    try:
        if is_empty(engine):
            raise CommandError("the database is empty; use 'collectdesk db init'")
        before = current_revision(engine)
        upgrade(engine)
        from ..db import session_factory

        with session_factory(engine)() as session:
            install_system_rows(session, demo=False)
            session.commit()
        print(f"Upgraded from {before or 'an unversioned schema'} to {head_revision()}")
    except SQLAlchemyError as exc:
        raise CommandError(f"upgrade failed, nothing changed: {exc}") from None
    finally:
        engine.dispose()
    return 0


def _info(args: argparse.Namespace) -> int:
    from ..schema import info

    try:
        result = info(args.db)
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot open {args.db}: {exc}") from None
    if args.json:
        print_json({"url": result.url, "revision": result.revision, "head": result.head,
                    "up_to_date": result.revision == result.head, "counts": result.counts})
    else:
        print(f"Database  {result.url}")
        print(f"Revision  {result.revision or '(none)'}  (head {result.head})")
        for name, n in result.counts.items():
            print(f"{name:<12}{n:>10,}")
    return 0
