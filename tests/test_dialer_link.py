"""Predictive dialer link (local socket, DDE grammar) and the web predictive dialer (/dialer)."""

from __future__ import annotations

import json
import queue
import socket
import ssl
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from collectdesk.devices.account_lookup import find_accounts
from collectdesk.devices.dialer_link import (
    AccountNotFound,
    DialerLink,
    LinkState,
    parse_execute,
)
from collectdesk.devices.web_dialer import WebDialer

LOCAL = "127.0.0.1"


class LineClient:
    """A dialer's side of the conversation: one line out, one line in."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((LOCAL, port), timeout=3)
        self.file = self.sock.makefile("rb")

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode("ascii") + b"\r\n")

    def read(self, timeout: float = 3.0) -> str:
        self.sock.settimeout(timeout)
        line = self.file.readline()
        return line.decode("ascii").rstrip("\r\n")

    def ask(self, line: str) -> str:
        self.send(line)
        return self.read()

    def nothing_pending(self) -> bool:
        self.sock.settimeout(0.2)
        try:
            return self.file.readline() == b""  # closed counts as nothing pending
        except (TimeoutError, socket.timeout):
            return True

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def link():
    opened: queue.Queue[int] = queue.Queue()
    messages: queue.Queue[tuple[int, str]] = queue.Queue()
    service = DialerLink(on_open=opened.put, on_message=lambda n, m: messages.put((n, m)))
    service.start()
    clients: list[LineClient] = []

    def connect(handshake: bool = True) -> LineClient:
        client = LineClient(service.port)
        clients.append(client)
        if handshake:
            assert client.ask("CONNECT collect dialer") == "OK"
        return client

    yield SimpleNamespace(service=service, opened=opened, messages=messages, connect=connect)
    for client in clients:
        client.close()
    service.stop()


def test_link_end_to_end(link):
    dialer = link.connect()
    watcher = link.connect()
    assert watcher.ask("ADVISE collect") == "OK"
    assert dialer.ask("REQUEST") == "Ready"

    assert dialer.ask("EXECUTE [open(debtor,file,1438)]") == "ACK"
    assert link.opened.get(timeout=2) == 1438
    assert watcher.read() == "Busy"  # pushed on the change
    assert dialer.ask("REQUEST collect") == "Busy"
    assert link.service.state is LinkState.BUSY

    assert dialer.ask("EXECUTE [open(debtor,file,1439)]") == "BUSY"
    assert link.opened.empty()

    link.service.set_ready()  # the collector closed the debtor with OK
    assert watcher.read() == "Ready"
    assert dialer.ask("REQUEST") == "Ready"
    assert dialer.ask("EXECUTE [open(debtor,file,1439)]") == "ACK"
    assert link.opened.get(timeout=2) == 1439
    assert watcher.read() == "Busy"

    assert watcher.ask("UNADVISE") == "OK"
    link.service.set_ready()
    assert watcher.nothing_pending()
    assert dialer.ask("DISCONNECT") == "OK"


def test_ack_comes_before_the_pushed_busy_on_the_same_connection(link):
    client = link.connect()
    assert client.ask("ADVISE") == "OK"
    assert client.ask("EXECUTE [open(debtor,file,7)]") == "ACK"
    assert client.read() == "Busy"


@pytest.mark.parametrize("command", [
    "EXECUTE [open(debtor,file,abc)]",
    "EXECUTE open(debtor,file,1438)",
    "EXECUTE [open(client,file,1438)]",
    "EXECUTE [open(debtor,file,)]",
    "EXECUTE [open(debtor,file,1438)] extra",
    "EXECUTE [open(debtor,file,-5)]",
    "EXECUTE",
    "POKE collect 1",
    "REQUEST other",
    "HELLO",
])
def test_malformed_commands_are_not_processed(link, command):
    client = link.connect()
    assert client.ask(command) == "NOTPROCESSED"
    assert client.ask("REQUEST") == "Ready"
    assert link.opened.empty()


def test_too_long_line_is_not_processed(link):
    client = link.connect()
    assert client.ask("EXECUTE [open(debtor,file," + "1" * 2000 + ")]") == "NOTPROCESSED"
    assert client.ask("REQUEST") == "Ready"


def test_commands_before_connect_and_wrong_topic(link):
    client = link.connect(handshake=False)
    assert client.ask("REQUEST") == "NOTPROCESSED"
    assert client.ask("EXECUTE [open(debtor,file,1)]") == "NOTPROCESSED"
    assert link.opened.empty()
    other = link.connect(handshake=False)
    assert other.ask("CONNECT collect system") == "REFUSED"
    assert other.read() == ""  # closed by the server


def test_wrong_state_is_not_processed(link):
    client = link.connect()
    link.service.set_unavailable()
    assert client.ask("REQUEST") == "Busy"
    assert client.ask("EXECUTE [open(debtor,file,1438)]") == "NOTPROCESSED"
    link.service.set_ready()
    assert client.ask("EXECUTE [open(debtor,file,1438)]") == "ACK"


def test_execute_grammar():
    assert parse_execute("[open(debtor,file,1438)]") == 1438
    assert parse_execute(" [ OPEN ( Debtor , File , 0042 ) ] ") == 42
    assert parse_execute("[open(debtor,file,1438)][open(debtor,file,1)]") is None


# --- database --------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    from collectdesk.db import make_engine, session_factory
    from collectdesk.models import Base, Client, Cosigner, Debtor, Email, Phone

    engine = make_engine(f"sqlite:///{tmp_path / 'dialer.db'}")
    Base.metadata.create_all(engine)
    factory = session_factory(engine)
    with factory() as session:
        session.add(Client(id=24, name="Acme Lending"))
        session.flush()
        session.add_all([
            Debtor(id=1001, client_id=24, name="Doe, John", account="ABC123", ssn="777-88-8999"),
            Debtor(id=1002, client_id=24, name="Doe, Mary", home_phone="(555) 111-1222"),
            Debtor(id=1003, client_id=24, name="Roe, Jane", account="XYZ9", ssn="123456789",
                   email="jane.roe@example.com"),
            Debtor(id=1004, client_id=24, name="Poe, Ed"),
        ])
        session.flush()
        session.add_all([
            Phone(debtor_id=1001, kind="Home", number="555-111-1222", digits="5551111222"),
            # the phone records the records engine keeps for the Home field and a cosigner
            Phone(debtor_id=1002, kind="home", number="(555) 111-1222", digits="5551111222"),
            Phone(debtor_id=1003, kind="Cell", number="818-555-1111", digits="8185551111"),
            Phone(debtor_id=1003, kind="Work", number="1 (212) 555-0000", digits="12125550000"),
            Email(debtor_id=1001, address="John.Doe@Example.com",
                  address_lower="john.doe@example.com"),
            Cosigner(id=1, debtor_id=1004, name="Poe, Al", cell_phone="416.555.0101"),
        ])
        session.flush()
        session.add(Phone(cosigner_id=1, kind="cell", number="416.555.0101", digits="4165550101"))
        session.commit()
    yield factory
    engine.dispose()


@pytest.mark.parametrize("key, value, files", [
    ("phone", "5551111222", [1001, 1002]),
    ("phone", "555-111-1222", [1001, 1002]),
    ("phone", "1-555-111-1222", [1001, 1002]),
    ("phone", "818-555-1111", [1003]),
    ("phone", "2125550000", [1003]),
    ("phone", "416-555-0101", [1004]),
    ("phone", "999-999-9999", []),
    ("ssn", "777888999", [1001]),
    ("ssn", "777-88-8999", [1001]),
    ("ssn", "123-45-6789", [1003]),
    ("email", "JOHN.DOE@example.com", [1001]),
    ("email", "Jane.Roe@Example.com", [1003]),
    ("acct", "ABC123", [1001]),
    ("acct", "abc123", []),
    ("file", "1003", [1003]),
    ("file", "77", []),
])
def test_find_accounts(db, key, value, files):
    with db() as session:
        assert find_accounts(session, key, value) == files


@pytest.mark.parametrize("key, value", [("file", "12a"), ("phone", "n/a"), ("ssn", "--"),
                                        ("name", "Doe"), ("acct", " ")])
def test_find_accounts_rejects_bad_values(db, key, value):
    with db() as session, pytest.raises(ValueError):
        find_accounts(session, key, value)


def test_link_unknown_file_is_acked_and_explained(db):
    """The UI adapter's on_open looks the file up with its own session and raises."""
    opened: queue.Queue[int] = queue.Queue()
    messages: queue.Queue[tuple[int, str]] = queue.Queue()

    def on_open(file_number: int) -> None:
        with db() as session:
            if not find_accounts(session, "file", str(file_number)):
                raise AccountNotFound(file_number)
        opened.put(file_number)

    with DialerLink(on_open, on_message=lambda n, m: messages.put((n, m))) as service:
        client = LineClient(service.port)
        try:
            assert client.ask("CONNECT collect dialer") == "OK"
            assert client.ask("EXECUTE [open(debtor,file,1438)]") == "ACK"
            number, message = messages.get(timeout=2)
            assert number == 1438
            assert "file 1438" in message and "could not be found" in message
            assert "system administrator" in message
            assert client.ask("REQUEST") == "Busy"  # until the collector dismisses it
            service.set_ready()
            assert client.ask("EXECUTE [open(debtor,file,1003)]") == "ACK"
            assert opened.get(timeout=2) == 1003
        finally:
            client.close()


