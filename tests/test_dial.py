"""Click-to-dial: UDP, dialstring URLs, protocol handlers, clean-up, call results, `dial`."""

from __future__ import annotations

import datetime as dt
import json
import queue
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from collectdesk.devices.call_results import CallResultNotSaved, record_call_result
from collectdesk.devices.dial_settings import DialSettings, clean_number
from collectdesk.devices.dialing import (
    DialConfigError,
    DialContext,
    DialError,
    Dialer,
    DialMethod,
    DialRefused,
    describe,
    plan_dial,
    prepare_dial,
)
from collectdesk.devices.udp_dialer import authorization_code

LOCAL = "127.0.0.1"


def operator(note2: str = "", note1: str = "", *, softphone: bool = True, op_id: str = "JS"):
    return SimpleNamespace(id=op_id, use_softphone=softphone, note1=note1, note2=note2)


def receive_one(sock: socket.socket) -> str:
    data, _ = sock.recvfrom(4096)
    sock.settimeout(0.2)  # and nothing else arrives
    with pytest.raises(socket.timeout):
        sock.recvfrom(4096)
    return data.decode("ascii")


def assert_nothing_received(sock: socket.socket) -> None:
    sock.settimeout(0.3)
    with pytest.raises(socket.timeout):
        sock.recvfrom(4096)


def dial(op, number, context=None, settings=None, **dialer_kw):
    plan = plan_dial(op, number, context, settings)
    return plan, Dialer(**dialer_kw).dial(plan).result(timeout=5)


# --- UDP -----------------------------------------------------------------


def test_udp_seed_example(udp_receiver):
    port = udp_receiver.getsockname()[1]
    plan, outcome = dial(operator(f"UDP:/{LOCAL}:{port}:452"), "555-123-7777")
    assert outcome.ok, outcome.message
    assert receive_one(udp_receiver) == "452,5551237777"
    assert plan.method is DialMethod.UDP
    assert describe(plan) == f"UDP datagram to {LOCAL}:{port}: 452,5551237777"


def test_udp_authcode_seed_example(udp_receiver):
    port = udp_receiver.getsockname()[1]
    context = DialContext(client_id=24, debtor_id=4585)
    _, outcome = dial(operator(f"UDP:/{LOCAL}:{port}:109#authcode"), "818-555-1111", context)
    assert outcome.ok
    assert receive_one(udp_receiver) == "109,8185551111,002400004585"


def test_udp_authcode_long_numbers_keep_last_digits(udp_receiver):
    port = udp_receiver.getsockname()[1]
    context = DialContext(client_id=1234567, debtor_id=9876543210)
    dial(operator(f"UDP:/{LOCAL}:{port}:109#authcode"), "(818) 555-1111", context)
    assert receive_one(udp_receiver) == "109,8185551111,456776543210"


@pytest.mark.parametrize("context", [None, DialContext(client_id=24), DialContext(debtor_id=4585)])
def test_udp_authcode_left_out_without_an_account(udp_receiver, context):
    port = udp_receiver.getsockname()[1]
    dial(operator(f"UDP:/{LOCAL}:{port}:109#authcode"), "818-555-1111", context)
    assert receive_one(udp_receiver) == "109,8185551111"


def test_udp_without_authcode_option_never_sends_one(udp_receiver):
    port = udp_receiver.getsockname()[1]
    dial(operator(f"UDP:/{LOCAL}:{port}:452"), "555-123-7777", DialContext(client_id=24,
                                                                         debtor_id=4585))
    assert receive_one(udp_receiver) == "452,5551237777"


@pytest.mark.parametrize("template", ["UDP/:{host}:{port};452", "udp/:{host}:{port}:452",
                                      "UDP:/{host}:{port};452"])
def test_udp_other_spelling(udp_receiver, template):
    port = udp_receiver.getsockname()[1]
    dial(operator(template.format(host=LOCAL, port=port)), "555.123.7777")
    assert receive_one(udp_receiver) == "452,5551237777"


def test_udp_number_is_digits_only_even_when_not_digits_only_setting(udp_receiver):
    port = udp_receiver.getsockname()[1]
    dial(operator(f"UDP:/{LOCAL}:{port}:452"), "+1 (555) 123-7777 ",
         settings=DialSettings(dial_digits_only=False))
    assert receive_one(udp_receiver) == "452,15551237777"


