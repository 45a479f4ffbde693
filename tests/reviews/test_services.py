"""Every review service: who may act, what the rule set refuses (in Vietnamese), the state it leaves, one audit
event per call. The cast's ward is opened by its organisation-board staff; the member's review is decided by
the grassroots committee and confirmed by its head (its secretary)."""

import datetime
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from programmes import access
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    AuditEvent,
    Cadre,
    Evidence,
    MembershipStatus,
    Notification,
    Occasion,
    OrganisationKind,
    PartyPost,
    ProgressStatus,
    Role,
)
from reviews import services
from reviews.models import (
    Appeal,
    AppealState,
    CellMeeting,
    CellProposal,
    CommitmentAssessment,
    Decision,
    DecisionState,
    InputSource,
    LevelChange,
    PeriodKind,
    PeriodState,
    RatingLevel,
    Review,
    ReviewForm,
    ReviewPeriod,
    ReviewState,
    RuleSet,
    Verdict,
)
from tests.factories import PositionFactory, RoleAssignmentFactory, UserFactory, make_member, make_organisation
from tests.programmes.programme_data import make_confirmed, make_draft
from tests.reviews.review_data import (
    cell_proposal,
    meeting,
    open_period,
    propose,
    save_self_review,
    write_and_submit,
)

pytestmark = pytest.mark.django_db

GROUNDS = "Hoàn thành đúng hạn 2/2 nội dung cam kết, có minh chứng kèm theo."


def user_of(cadre: Cadre) -> User:
    assert cadre.user is not None
    return cadre.user


def account(cast, who: str) -> User:
    """The account of one of the cast, by its name."""
    persona = getattr(cast, who)
    return persona if isinstance(persona, User) else user_of(persona)


def refused(error: pytest.ExceptionInfo) -> list[str]:
    """The messages of a ValidationError, or the one message of a PermissionDenied."""
    value = error.value
    return list(value.messages) if isinstance(value, ValidationError) else [str(value)]


@contextmanager
def one_event(action: str) -> Iterator[None]:
    """The block writes exactly one audit event, and it is `action`."""
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield
    assert list(AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True)) == [action]


@contextmanager
def no_event() -> Iterator[None]:
    count = AuditEvent.objects.count()
    yield
    assert AuditEvent.objects.count() == count


def review_of(period: ReviewPeriod, cadre: Cadre, place=None) -> Review:
    reviews = Review.objects.filter(period=period, cadre=cadre)
    return reviews.get(place=place) if place is not None else reviews.get(place__kind__in=["subordinate_cell"])


@pytest.fixture
def period(cast) -> ReviewPeriod:
    """The ward's period, opened after the member's programme was confirmed (so 2 commitments are pre-filled)."""
    make_confirmed(cast.member, user_of(cast.secretary))
    return open_period(cast.ward, cast.org_board)


@pytest.fixture
def review(cast, period) -> Review:
    return Review.objects.get(period=period, cadre=cast.member)


@pytest.fixture
def proposed(cast, review) -> Review:
    write_and_submit(review)
    propose(review, user_of(cast.secretary))
    review.refresh_from_db()
    return review


@pytest.fixture
def decided(cast, proposed) -> Decision:
    return services.decision_make(review=proposed, level=RatingLevel.GOOD, acting_user=user_of(cast.committee_staff))


def confirm(decision: Decision, cast, **options: Any) -> Decision:
    assessment = decision.review.assessments.order_by("position").first()
    assert assessment is not None
    values: dict[str, Any] = {"grounds": GROUNDS, "assessment_ids": [assessment.pk]}
    values.update(options)
    return services.decision_confirm(decision=decision, acting_user=user_of(cast.head), **values)


@pytest.fixture
def final(cast, decided) -> Review:
    confirm(decided, cast)
    review = decided.review
    review.refresh_from_db()
    return review


@pytest.fixture
def ward_committee(cast) -> Cadre:
    """A member of the ward's committee: the committee above the grassroots one."""
    cadre = make_member(cast.cell_b, "ward_committee", full_name="Đỗ Văn Giang")
    PositionFactory(cadre=cadre, organisation=cast.ward, party_post=PartyPost.COMMITTEE_MEMBER)
    return cadre


# --- Opening a period ------------------------------------------------------------------------------------------


def test_opening_creates_one_review_per_active_member_and_place(cast):
    with one_event("review.period_open"):
        period = open_period(cast.ward, cast.org_board)
    rows = {
        (review.cadre.full_name, review.place.name, review.cell.name, review.deciding_organisation.name, review.form)
        for review in Review.objects.filter(period=period).select_related(
            "cadre", "place", "cell", "deciding_organisation"
        )
    }
    ward, grassroots, cell_a, cell_b = cast.ward.name, cast.grassroots.name, cast.cell_a.name, cast.cell_b.name
    assert rows == {
        ("Trần Thị Ánh", cell_a, cell_a, grassroots, ReviewForm.MEMBER),
        ("Lê Văn Bình", cell_a, cell_a, grassroots, ReviewForm.LEADER),
        ("Phạm Văn Cường", cell_b, cell_b, grassroots, ReviewForm.MEMBER),
        # Committee members are reviewed in their cell and in their committee, both rated by the ward above.
        ("Võ Thị Dung", cell_b, cell_b, ward, ReviewForm.LEADER),
        ("Võ Thị Dung", grassroots, grassroots, ward, ReviewForm.LEADER),
        ("Huỳnh Văn Em", cell_b, cell_b, ward, ReviewForm.LEADER),
        ("Huỳnh Văn Em", grassroots, grassroots, ward, ReviewForm.LEADER),
    }
    assert set(Review.objects.filter(period=period).values_list("state", flat=True)) == {ReviewState.SELF_DRAFTING}
    committee_review = Review.objects.get(period=period, cadre=cast.head, place=cast.grassroots)
    assert committee_review.position_title == f"Bí thư {cast.grassroots.name}"
    event = AuditEvent.objects.get(action="review.period_open")
    assert event.after == {
        "title": "Kiểm điểm, đánh giá, xếp loại năm 2026",
        "rule_set": "366-2025",
        "scope": cast.ward.pk,
        "reviews": 7,
        # Nobody of the cast has a residence cell: no residence comment was asked.
        "residence_requests": 0,
        # A period rates only individuals unless opened to rate the party organisations too.
        "includes_collectives": False,
    }


def test_exempt_and_suspended_members_are_not_rated_with_their_status_as_reason(cast):
    exempt = make_member(cast.cell_a, "exempt", full_name="Nguyễn Văn Cụ")
    suspended = make_member(cast.cell_a, "suspended", full_name="Lý Thị Đình")
    for cadre, status in ((exempt, MembershipStatus.EXEMPT), (suspended, MembershipStatus.SUSPENDED)):
        cadre.memberships.update(status=status)
    make_confirmed(exempt, user_of(cast.secretary))
    period = open_period(cast.ward, cast.org_board)
    exempt_review = Review.objects.get(period=period, cadre=exempt)
    suspended_review = Review.objects.get(period=period, cadre=suspended)
    assert (exempt_review.state, exempt_review.not_rated_reason) == (
        ReviewState.NOT_RATED,
        "Miễn công tác và sinh hoạt đảng",
    )
    assert (suspended_review.state, suspended_review.not_rated_reason) == (ReviewState.NOT_RATED, "Đình chỉ sinh hoạt")
    assert not exempt_review.assessments.exists()


