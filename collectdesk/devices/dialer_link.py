"""Predictive dialer link (/z): Collect!'s DDE conversation over a local socket.

Seed 003 "Setup Predictive Dialer With Dynamic Data Exchange".  Windows DDE does
not exist elsewhere, so the same service (``collect``), topic (``dialer``),
command grammar and answers are offered as a line protocol over TCP on
127.0.0.1 (SPEC.md "Devices").  The port is a parameter; the program's /z uses
:data:`DEFAULT_PORT` (7439); 0 picks a free port (read :attr:`DialerLink.port`
after :meth:`DialerLink.start`).  A link that is never started still keeps the
Ready / Busy state, which the web dialer shares (:mod:`.predictive_dialer`).

Protocol
--------
ASCII lines ending in ``\\n`` (``\\r\\n`` accepted), at most 1024 bytes; keywords
are case-insensitive.  Each command gets exactly one answer line::

    client                               server          DDE equivalent
    CONNECT collect dialer               OK              XTYP_CONNECT → TRUE
      (another service or topic)         REFUSED, then the connection is closed
    REQUEST [collect]                    Ready | Busy    XTYP_REQUEST
    EXECUTE [open(debtor,file,1438)]     ACK             XTYP_EXECUTE → DDE_FACK
                                         BUSY            → DDE_FBUSY (an account is open)
                                         NOTPROCESSED    → DDE_FNOTPROCESSED
    ADVISE [collect]                     OK              XTYP_ADVSTART; from then on
                                                         ``Ready`` / ``Busy`` lines are
                                                         pushed on every state change
    UNADVISE                             OK              XTYP_ADVSTOP
    DISCONNECT                           OK, closed      XTYP_DISCONNECT
    anything else, or before CONNECT     NOTPROCESSED

Execute grammar: ``[open(debtor,file,N)]`` — the literals ``open``, ``debtor`` and
``file`` (any case), ``N`` the file number in ASCII digits; spaces around the
tokens are tolerated, nothing else.  A malformed command is NOTPROCESSED.

A pushed ``Ready``/``Busy`` line and a REQUEST answer look the same on purpose:
both state the current state, so a client that mixes them on one connection
only ever learns the truth.  On the connection that sent the EXECUTE the
``ACK`` always comes before the pushed ``Busy``.

States
------
``Ready`` (waiting for a call), ``Busy`` (an account is open) and *unavailable*
(the link is running but the Predictive Dialer waiting screen is not shown).
REQUEST answers ``Busy`` when unavailable; EXECUTE answers BUSY when Busy and
NOTPROCESSED when unavailable ("not in the correct state … try again later").

An EXECUTE with a well-formed but unknown file number is still ACKed — the seed's
DDE_FACK acknowledges receipt — and the collector is told (see ``on_open``).

Threading contract (after calibre's ``devices/interface.py``)
-------------------------------------------------------------
- :meth:`start` / :meth:`stop` from the owning (GUI) thread.  The server runs in
  its own daemon thread and one daemon thread per dialer connection; a pusher
  thread sends advise lines, so no caller ever blocks on a slow client.
- ``on_open(file_number)`` is called in the connection's thread, after the ACK
  has been sent and the state has become Busy.  It must return quickly: a Qt
  adapter emits a queued signal and returns.  It may look the file up (with its
  own session — never share a Session across threads) and raise
  :class:`AccountNotFound`; any exception is turned into a message for
  ``on_message``.
- ``on_message(file_number, text)`` is called in the same thread with a
  one-line message for the collector (unknown file, or ``on_open`` failed).
  Without an ``on_message`` the message is logged and the link returns to Ready
  by itself; with one, the UI shows the message and calls :meth:`set_ready`
  when the collector dismisses it.
- :meth:`set_ready` (the collector closed the debtor with OK),
  :meth:`set_unavailable` and :attr:`state` are thread-safe and never block on
  the network.  ``on_state(state)`` (optional) is called in the calling thread
  on every change.
"""

from __future__ import annotations

