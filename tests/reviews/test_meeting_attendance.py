"""The cell's meeting names who attended: each member present or absent with the reason, the meeting's secretary,
who presented, and the opinions that differed or were reserved. Shown on the cell's page and the review's page,
printed in the cell summary, and checked by the service: every member once, a reason for each absence, numbers
that agree with the names."""

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.models import AuditEvent
from reviews import services
from reviews.models import CellMeeting, CellProposal, MeetingAttendance, ReportKind, Review
from reviews.reports.produce import report_produce
from tests.factories import client_for, make_member
from tests.programmes.programme_data import make_confirmed
from tests.programmes.test_documents import pdf_text
from tests.reviews.review_data import open_period, propose, write_and_submit

pytestmark = pytest.mark.django_db

ABSENCE = "Đi công tác tại Đà Nẵng theo quyết định của cơ quan"
DISSENT = "Đồng chí Ngô Thị Hoa bảo lưu ý kiến đề nghị xếp loại hoàn thành xuất sắc nhiệm vụ cho đồng chí Ánh."


@pytest.fixture
def period(cast):
    make_confirmed(cast.member, cast.secretary.user)
    return open_period(cast.ward, cast.org_board)


@pytest.fixture
def hoa(cast):
    """A third member of cell A, so that one absence still leaves a quorum."""
    return make_member(cast.cell_a, "hoa", full_name="Ngô Thị Hoa")


def meeting_url(period, place) -> str:
    return reverse("reviews:meeting_record", args=[period.pk, place.pk])


def named_post(cast, hoa, **overrides: Any) -> dict[str, Any]:
    """The meeting of cell A with its three members named: Ánh absent on mission, Bình and Hoa present."""
    data: dict[str, Any] = {
        "held_on": timezone.localdate().isoformat(),
        "members_total": "3",
        "members_present": "",
        "chaired_by": "Lê Văn Bình",
        "meeting_secretary": "Ngô Thị Hoa",
        "presented_by": "Lê Văn Bình",
        "minutes": "Chi bộ họp kiểm điểm cuối năm, góp ý từng bản kiểm điểm.",
        "dissent": DISSENT,
        f"attendance_{cast.member.pk}": "absent",
        f"reason_{cast.member.pk}": ABSENCE,
        f"attendance_{cast.secretary.pk}": "present",
        f"attendance_{hoa.pk}": "present",
    }
    data.update(overrides)
    return data


def test_the_form_lists_the_cells_members_to_mark(cast, period, hoa):
    page = client_for(cast.secretary.user).get(meeting_url(period, cast.cell_a)).text
    for cadre in (cast.member, cast.secretary, hoa):
        assert f'name="attendance_{cadre.pk}"' in page
        assert f'name="reason_{cadre.pk}"' in page
    assert cast.outsider.full_name not in page
    assert "Thư ký cuộc họp" in page
    assert "Ý kiến khác, ý kiến bảo lưu" in page
    assert "js/meeting_form.js" in page


def test_named_attendance_is_stored_counted_and_shown_on_the_cell_and_review_pages(cast, period, hoa):
    review = write_and_submit(Review.objects.get(period=period, cadre=cast.member))
    client = client_for(cast.secretary.user)

    response = client.post(meeting_url(period, cast.cell_a), named_post(cast, hoa), follow=True)

    assert "2/3 đảng viên dự — đủ quá nửa" in response.text
    meeting = CellMeeting.objects.get(period=period)
    # The number present was left blank: it is counted from the names.
    assert (meeting.members_total, meeting.members_present) == (3, 2)
    assert (meeting.meeting_secretary, meeting.presented_by, meeting.dissent) == (
        "Ngô Thị Hoa",
        "Lê Văn Bình",
        DISSENT,
    )
    absent = MeetingAttendance.objects.get(meeting=meeting, present=False)
    assert (absent.cadre, absent.absence_reason) == (cast.member, ABSENCE)
    assert MeetingAttendance.objects.filter(meeting=meeting, present=True).count() == 2
    event = AuditEvent.objects.get(action="review.meeting_record")
    assert event.after is not None
    assert event.after["absent"] == {str(cast.member.pk): ABSENCE}
    assert sorted(event.after["present"]) == sorted([cast.secretary.pk, hoa.pk])

    cell_page = response.text
    assert "Thư ký: Ngô Thị Hoa" in cell_page
    assert "Người trình bày: Lê Văn Bình" in cell_page
    assert "Danh sách điểm danh: 2 có mặt, 1 vắng" in cell_page
    assert f"{cast.member.full_name}: {ABSENCE}" in cell_page
    assert DISSENT in cell_page

    propose_with(review, cast, meeting)
    detail = client.get(reverse("reviews:review_detail", args=[review.pk])).text
    assert "Thư ký: Ngô Thị Hoa" in detail
    assert f"{cast.member.full_name}: {ABSENCE}" in detail
    assert DISSENT in detail


def propose_with(review: Review, cast, meeting: CellMeeting) -> None:
    verdicts = {assessment.pk: ("done", "") for assessment in review.assessments.all()}
    services.proposal_record(
        review=review,
        meeting=meeting,
        general_points=27,
        task_points=60,
        level="good",
        votes_for=2,
        votes_against=0,
        verdicts=verdicts,
        acting_user=cast.secretary.user,
    )


