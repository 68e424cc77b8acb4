"""Predictive dialer and click-to-dial end to end: real sockets on 127.0.0.1, the real window.

The dialer link (/z) and the web listener (/W2, /W2b) pop accounts on the GUI thread;
the state goes Busy while a popped page is open and Ready when it closes.  Dialing
from a phone field prompts, sends, then records the call result; an unreachable
dialer times out with a clear message while the window keeps working.  The
Operator form's Test Dial shows exactly what would be sent.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt, QTimer
from sqlalchemy import select

from collectdesk import db
from collectdesk.devices.dialer_link import LinkState
from collectdesk.engine.passwords import hash_password
from collectdesk.engine.records import phone_digits
from collectdesk.models import Contact, ContactType, Debtor, Note, Operator, Phone
from collectdesk.startup import parse_flags
from collectdesk.ui import app as app_module
from collectdesk.ui import dialer_page
from collectdesk.ui.browse_page import BrowsePage
from collectdesk.ui.dialer_page import WaitingPage
from collectdesk.ui.forms.editors import PhoneEditor
from collectdesk.ui.record_page import RecordPage
from collectdesk.ui.testing import make_database

LOCAL = "127.0.0.1"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_database(tmp_path_factory.mktemp("dialer") / "template.db", debtors=6)


@pytest.fixture
def database(template, tmp_path):
    path = tmp_path / "dialer.db"
    shutil.copy(template, path)
    return str(path)


@pytest.fixture
def other_session(database):
    engine = db.make_engine(database)
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


@pytest.fixture
def start(qtbot, database, answers, monkeypatch):
    """Start the program with extra startup flags; the dialer ports are free ones."""
    windows = []
    monkeypatch.setenv("COLLECTDESK_DIALER_LINK_PORT", "0")

    def run(*flags: str, user: str = "SYS", password: str = "sys", web_port: int = 0):
        settings = parse_flags([f"/db{database}", f"/i{user}", f"/p{password}", "/s", "/m", *flags])
        settings = dataclasses.replace(settings, web_port=web_port)  # /S; 0 is a free port
        w = app_module.start(settings).window
        assert w is not None
        qtbot.addWidget(w)
        windows.append(w)
        return w

    yield run
    for w in windows:
        for page in reversed(w.pages()):
            if isinstance(page, RecordPage):
                page._closing = True
        w.close()
    dialer_page.shutdown()


class LineClient:
    """The predictive dialer's side of the link: one line out, one line in."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((LOCAL, port), timeout=5)
        self.file = self.sock.makefile("rb")

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode("ascii") + b"\r\n")

    def read(self) -> str:
        return self.file.readline().decode("ascii").rstrip("\r\n")

    def ask(self, line: str) -> str:
        self.send(line)
        return self.read()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str) -> tuple[int, dict]:
    try:
        with _NO_PROXY.open(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def debtor_ids(session) -> list[int]:
    return list(session.scalars(select(Debtor.id).order_by(Debtor.id)))


def wait_for_debtor(qtbot, window, file_number: int) -> RecordPage:
    def shown() -> bool:
        page = window.current_page()
        return isinstance(page, RecordPage) and page.record is not None \
            and page.record_key() == file_number
    qtbot.waitUntil(shown, timeout=5000)
    return window.current_page()


def wait_state(qtbot, adapter, state: LinkState) -> None:
    qtbot.waitUntil(lambda: adapter.state is state, timeout=5000)


# -- the dialer link (/z) -------------------------------------------------------------------------

def test_dialer_link_pops_the_debtor_busy_then_ready_on_ok(qtbot, start, answers, other_session):
    window = start("/z")
    adapter = window.predictive
    assert adapter.service.link_running
    assert adapter.state is LinkState.UNAVAILABLE  # not waiting yet
    file_number = debtor_ids(other_session)[2]
    client = LineClient(adapter.service.link.port)
    try:
        assert client.ask("CONNECT collect dialer") == "OK"
        assert client.ask("REQUEST") == "Busy"
        assert client.ask(f"EXECUTE [open(debtor,file,{file_number})]") == "NOTPROCESSED"

        window.command("PredictiveDialer").action.trigger()  # Tools > Predictive Dialer
        assert isinstance(window.current_page(), WaitingPage)
        assert client.ask("REQUEST") == "Ready"
        assert client.ask("ADVISE") == "OK"

        # malformed commands are not processed, and change nothing
        for bad in ("EXECUTE [open(debtor,file,abc)]", "EXECUTE open(debtor,file,1)",
                    "EXECUTE [open(creditor,file,1)]", "FETCH 1"):
            assert client.ask(bad) == "NOTPROCESSED", bad
        assert adapter.state is LinkState.READY

        assert client.ask(f"EXECUTE [open(debtor,file,{file_number})]") == "ACK"
        assert client.read() == "Busy"  # pushed (advise)
        page = wait_for_debtor(qtbot, window, file_number)
        assert adapter.state is LinkState.BUSY
        assert client.ask("REQUEST") == "Busy"
        assert client.ask(f"EXECUTE [open(debtor,file,{file_number})]") == "BUSY"

        page.ok()  # the collector closes the debtor with OK
        assert client.read() == "Ready"
        wait_state(qtbot, adapter, LinkState.READY)
        assert isinstance(window.current_page(), WaitingPage)
        assert client.ask("REQUEST") == "Ready"
        assert any(f"file {file_number}" in e for e in adapter.events)
    finally:
        client.close()


def test_dialer_link_unknown_file_shows_a_clear_message(qtbot, start, answers):
    window = start("/z")
    adapter = window.predictive
    window.open_dialer_wait()
    client = LineClient(adapter.service.link.port)
    try:
        assert client.ask("CONNECT collect dialer") == "OK"
        assert client.ask("EXECUTE [open(debtor,file,987654)]") == "ACK"  # DDE_FACK: received
        qtbot.waitUntil(lambda: "987654" in answers.texts(), timeout=5000)
        text = answers.texts()
        assert "file 987654" in text and "could not be found" in text
        assert "system administrator" in text
        wait_state(qtbot, adapter, LinkState.READY)  # the message was dismissed
        assert isinstance(window.current_page(), WaitingPage)
        assert client.ask("REQUEST") == "Ready"
    finally:
        client.close()


# -- the web listener (/W2, /W2b) -----------------------------------------------------------------

def test_web_dialer_pops_one_account_and_lists_several(qtbot, start, answers, other_session):
    ids = debtor_ids(other_session)
    first = other_session.get(Debtor, ids[1])
    number = first.home_phone
    window = start("/W2")
    adapter = window.predictive
    web = adapter.service.web
    assert web is not None and web.bind == LOCAL

    quoted = urllib.parse.quote(number)  # "(503) 555-1001" as the dialer sends it
    status, body = http_get(f"{web.url}?phone={quoted}")
    assert status == 503 and "not waiting" in body["error"]  # Tools > Predictive Dialer first

    window.open_dialer_wait()
    wait_state(qtbot, adapter, LinkState.READY)
    status, body = http_get(f"{web.url}?phone={phone_digits(number)}")
    assert (status, body["files"]) == (200, [ids[1]])
    page = wait_for_debtor(qtbot, window, ids[1])
    assert adapter.state is LinkState.BUSY
    assert http_get(f"{web.url}?phone={quoted}")[0] == 503  # busy: the dialer retries
    page.ok()
    wait_state(qtbot, adapter, LinkState.READY)
    assert isinstance(window.current_page(), WaitingPage)

    # the same number on a second account: the list of matches
    other_session.add(Phone(debtor_id=ids[4], kind="cell", number=number,
                            digits=phone_digits(number)))
    other_session.commit()
    status, body = http_get(f"{web.url}?phone={quoted}")
    assert (status, body["found"]) == (200, 2)
    qtbot.waitUntil(lambda: isinstance(window.current_page(), BrowsePage), timeout=5000)
    found = window.current_page()
    assert "Accounts Found (2)" in found.title()
    assert adapter.state is LinkState.BUSY
    window.close_page(found)
    wait_state(qtbot, adapter, LinkState.READY)

    # nothing matches, or the request is malformed: no pop, the dialer is told
    status, _ = http_get(f"{web.url}?file=987654")
    assert status == 404
    qtbot.waitUntil(lambda: any("file 987654" in e for e in adapter.events), timeout=5000)
    assert "matches no account" in adapter.events[-1]
    for bad in ("?phone=", "?phone=n/a", "?name=Doe", "?file=12a"):
        assert http_get(f"{web.url}{bad}")[0] == 400, bad
    assert isinstance(window.current_page(), WaitingPage)
    assert adapter.state is LinkState.READY


def test_secure_web_dialer_pops_over_https_with_the_configured_certificate(
        qtbot, start, other_session, self_signed_cert):
    """/W2ss: the certificate and key in the config folder; the dialer's GET over HTTPS pops
    the account on the waiting screen."""
    import ssl

    config = db.data_dir() / "config"
    config.mkdir(parents=True, exist_ok=True)
    for made in self_signed_cert:
        shutil.copy(made, config / made.name)
    file_number = debtor_ids(other_session)[2]
    window = start("/W2ss")
    adapter = window.predictive
    web = adapter.service.web
    assert web is not None and web.url.startswith(f"https://{LOCAL}:")
    window.open_dialer_wait()
    wait_state(qtbot, adapter, LinkState.READY)
    trusted = ssl.create_default_context(cafile=str(self_signed_cert[0]))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=trusted))
    with opener.open(f"{web.url}?file={file_number}", timeout=5) as response:
        assert (response.status, json.loads(response.read())["files"]) == (200, [file_number])
    page = wait_for_debtor(qtbot, window, file_number)
    assert adapter.state is LinkState.BUSY
    page.ok()
    wait_state(qtbot, adapter, LinkState.READY)