def test_transferred_and_ended_memberships_and_other_wards_are_not_reviewed(cast):
    transferred = make_member(cast.cell_a, "transferred")
    transferred.memberships.update(status=MembershipStatus.TRANSFERRED, end_date=datetime.date(2026, 3, 31))
    moved = make_member(cast.cell_a, "moved")
    moved.memberships.update(end_date=datetime.date(2026, 5, 31))
    other_cell = make_organisation("Chi bộ Khu phố 5", OrganisationKind.GRASSROOTS_CELL, cast.other_ward)
    elsewhere = make_member(other_cell, "elsewhere")
    period = open_period(cast.ward, cast.org_board)
    reviewed = set(Review.objects.filter(period=period).values_list("cadre", flat=True))
    assert not reviewed & {transferred.pk, moved.pk, elsewhere.pk}
    assert Review.objects.filter(period=period).count() == 7


def test_commitments_are_prefilled_from_confirmed_programmes_overlapping_the_period_only(cast):
    programme = make_confirmed(cast.member, user_of(cast.secretary))
    make_draft(cast.member, occasion=Occasion.ANNUAL, title="Bản cam kết tu dưỡng, rèn luyện, phấn đấu năm 2026")
    period = open_period(cast.ward, cast.org_board)
    review = Review.objects.get(period=period, cadre=cast.member)
    assessments = list(review.assessments.order_by("position"))
    assert [assessment.position for assessment in assessments] == [1, 2]
    assert {assessment.commitment.programme_id for assessment in assessments} == {programme.pk}
    first = assessments[0]
    assert first.statement == "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1"
    # Indicator, target value and unit, however the target is worded.
    assert first.target.startswith("Tỷ lệ hồ sơ giải quyết đúng hạn")
    assert "100" in first.target and first.target.endswith("%")
    assert first.deadline == datetime.date(2026, 6, 30)
    assert first.is_task
    assert (first.self_verdict, first.cell_verdict) == ("", "")
    # A member without a programme is reviewed all the same, with nothing pre-filled.
    assert not Review.objects.get(period=period, cadre=cast.outsider).assessments.exists()


def test_a_programme_outside_the_period_is_not_prefilled(cast):
    make_confirmed(cast.member, user_of(cast.secretary))
    period = open_period(
        cast.ward,
        cast.org_board,
        title="Kiểm điểm năm 2027",
        covers_from=datetime.date(2027, 1, 1),
        covers_to=datetime.date(2027, 12, 31),
    )
    assert not Review.objects.get(period=period, cadre=cast.member).assessments.exists()


@pytest.mark.parametrize(
    ("who", "scope"),
    [("secretary", "ward"), ("member", "cell_a"), ("head", "ward"), ("org_board", "other_ward"), ("overseer", "ward")],
)
def test_opening_is_refused_to_who_may_not_open_there(cast, who, scope):
    user = account(cast, who)
    with pytest.raises(PermissionDenied) as denied, no_event():
        open_period(getattr(cast, scope), user)
    assert refused(denied) == ["Đồng chí không được mở đợt kiểm điểm ở tổ chức này."]
    assert not ReviewPeriod.objects.exists()


def test_the_grassroots_head_may_open_a_period_for_the_grassroots_organisation(cast):
    period = open_period(cast.grassroots, user_of(cast.head))
    assert period.reviews.count() == 7


def test_the_windows_must_follow_each_other(cast):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        open_period(
            cast.ward, cast.org_board, cell_meetings_until=today, self_review_until=today + datetime.timedelta(1)
        )
    assert refused(error) == ["Các mốc phải theo thứ tự: nộp bản kiểm điểm, rồi họp chi bộ, rồi quyết định xếp loại."]
    with pytest.raises(ValidationError) as error:
        open_period(cast.ward, cast.org_board, covers_to=datetime.date(2025, 12, 31))
    assert error.value.message_dict == {"covers_to": ["Ngày kết thúc phải sau ngày bắt đầu."]}
    assert not ReviewPeriod.objects.exists()


def other_ward_board(cast) -> User:
    return typing.cast(
        User,
        RoleAssignmentFactory(
            user=UserFactory(username="other_board"), role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward
        ).user,
    )


OVERLAP = (
    "Đã có đợt “Kiểm điểm, đánh giá, xếp loại năm 2026” (Hằng năm, kết quả từ 01/01/2026 đến 31/12/2026) ở "
    "{scope}, trùng phạm vi và thời gian với đợt định mở: đảng viên sẽ bị kiểm điểm hai lần. Hãy chọn phạm vi "
    "hoặc thời gian khác."
)


@pytest.mark.parametrize(
    ("first", "second"),
    [("ward", "ward"), ("ward", "grassroots"), ("grassroots", "ward"), ("grassroots", "city")],
    ids=["same scope", "inside it", "containing it", "containing it from above"],
)
def test_a_second_period_of_a_kind_over_the_same_members_and_time_is_refused(cast, first, second):
    city_board = typing.cast(
        User,
        RoleAssignmentFactory(
            user=UserFactory(username="city_board"), role=Role.ORG_BOARD_STAFF, organisation=cast.city
        ).user,
    )
    existing = open_period(getattr(cast, first), cast.org_board)
    with pytest.raises(ValidationError) as error, no_event():
        open_period(getattr(cast, second), city_board, title="Đợt thứ hai", covers_from=datetime.date(2026, 7, 1))
    assert error.value.message_dict == {"scope": [OVERLAP.format(scope=existing.scope.name)]}
    assert list(ReviewPeriod.objects.all()) == [existing]


def test_a_closed_period_still_holds_its_time_and_members(cast):
    existing = open_period(cast.ward, cast.org_board)
    ReviewPeriod.objects.filter(pk=existing.pk).update(state=PeriodState.CLOSED)
    with pytest.raises(ValidationError) as error:
        open_period(cast.grassroots, cast.org_board)
    assert error.value.message_dict == {"scope": [OVERLAP.format(scope="Đảng bộ phường Bến Thành")]}


def test_periods_of_another_kind_time_or_ward_and_ad_hoc_periods_may_be_opened(cast):
    open_period(cast.ward, cast.org_board)
    open_period(cast.ward, cast.org_board, kind=PeriodKind.MID_TERM)
    open_period(cast.ward, cast.org_board, covers_from=datetime.date(2027, 1, 1), covers_to=datetime.date(2027, 12, 31))
    open_period(cast.other_ward, other_ward_board(cast))
    # An ad hoc review follows its own occasion (a new duty, an election, an appointment): several may overlap.
    open_period(cast.ward, cast.org_board, kind=PeriodKind.AD_HOC, title="Kiểm điểm khi bổ nhiệm")
    open_period(cast.grassroots, cast.org_board, kind=PeriodKind.AD_HOC, title="Kiểm điểm khi bầu cử")
    assert ReviewPeriod.objects.count() == 6