def test_link_without_message_handler_returns_to_ready():
    def on_open(file_number: int) -> None:
        raise AccountNotFound(file_number)

    with DialerLink(on_open) as service:
        client = LineClient(service.port)
        try:
            assert client.ask("CONNECT collect dialer") == "OK"
            assert client.ask("EXECUTE [open(debtor,file,5)]") == "ACK"
            assert client.ask("REQUEST") == "Ready"
        finally:
            client.close()


# --- web predictive dialer --------------------------------------------------


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, context: ssl.SSLContext | None = None) -> tuple[int, dict]:
    opener = _NO_PROXY
    if context is not None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.fixture
def web(db):
    matches: queue.Queue[list[int]] = queue.Queue()
    with WebDialer(db, matches.put, port=0) as server:
        yield SimpleNamespace(server=server, matches=matches, url=server.url)


def test_web_phone_with_and_without_dashes(web):
    for phone in ("5551111222", "555-111-1222"):
        status, body = http_get(f"{web.url}?phone={phone}")
        assert (status, body) == (200, {"found": 2, "files": [1001, 1002]})
        assert web.matches.get(timeout=2) == [1001, 1002]


def test_web_single_match_and_other_keys(web):
    for query, files in [("phone=818-555-1111", [1003]), ("file=1003", [1003]),
                         ("ssn=777-88-8999", [1001]), ("ssn=777888999", [1001]),
                         ("email=John.Doe%40example.com", [1001]), ("acct=XYZ9", [1003])]:
        status, body = http_get(f"{web.url}?{query}")
        assert status == 200 and body["files"] == files, query
        assert web.matches.get(timeout=2) == files