def test_web_dialer_background_pops_without_the_waiting_screen(qtbot, start, other_session):
    ids = debtor_ids(other_session)
    window = start("/W2b")
    adapter = window.predictive
    assert adapter.state is LinkState.READY  # always on
    assert not any(isinstance(p, WaitingPage) for p in window.pages())
    status, _ = http_get(f"{adapter.service.web.url}?file={ids[0]}")
    assert status == 200
    page = wait_for_debtor(qtbot, window, ids[0])
    assert adapter.state is LinkState.BUSY
    window.close_page(page)
    wait_state(qtbot, adapter, LinkState.READY)


def test_both_connections_share_one_state(qtbot, start, other_session):
    ids = debtor_ids(other_session)
    window = start("/z", "/W2")
    adapter = window.predictive
    window.open_dialer_wait()
    client = LineClient(adapter.service.link.port)
    try:
        assert client.ask("CONNECT collect dialer") == "OK"
        assert http_get(f"{adapter.service.web.url}?file={ids[0]}")[0] == 200
        page = wait_for_debtor(qtbot, window, ids[0])
        assert client.ask("REQUEST") == "Busy"
        assert client.ask(f"EXECUTE [open(debtor,file,{ids[1]})]") == "BUSY"
        page.ok()
        wait_state(qtbot, adapter, LinkState.READY)
        assert client.ask("REQUEST") == "Ready"
    finally:
        client.close()


