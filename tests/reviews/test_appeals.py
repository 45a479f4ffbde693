"""Appeals (kiến nghị) and re-classification (xếp loại lại) to the Party's rules.

One appeal per result: the confirmed decision is one result, each change of level a new one with its own
window. An appeal goes to the committee above the body whose result it contests, never to that body or to
whoever made the result. A re-classification tells the member, restarts the window, keeps the level before
and after in the audit log, and brings out a new version of the individual report without anyone asking.

Two wards: phường Bến Thành (the member's, with its grassroots committee "Khu phố 1") and phường Sài Gòn.
"""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from programmes.models import AuditEvent, Notification, OrganisationKind
from reviews import access, services, tasks
from reviews.models import (
    Appeal,
    AppealState,
    LevelChange,
    RatingLevel,
    Report,
    ReportKind,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.reports.produce import report_produce
from tests.factories import client_for, make_organisation
from tests.programmes.test_documents import pdf_text
from tests.reviews.review_data import committee_member, final_review

pytestmark = pytest.mark.django_db

WARD_REASON = "Kiểm tra của Ủy ban Kiểm tra phường: nội dung cam kết số 2 hoàn thành chậm so với cam kết."
ALREADY_APPEALED = "Đồng chí đã kiến nghị về kết quả này; mỗi kết quả chỉ được kiến nghị một lần."
NOT_ALLOWED = "Đồng chí không có thẩm quyền giải quyết kiến nghị này."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class Committees:
    """Members of the committees above the deciding one, made once the period is open (so they add no review):
    two of the ward's, one of the other ward's, two of the city's."""

    def __init__(self, cast: Any) -> None:
        grassroots_b = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
        cell_b = make_organisation("Chi bộ Khu phố 5A", OrganisationKind.SUBORDINATE_CELL, grassroots_b)
        self.ward = committee_member(cast.cell_b, cast.ward, "ward_member", "Đặng Văn Phúc")
        self.ward_2 = committee_member(cast.cell_b, cast.ward, "ward_member_2", "Mai Thị Thu")
        self.other_ward = committee_member(cell_b, cast.other_ward, "other_ward_member", "Lý Văn Tâm")
        self.city = committee_member(cell_b, cast.city, "city_member", "Hồ Văn Thành")
        self.city_2 = committee_member(cell_b, cast.city, "city_member_2", "Phan Thị Vân")


def appeal(review: Review, cast: Any, text: str = "Đề nghị xem xét lại mức xếp loại.") -> Appeal:
    return services.appeal_file(review=review, text=text, acting_user=cast.member.user)


def reclassify(review: Review, user: Any, level: str = RatingLevel.COMPLETED) -> LevelChange:
    return services.review_reclassify(review=review, level=level, reason=WARD_REASON, acting_user=user)


def detail(review: Review) -> str:
    return reverse("reviews:review_detail", args=[review.pk])


def appeal_link(review: Review) -> str:
    return reverse("reviews:appeal_file", args=[review.pk])


# --- One appeal per result -----------------------------------------------------------------------------------


def test_a_second_appeal_on_the_same_result_is_refused(cast):
    review = final_review(cast)
    committees = Committees(cast)
    first = appeal(review, cast)
    services.appeal_resolve(appeal=first, upheld=True, resolution="Giữ nguyên kết quả.", acting_user=committees.ward)
    review.refresh_from_db()
    assert review.state == ReviewState.FINAL

    with pytest.raises(ValidationError) as refused:
        appeal(review, cast, "Kiến nghị lần hai về cùng kết quả.")

    assert refused.value.messages == [ALREADY_APPEALED]
    review.refresh_from_db()
    assert review.state == ReviewState.FINAL
    assert list(Appeal.objects.filter(review=review)) == [first]


def test_the_member_is_no_longer_offered_to_appeal_an_appealed_result(cast):
    review = final_review(cast)
    committees = Committees(cast)
    member = client_for(cast.member.user)
    work_list = reverse("reviews:work_list")
    assert appeal_link(review) in member.get(detail(review)).text
    assert appeal_link(review) in member.get(work_list).text

    first = appeal(review, cast)
    services.appeal_resolve(appeal=first, upheld=True, resolution="Giữ nguyên kết quả.", acting_user=committees.ward)

    page = member.get(detail(review)).text
    assert appeal_link(review) not in page
    assert ALREADY_APPEALED in page
    assert appeal_link(review) not in member.get(work_list).text
    # The form's page says why and refuses a forced submission.
    assert ALREADY_APPEALED in member.get(appeal_link(review)).text
    response = member.post(appeal_link(review), {"text": "Kiến nghị lần hai."})
    assert response.status_code == 200
    assert ALREADY_APPEALED in " ".join(response.context["form"].non_field_errors())
    assert Appeal.objects.filter(review=review).count() == 1

    # A re-classification is a new result: the member may appeal it, from the page and the work list.
    reclassify(review, committees.ward)
    assert appeal_link(review) in member.get(detail(review)).text
    assert appeal_link(review) in member.get(work_list).text


@pytest.mark.postgres
def test_the_database_holds_one_appeal_per_result(cast):
    review = final_review(cast)
    committees = Committees(cast)
    first = appeal(review, cast)
    services.appeal_resolve(appeal=first, upheld=True, resolution="Giữ nguyên.", acting_user=committees.ward)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(review=review, resolving_organisation=cast.ward, text="Lần hai", filed_by=first.filed_by)

    change = reclassify(review, committees.ward)
    second = appeal(review, cast)
    assert second.contested_change == change
    services.appeal_resolve(appeal=second, upheld=True, resolution="Giữ nguyên.", acting_user=committees.city)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            review=review,
            contested_change=change,
            resolving_organisation=cast.city,
            text="Lần ba",
            filed_by=first.filed_by,
        )


