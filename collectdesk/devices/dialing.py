"""Click-to-dial: choose the dial method per operator, show it, send it.

Seed 002 and seed 003 "Auto Dialer Setup"; SPEC.md "Devices".  The method comes
from the operator's "Use softphone for dialer" flag and Note 2:

==========================  ===============================================
Note 2                      method
==========================  ===============================================
softphone off, or empty     system ``tel:`` handler (TAPI's place)
``UDP:/ip:port:ext[#…]``    one UDP datagram (:mod:`.udp_dialer`)
``report:NAME``             the report NAME runs (hook ``run_report``)
``NAME.dialstring``         URL from the file, GET in the background
                            (:mod:`.url_dialer`)
``scheme:`` (sip:, tel:,    ``scheme:NUMBER`` (or the text with ``@phone``
callto:, skype: …)          replaced) to the desktop's protocol handler
anything else               :class:`DialConfigError` (fail loudly: a typo
                            must not silently dial another way)
==========================  ===============================================

Use in two steps, so the Test Dial button, ``collectdesk dial --dry-run`` and a
real click share one code path::

    plan = plan_dial(operator, "555-123-7777", context, settings)   # may raise
    print(describe(plan))                  # exactly what would be sent
    future = Dialer().dial(plan, on_done=callback)                  # never blocks

Threading contract (like calibre's ``devices/interface.py``):

- :func:`plan_dial` and :func:`describe` are pure and quick (a ``.dialstring``
  method reads one small file); call them on any thread.
- :meth:`Dialer.dial` never blocks on the network for dialstring URLs: the GET
  runs in a daemon thread and the returned ``Future`` completes there, with a
  :class:`DialOutcome` (never an exception) — ``on_done`` is called in that
  thread.  UDP, protocol handler, ``tel:`` and report methods finish before
  ``dial`` returns, and ``on_done`` is then called in the caller's thread.  A
  Qt adapter must therefore always forward ``on_done`` through a queued
  signal and never touch widgets in it.
- Hooks (``open_url``, ``run_report``, ``check_contact_controls``) are called in
  the caller's thread.
"""

from __future__ import annotations

import enum
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
import webbrowser
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import udp_dialer, url_dialer
from .dial_errors import AccountRefused, DialConfigError, DialError, DialRefused
from .dial_settings import DialSettings, clean_number, digits_only

__all__ = [
    "CONTROLS_REFUSED", "AccountRefused", "DialConfigError", "DialContext", "DialError",
    "DialMethod", "DialOutcome", "DialPlan", "DialRefused", "Dialer", "check_contact_controls",
    "default_config_dir", "describe", "open_with_desktop", "plan_dial", "prepare_dial",
    "run_report_placeholder",
]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
_REPORT = re.compile(r"^report:", re.IGNORECASE)
DEFAULT_HTTP_TIMEOUT = 5.0
CONTROLS_REFUSED = "Contact controls do not allow this call now."


class DialMethod(enum.StrEnum):
    TEL = "tel"
    PROTOCOL = "protocol"
    UDP = "udp"
    DIALSTRING = "dialstring"
    REPORT = "report"


@dataclass(frozen=True)
class DialContext:
    """Where the click happened: the account (for #authcode and reports) and the number."""

    operator_id: str = ""
    client_id: int | None = None
    debtor_id: int | None = None
    cosigner_id: int | None = None
    phone: str = ""  # as shown on screen; filled in by plan_dial

    @property
    def authcode(self) -> str | None:
        return udp_dialer.authorization_code(self.client_id, self.debtor_id)