def test_the_database_refuses_the_same_period_twice(cast):
    existing = open_period(cast.ward, cast.org_board)
    copy = {
        field.name: getattr(existing, field.name)
        for field in ReviewPeriod._meta.concrete_fields
        if field.name not in ("id", "title")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewPeriod.objects.create(title="Bản sao", **copy)
    ReviewPeriod.objects.create(title="Đột xuất", **copy | {"kind": PeriodKind.AD_HOC})
    ReviewPeriod.objects.create(title="Đột xuất lần nữa", **copy | {"kind": PeriodKind.AD_HOC})


def test_the_period_keeps_its_rule_set(cast):
    make_confirmed(cast.member, user_of(cast.secretary))
    period = open_period(cast.ward, cast.org_board, rule_code="124-2023")
    RuleSet.objects.filter(code="366-2025").update(valid_to=datetime.date(2027, 1, 1))
    period.refresh_from_db()
    assert period.rule_set.code == "124-2023"
    review = Review.objects.get(period=period, cadre=cast.member)
    # Judged by 124-2023: no points.
    with pytest.raises(ValidationError) as error:
        write_and_submit(review)
    assert refused(error) == ["Quy định 124-2023 không chấm điểm; để trống phần điểm."]
    write_and_submit(review, general=None, task=None)
    with pytest.raises(ProtectedError):
        period.rule_set.delete()


# --- The self-review ------------------------------------------------------------------------------------------


def test_only_the_subject_writes_and_submits_the_review(cast, review):
    for someone in (user_of(cast.secretary), user_of(cast.head), cast.org_board):
        with pytest.raises(PermissionDenied) as denied, no_event():
            save_self_review(review, acting_user=someone)
        assert refused(denied) == ["Chỉ đảng viên được kiểm điểm mới viết bản kiểm điểm."]
        with pytest.raises(PermissionDenied) as denied:
            services.self_review_submit(review=review, acting_user=someone)
        assert refused(denied) == ["Chỉ đảng viên được kiểm điểm mới nộp bản kiểm điểm."]


def test_a_draft_is_saved_without_checks_and_submitted_only_when_complete(cast, review):
    member = user_of(cast.member)
    with one_event("review.self_save"):
        services.self_review_save(
            review=review,
            sections={"strengths": "  Hoàn thành nhiệm vụ được giao.  "},
            general_points=None,
            task_points=None,
            level="",
            acting_user=member,
        )
    review.refresh_from_db()
    assert review.strengths == "Hoàn thành nhiệm vụ được giao."
    assert review.state == ReviewState.SELF_DRAFTING
    with pytest.raises(ValidationError) as error, no_event():
        services.self_review_submit(review=review, acting_user=member)
    assert refused(error) == [
        "Chưa viết phần “II. Hạn chế, khuyết điểm và nguyên nhân”.",
        "Chưa viết phần “VI. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm”.",
        "Chưa tự đánh giá nội dung cam kết số I.1, I.2.",
        "Hãy chọn một mức xếp loại.",
    ]
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_DRAFTING
    assert review.self_submitted_at is None


@pytest.mark.parametrize("verdict", [Verdict.PARTLY, Verdict.NOT_DONE, Verdict.DONE_LATE])
def test_a_commitment_not_done_on_time_needs_its_cause(cast, review, verdict):
    member = user_of(cast.member)
    first, second = review.assessments.order_by("position")
    completed = {"general_points": 22, "task_points": 40, "level": RatingLevel.COMPLETED}
    save_self_review(review, **completed, verdicts={first.pk: (Verdict.DONE, ""), second.pk: (verdict, "  ")})
    with pytest.raises(ValidationError) as error:
        services.self_review_submit(review=review, acting_user=member)
    assert refused(error) == ["Nội dung số I.2 chưa hoàn thành đúng hạn: hãy nêu nguyên nhân."]
    save_self_review(review, **completed, verdicts={second.pk: (verdict, "Thiếu kinh phí, đã đề nghị bổ sung.")})
    with one_event("review.self_submit"):
        services.self_review_submit(review=review, acting_user=member)
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED
    assert review.self_submitted_at is not None


def test_a_blocking_level_conflict_refuses_submission_and_a_warning_does_not(cast, review):
    with pytest.raises(ValidationError) as error:
        write_and_submit(review, level=RatingLevel.GOOD, verdict=Verdict.DONE_LATE)
    # The missing causes and the level's condition, both said.
    assert refused(error) == [
        "Nội dung số I.1, I.2 chưa hoàn thành đúng hạn: hãy nêu nguyên nhân.",
        "Mức “Hoàn thành tốt nhiệm vụ” đòi hỏi mọi nhiệm vụ hoàn thành đúng hạn; "
        "2 nội dung chưa hoàn thành đúng hạn hoặc chưa được đánh giá.",
    ]
    # 87 points reach Good; proposing only Completed is worth a second look, not a refusal.
    write_and_submit(review, level=RatingLevel.COMPLETED)
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED
    conflicts = services.self_review_conflicts(review)
    assert [conflict.blocking for conflict in conflicts] == [False]


def test_a_submitted_review_can_no_longer_be_edited(cast, review):
    write_and_submit(review)
    with pytest.raises(ValidationError) as error:
        save_self_review(review)
    assert refused(error) == ["Bước này không làm được khi bản kiểm điểm đang ở trạng thái “Đã nộp bản kiểm điểm”."]


def test_a_verdict_on_another_reviews_commitment_is_refused(cast, review):
    other_period = open_period(cast.ward, cast.org_board, title="Kiểm điểm giữa nhiệm kỳ", kind=PeriodKind.MID_TERM)
    foreign = Review.objects.get(period=other_period, cadre=cast.member).assessments.first()
    assert foreign is not None
    with pytest.raises(ValidationError) as error:
        save_self_review(review, verdicts={foreign.pk: (Verdict.DONE, "")})
    assert refused(error) == ["Nội dung cam kết không thuộc bản kiểm điểm này."]


# --- Prompts and inputs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary", "committee_staff", "head", "org_board"])
def test_the_secretary_the_committee_and_the_board_may_prompt_and_add_inputs(cast, review, who):
    user = account(cast, who)
    with one_event("review.prompt_add"):
        prompt = services.prompt_add(review=review, text=" Làm rõ việc chậm giải quyết hồ sơ. ", acting_user=user)
    assert prompt.text == "Làm rõ việc chậm giải quyết hồ sơ."
    assert Notification.objects.filter(recipient=user_of(cast.member), subject__startswith="Gợi ý kiểm điểm").exists()
    with one_event("review.input_add"):
        entry = services.input_add(
            review=review,
            source=InputSource.RESIDENCE_CELL,
            author="Chi ủy Chi bộ Khu phố 3",
            text="Gương mẫu thực hiện nghĩa vụ nơi cư trú.",
            acting_user=user,
        )
    assert entry.received_on == timezone.localdate()


@pytest.mark.parametrize("who", ["member", "outsider", "overseer"])
def test_the_subject_others_and_overseers_may_not_prompt_or_add_inputs(cast, review, who):
    user = account(cast, who)
    with pytest.raises(PermissionDenied) as denied, no_event():
        services.prompt_add(review=review, text="Gợi ý", acting_user=user)
    assert refused(denied) == ["Đồng chí không được gửi gợi ý kiểm điểm cho đảng viên này."]
    with pytest.raises(PermissionDenied) as denied:
        services.input_add(review=review, source=InputSource.WORKPLACE, author="x", text="y", acting_user=user)
    assert refused(denied) == ["Đồng chí không được thêm ý kiến nhận xét cho bản kiểm điểm này."]


def test_a_committee_head_may_not_prompt_or_add_inputs_to_their_own_review(cast, period):
    own = Review.objects.get(period=period, cadre=cast.head, place=cast.cell_b)
    with pytest.raises(PermissionDenied):
        services.prompt_add(review=own, text="Tự gợi ý", acting_user=user_of(cast.head))
    with pytest.raises(PermissionDenied):
        services.input_add(
            review=own, source=InputSource.WORKPLACE, author="Tự nhận xét", text="Tốt", acting_user=user_of(cast.head)
        )


def test_an_input_needs_a_known_source_an_author_and_a_text(cast, review):
    secretary = user_of(cast.secretary)
    with pytest.raises(ValidationError) as error:
        services.input_add(review=review, source="gossip", author="x", text="y", acting_user=secretary)
    assert error.value.message_dict == {"source": ["Nguồn nhận xét không hợp lệ."]}
    with pytest.raises(ValidationError) as error:
        services.input_add(review=review, source=InputSource.WORKPLACE, author=" ", text="y", acting_user=secretary)
    assert refused(error) == ["Hãy ghi nơi nhận xét và nội dung nhận xét."]
    with pytest.raises(ValidationError) as error:
        services.prompt_add(review=review, text="  ", acting_user=secretary)
    assert error.value.message_dict == {"text": ["Hãy ghi nội dung gợi ý."]}


# --- The cell's meeting and proposal ---------------------------------------------------------------------------


def test_a_meeting_cannot_count_more_present_than_members_and_needs_minutes(cast, period):
    secretary = user_of(cast.secretary)
    values = {"period": period, "cell": cast.cell_a, "held_on": timezone.localdate(), "chaired_by": "Lê Văn Bình"}
    with pytest.raises(ValidationError) as error, no_event():
        services.meeting_record(**values, members_total=5, members_present=6, minutes="Biên bản", acting_user=secretary)
    assert error.value.message_dict == {"members_present": ["Số dự họp không thể lớn hơn tổng số đảng viên."]}
    with pytest.raises(ValidationError) as error:
        services.meeting_record(**values, members_total=5, members_present=5, minutes=" ", acting_user=secretary)
    assert error.value.message_dict == {"minutes": ["Hãy viết biên bản hoặc tải tệp biên bản lên."]}
    with one_event("review.meeting_record"):
        recorded = services.meeting_record(
            **values, members_total=5, members_present=5, minutes="Biên bản họp", acting_user=secretary
        )
    assert recorded.has_quorum


@pytest.mark.parametrize("who", ["member", "outsider", "committee_staff", "org_board"])
def test_only_the_cells_secretary_or_deputy_records_its_meeting(cast, period, who):
    user = account(cast, who)
    with pytest.raises(PermissionDenied) as denied:
        services.meeting_record(
            period=period,
            cell=cast.cell_a,
            held_on=timezone.localdate(),
            members_total=5,
            members_present=4,
            chaired_by="x",
            minutes="y",
            acting_user=user,
        )
    assert refused(denied) == ["Chỉ bí thư, phó bí thư mới ghi cuộc họp này."]


@pytest.mark.parametrize(("total", "present"), [(4, 2), (5, 2), (2, 1)])
def test_a_proposal_needs_a_meeting_of_more_than_half_the_members(cast, review, total, present):
    write_and_submit(review)
    secretary = user_of(cast.secretary)
    without_quorum = meeting(review, secretary, total=total, present=present)
    verdicts = {assessment.pk: (Verdict.DONE, "") for assessment in review.assessments.all()}
    with pytest.raises(ValidationError) as error, no_event():
        cell_proposal(review, secretary, meeting=without_quorum, votes_for=present, verdicts=verdicts)
    assert error.value.message_dict == {
        "meeting": ["Cuộc họp chưa đủ quá nửa số đảng viên dự, nên không đủ điều kiện đề xuất xếp loại."]
    }


def test_votes_cannot_exceed_those_present(cast, review):
    write_and_submit(review)
    secretary = user_of(cast.secretary)
    with pytest.raises(ValidationError) as error:
        cell_proposal(
            review,
            secretary,
            meeting=meeting(review, secretary, total=5, present=3),
            votes_for=2,
            votes_against=1,
            votes_abstain=1,
        )
    assert error.value.message_dict == {"votes_for": ["Tổng số phiếu lớn hơn số đảng viên dự họp."]}


def test_every_commitment_must_be_judged_by_the_cell(cast, review):
    write_and_submit(review)
    secretary = user_of(cast.secretary)
    with pytest.raises(ValidationError) as error:
        cell_proposal(review, secretary)
    assert refused(error) == ["Chi bộ chưa kết luận nội dung cam kết số I.1, I.2."]
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED


def test_the_cell_proposal_is_refused_before_submission_and_with_another_cells_meeting(cast, review, period):
    secretary = user_of(cast.secretary)
    with pytest.raises(ValidationError) as error:
        propose(review, secretary)
    assert refused(error) == ["Bước này không làm được khi bản kiểm điểm đang ở trạng thái “Đang viết bản kiểm điểm”."]
    write_and_submit(review)
    other_period = open_period(cast.ward, cast.org_board, title="Kiểm điểm giữa nhiệm kỳ", kind=PeriodKind.MID_TERM)
    elsewhere = meeting(Review.objects.get(period=other_period, cadre=cast.member), secretary)
    with pytest.raises(ValidationError) as error:
        cell_proposal(review, secretary, meeting=elsewhere)
    assert error.value.message_dict == {"meeting": ["Cuộc họp không phải của chi bộ và đợt kiểm điểm này."]}


def test_the_secretary_cannot_propose_for_their_own_review_and_the_deputy_can(cast, period):
    own = Review.objects.get(period=period, cadre=cast.secretary)
    write_and_submit(own)
    secretary = user_of(cast.secretary)
    with pytest.raises(PermissionDenied) as denied:
        propose(own, secretary)
    assert refused(denied) == ["Bí thư không tự ghi đề xuất cho bản kiểm điểm của chính mình; phó bí thư ghi thay."]
    deputy = make_member(cast.cell_a, "deputy", full_name="Ngô Thị Hoa")
    PositionFactory(cadre=deputy, organisation=cast.cell_a, party_post=PartyPost.DEPUTY_SECRETARY)
    with pytest.raises(PermissionDenied) as denied:
        cell_proposal(own, user_of(cast.committee_staff), meeting=meeting(own, secretary))
    assert refused(denied) == ["Chỉ bí thư, phó bí thư chi bộ ghi đề xuất."]
    proposal, _warnings = propose(own, user_of(deputy))
    assert proposal.recorded_by == user_of(deputy)


def test_a_proposal_records_verdicts_points_and_votes_and_moves_the_review_on(cast, review):
    write_and_submit(review)
    secretary = user_of(cast.secretary)
    held = meeting(review, secretary)
    first, second = review.assessments.order_by("position")
    with one_event("review.propose"):
        proposal, warnings = cell_proposal(
            review,
            secretary,
            meeting=held,
            general_points=26,
            task_points=50,
            level=RatingLevel.COMPLETED,
            votes_for=3,
            votes_against=1,
            comments="  Chi bộ đề nghị mức hoàn thành nhiệm vụ.  ",
            verdicts={first.pk: (Verdict.DONE, ""), second.pk: (Verdict.PARTLY, "Chưa xong đợt 2.")},
        )
    assert warnings == [
        "Tổng 76 điểm đạt mức “Hoàn thành tốt nhiệm vụ” nhưng đề xuất “Hoàn thành nhiệm vụ”: "
        "hãy nêu rõ lý do trong phần nhận xét."
    ]
    assert (proposal.level, proposal.votes_for, proposal.votes_against) == (RatingLevel.COMPLETED, 3, 1)
    assert proposal.comments == "Chi bộ đề nghị mức hoàn thành nhiệm vụ."
    second.refresh_from_db()
    assert (second.cell_verdict, second.cell_cause) == (Verdict.PARTLY, "Chưa xong đợt 2.")
    review.refresh_from_db()
    assert review.state == ReviewState.CELL_PROPOSED


def test_a_proposal_the_rules_forbid_is_refused(cast, review):
    write_and_submit(review)
    with pytest.raises(ValidationError) as error:
        propose(review, user_of(cast.secretary), level=RatingLevel.GOOD, verdict=Verdict.DONE_LATE)
    assert refused(error) == [
        "Mức “Hoàn thành tốt nhiệm vụ” đòi hỏi mọi nhiệm vụ hoàn thành đúng hạn; "
        "2 nội dung chưa hoàn thành đúng hạn hoặc chưa được đánh giá."
    ]


def excellent(review: Review, secretary: User) -> tuple[CellProposal, list[str]]:
    write_and_submit(review, general=28, task=65, level=RatingLevel.EXCELLENT, verdict=Verdict.EXCEEDED)
    return propose(review, secretary, level=RatingLevel.EXCELLENT, general=28, task=65, verdict=Verdict.EXCEEDED)


QUOTA_WARNING = (
    "Đảng bộ Khu phố 1 có 1 đảng viên xuất sắc trên 0 đảng viên tốt, vượt tỷ lệ cho phép: tối đa 0, "
    "tức 20% số hoàn thành tốt nhiệm vụ."
)


def test_an_excellent_proposal_beyond_the_quota_is_recorded_with_a_warning(cast, review):
    proposal, warnings = excellent(review, user_of(cast.secretary))
    assert warnings == [QUOTA_WARNING]
    assert proposal.level == RatingLevel.EXCELLENT
    logged = AuditEvent.objects.get(action="review.propose").after
    assert logged is not None and logged["warnings"] == [QUOTA_WARNING]


def cell_b_secretary(cast) -> User:
    cadre = make_member(cast.cell_b, "cell_b_secretary", full_name="Mai Văn Khánh")
    PositionFactory(cadre=cadre, organisation=cast.cell_b, party_post=PartyPost.SECRETARY)
    return user_of(cadre)


def period_with_five_good_proposals_in_cell_b(cast) -> ReviewPeriod:
    """A period opened after cell B gained four members, in which its secretary proposes Good for the outsider and
    for them: the grassroots committee then has five Good proposals."""
    secretary = cell_b_secretary(cast)
    colleagues = [make_member(cast.cell_b, f"cell_b_{number}") for number in range(4)]
    period = open_period(cast.ward, cast.org_board)
    for cadre in [cast.outsider, *colleagues]:
        good = Review.objects.get(period=period, cadre=cadre)
        write_and_submit(good)
        propose(good, secretary)
    return period


def test_the_quota_counts_the_proposals_of_every_cell_the_committee_decides_for(cast):
    make_confirmed(cast.member, user_of(cast.secretary))
    period = period_with_five_good_proposals_in_cell_b(cast)
    _proposal, warnings = excellent(Review.objects.get(period=period, cadre=cast.member), user_of(cast.secretary))
    assert warnings == []


def test_a_good_proposal_is_not_warned_of_the_excess_others_made(cast, period):
    excellent(Review.objects.get(period=period, cadre=cast.member), user_of(cast.secretary))
    secretary = cell_b_secretary(cast)
    good = Review.objects.get(period=period, cadre=cast.outsider)
    write_and_submit(good)
    _proposal, warnings = propose(good, secretary)
    assert warnings == []
    # The organisation is still over (1 Excellent on 1 Good): an Excellent proposal is warned of it.
    assert services.cell_quota(good, RatingLevel.EXCELLENT).exceeded


def test_the_cells_warning_counts_decided_reviews_at_their_decision(cast):
    """A Good proposal the committee decided Completed no longer allows an Excellent one."""
    period = period_with_five_good_proposals_in_cell_b(cast)
    lowered = Review.objects.get(period=period, cadre=cast.outsider)
    services.decision_make(
        review=lowered, level=RatingLevel.COMPLETED, reason="Chậm hồ sơ.", acting_user=user_of(cast.committee_staff)
    )
    _proposal, warnings = excellent(Review.objects.get(period=period, cadre=cast.member), user_of(cast.secretary))
    assert warnings == [
        "Đảng bộ Khu phố 1 có 1 đảng viên xuất sắc trên 4 đảng viên tốt, vượt tỷ lệ cho phép: tối đa 0, "
        "tức 20% số hoàn thành tốt nhiệm vụ."
    ]


# --- The decision ----------------------------------------------------------------------------------------------


def test_the_committee_decides_the_cells_level(cast, proposed):
    with one_event("review.decide"):
        decision = services.decision_make(
            review=proposed, level=RatingLevel.GOOD, acting_user=user_of(cast.committee_staff)
        )
    assert (decision.level, decision.general_points, decision.task_points) == (RatingLevel.GOOD, 27, 60)
    assert decision.state == DecisionState.AWAITING_CONFIRMATION
    assert decision.deciding_organisation == cast.grassroots
    assert decision.reclassification_reason == ""
    proposed.refresh_from_db()
    assert proposed.state == ReviewState.DECIDED
    assert Notification.objects.filter(
        recipient=user_of(cast.head), subject="Chờ xác nhận kết quả xếp loại: Trần Thị Ánh"
    ).exists()


def test_a_level_other_than_the_cells_needs_a_reason(cast, proposed):
    staff = user_of(cast.committee_staff)
    with pytest.raises(ValidationError) as error, no_event():
        services.decision_make(review=proposed, level=RatingLevel.COMPLETED, reason=" ", acting_user=staff)
    assert error.value.message_dict == {
        "reason": ["Xếp loại khác đề xuất của chi bộ (“Hoàn thành tốt nhiệm vụ”) cần ghi lý do."]
    }
    reason = "Còn để xảy ra chậm trễ hồ sơ trong quý III."
    decision = services.decision_make(review=proposed, level=RatingLevel.COMPLETED, reason=reason, acting_user=staff)
    assert decision.reclassification_reason == reason


def test_the_committee_cannot_decide_a_level_the_rules_forbid(cast, proposed):
    with pytest.raises(ValidationError) as error:
        services.decision_make(
            review=proposed,
            level=RatingLevel.EXCELLENT,
            reason="Đề nghị nâng mức.",
            acting_user=user_of(cast.committee_staff),
        )
    assert refused(error) == [
        "Tổng 87 điểm chỉ đạt mức “Hoàn thành tốt nhiệm vụ”, chưa đủ để xếp “Hoàn thành xuất sắc nhiệm vụ”.",
        "Mức “Hoàn thành xuất sắc nhiệm vụ” đòi hỏi ít nhất 30% nhiệm vụ vượt yêu cầu (1 trên 2 nội dung); hiện có 0.",
    ]


def test_the_quota_is_enforced_at_the_decision_unless_justified(cast, review):
    excellent(review, user_of(cast.secretary))
    review.refresh_from_db()
    staff = user_of(cast.committee_staff)
    with pytest.raises(ValidationError) as error, no_event():
        services.decision_make(review=review, level=RatingLevel.EXCELLENT, acting_user=staff)
    assert error.value.message_dict == {
        "quota_override": [
            "Đây là đảng viên hoàn thành xuất sắc nhiệm vụ thứ 1 mà Đảng bộ Khu phố 1 quyết định trong đợt này, "
            "vượt tỷ lệ cho phép: tối đa 0, tức 20% của 0 đảng viên hoàn thành tốt nhiệm vụ (đã quyết định, hoặc chi "
            "bộ đề xuất khi chưa quyết định). Cần giải trình để vượt."
        ]
    }
    override = "Đồng chí có thành tích đột xuất được Thành ủy khen thưởng."
    decision = services.decision_make(
        review=review, level=RatingLevel.EXCELLENT, quota_override=override, acting_user=staff
    )
    assert decision.quota_override == override


@pytest.mark.parametrize("who", ["secretary", "member", "outsider", "org_board", "overseer", "other_committee"])
def test_only_the_deciding_committee_or_one_above_decides(cast, proposed, who):
    if who == "other_committee":
        other = make_organisation("Đảng bộ Khu phố 2", OrganisationKind.GRASSROOTS_COMMITTEE, cast.ward)
        cadre = make_member(make_organisation("Chi bộ Khu phố 2A", parent=other), "other_committee")
        PositionFactory(cadre=cadre, organisation=other, party_post=PartyPost.SECRETARY)
        user = user_of(cadre)
    else:
        user = account(cast, who)
    with pytest.raises(PermissionDenied) as denied, no_event():
        services.decision_make(review=proposed, level=RatingLevel.GOOD, acting_user=user)
    assert refused(denied) == ["Đồng chí không thuộc cấp ủy có thẩm quyền quyết định."]
    with pytest.raises(PermissionDenied):
        services.decision_return(review=proposed, reason="Trả lại", acting_user=user)


def test_a_committee_above_may_decide(cast, proposed, ward_committee):
    decision = services.decision_make(review=proposed, level=RatingLevel.GOOD, acting_user=user_of(ward_committee))
    assert decision.decided_by == user_of(ward_committee)


def test_a_returned_review_goes_back_to_the_cell_which_proposes_again(cast, decided):
    review = decided.review
    staff = user_of(cast.committee_staff)
    with pytest.raises(ValidationError) as error:
        services.decision_return(review=review, reason="  ", acting_user=staff)
    assert error.value.message_dict == {"reason": ["Hãy ghi lý do trả lại chi bộ."]}
    with one_event("review.return_to_cell"):
        services.decision_return(
            review=review, reason="Biên bản chưa ghi ý kiến của đảng viên dự họp.", acting_user=staff
        )
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED
    assert review.return_reason == "Biên bản chưa ghi ý kiến của đảng viên dự họp."
    decided.refresh_from_db()
    assert decided.state == DecisionState.SUPERSEDED
    with pytest.raises(ValidationError):
        confirm(decided, cast)
    proposal, _warnings = propose(review, user_of(cast.secretary), level=RatingLevel.COMPLETED, general=25, task=40)
    assert CellProposal.objects.filter(review=review).count() == 1
    assert proposal.level == RatingLevel.COMPLETED
    review.refresh_from_db()
    assert (review.state, review.return_reason) == (ReviewState.CELL_PROPOSED, "")
    again = services.decision_make(review=review, level=RatingLevel.COMPLETED, acting_user=staff)
    assert again.state == DecisionState.AWAITING_CONFIRMATION


# --- The head's confirmation -----------------------------------------------------------------------------------


def test_the_head_confirms_on_grounds_and_the_level_becomes_final(cast, decided):
    review = decided.review
    first = review.assessments.order_by("position").first()
    assert first is not None
    evidence = evidence_for(cast, first)
    with one_event("review.confirm"):
        services.decision_confirm(
            decision=decided,
            grounds=f"  {GROUNDS}  ",
            assessment_ids=[first.pk],
            evidence_ids=[evidence.pk],
            acting_user=user_of(cast.head),
        )
    decided.refresh_from_db()
    assert decided.state == DecisionState.CONFIRMED
    assert (decided.confirmed_by, decided.grounds) == (user_of(cast.head), GROUNDS)
    assert list(decided.grounds_assessments.all()) == [first]
    assert list(decided.grounds_evidence.all()) == [evidence]
    review.refresh_from_db()
    assert (review.state, review.final_level) == (ReviewState.FINAL, RatingLevel.GOOD)
    assert review.final_at == decided.confirmed_at
    assert Notification.objects.filter(
        recipient=user_of(cast.member), subject="Kết quả xếp loại: Hoàn thành tốt nhiệm vụ"
    ).exists()


def evidence_for(cast, assessment: CommitmentAssessment) -> Evidence:
    report = progress_report(
        commitment=assessment.commitment,
        status=ProgressStatus.DONE,
        value_reached=Decimal("100"),
        note="Đã giải quyết xong toàn bộ hồ sơ.",
        links=["https://phuongbenthanh.example/so-theo-doi-ho-so"],
        acting_user=user_of(cast.member),
    )
    return report.evidence.get()


@pytest.mark.parametrize("who", ["committee_staff", "org_board", "secretary", "outsider"])
def test_only_the_head_of_the_deciding_body_confirms(cast, decided, who):
    user = account(cast, who)
    assessment = decided.review.assessments.first()
    assert assessment is not None
    with pytest.raises(PermissionDenied) as denied, no_event():
        services.decision_confirm(decision=decided, grounds=GROUNDS, assessment_ids=[assessment.pk], acting_user=user)
    assert refused(denied) == [
        # The secretary recorded the cell's proposal: refused as proposer before being refused as not the head.
        "Người ghi đề xuất của chi bộ không được đồng thời xác nhận kết quả; cần người đứng đầu khác."
        if who == "secretary"
        else "Chỉ người đứng đầu cấp quyết định mới xác nhận kết quả."
    ]


def test_the_one_who_recorded_the_proposal_cannot_confirm_it(cast, review):
    # The head is also the cell's deputy secretary and recorded the cell's proposal.
    PositionFactory(cadre=cast.head, organisation=cast.cell_a, party_post=PartyPost.DEPUTY_SECRETARY)
    access.forget_grants(user_of(cast.head))
    write_and_submit(review)
    propose(review, user_of(cast.head))
    decision = services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=user_of(cast.committee_staff))
    with pytest.raises(PermissionDenied) as denied:
        confirm(decision, cast)
    assert refused(denied) == [
        "Người ghi đề xuất của chi bộ không được đồng thời xác nhận kết quả; cần người đứng đầu khác."
    ]


