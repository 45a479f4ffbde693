"""The report pages: the list, asking for reports, a batch's progress (with and without htmx) and downloads.

Celery runs eagerly in tests (config/settings/test.py): a request's tasks run when its on-commit
callbacks are executed, so a test either runs them (the reports are made) or not (the items stay pending).
"""

import hashlib
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import Cadre, Role
from reviews.models import (
    ItemState,
    PeriodKind,
    Report,
    ReportBatch,
    ReportKind,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.reports.batches import batch_create, batch_item_fail, batch_item_run, planned_items
from reviews.reports.produce import display_code, report_produce
from tests.factories import RoleAssignmentFactory, UserFactory, client_for
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import final_review, open_period, stored_report

pytestmark = pytest.mark.django_db

REPORT_LIST = reverse("reviews:report_list")
REPORT_REQUEST = reverse("reviews:report_request")
# The cell's secretary (a cadre with a post): session, user, the grants (cadre, membership, posts, roles) and
# the header's counts; then the page of reports (count and rows) and the periods offered by the filter.
SECRETARY_REPORT_LIST_QUERIES = 7 + 3


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def download_url(report: Report) -> str:
    return reverse("reviews:report_download", args=[report.pk])


def batch_url(batch: ReportBatch) -> str:
    return reverse("reviews:batch_detail", args=[batch.pk])


def progress_url(batch: ReportBatch) -> str:
    return reverse("reviews:batch_progress", args=[batch.pk])


def status_of(client: Client, url: str) -> int:
    """A download's status; its file is closed, as a server would once the response is sent."""
    response = client.get(url)
    response.close()
    return response.status_code


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def review(cast) -> Review:
    """The member's review from the opening of a ward period to a rating confirmed on every commitment, as in
    test_review_flow."""
    review = final_review(cast, grounds="Hoàn thành đúng hạn 2/2 nội dung cam kết, có minh chứng.", cite_all=True)
    assert review.state == ReviewState.FINAL
    return review


@pytest.fixture
def produced(cast, review: Review, media: Path) -> dict[str, Report]:
    """The cell summary of cell A and the member's individual report, made by the real producer."""
    summary, _made = report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, review.period)
    individual, _made = report_produce(ReportKind.INDIVIDUAL, review.pk, review.period)
    return {"summary": summary, "individual": individual}


def request_url(period: ReviewPeriod) -> str:
    return f"{REPORT_REQUEST}?dot={period.pk}"


# --- Asking for one cell's reports, and following the batch ---------------------------------------------------


def test_requesting_one_cells_reports_produces_them_and_shows_the_batch_done(
    cast, review, media, django_capture_on_commit_callbacks
):
    client = client_for(cast.committee_staff.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url(review.period), {"target": "cell", "cell": cast.cell_a.pk})
    batch = ReportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch_url(batch)
    assert batch.requested_by == cast.committee_staff.user
    assert batch.scope == cast.cell_a
    assert sorted(batch.items.values_list("kind", "object_id", "state")) == [
        (ReportKind.CELL_SUMMARY, cast.cell_a.pk, ItemState.DONE),
        (ReportKind.INDIVIDUAL, review.pk, ItemState.DONE),
    ]
    assert set(Report.objects.values_list("kind", flat=True)) == {ReportKind.CELL_SUMMARY, ReportKind.INDIVIDUAL}
    assert len(list(media.rglob("*.pdf"))) == 2
    batch.refresh_from_db()
    assert batch.finished_at is not None

    page = client.get(batch_url(batch)).text
    assert "2 / 2 báo cáo đã xong" in page
    assert 'hx-trigger="every 2s"' not in page
    for report in Report.objects.all():
        assert download_url(report) in page


