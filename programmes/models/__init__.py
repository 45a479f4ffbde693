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
from .organisations import OrganisationKind, OrganisationSuccession, PartyOrganisation, SuccessionShare

__all__ = [
    "AuditEvent",
    "Cadre",
    "CadrePrivateDetails",
    "Membership",
    "MembershipStatus",
    "MemberType",
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