def test_no_one_confirms_their_own_rating(cast, ward_committee):
    # The ward's secretary is reviewed in cell B, and the ward is the body that rates its own leaders' cell review.
    ward_head = make_member(cast.cell_b, "ward_head", full_name="Trương Văn Long")
    PositionFactory(cadre=ward_head, organisation=cast.ward, party_post=PartyPost.SECRETARY)
    cell_b_secretary = make_member(cast.cell_b, "cell_b_secretary")
    PositionFactory(cadre=cell_b_secretary, organisation=cast.cell_b, party_post=PartyPost.SECRETARY)
    period = open_period(cast.ward, cast.org_board)
    own = Review.objects.get(period=period, cadre=ward_head, place=cast.cell_b)
    assert own.deciding_organisation == cast.ward
    write_and_submit(own)
    propose(own, user_of(cell_b_secretary))
    decision = services.decision_make(review=own, level=RatingLevel.GOOD, acting_user=user_of(ward_committee))
    with pytest.raises(PermissionDenied) as denied:
        services.decision_confirm(decision=decision, grounds=GROUNDS, acting_user=user_of(ward_head))
    assert refused(denied) == ["Không ai được tự xác nhận kết quả xếp loại của chính mình."]


def test_confirmation_needs_grounds_text_and_something_cited(cast, decided):
    head = user_of(cast.head)
    with pytest.raises(ValidationError) as error, no_event():
        confirm(decided, cast, grounds="   ")
    assert error.value.message_dict == {"grounds": ["Hãy ghi căn cứ xác nhận."]}
    with pytest.raises(ValidationError) as error:
        services.decision_confirm(decision=decided, grounds=GROUNDS, acting_user=head)
    assert error.value.message_dict == {
        "grounds": ["Hãy chọn ít nhất một nội dung cam kết hoặc minh chứng làm căn cứ cụ thể."]
    }
    decided.refresh_from_db()
    assert decided.state == DecisionState.AWAITING_CONFIRMATION