@pytest.mark.parametrize("note2, fragment", [
    ("UDP:/{host}:452", "missing the port or the extension"),
    ("UDP:/{host}:abc:452", "port 'abc' is not a number"),
    ("UDP:/{host}::452", "has no port"),
    ("UDP:/{host}:99999:452", "not a number from 1 to 65535"),
    ("UDP:/:{port}:452", "has no IP address"),
    ("UDP:/{host}:{port}:", "has no extension"),
    ("UDP:/{host}:{port}:452#pin", "unknown option #pin"),
    ("UDP:/{host}:{port}:452#", "'#' must be followed by authcode"),
    ("UDP:{host}:{port}:452", "does not start with UDP:/ or UDP/:"),
    ("UDP/:{host}", "has no port"),
    ("UDP:/{host}:{port}:4,52", "may not contain"),
])
def test_malformed_udp_note_sends_nothing(udp_receiver, note2, fragment):
    port = udp_receiver.getsockname()[1]
    text = note2.format(host=LOCAL, port=port)
    with pytest.raises(DialConfigError) as err:
        dial(operator(text), "555-123-7777")
    assert fragment in str(err.value)
    assert "Note 2" in str(err.value)
    assert_nothing_received(udp_receiver)


def test_authorization_code_rule():
    assert authorization_code(24, 4585) == "002400004585"
    assert authorization_code(123456, 123456789) == "345623456789"
    assert authorization_code("0024", "4585") == "002400004585"
    assert authorization_code(None, 4585) is None
    assert authorization_code(24, None) is None
    assert len(authorization_code(1, 1)) == 12


def test_udp_send_failure_is_reported_not_raised():
    def broken(host, port, payload):
        raise OSError(101, "Network is unreachable")

    _, outcome = dial(operator("UDP:/10.255.255.1:1544:452"), "555-123-7777",
                      send_datagram=broken)
    assert not outcome.ok
    assert "10.255.255.1:1544" in outcome.message and "unreachable" in outcome.message


# --- protocol handlers, tel:, reports -------------------------------------


def test_protocol_prefix_goes_to_desktop_handler():
    opened = []
    plan, outcome = dial(operator("sip:"), "555-123-7777",
                         open_url=lambda u: opened.append(u) or True,
                         settings=DialSettings(dial_digits_only=True))
    assert opened == ["sip:5551237777"]
    assert outcome.ok
    assert describe(plan) == "Open sip:5551237777 with the desktop's sip: handler"


@pytest.mark.parametrize("note2, url", [
    ("tel:", "tel:555-123-7777"),
    ("callto://", "callto://555-123-7777"),
    ("skype:@phone?call", "skype:555-123-7777?call"),
])
def test_other_protocol_prefixes(note2, url):
    opened = []
    dial(operator(note2), "555-123-7777", open_url=lambda u: opened.append(u) or True)
    assert opened == [url]


@pytest.mark.parametrize("op", [operator("sip:", softphone=False), operator("")])
def test_default_is_system_tel_handler(op):
    opened = []
    plan, _ = dial(op, "(555) 123-7777", open_url=lambda u: opened.append(u) or True)
    assert plan.method is DialMethod.TEL
    assert opened == ["tel:(555)123-7777"]
    assert "system tel: handler" in describe(plan)


def test_missing_protocol_handler_is_reported():
    _, outcome = dial(operator("sip:"), "555-123-7777", open_url=lambda u: False)
    assert not outcome.ok and "sip:" in outcome.message


def test_unrecognised_note2_is_a_config_error():
    with pytest.raises(DialConfigError, match="not a protocol prefix"):
        plan_dial(operator("dial please"), "555-123-7777")


def test_report_hook_gets_name_and_context():
    ran = []
    context = DialContext(client_id=24, debtor_id=4585)
    plan, outcome = dial(operator("report:dialer_report"), "555-123-7777", context,
                         run_report=lambda name, ctx: ran.append((name, ctx)))
    assert outcome.ok
    assert ran[0][0] == "dialer_report"
    assert ran[0][1].debtor_id == 4585 and ran[0][1].phone == "555-123-7777"
    assert describe(plan) == "Run report 'dialer_report' to dial 555-123-7777"