import enum
import logging
import queue
import re
import socket
import socketserver
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

SERVICE = "collect"
TOPIC = "dialer"
#: The port /z listens on (127.0.0.1 only) unless the program is told another.
DEFAULT_PORT = 7439
MAX_LINE = 1024

ACK = "ACK"
BUSY = "BUSY"
NOT_PROCESSED = "NOTPROCESSED"
OK = "OK"
REFUSED = "REFUSED"

_OPEN = re.compile(
    r"^\[\s*open\s*\(\s*debtor\s*,\s*file\s*,\s*(\d{1,18})\s*\)\s*\]$", re.IGNORECASE)


class LinkState(enum.StrEnum):
    READY = "Ready"
    BUSY = "Busy"
    UNAVAILABLE = "Unavailable"

    @property
    def answer(self) -> str:
        """What REQUEST and advise lines say: only Ready or Busy exist on the wire."""
        return "Ready" if self is LinkState.READY else "Busy"


class AccountNotFound(LookupError):
    """Raised by ``on_open`` for a file number that is not in the database."""

    def __init__(self, file_number: int) -> None:
        self.file_number = file_number
        super().__init__(not_found_message(file_number))


def not_found_message(file_number: int) -> str:
    return (f"The predictive dialer sent file {file_number}, which could not be found in the "
            "database. This points to a campaign build problem on the dialer: contact your "
            "system administrator.")


def parse_execute(command: str) -> int | None:
    """``[open(debtor,file,1438)]`` → 1438; None when the syntax is wrong."""
    match = _OPEN.match(command.strip())
    return int(match.group(1)) if match else None


