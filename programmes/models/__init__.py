from .action_programmes import (
    ActionProgramme,
    ConfirmerRule,
    Occasion,
    ProgrammeState,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)
from .audit import AuditEvent, ReadEvent, ReadKind
from .cadres import (
    Cadre,
    CadrePrivateDetails,
    Membership,
    MembershipStatus,
    MemberType,
    PartyPost,
    Position,
    PostKind,
    ResidenceExemption,
    Role,
    RoleAssignment,
)
from .commitments import Commitment, CommitmentCategory, CommitmentTerms, Milestone, ProgressStatus
from .exports import ExportJob, ExportState
from .imports import ImportJob, ImportKind, ImportStatus
from .notifications import (
    AccountPreferences,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReminderLog,
)
from .organisations import OrganisationKind, OrganisationSuccession, PartyOrganisation, SuccessionShare
from .outbox import OutboxMessage
from .progress import ArchiveState, Evidence, EvidenceReview, LinkArchive, ProgressReport
from .summaries import SummaryMark

__all__ = [
    "AccountPreferences",
    "ActionProgramme",
    "ArchiveState",
    "AuditEvent",
    "Cadre",
    "CadrePrivateDetails",
    "Commitment",
    "CommitmentCategory",
    "CommitmentTerms",
    "ConfirmerRule",
    "Delivery",
    "Evidence",
    "EvidenceReview",
    "ExportJob",
    "ExportState",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "LinkArchive",
    "MemberType",
    "Membership",
    "MembershipStatus",
    "Milestone",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Occasion",
    "OrganisationKind",
    "OrganisationSuccession",
    "OutboxMessage",
    "PartyOrganisation",
    "PartyPost",
    "Position",
    "PostKind",
    "ProgrammeState",
    "ProgrammeVersion",
    "ProgressReport",
    "ProgressStatus",
    "PublicityLevel",
    "ReadEvent",
    "ReadKind",
    "ReminderLog",
    "ResidenceExemption",
    "Role",
    "RoleAssignment",
    "SuccessionShare",
    "SummaryMark",
    "VersionState",
]