def test_report_placeholder_fails_loudly():
    _, outcome = dial(operator("Report:dialer_report"), "555-123-7777")
    assert not outcome.ok and "report writer is not available" in outcome.message
    with pytest.raises(DialConfigError, match="names no report"):
        plan_dial(operator("report:"), "555-123-7777")


def test_contact_controls_can_refuse_and_nothing_is_sent():
    opened = []
    plan = plan_dial(operator("sip:"), "555-123-7777")
    dialer = Dialer(open_url=lambda u: opened.append(u) or True,
                    check_contact_controls=lambda ctx: (False, "Outside legal calling hours."))
    with pytest.raises(DialRefused, match="legal calling hours"):
        dialer.dial(plan)
    assert opened == []


def test_no_digits_is_an_error():
    with pytest.raises(DialError, match="no digits"):
        plan_dial(operator("sip:"), "n/a")


# --- number clean-up -------------------------------------------------------


@pytest.mark.parametrize("number, settings, expected", [
    ("555-123-7777", DialSettings(), "555-123-7777"),
    ("(555) 123-7777 x12", DialSettings(), "(555)123-7777"),
    ("(555) 123-7777", DialSettings(dial_digits_only=True), "5551237777"),
    ("555-123-7777", DialSettings(local_area_code="555"), "1237777"),
    ("1-555-123-7777", DialSettings(local_area_code="555"), "1237777"),
    ("818-555-1111", DialSettings(local_area_code="555", long_distance_prefix="1"), "18185551111"),
    ("1-818-555-1111", DialSettings(local_area_code="555", long_distance_prefix="9"),
     "98185551111"),
    ("818-555-1111", DialSettings(local_area_code="555"), "818-555-1111"),
    ("818-555-1111", DialSettings(long_distance_prefix="1"), "18185551111"),
    ("123-7777", DialSettings(local_area_code="555", long_distance_prefix="1"), "123-7777"),
    ("+44 20 7946 0958", DialSettings(long_distance_prefix="1", dial_digits_only=True),
     "442079460958"),
])
def test_clean_number(number, settings, expected):
    assert clean_number(number, settings) == expected


def test_settings_operator_overrides_system():
    system = SimpleNamespace(prompt_before_dialing=True, dial_digits_only=False,
                             long_distance_prefix="1", local_area_code="555")
    own = SimpleNamespace(prompt_before_dialing=False, dial_digits_only=None,
                          long_distance_prefix=None, local_area_code="818")
    merged = DialSettings.merged(system, own)
    assert merged == DialSettings(prompt_before_dialing=False, dial_digits_only=False,
                                  long_distance_prefix="1", local_area_code="818")


# --- dialstring URLs over real HTTP ----------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.requests.put(self.path)
        body = b"Response=Success\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def phone_http():
    server = ThreadingHTTPServer((LOCAL, 0), _Recorder)
    server.requests = queue.Queue()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def write_dialstring(config, name, url):
    folder = config / "dialstrings"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(url + "\n", encoding="utf-8")


def test_grandstream_dialstring(tmp_path, phone_http):
    port = phone_http.server_address[1]
    write_dialstring(tmp_path, "global.dialstring",
                     "http://@user/cgi-bin/api-make_call"
                     "?phonenumber=@phone&account=0&password=@pass")
    op = operator("global.dialstring", f"{LOCAL}:{port}&admin")
    plan = plan_dial(op, "555-123-7777", settings=DialSettings(dial_digits_only=True),
                     config_dir=tmp_path)
    assert describe(plan) == (
        f"HTTP GET http://{LOCAL}:{port}/cgi-bin/api-make_call?phonenumber=5551237777"
        f"&account=0&password=**** (from {tmp_path / 'dialstrings' / 'global.dialstring'})")
    assert "admin" in describe(plan, reveal_secrets=True)
    outcome = Dialer(http_timeout=2).dial(plan).result(timeout=5)
    assert outcome.ok, outcome.message
    path = phone_http.requests.get(timeout=2)
    parts = urllib.parse.urlsplit(path)
    assert parts.path == "/cgi-bin/api-make_call"
    assert urllib.parse.parse_qs(parts.query) == {
        "phonenumber": ["5551237777"], "account": ["0"], "password": ["admin"]}
    assert f"{LOCAL}:{port}" in outcome.message