class _Connection:
    """One dialer conversation; writes are serialised so lines never interleave."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()
        self.connected = False
        self.advising = False
        self.closed = False

    def send(self, line: str) -> bool:
        with self.lock:
            if self.closed:
                return False
            try:
                self.sock.sendall(line.encode("ascii") + b"\n")
                return True
            except OSError:
                self.closed = True
                return False

    def close(self) -> None:
        with self.lock:
            self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        link = self.server.link
        conn = _Connection(self.connection)
        link._register(conn)
        try:
            while not conn.closed:
                raw = self.rfile.readline(MAX_LINE + 1)
                if not raw:
                    break
                if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                    conn.send(NOT_PROCESSED)
                    self._skip_rest_of_line()
                    continue
                line = raw.decode("ascii", "replace").strip()
                if not line:
                    continue
                if not link._answer(conn, line):
                    break
        except OSError:
            pass
        finally:
            link._unregister(conn)

    def _skip_rest_of_line(self) -> None:
        while True:
            chunk = self.rfile.readline(MAX_LINE + 1)
            if not chunk or chunk.endswith(b"\n"):
                return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    link: DialerLink


class DialerLink:
    """The ``collect``/``dialer`` service; see the module docstring for protocol and threads."""

    def __init__(
        self,
        on_open: Callable[[int], object],
        *,
        on_message: Callable[[int, str], object] | None = None,
        on_state: Callable[[LinkState], object] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ready: bool = True,
    ) -> None:
        self.on_open = on_open
        self.on_message = on_message
        self.on_state = on_state
        self.host = host
        self.requested_port = port
        self._state = LinkState.READY if ready else LinkState.UNAVAILABLE
        self._lock = threading.Lock()
        self._connections: set[_Connection] = set()
        self._pushes: queue.Queue[LinkState | None] = queue.Queue()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []

    # -- life cycle -------------------------------------------------------

    def start(self) -> DialerLink:
        if self._server is not None:
            return self
        server = _Server((self.host, self.requested_port), _Handler)
        server.link = self
        self._server = server
        self._threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                             name="collectdesk-dialer-link", daemon=True),
            threading.Thread(target=self._push_loop, name="collectdesk-dialer-advise",
                             daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            conn.close()
        self._pushes.put(None)
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []

    def __enter__(self) -> DialerLink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the dialer link is not started")
        return self._server.server_address[1]

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    # -- state ------------------------------------------------------------

    @property
    def state(self) -> LinkState:
        with self._lock:
            return self._state

    def set_ready(self) -> None:
        """The collector closed the debtor with OK (or dismissed a not-found message)."""
        self._change(LinkState.READY)

    def set_unavailable(self) -> None:
        """The waiting screen is closed: executes are not processed, REQUEST says Busy."""
        self._change(LinkState.UNAVAILABLE)

    def claim(self) -> bool:
        """Ready → Busy for a call that arrived another way (the web dialer); False if not Ready."""
        return self._change(LinkState.BUSY, expected=LinkState.READY)

    def change(self, new: LinkState, *, expected: LinkState | None = None) -> bool:
        """Set the state, only from ``expected`` when given (compare-and-set); thread-safe."""
        return self._change(new, expected=expected)

    def _change(self, new: LinkState, *, expected: LinkState | None = None) -> bool:
        with self._lock:
            if expected is not None and self._state is not expected:
                return False
            old, self._state = self._state, new
        if old is not new:
            self._announce(new)
        return True

    def _announce(self, new: LinkState) -> None:
        if self._server is not None:  # a link that is not started only keeps the state
            self._pushes.put(new)
        if self.on_state is not None:
            try:
                self.on_state(new)
            except Exception:  # noqa: BLE001 - a UI callback must not break the link
                log.exception("dialer link on_state failed")

    def _push_loop(self) -> None:
        while True:
            state = self._pushes.get()
            if state is None:
                return
            with self._lock:
                listeners = [c for c in self._connections if c.advising]
            for conn in listeners:
                conn.send(state.answer)

    # -- conversation -----------------------------------------------------

    def _register(self, conn: _Connection) -> None:
        with self._lock:
            self._connections.add(conn)

    def _unregister(self, conn: _Connection) -> None:
        with self._lock:
            self._connections.discard(conn)
        conn.closed = True

    def _answer(self, conn: _Connection, line: str) -> bool:
        """Answer one command; False closes the connection."""
        verb, _, rest = line.partition(" ")
        verb, rest = verb.upper(), rest.strip()
        if verb == "CONNECT":
            words = rest.split()
            if len(words) == 2 and words[0].lower() == SERVICE and words[1].lower() == TOPIC:
                conn.connected = True
                conn.send(OK)
                return True
            conn.send(REFUSED)
            return False
        if not conn.connected:
            conn.send(NOT_PROCESSED)
            return True
        if verb == "REQUEST" and rest.lower() in ("", SERVICE):
            conn.send(self.state.answer)
        elif verb == "ADVISE" and rest.lower() in ("", SERVICE):
            conn.advising = True
            conn.send(OK)
        elif verb == "UNADVISE" and not rest:
            conn.advising = False
            conn.send(OK)
        elif verb == "DISCONNECT" and not rest:
            conn.send(OK)
            return False
        elif verb == "EXECUTE":
            self._execute(conn, rest)
        else:
            conn.send(NOT_PROCESSED)
        return True

    def _execute(self, conn: _Connection, command: str) -> None:
        file_number = parse_execute(command)
        if file_number is None:
            conn.send(NOT_PROCESSED)
            return
        with self._lock:
            state = self._state
            if state is LinkState.READY:
                self._state = LinkState.BUSY
        if state is LinkState.BUSY:
            conn.send(BUSY)
            return
        if state is not LinkState.READY:
            conn.send(NOT_PROCESSED)
            return
        conn.send(ACK)
        self._announce(LinkState.BUSY)
        self._open(file_number)

    def _open(self, file_number: int) -> None:
        try:
            self.on_open(file_number)
            return
        except AccountNotFound as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 - report to the collector, keep serving
            log.exception("dialer link on_open(%s) failed", file_number)
            message = f"File {file_number} could not be opened: {exc}"
        if self.on_message is None:
            log.warning("%s", message)
            self.set_ready()
            return
        try:
            self.on_message(file_number, message)
        except Exception:  # noqa: BLE001
            log.exception("dialer link on_message failed")
            self.set_ready()
