"""Test and screenshot support: a small real database with a few clients and accounts.

Qt-free on purpose, though it lives with the UI it serves.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from .. import db
from ..engine.passwords import hash_password


def make_database(path: str | Path, *, debtors: int = 12) -> str:
    """A fresh SQLite database at ``path`` with shipped rows, SYS/sys and sample accounts."""
    from ..engine.records import phone_digits
    from ..models import (
        Client,
        ClientSettings,
        CompanyDetails,
        Cosigner,
        Debtor,
        Note,
        Operator,
        Phone,
        Transaction,
    )

    path = str(path)
    from ..schema import ensure_database

    url = ensure_database(path)
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        for op_id in ("SYS", "MGR", "SC", "99", "OWN"):
            op = s.get(Operator, op_id)
            if op is None:
                op = Operator(id=op_id, name=op_id, type="SYSTEM", user_level=99)
                s.add(op)
            op.password_hash = hash_password(op_id.lower())
            op.must_set_password = False
        if s.scalar(select(CompanyDetails.id)) is None:
            s.add(CompanyDetails(name="Northwind Recovery Services", address="100 Main Street",
                                 city="Portland", state="OR", zip="97204", phone="(503) 555-0100",
                                 commission_rate=Decimal("30.000"), tax_rate=Decimal("5.000")))
        client = Client(name="Acme Dental Group", contact="Mary Ortiz", address="12 Elm Street",
                        city="Salem", state="OR", zip="97301", phone="503-555-0142",
                        email="billing@acmedental.example")
        client.settings = ClientSettings(commission_rate=Decimal("25.000"), tax_rate=Decimal("7.000"),
                                         operator_id="SC", sales_id="MGR", new_account_plan="NEW")
        other = Client(name="Bayview Medical Center", city="Seattle", state="WA", zip="98101",
                       phone="206-555-0199")
        other.settings = ClientSettings(commission_rate=Decimal("33.000"))
        s.add_all([client, other])
        s.flush()
        names = ["Anderson, Paul", "Baker, Lisa", "Carter, James R", "Diaz, Maria", "Evans, Tom",
                 "Fischer, Anna", "Garcia, Luis", "Hughes, Karen", "Ito, Ken", "Jones, Sarah",
                 "Klein, Oscar", "Lopez, Rosa", "Miller, Dave", "Nguyen, Linh", "Owens, Beth"]
        today = dt.date(2024, 5, 1)
        for i in range(debtors):
            name = names[i % len(names)] if i < len(names) else f"{names[i % len(names)]} {i}"
            phone = f"(503) 555-{1000 + i:04d}"
            d = Debtor(client_id=client.id if i % 3 else other.id, account=f"A-{1000 + i}",
                       name=name, address=f"{100 + i} Oak Avenue", city="Portland", state="OR",
                       zip="97205", home_phone=phone, email=f"debtor{i}@example.com",
                       ssn=f"123-45-{6000 + i:04d}", status="ACT", operator_id="SC",
                       listed_date=today, principal=Decimal("1200.00") + i,
                       original_principal=Decimal("1200.00") + i,
                       owing=Decimal("1000.00") + i, commission_rate=Decimal("25.000"))
            s.add(d)
            s.flush()
            s.add(Phone(debtor_id=d.id, kind="home", number=phone, digits=phone_digits(phone)))
            s.add(Note(debtor_id=d.id, noted_at=dt.datetime(2024, 5, 1, 9, 30), status="ACT",
                       operator_id="SC", text="Account listed"))
            s.add(Transaction(debtor_id=d.id, client_id=d.client_id, type_code="196",
                              description="Original principal", financial_type=16,
                              to_us=Decimal("-1200.00") - i, payment_date=today, posted_date=today))
            if i == 0:
                s.add(Cosigner(debtor_id=d.id, name="Anderson, Jill", relationship_to_debtor="Spouse",
                               home_phone="503-555-7777"))
        s.commit()
    engine.dispose()
    return path