def test_dial_operator_lands_on_the_waiting_screen(qtbot, start, other_session):
    other_session.add(Operator(id="DIAL", name="Dee Dialer", type="DIAL OPERATOR", user_level=10,
                               password_hash=hash_password("dial"), must_set_password=False))
    other_session.commit()
    window = start("/z", user="DIAL", password="dial")
    page = window.current_page()
    assert isinstance(page, WaitingPage)
    assert not page.stop_button.isVisibleTo(page)
    assert window.predictive.state is LinkState.READY
    assert "listening on 127.0.0.1" in page.connection_labels["Dialer link"].text()
    window.escape()  # Esc does not take a dial operator off the waiting screen
    assert window.current_page() is page and window.predictive.state is LinkState.READY


def test_port_in_use_is_reported(qtbot, start, answers):
    taken = socket.socket()
    taken.bind((LOCAL, 0))
    taken.listen(1)
    try:
        window = start("/W2", web_port=taken.getsockname()[1])
        adapter = window.predictive
        assert adapter.service.web is None
        assert "already in use" in adapter.service.problems[0]
        qtbot.waitUntil(lambda: "already in use" in answers.texts(), timeout=3000)
    finally:
        taken.close()


# -- click-to-dial -------------------------------------------------------------------------------

def set_dialing(session, note2: str, note1: str = "") -> None:
    op = session.get(Operator, "SYS")
    op.use_softphone, op.note2, op.note1 = True, note2, note1
    session.commit()


def phone_editor(page: RecordPage, attribute: str = "home_phone") -> PhoneEditor:
    return next(b.editor for b in page.form.bindings
                if b.spec.attribute == attribute and isinstance(b.editor, PhoneEditor))


