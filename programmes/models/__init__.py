from .audit import AuditEvent
from .cadres import (
    Cadre,
    CadrePrivateDetails,
    Membership,
    MembershipStatus,
    MemberType,
    PartyPost,
    Position,
    PostKind,
    Role,
    RoleAssignment,
)
from .imports import ImportJob, ImportKind, ImportStatus
from .organisations import OrganisationKind, OrganisationSuccession, PartyOrganisation, SuccessionShare

__all__ = [
    "AuditEvent",
    "Cadre",
    "CadrePrivateDetails",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "MemberType",
    "Membership",
    "MembershipStatus",
    "OrganisationKind",
    "OrganisationSuccession",
    "PartyOrganisation",
    "PartyPost",
    "Position",
    "PostKind",
    "Role",
    "RoleAssignment",
    "SuccessionShare",
]