def test_yealink_dialstring(tmp_path, phone_http):
    port = phone_http.server_address[1]
    write_dialstring(tmp_path, "global.dialstring",
                     "http://@user/servlet?key=number=@phone&outgoing_uri=@pass")
    op = operator("global.dialstring", f"{LOCAL}:{port}&2011")
    plan = plan_dial(op, "818-555-1111", settings=DialSettings(dial_digits_only=True),
                     config_dir=tmp_path)
    outcome = Dialer(http_timeout=2).dial(plan).result(timeout=5)
    assert outcome.ok, outcome.message
    path = phone_http.requests.get(timeout=2)
    assert path == "/servlet?key=number=8185551111&outgoing_uri=2011"


def test_password_with_url_characters_is_encoded(tmp_path, phone_http):
    port = phone_http.server_address[1]
    write_dialstring(tmp_path, "global.dialstring",
                     "http://@user/cgi-bin/api-make_call?phonenumber=@phone&password=@pass")
    op = operator("global.dialstring", f"{LOCAL}:{port}&p&ss#1 @phone")
    plan = plan_dial(op, "5551237777", config_dir=tmp_path)
    Dialer(http_timeout=2).dial(plan).result(timeout=5)
    query = urllib.parse.urlsplit(phone_http.requests.get(timeout=2)).query
    assert urllib.parse.parse_qs(query)["password"] == ["p&ss#1 @phone"]


@pytest.mark.parametrize("note2", [".dialstring", "JS.dialstring", "js.dialstring",
                                   "own.dialstring"])
def test_operator_own_dialstring_first(tmp_path, phone_http, note2):
    port = phone_http.server_address[1]
    write_dialstring(tmp_path, "global.dialstring", f"http://{LOCAL}:{port}/global?n=@phone")
    write_dialstring(tmp_path, "js.dialstring",
                     f"http://{LOCAL}:{port}/cgi-bin/api-make_call?phonenumber=@phone"
                     "&account=@user&password=@pass")
    plan = plan_dial(operator(note2, "0&admin"), "5551237777", config_dir=tmp_path)
    assert plan.source.endswith("js.dialstring")
    Dialer(http_timeout=2).dial(plan).result(timeout=5)
    assert phone_http.requests.get(timeout=2) == (
        "/cgi-bin/api-make_call?phonenumber=5551237777&account=0&password=admin")


def test_dialstring_falls_back_to_global(tmp_path):
    write_dialstring(tmp_path, "GLOBAL.dialstring", f"http://{LOCAL}:9/g?n=@phone")
    plan = plan_dial(operator("JS.dialstring"), "5551237777", config_dir=tmp_path)
    assert plan.source.endswith("GLOBAL.dialstring")
    plan = plan_dial(operator("team.dialstring"), "5551237777", config_dir=tmp_path)
    assert plan.target == f"http://{LOCAL}:9/g?n=5551237777"


def test_missing_dialstring_file_is_a_config_error(tmp_path):
    with pytest.raises(DialConfigError) as err:
        plan_dial(operator("team.dialstring"), "5551237777", config_dir=tmp_path)
    assert "team.dialstring then global.dialstring" in str(err.value)
    with pytest.raises(DialConfigError, match="not a path"):
        plan_dial(operator("../x.dialstring"), "5551237777", config_dir=tmp_path)


def test_dialstring_needing_user_without_note1(tmp_path):
    write_dialstring(tmp_path, "global.dialstring", "http://@user/servlet?n=@phone")
    with pytest.raises(DialConfigError, match="Note 1 is empty"):
        plan_dial(operator("global.dialstring"), "5551237777", config_dir=tmp_path)


def test_unreachable_dialer_closed_port(tmp_path):
    probe = socket.socket()
    probe.bind((LOCAL, 0))
    port = probe.getsockname()[1]
    probe.close()
    write_dialstring(tmp_path, "global.dialstring", "http://@user/servlet?n=@phone")
    plan = plan_dial(operator("global.dialstring", f"{LOCAL}:{port}&x"), "5551237777",
                     config_dir=tmp_path)
    outcome = Dialer(http_timeout=2).dial(plan).result(timeout=5)
    assert not outcome.ok
    assert f"Dialer at {LOCAL}:{port}" in outcome.message
    assert "refused" in outcome.message


