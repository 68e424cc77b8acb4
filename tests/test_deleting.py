"""Deleting records: what is kept while others point at it, what goes with a record, rights and
account access, the account's totals after a transaction is deleted, and the audit log."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collectdesk import db
from collectdesk.engine import deleting, recalc
from collectdesk.engine import rights as r
from collectdesk.engine.access import AccessPolicy
from collectdesk.engine.audit import ACCESS_REFUSED, RECORD_DELETED
from collectdesk.models import (
    AuditEntry,
    Client,
    CompanyDetails,
    Debtor,
    Note,
    Operator,
    Phone,
    Preferences,
    Rights,
    StatusCode,
    TeamMember,
    Transaction,
    TransactionType,
)
from collectdesk.ui.testing import make_database


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> str:
    path = make_database(tmp_path_factory.mktemp("deleting") / "template.db", debtors=3)
    engine = db.make_engine(path)
    with db.session_factory(engine)() as s:
        r.rebuild_access_rights(s, commit=False)
        r.set_level_rights(s, "form:debtor", 30, rights=Rights.READ)
        s.add(Operator(id="RST", type="COLLECTOR", user_level=50, enable_security=True,
                       strict=True, locked_out_by_default=True))
        s.add(Operator(id="IDLE", type="COLLECTOR", user_level=30))
        s.add(Operator(id="ST1", type="DISTRIBUTION", user_level=30))
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def session(template, tmp_path) -> Iterator[Session]:
    path = tmp_path / "deleting.db"
    shutil.copy(template, path)
    engine = db.make_engine(str(path))
    with db.session_factory(engine)() as s:
        yield s
    engine.dispose()


def count(session: Session, model: type, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def first_debtor(session: Session) -> Debtor:
    return session.scalars(select(Debtor).order_by(Debtor.id)).first()


def test_an_account_with_transactions_is_kept_whole(session: Session) -> None:
    debtor = first_debtor(session)
    key = debtor.id
    with pytest.raises(deleting.DeleteRefused,
                       match=rf"Debtor {key} cannot be deleted; it has 1 transaction\(s\): an "
                             r"account's financial history is kept: close the account"):
        deleting.delete_record(session, debtor, operator_id="SYS")
    session.expire_all()
    assert session.get(Debtor, key) is not None
    assert count(session, Phone, Phone.debtor_id == key) == 1
    assert count(session, Note, Note.debtor_id == key) == 1


def test_an_account_without_transactions_goes_with_what_it_owns(session: Session) -> None:
    debtor = first_debtor(session)
    key = debtor.id
    session.execute(Transaction.__table__.delete().where(Transaction.debtor_id == key))
    session.commit()
    assert deleting.delete_record(session, debtor, operator_id="SYS") == f"Debtor {key}"
    session.expire_all()
    assert session.get(Debtor, key) is None
    assert count(session, Phone, Phone.debtor_id == key) == 0
    assert count(session, Note, Note.debtor_id == key) == 0
    logged = session.scalars(select(AuditEntry).where(AuditEntry.event == RECORD_DELETED)).all()
    assert [(e.operator_id, e.detail) for e in logged] == [("SYS", f"Debtor {key}")]


@pytest.mark.parametrize(("model", "key", "prepare", "reason"), [
    (Client, 1, None, r"account\(s\): delete or move its accounts first"),
    (Operator, "SC", None, r"account\(s\) naming it as Operator: reassign"),
    (Operator, "IDLE", "team", r"1 team membership\(s\): remove it from its teams first"),
    (StatusCode, "ACT", None, r"account\(s\) with this status"),
])
def test_records_other_records_name_are_kept(session: Session, model, key, prepare,
                                              reason) -> None:
    if prepare == "team":
        session.add(TeamMember(team_id="ST1", member_id="IDLE", commission_percent=Decimal(50)))
        session.commit()
    record = session.get(model, key)
    with pytest.raises(deleting.DeleteRefused, match=reason):
        deleting.delete_record(session, record, operator_id="SYS")
    session.expire_all()
    assert session.get(model, key) is not None


def test_an_unused_operator_is_deleted(session: Session) -> None:
    deleting.delete_record(session, session.get(Operator, "IDLE"), operator_id="SYS")
    session.expire_all()
    assert session.get(Operator, "IDLE") is None
    details = [e.detail for e in session.scalars(select(AuditEntry))]
    assert "operator IDLE deleted" in details and "Operator IDLE" in details


def test_deleting_a_transaction_works_the_totals_out_again(session: Session) -> None:
    debtor = first_debtor(session)
    paid = Transaction(debtor_id=debtor.id, client_id=debtor.client_id, type_code="101",
                       financial_type=1, to_us=Decimal("100.00"),
                       payment_date=dt.date(2024, 5, 2), posted_date=dt.date(2024, 5, 2))
    session.add(paid)
    session.flush()
    recalc.recalc_debtor(session, debtor)
    session.commit()
    assert (debtor.paid, debtor.owing) == (Decimal("100.00"), Decimal("1100.00"))
    deleting.delete_record(session, paid, operator_id="SYS")
    session.expire_all()
    debtor = session.get(Debtor, debtor.id)
    assert (debtor.paid, debtor.owing) == (Decimal("0.00"), Decimal("1200.00"))


def test_a_level_with_read_only_access_to_the_form_is_refused(session: Session) -> None:
    debtor = first_debtor(session)
    with pytest.raises(r.AccessRefused, match="form:debtor.*level 30 read-only access"):
        deleting.check_delete(session, debtor, rights=r.effective(session, 30))
    refused = session.scalars(select(AuditEntry).where(AuditEntry.event == ACCESS_REFUSED)).all()
    assert len(refused) == 1


def test_an_account_outside_the_operators_access_is_refused(session: Session) -> None:
    debtor = first_debtor(session)
    policy = AccessPolicy.for_operator(session, "RST")
    with pytest.raises(deleting.DeleteRefused, match="your account access does not include it"):
        deleting.check_delete(session, debtor, policy=policy)
    details = [e.detail for e in session.scalars(
        select(AuditEntry).where(AuditEntry.event == ACCESS_REFUSED))]
    assert details == [f"debtor {debtor.id}: delete refused"]


def test_the_audit_log_is_never_deleted_from(session: Session) -> None:
    entry = AuditEntry(at=dt.datetime(2026, 1, 1), operator_id="SYS", event="signon")
    session.add(entry)
    session.commit()
    with pytest.raises(deleting.DeleteRefused, match="audit log is never edited"):
        deleting.delete_record(session, entry, operator_id="SYS")
    assert session.get(AuditEntry, entry.id) is not None


@pytest.mark.parametrize(("model", "where", "why"), [
    (CompanyDetails, (), "one Company Details record"),
    (Preferences, (Preferences.operator_id.is_(None),), "system preferences are kept"),
    (TransactionType, (TransactionType.code == "196",), "reserved transaction types"),
    (TransactionType, (TransactionType.code == "100",), "group headings"),
])
def test_what_the_program_relies_on_is_never_deleted(session: Session, model, where,
                                                     why) -> None:
    record = session.scalars(select(model).where(*where)).first()
    with pytest.raises(deleting.DeleteRefused, match=why):
        deleting.delete_record(session, record, operator_id="SYS")
    assert count(session, model, *where) == 1


def test_an_operator_cannot_delete_itself(session: Session) -> None:
    with pytest.raises(deleting.DeleteRefused, match="you are signed on as it"):
        deleting.check_delete(session, session.get(Operator, "IDLE"),
                              policy=AccessPolicy.for_operator(session, "IDLE"))