def test_unreachable_dialer_times_out_and_the_window_stays_responsive(
        qtbot, start, answers, other_session):
    silent = socket.socket()
    silent.bind((LOCAL, 0))
    silent.listen(5)  # accepts at the kernel level, never answers
    port = silent.getsockname()[1]
    try:
        folder = db.data_dir() / "config" / "dialstrings"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "global.dialstring").write_text("http://@user/servlet?n=@phone\n")
        set_dialing(other_session, "global.dialstring", f"{LOCAL}:{port}&x")
        window = start()
        window.dialer.http_timeout = 1.0
        file_number = debtor_ids(other_session)[0]
        page = window.open_form("debtor", file_number)
        answers.queue.append("Dial")  # Prompt before dialing
        finished = []  # the dialer's outcome, recorded on whichever thread it comes from
        window.dialer.finished.connect(finished.append, Qt.ConnectionType.DirectConnection)
        started = time.monotonic()
        phone_editor(page).button.click()
        assert not finished  # the click came back while the GET still runs in the background
        assert answers.asked[0][0] == "Dial" and "HTTP GET" in answers.asked[0][1]

        ticks = []
        timer = QTimer(interval=50, timeout=lambda: ticks.append(1))
        timer.start()
        qtbot.waitUntil(lambda: "timed out" in answers.texts(), timeout=6000)
        timer.stop()
        # the event loop kept running (a 50 ms timer fired again and again) while the dialer
        # was silent for its whole timeout
        assert len(ticks) >= 4
        assert time.monotonic() - started >= 0.9
        message = answers.asked[-1][1]
        assert message == f"Dialer at {LOCAL}:{port} did not answer within 1 s (timed out)."
        assert window.dialer.call_result is None  # nothing went out: no call result
    finally:
        silent.close()


def test_dial_prompts_sends_then_records_the_call_result(qtbot, start, answers, other_session):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind((LOCAL, 0))
    receiver.settimeout(5)
    try:
        set_dialing(other_session, f"UDP:/{LOCAL}:{receiver.getsockname()[1]}:452")
        window = start()
        file_number = debtor_ids(other_session)[0]
        page = window.open_form("debtor", file_number)
        number = page.record.home_phone

        answers.queue.append("Cancel")  # the prompt: Cancel sends nothing
        phone_editor(page).button.click()
        assert answers.asked[-1][0] == "Dial"
        assert answers.asked[-1][1].startswith(f"Dial {phone_digits(number)}?\n\nUDP datagram")
        assert window.dialer.call_result is None

        answers.queue.append("Dial")
        phone_editor(page).button.click()
        assert receiver.recv(200).decode() == f"452,{phone_digits(number)}"
        qtbot.waitUntil(lambda: window.dialer.call_result is not None, timeout=5000)
        dialog = window.dialer.call_result
        assert dialog.isVisible() and not dialog.isModal()

        assert not dialog.save()  # no result chosen yet
        assert "Choose the result" in dialog.message.text()
        assert dialog.isVisible()
        assert dialog.choose(4)
        dialog.words.setText("Promised to pay Friday")
        expected = f"Called {number}: 4 Spoke to debtor. Verified right party. Promised to pay Friday"
        assert dialog.preview.text() == expected
        assert dialog.save()
        assert not dialog.isVisible()
    finally:
        receiver.close()
    other_session.expire_all()
    contact = other_session.scalars(select(Contact).where(Contact.debtor_id == file_number)
                                    .order_by(Contact.id.desc())).first()
    assert contact.type == ContactType.PHONE.value and contact.done and contact.call_result == 4
    assert contact.operator_id == "SYS"
    note = other_session.scalars(select(Note).where(Note.debtor_id == file_number)
                                 .order_by(Note.id.desc())).first()
    assert note.text == expected and note.operator_id == "SYS"


def test_test_dial_shows_exactly_what_would_be_sent(qtbot, start, answers):
    window = start()
    page = window.open_form("operator", "SYS")
    button = next(b for b in page.spec_buttons if "Test Dial" in b.text())
    by_code = {b.spec.code.lower(): b.editor for b in page.form.bindings}
    by_code["op.sp"].set_value(True)  # typed on the form, not saved
    by_code["op.n2"].set_value("UDP:/192.168.2.122:1544:452")
    button.click()
    dialog = window.dialer.test_dialog
    assert dialog.isVisible()
    assert dialog.sent.text() == "UDP datagram to 192.168.2.122:1544: 452,5551237777"
    assert dialog.cleaned.text() == "5551237777"
    dialog.number.setText("818-555-1111")
    assert dialog.sent.text() == "UDP datagram to 192.168.2.122:1544: 452,8185551111"
    assert dialog.dial_button.isEnabled()
    dialog.close()

    by_code["op.n2"].set_value("skype")  # not a method: a clear error, nothing to send
    button.click()
    dialog = window.dialer.test_dialog
    assert "is not a protocol prefix" in dialog.message.text()
    assert not dialog.dial_button.isEnabled()
    dialog.close()

    by_code["op.sp"].set_value(False)
    button.click()
    dialog = window.dialer.test_dialog
    assert dialog.sent.text() == f"Open tel:{dialog.cleaned.text()} with the system tel: handler"
    dialog.close()


