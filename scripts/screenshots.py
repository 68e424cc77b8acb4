"""Render CollectDesk's main screens to docs/screenshots/*.png without a display.

    python scripts/screenshots.py [--out docs/screenshots]

Builds a throw-away demo database, signs on as SYS and grabs each window offscreen.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_database(folder: Path) -> str:
    path = folder / "screens.db"
    try:
        from collectdesk.schema import create_database

        create_database(str(path), demo=True)
        from collectdesk import db
        from collectdesk.engine.passwords import hash_password
        from collectdesk.models import Operator

        engine = db.make_engine(str(path))
        with db.session_factory(engine)() as s:
            op = s.get(Operator, "SYS")
            op.password_hash = hash_password("sys")
            op.must_set_password = False
            s.commit()
        engine.dispose()
        return str(path)
    except Exception as exc:  # noqa: BLE001 - no demo builder: fall back to the small test database
        print(f"demo database unavailable ({exc.__class__.__name__}: {exc}); using sample data",
              file=sys.stderr)
        for leftover in folder.glob("screens.db*"):
            leftover.unlink()
        from collectdesk.ui.testing import make_database

        return make_database(path, debtors=40)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="collectdesk-shots-"))
    os.environ["COLLECTDESK_DATA"] = str(tmp)
    database = build_database(tmp)

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from collectdesk.ui.app import ensure_app
    from collectdesk.ui.main_window import MainWindow
    from collectdesk.ui.signon_dialog import SignOnDialog

    app = ensure_app()

    def shot(widget, name: str) -> None:
        for _ in range(3):
            app.processEvents()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    dialog = SignOnDialog(database, "SYS")
    dialog.show()
    shot(dialog, "signon")
    dialog.operator_id.setText("SYS")
    dialog.password.setText("sys")
    assert dialog.try_sign_on(), dialog.message.text()
    ctx = dialog.context
    ctx.signon = dialog.signon

    window = MainWindow(ctx)
    window.resize(1280, 860)
    window.show()
    shot(window, "main_window")

    from collectdesk.models import Client, Debtor, Note, Transaction

    with ctx.session() as s:
        client_id = s.scalar(select(Client.id).join(Debtor, Debtor.client_id == Client.id)
                             .group_by(Client.id).order_by(func.count().desc()).limit(1))
        debtor_id = s.scalar(select(Debtor.id).join(Transaction, Transaction.debtor_id == Debtor.id)
                             .join(Note, Note.debtor_id == Debtor.id)
                             .order_by(Debtor.id).limit(1)) or s.scalar(select(func.min(Debtor.id)))

    page = window.open_browse("active_debtors")
    shot(window, "browse_active_debtors")
    window.close_page(page)

    client = window.open_form("client", client_id)
    shot(window, "client")
    settings = window.open_form("client_settings", client_id)
    shot(window, "client_settings")
    window.close_page(settings)
    window.close_page(client)

    debtor = window.open_form("debtor", debtor_id)
    tabs = debtor.form.tabs
    for tb in debtor.form.tab_bindings:
        tabs.setCurrentIndex(tb.index)
        name = tb.spec.title.lower().replace(" ", "_")
        shot(window, f"debtor_{name}")
        for child in tb.children:
            child.tabs.setCurrentIndex(child.index)
            shot(window, f"debtor_{name}_{child.spec.title.lower().replace(' ', '_')}")
        if tb.children:
            tb.children[0].tabs.setCurrentIndex(0)
    window.close_page(debtor)

    for form_id, name in (("company", "company_details"), ("transaction_type", "transaction_type"),
                          ("operator", "operator"), ("status_code", "status_code"),
                          ("contact_plan", "contact_plan"), ("plan_event", "plan_event")):
        if form_id == "company":
            page = window.open_company_details()
        else:
            from collectdesk.engine import forms_spec

            model = forms_spec.form(form_id).model
            pk = model.__mapper__.primary_key[0]
            with ctx.session() as s:
                key = s.scalar(select(pk).order_by(pk).limit(1))
            page = window.open_form(form_id, key)
        shot(window, name)
        window.close_page(page)

    from collectdesk.ui.find_dialog import FindByDialog

    find = FindByDialog(window)
    find.set_method("phone")
    find.text.setText("503.555.1003")
    find.show()
    shot(find, "find_by")
    window.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
