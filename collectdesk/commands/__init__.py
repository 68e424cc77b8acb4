"""Headless commands: ``collectdesk <command> …``.

Each module in this package is one command (or a group of sub-commands) and
defines ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit code.  Modules are
found by discovery, so adding a command never edits a shared list.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from decimal import Decimal
from typing import Any


class CommandError(Exception):
    """A failure reported as one line on stderr with a non-zero exit code."""


def operator_policy(session: Any, operator_id: str | None) -> Any:
    """The account access of the operator a command runs for (``--operator``), the same
    :class:`~collectdesk.engine.access.AccessPolicy` the program builds at sign-on; None (no
    restriction: system work) when no operator is named."""
    from ..engine.access import AccessPolicy

    if operator_id is None:
        return None
    try:
        return AccessPolicy.for_operator(session, operator_id)
    except LookupError:
        raise CommandError(f"no operator with ID {operator_id}") from None


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, metavar="URL",
                        help="demodb, masterdb, a SQLite file or a database URL (default: demodb)")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=_default)
    sys.stdout.write("\n")


def progress(done: int, total: int, label: str = "") -> None:
    """Progress on stderr for long work (only when stderr is a terminal or asked for)."""
    if total and sys.stderr.isatty():
        sys.stderr.write(f"\r{label} {done:,}/{total:,} ({100 * done // total}%)")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collectdesk",
        description="CollectDesk headless commands. Without a command, the program starts "
        "with Collect!-style flags (collectdesk /? lists them).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def command_names() -> set[str]:
    return {m.name.replace("_", "-") for m in pkgutil.iter_modules(__path__)}


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"collectdesk {args.command}: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"collectdesk {args.command}: database error: {reason}", file=sys.stderr)
        return 1
