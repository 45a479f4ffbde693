"""The school's annual review of the demo year, opened by the organisation board and taken through the review
services: self-reviews, the cell's meeting and proposals, the committee's decisions and the head's confirmation."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from demo.organisations import DEMO_CELL, DEMO_WARD, school_code
from demo.plan import Plan
from demo.programme_specs import DEMO_YEAR, demo_date
from demo.writing import Tally
from programmes.models import Cadre, Evidence, Membership, MembershipStatus, PartyOrganisation
from reviews import services as review_services
from reviews.models import (
    CellMeeting,
    Decision,
    PeriodKind,
    RatingLevel,
    Review,
    ReviewPeriod,
    ReviewState,
    RuleSet,
    Verdict,
)

REVIEW_PERIOD_TITLE = f"Kiểm điểm, đánh giá, xếp loại chất lượng đảng viên năm {DEMO_YEAR}"
REVIEW_RULE_SET = "366-2025"


@dataclass(frozen=True)
class ReviewSpec:
    subject: str  # a key of Plan.review_subjects
    outcome: str  # the ReviewState the script leaves the review in
    strengths: str
    shortcomings: str
    remedy_plan: str
    self_points: tuple[int, int]
    self_level: str
    cell_points: tuple[int, int] = (0, 0)
    cell_level: str = ""
    cell_comments: str = ""
    grounds: str = ""


def demo_reviews() -> tuple[ReviewSpec, ...]:
    """dangvien's colleagues in the annual review: one rated, one awaiting the head's confirmation, one proposed
    by the cell, two submitted. dangvien's own review stays a draft for the demo user to write."""
    good, completed = RatingLevel.GOOD, RatingLevel.COMPLETED
    return (
        ReviewSpec(
            "toan-1",
            ReviewState.FINAL,
            "Giữ vững lập trường chính trị, chấp hành nghiêm chủ trương của Đảng, pháp luật của Nhà nước. Lớp 7A1 "
            "có 41/45 em đạt từ 6,5 điểm môn Toán, vượt chỉ tiêu đăng ký; đã dạy miễn phí 4 buổi ôn tập cho học "
            "sinh có hoàn cảnh khó khăn tại Khu phố 2.",
            "Đổi mới phương pháp dạy học ở một số tiết chưa đều; nguyên nhân: chưa dành đủ thời gian dự giờ, học "
            "hỏi đồng nghiệp.",
            "Mỗi tháng dự giờ ít nhất 2 tiết của đồng nghiệp; đăng ký 1 tiết thao giảng mỗi học kỳ.",
            (27, 61),
            good,
            (27, 60),
            good,
            "Chi bộ thống nhất đề nghị mức hoàn thành tốt nhiệm vụ.",
            "Lớp 7A1 có 91% học sinh đạt từ 6,5 điểm môn Toán (chỉ tiêu 90%), có sổ điểm cuối năm học làm minh "
            "chứng; cả 3 nội dung cam kết hoàn thành đúng hạn.",
        ),
        ReviewSpec(
            "toan-2",
            ReviewState.DECIDED,
            "Chấp hành tốt nội quy nhà trường; dạy đúng chương trình Tin học khối 6; tích cực hướng dẫn đồng nghiệp "
            "sử dụng bài giảng điện tử.",
            "Hồ sơ chuyên môn có lúc cập nhật chậm; nguyên nhân: nhận thêm nhiệm vụ Tổ phó từ tháng 11.",
            "Lập lịch cập nhật hồ sơ hằng tuần; phân công lại công việc trong tổ.",
            (26, 58),
            good,
            (26, 56),
            good,
            "Chi bộ thống nhất đề nghị mức hoàn thành tốt nhiệm vụ.",
        ),
        ReviewSpec(
            "toan-3",
            ReviewState.CELL_PROPOSED,
            "Giữ gìn phẩm chất đạo đức, lối sống; hoàn thành nhiệm vụ giảng dạy được giao.",
            "Bản cam kết đầu năm bị trả lại vì chỉ tiêu chưa sát thực tế; vắng 2 kỳ sinh hoạt chi bộ có lý do.",
            "Xây dựng lại chỉ tiêu có số liệu cụ thể; sắp xếp lịch dạy để dự đủ các kỳ sinh hoạt chi bộ.",
            (25, 50),
            good,
            (24, 40),
            completed,
            "Chi bộ đề nghị mức hoàn thành nhiệm vụ: còn vắng 2 kỳ sinh hoạt, bản cam kết chưa được xác nhận.",
        ),
        ReviewSpec(
            "toan-4",
            ReviewState.SELF_SUBMITTED,
            "Cùng chi ủy duy trì sinh hoạt chi bộ đúng định kỳ; hoàn thành nhiệm vụ giảng dạy môn Toán khối 8.",
            "Kiểm tra, giám sát đảng viên trong chi bộ chưa thường xuyên; nguyên nhân: chưa lập kế hoạch theo quý.",
            "Tham mưu chi ủy ban hành kế hoạch kiểm tra, giám sát theo quý ngay từ đầu năm.",
            (27, 58),
            good,
        ),
        ReviewSpec(
            "toan-5",
            ReviewState.SELF_SUBMITTED,
            "Cùng tập thể đảng ủy lãnh đạo nhà trường hoàn thành kế hoạch năm học; gương mẫu thực hiện quy định nêu "
            "gương.",
            "Theo dõi, đôn đốc các chi bộ thực hiện nghị quyết có lúc chưa sâu sát; nguyên nhân: kiêm nhiệm nhiều "
            "việc.",
            "Mỗi quý dự ít nhất 1 kỳ sinh hoạt ở mỗi chi bộ; báo cáo đảng ủy kết quả theo dõi.",
            (28, 60),
            good,
        ),
    )


