"""Render CollectDesk's main screens to docs/screenshots/*.png without a display.

    python scripts/screenshots.py [--out docs/screenshots]

Builds a throw-away demodb (in a private data folder), signs on as SYS and grabs each window
offscreen: the debtor form shows the demo's showcase account, which has something on every tab.
Any field whose value is cut off or ends in "…" is listed at the end, and the exit status is 1.
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


def build_database() -> str:
    """A fresh demodb in the private data folder; SYS signs on with ``sys``; a distribution
    team (TEAM1: SC 60 %, MGR 40 %) for the Operator form's Team tab."""
    from collectdesk import db
    from collectdesk.engine import operators
    from collectdesk.engine.passwords import hash_password
    from collectdesk.models import Operator
    from collectdesk.schema import create_database

    url = create_database("demodb", demo=True)
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        op = s.get(Operator, "SYS")
        op.password_hash = hash_password("sys")
        op.must_set_password = False
        s.add(Operator(id="TEAM1", name="Collections Team 1", type="DISTRIBUTION",
                       user_level=10))
        s.flush()
        operators.set_members(s, "TEAM1", [("SC", 60), ("MGR", 40)], by="SYS")
        s.commit()
    engine.dispose()
    return "demodb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="collectdesk-shots-"))
    os.environ["COLLECTDESK_DATA"] = str(tmp)
    database = build_database()

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from collectdesk.ui.app import ensure_app
    from collectdesk.ui.main_window import MainWindow
    from collectdesk.ui.signon_dialog import SignOnDialog

    app = ensure_app()

    cut_off: list[str] = []

    def shot(widget, name: str) -> None:
        for _ in range(3):
            app.processEvents()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(path)
        page = window.current_page() if widget is window else None
        form = getattr(page, "form", None)
        cut_off.extend(f"{name}: {problem}" for problem in (form.clipped() if form else []))

    window = None
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

    from collectdesk.models import Attachment, Client, ContactPlan, Debtor, PlanEvent

    with ctx.session() as s:
        client_id = s.scalar(select(Client.id).join(Debtor, Debtor.client_id == Client.id)
                             .group_by(Client.id).order_by(func.count().desc()).limit(1))
        # the demo's showcase account: something on every tab
        debtor_id = s.scalar(select(func.min(Attachment.debtor_id)))
        phone_event = s.scalar(select(PlanEvent.id).join(ContactPlan)
                               .where(ContactPlan.code == "NEW", PlanEvent.type == "Phone"))

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
        if not tb.children:
            shot(window, f"debtor_{name}")
        for child in tb.children:
            child.tabs.setCurrentIndex(child.index)
            shot(window, f"debtor_{name}_{child.spec.title.lower().replace(' ', '_')}")
        if tb.children:
            tb.children[0].tabs.setCurrentIndex(0)
    window.close_page(debtor)

    with ctx.session() as s:
        new_plan = s.scalar(select(ContactPlan.id).where(ContactPlan.code == "NEW"))
    for form_id, name, key in (("transaction_type", "transaction_type", "101"),
                               ("operator", "operator", "SC"),
                               ("operator", "operator_team", "TEAM1"),
                               ("status_code", "status_code", "ACT"),
                               ("contact_plan", "contact_plan", new_plan),
                               ("plan_event", "plan_event", phone_event)):
        page = window.open_form(form_id, key)
        if name == "operator_team":
            page.form.tabs.setCurrentIndex(next(
                tb.index for tb in page.form.tab_bindings if tb.spec.title == "Team"))
        shot(window, name)
        window.close_page(page)
    page = window.open_company_details()
    shot(window, "company_details")
    window.close_page(page)

    wip = window.open_wip()
    wip.everyone.setChecked(True)  # SYS manages the desks: every collector's due contacts
    shot(window, "wip")
    orphans = wip.show_orphans()
    orphans.everyone.setChecked(True)
    shot(window, "orphans")
    window.close_page(orphans)
    window.close_page(wip)
    page = window.open_browse("audit_log")
    shot(window, "audit_log")
    window.close_page(page)
    window.command("PaymentPlans").action.trigger()
    page = window.current_page()
    page.everyone.setChecked(True)
    shot(window, "payment_plans")
    window.close_page(page)

    from collectdesk.ui.dial_setup import AutoDialerSetupDialog

    setup = AutoDialerSetupDialog(window, "SC")
    setup.show()
    shot(setup, "auto_dialer_setup")
    setup.close()

    from collectdesk.ui.find_dialog import FindByDialog

    find = FindByDialog(window)
    find.set_method("phone")
    find.text.setText("503.555.1003")
    find.show()
    shot(find, "find_by")
    window.close()
    QApplication.processEvents()
    for problem in cut_off:
        print(f"cut off: {problem}", file=sys.stderr)
    return 1 if cut_off else 0


if __name__ == "__main__":
    raise SystemExit(main())
