"""“Việc cần làm” on the personal page: each persona's work, counted with its nearest deadline or age and linked to
the page where it is done, in two wards (nobody is shown the other ward's work), and its cost pinned: the same
number of queries with 10 and with 100 members' worth of work."""

import datetime
import typing
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import resolve, reverse
from django.utils import timezone

from programmes.desk import CELL, Task, desk_for
from programmes.models import (
    ActionProgramme,
    Cadre,
    CommitmentTerms,
    ImportJob,
    ImportKind,
    ImportStatus,
    OrganisationKind,
    PartyOrganisation,
    PartyPost,
    ProgrammeVersion,
    Role,
    VersionState,
)
from publicity.models import FeedbackCase
from reviews import services
from reviews.models import RatingLevel, Review, ReviewPeriod, ReviewState
from tests.factories import (
    PositionFactory,
    RoleAssignmentFactory,
    UserFactory,
    _copy,
    client_for,
    copy_programme,
    make_member,
    make_members,
    make_organisation,
)
from tests.programmes.programme_data import make_confirmed, make_draft
from tests.publicity.feedback_data import overseer_of, send
from tests.publicity.public_data import make_public
from tests.reviews.review_data import (
    final_review,
    meeting,
    open_period,
    propose,
    proposed_review,
    ward_committee_member,
    write_and_submit,
)

# The counts are window functions and filtered aggregates: run again on PostgreSQL.
pytestmark = pytest.mark.postgres

DAY = datetime.timedelta(days=1)


@dataclass
class OtherWard:
    """Phường Sài Gòn, built like the cast's ward: a grassroots committee, one cell and its people."""

    grassroots: PartyOrganisation
    cell: PartyOrganisation
    member: Cadre
    secretary: Cadre
    committee_staff: Cadre
    head: Cadre
    org_board: User
    front: User


@pytest.fixture
def other(cast: Any) -> OtherWard:
    grassroots = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    cell = make_organisation("Chi bộ Khu phố 5A", OrganisationKind.SUBORDINATE_CELL, grassroots)
    member = make_member(cell, "member_c", full_name="Đỗ Thị Giang")
    secretary = make_member(cell, "secretary_c", full_name="Trương Văn Hải")
    PositionFactory(cadre=secretary, organisation=cell, party_post=PartyPost.SECRETARY)
    committee_staff = make_member(cell, "committee_c", full_name="Lý Thị Kim")
    PositionFactory(cadre=committee_staff, organisation=grassroots, party_post=PartyPost.COMMITTEE_MEMBER)
    head = make_member(cell, "head_c", full_name="Mai Văn Long")
    PositionFactory(cadre=head, organisation=grassroots, party_post=PartyPost.SECRETARY)
    board = typing.cast(User, UserFactory(username="org_board_c"))
    RoleAssignmentFactory(user=board, role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward)
    front = overseer_of(cast.other_ward, username="front_c")
    return OtherWard(grassroots, cell, member, secretary, committee_staff, head, board, front)


def _user(cadre: Cadre) -> User:
    assert cadre.user is not None
    return cadre.user


def tasks(user: Any) -> dict[str, Task]:
    """The user's tasks by label (every label is one kind of work, in one group)."""
    found = {task.label: task for group in desk_for(user).groups for task in group.tasks}
    return found


def group_tasks(user: Any, group: Any) -> dict[str, Task]:
    return {
        task.label: task
        for desk_group in desk_for(user).groups
        if desk_group.group == group
        for task in desk_group.tasks
    }


def work_list_reviews(user: User, queue: str) -> list[int]:
    """The reviews of one queue of the work list the desk links to, as the user sees it."""
    response = client_for(user).get(reverse("reviews:work_list"))
    return [review.pk for review in response.context[queue]]


def titles(user: Any) -> list[str]:
    return [str(group.title) for group in desk_for(user).groups]