def test_silent_dialer_times_out_in_the_background(tmp_path):
    silent = socket.socket()
    silent.bind((LOCAL, 0))
    silent.listen(5)  # accepts connections at the kernel level, never answers
    port = silent.getsockname()[1]
    try:
        write_dialstring(tmp_path, "global.dialstring", "http://@user/servlet?n=@phone")
        plan = plan_dial(operator("global.dialstring", f"{LOCAL}:{port}&x"), "5551237777",
                         config_dir=tmp_path)
        done = []
        caller = threading.current_thread()
        started = time.monotonic()
        future = Dialer(http_timeout=0.5).dial(
            plan, on_done=lambda o: done.append((o, threading.current_thread())))
        assert time.monotonic() - started < 0.2  # the caller (the window) is not held up
        assert not future.done()
        outcome = future.result(timeout=5)
        assert not outcome.ok
        assert outcome.message == (
            f"Dialer at {LOCAL}:{port} did not answer within 0.5 s (timed out).")
        assert done and done[0][0] is outcome and done[0][1] is not caller
    finally:
        silent.close()


# --- database: prepare_dial, call results, `collectdesk dial` --------------


@pytest.fixture
def db(tmp_path):
    from collectdesk.db import make_engine, session_factory
    from collectdesk.models import Base, Client, Debtor, Operator

    url = f"sqlite:///{tmp_path / 'dial.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = session_factory(engine)
    with factory() as session:
        session.add(Client(id=24, name="Acme Lending"))
        session.add(Client(id=1234567, name="Big Bank"))
        session.flush()
        session.add(Debtor(id=4585, client_id=24, name="Doe, John", status="ACT"))
        session.add(Debtor(id=9876543210, client_id=1234567, name="Roe, Jane", status="PP"))
        session.add(Operator(id="JS", name="Jo Smith", use_softphone=True, note2="", note1=""))
        session.commit()
    yield SimpleNamespace(url=url, factory=factory, path=tmp_path)
    engine.dispose()


def set_note2(db, note2, note1=""):
    from collectdesk.models import Operator

    with db.factory() as session:
        op = session.get(Operator, "JS")
        op.note2, op.note1 = note2, note1
        session.commit()


def test_prepare_dial_uses_the_account_client(db, udp_receiver):
    port = udp_receiver.getsockname()[1]
    set_note2(db, f"UDP:/{LOCAL}:{port}:109#authcode")
    with db.factory() as session:
        plan = prepare_dial(session, "JS", "818-555-1111", debtor_id=4585)
    assert plan.payload == "109,8185551111,002400004585"
    with db.factory() as session:
        with pytest.raises(DialError, match="Operator 'XX'"):
            prepare_dial(session, "XX", "818-555-1111")
        with pytest.raises(DialError, match="File 77"):
            prepare_dial(session, "JS", "818-555-1111", debtor_id=77)


def test_prepare_dial_applies_preferences(db):
    from collectdesk.models import Preferences

    set_note2(db, "sip:")
    with db.factory() as session:
        session.add(Preferences(operator_id=None, dial_digits_only=True, local_area_code="555",
                                prompt_before_dialing=True))
        session.add(Preferences(operator_id="JS", prompt_before_dialing=False))
        session.commit()
        plan = prepare_dial(session, "JS", "555-123-7777")
    assert plan.target == "sip:1237777"
    assert plan.prompt_before_dialing is False


def test_record_call_result(db):
    from collectdesk.models import Contact, ContactType, Note

    moment = dt.datetime(2024, 5, 6, 10, 30)
    with db.factory() as session:
        saved = record_call_result(session, 4585, "555-123-7777", 4, "JS",
                                   "Spoke to debtor. Verified right party.", now=moment)
    with db.factory() as session:
        contact = session.get(Contact, saved.contact_id)
        note = session.get(Note, saved.note_id)
    assert contact.type == ContactType.PHONE.value and contact.done
    assert contact.call_result == 4 and contact.operator_id == "JS"
    assert contact.debtor_id == 4585 and contact.completed_at == moment
    assert note.text == "Called 555-123-7777: 4 Spoke to debtor. Verified right party."
    assert note.status == "ACT" and note.operator_id == "JS" and note.noted_at == moment


