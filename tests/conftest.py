"""Shared fixtures: real database files, a real PostgreSQL server started for the run, and
the UI tests' answered questions and sign-on."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's real demodb / masterdb from a test."""
    monkeypatch.setenv("COLLECTDESK_DATA", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database on a private PostgreSQL server (required in CI)."""
    from collectdesk.devtools import postgres

    if not postgres.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI but pg_ctl was not found")
        pytest.skip("PostgreSQL is not installed")
    with postgres.server() as url:
        yield url


@pytest.fixture
def udp_receiver() -> Iterator[socket.socket]:
    """A real UDP socket on 127.0.0.1 (a free port) that a dial sends its datagram to."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2.0)
    yield sock
    sock.close()


@pytest.fixture
def self_signed_cert(tmp_path: Path) -> tuple[Path, Path]:
    """``(certificate, key)``: a real self-signed certificate for 127.0.0.1, made now with the
    ``cryptography`` package, else the ``openssl`` command; a test needing one is skipped (with
    that reason) only when neither is installed."""
    cert, key = tmp_path / "web_dialer.pem", tmp_path / "web_dialer.key"
    try:
        _certificate_with_cryptography(cert, key)
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("no way to make a TLS certificate: neither cryptography nor openssl")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out", str(cert),
             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True, timeout=30)
    return cert, key


def _certificate_with_cryptography(cert: Path, key: Path) -> None:
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(private.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(
            "127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))


class Answers:
    """Answers the program's questions in order (then the last choice, usually Cancel) and
    remembers what was asked: ``(title, text, choices)``."""

    def __init__(self) -> None:
        self.queue: list[str] = []
        self.asked: list[tuple[str, str, tuple[str, ...]]] = []

    def __call__(self, title: str, text: str, choices: Any) -> str:
        self.asked.append((title, text, tuple(choices)))
        return self.queue.pop(0) if self.queue else choices[-1]

    def texts(self) -> str:
        return "\n".join(text for _title, text, _choices in self.asked)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    """Every question the program asks (collectdesk.ui.dialogs) answered by :class:`Answers`."""
    from collectdesk.ui import dialogs

    a = Answers()
    monkeypatch.setattr(dialogs, "answer", a)
    return a


@pytest.fixture
def sign_on(qtbot: Any, database: str, answers: Any) -> Iterator[Any]:
    """``sign_on(op_id, password=None)``: the program started on the test module's
    ``database`` and signed on as that operator (password: the ID in lower case), every
    question answered by the module's ``answers``; the windows close after the test without
    asking."""
    from collectdesk.startup import parse_flags
    from collectdesk.ui import app as app_module
    from collectdesk.ui.record_page import RecordPage

    windows = []

    def start(op_id: str, password: str | None = None) -> Any:
        started = app_module.start(parse_flags(
            [f"/db{database}", f"/i{op_id}", f"/p{password or op_id.lower()}", "/s", "/m"]))
        assert started.window is not None, started.messages
        qtbot.addWidget(started.window)
        windows.append(started.window)
        return started.window

    yield start
    for w in windows:
        for page in w.pages():
            if isinstance(page, RecordPage):
                page._closing = True
            page.may_close = lambda: True
        w.close()

