"""The persistent model of CollectDesk: every record of SPEC.md "Records"."""

from .base import Base
from .client import Client, ClientSettings
from .company import CompanyDetails, Preferences
from .contact import (
    WIP_TYPES,
    Assign,
    Contact,
    ContactControl,
    ContactPlan,
    ContactType,
    Holiday,
    PlanEvent,
    StatusCode,
    StatuteOfLimitations,
)
from .debtor import (
    Cosigner,
    CosignerClass,
    CreditReport,
    Debtor,
    DebtorDetail,
    DebtorGroup,
    DebtorMode,
    InterestDetail,
)
from .operator import (
    AccessRight,
    AuditEntry,
    FormRight,
    Messaging,
    Operator,
    OperatorType,
    PickList,
    PickListEntry,
    Rights,
    TeamMember,
)
from .records import Address, Attachment, Email, Note, Phone, Tag
from .setup import (
    CommissionRatePlan,
    CommissionRateTier,
    FileFormat,
    ImportField,
    ImportRecord,
    Invoice,
    RatePlanKind,
    ReportDefinition,
)
from .transaction import (
    AmountMode,
    CommissionShare,
    FinancialType,
    Transaction,
    TransactionFlag,
    TransactionType,
)

__all__ = [
    "AccessRight", "Address", "AmountMode", "Assign", "Attachment", "AuditEntry", "Base", "Client",
    "ClientSettings", "CommissionRatePlan", "CommissionRateTier", "CommissionShare",
    "CompanyDetails", "Contact", "ContactControl", "ContactPlan", "ContactType", "Cosigner",
    "CosignerClass", "CreditReport",
    "Debtor", "DebtorDetail", "DebtorGroup", "DebtorMode", "Email", "FileFormat", "FinancialType",
    "FormRight", "Holiday", "ImportField", "ImportRecord", "InterestDetail", "Invoice", "Messaging",
    "Note", "Operator", "OperatorType", "Phone", "PickList", "PickListEntry", "PlanEvent",
    "Preferences", "RatePlanKind", "ReportDefinition", "Rights", "StatusCode",
    "StatuteOfLimitations", "Tag", "TeamMember", "Transaction", "TransactionFlag",
    "TransactionType", "WIP_TYPES",
]