@dataclass(frozen=True)
class DialPlan:
    """Everything needed to dial, decided before anything is sent."""

    method: DialMethod
    entered: str      # the number as shown
    number: str       # after the clean-up rule
    target: str       # URL, host:port or report name
    payload: str = ""  # the UDP datagram text
    source: str = ""   # the Note 2 text or the dialstring file used
    shown_target: str = ""  # target with the password masked (dialstrings)
    prompt_before_dialing: bool = True
    #: The operator is excluded from call contact controls (Operator form): they may dial a
    #: call the contact controls refuse, when they say so.
    may_override_controls: bool = False
    context: DialContext = field(default_factory=DialContext)

    def as_dict(self, *, reveal_secrets: bool = False) -> dict[str, Any]:
        return {
            "method": self.method.value,
            "entered": self.entered,
            "number": self.number,
            "target": self.target if reveal_secrets else (self.shown_target or self.target),
            "payload": self.payload,
            "source": self.source,
            "prompt_before_dialing": self.prompt_before_dialing,
            "client_id": self.context.client_id,
            "debtor_id": self.context.debtor_id,
            "cosigner_id": self.context.cosigner_id,
            "description": describe(self, reveal_secrets=reveal_secrets),
        }


@dataclass(frozen=True)
class DialOutcome:
    ok: bool
    message: str
    plan: DialPlan


def default_config_dir() -> Path:
    from ..db import data_dir

    return data_dir() / "config"


def plan_dial(
    operator: Any,
    number: str,
    context: DialContext | None = None,
    settings: DialSettings | None = None,
    config_dir: Path | str | None = None,
) -> DialPlan:
    """Decide how ``number`` is dialed for ``operator`` (anything with ``id``,
    ``use_softphone``, ``note1``, ``note2``).  Raises DialConfigError for a
    malformed set-up and DialError when there is nothing to dial."""
    settings = settings or DialSettings()
    operator_id = getattr(operator, "id", "") or ""
    context = context or DialContext()
    context = replace(context, phone=number, operator_id=context.operator_id or operator_id)
    cleaned = clean_number(number, settings)
    digits = digits_only(cleaned)
    if not digits:
        raise DialError(f"{number!r} has no digits to dial.")
    note2 = (getattr(operator, "note2", "") or "").strip()
    common = {"entered": number, "prompt_before_dialing": settings.prompt_before_dialing,
              "may_override_controls": bool(getattr(operator, "exclude_cc_call", False)),
              "context": context}
    if not getattr(operator, "use_softphone", False) or not note2:
        return DialPlan(DialMethod.TEL, number=cleaned, target=_tel_url(cleaned),
                        source="system tel: handler", **common)
    if re.match(r"^udp[:/]", note2, re.IGNORECASE):
        target = udp_dialer.parse_udp_note(note2)
        payload = udp_dialer.udp_payload(target, digits, context.authcode)
        return DialPlan(DialMethod.UDP, number=digits, target=target.address, payload=payload,
                        source=note2, **common)
    if _REPORT.match(note2):
        name = note2.split(":", 1)[1].strip()
        if not name:
            raise DialConfigError("Note 2 'report:' names no report: use report:NAME.")
        return DialPlan(DialMethod.REPORT, number=cleaned, target=name, source=note2, **common)
    if url_dialer.is_dialstring_note(note2):
        folder = Path(config_dir) if config_dir is not None else default_config_dir()
        path = url_dialer.find_dialstring_file(note2, operator_id, folder)
        template = url_dialer.read_dialstring(path)
        filled = url_dialer.fill_dialstring(template, cleaned, getattr(operator, "note1", ""),
                                            source=str(path))
        return DialPlan(DialMethod.DIALSTRING, number=cleaned, target=filled.url,
                        shown_target=filled.masked_url, source=str(path), **common)
    if _SCHEME.match(note2):
        return DialPlan(DialMethod.PROTOCOL, number=cleaned, target=_protocol_url(note2, cleaned),
                        source=note2, **common)
    raise DialConfigError(
        f"Note 2 {note2!r} is not a protocol prefix (sip:, tel: …), a UDP string "
        "(UDP:/ip:port:extension), a .dialstring file name or report:NAME.")


def _quoted(number: str) -> str:
    return urllib.parse.quote(number, safe="+-.()")


def _tel_url(number: str) -> str:
    return "tel:" + _quoted(number)


def _protocol_url(note2: str, number: str) -> str:
    if "@phone" in note2.lower():
        return re.sub("@phone", lambda _m: _quoted(number), note2, flags=re.IGNORECASE)
    return note2 + _quoted(number)