def the_review(period: ReviewPeriod, cadre: Cadre) -> Review:
    return Review.objects.get(period=period, cadre=cadre, place__kind__in=["subordinate_cell", "grassroots_cell"])


# --- The member -------------------------------------------------------------------------------------------------


def _member_work(owner: Cadre, confirmer: User, today: datetime.date) -> tuple[int, int]:
    """A confirmed programme with one commitment overdue and one due in ten days, and a second programme drafted:
    (the confirmed programme's pk, the draft's pk)."""
    confirmed = make_confirmed(owner, confirmer)
    first, second = CommitmentTerms.objects.filter(version=confirmed.current_version).order_by("position")
    CommitmentTerms.objects.filter(pk=first.pk).update(deadline=today - 5 * DAY)
    CommitmentTerms.objects.filter(pk=second.pk).update(deadline=today + 10 * DAY)
    draft = make_draft(owner, title="Chương trình thực hiện nhiệm vụ mới")
    # The new duty starts in twenty days: the programme is due registered by then.
    ActionProgramme.objects.filter(pk=draft.pk).update(term_start=today + 20 * DAY, term_end=today + 400 * DAY)
    return confirmed.pk, draft.pk


def test_member_sees_own_programme_commitments_and_self_review_and_nothing_of_the_other_ward(cast, other):
    today = timezone.localdate()
    confirmed, draft = _member_work(cast.member, cast.secretary.user, today)
    _member_work(other.member, _user(other.secretary), today)
    period = open_period(cast.ward, cast.org_board)
    open_period(cast.other_ward, other.org_board)

    assert titles(cast.member.user) == ["Việc của đồng chí"]
    work = tasks(cast.member.user)
    assert set(work) == {
        "Chương trình hành động đang soạn, chưa gửi xác nhận",
        "Nội dung cam kết đã quá hạn, chưa hoàn thành",
        "Nội dung cam kết sắp đến hạn, cần báo cáo tiến độ",
        "Bản kiểm điểm cá nhân cần viết và nộp",
    }
    assert all(task.count == 1 for task in work.values())
    to_submit = work["Chương trình hành động đang soạn, chưa gửi xác nhận"]
    assert (to_submit.url, to_submit.deadline) == (reverse("programmes:programme_edit", args=[draft]), today + 20 * DAY)
    overdue = work["Nội dung cam kết đã quá hạn, chưa hoàn thành"]
    assert (overdue.url, overdue.deadline, overdue.overdue, overdue.days_overdue) == (
        reverse("programmes:programme_detail", args=[confirmed]),
        today - 5 * DAY,
        True,
        5,
    )
    due = work["Nội dung cam kết sắp đến hạn, cần báo cáo tiến độ"]
    assert (due.deadline, due.days_left, due.overdue) == (today + 10 * DAY, 10, False)
    self_review = work["Bản kiểm điểm cá nhân cần viết và nộp"]
    assert self_review.url == reverse("reviews:self_review_edit", args=[the_review(period, cast.member).pk])
    assert self_review.deadline == period.self_review_until
    # Past its deadline first.
    assert desk_for(cast.member.user).groups[0].tasks[0] == overdue


def test_submitted_self_review_and_finished_commitments_leave_the_member_s_desk(cast):
    today = timezone.localdate()
    _member_work(cast.member, cast.secretary.user, today)
    period = open_period(cast.ward, cast.org_board)
    CommitmentTerms.objects.filter(version__programme__owner=cast.member).update(deadline=today + 90 * DAY)
    write_and_submit(the_review(period, cast.member))
    assert set(tasks(cast.member.user)) == {"Chương trình hành động đang soạn, chưa gửi xác nhận"}


# --- The cell's secretary ---------------------------------------------------------------------------------------