def test_grounds_from_another_review_are_refused(cast, decided):
    other_owner = make_member(cast.cell_a, "other_owner")
    make_confirmed(other_owner, user_of(cast.secretary))
    other_period = open_period(cast.ward, cast.org_board, title="Kiểm điểm giữa nhiệm kỳ", kind=PeriodKind.MID_TERM)
    foreign = Review.objects.get(period=other_period, cadre=other_owner).assessments.first()
    assert foreign is not None
    foreign_evidence = evidence_for_owner(other_owner, foreign)
    expected = ["Căn cứ phải là nội dung cam kết và minh chứng của chính bản kiểm điểm này."]
    with pytest.raises(ValidationError) as error:
        confirm(decided, cast, assessment_ids=[foreign.pk])
    assert refused(error) == expected
    own = decided.review.assessments.first()
    assert own is not None
    with pytest.raises(ValidationError) as error:
        confirm(decided, cast, assessment_ids=[own.pk], evidence_ids=[foreign_evidence.pk])
    assert refused(error) == expected


def evidence_for_owner(owner: Cadre, assessment: CommitmentAssessment) -> Evidence:
    report = progress_report(
        commitment=assessment.commitment,
        status=ProgressStatus.DONE,
        value_reached=Decimal("100"),
        links=["https://phuongbenthanh.example/minh-chung-khac"],
        acting_user=user_of(owner),
    )
    return report.evidence.get()