def test_the_progress_partial_polls_while_pending_and_stops_once_finished(cast, review, media):
    batch = batch_create(
        period=review.period,
        scope=cast.cell_a,
        items=[(ReportKind.CELL_SUMMARY, cast.cell_a.pk), (ReportKind.INDIVIDUAL, review.pk)],
        acting_user=cast.committee_staff.user,
    )
    # The on-commit callbacks of this test's transaction never run: nothing was queued, both items wait.
    assert set(batch.items.values_list("state", flat=True)) == {ItemState.PENDING}
    client = client_for(cast.committee_staff.user)
    pending = client.get(progress_url(batch), headers={"HX-Request": "true"})
    assert pending.status_code == 200
    text = pending.text
    assert text.lstrip().startswith("<section")
    assert "<html" not in text
    assert 'hx-trigger="every 2s"' in text
    assert f'hx-get="{progress_url(batch)}"' in text
    assert "0 / 2 báo cáo đã xong" in text
    assert 'aria-live="polite"' in text
    # Without JavaScript the page offers to reload itself.
    page = client.get(batch_url(batch)).text
    assert "Tải lại" in page and 'hx-trigger="every 2s"' in page

    for item_id in batch.items.values_list("pk", flat=True):
        batch_item_run(item_id)
    done = client.get(progress_url(batch), headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in done
    assert "Tải lại" not in done
    assert "2 / 2 báo cáo đã xong" in done


def test_a_failed_item_is_listed_with_its_error(cast, review, media):
    batch = batch_create(
        period=review.period,
        scope=cast.cell_a,
        items=[(ReportKind.INDIVIDUAL, review.pk)],
        acting_user=cast.committee_staff.user,
    )
    item = batch.items.get()
    batch_item_fail(item.pk, "RuntimeError: hết bộ nhớ khi dựng PDF")
    text = client_for(cast.committee_staff.user).get(batch_url(batch)).text
    assert "0 / 1 báo cáo đã xong" in text
    assert "1 báo cáo lỗi" in text
    assert "RuntimeError: hết bộ nhớ khi dựng PDF" in text
    assert "hx-trigger" not in text


def test_the_batch_is_for_its_requester_and_those_who_may_request_for_its_scope(cast, review, media):
    batch = batch_create(
        period=review.period,
        scope=cast.cell_a,
        items=[(ReportKind.INDIVIDUAL, review.pk)],
        acting_user=cast.committee_staff.user,
    )
    for user in (cast.committee_staff.user, cast.head.user, cast.org_board):
        assert client_for(user).get(batch_url(batch)).status_code == 200
    for user in (cast.secretary.user, cast.member.user, cast.outsider.user, cast.overseer):
        client = client_for(user)
        assert client.get(batch_url(batch)).status_code == 404
        assert client.get(progress_url(batch)).status_code == 404
    anonymous = Client().get(batch_url(batch))
    assert anonymous.status_code == 302
    assert reverse("login") in anonymous["Location"]


def test_progress_partial_query_count_does_not_grow_with_finished_reports(
    cast, review, media, django_assert_num_queries
):
    one = batch_create(
        period=review.period,
        scope=cast.cell_a,
        items=[(ReportKind.INDIVIDUAL, review.pk)],
        acting_user=cast.committee_staff.user,
    )
    two = batch_create(
        period=review.period,
        scope=cast.cell_a,
        items=[(ReportKind.INDIVIDUAL, review.pk), (ReportKind.CELL_SUMMARY, cast.cell_a.pk)],
        acting_user=cast.committee_staff.user,
    )
    for batch in (one, two):
        for item_id in batch.items.values_list("pk", flat=True):
            batch_item_run(item_id)
    client = client_for(cast.committee_staff.user)
    small = page_queries(client, progress_url(one))
    with django_assert_num_queries(small):
        response = client.get(progress_url(two))
    assert len(response.context["done"]) == 2


# --- The request page -----------------------------------------------------------------------------------------


def test_request_page_is_refused_to_those_who_may_not_request(cast, review):
    for user in (cast.member.user, cast.secretary.user, cast.outsider.user, cast.overseer):
        assert client_for(user).get(REPORT_REQUEST).status_code == 404
    assert Client().get(REPORT_REQUEST).status_code == 302


def test_request_page_offers_the_periods_then_the_final_reviews_cells_and_organisations(cast, review):
    client = client_for(cast.committee_staff.user)
    first = client.get(REPORT_REQUEST)
    assert first.context["form"] is None
    assert list(first.context["chooser"].fields["dot"].queryset) == [review.period]

    response = client.get(request_url(review.period))
    form = response.context["form"]
    # Only final reviews: the others of the period are still being written.
    assert list(form.fields["review"].queryset) == [review]
    assert set(form.fields["cell"].queryset) == {cast.cell_a, cast.cell_b}
    # The committee member requests inside the grassroots organisation, not for the whole ward.
    assert list(form.fields["organisation"].queryset) == [cast.grassroots]
    assert cast.member.full_name in response.text


def test_requesting_one_review_makes_a_batch_of_one_item(cast, review, media, django_capture_on_commit_callbacks):
    client = client_for(cast.org_board)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url(review.period), {"target": "review", "review": review.pk})
    batch = ReportBatch.objects.get()
    assert response["Location"] == batch_url(batch)
    assert list(batch.items.values_list("kind", "object_id", "state")) == [
        (ReportKind.INDIVIDUAL, review.pk, ItemState.DONE)
    ]
    assert cast.member.full_name in batch.title
    assert Report.objects.get().review == review


