"""``collectdesk dial``: dial a number the way the operator's desktop would.

Same code path as a click in the GUI and the Test Dial button
(:mod:`collectdesk.devices.dialing`): the operator's Note 1 / Note 2 and Auto
Dialer preferences choose the method; ``--file``, ``--client`` or ``--cosigner`` put
what the form being dialed from shows in context (for ``#authcode``), exactly as a click
on that form does.  As in the GUI, an account the operator may not see (account access
control) is refused, and so is a call the contact controls refuse, unless the operator is
excluded from call contact controls and ``--override`` says "dial anyway".  ``--dry-run``
makes the same checks and only shows what would be sent.  There is no prompt: running
the command is the confirmation.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys

from . import CommandError, add_database_option, add_json_option, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dial", help="dial a phone number as an operator (or show what would be sent)",
        description=__doc__.splitlines()[0] if __doc__ else None)
    add_database_option(parser)
    parser.add_argument("--operator", required=True, metavar="ID", help="operator ID")
    parser.add_argument("--file", type=int, default=None, metavar="N",
                        help="debtor file number in context (authorization code, reports)")
    parser.add_argument("--client", type=int, default=None, metavar="N",
                        help="client number in context, as dialing from the Client form")
    parser.add_argument("--cosigner", type=int, default=None, metavar="N",
                        help="cosigner in context (its account too), as dialing from the "
                             "Cosigner form")
    parser.add_argument("--config", default=None, metavar="DIR",
                        help="config folder holding dialstrings/ (default: <data>/config)")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                        help="how long a dialstring URL may take (default 5)")
    parser.add_argument("--dry-run", action="store_true",
                        help="make the same checks and show what would be sent; send nothing")
    parser.add_argument("--override", action="store_true",
                        help="dial a call the contact controls refuse (only for an operator "
                             "excluded from call contact controls)")
    parser.add_argument("--show-secrets", action="store_true",
                        help="show Note 1 passwords in dialstring URLs instead of ****")
    add_json_option(parser)
    parser.add_argument("phone", metavar="PHONE", help="the number as shown, e.g. 555-123-7777")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..db import open_session
    from ..devices.dialing import DialError, Dialer, describe, prepare_dial

    try:
        with open_session(args.db) as session:
            plan = prepare_dial(session, args.operator, args.phone, debtor_id=args.file,
                                client_id=args.client, cosigner_id=args.cosigner,
                                config_dir=args.config)
    except DialError as exc:
        raise CommandError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        raise CommandError(f"cannot read the database: {exc}") from None

    result = plan.as_dict(reveal_secrets=args.show_secrets)
    result["operator"] = args.operator
    result["dry_run"] = args.dry_run
    dialer = Dialer(http_timeout=args.timeout)
    allowed, why = dialer.check(plan)
    result["contact_controls"] = {"allowed": allowed, "message": why,
                                  "overridden": not allowed}
    if not allowed:
        _refuse_unless_overridden(args, plan, result, why)
    if args.dry_run:
        result.update(ok=True, message="dry run: nothing sent")
        _report(args, result, describe(plan, reveal_secrets=args.show_secrets))
        return 0

    try:
        future = dialer.dial(plan, contact_controls_checked=True)
        outcome = future.result(timeout=args.timeout + 5)
    except DialError as exc:
        raise CommandError(str(exc)) from None
    except concurrent.futures.TimeoutError:
        raise CommandError(f"no answer from {plan.as_dict()['target']}") from None
    result.update(ok=outcome.ok, message=outcome.message)
    if not outcome.ok:
        if args.json:
            print_json(result)
        raise CommandError(outcome.message)
    _report(args, result, outcome.message)
    return 0


def _refuse_unless_overridden(args: argparse.Namespace, plan: object, result: dict,
                              why: str) -> None:
    """A call the contact controls refuse goes out only with --override, and only for an
    operator excluded from call contact controls (the GUI's "Dial anyway?")."""
    if not args.override:
        reason = (f"{why} Nothing was sent (--override dials anyway for an operator excluded "
                  "from call contact controls).")
    elif not plan.may_override_controls:  # type: ignore[attr-defined]
        reason = (f"{why} Nothing was sent: operator {args.operator} is not excluded from call "
                  "contact controls (Operator form, Detail tab), so --override does not apply.")
    else:
        return
    result.update(ok=False, message=reason, contact_controls={
        **result["contact_controls"], "overridden": False})
    if args.json:
        print_json(result)
    raise CommandError(reason)


def _report(args: argparse.Namespace, result: dict, line: str) -> None:
    if args.json:
        print_json(result)
    else:
        sys.stdout.write(line + "\n")
