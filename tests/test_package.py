"""The program installs as a wheel into a fresh environment and finds its shipped folders."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_source_checkout_finds_shipped_folders() -> None:
    from collectdesk import paths

    for folder in (paths.forms_dir(), paths.picklists_dir(), paths.resources_dir()):
        assert folder.is_dir()


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_and_finds_forms_picklists_resources(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("collectdesk-*.whl"))
    env_dir = tmp_path / "venv"
    # Dependencies come from this interpreter's site-packages; the package itself only
    # from the wheel (the venv's own site-packages is searched first).
    venv.create(env_dir, with_pip=True, system_site_packages=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--force-reinstall",
                    "--quiet", str(wheel)], check=True)
    probe = (
        "import collectdesk, collectdesk.paths as p;"
        "print(collectdesk.__file__);"
        "print(sorted(x.name for x in p.picklists_dir().iterdir())[:1]);"
        "print(p.forms_dir(), p.resources_dir())"
    )
    # A fresh machine has no PYTHONPATH into a source tree (a developer's shell may).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["COLLECTDESK_DATA"] = str(tmp_path / "data")
    out = subprocess.run([str(python), "-c", probe], cwd=tmp_path, check=True, env=env,
                         capture_output=True, text=True).stdout
    assert str(env_dir) in out.splitlines()[0], "the wheel's copy must be the one imported"
    assert "collectdesk/forms" in out and "collectdesk/resources" in out
    script = env_dir / "bin" / "collectdesk"
    db = tmp_path / "x.db"
    init = subprocess.run([str(script), "db", "init", "--db", f"sqlite:///{db}"], cwd=tmp_path,
                          env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    flags = subprocess.run([str(script), "/?"], cwd=tmp_path, env=env, capture_output=True,
                           text=True)
    assert flags.returncode == 0 and "/db" in flags.stdout


def test_qt_calls_do_not_leak_references_to_none() -> None:
    """A long session makes millions of Qt calls; PySide6 6.12.0 under Python 3.11 dropped one
    reference to None on each, and the program died with "deallocating None"."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel

    QApplication.instance() or QApplication([])
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(10_000):
        label.setText("x")
    assert before - sys.getrefcount(None) < 100
