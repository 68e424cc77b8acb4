"""Shared fixtures: real database files and a real PostgreSQL server started for the run."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

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