def test_web_unknown_is_404(web):
    status, body = http_get(f"{web.url}?phone=999-999-9999")
    assert status == 404 and body["found"] == 0
    status, _ = http_get(f"http://{LOCAL}:{web.server.port}/other?phone=5551111222")
    assert status == 404
    assert web.matches.empty()


def test_web_lookups_follow_the_operators_account_access(db):
    """A strict, locked-out operator whose desk holds only file 1002: the dialer cannot pop
    (or even reveal the existence of) the other account on the same phone."""
    from collectdesk.engine.access import AccessPolicy
    from collectdesk.models import Debtor

    with db() as session:
        session.get(Debtor, 1002).operator_id = "JC"
        session.commit()
    policy = AccessPolicy("JC", restricted=True, strict=True, locked_out=True,
                          own_ids=frozenset({"JC"}))
    matches: queue.Queue[list[int]] = queue.Queue()
    with WebDialer(db, matches.put, port=0, policy=lambda: policy) as server:
        assert http_get(f"{server.url}?phone=555-111-1222") == (200, {"found": 1, "files": [1002]})
        status, body = http_get(f"{server.url}?file=1001")
        assert status == 404 and body["found"] == 0


@pytest.mark.parametrize("query", ["", "?", "?file=abc", "?name=Doe", "?phone=", "?phone=n/a",
                                   "?phone=5551111222&file=1001", "?phone"])
