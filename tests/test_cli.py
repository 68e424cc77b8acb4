"""The headless commands of the foundation, run as a user would run them."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "collectdesk", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_db_init_demo_and_show_debtor_json(tmp_path: Path) -> None:
    init = _run("db", "init", "--db", f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    again = _run("db", "init", "--db", f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path)
    assert again.returncode == 1 and "already holds a database" in again.stderr

    demo = _run("demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    shown = _run("show", "debtor", "1", "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    account = json.loads(shown.stdout)
    totals = account["totals"]
    owing = Decimal(totals["owing"])
    parts = (Decimal(totals["principal"]) + Decimal(totals["interest"]) + Decimal(totals["fees"])
             + Decimal(totals["legal_costs"]) - Decimal(totals["paid"])
             - Decimal(totals["adjustments"]))
    assert Decimal(totals["principal"]) > 0 and owing == parts
    assert account["counts"]["contacts"] >= 1
    assert account["fields"]["name"]


def test_show_unknown_account_fails_with_one_line(tmp_path: Path) -> None:
    assert _run("demo", cwd=tmp_path).returncode == 0
    missing = _run("show", "debtor", "99999999", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "99999999" in missing.stderr


def test_db_info_reports_the_schema_at_head(tmp_path: Path) -> None:
    assert _run("demo", cwd=tmp_path).returncode == 0
    info = json.loads(_run("db", "info", "--json", cwd=tmp_path).stdout)
    assert info["up_to_date"] is True and info["counts"]["debtors"] >= 300