# --- Who resolves: the committee above the body whose result is contested ------------------------------------


def test_an_appeal_against_the_confirmed_decision_goes_to_the_ward_committee(cast):
    review = final_review(cast)
    committees = Committees(cast)
    filed = appeal(review, cast)
    assert (filed.contested_change, filed.resolving_organisation) == (None, cast.ward)

    # The grassroots committee decided and its head confirmed; the other ward has no say.
    for user in (cast.head.user, cast.committee_staff.user, committees.other_ward, cast.org_board):
        assert not access.can_resolve_appeal(user, filed)
        with pytest.raises(PermissionDenied) as denied:
            services.appeal_resolve(appeal=filed, upheld=True, resolution="x", acting_user=user)
        assert str(denied.value) == NOT_ALLOWED
        assert not client_for(user).get(reverse("reviews:work_list")).context["appeals"]
    filed.refresh_from_db()
    assert filed.state == AppealState.PENDING

    listed = client_for(committees.ward).get(reverse("reviews:work_list")).context["appeals"]
    assert [(row.pk, row.pending_appeal) for row in listed] == [(review.pk, filed.pk)]
    services.appeal_resolve(appeal=filed, upheld=True, resolution="Giữ nguyên.", acting_user=committees.ward)
    filed.refresh_from_db()
    assert filed.state == AppealState.UPHELD


