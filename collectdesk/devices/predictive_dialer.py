"""The predictive dialer session: the dialer link (/z) and the web dialer (/W2, /W2b)
sharing one Ready / Busy state.

Seed 003 "Predictive Dialer": the collector waits on the Predictive Dialer screen;
a call pops the account; closing it returns to waiting.  This module holds the
rules, without Qt; ``collectdesk.ui.dialer_page`` is the thin adapter that shows
the waiting screen and opens the forms.

States (:class:`~.dialer_link.LinkState`, one for both connections):

- *Unavailable* — the waiting screen is not shown (regular /W2 and /z);
- *Ready* — waiting for a call (the waiting screen is shown, or always with /W2b);
- *Busy* — a popped account, list or not-found message is open.

Transitions:

- :meth:`waiting` (True / False): Unavailable → Ready / Ready → Unavailable;
  in background mode (/W2b) the state never becomes Unavailable.
- A call: Ready → Busy.  The link's EXECUTE claims it itself (and answers BUSY or
  NOTPROCESSED otherwise); a web call claims it here and, when it cannot, raises
  :class:`~.web_dialer.NotReady` so the dialer gets a 503 and retries.  In
  background mode a web call while Busy still pops: the collector is working
  the WIP list and the new account opens on top.
- :meth:`released`: the UI has closed every popped page (OK or Cancel) and no
  message is open: Busy → Ready (or Unavailable when the waiting screen is gone).
  Pops handed to the UI but not opened yet (:meth:`opened`) keep it Busy.

Threading contract (after calibre's ``devices/interface.py``): :meth:`start`,
:meth:`stop`, :meth:`waiting`, :meth:`opened` and :meth:`released` from the owning
(GUI) thread; ``on_pop``, ``on_message`` and ``on_event`` are called in the
connections' threads and must return quickly (a Qt adapter emits queued
signals); ``on_state`` in whichever thread changed the state.  Each look-up opens
its own session from ``sessions``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .account_lookup import find_accounts
from .dialer_link import DEFAULT_PORT, AccountNotFound, DialerLink, LinkState
from .web_dialer import NotReady, WebDialer, site_config

log = logging.getLogger(__name__)

DEFAULT_WEB_PORT = 80
#: The dialer link's port when not the default (the dialer and CollectDesk must agree).
LINK_PORT_VARIABLE = "COLLECTDESK_DIALER_LINK_PORT"
LINK = "dialer link"
WEB = "web dialer"


@dataclass(frozen=True)
class Pop:
    """Accounts to show for one call: one opens its form, several show a list."""

    files: tuple[int, ...]
    source: str  # LINK or WEB


@dataclass(frozen=True)
class DialerOptions:
    """What the startup flags ask for (/z, /W2, /W2b, /W2ss, /S; /S without /W2 is the web
    host's).  The link listens on :data:`DEFAULT_PORT` or ``$COLLECTDESK_DIALER_LINK_PORT``;
    the web dialer on /S or 80."""

    link: bool = False
    web: bool = False
    background: bool = False
    tls: bool = False
    link_port: int = DEFAULT_PORT
    web_port: int = DEFAULT_WEB_PORT

    @classmethod
    def from_settings(cls, settings: Any) -> DialerOptions:
        def flag(name: str, default: Any = None) -> Any:
            return getattr(settings, name, default) if settings is not None else default

        link_port = flag("dialer_link_port")
        if link_port is None and os.environ.get(LINK_PORT_VARIABLE, "").strip().isdigit():
            link_port = int(os.environ[LINK_PORT_VARIABLE])
        web_port = flag("web_port")
        return cls(link=bool(flag("dialer_link", False)), web=bool(flag("web_dialer", False)),
                   background=bool(flag("web_dialer_background", False)),
                   tls=bool(flag("web_dialer_tls", False)),
                   link_port=DEFAULT_PORT if link_port is None else int(link_port),
                   web_port=DEFAULT_WEB_PORT if web_port is None else int(web_port))

    @property
    def any(self) -> bool:
        return self.link or self.web


class PredictiveDialer:
    """Both dialer connections and their shared state; see the module docstring."""

    def __init__(
        self,
        sessions: Callable[[], Any],
        options: DialerOptions,
        *,
        on_pop: Callable[[Pop], object],
        on_message: Callable[[str], object],
        on_event: Callable[[str], object] | None = None,
        on_state: Callable[[LinkState], object] | None = None,
        config_dir: Path | str | None = None,
        policy: Callable[[], Any] | None = None,
    ) -> None:
        self.sessions = sessions
        self.policy = policy  # the signed-on operator's account access (None: no restriction)
        self.options = options
        self.on_pop = on_pop
        self.on_message = on_message
        self.on_event = on_event
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self._lock = threading.Lock()
        self._pending = 0
        self._waiting = False
        self.problems: list[str] = []
        # The link object keeps the state even when /z is off (it is then never started).
        self.link = DialerLink(self._link_open, on_message=self._link_message, on_state=on_state,
                               port=options.link_port,
                               ready=options.background)
        self.web: WebDialer | None = None

    # -- life cycle -------------------------------------------------------

    def start(self) -> list[str]:
        """Start what the options ask for; the problems, one sentence each (also in
        :attr:`problems`).  One connection failing does not stop the other."""
        problems: list[str] = []
        if self.options.link:
            try:
                self.link.start()
            except OSError as exc:
                problems.append(
                    f"The dialer link (/z) could not listen on 127.0.0.1:{self.options.link_port}: "
                    f"{_reason(exc)}.")
        if self.options.web:
            problem = self._start_web()
            if problem:
                problems.append(problem)
        for text in problems:
            log.warning("%s", text)
        self.problems = problems
        return problems

    def _start_web(self) -> str | None:
        folder = self.config_dir or _default_config_dir()
        tls, hosts = site_config(folder)
        port = self.options.web_port
        if self.options.tls and tls is None:
            return (f"The secure web dialer (/W2ss) needs a certificate: put {_cert_names()} in "
                    f"{folder}. The web dialer was not started.")
        try:
            web = WebDialer(self.sessions, self._web_match, port=port, trusted_hosts=hosts,
                            tls=tls if self.options.tls else None, on_miss=self._web_miss,
                            policy=self.policy)
            self.web = web.start()
        except ValueError as exc:  # a trusted host that cannot be resolved
            return f"The web dialer (/W2) was not started: {exc}."
        except OSError as exc:  # port taken, no permission, bad certificate file
            return (f"The web dialer (/W2) could not listen on port {port}: {_reason(exc)}. "
                    "Choose another port with /S.")
        return None

    def stop(self) -> None:
        self.link.stop()
        if self.web is not None:
            self.web.stop()
            self.web = None

    # -- what the waiting screen shows ------------------------------------

    @property
    def state(self) -> LinkState:
        return self.link.state

    @property
    def link_running(self) -> bool:
        return self.link._server is not None

    def connections(self) -> list[tuple[str, str]]:
        """(name, one line) per connection, for the waiting screen."""
        if self.link_running:
            host, port = self.link.address
            link = f"listening on {host}:{port} (service collect, topic dialer)"
        else:
            link = "off (start CollectDesk with /z)"
        if self.web is not None:
            web = f"{self.web.url}?phone=… (also file=, ssn=, email=, acct=)"
            if self.options.background:
                web += ", always on (/W2b)"
        else:
            web = "off (start CollectDesk with /W2 and the port in /S)"
        return [("Dialer link", link), ("Web dialer", web)]

    # -- the UI's side ----------------------------------------------------

    def waiting(self, shown: bool) -> None:
        """The waiting screen was opened (True) or closed (False)."""
        with self._lock:
            self._waiting = shown
            if shown:
                self.link.change(LinkState.READY, expected=LinkState.UNAVAILABLE)
            elif not self.options.background:
                self.link.change(LinkState.UNAVAILABLE, expected=LinkState.READY)

    def opened(self) -> None:
        """A pop handed to ``on_pop`` is now on screen (the UI tracks it from here)."""
        with self._lock:
            self._pending = max(0, self._pending - 1)

    def released(self) -> None:
        """Every popped page is closed and no message is open: back to waiting."""
        with self._lock:
            if self._pending:
                return
            after = LinkState.READY if self._waiting or self.options.background \
                else LinkState.UNAVAILABLE
            self.link.change(after, expected=LinkState.BUSY)

    # -- the connections' side (their threads) ----------------------------

    def _link_open(self, file_number: int) -> None:
        with self.sessions() as session:
            policy = self.policy() if self.policy is not None else None
            if not find_accounts(session, "file", str(file_number), policy=policy):
                raise AccountNotFound(file_number)
        with self._lock:
            self._pending += 1
        self.on_pop(Pop((file_number,), LINK))

    def _link_message(self, file_number: int, text: str) -> None:
        self._event(f"The dialer link sent file {file_number}: not found.")
        self.on_message(text)

    def _web_match(self, files: list[int]) -> None:
        with self._lock:
            if not self.link.claim():
                state = self.link.state
                if state is LinkState.UNAVAILABLE or not self.options.background:
                    self._event(f"A web dialer call for {_files(files)} was refused: "
                                f"{'busy' if state is LinkState.BUSY else 'not waiting'}.")
                    raise NotReady("busy: an account is open" if state is LinkState.BUSY else
                                   "not waiting for calls: the Predictive Dialer screen is closed")
            self._pending += 1
        self.on_pop(Pop(tuple(files), WEB))

    def _web_miss(self, key: str, value: str) -> None:
        self._event(f"A web dialer call for {key} {value} matches no account: "
                    "ask the caller's name and use Find By.")

    def _event(self, text: str) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(text)
        except Exception:  # a UI callback must not break a connection
            log.exception("predictive dialer on_event failed")


def _files(files: list[int]) -> str:
    return f"file {files[0]}" if len(files) == 1 else f"{len(files)} accounts"


def _cert_names() -> str:
    from .web_dialer import CERTIFICATE_FILE, KEY_FILE

    return f"{CERTIFICATE_FILE} and {KEY_FILE}"


def _default_config_dir() -> Path:
    from .dialing import default_config_dir

    return default_config_dir()


def _reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.EADDRINUSE:
        return "the port is already in use"
    if exc.errno == errno.EACCES:
        return "permission denied (ports below 1024 need administrator rights)"
    return (exc.strerror or str(exc) or type(exc).__name__).lower()
