"""The one place that answers "may this user see or do this, here?". Views, services and selectors ask this
package (`from programmes import access`; `access.can(...)`); nothing else decides access.

What lives where:

- `holdings`: grants and role lookups. Personas, actions and which personas may do which action
  (`PERMISSIONS`); a user's grants today (from membership, party posts, role assignments); `can` / `holds` /
  `grants_allowing` with their queryset twins `organisations_where` / `holding_condition` / `paths_where`; the
  system administrator (`is_superuser`); the accounts holding a role over an area; the second factor.
- `organisations`: organisation scope. Which organisations and cadres a user may see, a cadre's private
  details, erasing a cadre, the import jobs a user may see, whose figures (dashboards) a user may read.
- `administration`: the admin's own rules (unscoped rows, history reverts, placing nodes, the tree's tops).
- `granting`: who may give whom a right (link an account, assign a role); programmes.grants makes the change.
- `programmes`: programme visibility. Who reads a programme and its versions, who owns it, who confirms it.
- `exports`: who may take a spreadsheet of a staff list away, and who downloads one made in the background.
- `commitments`: what of a readable programme's commitments a reader sees (the owner's caps, the owner's chain).
- `closing`: who closes a programme early and who evaluates its results at the end of term (its confirmer), and
  who reads the evaluation's own words (the owner's chain).
- `evidence`: who checks the evidence behind a "done" claim (the programme's confirmer), and what waits for them.
- `collectives`: party organisations reviewed as collectives: who rates them (the level directly above) and who
  writes and reads their report (Mẫu 01); reviews.access re-exports these rules.

The apps built on programmes keep their own access modules (reviews.access, publicity.access), which apply
these grants to their objects.
"""

from programmes.access.administration import (
    cadre_placement_refusal,
    managed_tops,
    may_place_node,
    may_revert_history,
    own_record_change_refusal,
    sees_every_admin_row,
    stored_role_holder_id,
)
from programmes.access.closing import (
    can_close_programme,
    can_evaluate_programme,
    is_programme_confirmer,
    reads_end_of_term_judgement,
)
from programmes.access.commitments import (
    CommitmentReading,
    CommitmentReadings,
    commitment_level,
    commitment_reading,
    deciding_organisation_in,
    effective_level,
    leads_in_review,
    programmes_read_in_full,
    readable_commitments,
)
from programmes.access.evidence import can_check_evidence, checks_evidence_of, evidence_to_check
from programmes.access.exports import (
    can_download_export,
    can_export_lists,
    can_export_members,
    can_follow_export,
)
from programmes.access.holdings import (
    PERMISSIONS,
    SECOND_FACTOR_PERSONAS,
    Action,
    AnyUser,
    Grant,
    Persona,
    accounts_acting_at,
    accounts_holding_role,
    actions_of,
    acts_on_whole_tree,
    can,
    can_anywhere,
    current_role_areas,
    forget_grants,
    get_or_404,
    grants_allowing,
    grants_for,
    holding_condition,
    holds,
    holds_persona,
    is_protected_account,
    is_secretary_anywhere,
    is_superuser,
    organisations_covered,
    organisations_where,
    path_and_above,
    paths_where,
    personas,
    registers_programmes,
    requires_second_factor,
    role_holders_over,
    widest_organisation,
)
from programmes.access.organisations import (
    cadres_visible_to,
    can_erase_cadre,
    can_view_cadre,
    can_view_private_details,
    dashboard_tops,
    get_cadre_for,
    get_dashboard_organisation,
    get_organisation_for,
    import_jobs_condition,
)
from programmes.access.programmes import (
    SHARED_VERSION_STATES,
    can_confirm_version,
    can_view_programme,
    can_view_version,
    get_programme_for,
    is_programme_owner,
    programmes_visible_to,
    reader_cell,
    secretaries_of,
    secretary_user,
)

__all__ = [
    "PERMISSIONS",
    "SECOND_FACTOR_PERSONAS",
    "SHARED_VERSION_STATES",
    "Action",
    "AnyUser",
    "CommitmentReading",
    "CommitmentReadings",
    "Grant",
    "Persona",
    "accounts_acting_at",
    "accounts_holding_role",
    "actions_of",
    "acts_on_whole_tree",
    "cadre_placement_refusal",
    "cadres_visible_to",
    "can",
    "can_anywhere",
    "can_check_evidence",
    "can_close_programme",
    "can_confirm_version",
    "can_download_export",
    "can_erase_cadre",
    "can_evaluate_programme",
    "can_export_lists",
    "can_export_members",
    "can_follow_export",
    "can_view_cadre",
    "can_view_private_details",
    "can_view_programme",
    "can_view_version",
    "checks_evidence_of",
    "commitment_level",
    "commitment_reading",
    "current_role_areas",
    "dashboard_tops",
    "deciding_organisation_in",
    "effective_level",
    "evidence_to_check",
    "forget_grants",
    "get_cadre_for",
    "get_dashboard_organisation",
    "get_or_404",
    "get_organisation_for",
    "get_programme_for",
    "grants_allowing",
    "grants_for",
    "holding_condition",
    "holds",
    "holds_persona",
    "import_jobs_condition",
    "is_programme_confirmer",
    "is_programme_owner",
    "is_protected_account",
    "is_secretary_anywhere",
    "is_superuser",
    "leads_in_review",
    "managed_tops",
    "may_place_node",
    "may_revert_history",
    "organisations_covered",
    "organisations_where",
    "own_record_change_refusal",
    "path_and_above",
    "paths_where",
    "personas",
    "programmes_read_in_full",
    "programmes_visible_to",
    "readable_commitments",
    "reader_cell",
    "reads_end_of_term_judgement",
    "registers_programmes",
    "requires_second_factor",
    "role_holders_over",
    "secretaries_of",
    "secretary_user",
    "sees_every_admin_row",
    "stored_role_holder_id",
    "widest_organisation",
]