# -- dialing from every form a phone appears on ------------------------------------------------------

def cosigner_phone(session) -> int:
    """A phone kept on the cosigner only (its Phones tab): no debtor of its own."""
    from collectdesk.models import Cosigner

    cosigner = session.scalar(select(Cosigner).order_by(Cosigner.id))
    phone = Phone(cosigner_id=cosigner.id, kind="cell", number="503-555-8888",
                  digits=phone_digits("503-555-8888"))
    session.add(phone)
    session.commit()
    return phone.id


def open_for_dial(window, session, where: str):
    """(the form, the phone field's attribute, what the call is recorded on)."""
    from collectdesk.models import Client, Cosigner

    debtor = session.get(Debtor, debtor_ids(session)[0])
    if where == "debtor":
        return window.open_form("debtor", debtor.id), "home_phone", (debtor.id, None, None)
    if where == "client":
        client = session.get(Client, debtor.client_id)
        return window.open_form("client", client.id), "phone", (None, client.id, None)
    cosigner = session.scalar(select(Cosigner).where(Cosigner.debtor_id == debtor.id))
    if where == "cosigner":
        return window.open_form("cosigner", cosigner.id), "home_phone", \
            (debtor.id, None, cosigner.id)
    if where == "phone":
        phone = session.scalar(select(Phone.id).where(Phone.debtor_id == debtor.id))
        return window.open_form("phone", phone), "number", (debtor.id, None, None)
    return window.open_form("phone", cosigner_phone(session)), "number", \
        (debtor.id, None, cosigner.id)


@pytest.mark.parametrize("where", ["debtor", "cosigner", "client", "phone", "cosigner phone"])
def test_dial_from_every_form_sends_the_datagram_and_records_the_call(
        qtbot, start, answers, other_session, udp_receiver, where):
    from collectdesk.models import Client

    port = udp_receiver.getsockname()[1]
    set_dialing(other_session, f"UDP:/{LOCAL}:{port}:109#authcode")
    window = start()
    page, attribute, (debtor_id, client_id, cosigner_id) = open_for_dial(window, other_session, where)
    editor = phone_editor(page, attribute)
    number = editor.text()
    client_number = other_session.get(Debtor, debtor_id).client_id if debtor_id else client_id
    # #authcode: client number (4) and file number (8) on an account; left out on a client
    expected = f"109,{phone_digits(number)}" + \
        (f",{client_number:04d}{debtor_id:08d}" if debtor_id else "")

    answers.queue.append("Dial")
    editor.button.click()
    assert udp_receiver.recv(200).decode() == expected
    qtbot.waitUntil(lambda: window.dialer.call_result is not None, timeout=5000)
    dialog = window.dialer.call_result
    party = f"file {debtor_id}" if debtor_id else f"client {client_id}"
    assert party in dialog.findChild(type(dialog.preview), "formSubtitle").text()
    assert dialog.choose(4)
    assert dialog.save(), dialog.message.text()

    other_session.expire_all()
    contact = other_session.scalars(select(Contact).order_by(Contact.id.desc())).first()
    assert (contact.debtor_id, contact.cosigner_id) == (debtor_id, cosigner_id)
    assert contact.client_id == (client_id if debtor_id is None else contact.client_id)
    assert contact.type == ContactType.PHONE.value and contact.done and contact.call_result == 4
    note = other_session.scalars(select(Note).order_by(Note.id.desc())).first()
    assert note.text.startswith(f"Called {number}: 4 ")
    assert (note.debtor_id, note.client_id if debtor_id is None else None) == \
        (debtor_id, client_id)
    if where == "client":
        assert note.status == (other_session.get(Client, client_id).status or "")
        assert page.form.notes()[0].text().endswith(note.text), "the client's Notes tab shows it"


def refuse_calls(_context):
    return False, "Contact controls: no calls to this account after 9 PM."


