"""Sub-records of accounts and clients: notes, attachments, phones, emails, addresses, tags."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Versioned, date, field, flag, memo, text


class Note(Base):
    """One note line: ``DATE TIME STATUS OPERATOR : TEXT``.  Notes are appended, never edited."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_debtor_time", "debtor_id", "noted_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), nullable=True)
    client_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=True, index=True)
    noted_at: Mapped[dt.datetime] = field(DateTime, "no.dt", "Date", nullable=False)
    status: Mapped[str] = text(4, "no.st", "Status")
    operator_id: Mapped[str] = text(7, "no.op", "Operator")
    text: Mapped[str] = memo("no.tx", "Text")

    def line(self) -> str:
        stamp = self.noted_at.strftime("%m/%d/%Y %H:%M")
        return f"{stamp} {self.status or '':<4} {self.operator_id or '':<7}: {self.text}"


class Attachment(Versioned, Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), nullable=True, index=True)
    client_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=True, index=True)
    attachment_class: Mapped[str] = text(20, "at.cl", "Class", picklist="attachment_classes")
    attachment_type: Mapped[str] = text(20, "at.ty", "Type")
    description: Mapped[str] = text(80, "at.de", "Description")
    file: Mapped[str] = text(255, "at.fi", "File", help="A file path or a URL")
    date: Mapped[dt.date | None] = date("at.da", "Date")
    notes: Mapped[str] = memo("at.no", "Notes")


class Phone(Versioned, Base):
    """A phone kept twice: as entered (``number``) and as digits for matching and dialing."""

    __tablename__ = "phones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), nullable=True, index=True)
    client_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=True, index=True)
    cosigner_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cosigners.id", ondelete="CASCADE"), nullable=True, index=True)
    kind: Mapped[str] = text(8, "ph.ki", "Type", picklist="phone_kinds")
    number: Mapped[str] = text(24, "dph.nu", "Number", kind="phone", required=True)
    digits: Mapped[str] = field(String(20), "dph.dg", "Digits", index=True, default="",
                                server_default="")
    extension: Mapped[str] = text(8, "dph.ex", "Ext")
    active: Mapped[bool] = flag("dph.ac", "Active", default=True, server_default="1")
    consent: Mapped[bool] = flag("dph.cs", "Consent to call")
    source: Mapped[str] = text(20, "dph.so", "Source")


class Email(Versioned, Base):
    __tablename__ = "emails"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), nullable=True, index=True)
    client_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=True, index=True)
    kind: Mapped[str] = text(8, "dem.ki", "Type")
    address: Mapped[str] = text(120, "dem.ad", "Email", required=True)
    address_lower: Mapped[str] = field(String(120), "dem.lc", "Email (matching)", index=True,
                                       default="", server_default="")
    active: Mapped[bool] = flag("dem.ac", "Active", default=True, server_default="1")
    consent: Mapped[bool] = flag("dem.cs", "Consent to email")


class Address(Versioned, Base):
    __tablename__ = "addresses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), nullable=True, index=True)
    client_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=True, index=True)
    kind: Mapped[str] = text(10, "dad.ki", "Type")
    address: Mapped[str] = text(60, "dad.ad", "Address")
    address2: Mapped[str] = text(60, "dad.a2", "Address 2")
    city: Mapped[str] = text(40, "dad.ci", "City")
    state: Mapped[str] = text(4, "dad.st", "State", picklist="states")
    zip: Mapped[str] = text(12, "dad.zi", "Zip")
    country: Mapped[str] = text(4, "dad.cn", "Country", picklist="countries")
    address_ok: Mapped[bool] = flag("dad.ok", "Address OK")
    active: Mapped[bool] = flag("dad.ac", "Active", default=True, server_default="1")


class Tag(Base):
    """An operator's tagged list of accounts (space / Ctrl+A in a browse list)."""

    __tablename__ = "tags"
    operator_id: Mapped[str] = mapped_column(
        String(7), ForeignKey("operators.id", ondelete="CASCADE"), primary_key=True)
    debtor_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), primary_key=True)