def test_web_bad_query_is_400(web, query):
    status, body = http_get(f"{web.url}{query}")
    assert status == 400 and body["error"]
    assert web.matches.empty()


def test_web_untrusted_address_is_403(db):
    matches: queue.Queue[list[int]] = queue.Queue()
    with WebDialer(db, matches.put, port=0, bind=LOCAL, trusted_hosts=["10.9.9.9"],
                   trust_loopback=False) as server:
        status, _ = http_get(f"{server.url}?phone=5551111222")
    assert status == 403 and matches.empty()


def test_web_trust_rules(db):
    default = WebDialer(db, print, port=0)
    assert default.bind == "127.0.0.1"
    assert default.is_trusted("127.0.0.1") and default.is_trusted("::1")
    assert not default.is_trusted("192.168.2.50")
    site = WebDialer(db, print, port=0, trusted_hosts=["192.168.2.0/24", "10.1.1.1"])
    assert site.bind == "0.0.0.0"
    assert site.is_trusted("192.168.2.50") and site.is_trusted("10.1.1.1")
    assert site.is_trusted("::ffff:192.168.2.7") and site.is_trusted("127.0.0.1")
    assert not site.is_trusted("10.1.1.2") and not site.is_trusted("garbage")


def test_web_dialer_https(db, self_signed_cert):
    cert, key = self_signed_cert
    matches: queue.Queue[list[int]] = queue.Queue()
    with WebDialer(db, matches.put, port=0, tls=(str(cert), str(key))) as server:
        assert server.url.startswith("https://")
        context = ssl.create_default_context(cafile=str(cert))
        status, body = http_get(f"{server.url}?file=1001", context)
        assert (status, body["files"]) == (200, [1001])
        # a plain-HTTP client gets nothing, and the server keeps serving
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            _NO_PROXY.open(f"http://{LOCAL}:{server.port}/dialer?file=1001", timeout=3).read()
        assert http_get(f"{server.url}?file=1003", context)[0] == 200
    assert matches.get(timeout=2) == [1001]


# --- the predictive dialer session: both connections, one state ------------------------------


def test_web_not_ready_is_503_with_retry_after(db):
    from collectdesk.devices.web_dialer import NotReady

    def refuse(files):
        raise NotReady("busy: an account is open")

    with WebDialer(db, refuse, port=0) as server:
        try:
            _NO_PROXY.open(f"{server.url}?file=1001", timeout=5)
            raise AssertionError("expected a 503")
        except urllib.error.HTTPError as exc:
            assert exc.code == 503 and exc.headers["Retry-After"] == "5"
            assert json.loads(exc.read())["error"] == "busy: an account is open"


def test_web_miss_is_reported(db):
    misses: queue.Queue[tuple[str, str]] = queue.Queue()
    with WebDialer(db, print, port=0, on_miss=lambda k, v: misses.put((k, v))) as server:
        assert http_get(f"{server.url}?FILE=77")[0] == 404
    assert misses.get(timeout=2) == ("file", "77")


def test_site_config(tmp_path):
    from collectdesk.devices.web_dialer import site_config

    assert site_config(tmp_path) == (None, [])
    (tmp_path / "web_dialer.pem").write_text("cert")
    assert site_config(tmp_path)[0] is None  # the key is missing
    (tmp_path / "web_dialer.key").write_text("key")
    (tmp_path / "trusted_hosts.txt").write_text("# the PBX\n192.168.2.154\n\n10.0.0.0/8  # lab\n")
    tls, hosts = site_config(tmp_path)
    assert tls == (str(tmp_path / "web_dialer.pem"), str(tmp_path / "web_dialer.key"))
    assert hosts == ["192.168.2.154", "10.0.0.0/8"]