def test_evidence_alone_is_enough_as_concrete_grounds(cast, decided):
    first = decided.review.assessments.order_by("position").first()
    assert first is not None
    evidence = evidence_for(cast, first)
    confirm(decided, cast, assessment_ids=[], evidence_ids=[evidence.pk])
    decided.refresh_from_db()
    assert decided.state == DecisionState.CONFIRMED


# --- Appeals and re-classification -----------------------------------------------------------------------------


def test_the_subject_appeals_within_the_window_only(cast, final):
    member = user_of(cast.member)
    final_at = timezone.now() - datetime.timedelta(days=16)
    Review.objects.filter(pk=final.pk).update(final_at=final_at)
    final.refresh_from_db()
    deadline = services.appeal_deadline(final)
    assert deadline == timezone.localtime(final_at).date() + datetime.timedelta(days=15)
    with pytest.raises(ValidationError) as error, no_event():
        services.appeal_file(review=final, text="Đề nghị xem xét lại.", acting_user=member)
    assert refused(error) == [f"Đã quá hạn kiến nghị (đến hết ngày {deadline:%d/%m/%Y})."]
    # The last day of the window still counts.
    Review.objects.filter(pk=final.pk).update(final_at=timezone.now() - datetime.timedelta(days=15))
    with one_event("review.appeal"):
        services.appeal_file(review=final, text="Đề nghị xem xét lại.", acting_user=member)