@pytest.mark.parametrize("excluded", [False, True])
def test_contact_controls_refusal_is_overridden_only_by_an_excluded_operator(
        qtbot, start, answers, other_session, udp_receiver, excluded):
    port = udp_receiver.getsockname()[1]
    set_dialing(other_session, f"UDP:/{LOCAL}:{port}:452")
    operator = other_session.get(Operator, "SYS")
    operator.exclude_cc_call = excluded  # Operator form: "Exclude call contact controls"
    other_session.commit()
    window = start()
    window.dialer.contact_controls = refuse_calls
    page = window.open_form("debtor", debtor_ids(other_session)[0])
    udp_receiver.settimeout(0.3)

    answers.queue += ["Dial", "No"] if excluded else ["Dial"]
    phone_editor(page).button.click()
    title, text, choices = answers.asked[-1]
    assert title == "Contact Controls" and "no calls to this account after 9 PM" in text
    if not excluded:
        assert choices == ("OK",) and "Nothing was dialed" in text, "no way to dial anyway"
    else:
        assert text.endswith("Dial anyway?") and choices == ("Yes", "No")
    with pytest.raises(TimeoutError):
        udp_receiver.recv(200)  # refused (or "No"): nothing sent
    assert window.dialer.call_result is None

    if excluded:
        answers.queue += ["Dial", "Yes"]
        phone_editor(page).button.click()
        udp_receiver.settimeout(5)
        assert udp_receiver.recv(200).decode() == f"452,{phone_digits(page.record.home_phone)}"


# -- Auto Dialer Setup: system-wide and per operator ---------------------------------------------

def add_collector(session, op_id: str = "COL1", note2: str = "") -> Operator:
    operator = Operator(id=op_id, name="Collector One", type="COLLECTOR", user_level=30,
                        password_hash=hash_password(op_id.lower()), must_set_password=False,
                        use_softphone=bool(note2), note2=note2)
    session.add(operator)
    session.commit()
    return operator


def shown_dial_setup(window):
    from collectdesk.ui.dial_setup import AutoDialerSetupDialog

    shown = [d for d in window.findChildren(AutoDialerSetupDialog) if d.isVisible()]
    assert len(shown) == 1, shown
    return shown[0]


def own_preferences(session, op_id: str | None):
    from collectdesk.models import Preferences

    session.expire_all()
    return session.scalar(select(Preferences).where(
        Preferences.operator_id.is_(None) if op_id is None else Preferences.operator_id == op_id))


def test_a_collector_keeps_own_auto_dialer_setup_from_the_tools_menu(
        qtbot, start, answers, other_session, udp_receiver):
    from PySide6.QtTest import QTest

    from collectdesk.devices.dial_settings import PREFERENCES, load_dial_settings

    port = udp_receiver.getsockname()[1]
    add_collector(other_session, note2=f"UDP:/{LOCAL}:{port}:452")
    window = start(user="COL1", password="col1")
    command = window.command("AutoDialerSetup")
    assert command.action.isEnabled()
    command.action.trigger()
    dialog = shown_dial_setup(window)
    assert set(dialog.editors) == set(PREFERENCES)  # every Auto Dialer preference is on it
    assert dialog.operator_id == "COL1" and "system settings" in dialog.source.text()
    assert dialog.editors["prompt_before_dialing"].value() is True  # shipped: prompt first
    assert not dialog.save_system.isEnabled()  # a collector does not set the system up
    assert "menu:system.preferences" in dialog.save_system.toolTip()
    assert not dialog.use_system.isEnabled()

    dialog.editors["prompt_before_dialing"].set_value(False)
    QTest.keyClicks(dialog.editors["long_distance_prefix"].line, "1")
    QTest.keyClicks(dialog.editors["local_area_code"].line, "21x")  # a typo
    assert "Local area code '21x': three digits" in dialog.message.text()
    dialog.save_operator.click()
    assert dialog.isVisible() and own_preferences(other_session, "COL1") is None  # nothing saved
    dialog.editors["local_area_code"].line.backspace()
    QTest.keyClicks(dialog.editors["local_area_code"].line, "2")
    # the examples follow the values on the form, before anything is saved
    assert "(212) 555-0123  is dialed as  5550123" in dialog.examples.text()
    assert "818-555-1111  is dialed as  18185551111" in dialog.examples.text()
    dialog.save_operator.click()
    assert not dialog.isVisible()

    own = own_preferences(other_session, "COL1")
    assert (own.prompt_before_dialing, own.long_distance_prefix, own.local_area_code) == \
        (False, "1", "212")
    system = own_preferences(other_session, None)
    assert (system.prompt_before_dialing, system.long_distance_prefix) == (True, "")
    assert load_dial_settings(other_session, "SYS").long_distance_prefix == ""  # others: system

    # the collector's own setup applies to their calls: no prompt, the long-distance prefix
    file_number = debtor_ids(other_session)[0]
    other_session.get(Debtor, file_number).home_phone = "818-555-1111"
    other_session.commit()
    page = window.open_form("debtor", file_number)
    asked = len(answers.asked)
    phone_editor(page).button.click()
    assert udp_receiver.recv(200).decode() == "452,18185551111"
    assert len(answers.asked) == asked, "prompt before dialing is off for COL1"

    command.action.trigger()
    dialog = shown_dial_setup(window)
    assert "your own settings (COL1)" in dialog.source.text()
    assert dialog.editors["local_area_code"].value() == "212"
    dialog.use_system.click()  # back to the system's settings
    assert own_preferences(other_session, "COL1").local_area_code is None
    assert load_dial_settings(other_session, "COL1").prompt_before_dialing is True