def predictive(db, tmp_path, **options):
    from collectdesk.devices.predictive_dialer import DialerOptions, PredictiveDialer

    pops: queue.Queue = queue.Queue()
    messages: queue.Queue[str] = queue.Queue()
    service = PredictiveDialer(db, DialerOptions(link_port=0, web_port=0, **options),
                               on_pop=pops.put, on_message=messages.put, config_dir=tmp_path)
    return service, pops, messages


def test_predictive_dialer_states(db, tmp_path):
    service, pops, _ = predictive(db, tmp_path, link=True, web=True)
    assert service.start() == []
    try:
        url = service.web.url
        assert service.state is LinkState.UNAVAILABLE
        assert http_get(f"{url}?file=1001")[0] == 503  # not waiting
        service.waiting(True)
        assert service.state is LinkState.READY
        assert http_get(f"{url}?phone=555-111-1222") == (200, {"found": 2, "files": [1001, 1002]})
        pop = pops.get(timeout=2)
        assert (pop.files, pop.source) == ((1001, 1002), "web dialer")
        assert service.state is LinkState.BUSY
        service.released()  # not opened yet: stays Busy
        assert service.state is LinkState.BUSY
        service.opened()
        client = LineClient(service.link.port)
        try:
            assert client.ask("CONNECT collect dialer") == "OK"
            assert client.ask("EXECUTE [open(debtor,file,1003)]") == "BUSY"
            service.released()
            assert client.ask("REQUEST") == "Ready"
            assert client.ask("EXECUTE [open(debtor,file,1003)]") == "ACK"
            assert pops.get(timeout=2).files == (1003,)
            service.opened()
            service.waiting(False)  # Busy stays Busy until the account closes …
            assert service.state is LinkState.BUSY
            service.released()  # … then, without the waiting screen, Unavailable
            assert client.ask("REQUEST") == "Busy"
            assert service.state is LinkState.UNAVAILABLE
        finally:
            client.close()
    finally:
        service.stop()


def test_predictive_dialer_w2ss_serves_https_with_the_configured_certificate(
        db, tmp_path, self_signed_cert):
    """/W2ss with web_dialer.pem and web_dialer.key in the config folder: HTTPS only."""
    cert, _key = self_signed_cert
    assert cert.parent == tmp_path  # the config folder the service reads
    service, pops, _ = predictive(db, tmp_path, web=True, tls=True, background=True)
    assert service.start() == []
    try:
        assert service.web.url.startswith(f"https://{LOCAL}:")
        context = ssl.create_default_context(cafile=str(cert))
        assert http_get(f"{service.web.url}?phone=555-111-1222", context) == \
            (200, {"found": 2, "files": [1001, 1002]})
        assert pops.get(timeout=2).files == (1001, 1002)
        # the configured certificate is the one served: without it as trusted, no connection
        with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
            http_get(f"{service.web.url}?file=1001", ssl.create_default_context())
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            _NO_PROXY.open(f"http://{LOCAL}:{service.web.port}/dialer?file=1001",
                           timeout=3).read()
    finally:
        service.stop()


def test_predictive_dialer_background_and_problems(db, tmp_path):
    service, pops, _ = predictive(db, tmp_path, web=True, background=True)
    service.start()
    try:
        assert service.state is LinkState.READY
        assert http_get(f"{service.web.url}?file=1001")[0] == 200
        assert http_get(f"{service.web.url}?file=1003")[0] == 200  # Busy still pops (/W2b)
        assert [pops.get(timeout=2).files for _ in range(2)] == [(1001,), (1003,)]
    finally:
        service.stop()
    secure, _, _ = predictive(db, tmp_path, web=True, tls=True)
    problems = secure.start()
    assert secure.web is None and "needs a certificate" in problems[0]
    assert "web_dialer.pem" in problems[0]