def describe(plan: DialPlan, *, reveal_secrets: bool = False) -> str:
    """One line saying exactly what would be sent (passwords masked unless revealed)."""
    target = plan.target if reveal_secrets else (plan.shown_target or plan.target)
    if plan.method is DialMethod.UDP:
        return f"UDP datagram to {plan.target}: {plan.payload}"
    if plan.method is DialMethod.DIALSTRING:
        return f"HTTP GET {target} (from {plan.source})"
    if plan.method is DialMethod.REPORT:
        return f"Run report {plan.target!r} to dial {plan.number}"
    scheme = plan.target.split(":", 1)[0].lower()
    if plan.method is DialMethod.TEL:
        return f"Open {target} with the system tel: handler"
    return f"Open {target} with the desktop's {scheme}: handler"


# ---------------------------------------------------------------------------
# Hooks with their defaults


def check_contact_controls(context: DialContext) -> tuple[bool, str]:
    """Contact-controls check before a call: always allowed until that capability exists."""
    return True, ""


def run_report_placeholder(name: str, context: DialContext) -> None:
    """Stands in for the report writer: fails loudly so nobody believes a call went out."""
    raise NotImplementedError(
        f"Report {name!r} was not run: the report writer is not available yet.")


def open_with_desktop(url: str) -> bool:
    """Hand ``url`` to the desktop's handler for its scheme; False when none could be started."""
    try:
        if sys.platform.startswith("win"):
            os.startfile(url)  # type: ignore[attr-defined]  # noqa: S606
            return True
        opener = "open" if sys.platform == "darwin" else shutil.which("xdg-open")
        if opener:
            subprocess.Popen([opener, url], stdin=subprocess.DEVNULL,  # noqa: S603
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
            return True
    except OSError:
        return False
    return webbrowser.open(url)


# ---------------------------------------------------------------------------


class Dialer:
    """Sends a :class:`DialPlan`.  Hooks are injectable (tests, the UI adapter)."""

    def __init__(
        self,
        *,
        open_url: Callable[[str], bool] = open_with_desktop,
        run_report: Callable[[str, DialContext], None] = run_report_placeholder,
        check_contact_controls: Callable[[DialContext], tuple[bool, str]] | None = None,
        send_datagram: Callable[[str, int, str], None] = udp_dialer.send_datagram,
        http_timeout: float = DEFAULT_HTTP_TIMEOUT,
    ) -> None:
        self.open_url = open_url
        self.run_report = run_report
        self.check_contact_controls = check_contact_controls
        self.send_datagram = send_datagram
        self.http_timeout = http_timeout

    def check(self, plan: DialPlan) -> tuple[bool, str]:
        """The contact-controls check: ``(True, "")`` or ``(False, why)``.  Without an injected
        hook, the module's :func:`check_contact_controls` (looked up now, so it can be replaced
        where contact controls are installed)."""
        ok, message = (self.check_contact_controls or check_contact_controls)(plan.context)
        return ok, "" if ok else (message or CONTROLS_REFUSED)

    def dial(
        self,
        plan: DialPlan,
        *,
        on_done: Callable[[DialOutcome], None] | None = None,
        contact_controls_checked: bool = False,
    ) -> Future[DialOutcome]:
        """Send the plan; see the module docstring for which thread completes the future.

        Raises DialRefused (nothing sent) when the contact-controls check says no.
        """
        if not contact_controls_checked:
            ok, message = self.check(plan)
            if not ok:
                raise DialRefused(message)
        future: Future[DialOutcome] = Future()
        future.set_running_or_notify_cancel()
        if on_done is not None:
            future.add_done_callback(lambda f: on_done(f.result()))
        if plan.method is DialMethod.DIALSTRING:
            worker = threading.Thread(target=self._call_url, args=(plan, future),
                                      name="collectdesk-dialstring", daemon=True)
            worker.start()
        else:
            future.set_result(self._send_now(plan))
        return future

    def _call_url(self, plan: DialPlan, future: Future[DialOutcome]) -> None:
        try:
            ok, message = url_dialer.call_dial_url(plan.target, self.http_timeout)
        except Exception as exc:  # noqa: BLE001 - a thread must always complete its future
            ok, message = False, f"Dialing through {plan.source} failed: {exc}"
        future.set_result(DialOutcome(ok, message, plan))

    def _send_now(self, plan: DialPlan) -> DialOutcome:
        try:
            if plan.method is DialMethod.UDP:
                host, _, port = plan.target.rpartition(":")
                self.send_datagram(host, int(port), plan.payload)
                return DialOutcome(True, f"Sent {plan.payload} to {plan.target} (UDP).", plan)
            if plan.method is DialMethod.REPORT:
                self.run_report(plan.target, plan.context)
                return DialOutcome(True, f"Report {plan.target!r} run to dial {plan.number}.", plan)
            scheme = plan.target.split(":", 1)[0].lower()
            if self.open_url(plan.target):
                return DialOutcome(True, f"Handed {plan.target} to the {scheme}: handler.", plan)
            return DialOutcome(
                False, f"No program on this computer handles {scheme}: links; "
                "set one up or change Note 2.", plan)
        except OSError as exc:
            return DialOutcome(False, f"Could not send to {plan.target}: {_os_reason(exc)}.", plan)
        except Exception as exc:  # noqa: BLE001 - hooks may fail any way; report, don't crash
            return DialOutcome(False, str(exc) or type(exc).__name__, plan)


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc) or type(exc).__name__).lower()