def test_a_manager_sets_an_operators_auto_dialer_up_from_the_operator_form(
        qtbot, start, answers, other_session):
    add_collector(other_session, note2="UDP:/192.168.2.122:1544:452")
    window = start()
    page = window.open_form("operator", "COL1")
    button = next(b for b in page.spec_buttons
                  if b.text().replace("&", "").startswith("Auto Dialer"))
    button.click()
    dialog = shown_dial_setup(window)
    assert dialog.operator_id == "COL1" and "COL1" in dialog.windowTitle()
    assert dialog.save_system.isEnabled()  # the manager may change the system settings
    dialog.editors["long_distance_prefix"].set_value("9")
    dialog.editors["prompt_before_dialing"].set_value(False)
    dialog.save_operator.click()
    assert not dialog.isVisible()
    own = own_preferences(other_session, "COL1")
    assert (own.long_distance_prefix, own.prompt_before_dialing) == ("9", False)
    assert own_preferences(other_session, "SYS") is None  # the manager's own: untouched

    # Test Dial on that operator's form sends the number their own setup makes
    next(b for b in page.spec_buttons if "Test Dial" in b.text()).click()
    test = window.dialer.test_dialog
    assert test.sent.text() == "UDP datagram to 192.168.2.122:1544: 452,95551237777"
    assert test.prompt.text() == "No (dials at once)"
    test.close()

    # Save System from the same dialog changes everyone without their own setting
    button.click()
    dialog = shown_dial_setup(window)
    assert dialog.editors["long_distance_prefix"].value() == "9"
    dialog.editors["local_area_code"].set_value("818")
    dialog.save_system.click()
    assert own_preferences(other_session, None).local_area_code == "818"


def test_a_phone_contact_opened_from_the_wip_list_dials_at_once(
        qtbot, start, answers, other_session, udp_receiver):
    """"Automatically display dialer" with Prompt Before Dialing off: the call goes out as soon
    as the phone contact opens, and the Call Result form follows."""
    import datetime as dt

    from collectdesk.models import Preferences
    from collectdesk.ui.wip_page import WipPage

    port = udp_receiver.getsockname()[1]
    add_collector(other_session, note2=f"UDP:/{LOCAL}:{port}:452#authcode")
    phone_file, review_file = debtor_ids(other_session)[:2]
    for file_number, kind in ((phone_file, "Phone"), (review_file, "Review")):
        other_session.get(Debtor, file_number).operator_id = "COL1"
        other_session.add(Contact(debtor_id=file_number, type=kind, priority=50,
                                  due_date=dt.date.today(), operator_id="COL1",
                                  description=f"{kind} today"))
    other_session.add(Preferences(operator_id="COL1", display_dialer=True,
                                  prompt_before_dialing=False))
    other_session.commit()
    debtor = other_session.get(Debtor, phone_file)
    expected = f"452,{phone_digits(debtor.home_phone)},{debtor.client_id:04d}{phone_file:08d}"

    window = start(user="COL1", password="col1")
    wip = window.current_page()
    assert isinstance(wip, WipPage)
    review = next(e for e in wip.entries if e.type == "Review")
    wip.open_row(wip.entries.index(review))
    udp_receiver.settimeout(0.3)
    with pytest.raises(TimeoutError):
        udp_receiver.recv(200)  # only phone contacts dial
    window.close_page()

    wip = window.current_page()
    phone = next(e for e in wip.entries if e.type == "Phone")
    wip.open_row(wip.entries.index(phone))
    udp_receiver.settimeout(5)
    assert udp_receiver.recv(200).decode() == expected
    assert answers.asked == [], "nothing asked: the call went out as the contact opened"
    assert wait_for_debtor(qtbot, window, phone_file).record.id == phone_file
    qtbot.waitUntil(lambda: window.dialer.call_result is not None, timeout=5000)
    dialog = window.dialer.call_result
    assert dialog.choose(3)
    assert dialog.save(), dialog.message.text()
    other_session.expire_all()
    recorded = other_session.scalars(select(Contact).where(Contact.debtor_id == phone_file)
                                     .order_by(Contact.id.desc())).first()
    assert (recorded.type, recorded.done, recorded.call_result, recorded.operator_id) == \
        (ContactType.PHONE.value, True, 3, "COL1")

    # Prompt Before Dialing on: the same contact asks first, and Cancel sends nothing
    window.close_page()
    other_session.scalar(select(Preferences).where(Preferences.operator_id == "COL1")) \
        .prompt_before_dialing = True
    other_session.commit()
    answers.queue.append("Cancel")
    wip = window.current_page()
    wip.open_row(wip.entries.index(next(e for e in wip.entries if e.type == "Phone")))
    assert [(title, choices) for title, _t, choices in answers.asked] == \
        [("Dial", ("Dial", "Cancel"))]
    udp_receiver.settimeout(0.3)
    with pytest.raises(TimeoutError):
        udp_receiver.recv(200)