def test_an_absence_without_a_reason_is_refused_at_the_members_row(cast, period, hoa):
    response = client_for(cast.secretary.user).post(
        meeting_url(period, cast.cell_a), named_post(cast, hoa, **{f"reason_{cast.member.pk}": "  "})
    )
    assert response.status_code == 200
    assert f"Đồng chí {cast.member.full_name} vắng mặt: hãy ghi lý do vắng." in response.text
    assert not CellMeeting.objects.exists()


def test_a_member_left_unmarked_is_named_and_nothing_is_stored(cast, period, hoa):
    data = named_post(cast, hoa)
    del data[f"attendance_{hoa.pk}"]
    response = client_for(cast.secretary.user).post(meeting_url(period, cast.cell_a), data)
    assert f"Chưa đánh dấu đồng chí {hoa.full_name} có mặt hay vắng mặt." in response.text
    assert not CellMeeting.objects.exists()
    assert not MeetingAttendance.objects.exists()


def test_numbers_that_disagree_with_the_names_are_refused(cast, period, hoa):
    response = client_for(cast.secretary.user).post(
        meeting_url(period, cast.cell_a), named_post(cast, hoa, members_present="3")
    )
    assert "danh sách có 2 đồng chí có mặt trên 3, nhưng ghi 3/3" in response.text
    assert not CellMeeting.objects.exists()


def test_without_names_the_numbers_alone_still_record_a_meeting(cast, period, hoa):
    data = {
        key: value
        for key, value in named_post(cast, hoa, members_present="2").items()
        if not key.startswith(("attendance_", "reason_"))
    }
    response = client_for(cast.secretary.user).post(meeting_url(period, cast.cell_a), data)
    assert response.status_code == 302
    assert CellMeeting.objects.get().members_present == 2
    assert not MeetingAttendance.objects.exists()


def test_the_service_refuses_a_name_from_another_cell(cast, period, hoa):
    entries = [
        services.Attendance(cast.member.pk, True),
        services.Attendance(cast.secretary.pk, True),
        services.Attendance(hoa.pk, True),
        services.Attendance(cast.outsider.pk, True),
    ]
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(
            period=period,
            cell=cast.cell_a,
            held_on=timezone.localdate(),
            members_total=4,
            members_present=4,
            chaired_by="Lê Văn Bình",
            minutes="Biên bản",
            attendance=entries,
            acting_user=cast.secretary.user,
        )
    assert "không thuộc chi bộ" in str(refused.value)
    assert not CellMeeting.objects.exists()


def test_the_cell_summary_prints_the_secretary_presenter_absences_and_dissent(cast, period, hoa, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    review = write_and_submit(Review.objects.get(period=period, cadre=cast.member))
    client_for(cast.secretary.user).post(meeting_url(period, cast.cell_a), named_post(cast, hoa))
    propose_with(review, cast, CellMeeting.objects.get())

    report, _made = report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)

    with report.file.open("rb") as stored:
        text = " ".join(pdf_text(stored.read()).split())
    assert "thư ký: Ngô Thị Hoa" in text
    assert "người trình bày: Lê Văn Bình" in text
    assert f"Vắng mặt: {cast.member.full_name} ({ABSENCE})" in text
    assert "Ý kiến khác, ý kiến bảo lưu:" in text
    assert "bảo lưu ý kiến đề nghị xếp loại" in text


def test_a_proposal_from_the_review_data_helpers_still_works_without_names(cast, period):
    # The meeting helpers of other tests record numbers only: that stays valid.
    review = write_and_submit(Review.objects.get(period=period, cadre=cast.member))
    propose(review, cast.secretary.user)
    assert not MeetingAttendance.objects.exists()


def test_a_members_copy_of_her_data_holds_her_own_absence_and_nobody_elses(cast, period, hoa):
    review = write_and_submit(Review.objects.get(period=period, cadre=cast.member))
    other_reason = "Nằm viện theo giấy của bệnh viện quận"
    data = named_post(
        cast, hoa, members_present="", **{f"attendance_{hoa.pk}": "absent", f"reason_{hoa.pk}": other_reason}
    )
    data["members_total"] = "3"
    client_for(cast.secretary.user).post(meeting_url(period, cast.cell_a), data)
    meeting = CellMeeting.objects.get()
    assert meeting.members_present == 1
    # One present of three is no quorum: the proposal is written as a row for this copy of her data.
    CellProposal.objects.create(
        review=review, meeting=meeting, level="good", votes_for=1, votes_against=0, recorded_by=cast.secretary.user
    )

    copy = client_for(cast.member.user).get(reverse("programmes:my_data_json"))

    [entry] = json.loads(copy.content)["reviews"]
    [proposal] = entry["cell_proposal"]
    assert (proposal["present"], proposal["absence_reason"]) == (False, ABSENCE)
    assert proposal["meeting_secretary"] == "Ngô Thị Hoa"
    assert other_reason not in copy.content.decode()