def test_secretary_reads_records_the_meeting_then_the_proposals_of_the_own_cell_only(cast, other):
    make_confirmed(cast.member, cast.secretary.user)
    make_confirmed(other.member, _user(other.secretary))
    period = open_period(cast.ward, cast.org_board)
    other_period = open_period(cast.other_ward, other.org_board)
    other_review = write_and_submit(the_review(other_period, other.member))
    meeting(other_review, _user(other.secretary))
    secretary = cast.secretary.user

    assert "Việc của chi bộ, tập thể lãnh đạo" in titles(secretary)
    work = tasks(secretary)
    # Alice is still writing; the secretary's own review is not work of theirs.
    drafting = work["Đảng viên chưa nộp bản kiểm điểm"]
    assert (drafting.count, drafting.deadline) == (1, period.self_review_until)
    assert drafting.url == reverse("reviews:cell_reviews", args=[period.pk, cast.cell_a.pk])
    to_meet = work["Cuộc họp kiểm điểm của chi bộ chưa ghi biên bản"]
    assert (to_meet.count, to_meet.deadline) == (1, period.cell_meetings_until)
    assert to_meet.url == reverse("reviews:meeting_record", args=[period.pk, cast.cell_a.pk])

    review = write_and_submit(the_review(period, cast.member))
    work = tasks(secretary)
    assert "Đảng viên chưa nộp bản kiểm điểm" not in work
    assert work["Bản kiểm điểm đã nộp, cần đọc trước cuộc họp chi bộ"].count == 1
    assert "Đề xuất mức xếp loại của chi bộ cần ghi" not in work

    meeting(review, secretary)
    work = group_tasks(secretary, CELL)
    assert set(work) == {"Đề xuất mức xếp loại của chi bộ cần ghi"}
    proposals = work["Đề xuất mức xếp loại của chi bộ cần ghi"]
    assert (proposals.count, proposals.url) == (
        1,
        reverse("reviews:cell_proposals", args=[period.pk, cast.cell_a.pk]),
    )

    # The other ward's secretary has their own cell's proposal to record, and nothing of Bến Thành's.
    theirs = tasks(other.secretary.user)
    assert theirs["Đề xuất mức xếp loại của chi bộ cần ghi"].url == reverse(
        "reviews:cell_proposals", args=[other_period.pk, other.cell.pk]
    )
    assert theirs["Đề xuất mức xếp loại của chi bộ cần ghi"].count == 1


def test_programmes_waiting_for_the_secretary_s_confirmation_are_the_cell_s_work(cast, other):
    from programmes.action_programmes import services as programme_services

    programme_services.programme_submit(
        version=make_draft(cast.member).versions.get(number=1), acting_user=cast.member.user
    )
    programme_services.programme_submit(
        version=make_draft(other.member).versions.get(number=1), acting_user=other.member.user
    )
    task = tasks(cast.secretary.user)["Chương trình hành động chờ đồng chí xác nhận"]
    assert (task.count, task.url, task.age_days) == (1, reverse("programmes:confirmation_queue"), 0)
    group = next(g for g in desk_for(cast.secretary.user).groups if task in g.tasks)
    assert group.group == CELL
    assert "Chương trình hành động chờ đồng chí xác nhận" not in tasks(cast.head.user)


# --- The committee and its head ---------------------------------------------------------------------------------


def _other_proposed(cast: Any, other: OtherWard) -> Review:
    make_confirmed(other.member, _user(other.secretary))
    period = open_period(cast.other_ward, other.org_board)
    review = write_and_submit(the_review(period, other.member))
    propose(review, _user(other.secretary))
    review.refresh_from_db()
    return review