def test_requesting_a_subtree_plans_every_report_of_it(cast, review, django_capture_on_commit_callbacks):
    client = client_for(cast.org_board)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(request_url(review.period), {"target": "subtree", "organisation": cast.ward.pk})
    batch = ReportBatch.objects.get()
    assert response["Location"] == batch_url(batch)
    assert len(callbacks) == 1
    planned = planned_items(review.period, cast.ward)
    assert sorted(batch.items.values_list("kind", "object_id")) == sorted(planned)
    assert batch.scope == cast.ward


def test_request_form_says_what_is_missing_and_refuses_choices_outside_the_users(cast, review):
    client = client_for(cast.committee_staff.user)
    missing = client.post(request_url(review.period), {"target": "cell"})
    assert missing.status_code == 200
    assert "Hãy chọn chi bộ cần tạo báo cáo." in missing.text
    # The ward is above the committee member's organisation: not offered, and refused when forced.
    outside = client.post(request_url(review.period), {"target": "subtree", "organisation": cast.ward.pk})
    assert outside.status_code == 200
    assert "không tạo được báo cáo cho lựa chọn này" in outside.text
    assert not ReportBatch.objects.exists()


def test_request_page_refuses_a_period_outside_the_users(cast, review):
    RoleAssignmentFactory(
        user=UserFactory(username="other_board"), role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward
    )
    other = open_period(cast.other_ward, User.objects.get(username="other_board"))
    response = client_for(cast.committee_staff.user).get(request_url(other))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Hãy chọn một đợt trong danh sách" in response.text


# --- Downloads ------------------------------------------------------------------------------------------------


def test_secretary_downloads_the_cell_summary_and_the_members_report(cast, produced, media):
    client = client_for(cast.secretary.user)
    for report in (produced["summary"], produced["individual"]):
        response = client.get(download_url(report))
        assert response.status_code == 200
        body = response.getvalue()
        response.close()
        assert body.startswith(b"%PDF")
        assert hashlib.sha256(body).hexdigest() == report.sha256
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{report.kind}-{report.verification_code}.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        assert response["ETag"] == f'"{report.sha256}"'
        assert response["X-Report-SHA256"] == report.sha256


def test_member_downloads_own_report_but_not_the_cell_summary(cast, produced):
    client = client_for(cast.member.user)
    assert status_of(client, download_url(produced["individual"])) == 200
    assert status_of(client, download_url(produced["summary"])) == 404


def test_outsider_overseer_and_anonymous_are_refused_every_report(cast, produced):
    for user in (cast.outsider.user, cast.overseer):
        client = client_for(user)
        for report in produced.values():
            assert status_of(client, download_url(report)) == 404
        assert client.get(REPORT_LIST).context["rows"] == []
    for report in produced.values():
        response = Client().get(download_url(report))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    assert Client().get(REPORT_LIST).status_code == 302


def test_committee_and_org_board_download_the_cell_summary(cast, produced):
    for user in (cast.committee_staff.user, cast.head.user, cast.org_board):
        assert status_of(client_for(user), download_url(produced["summary"])) == 200


def test_a_programme_document_follows_who_may_read_the_programme(cast, media):
    programme = make_confirmed(cast.member, cast.secretary.user)
    report, _made = report_produce(ReportKind.PROGRAMME, programme.pk)
    for user in (cast.member.user, cast.secretary.user):
        assert status_of(client_for(user), download_url(report)) == 200
        assert [row.report for row in client_for(user).get(REPORT_LIST).context["rows"]] == [report]
    # Confirmed but not published: the neighbouring cell and the Front do not read it.
    for user in (cast.outsider.user, cast.overseer):
        assert status_of(client_for(user), download_url(report)) == 404
        assert client_for(user).get(REPORT_LIST).context["rows"] == []