def test_an_appeal_against_the_wards_reclassification_goes_to_the_city_and_its_result_once_more_above(cast):
    review = final_review(cast)
    committees = Committees(cast)
    change = reclassify(review, committees.ward)
    assert change.organisation == cast.ward
    review.refresh_from_db()
    filed = appeal(review, cast)
    assert (filed.contested_change, filed.resolving_organisation) == (change, cast.city)

    # Not the grassroots committee (below the contested body), not the ward that re-classified, not the other ward.
    for user in (cast.head.user, cast.committee_staff.user, committees.ward, committees.ward_2, committees.other_ward):
        assert not access.can_resolve_appeal(user, filed)
        with pytest.raises(PermissionDenied):
            services.appeal_resolve(appeal=filed, upheld=True, resolution="x", acting_user=user)
        response = client_for(user).get(reverse("reviews:appeal_resolve", args=[filed.pk]))
        assert response.status_code in (403, 404)

    resolved = services.appeal_resolve(
        appeal=filed,
        upheld=False,
        new_level=RatingLevel.GOOD,
        resolution="Chậm do thủ tục liên thông, không do đồng chí: giữ mức của đảng bộ cơ sở.",
        acting_user=committees.city,
    )
    assert resolved.state == AppealState.RECLASSIFIED
    on_appeal = LevelChange.objects.get(review=review, cause=LevelChange.Cause.APPEAL)
    assert (on_appeal.organisation, on_appeal.from_level, on_appeal.to_level) == (
        cast.city,
        RatingLevel.COMPLETED,
        RatingLevel.GOOD,
    )
    review.refresh_from_db()
    assert (review.state, review.final_level, review.final_at) == (
        ReviewState.FINAL,
        RatingLevel.GOOD,
        on_appeal.changed_at,
    )
    # The city's result is a new one, but no committee above the city sits in the portal: the member is told so.
    notice = Notification.objects.get(recipient=cast.member.user, subject__startswith="Kiến nghị đã được giải quyết")
    assert "Không có cấp ủy cấp trên trên cổng để kiến nghị về kết quả này." in notice.body
    with pytest.raises(ValidationError) as refused:
        appeal(review, cast)
    assert "không có cấp ủy cấp trên trên cổng" in refused.value.messages[0]


def test_whoever_made_the_contested_result_does_not_resolve_the_appeal_against_it(cast):
    review = final_review(cast)
    committees = Committees(cast)
    # A city committee member may re-classify a ward-level result (the city is above the ward) ...
    change = reclassify(review, committees.city)
    assert change.organisation == cast.ward
    review.refresh_from_db()
    filed = appeal(review, cast)
    assert filed.resolving_organisation == cast.city
    # ... but then leaves the appeal against it to the rest of the city committee.
    assert not access.can_resolve_appeal(committees.city, filed)
    assert not client_for(committees.city).get(reverse("reviews:work_list")).context["appeals"]
    assert access.can_resolve_appeal(committees.city_2, filed)
    assert [row.pk for row in client_for(committees.city_2).get(reverse("reviews:work_list")).context["appeals"]] == [
        review.pk
    ]


def test_the_appeal_page_names_the_contested_result_and_the_committee_it_goes_to(cast):
    review = final_review(cast)
    committees = Committees(cast)
    member = client_for(cast.member.user)
    page = member.get(appeal_link(review)).text
    assert f"do {cast.grassroots.name} quyết định và người đứng đầu đã xác nhận" in page
    assert f"Kiến nghị được gửi đến {cast.ward.name}" in page

    reclassify(review, committees.ward)
    page = member.get(appeal_link(review)).text
    assert f"do {cast.ward.name} xếp loại lại ngày {timezone.localdate():%d/%m/%Y}" in page
    assert f"Kiến nghị được gửi đến {cast.city.name}" in page


# --- Re-classification: the member told, the window restarted, before and after kept, the report renewed --------


def test_a_reclassification_notifies_the_member_restarts_the_window_and_records_before_and_after(cast):
    review = final_review(cast)
    committees = Committees(cast)
    # The confirmed result's window has one day left.
    Review.objects.filter(pk=review.pk).update(final_at=timezone.now() - datetime.timedelta(days=14))
    review.refresh_from_db()
    assert services.appeal_deadline(review) == timezone.localdate() + datetime.timedelta(days=1)

    change = reclassify(review, committees.ward)

    review.refresh_from_db()
    assert (review.final_level, review.final_at) == (RatingLevel.COMPLETED, change.changed_at)
    deadline = services.appeal_deadline(review)
    assert deadline == timezone.localtime(change.changed_at).date() + datetime.timedelta(days=15)
    notice = Notification.objects.get(recipient=cast.member.user, subject__startswith="Cấp ủy cấp trên xếp loại lại")
    assert notice.subject == "Cấp ủy cấp trên xếp loại lại: Hoàn thành nhiệm vụ"
    assert "từ “Hoàn thành tốt nhiệm vụ” thành “Hoàn thành nhiệm vụ”" in notice.body
    assert WARD_REASON in notice.body
    assert f"Đồng chí có thể kiến nghị đến hết ngày {deadline:%d/%m/%Y}." in notice.body
    assert notice.link == detail(review)

    event = AuditEvent.objects.select_related("content_type").get(action="review.reclassify")
    assert event.content_type is not None and event.before is not None and event.after is not None
    assert (event.content_type.model, event.object_id) == ("review", str(review.pk))
    assert event.before["final_level"] == RatingLevel.GOOD
    assert event.after["final_level"] == RatingLevel.COMPLETED
    assert event.after["change"] == change.pk
    # Filed in the member's cell: staff reading the audit log of the subtree see it.
    assert event.scope_path == cast.cell_a.path