def test_committee_decides_and_the_head_confirms_in_their_own_ward(cast, other):
    review = proposed_review(cast)
    other_review = _other_proposed(cast, other)

    decide = tasks(cast.committee_staff.user)["Đề xuất của chi bộ chờ cấp ủy quyết định xếp loại"]
    cell_decisions = reverse("reviews:cell_decisions", args=[review.period_id, review.place_id])
    assert (decide.count, decide.url, decide.age_days) == (1, cell_decisions, 0)
    assert decide.deadline == review.period.decisions_until
    assert titles(cast.committee_staff.user) == ["Việc của đồng chí", "Việc của cấp ủy"]
    assert tasks(other.committee_staff.user)["Đề xuất của chi bộ chờ cấp ủy quyết định xếp loại"].count == 1
    # What the work list shows each of them: their own ward's review only.
    assert other_review.pk not in work_list_reviews(cast.committee_staff.user, "to_decide")
    assert review.pk in work_list_reviews(cast.committee_staff.user, "to_decide")
    assert "Quyết định xếp loại chờ đồng chí xác nhận" not in tasks(cast.head.user)

    services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=cast.committee_staff.user)
    confirm = tasks(cast.head.user)["Quyết định xếp loại chờ đồng chí xác nhận"]
    cell_confirmations = reverse("reviews:cell_confirmations", args=[review.period_id, review.place_id])
    assert (confirm.count, confirm.url, confirm.age_days) == (1, cell_confirmations, 0)
    assert work_list_reviews(cast.head.user, "to_confirm") == [review.pk]
    assert "Đề xuất của chi bộ chờ cấp ủy quyết định xếp loại" not in tasks(cast.committee_staff.user)
    # The other ward's head confirms nothing yet: its proposal is still to decide.
    assert "Quyết định xếp loại chờ đồng chí xác nhận" not in tasks(other.head.user)
    assert tasks(other.head.user)["Đề xuất của chi bộ chờ cấp ủy quyết định xếp loại"].count == 1


def test_an_appeal_waits_for_the_committee_above_and_no_one_else(cast, other):
    review = final_review(cast)
    appeal = services.appeal_file(review=review, text="Đề nghị xem xét lại mức xếp loại.", acting_user=cast.member.user)
    ward_member = ward_committee_member(cast)
    task = tasks(ward_member)["Kiến nghị về kết quả xếp loại chờ giải quyết"]
    assert (task.count, task.url, task.age_days) == (1, reverse("reviews:appeal_resolve", args=[appeal.pk]), 0)
    for user in (cast.head.user, cast.committee_staff.user, other.head.user, other.committee_staff.user):
        assert "Kiến nghị về kết quả xếp loại chờ giải quyết" not in tasks(user)


# --- Organisation-board staff -----------------------------------------------------------------------------------


def _job(scope: PartyOrganisation, status: str, kind: str = ImportKind.ROSTER) -> ImportJob:
    return ImportJob.objects.create(kind=kind, file="imports/x.csv", original_name="x.csv", status=status, scope=scope)


def test_board_sees_its_imports_and_periods_and_not_the_other_ward_s(cast, other, settings):
    settings.DESK_ANNUAL_PERIOD_MONTH = 1
    today = timezone.localdate()
    _job(cast.ward, ImportStatus.FAILED)
    _job(cast.ward, ImportStatus.SUCCEEDED)  # the failed import was done again since
    failed = _job(cast.ward, ImportStatus.FAILED, ImportKind.POSITIONS)
    _job(cast.grassroots, ImportStatus.QUEUED)
    _job(cast.other_ward, ImportStatus.FAILED)
    _job(cast.other_ward, ImportStatus.RUNNING)
    period = open_period(
        cast.ward,
        cast.org_board,
        covers_from=datetime.date(today.year, 1, 1),
        covers_to=datetime.date(today.year, 12, 31),
    )
    Review.objects.filter(period=period).update(state=ReviewState.FINAL)

    assert "Việc của Ban Tổ chức" in titles(cast.org_board)
    work = tasks(cast.org_board)
    waiting = work["Tệp nhập dữ liệu đang chờ xử lý"]
    assert (waiting.count, waiting.url) == (1, reverse("programmes:import_list"))
    redo = work["Lần nhập dữ liệu không thành công, chưa nhập lại"]
    assert (redo.count, redo.url) == (1, reverse("programmes:import_detail", args=[failed.pk]))
    close = work["Đợt kiểm điểm đã có đủ kết quả, cần kết thúc"]
    assert (close.count, close.url) == (1, reverse("reviews:period_detail", args=[period.pk]))
    assert f"Đợt kiểm điểm năm {today.year} chưa được mở" not in work

    theirs = tasks(other.org_board)
    assert theirs["Tệp nhập dữ liệu đang chờ xử lý"].count == 1
    assert theirs["Lần nhập dữ liệu không thành công, chưa nhập lại"].count == 1
    assert "Đợt kiểm điểm đã có đủ kết quả, cần kết thúc" not in theirs
    to_open = theirs[f"Đợt kiểm điểm năm {today.year} chưa được mở"]
    assert (to_open.count, to_open.url) == (1, reverse("reviews:period_open"))
    assert to_open.deadline == datetime.date(today.year, 12, 1)