def test_record_call_result_unknown_file_writes_nothing(db):
    from collectdesk.models import Contact, Note

    with db.factory() as session:
        with pytest.raises(CallResultNotSaved, match="File 77"):
            record_call_result(session, 77, "555-123-7777", 4, "JS", "x")
        assert session.scalars(select(Contact)).all() == []
        assert session.scalars(select(Note)).all() == []


def test_dial_command_dry_run_json(db, udp_receiver, capsys):
    from collectdesk.commands import run

    port = udp_receiver.getsockname()[1]
    set_note2(db, f"UDP:/{LOCAL}:{port}:109#authcode")
    code = run(["dial", "--db", db.url, "--operator", "JS", "--file", "9876543210",
                "818-555-1111", "--dry-run", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["method"] == "udp" and result["dry_run"] is True
    assert result["payload"] == "109,8185551111,456776543210"
    assert result["description"] == f"UDP datagram to {LOCAL}:{port}: 109,8185551111,456776543210"
    assert_nothing_received(udp_receiver)


def test_dial_command_from_a_client_or_a_cosigner_is_the_forms_dial(db, udp_receiver, capsys):
    """--client N and --cosigner N: exactly what the phone icon on that form sends."""
    from collectdesk.commands import run
    from collectdesk.models import Cosigner

    with db.factory() as session:
        session.add(Cosigner(id=7, debtor_id=9876543210, name="Roe, Jim"))
        session.add(Cosigner(id=8, client_id=24, name="Lee, Ann"))  # a client's associate
        session.commit()
    port = udp_receiver.getsockname()[1]
    set_note2(db, f"UDP:/{LOCAL}:{port}:109#authcode")

    def dry_run(*where: str) -> dict:
        assert run(["dial", "--db", db.url, "--operator", "JS", *where, "818-555-1111",
                    "--dry-run", "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    on_client = dry_run("--client", "24")  # no account: the authorization code is left out
    assert on_client["payload"] == "109,8185551111"
    assert (on_client["client_id"], on_client["debtor_id"]) == (24, None)
    on_cosigner = dry_run("--cosigner", "7")  # the cosigner's account is in context
    assert on_cosigner["payload"] == "109,8185551111,456776543210"
    assert (on_cosigner["debtor_id"], on_cosigner["cosigner_id"]) == (9876543210, 7)
    with db.factory() as session:  # the same plan the Cosigner form makes
        plan = prepare_dial(session, "JS", "818-555-1111", debtor_id=9876543210, cosigner_id=7)
    assert plan.as_dict() == {k: v for k, v in on_cosigner.items()
                              if k not in ("operator", "dry_run", "ok", "message",
                                           "contact_controls")}
    associate = dry_run("--cosigner", "8")
    assert associate["payload"] == "109,8185551111" and associate["client_id"] == 24
    assert_nothing_received(udp_receiver)

    for where, error in ((["--cosigner", "99"], "Cosigner 99 could not be found"),
                         (["--client", "99"], "Client 99 could not be found")):
        assert run(["dial", "--db", db.url, "--operator", "JS", *where, "818-555-1111"]) == 1
        assert error in capsys.readouterr().err


def test_dial_command_sends(db, udp_receiver, capsys):
    from collectdesk.commands import run

    port = udp_receiver.getsockname()[1]
    set_note2(db, f"UDP:/{LOCAL}:{port}:452")
    assert run(["dial", "--db", db.url, "--operator", "JS", "555-123-7777", "--json"]) == 0
    assert receive_one(udp_receiver) == "452,5551237777"
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_dial_command_errors_are_one_line(db, capsys):
    from collectdesk.commands import run

    set_note2(db, "UDP:/127.0.0.1:abc:452")
    assert run(["dial", "--db", db.url, "--operator", "JS", "555-123-7777"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("collectdesk dial: Note 2") and "\n" not in err
    assert run(["dial", "--db", db.url, "--operator", "NOBODY", "555-123-7777"]) == 1
    assert "Operator 'NOBODY' does not exist" in capsys.readouterr().err


def test_dial_command_refuses_an_account_the_operator_may_not_see(db, udp_receiver, capsys):
    """Account access control: a restricted operator dials only accounts they may see."""
    from collectdesk.commands import run
    from collectdesk.engine.audit import ACCESS_REFUSED
    from collectdesk.models import AuditEntry, Debtor, DebtorDetail, Operator

    port = udp_receiver.getsockname()[1]
    set_note2(db, f"UDP:/{LOCAL}:{port}:109#authcode")
    with db.factory() as session:
        session.get(Operator, "JS").enable_security = True
        session.get(Debtor, 4585).detail = DebtorDetail(access_id="SC")  # SC's account
        session.get(Debtor, 9876543210).operator_id = "JS"  # JS's own
        session.commit()

    for dry_run in ([], ["--dry-run"]):
        assert run(["dial", "--db", db.url, "--operator", "JS", "--file", "4585",
                    "818-555-1111", "--json", *dry_run]) == 1
        captured = capsys.readouterr()
        assert captured.err.strip() == ("collectdesk dial: Operator JS may not see file 4585 "
                                        "(account access control); nothing was dialed.")
        assert captured.out == ""
    assert_nothing_received(udp_receiver)
    with db.factory() as session:
        audited = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.event == ACCESS_REFUSED)).all()
    assert audited == ["file 4585: dial refused"] * 2

    assert run(["dial", "--db", db.url, "--operator", "JS", "--file", "9876543210",
                "818-555-1111", "--json"]) == 0  # their own account goes out
    assert receive_one(udp_receiver) == "109,8185551111,456776543210"
    assert json.loads(capsys.readouterr().out)["ok"] is True


def refuse_calls(context):
    return False, f"Contact controls: file {context.debtor_id} may not be called after 9 PM."


def test_dial_command_goes_through_the_contact_controls(db, udp_receiver, capsys, monkeypatch):
    """A refused call is not sent; --override sends it only for an operator excluded from call
    contact controls, as the GUI's "Dial anyway?" does."""
    from collectdesk.commands import run
    from collectdesk.devices import dialing
    from collectdesk.models import Operator

    monkeypatch.setattr(dialing, "check_contact_controls", refuse_calls)
    port = udp_receiver.getsockname()[1]
    set_note2(db, f"UDP:/{LOCAL}:{port}:452")
    dial = ["dial", "--db", db.url, "--operator", "JS", "--file", "4585", "555-123-7777",
            "--json"]

    assert run(dial) == 1
    captured = capsys.readouterr()
    assert "may not be called after 9 PM. Nothing was sent (--override" in captured.err
    result = json.loads(captured.out)
    assert result["ok"] is False and result["contact_controls"] == {
        "allowed": False, "overridden": False,
        "message": "Contact controls: file 4585 may not be called after 9 PM."}
    assert run([*dial, "--override"]) == 1  # JS is not excluded from call contact controls
    assert "JS is not excluded from call contact controls" in capsys.readouterr().err
    assert run([*dial, "--dry-run"]) == 1  # a dry run refuses the same
    capsys.readouterr()
    assert_nothing_received(udp_receiver)

    with db.factory() as session:
        session.get(Operator, "JS").exclude_cc_call = True
        session.commit()
    assert run(dial) == 1  # excluded, but without --override: still refused
    capsys.readouterr()
    assert_nothing_received(udp_receiver)
    assert run([*dial, "--override"]) == 0
    assert receive_one(udp_receiver) == "452,5551237777"
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True and result["contact_controls"]["overridden"] is True


def test_dial_command_reports_unreachable_dialstring(db, capsys):
    from collectdesk.commands import run

    probe = socket.socket()
    probe.bind((LOCAL, 0))
    port = probe.getsockname()[1]
    probe.close()
    config = db.path / "config"
    write_dialstring(config, "global.dialstring", "http://@user/servlet?n=@phone&p=@pass")
    set_note2(db, "global.dialstring", f"{LOCAL}:{port}&secret")
    assert run(["dial", "--db", db.url, "--operator", "JS", "--config", str(config),
                "--timeout", "1", "555-123-7777"]) == 1
    err = capsys.readouterr().err
    assert f"Dialer at {LOCAL}:{port} could not be reached" in err and "secret" not in err


def test_devices_never_import_qt():
    import subprocess
    import sys

    code = ("import sys, collectdesk.devices.dialing, collectdesk.devices.dialer_link, "
            "collectdesk.devices.web_dialer, collectdesk.devices.call_results, "
            "collectdesk.devices.predictive_dialer, collectdesk.devices.account_lookup, "
            "collectdesk.commands.dial; "
            "import collectdesk.engine.browse; "
            "assert not [m for m in sys.modules if m.startswith('PySide6')]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