def test_an_appeal_resolved_by_reclassification_tells_the_member_the_new_level_and_window(cast):
    review = final_review(cast)
    committees = Committees(cast)
    filed = appeal(review, cast)
    services.appeal_resolve(
        appeal=filed,
        upheld=False,
        new_level=RatingLevel.EXCELLENT,
        resolution="Nội dung 1 vượt chỉ tiêu, có xác nhận của bộ phận một cửa.",
        acting_user=committees.ward,
    )
    review.refresh_from_db()
    notice = Notification.objects.get(recipient=cast.member.user, subject__startswith="Kiến nghị đã được giải quyết")
    assert "Mức xếp loại mới: Hoàn thành xuất sắc nhiệm vụ." in notice.body
    assert f"đến hết ngày {services.appeal_deadline(review):%d/%m/%Y}" in notice.body
    event = AuditEvent.objects.get(action="review.appeal_resolve")
    assert event.before is not None and event.after is not None
    assert (event.before["final_level"], event.after["final_level"]) == (RatingLevel.GOOD, RatingLevel.EXCELLENT)


def _individual(review: Review) -> list[Report]:
    return list(Report.objects.filter(kind=ReportKind.INDIVIDUAL, review=review).order_by("version"))


def _pdf(report: Report) -> str:
    with report.file.open("rb") as stored:
        return pdf_text(stored.read())


def test_a_reclassification_renews_the_individual_report_and_the_summaries_already_made(
    cast, media, django_capture_on_commit_callbacks
):
    # Committed as in production: the confirmation's report task runs after its commit (eager Celery).
    with django_capture_on_commit_callbacks(execute=True):
        review = final_review(cast)
    committees = Committees(cast)
    [first] = _individual(review)
    assert "KẾT QUẢ XẾP LOẠI: Hoàn thành tốt nhiệm vụ" in _pdf(first)
    period: ReviewPeriod = review.period
    summary, _made = report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)
    rollup, _made = report_produce(ReportKind.ORGANISATION_ROLLUP, cast.ward.pk, period)
    # The other ward's roll-up prints nothing of the member.
    elsewhere, _made = report_produce(ReportKind.ORGANISATION_ROLLUP, cast.other_ward.pk, period)

    with django_capture_on_commit_callbacks(execute=True):
        reclassify(review, committees.ward)

    first_again, second = _individual(review)
    assert first_again.pk == first.pk and not first_again.is_current
    assert second.version == 2 and second.is_current
    text = _pdf(second)
    assert "KẾT QUẢ XẾP LOẠI: Hoàn thành nhiệm vụ" in text
    assert f"Cấp ủy cấp trên xếp loại lại ({cast.ward.name})" in text
    for stale in (summary, rollup):
        renewed = Report.objects.get(subject_key=stale.subject_key, is_current=True)
        assert renewed.version == 2
    assert Report.objects.get(subject_key=elsewhere.subject_key, is_current=True).pk == elsewhere.pk

    # A second delivery of the task, or a later run on the same data, stores nothing.
    count = Report.objects.count()
    tasks.refresh_review_reports.apply(args=(review.pk,)).get()
    assert Report.objects.count() == count
