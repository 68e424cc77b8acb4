"""A throwaway PostgreSQL server on 127.0.0.1 for tests and benchmarks.

``initdb`` refuses to run as root, so when we are root the cluster is created and
run as the ``postgres`` system user (``runuser``).  ``COLLECTDESK_PG_URL`` points
at an existing server instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def available() -> bool:
    return bool(os.environ.get("COLLECTDESK_PG_URL")) or _bindir() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], as_postgres: bool) -> None:
    if as_postgres:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextmanager
def server(dbname: str = "collectdesk") -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh database on a private server, stopped afterwards."""
    if os.environ.get("COLLECTDESK_PG_URL"):
        yield os.environ["COLLECTDESK_PG_URL"]
        return
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (no pg_ctl); install the postgresql package")
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="collectdesk-pg-"))
    data = root / "data"
    if as_postgres:
        shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
    port = _free_port()
    user = "postgres" if as_postgres else os.environ.get("USER", "postgres")
    _run([str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8",
          "--no-locale"], as_postgres)
    _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
          f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
          "-c synchronous_commit=off -c full_page_writes=off", "start"], as_postgres)
    try:
        _wait(port)
        _run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, dbname],
             as_postgres)
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/{dbname}"
    finally:
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if as_postgres else [])
            + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(root, ignore_errors=True)


def _wait(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start on port {port}")