# ---------------------------------------------------------------------------


def prepare_dial(
    session: Any,
    operator_id: str,
    number: str,
    *,
    debtor_id: int | None = None,
    client_id: int | None = None,
    cosigner_id: int | None = None,
    config_dir: Path | str | None = None,
    policy: Any = None,
) -> DialPlan:
    """Load the operator, their settings and the account, then :func:`plan_dial`.

    A cosigner's account is the one it belongs to (a client's associate has only the
    client), so a dial from a cosigner or one of its phones carries that account.  The
    account (or the client) must be one the operator may fully see under account access
    control (``policy``, default: the operator's own): otherwise AccountRefused, written to
    the audit log, and nothing is planned."""
    from ..engine.access import Access, AccessPolicy, Purpose
    from ..models import Client, Cosigner, Debtor, Operator
    from .dial_settings import load_dial_settings

    operator = session.get(Operator, operator_id)
    if operator is None:
        raise DialError(f"Operator {operator_id!r} does not exist.")
    policy = policy if policy is not None else AccessPolicy.for_loaded(session, operator)
    if cosigner_id is not None:
        cosigner = session.get(Cosigner, cosigner_id)
        if cosigner is None:
            raise DialError(f"Cosigner {cosigner_id} could not be found in the database.")
        debtor_id = debtor_id if debtor_id is not None else cosigner.debtor_id
        client_id = client_id if client_id is not None else cosigner.client_id
    if debtor_id is None and client_id is not None:
        if session.get(Client, client_id) is None:
            raise DialError(f"Client {client_id} could not be found in the database.")
        if not policy.can_see_client(client_id):
            _refuse(session, operator.id, f"client {client_id}")
    if debtor_id is not None:
        access = policy.check(session, debtor_id, Purpose.DATA)
        if access is None:
            raise DialError(f"File {debtor_id} could not be found in the database.")
        if access is not Access.FULL:
            _refuse(session, operator.id, f"file {debtor_id}")
        client_id = session.get(Debtor, debtor_id).client_id
    context = DialContext(operator_id=operator.id, client_id=client_id, debtor_id=debtor_id,
                          cosigner_id=cosigner_id)
    settings = load_dial_settings(session, operator.id)
    return plan_dial(operator, number, context, settings, config_dir)


def _refuse(session: Any, operator_id: str, what: str) -> None:
    from ..engine.audit import ACCESS_REFUSED, audit_now

    audit_now(session, operator_id, ACCESS_REFUSED, f"{what}: dial refused")
    raise AccountRefused(f"Operator {operator_id} may not see {what} (account access control); "
                         "nothing was dialed.")