def test_a_missing_report_is_404(cast, media):
    assert status_of(client_for(cast.org_board), reverse("reviews:report_download", args=[999])) == 404


def test_a_superseded_report_still_downloads_and_is_marked(cast, review, produced):
    first = produced["individual"]
    # A corrected name changes what the report prints: a new version replaces the first.
    cadre = Cadre.objects.get(pk=cast.member.pk)
    cadre.full_name = "Trần Thị Ánh Hồng"
    cadre.save()
    second, made = report_produce(ReportKind.INDIVIDUAL, review.pk, review.period)
    assert made and second.version == 2
    first.refresh_from_db()
    assert not first.is_current

    client = client_for(cast.secretary.user)
    assert status_of(client, download_url(first)) == 200
    response = client.get(REPORT_LIST)
    rows = [row.report for row in response.context["rows"]]
    # Current reports first, then the superseded one.
    assert rows.index(second) < rows.index(first)
    assert rows[-1] == first
    assert response.text.count("đã có bản mới") == 1


def test_review_page_links_the_current_individual_report(cast, review, produced):
    page = client_for(cast.member.user).get(reverse("reviews:review_detail", args=[review.pk])).text
    assert "Báo cáo đánh giá (PDF)" in page
    assert download_url(produced["individual"]) in page


def test_review_page_has_no_report_link_before_one_exists(cast, review):
    page = client_for(cast.member.user).get(reverse("reviews:review_detail", args=[review.pk])).text
    assert "Báo cáo đánh giá (PDF)" not in page


# --- The list -------------------------------------------------------------------------------------------------


def test_list_shows_each_reports_facts_and_codes(cast, review, produced):
    response = client_for(cast.secretary.user).get(REPORT_LIST)
    text = response.text
    summary = produced["summary"]
    assert summary.title in text
    assert str(summary.get_kind_display()) in text
    assert cast.cell_a.name in text
    assert review.period.title in text
    assert display_code(summary.verification_code) in text
    # The verification code proves the copy; the file's hash is for the verification page alone.
    assert summary.sha256[:12] not in text and "SHA-256" not in text
    assert download_url(summary) in text
    assert "đã có bản mới" not in text


def test_list_filters_by_period_and_kind(cast, review, produced):
    client = client_for(cast.secretary.user)
    summaries = client.get(REPORT_LIST, {"loai": ReportKind.CELL_SUMMARY})
    assert [row.report for row in summaries.context["rows"]] == [produced["summary"]]
    in_period = client.get(REPORT_LIST, {"dot": review.period.pk})
    assert {row.report for row in in_period.context["rows"]} == set(produced.values())
    other = open_period(cast.grassroots, cast.org_board, title="Kiểm điểm giữa nhiệm kỳ", kind=PeriodKind.MID_TERM)
    assert client.get(REPORT_LIST, {"dot": other.pk}).context["rows"] == []


def test_list_is_paginated_and_keeps_the_filter_in_its_links(cast, media):
    for number in range(26):
        stored_report(cast.cell_a, number)
    client = client_for(cast.secretary.user)
    first = client.get(REPORT_LIST, {"loai": ReportKind.CELL_SUMMARY})
    assert len(first.context["rows"]) == 25
    assert "?loai=cell_summary&amp;page=2" in first.text
    second = client.get(REPORT_LIST, {"loai": ReportKind.CELL_SUMMARY, "page": "2"})
    assert len(second.context["rows"]) == 1


def test_list_query_count_does_not_grow_with_reports(cast, media, django_assert_num_queries):
    stored_report(cast.cell_a, 1)
    client = client_for(cast.secretary.user)
    one = page_queries(client, REPORT_LIST)
    assert one == SECRETARY_REPORT_LIST_QUERIES
    for number in range(2, 6):
        kind = ReportKind.ORGANISATION_ROLLUP if number % 2 else ReportKind.CELL_SUMMARY
        stored_report(cast.cell_a, number, kind=kind)
    with django_assert_num_queries(one):
        response = client.get(REPORT_LIST)
    assert len(response.context["rows"]) == 5


def test_work_list_and_period_page_link_the_reports(cast, review):
    client = client_for(cast.secretary.user)
    assert REPORT_LIST in client.get(reverse("reviews:work_list")).text
    period_page = client.get(reverse("reviews:period_detail", args=[review.period.pk])).text
    assert f"{REPORT_LIST}?dot={review.period.pk}" in period_page