def test_only_one_appeal_is_pending_and_only_the_subject_appeals(cast, final):
    # The appeal goes to the committee above the deciding one: its secretary is told, not the deciding head.
    ward_secretary = make_member(cast.cell_b, "ward_secretary", full_name="Trương Văn Hải")
    PositionFactory(cadre=ward_secretary, organisation=cast.ward, party_post=PartyPost.SECRETARY)
    with pytest.raises(PermissionDenied) as denied:
        services.appeal_file(review=final, text="Thay mặt đồng chí.", acting_user=user_of(cast.secretary))
    assert refused(denied) == ["Chỉ người được kiểm điểm mới kiến nghị."]
    member = user_of(cast.member)
    with pytest.raises(ValidationError) as error:
        services.appeal_file(review=final, text="  ", acting_user=member)
    assert error.value.message_dict == {"text": ["Hãy ghi nội dung kiến nghị."]}
    appeal = services.appeal_file(review=final, text="Đề nghị xem xét lại.", acting_user=member)
    final.refresh_from_db()
    assert final.state == ReviewState.APPEALED
    with pytest.raises(ValidationError) as error:
        services.appeal_file(review=final, text="Kiến nghị lần hai.", acting_user=member)
    assert refused(error) == [
        "Bước này không làm được khi bản kiểm điểm đang ở trạng thái “Đang giải quyết kiến nghị”."
    ]
    assert Appeal.objects.filter(review=final, state=AppealState.PENDING).get() == appeal
    assert (appeal.contested_change, appeal.resolving_organisation) == (None, cast.ward)
    subject = "Kiến nghị về kết quả xếp loại: Trần Thị Ánh"
    assert Notification.objects.filter(recipient=user_of(ward_secretary), subject=subject).exists()
    assert not Notification.objects.filter(recipient=user_of(cast.head), subject=subject).exists()


@pytest.mark.postgres
def test_the_database_holds_one_pending_appeal_per_review(cast, final):
    services.appeal_file(review=final, text="Đề nghị xem xét lại.", acting_user=user_of(cast.member))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(review=final, text="Lần hai", filed_by=user_of(cast.member))


def test_an_appeal_resolved_by_reclassification_changes_the_level_and_keeps_the_change(cast, final, ward_committee):
    appeal = services.appeal_file(review=final, text="Đề nghị xem xét lại.", acting_user=user_of(cast.member))
    head = user_of(ward_committee)
    # The deciding committee (its head and its members) does not judge the appeal against its own decision.
    for who in ("secretary", "head", "committee_staff"):
        with pytest.raises(PermissionDenied) as denied, no_event():
            services.appeal_resolve(appeal=appeal, upheld=True, resolution="x", acting_user=account(cast, who))
        assert refused(denied) == ["Đồng chí không có thẩm quyền giải quyết kiến nghị này."]
    with pytest.raises(ValidationError) as error:
        services.appeal_resolve(appeal=appeal, upheld=False, resolution="Xếp lại", new_level="good", acting_user=head)
    assert error.value.message_dict == {"new_level": ["Hãy chọn mức xếp loại mới khác mức hiện tại."]}
    with pytest.raises(ValidationError) as error:
        services.appeal_resolve(appeal=appeal, upheld=False, resolution=" ", new_level="completed", acting_user=head)
    assert error.value.message_dict == {"resolution": ["Hãy ghi kết quả giải quyết."]}
    with one_event("review.appeal_resolve"):
        services.appeal_resolve(
            appeal=appeal,
            upheld=False,
            resolution="Có căn cứ: hồ sơ quý III chậm do đồng chí.",
            new_level=RatingLevel.COMPLETED,
            acting_user=head,
        )
    appeal.refresh_from_db()
    assert (appeal.state, appeal.new_level, appeal.resolved_by) == (
        AppealState.RECLASSIFIED,
        RatingLevel.COMPLETED,
        head,
    )
    final.refresh_from_db()
    assert (final.state, final.final_level) == (ReviewState.FINAL, RatingLevel.COMPLETED)
    change = LevelChange.objects.get(review=final)
    assert (change.cause, change.organisation, change.from_level, change.to_level, change.changed_by) == (
        LevelChange.Cause.APPEAL,
        cast.ward,
        RatingLevel.GOOD,
        RatingLevel.COMPLETED,
        head,
    )
    assert final.final_at == change.changed_at
    with pytest.raises(ValidationError) as error:
        services.appeal_resolve(appeal=appeal, upheld=True, resolution="Lần nữa", acting_user=head)
    assert refused(error) == ["Kiến nghị này đã được giải quyết."]


def test_an_upheld_appeal_keeps_the_level_without_a_change(cast, final, ward_committee):
    appeal = services.appeal_file(review=final, text="Đề nghị xem xét lại.", acting_user=user_of(cast.member))
    services.appeal_resolve(appeal=appeal, upheld=True, resolution="Giữ nguyên.", acting_user=user_of(ward_committee))
    final.refresh_from_db()
    assert (final.state, final.final_level) == (ReviewState.FINAL, RatingLevel.GOOD)
    assert not LevelChange.objects.exists()


