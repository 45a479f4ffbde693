"""What a period's opening writes, field by field: every review (its place, the cell proposing, the committee
deciding, the form, the posts held, the state and why not rated) and every pre-filled assessment (the commitment's
words, target and deadline as in force, in order), the rest left blank for the member and the cell to fill in.
Pinned on a ward with every kind of member, so that a faster way of writing them writes the same rows."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from programmes.action_programmes import services
from programmes.models import Commitment, CommitmentCategory, MembershipStatus, PartyPost, PostKind
from reviews.models import CommitmentAssessment, Review
from tests.factories import MembershipFactory, PositionFactory, copy_programme, make_members, make_organisation
from tests.programmes.programme_data import commitment_content, submit
from tests.reviews.review_data import open_period

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# What the member and the cell write later: blank in every review and assessment a period opens.
BLANK_REVIEW = {
    "return_reason": "",
    "strengths": "",
    "shortcomings": "",
    "remedies_done": "",
    "prompt_answers": "",
    "collective_responsibility": "",
    "remedy_plan": "",
    "self_general_points": None,
    "self_task_points": None,
    "self_level": "",
    "self_submitted_at": None,
    "final_level": "",
    "final_at": None,
}
BLANK_ASSESSMENT = {"self_verdict": "", "self_cause": "", "cell_verdict": "", "cell_cause": ""}


def confirmed_with(owner, confirmer, contents):
    programme = services.programme_create(
        owner=owner,
        occasion="new_duty",
        title="Chương trình hành động nhiệm kỳ 2026",
        position=None,
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2026, 12, 31),
        acting_user=owner.user,
    )
    version = programme.versions.get(number=1)
    for content in contents:
        services.commitment_add(version=version, content=content, acting_user=owner.user)
    services.programme_confirm(version=submit(programme), publicity_max=4, acting_user=confirmer)
    programme.refresh_from_db()
    return programme


def build_every_kind_of_member(cast):
    """Besides the cast: one exempt, one suspended, the head of a government agency, a member who left, and a
    member of the other ward; the member's programme has a figure in thousands with decimals, a target without
    baseline and a deliverable."""
    template = confirmed_with(
        cast.member,
        cast.secretary.user,
        [
            commitment_content(
                1,
                weight=60,
                indicator="Số hồ sơ giải quyết",
                unit="hồ sơ",
                baseline_value=Decimal("1200"),
                target_value=Decimal("1500.50"),
            ),
            commitment_content(
                2,
                weight=10,
                category=CommitmentCategory.POLITICS_ETHICS,
                indicator="Số buổi sinh hoạt chuyên đề",
                unit="buổi",
                baseline_value=None,
                target_value=Decimal("12"),
            ),
            commitment_content(
                3,
                weight=40,
                is_deliverable=True,
                indicator="",
                unit="",
                baseline_value=None,
                target_value=None,
                evidence_kind="Báo cáo tổng kết có xác nhận của chi bộ",
                deadline=datetime.date(2026, 9, 30),
            ),
        ],
    )
    [exempt] = make_members(cast.cell_a, 1, status=MembershipStatus.EXEMPT)
    [suspended] = make_members(cast.cell_b, 1, status=MembershipStatus.SUSPENDED)
    [agency_head] = make_members(cast.cell_b, 1)
    PositionFactory(
        cadre=agency_head,
        post_kind=PostKind.GOVERNMENT,
        party_post="",
        organisation=None,
        title="Chủ tịch UBND phường Bến Thành",
        is_head=True,
    )
    # A post that ended and a membership that ended count for nothing.
    PositionFactory(
        cadre=cast.outsider,
        organisation=cast.grassroots,
        party_post=PartyPost.DEPUTY_SECRETARY,
        end_date=datetime.date(2024, 12, 31),
    )
    [left] = make_members(cast.cell_a, 1, end_date=datetime.date(2024, 6, 30))
    [moved] = make_members(cast.cell_a, 1, end_date=datetime.date(2023, 1, 1))
    MembershipFactory(cadre=moved, cell=make_organisation("Chi bộ Khu phố 2A", parent=cast.other_ward))
    # The same commitments for the committee member (reviewed in two places), the agency head and the suspended.
    copy_programme(template, [cast.committee_staff, agency_head, suspended])
    return {"exempt": exempt, "suspended": suspended, "agency_head": agency_head, "left": left, "moved": moved}


def test_a_period_opening_writes_each_review_and_assessment_as_the_rules_say(cast):
    others = build_every_kind_of_member(cast)
    names = {
        cast.member.pk: "member",
        cast.secretary.pk: "secretary",
        cast.outsider.pk: "outsider",
        cast.committee_staff.pk: "committee_staff",
        cast.head.pk: "head",
        **{cadre.pk: label for label, cadre in others.items()},
    }
    organisations = {
        organisation.pk: label
        for label, organisation in [
            ("ward", cast.ward),
            ("grassroots", cast.grassroots),
            ("cell_a", cast.cell_a),
            ("cell_b", cast.cell_b),
        ]
    }

    period = open_period(cast.ward, cast.org_board)

    reviews: dict[tuple[str, str], dict[str, Any]] = {}
    for values in Review.objects.filter(period=period).values():
        review: dict[str, Any] = dict(values)
        key = (names[review.pop("cadre_id")], organisations[review.pop("place_id")])
        assert key not in reviews
        review.pop("id"), review.pop("period_id")
        assert {field: review.pop(field) for field in BLANK_REVIEW} == BLANK_REVIEW, key
        review["cell"] = organisations[review.pop("cell_id")]
        review["deciding"] = organisations[review.pop("deciding_organisation_id")]
        reviews[key] = review
    rated = {"state": "self_drafting", "not_rated_reason": ""}
    plain = {"form": "2A", "position_title": ""} | rated
    leader = {"form": "2B"} | rated
    assert reviews == {
        ("member", "cell_a"): {"cell": "cell_a", "deciding": "grassroots"} | plain,
        ("outsider", "cell_b"): {"cell": "cell_b", "deciding": "grassroots"} | plain,
        # A cell's secretary fills in the leader's form and is rated by the grassroots committee.
        ("secretary", "cell_a"): {
            "cell": "cell_a",
            "deciding": "grassroots",
            "position_title": "Bí thư Chi bộ Khu phố 1A",
        }
        | leader,
        # Committee members are reviewed in their cell and in their committee, both rated by the ward above.
        ("committee_staff", "cell_b"): {
            "cell": "cell_b",
            "deciding": "ward",
            "position_title": "Cấp ủy viên Đảng bộ Khu phố 1",
        }
        | leader,
        ("committee_staff", "grassroots"): {
            "cell": "grassroots",
            "deciding": "ward",
            "position_title": "Cấp ủy viên Đảng bộ Khu phố 1",
        }
        | leader,
        ("head", "cell_b"): {"cell": "cell_b", "deciding": "ward", "position_title": "Bí thư Đảng bộ Khu phố 1"}
        | leader,
        ("head", "grassroots"): {"cell": "grassroots", "deciding": "ward", "position_title": "Bí thư Đảng bộ Khu phố 1"}
        | leader,
        # The head of an agency is rated by the committee above the grassroots one.
        ("agency_head", "cell_b"): {
            "cell": "cell_b",
            "deciding": "ward",
            "position_title": "Chủ tịch UBND phường Bến Thành",
        }
        | leader,
        ("exempt", "cell_a"): {
            "cell": "cell_a",
            "deciding": "grassroots",
            "form": "2A",
            "position_title": "",
            "state": "not_rated",
            "not_rated_reason": "Miễn công tác và sinh hoạt đảng",
        },
        ("suspended", "cell_b"): {
            "cell": "cell_b",
            "deciding": "grassroots",
            "form": "2A",
            "position_title": "",
            "state": "not_rated",
            "not_rated_reason": "Đình chỉ sinh hoạt",
        },
    }
    owners = dict(Commitment.objects.values_list("pk", "programme__owner"))
    assessments: set[tuple[Any, ...]] = set()
    for assessment in CommitmentAssessment.objects.filter(review__period=period).values(
        *[field.attname for field in CommitmentAssessment._meta.concrete_fields], "review__cadre", "review__place"
    ):
        assert {field: assessment.pop(field) for field in BLANK_ASSESSMENT} == BLANK_ASSESSMENT
        # The member's own commitment, not the template's.
        assert owners[assessment["commitment_id"]] == assessment["review__cadre"]
        row: tuple[Any, ...] = (names[assessment["review__cadre"]], organisations[assessment["review__place"]])
        fields = ("position", "programme_number", "statement", "target", "deadline", "is_task")
        row += tuple(assessment[field] for field in fields)
        assert row not in assessments
        assessments.add(row)
    statement = "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt {}".format
    june, september = datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)
    # In the programme's document order, numbered as the programme numbers them: the political section first.
    commitments = {
        (1, "I.1", statement(2), "Số buổi sinh hoạt chuyên đề: 12 buổi", june, False),
        (2, "II.1", statement(1), "Số hồ sơ giải quyết: 1.500,5 hồ sơ", june, True),
        (3, "II.2", statement(3), "Báo cáo tổng kết có xác nhận của chi bộ", september, True),
    }
    # Pre-filled in every place of a rated member with a programme in force; none for the suspended.
    places = [
        ("member", "cell_a"),
        ("committee_staff", "cell_b"),
        ("committee_staff", "grassroots"),
        ("agency_head", "cell_b"),
    ]
    assert assessments == {place + commitment for place in places for commitment in commitments}
