"""Web predictive dialer (/W2, background /W2b, port /S, TLS with /W2ss).

Seed 003 "Setup Predictive Dialer With URL Strings".  A dialing system calls::

    GET /dialer?phone=555-111-1222     (or file= | ssn= | email= | acct=)

and the matching accounts pop up: one account opens, several show a list.

Answers (``application/json``, one short object):

- 200 ``{"found": N, "files": [...]}`` — ``on_match(files)`` was called;
- 404 ``{"found": 0, ...}`` — nothing matches (or the path is not ``/dialer``);
- 400 — no key, two keys, an unknown key, an empty or malformed value;
- 403 — the caller's address is not trusted;
- 405 — any method but GET (HEAD is treated like GET without a body);
- 503 — ``on_match`` raised :class:`NotReady`: the collector cannot take a call now
  (not waiting, or busy with an account); ``Retry-After`` asks the dialer to try
  again later, like DDE's "not processed, try again later".

Listening: 127.0.0.1 by default.  When the site lists trusted hosts (IP
addresses or networks such as ``192.168.2.0/24``; host names are resolved once
at start) and no ``bind`` address is given, the listener binds all interfaces
(``0.0.0.0``) and answers 403 to every other address.  The loopback addresses
stay trusted unless ``trust_loopback=False``.

TLS (/W2ss): pass ``tls=(certfile, keyfile)``; the handshake happens in the
request's own thread, so a client that never completes it holds up nobody.

Site configuration (the program's ``config`` folder, see :func:`site_config`):
``web_dialer.pem`` + ``web_dialer.key`` — the certificate and key for /W2ss;
``trusted_hosts.txt`` — one address, network or host name per line (``#`` comments).

Threading contract: :meth:`WebDialer.start` / :meth:`stop` from the owning
thread; each request runs in its own daemon thread (``ThreadingHTTPServer``),
opens its own session from ``session_factory`` for the lookup and calls
``on_match(list_of_file_numbers)`` in that thread.  ``on_match`` must return
quickly (a Qt adapter emits a queued signal); if it raises, the dialer gets a
500 and the error is logged.  ``on_miss(key, value)`` (optional) is called in the
same thread when nothing matches, so the collector can be told.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .account_lookup import KEYS, find_accounts

log = logging.getLogger(__name__)

PATH = "/dialer"
REQUEST_TIMEOUT = 10.0
RETRY_AFTER_SECONDS = 5
CERTIFICATE_FILE = "web_dialer.pem"
KEY_FILE = "web_dialer.key"
TRUSTED_HOSTS_FILE = "trusted_hosts.txt"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class NotReady(Exception):
    """Raised by ``on_match``: the collector cannot take a call now; the dialer gets a 503."""


def site_config(config_dir: Path) -> tuple[tuple[str, str] | None, list[str]]:
    """``(certificate, key)`` when both files exist in ``config_dir``, and the trusted hosts."""
    folder = Path(config_dir)
    cert, key = folder / CERTIFICATE_FILE, folder / KEY_FILE
    tls = (str(cert), str(key)) if cert.is_file() and key.is_file() else None
    hosts: list[str] = []
    listed = folder / TRUSTED_HOSTS_FILE
    if listed.is_file():
        for line in listed.read_text(encoding="utf-8", errors="replace").splitlines():
            entry = line.split("#", 1)[0].strip()
            if entry:
                hosts.append(entry)
    return tls, hosts


def parse_trusted_hosts(hosts: Iterable[str]) -> list[Network]:
    """``["192.168.2.154", "10.0.0.0/8", "pbx.local"]`` → networks (names resolved now)."""
    networks: list[Network] = []
    for entry in hosts:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        try:
            infos = socket.getaddrinfo(entry, None)
        except socket.gaierror:
            raise ValueError(f"trusted host {entry!r} is neither an address nor a known name") \
                from None
        for info in infos:
            networks.append(ipaddress.ip_network(info[4][0]))
    return networks


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = REQUEST_TIMEOUT
    server_version = "CollectDesk-WebDialer"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(with_body=False)

    def _refuse_method(self) -> None:
        self._reply(405, {"error": "only GET is answered"}, headers={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse_method  # noqa: N815

    def _serve(self, *, with_body: bool) -> None:
        dialer = self.server.web_dialer
        if not dialer.is_trusted(self.client_address[0]):
            self._reply(403, {"error": "this address is not a trusted host"}, with_body)
            return
        parts = urllib.parse.urlsplit(self.path)
        if parts.path.rstrip("/") != PATH:
            self._reply(404, {"found": 0, "error": f"unknown path; use {PATH}?phone=…"},
                        with_body)
            return
        try:
            query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True,
                                           strict_parsing=True, max_num_fields=4)
        except ValueError:
            self._reply(400, {"error": "malformed query"}, with_body)
            return
        if len(query) != 1 or query[0][0].lower() not in KEYS:
            self._reply(400, {"error": f"give exactly one of {', '.join(KEYS)}"}, with_body)
            return
        key, value = query[0]
        try:
            files = dialer.lookup(key.lower(), value)
        except ValueError as exc:
            self._reply(400, {"error": str(exc)}, with_body)
            return
        except Exception:  # noqa: BLE001 - the dialer gets a 500, the log gets the detail
            log.exception("web dialer lookup %s=%r failed", key, value)
            self._reply(500, {"error": "lookup failed"}, with_body)
            return
        if not files:
            self._reply(404, {"found": 0, "files": []}, with_body)
            if dialer.on_miss is not None:
                try:
                    dialer.on_miss(key.lower(), value)
                except Exception:  # telling the collector must not break serving
                    log.exception("web dialer on_miss failed")
            return
        try:
            dialer.on_match(files)
        except NotReady as exc:
            self._reply(503, {"found": len(files), "error": str(exc) or "not ready"}, with_body,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            return
        except Exception:  # noqa: BLE001
            log.exception("web dialer on_match failed")
            self._reply(500, {"error": "the accounts could not be shown"}, with_body)
            return
        self._reply(200, {"found": len(files), "files": files}, with_body)

    def _reply(self, status: int, body: dict[str, Any], with_body: bool = True,
               headers: dict[str, str] | None = None) -> None:
        data = (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        log.info("web dialer %s: " + format, self.client_address[0], *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    web_dialer: WebDialer
    tls_context: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(REQUEST_TIMEOUT)
        try:
            wrapped = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            log.info("web dialer TLS handshake with %s failed: %s", client_address[0], exc)
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            try:
                wrapped.close()
            except OSError:
                pass


class WebDialer:
    """The ``/dialer`` HTTP listener; see the module docstring."""

    def __init__(
        self,
        session_factory: Callable[[], Any],
        on_match: Callable[[list[int]], object],
        *,
        port: int = 80,
        bind: str | None = None,
        trusted_hosts: Iterable[str] = (),
        trust_loopback: bool = True,
        tls: tuple[str, str] | None = None,
        on_miss: Callable[[str, str], object] | None = None,
        policy: Callable[[], Any] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.on_match = on_match
        self.on_miss = on_miss
        self.policy = policy  # the signed-on operator's account access, asked at each lookup
        self.requested_port = port
        self.trusted = parse_trusted_hosts(trusted_hosts)
        self.trust_loopback = trust_loopback
        self.bind = bind or ("0.0.0.0" if self.trusted else "127.0.0.1")  # noqa: S104
        self.tls = tls
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if ip.is_loopback:
            return self.trust_loopback or any(ip in net for net in self.trusted)
        return any(ip in net for net in self.trusted)

    def lookup(self, key: str, value: str) -> list[int]:
        with self.session_factory() as session:
            return find_accounts(session, key, value,
                                 policy=self.policy() if self.policy is not None else None)

    def start(self) -> WebDialer:
        if self._server is not None:
            return self
        context = None
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            certfile, keyfile = self.tls
            context.load_cert_chain(certfile, keyfile)
        server = _Server((self.bind, self.requested_port), _Handler)
        server.web_dialer = self
        server.tls_context = context
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="collectdesk-web-dialer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> WebDialer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the web dialer is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.bind in ("0.0.0.0", "") else self.bind  # noqa: S104
        return f"{self.scheme}://{host}:{self.port}{PATH}"
