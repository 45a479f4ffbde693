"""A cell of any size for the tables of a whole cell: its members, their submitted reviews, its meeting, and the
proposals and decisions of the whole cell through the table services.

The self-reviews are written as rows (the self-review's own service is tested elsewhere, and members made in bulk
have no login to submit with); everything the tables do goes through the services.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from programmes.models import Cadre, OrganisationKind, PartyOrganisation, PartyPost
from reviews import services
from reviews.models import (
    CellMeeting,
    CommitmentAssessment,
    RatingLevel,
    Review,
    ReviewPeriod,
    ReviewState,
    Verdict,
)
from tests.factories import PositionFactory, copy_programme, make_member, make_members, make_organisation
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period

# Points the members claim and the cell proposes: 30 + 65 reach Excellent, so that every level may be decided.
GENERAL, TASK = 30, 65
REASON = "Cấp ủy xem xét kết quả thực hiện nhiệm vụ cụ thể của đồng chí trong năm."


@dataclass
class BulkCell:
    period: ReviewPeriod
    cell: PartyOrganisation
    secretary: User
    deputy: User
    # Every review of the cell in the period, by name.
    reviews: list[Review]

    def refreshed(self) -> list[Review]:
        return list(
            Review.objects.filter(period=self.period, place=self.cell)
            .select_related("period__rule_set", "cadre", "place", "cell", "deciding_organisation")
            .order_by("cadre__name_folded", "pk")
        )


def _cell(cast, size: int, code: str) -> tuple[PartyOrganisation, Cadre, Cadre, list[Cadre]]:
    cell = make_organisation(f"Chi bộ Khu phố {code.upper()}", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    secretary = make_member(cell, f"bi_thu_{code}", full_name=f"Phan Văn Thư {code.upper()}")
    PositionFactory(cadre=secretary, organisation=cell, party_post=PartyPost.SECRETARY)
    deputy = make_member(cell, f"pho_bi_thu_{code}", full_name=f"Hồ Thị Phó {code.upper()}")
    PositionFactory(cadre=deputy, organisation=cell, party_post=PartyPost.DEPUTY_SECRETARY)
    return cell, secretary, deputy, [secretary, deputy, *make_members(cell, size - 2)]


def bulk_cells(cast, *sizes: int) -> list[BulkCell]:
    """Cells 1C, 1D… of the grassroots committee with `sizes` members (each with its secretary and deputy), each
    member with the member's confirmed programme (two commitments), in the ward's period; every review submitted
    at 30 + 65 points, Good, each commitment beyond its target."""
    made = [_cell(cast, size, f"1{chr(ord('c') + index)}") for index, size in enumerate(sizes)]
    template = make_confirmed(cast.member, cast.secretary.user)
    copy_programme(template, [cadre for *_people, members in made for cadre in members])
    period = open_period(cast.ward, cast.org_board)
    cells = []
    for (cell, secretary, deputy, _members), size in zip(made, sizes, strict=True):
        reviews = Review.objects.filter(period=period, place=cell)
        assert reviews.count() == size
        reviews.update(
            state=ReviewState.SELF_SUBMITTED,
            self_general_points=GENERAL,
            self_task_points=TASK,
            self_level=RatingLevel.GOOD,
            self_submitted_at=timezone.now(),
        )
        CommitmentAssessment.objects.filter(review__in=reviews).update(self_verdict=Verdict.EXCEEDED)
        assert secretary.user is not None and deputy.user is not None
        found = BulkCell(period, cell, secretary.user, deputy.user, [])
        found.reviews = found.refreshed()
        cells.append(found)
    return cells


def bulk_cell(cast, size: int) -> BulkCell:
    return bulk_cells(cast, size)[0]


def cell_meeting(cell: BulkCell) -> CellMeeting:
    size = len(cell.reviews)
    return services.meeting_record(
        period=cell.period,
        cell=cell.cell,
        held_on=timezone.localdate(),
        members_total=size,
        members_present=size - 1,
        chaired_by="Phan Văn Thư",
        minutes="Chi bộ họp kiểm điểm cuối năm, góp ý từng bản kiểm điểm và biểu quyết đề xuất.",
        acting_user=cell.secretary,
    )


def proposal_row(review: Review, level: str = RatingLevel.GOOD, **changes) -> services.ProposalRow:
    """The cell's proposal for one member as the table sends it: 30 + 65 points, every commitment beyond its target."""
    values: dict[str, Any] = {
        "review": review,
        "level": level,
        "votes_for": 2,
        "votes_against": 0,
        "general_points": GENERAL,
        "task_points": TASK,
        "comments": "Chi bộ thống nhất đề xuất.",
        "verdicts": {assessment.pk: (Verdict.EXCEEDED, "") for assessment in review.assessments.all()},
    }
    values.update(changes)
    return services.ProposalRow(**values)


def propose_all(cell: BulkCell, levels: dict[int, str] | None = None) -> CellMeeting:
    """The whole cell proposed at one meeting through the table: by the secretary, and his own by the deputy; Good
    unless `levels` (review id → level) says otherwise."""
    meeting = cell_meeting(cell)
    levels = levels or {}
    own = [review for review in cell.reviews if review.cadre.user_id == cell.secretary.pk]
    others = [review for review in cell.reviews if review.cadre.user_id != cell.secretary.pk]
    for recorder, reviews in ((cell.secretary, others), (cell.deputy, own)):
        services.cell_proposals_record(
            period=cell.period,
            place=cell.cell,
            meeting=meeting,
            rows=[proposal_row(review, levels.get(review.pk, RatingLevel.GOOD)) for review in reviews],
            acting_user=recorder,
        )
    cell.reviews = cell.refreshed()
    return meeting


def decision_row(
    review: Review, level: str = RatingLevel.GOOD, proposed: str = RatingLevel.GOOD
) -> services.DecisionRow:
    return services.DecisionRow(review=review, level=level, reason="" if level == proposed else REASON)