@pytest.mark.parametrize("who", ["head", "committee_staff", "org_board", "secretary", "member"])
def test_only_a_superior_committee_reclassifies(cast, final, who):
    user = account(cast, who)
    with pytest.raises(PermissionDenied) as denied, no_event():
        services.review_reclassify(review=final, level=RatingLevel.COMPLETED, reason="Xếp lại", acting_user=user)
    assert refused(denied) == ["Chỉ cấp ủy cấp trên mới xếp loại lại."]


def test_the_ward_committee_reclassifies_a_final_result_with_a_reason(cast, final, ward_committee):
    user = user_of(ward_committee)
    with pytest.raises(ValidationError) as error:
        services.review_reclassify(review=final, level=RatingLevel.COMPLETED, reason=" ", acting_user=user)
    assert error.value.message_dict == {"reason": ["Hãy ghi lý do xếp loại lại."]}
    with one_event("review.reclassify"):
        change = services.review_reclassify(
            review=final,
            level=RatingLevel.COMPLETED,
            reason="Kiểm tra phát hiện báo cáo kết quả chưa đúng thực tế.",
            acting_user=user,
        )
    assert (change.cause, change.from_level, change.to_level) == (
        LevelChange.Cause.SUPERIOR,
        RatingLevel.GOOD,
        RatingLevel.COMPLETED,
    )
    final.refresh_from_db()
    assert final.final_level == RatingLevel.COMPLETED


# --- Closing, and one audit event per service -----------------------------------------------------------------


def test_a_period_closes_only_when_every_review_has_its_result(cast, period):
    with pytest.raises(PermissionDenied) as denied:
        services.period_close(period=period, acting_user=user_of(cast.secretary))
    assert refused(denied) == ["Đồng chí không được đóng đợt kiểm điểm này."]
    with pytest.raises(ValidationError) as error, no_event():
        services.period_close(period=period, acting_user=cast.org_board)
    assert refused(error) == ["Còn 7 bản kiểm điểm chưa có kết quả; chưa đóng đợt được."]
    period.reviews.exclude(cadre=cast.member).update(state=ReviewState.FINAL, final_level=RatingLevel.GOOD)
    with pytest.raises(ValidationError) as error:
        services.period_close(period=period, acting_user=cast.org_board)
    assert refused(error) == ["Còn 1 bản kiểm điểm chưa có kết quả; chưa đóng đợt được."]
    period.reviews.filter(cadre=cast.member).update(state=ReviewState.NOT_RATED, not_rated_reason="Đình chỉ")
    with one_event("review.period_close"):
        services.period_close(period=period, acting_user=cast.org_board)
    period.refresh_from_db()
    assert period.state == PeriodState.CLOSED


def test_every_step_writes_exactly_one_audit_event_with_its_action(cast, ward_committee):
    make_confirmed(cast.member, user_of(cast.secretary))
    member, secretary = user_of(cast.member), user_of(cast.secretary)
    staff, head = user_of(cast.committee_staff), user_of(cast.head)
    steps: list[tuple[str, Callable[[], Any]]] = []
    state: dict[str, Any] = {}

    def step(action: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        def register(function: Callable[[], Any]) -> Callable[[], Any]:
            steps.append((action, function))
            return function

        return register

    @step("review.period_open")
    def _open() -> None:
        state["period"] = open_period(cast.ward, cast.org_board)
        state["review"] = Review.objects.get(period=state["period"], cadre=cast.member)

    @step("review.prompt_add")
    def _prompt() -> None:
        services.prompt_add(review=state["review"], text="Làm rõ việc chậm hồ sơ.", acting_user=head)

    @step("review.input_add")
    def _input() -> None:
        services.input_add(
            review=state["review"], source=InputSource.WORKPLACE, author="UBND phường", text="Tốt", acting_user=staff
        )

    @step("review.self_save")
    def _save() -> None:
        verdicts = {assessment.pk: (Verdict.DONE, "") for assessment in state["review"].assessments.all()}
        save_self_review(state["review"], verdicts=verdicts, acting_user=member)

    @step("review.self_submit")
    def _submit() -> None:
        services.self_review_submit(review=state["review"], acting_user=member)

    @step("review.meeting_record")
    def _meeting() -> None:
        state["meeting"] = meeting(state["review"], secretary)

    def record_proposal() -> None:
        verdicts = {assessment.pk: (Verdict.DONE, "") for assessment in state["review"].assessments.all()}
        cell_proposal(state["review"], secretary, meeting=state["meeting"], verdicts=verdicts)

    def decide() -> None:
        state["decision"] = services.decision_make(review=state["review"], level=RatingLevel.GOOD, acting_user=staff)

    step("review.propose")(record_proposal)
    step("review.decide")(decide)

    @step("review.return_to_cell")
    def _return() -> None:
        services.decision_return(review=state["review"], reason="Bổ sung biên bản.", acting_user=staff)

    step("review.propose")(record_proposal)
    step("review.decide")(decide)

    @step("review.confirm")
    def _confirm() -> None:
        confirm(state["decision"], cast)

    @step("review.appeal")
    def _appeal() -> None:
        state["appeal"] = services.appeal_file(review=state["review"], text="Xem xét lại.", acting_user=member)

    @step("review.appeal_resolve")
    def _resolve() -> None:
        services.appeal_resolve(
            appeal=state["appeal"], upheld=True, resolution="Giữ nguyên.", acting_user=user_of(ward_committee)
        )

    @step("review.reclassify")
    def _reclassify() -> None:
        services.review_reclassify(
            review=state["review"],
            level=RatingLevel.COMPLETED,
            reason="Kết quả kiểm tra.",
            acting_user=user_of(ward_committee),
        )

    @step("review.period_close")
    def _close() -> None:
        state["period"].reviews.exclude(pk=state["review"].pk).update(state=ReviewState.FINAL)
        services.period_close(period=state["period"], acting_user=cast.org_board)

    for action, function in steps:
        with one_event(action):
            function()


@pytest.mark.postgres
def test_the_database_refuses_what_the_services_refuse(cast, proposed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            period=proposed.period,
            cadre=proposed.cadre,
            place=proposed.place,
            cell=proposed.cell,
            deciding_organisation=proposed.deciding_organisation,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CellMeeting.objects.create(
            period=proposed.period,
            cell=cast.cell_a,
            held_on=timezone.localdate(),
            members_total=3,
            members_present=4,
            chaired_by="x",
            minutes="y",
            recorded_by=user_of(cast.secretary),
        )
    decision = services.decision_make(
        review=proposed, level=RatingLevel.GOOD, acting_user=user_of(cast.committee_staff)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            review=proposed,
            deciding_organisation=cast.grassroots,
            level=RatingLevel.GOOD,
            decided_by=user_of(cast.committee_staff),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(state=DecisionState.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=proposed.pk).update(state=ReviewState.NOT_RATED)


@pytest.mark.django_db
def test_an_input_attached_by_the_system_is_recorded_as_the_systems_step(cast, review):
    handler = cast.overseer

    entry = services.input_attach_from_system(
        review=review,
        source=InputSource.CITIZEN_FEEDBACK,
        author="Ủy ban Mặt trận Tổ quốc phường Bến Thành",
        text="Góp ý của nhân dân đã được xác minh.",
        added_by=handler,
    )

    assert (entry.review_id, entry.added_by_id) == (review.pk, handler.pk)
    event = AuditEvent.objects.get(action="review.input_attach")
    assert event.actor is None and event.after == {
        "review": review.pk,
        "source": InputSource.CITIZEN_FEEDBACK,
        "handled_by": handler.pk,
    }