def test_system_preferences_refuse_an_area_code_the_dialer_cannot_use(
        qtbot, start, answers, other_session):
    """System > Preferences (Save System's other door) checks the Auto Dialer values too."""
    window = start()
    page = window.open_preferences()
    by_code = {b.spec.code.lower(): b.editor for b in page.form.bindings}
    by_code["sy.lac"].set_value("21")
    assert not page.save()
    assert "Local area code '21': three digits (for example 212)" in answers.asked[-1][1]
    assert own_preferences(other_session, None).local_area_code == ""  # nothing written
    by_code["sy.lac"].set_value("212")
    assert page.save()
    assert own_preferences(other_session, None).local_area_code == "212"


def test_double_clicking_a_phone_number_dials_it(qtbot, start, answers, other_session,
                                                 udp_receiver):
    """Seed 003: "double-click into any phone number field, the Auto Dialer module will begin
    dialing"; an empty phone field does nothing."""
    from PySide6.QtTest import QTest

    set_dialing(other_session, f"UDP:/{LOCAL}:{udp_receiver.getsockname()[1]}:452")
    window = start()
    page = window.open_form("debtor", debtor_ids(other_session)[0])
    home = phone_editor(page)
    answers.queue.append("Dial")
    QTest.mouseDClick(home.line, Qt.MouseButton.LeftButton)
    assert answers.asked[-1][0] == "Dial"
    assert udp_receiver.recv(200).decode() == f"452,{phone_digits(page.record.home_phone)}"

    empty = next(b.editor for b in page.form.bindings
                 if isinstance(b.editor, PhoneEditor) and not b.editor.text())
    asked = len(answers.asked)
    QTest.mouseDClick(empty.line, Qt.MouseButton.LeftButton)
    assert len(answers.asked) == asked
    udp_receiver.settimeout(0.3)
    with pytest.raises(TimeoutError):
        udp_receiver.recv(200)


def test_the_phones_tab_dials_the_highlighted_number(qtbot, start, answers, other_session,
                                                      udp_receiver):
    """A phone record is dialed straight from the account's Phones list (Dial), with the
    account in context (its authorization code), as from the phone's own form."""
    port = udp_receiver.getsockname()[1]
    set_dialing(other_session, f"UDP:/{LOCAL}:{port}:109#authcode")
    window = start()
    debtor = other_session.get(Debtor, debtor_ids(other_session)[0])
    phone = other_session.scalars(select(Phone).where(Phone.debtor_id == debtor.id)
                                  .order_by(Phone.id)).first()
    page = window.open_form("debtor", debtor.id)
    tab = next(tb for tb in page.form.all_tabs() if tb.spec.title == "Phones")
    page.form.tabs.setCurrentIndex(tab.index)
    sub = tab.sublist
    assert sub.dial_button.isVisibleTo(page)
    other_tabs = [t.sublist for t in page.form.all_tabs()
                  if t.sublist is not None and t.spec.title in ("Contacts", "Transactions")]
    assert other_tabs and not any(s.dial_button.isVisibleTo(s) for s in other_tabs)
    row = next(r for r in range(sub.model.rowCount()) if sub.model.key(r) == phone.id)
    sub.view.go_to(row)

    answers.queue.append("Dial")
    sub.dial_button.click()
    assert answers.asked[-1][0] == "Dial"
    assert udp_receiver.recv(200).decode() == \
        f"109,{phone_digits(phone.number)},{debtor.client_id:04d}{debtor.id:08d}"
    qtbot.waitUntil(lambda: window.dialer.call_result is not None, timeout=5000)
    assert f"file {debtor.id}" in window.dialer.call_result.findChild(
        type(window.dialer.call_result.preview), "formSubtitle").text()
