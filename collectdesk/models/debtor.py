"""The account: Debtor with its Detail, Interest Detail, Credit Report Details, Cosigners, groups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from .base import Base, Versioned, date, field, flag, memo, money, number, percent, text, timestamp

if TYPE_CHECKING:
    from .client import Client


class DebtorMode:
    ACTIVE = "A"
    CLOSED = "C"
    ARCHIVED = "X"
    LABELS = {ACTIVE: "Active", CLOSED: "Closed", ARCHIVED: "Archived"}


class DebtorGroup(Base):
    """Several accounts of one person, worked together."""

    __tablename__ = "debtor_groups"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = field(Integer, "dg.nu", "Group", primary_key=True)
    name: Mapped[str] = text(60, "dg.na", "Name")
    within_client_only: Mapped[bool] = flag("dg.wc", "Group within client only")


class Debtor(Versioned, Base):
    """An account.  ``id`` is the File Number: allocated by the database, never reused."""

    __tablename__ = "debtors"
    __table_args__ = (
        Index("ix_debtors_client_account", "client_id", "account"),
        Index("ix_debtors_mode_name", "mode", "name"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = field(Integer, "de.fn", "File", primary_key=True,
                            help="The file number: allocated by the database, unique and never "
                                 "reused. Not the client's account number (Acct).")
    file_number = synonym("id")
    client_id: Mapped[int] = field(
        Integer, "de.cl", "Client", ForeignKey("clients.id"), nullable=False,
        help="The client whose account this is; its Client Settings give the new account's "
             "rates, operator and contact plan.")
    account: Mapped[str] = text(30, "de.ac", "Acct", index=True,
                                help="The client's own account number or identifier for this "
                                     "debt; Find By searches it with the client.")
    # Identity and demographics (left side of the form)
    name: Mapped[str] = text(
        60, "de.na", "Name", required=True, index=True,
        help="The debtor's name as Last, First Middle — letters, Find By and the credit bureaus "
             "read it so. FOR CBR: without a comma it is taken as a business; hyphenate two "
             "last names (Van-Deusen, Jack).")
    generation: Mapped[str] = text(6, "de.ge", "Generation")
    legal_entity: Mapped[str] = text(
        4, "de.le", "Legal Entity", picklist="legal_entities",
        help="The legal entity of a commercial account (corporation, partnership …); blank for "
             "a person.")
    address: Mapped[str] = text(60, "de.ad", "Address",
                                help="Street address. FOR CBR: postal abbreviations and no # "
                                     "sign; the apartment or suite goes in Addr 1.")
    address2: Mapped[str] = text(60, "de.a2", "Addr 1",
                                 help="The apartment or suite number only — no \"Apt\", "
                                      "\"Suite\" or # (FOR CBR).")
    city: Mapped[str] = text(40, "de.ci", "City",
                             help="City. FOR CBR: at most 20 characters, or the postal "
                                  "service's abbreviation.")
    state: Mapped[str] = text(4, "de.st", "State", picklist="states",
                              help="State or province postal code, e.g. WA.")
    zip: Mapped[str] = text(12, "de.zi", "Zip",
                            help="ZIP (5 or 9 digits) or Canadian postal code. Address OK is "
                                 "switched on when the address is complete.")
    country: Mapped[str] = text(4, "de.cn", "Country", picklist="countries",
                                help="Two-letter country code; blank for your own country's "
                                     "addresses.")
    address_ok: Mapped[bool] = flag("de.aok", "Address OK",
                                    help="On when letters may be mailed to this address: batch "
                                         "printing skips the account while it is off.")
    home_phone: Mapped[str] = text(20, "de.hp", "Home", kind="phone",
                                   help="The debtor's home phone in any format; Find By matches "
                                        "the digits and the phone icon dials it.")
    work_phone: Mapped[str] = text(20, "de.wp", "Work", kind="phone",
                                   help="The debtor's work phone in any format; the phone icon "
                                        "dials it.")
    cell_phone: Mapped[str] = text(20, "de.cp", "Cell", kind="phone",
                                   help="The debtor's cell phone in any format; the phone icon "
                                        "dials it.")
    fax: Mapped[str] = text(20, "de.fx", "Fax", kind="phone",
                            help="The debtor's fax number.")
    email: Mapped[str] = text(80, "de.em", "Email",
                              help="The debtor's email address, for emailed letters; Find By "
                                   "searches it.")
    ssn: Mapped[str] = text(11, "de.ss", "SSN", index=True,
                            help="Social Security Number, nine digits (FOR CBR). Leave it blank "
                                 "when unknown: a placeholder such as 000-00-0000 upsets Find "
                                 "By and account matching.")
    birth_date: Mapped[dt.date | None] = date(
        "de.dob", "DOB",
        help="Date of birth; blank when unknown. FOR CBR: accounts with neither SSN nor DOB are "
             "not reported.")
    employer: Mapped[str] = text(60, "de.emp", "Employer",
                                 help="The debtor's employer, for skip tracing and letters; its "
                                      "address and phones go on the Cosigners tab as an "
                                      "Employer.")
    timezone: Mapped[str] = text(40, "de.tz", "Timezone",
                                 help="The debtor's time zone (e.g. America/Chicago). Blank: "
                                      "taken from the phone's area code or the ZIP. The title "
                                      "bar shows the debtor's local time from it.")
    user1: Mapped[str] = text(40, "de.u1", "User 1")
    user2: Mapped[str] = text(40, "de.u2", "User 2")
    user3: Mapped[str] = text(40, "de.u3", "User 3")
    # Account and assignment (right side)
    mode: Mapped[str] = text(
        1, "de.mo", "Mode", picklist="debtor_modes", default=DebtorMode.ACTIVE,
        server_default=DebtorMode.ACTIVE,
        help="A (Active) for accounts you work: they count in the financials and appear in WIP "
             "lists. C when closed, X when archived.")
    status: Mapped[str] = text(4, "de.sts", "Status", picklist="status_codes",
                               help="The account's status code (ACT, PPA, BNK …); contact "
                                    "plans, letters and reports select accounts by it.")
    operator_id: Mapped[str] = text(7, "de.op", "Operator", picklist="operators", index=True,
                                    help="The collector the account is assigned to: its "
                                         "contacts appear in that operator's WIP list and "
                                         "account access follows it.")
    sales_id: Mapped[str] = text(7, "de.sa", "Sales", picklist="operators", index=True,
                                 help="The salesperson or distribution team credited with the "
                                      "account (commission, account access).")
    type: Mapped[str] = text(4, "de.ty", "Type", picklist="debtor_types",
                             help="Your own classification of the account, for tracking and "
                                  "reports.")
    forward: Mapped[str] = text(10, "de.fw", "Forward",
                                help="The agency or attorney the account is forwarded to, when "
                                     "you outsource its collection.")
    legal: Mapped[str] = text(10, "de.lg", "Legal",
                              help="The attorney or legal file code, when the account is in "
                                   "legal action.")
    summary: Mapped[str] = text(60, "de.su", "Summary")
    run_plan: Mapped[str] = text(8, "de.rp", "Run Plan", picklist="contact_plans",
                                 help="A plan code (F2 lists them): Enter or leaving the "
                                      "field saves the account and runs it. On a new account "
                                      "it runs at the first save; do not empty it, or the "
                                      "new-business plan will not run.")
    listed_date: Mapped[dt.date | None] = date(
        "de.li", "Listed",
        help="The date the client listed (placed) the account; today when it is entered.")
    charged_date: Mapped[dt.date | None] = date(
        "de.ch", "Charged",
        help="The date the creditor charged the debt off (date of last service); credit "
             "reporting uses it when there is no delinquency date.")
    delinquent_date: Mapped[dt.date | None] = date(
        "de.dl", "Delnqnt",
        help="The date of the first delinquency that led to collection, as the client supplied "
             "it. FOR CBR: required to report; never make one up.")
    itemization_date: Mapped[dt.date | None] = date(
        "de.itd", "Itemization",
        help="The itemization date your client supplied (USA); the client must give the amounts "
             "as of this date.")
    judgement_date: Mapped[dt.date | None] = date(
        "de.jd", "Judgement",
        help="The judgement date; transactions paid before it drop out of the financials.")
    last_worked: Mapped[dt.datetime | None] = timestamp(
        "de.lw", "Worked",
        help="When the account was last worked by a collector.")
    time_barred_date: Mapped[dt.date | None] = date(
        "de.tb", "Time Barred",
        help="The date the debt becomes time-barred (the limitation period ends).")
    group_id: Mapped[int | None] = field(
        Integer, "de.gr", "Group", ForeignKey("debtor_groups.id"), nullable=True, index=True,
        help="The group of accounts of the same person, worked together (Group tab); blank for "
             "an account on its own.")
    group_member: Mapped[int] = number(
        "de.gm", "Member",
        help="This account's member number within its group.")
    confidential: Mapped[bool] = flag("de.cf", "Confidential")
    # Financial detail: written by the financial engine's recalculation
    original_principal: Mapped[Decimal] = money(
        "de.opr", "Original Principal",
        help="The principal the client placed with you; the account's first original-principal "
             "transaction fills it.")
    judgement_principal: Mapped[Decimal] = money(
        "de.jpr", "Judgement Principal",
        help="The principal awarded by a judgement, when the account has one.")
    principal: Mapped[Decimal] = money(
        "de.pr", "Principal",
        help="Principal owed: original principal and principal adjustments, written by "
             "recalculation from the transactions.")
    interest: Mapped[Decimal] = money(
        "de.in", "Interest",
        help="Interest accrued to date under the Interest tab's terms, written by "
             "recalculation.")
    fees: Mapped[Decimal] = money("de.fe", "Fees",
                                  help="Fees charged to the debtor, written by recalculation.")
    legal_costs: Mapped[Decimal] = money(
        "de.lc", "Legal",
        help="Legal and court costs charged to the account, written by recalculation.")
    paid: Mapped[Decimal] = money("de.pd", "Paid",
                                  help="Everything paid on the account, to you and directly to "
                                       "the client, written by recalculation.")
    adjustments: Mapped[Decimal] = money(
        "de.adj", "Adjustments",
        help="Adjustments to the balance (reductions, corrections), written by recalculation.")
    owing: Mapped[Decimal] = money("de.ow", "Owing",
                                   help="What the debtor owes now: principal, interest, fees "
                                        "and legal costs less payments and adjustments.")
    last_payment_date: Mapped[dt.date | None] = date(
        "de.lpd", "Last Paid",
        help="The payment date of the last payment.")
    last_payment_amount: Mapped[Decimal] = money(
        "de.lpa", "Last Payment",
        help="The amount of the last payment.")
    commission_total: Mapped[Decimal] = money(
        "de.cmt", "Commission",
        help="Commission earned on the account's payments, written by recalculation.")
    tax_total: Mapped[Decimal] = money(
        "de.txt", "Tax",
        help="Tax on that commission, written by recalculation.")
    internal_total: Mapped[Decimal] = money(
        "de.int", "Internal",
        help="Total of internal transactions: recorded for your reports, they change nothing "
             "the debtor owes.")
    # Commission and tax tabs (copied from Client Settings when the account is entered)
    commission_rate: Mapped[Decimal] = percent(
        "de.cr", "Rate",
        help="The commission rate on payments, copied from the Client Settings when the account "
             "was entered.")
    commission_principal: Mapped[Decimal | None] = percent(
        "de.cr1", "Rate on Principal", nullable=True, default=None, server_default=None,
        help="Commission rate on the part of a payment applied to principal; blank uses Rate.")
    commission_interest: Mapped[Decimal | None] = percent(
        "de.cr2", "Rate on Interest", nullable=True, default=None, server_default=None,
        help="Commission rate on the part of a payment applied to interest; blank uses Rate.")
    commission_fees: Mapped[Decimal | None] = percent(
        "de.cr3", "Rate on Fees", nullable=True, default=None, server_default=None,
        help="Commission rate on the part of a payment applied to fees; blank uses Rate.")
    commission_legal: Mapped[Decimal | None] = percent(
        "de.cr4", "Rate on Legal", nullable=True, default=None, server_default=None,
        help="Commission rate on the part of a payment applied to legal costs; blank uses Rate.")
    rate_plan: Mapped[str] = text(8, "de.rpl", "Rate Plan", picklist="rate_plans",
                                  help="A commission rate plan that sets the rate by balance, "
                                       "age or payments; blank for the flat Rate.")
    tax_rate: Mapped[Decimal] = percent(
        "de.tr", "Tax Rate",
        help="Tax rate charged on your commission, copied from the Client Settings. Tax is "
             "never charged on the amount recovered.")
    tax_exempt: Mapped[bool] = flag("de.te", "Tax Exempt",
                                    help="No tax on the commission earned on this account.")
    bill_commission_to_debtor: Mapped[bool] = flag(
        "de.bcd", "Bill Commission to Debtor",
        help="Add your commission to what the debtor owes, as a collection charge — only where "
             "the law allows it.")
    created_at: Mapped[dt.datetime | None] = timestamp("de.cre", "Created")

    client: Mapped[Client] = relationship(back_populates="debtors")
    detail: Mapped[DebtorDetail | None] = relationship(uselist=False, cascade="all, delete-orphan",
                                                       back_populates="debtor")
    interest_detail: Mapped[InterestDetail | None] = relationship(
        uselist=False, cascade="all, delete-orphan", back_populates="debtor")
    credit_report: Mapped[CreditReport | None] = relationship(
        uselist=False, cascade="all, delete-orphan", back_populates="debtor")
    group: Mapped[DebtorGroup | None] = relationship()


class DebtorDetail(Versioned, Base):
    """Clerk and Access (account access control), bank information, Detail 1-4."""

    __tablename__ = "debtor_details"
    debtor_id: Mapped[int] = mapped_column(Integer, ForeignKey("debtors.id", ondelete="CASCADE"),
                                           primary_key=True)
    clerk_id: Mapped[str] = text(7, "dd.cl", "Clerk", picklist="operators", index=True,
                                 help="The clerk who entered or maintains the account; account "
                                      "access control lets this operator or team open it.")
    access_id: Mapped[str] = text(7, "dd.ac", "Access", picklist="operators", index=True,
                                  help="Account access control: the operator or team allowed to "
                                       "open this account. Blank: anyone not locked out by "
                                       "default may.")
    bank_name: Mapped[str] = text(40, "dd.bn", "Bank",
                                  help="The debtor's bank, for checks by phone — enter it only "
                                       "with the debtor's permission.")
    bank_routing: Mapped[str] = text(
        12, "dd.br", "Routing #",
        help="The bank's routing (transit) number, for checks by phone.")
    bank_account: Mapped[str] = text(
        20, "dd.ba", "Bank Account #",
        help="The debtor's bank account number, for checks by phone.")
    detail1: Mapped[str] = text(40, "dd.d1", "Detail 1",
                                help="A free line of account detail for your own use; an access "
                                     "right can give it a name (alias).")
    detail2: Mapped[str] = text(40, "dd.d2", "Detail 2",
                                help="A free line of account detail for your own use; an access "
                                     "right can give it a name (alias).")
    detail3: Mapped[str] = text(40, "dd.d3", "Detail 3",
                                help="A free line of account detail for your own use; an access "
                                     "right can give it a name (alias).")
    detail4: Mapped[str] = text(40, "dd.d4", "Detail 4",
                                help="A free line of account detail for your own use; an access "
                                     "right can give it a name (alias).")

    debtor: Mapped[Debtor] = relationship(back_populates="detail")


class InterestDetail(Versioned, Base):
    """Interest settings of an account: type, annual rate, Calculate-From, original interest."""

    __tablename__ = "interest_details"
    debtor_id: Mapped[int] = mapped_column(Integer, ForeignKey("debtors.id", ondelete="CASCADE"),
                                           primary_key=True)
    interest_type: Mapped[str] = text(
        10, "di.ty", "Interest Type", kind="radio",
        info={"choices": ["none", "simple", "compound"]}, default="none", server_default="none",
        help="How interest accrues on the principal: none, simple, or compound.")
    annual_rate: Mapped[Decimal] = percent(
        "di.ra", "Annual Rate",
        help="The annual interest rate the debt carries.")
    calculate_from: Mapped[dt.date | None] = date(
        "di.cf", "Calculate Interest From",
        help="Interest is calculated from this date; payments before it earn no interest.")
    compound_period: Mapped[str] = text(
        10, "di.cp", "Compound", default="monthly", server_default="monthly",
        help="How often compound interest is added to the principal (compound interest only).")
    original_interest: Mapped[Decimal] = money(
        "di.oi", "Original Interest",
        help="Interest charged before the account was placed. Only the first 197 (or 195) "
             "transaction fills this.")
    original_judgement_interest: Mapped[Decimal] = money(
        "di.oji", "Original Judgement Interest",
        help="Interest awarded with the judgement; only the first Original Judgement Interest "
             "(195) transaction fills it.")
    accrued_interest: Mapped[Decimal] = money(
        "di.ai", "Accrued Interest",
        help="Interest accrued since Calculate Interest From, written by recalculation.")
    interest_adjustments: Mapped[Decimal] = money(
        "di.adj", "Interest Adjustments",
        help="Interest adjustments (waived or corrected interest), written by recalculation.")
    judgement_rate: Mapped[Decimal] = percent(
        "di.jr", "Judgement Rate",
        help="The interest rate after judgement, used from the judgement date.")
    payment_amount: Mapped[Decimal] = money(
        "di.pa", "Payment Amount",
        help="The agreed periodic payment; promises and payment plans compare what is paid with "
             "it.")
    late_fee: Mapped[Decimal] = money(
        "di.lf", "Late Fee",
        help="The late fee charged when a payment arrives after its due date.")
    calculate_delinquency: Mapped[bool] = flag(
        "di.cdd", "Calculate delinquency date",
        help="Credit grantors: an unmet promise moves the delinquency date to 31 days after the "
             "promise.")

    debtor: Mapped[Debtor] = relationship(back_populates="interest_detail")


class CreditReport(Versioned, Base):
    """Credit Report Details (the CBR tab)."""

    __tablename__ = "credit_reports"
    debtor_id: Mapped[int] = mapped_column(Integer, ForeignKey("debtors.id", ondelete="CASCADE"),
                                           primary_key=True)
    report: Mapped[bool] = flag("cbr.re", "Report to credit bureau",
                                help="Report this account in the next Metro 2 file. Cosigners "
                                     "are reported only with Report cosigners on as well.")
    start_reporting: Mapped[dt.date | None] = date(
        "cbr.sr", "Start Reporting",
        help="The date reporting starts; filled from the client's Delay From and Delay Days "
             "when a reporting delay is used.")
    account_status: Mapped[str] = text(
        2, "cbr.as", "Account Status", picklist="cbr_account_status",
        help="The Metro 2 account status reported; it follows the account (e.g. paid in full). "
             "Change it only to delete the account or report a bankruptcy.")
    portfolio_type: Mapped[str] = text(
        1, "cbr.pt", "Portfolio Type", default="O", server_default="O",
        help="Metro 2 portfolio type (O open, I installment, R revolving …), from the Credit "
             "Report Preferences.")
    account_type: Mapped[str] = text(
        2, "cbr.at", "Account Type", default="48", server_default="48",
        help="Metro 2 account type code (e.g. 48 for a collection agency or attorney).")
    ecoa_code: Mapped[str] = text(1, "cbr.ec", "ECOA Code", default="1", server_default="1",
                                  help="Metro 2 ECOA code: how the debtor is liable (1 "
                                       "individual, 2 joint …).")
    special_comment: Mapped[str] = text(
        2, "cbr.sc", "Special Comment",
        help="Metro 2 special comment code, e.g. for an account paid by a payment plan.")
    compliance_condition: Mapped[str] = text(
        2, "cbr.cc", "Compliance Condition",
        help="Metro 2 compliance condition code, e.g. XB while the consumer disputes the "
             "account.")
    report_cosigners: Mapped[bool] = flag(
        "cbr.rc", "Report cosigners",
        help="Report the account's cosigners too; each cosigner's own Report to credit bureau "
             "must be on.")
    last_reported: Mapped[dt.date | None] = date(
        "cbr.lr", "Last Reported",
        help="When the account was last sent in a Metro 2 file.")
    date_closed: Mapped[dt.date | None] = date(
        "cbr.dc", "Date Closed",
        help="The date the account was closed, as reported to the bureaus.")

    debtor: Mapped[Debtor] = relationship(back_populates="credit_report")


class CosignerClass:
    COSIGNER = "cosigner"
    EMPLOYER = "employer"
    ACH_PAYER = "ach"
    CC_PAYER = "cc"
    OTHER = "other"
    ALL = (COSIGNER, EMPLOYER, ACH_PAYER, CC_PAYER, OTHER)


class Cosigner(Versioned, Base):
    """A related party of an account (also a client's Associate)."""

    __tablename__ = "cosigners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("debtors.id", ondelete="CASCADE"), index=True, nullable=True)
    client_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("clients.id", ondelete="CASCADE"), index=True, nullable=True)
    cosigner_class: Mapped[str] = text(
        10, "dc.cls", "Class", picklist="cosigner_classes", default=CosignerClass.COSIGNER,
        server_default=CosignerClass.COSIGNER,
        help="Cosigner, employer, ACH payer, credit card payer or other.")
    name: Mapped[str] = text(60, "dc.na", "Name", required=True,
                             help="Last Name, First — or the company name for an employer.")
    relationship_to_debtor: Mapped[str] = text(
        20, "dc.rel", "Relationship",
        help="How this party is related to the debtor (spouse, parent, employer …).")
    address: Mapped[str] = text(60, "dc.ad", "Address",
                                help="Street address. FOR CBR: postal abbreviations, no # sign; "
                                     "the apartment goes in Addr 1.")
    address2: Mapped[str] = text(60, "dc.a2", "Addr 1",
                                 help="The apartment or suite number only (FOR CBR).")
    city: Mapped[str] = text(40, "dc.ci", "City",
                             help="The party's city.")
    state: Mapped[str] = text(4, "dc.st", "State", picklist="states",
                              help="The party's state or province postal code.")
    zip: Mapped[str] = text(12, "dc.zi", "Zip",
                            help="The party's ZIP or postal code.")
    country: Mapped[str] = text(4, "dc.cn", "Country", picklist="countries",
                                help="Two-letter country code of the party's address.")
    home_phone: Mapped[str] = text(20, "dc.hp", "Home", kind="phone",
                                   help="Home phone in any format; the phone icon dials it and "
                                        "the call is recorded on the account with this party.")
    work_phone: Mapped[str] = text(20, "dc.wp", "Work", kind="phone",
                                   help="Work phone in any format; the phone icon dials it and "
                                        "the call is recorded on the account with this party.")
    cell_phone: Mapped[str] = text(20, "dc.cp", "Cell", kind="phone",
                                   help="Cell phone in any format; the phone icon dials it and "
                                        "the call is recorded on the account with this party.")
    email: Mapped[str] = text(80, "dc.em", "Email",
                              help="The party's email address.")
    ssn: Mapped[str] = text(11, "dc.ss", "SSN",
                            help="Social Security Number (FOR CBR: nine digits; blank when "
                                 "unknown).")
    birth_date: Mapped[dt.date | None] = date(
        "dc.dob", "DOB",
        help="Date of birth; blank when unknown.")
    report_to_bureau: Mapped[bool] = flag(
        "dc.rb", "Report to credit bureau",
        help="FOR CBR: report this party with the account; the account's CBR tab needs Report "
             "cosigners on too.")
    ecoa_code: Mapped[str] = text(1, "dc.ec", "ECOA Code", default="2", server_default="2",
                                  help="FOR CBR: the Metro 2 ECOA code of this party's "
                                       "liability (e.g. 2 joint, 5 co-maker).")
    include_in_letters: Mapped[bool] = flag(
        "dc.il", "Include in batch letters",
        help="Send this party the account's batch letters too.")
    notes: Mapped[str] = memo("dc.no", "Notes",
                              help="Free notes about this party.")

