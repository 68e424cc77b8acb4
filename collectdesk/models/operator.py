"""Operators, distribution teams, access rights, pick lists and the audit log."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Versioned, field, flag, memo, number, percent, text, timestamp


class OperatorType(enum.StrEnum):
    SYSTEM = "SYSTEM"
    COLLECTOR = "COLLECTOR"
    DIAL_OPERATOR = "DIAL OPERATOR"
    CLIENT = "CLIENT"
    WEB_HOST = "WEB HOST"
    SCHEDULER = "SCHEDULER"
    DISTRIBUTION = "DISTRIBUTION"


class Messaging(enum.StrEnum):
    NORMAL = "normal"
    ADVANCED = "advanced"
    EXPERT = "expert"


class Operator(Versioned, Base):
    """A person who signs on, or a DISTRIBUTION team (never a sign-on)."""

    __tablename__ = "operators"
    id: Mapped[str] = field(String(7), "op.id", "ID", primary_key=True)
    name: Mapped[str] = text(40, "op.na", "Name",
                             help="The operator's full name, printed on letters.")
    title: Mapped[str] = text(40, "op.ti", "Title",
                              help="The operator's job title, printed on letters.")
    phone: Mapped[str] = text(20, "op.ph", "Phone", kind="phone",
                              help="The operator's direct phone number, printed on letters.")
    extension: Mapped[str] = text(8, "op.ex", "Extension",
                                  help="The operator's phone extension, printed on letters.")
    email: Mapped[str] = text(80, "op.em", "Email",
                              help="The operator's email address: email to the operator is sent "
                                   "here.")
    type: Mapped[str] = text(14, "op.ty", "Type", picklist="operator_types",
                             default=OperatorType.COLLECTOR.value,
                             server_default=OperatorType.COLLECTOR.value)
    user_level: Mapped[int] = number("op.ul", "User Level", default=10, server_default="10")
    client_id: Mapped[int | None] = field(Integer, "op.cl", "Client #", ForeignKey("clients.id"),
                                          nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200), default="", server_default="")
    must_set_password: Mapped[bool] = flag()
    failed_signons: Mapped[int] = number()
    locked_until: Mapped[dt.datetime | None] = timestamp()
    # Security tab
    enable_security: Mapped[bool] = flag(
        "op.sec", "Enable Security",
        help="Switch account access control on for this operator; off, they see every account "
             "whatever else is set.")
    strict: Mapped[bool] = flag("op.str", "Strict",
                                help="Strict: accounts they may not open are not found at all. "
                                     "Off: such accounts show as a placeholder (file, worked, "
                                     "operator, owing, group).")
    locked_out_by_default: Mapped[bool] = flag(
        "op.lob", "Locked out by default",
        help="Locked out of every account that does not name them (or their team) as Operator, "
             "Sales, Clerk or Access — even accounts with no access set.")
    security_client_id: Mapped[int | None] = field(
        Integer, "op.scl", "Client #", ForeignKey("clients.id"), nullable=True,
        help="Restrict the operator to this client's accounts and those of the clients it owns.")
    apply_to_client_accounts: Mapped[bool] = flag(
        "op.acl", "Apply to client accounts",
        help="Also restrict browsing and editing clients to that client and the clients it "
             "owns.")
    enable_verification: Mapped[bool] = flag(
        "op.ver", "Enable Verification",
        help="Ask this operator to confirm the fields marked Verify On Exit before leaving a "
             "form.")
    allow_browser_signon: Mapped[bool] = flag(
        "op.abs", "Allow Browser Signon",
        help="Allow this operator to sign on through the web host.")
    # Detail tab
    messaging: Mapped[str] = text(8, "op.msg", "Messaging", kind="radio",
                                  info={"choices": [m.value for m in Messaging]},
                                  default=Messaging.NORMAL.value, server_default=Messaging.NORMAL.value)
    use_softphone: Mapped[bool] = flag("op.sp", "Use softphone for dialer")
    note1: Mapped[str] = text(120, "op.n1", "Note 1")
    note2: Mapped[str] = text(120, "op.n2", "Note 2")
    disable_popup_help: Mapped[bool] = flag(
        "op.dph", "Disable popup help",
        help="Start this operator with pop-up help off; Help > Pop-up Help turns it back on.")
    automatic_recalc: Mapped[bool] = flag(
        "op.ar", "Automatic Recalc",
        help="Recalculate an account each time this operator opens it, so its figures are "
             "current.")
    exclude_cc_call: Mapped[bool] = flag(
        "op.xcc", "Exclude call contact controls",
        help="Contact controls do not bind this operator's calls: a call they refuse may still "
             "be dialed after \"Dial anyway?\".")
    exclude_cc_text: Mapped[bool] = flag(
        "op.xct", "Exclude text contact controls",
        help="Contact controls do not apply to this operator's text messages.")
    exclude_cc_email: Mapped[bool] = flag(
        "op.xce", "Exclude email contact controls",
        help="Contact controls do not apply to this operator's emails.")
    exclude_cc_letter: Mapped[bool] = flag(
        "op.xcl", "Exclude letter contact controls",
        help="Contact controls do not apply to this operator's letters.")
    print_destination: Mapped[str] = text(
        10, "op.pd", "Printing destination",
        help="Where this operator's printing goes; it overrides the printer setup.")
    printer_name: Mapped[str] = text(
        60, "op.pn", "Printer",
        help="The printer this operator prints to.")
    # Email tab
    smtp_enabled: Mapped[bool] = flag(
        "op.smtp", "Enable SMTP",
        help="Send this operator's email straight to the mail server below (SMTP).")
    smtp_host: Mapped[str] = text(80, "op.sh", "SMTP Host",
                                  help="The SMTP mail server's host name.")
    smtp_port: Mapped[int] = number("op.spo", "SMTP Port", default=587, server_default="587",
                                    help="The SMTP server's port: 587 with STARTTLS, 465 with "
                                         "TLS.")
    smtp_user: Mapped[str] = text(80, "op.su", "SMTP User",
                                  help="The user name for signing on to the SMTP server.")

    members: Mapped[list[TeamMember]] = relationship(
        foreign_keys="TeamMember.team_id", cascade="all, delete-orphan", back_populates="team")


class TeamMember(Base):
    """Membership of an operator (or a nested team) in a DISTRIBUTION team."""

    __tablename__ = "team_members"
    team_id: Mapped[str] = mapped_column(String(7), ForeignKey("operators.id", ondelete="CASCADE"),
                                         primary_key=True)
    member_id: Mapped[str] = field(String(7), "tm.mb", "Member",
                                   ForeignKey("operators.id", ondelete="CASCADE"),
                                   picklist="operators", primary_key=True, index=True,
                                   help="An operator, or a team nested in this one.")
    commission_percent: Mapped[Decimal] = percent("tm.pc", "Commission %")

    team: Mapped[Operator] = relationship(foreign_keys=[team_id], back_populates="members")


class Rights(enum.IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2


class AccessRight(Versioned, Base):
    """Properties of one form, field, menu item or button; per-level rights in FormRight."""

    __tablename__ = "access_rights"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = field(String(80), "ar.na", "Name", unique=True, nullable=False)
    kind: Mapped[str] = text(8, "ar.ki", "Kind")  # form | field | menu | button
    form: Mapped[str] = text(40, "ar.fo", "Form")
    alias: Mapped[str] = text(40, "ar.al", "Alias")
    hide_label: Mapped[bool] = flag("ar.hl", "Hide Label")
    picklist: Mapped[str] = text(40, "ar.pl", "Pick List File")
    control_file: Mapped[str] = text(80, "ar.cf", "Control File")
    list_width: Mapped[int] = number("ar.lw", "List Width")
    color: Mapped[str] = text(6, "ar.co", "Color")
    verify_on_exit: Mapped[bool] = flag("ar.ve", "Verify On Exit")
    log_verification: Mapped[bool] = flag("ar.lv", "Log Verification")
    log_to_notes: Mapped[bool] = flag("ar.ln", "Log To Notes")
    required: Mapped[bool] = flag("ar.rq", "Required")

    form_rights: Mapped[list[FormRight]] = relationship(
        back_populates="access_right", cascade="all, delete-orphan", order_by="FormRight.user_level")


class FormRight(Versioned, Base):
    __tablename__ = "form_rights"
    __table_args__ = (UniqueConstraint("access_right_id", "user_level"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_right_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("access_rights.id", ondelete="CASCADE"), index=True)
    user_level: Mapped[int] = number("fr.lv", "Level")
    rights: Mapped[int] = number("fr.ri", "Rights", default=int(Rights.WRITE),
                                 server_default=str(int(Rights.WRITE)))
    alias: Mapped[str] = text(40, "fr.al", "Alias")
    picklist: Mapped[str] = text(40, "fr.pl", "Pick List File")

    access_right: Mapped[AccessRight] = relationship(back_populates="form_rights")


class PickList(Versioned, Base):
    __tablename__ = "pick_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = field(String(40), "pl.na", "Name", unique=True, nullable=False)
    data_type: Mapped[str] = text(10, "pl.dt", "Data Type", default="text", server_default="text")
    system: Mapped[bool] = flag("pl.sy", "System list")
    description: Mapped[str] = text(80, "pl.de", "Description")

    entries: Mapped[list[PickListEntry]] = relationship(
        back_populates="pick_list", cascade="all, delete-orphan", order_by="PickListEntry.order")


class PickListEntry(Base):
    __tablename__ = "pick_list_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pick_list_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("pick_lists.id", ondelete="CASCADE"), index=True)
    order: Mapped[int] = number("pe.or", "Order")
    key: Mapped[str] = text(60, "pe.ke", "Key")
    color: Mapped[str] = text(6, "pe.co", "Color")
    text: Mapped[str] = memo("pe.tx", "Text")  # last: shadows the column helper in this body

    pick_list: Mapped[PickList] = relationship(back_populates="entries")

    @property
    def shown(self) -> str:
        return self.text or self.key


class AuditEntry(Base):
    """Sign-ons, lock-outs, changes to rights and operators, refused access."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = field(DateTime, "au.at", "When", nullable=False, index=True)
    operator_id: Mapped[str] = field(String(7), "au.op", "Operator", default="",
                                     server_default="")
    event: Mapped[str] = field(String(30), "au.ev", "Event", nullable=False)
    detail: Mapped[str] = memo("au.de", "Detail")