def test_the_year_s_period_is_not_asked_for_before_its_month(cast, settings):
    settings.DESK_ANNUAL_PERIOD_MONTH = 13
    assert not any("chưa được mở" in label for label in tasks(cast.org_board))
    assert tasks(cast.org_board) == {}
    assert titles(cast.org_board) == ["Việc của Ban Tổ chức"]


# --- The Front and the People's Council; the cadre's reply -----------------------------------------------------


def test_front_sees_its_area_s_cases_past_deadline_first_and_the_cadre_the_cases_to_reply(cast, other):
    today = timezone.localdate()
    programme = make_public(cast.member, cast.secretary.user)
    late = send(programme, address="203.0.113.8")
    FeedbackCase.objects.filter(pk=late.pk).update(due_on=today - 3 * DAY)
    in_time = send(programme, address="203.0.113.9")
    other_late = send(make_public(other.member, _user(other.secretary)), address="203.0.113.10")
    FeedbackCase.objects.filter(pk=other_late.pk).update(due_on=today - DAY)

    assert titles(cast.overseer) == ["Việc giám sát của Mặt trận Tổ quốc, Hội đồng nhân dân"]
    group = desk_for(cast.overseer).groups[0]
    overdue, pending = group.tasks
    assert (overdue.label, overdue.count, overdue.url, overdue.days_overdue) == (
        "Góp ý, phản ánh đã quá hạn trả lời",
        1,
        reverse("oversight:case", args=[late.pk]),
        3,
    )
    assert (pending.count, pending.url, pending.deadline) == (
        1,
        reverse("oversight:case", args=[in_time.pk]),
        in_time.due_on,
    )
    assert tasks(other.front)["Góp ý, phản ánh đã quá hạn trả lời"].url == reverse(
        "oversight:case", args=[other_late.pk]
    )
    assert "Góp ý, phản ánh đang chờ xử lý, trong hạn trả lời" not in tasks(other.front)

    # Accepted, the case reaches the cadre, who is asked to reply.
    from publicity import feedback

    feedback.case_accept(case=late, acting_user=cast.overseer)
    reply = tasks(cast.member.user)["Góp ý, phản ánh của Nhân dân chờ đồng chí phản hồi"]
    assert (reply.count, reply.url) == (1, reverse("oversight:owner_case", args=[late.pk]))
    assert "Góp ý, phản ánh của Nhân dân chờ đồng chí phản hồi" not in tasks(other.member.user)


# --- The page ---------------------------------------------------------------------------------------------------


def test_the_desk_comes_first_and_the_rights_table_below(cast):
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    text = client_for(cast.secretary.user).get(reverse("programmes:dashboard")).text
    desk = text.index("Việc cần làm")
    assert desk < text.index("Chương trình hành động</h2>") < text.index("Việc tôi được làm")
    assert desk < text.index("Việc của chi bộ, tập thể lãnh đạo") < text.index("Việc tôi được làm")
    assert reverse("reviews:meeting_record", args=[period.pk, cast.cell_a.pk]) in text
    assert "Ghi biên bản cuộc họp" in text
    assert f"Hạn gần nhất {period.cell_meetings_until:%d/%m/%Y}, còn 20 ngày." in text