def _self_review(spec: ReviewSpec, review: Review, user: User) -> None:
    verdicts = {assessment.pk: (Verdict.DONE, "") for assessment in review.assessments.all()}
    sections = {"strengths": spec.strengths, "shortcomings": spec.shortcomings, "remedy_plan": spec.remedy_plan}
    general, task = spec.self_points
    review_services.self_review_save(
        review=review,
        sections=sections,
        general_points=general,
        task_points=task,
        level=spec.self_level,
        verdicts=verdicts,
        acting_user=user,
    )
    review_services.self_review_submit(review=review, acting_user=user)


def _cell_meeting(period: ReviewPeriod, cell: PartyOrganisation, secretary: Cadre, user: User) -> CellMeeting:
    members = Membership.objects.filter(cell=cell, end_date__isnull=True, status=MembershipStatus.ACTIVE).count()
    return review_services.meeting_record(
        period=period,
        cell=cell,
        held_on=min(timezone.localdate(), period.cell_meetings_until),
        members_total=members,
        members_present=members - 1,
        chaired_by=secretary.full_name,
        minutes=(
            f"Chi bộ họp kiểm điểm cuối năm {DEMO_YEAR}; 1 đồng chí vắng có lý do. Từng đồng chí đọc bản kiểm "
            "điểm, chi bộ góp ý, rồi biểu quyết đề xuất mức xếp loại của từng đồng chí."
        ),
        acting_user=user,
    )


# Why the cell keeps "done on time" where the portal's record lags behind (kept only where a verdict is flagged).
CELL_EXPLANATION = (
    "Chi bộ đối chiếu sổ theo dõi tại cuộc họp: nội dung đã hoàn thành trong hạn, đồng chí chưa kịp cập nhật "
    "tiến độ lên cổng."
)


def _propose(spec: ReviewSpec, review: Review, meeting: CellMeeting, secretary: User) -> None:
    verdicts = {assessment.pk: (Verdict.DONE, "") for assessment in review.assessments.all()}
    general, task = spec.cell_points
    against = 0 if spec.cell_level == spec.self_level else 1
    review_services.proposal_record(
        review=review,
        meeting=meeting,
        general_points=general,
        task_points=task,
        level=spec.cell_level,
        votes_for=meeting.members_present - against,
        votes_against=against,
        comments=spec.cell_comments,
        verdicts=verdicts,
        acknowledgements=dict.fromkeys(verdicts, CELL_EXPLANATION),
        acting_user=secretary,
    )


def _confirm(spec: ReviewSpec, decision: Decision, head: User) -> None:
    """The head confirms on the cell's verdicts and the evidence the member reported."""
    assessments = list(decision.review.assessments.values_list("pk", "commitment_id"))
    evidence = Evidence.objects.filter(commitment__in=[commitment for _pk, commitment in assessments])
    review_services.decision_confirm(
        decision=decision,
        grounds=spec.grounds,
        assessment_ids=[pk for pk, _commitment in assessments],
        evidence_ids=list(evidence.values_list("pk", flat=True)),
        acting_user=head,
    )


def write_reviews(
    plan: Plan,
    cadres: dict[str, Cadre],
    organisations: dict[str, PartyOrganisation],
    users: dict[str, User],
    tally: Tally,
) -> None:
    """The school's annual review, opened by the organisation board through the review services, with dangvien's
    colleagues taken as far as the script says. An existing period of that title is left as it is."""
    if ReviewPeriod.objects.filter(title=REVIEW_PERIOD_TITLE).exists():
        return
    school = organisations[school_code(DEMO_WARD)]
    cell = organisations[DEMO_CELL]
    period = review_services.period_open(
        title=REVIEW_PERIOD_TITLE,
        kind=PeriodKind.ANNUAL,
        rule_set=RuleSet.objects.get(code=REVIEW_RULE_SET),
        scope=school,
        covers_from=demo_date(1, 1),
        covers_to=demo_date(12, 31),
        self_review_until=demo_date(12, 10),
        cell_meetings_until=demo_date(12, 20),
        decisions_until=demo_date(12, 31),
        acting_user=users["bantochuc"],
    )
    usernames = {person.code: person.username for person in plan.people if person.username}
    secretary = next(cadres[code] for code, username in usernames.items() if username == "bithuchibo")
    meeting = None
    for spec in demo_reviews():
        code = plan.review_subjects[spec.subject]
        review = Review.objects.get(period=period, cadre=cadres[code], place=cell)
        _self_review(spec, review, users[usernames[code]])
        if spec.outcome == ReviewState.SELF_SUBMITTED:
            continue
        meeting = meeting or _cell_meeting(period, cell, secretary, users["bithuchibo"])
        _propose(spec, review, meeting, users["bithuchibo"])
        if spec.outcome == ReviewState.CELL_PROPOSED:
            continue
        decision = review_services.decision_make(review=review, level=spec.cell_level, acting_user=users["capuy"])
        if spec.outcome == ReviewState.FINAL:
            _confirm(spec, decision, users["bithudangbo"])
    tally.add("review_periods", 1, 0)
    tally.add("reviews", period.reviews.count(), 0)