def test_a_group_with_nothing_waiting_says_so(cast):
    text = client_for(cast.overseer).get(reverse("programmes:dashboard")).text
    assert "Việc giám sát của Mặt trận Tổ quốc, Hội đồng nhân dân" in text
    assert "Không có việc nào đang chờ." in text


# --- What it costs ----------------------------------------------------------------------------------------------


def _busy_ward(cast: Any, members: int) -> None:
    """`members` more members of cell A with reviews in every state, programmes waiting for the secretary, feedback
    cases for the Front past and within their deadline, imports waiting and failed."""
    today = timezone.localdate()
    template = make_confirmed(cast.member, cast.secretary.user)
    cadres = make_members(cast.cell_a, members)
    period = open_period(cast.ward, cast.org_board)
    reviews = list(Review.objects.filter(period=period, cadre__in=cadres).order_by("pk").values_list("pk", flat=True))
    states = [ReviewState.SELF_SUBMITTED, ReviewState.CELL_PROPOSED, ReviewState.DECIDED, ReviewState.APPEALED]
    for offset, state in enumerate(states):
        Review.objects.filter(pk__in=reviews[offset :: len(states) + 1]).update(state=state)
    programmes = copy_programme(template, cadres)
    ProgrammeVersion.objects.filter(programme__in=programmes).update(
        state=VersionState.SUBMITTED, confirming_organisation=cast.cell_a, submitted_at=timezone.now()
    )
    case = send(make_public(cast.secretary, cast.head.user))
    FeedbackCase.objects.bulk_create(
        _copy(case, tracking_code=f"DESK{number:07d}", submission_key=None, due_on=today + (number % 5 - 2) * DAY)
        for number in range(members)
    )
    ImportJob.objects.bulk_create(
        ImportJob(
            kind=ImportKind.ROSTER,
            file="imports/x.csv",
            original_name="x.csv",
            status=ImportStatus.FAILED if number % 2 else ImportStatus.QUEUED,
            scope=cast.ward,
        )
        for number in range(members)
    )


# One query per kind of item on top of the page's own (session, user, grants, header, profile, scopes).
DASHBOARD_QUERIES = {
    "member": 18,
    # A cell's secretary also answers the residence comments asked of the cell and checks evidence (a query each).
    "secretary": 22,
    "committee_staff": 20,
    "head": 25,
    "org_board": 13,
    "overseer": 12,
}


@pytest.mark.parametrize("members", [10, 100])
def test_the_desk_costs_the_same_queries_for_10_and_100_members(cast, settings, django_assert_num_queries, members):
    settings.DESK_ANNUAL_PERIOD_MONTH = 1
    _busy_ward(cast, members)
    users = {
        "member": cast.member.user,
        "secretary": cast.secretary.user,
        "committee_staff": cast.committee_staff.user,
        "head": cast.head.user,
        "org_board": cast.org_board,
        "overseer": cast.overseer,
    }
    for persona, user in users.items():
        client = client_for(user)
        with django_assert_num_queries(DASHBOARD_QUERIES[persona]):
            assert client.get(reverse("programmes:dashboard")).status_code == 200
    # The work is all there, counted: a fifth of the members each proposed, decided…
    assert tasks(cast.committee_staff.user)["Đề xuất của chi bộ chờ cấp ủy quyết định xếp loại"].count == len(
        range(1, members, 5)
    )
    decide = tasks(cast.committee_staff.user)["Đề xuất của chi bộ chờ cấp ủy quyết định xếp loại"]
    assert resolve(decide.url).url_name == "cell_decisions"
    assert tasks(cast.secretary.user)["Chương trình hành động chờ đồng chí xác nhận"].count == members
    overseer = tasks(cast.overseer)
    assert overseer["Góp ý, phản ánh đã quá hạn trả lời"].count == 2 * members // 5
    assert tasks(cast.org_board)["Tệp nhập dữ liệu đang chờ xử lý"].count == members // 2
