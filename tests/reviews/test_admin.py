"""The reviews admin: rule sets edited by system administrators only, audited, and kept as they were once a
period uses them; periods and reviews shown to system administrators and never changed there."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programmes.models import AuditEvent
from reviews.models import Review, ReviewPeriod, RuleSet
from tests.factories import admin_staff
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period

pytestmark = pytest.mark.django_db


def url(model, view: str, *args) -> str:
    return reverse(f"admin:reviews_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(cast) -> Client:
    """Organisation-board staff holding every reviews model permission: still not system administrators."""
    client = Client()
    client.force_login(admin_staff(cast.org_board, "reviews"))
    return client


@pytest.fixture
def period(cast) -> ReviewPeriod:
    make_confirmed(cast.member, cast.secretary.user)
    return open_period(cast.ward, cast.org_board)


def rule_set_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "366-2027",
        "name": "Thang điểm 100, sửa đổi 2027",
        "regulation": "Quy định sửa đổi",
        "uses_points": "on",
        "general_points_max": 30,
        "task_points_max": 70,
        "excellent_from": 90,
        "good_from": 70,
        "completed_from": 50,
        "excellent_exceeding_percent": 30,
        "quota_percent": 15,
        "valid_from": "2027-01-01",
        "valid_to": "",
    }
    data.update(overrides)
    return data


def test_every_reviews_page_renders_for_a_superuser(superuser_client, period):
    review = Review.objects.filter(period=period, assessments__isnull=False).first()
    assert review is not None
    rule_set = RuleSet.objects.get(code="124-2023")
    for page in (
        url(RuleSet, "changelist"),
        url(RuleSet, "add"),
        url(RuleSet, "change", rule_set.pk),
        url(ReviewPeriod, "changelist"),
        url(ReviewPeriod, "change", period.pk),
        url(Review, "changelist"),
        url(Review, "change", review.pk),
        url(Review, "changelist") + "?q=Ánh",
    ):
        assert superuser_client.get(page).status_code == 200, page
    page = superuser_client.get(url(Review, "change", review.pk)).content.decode()
    assert "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố" in page


def test_a_superuser_adds_a_rule_set_and_the_admin_audits_it(superuser_client):
    response = superuser_client.post(url(RuleSet, "add"), rule_set_data())
    assert response.status_code == 302
    created = RuleSet.objects.get(code="366-2027")
    event = AuditEvent.objects.get(action="admin.add")
    assert event.object_id == str(created.pk)
    assert event.after is not None and event.after["quota_percent"] == 15


def test_an_unused_rule_set_is_changed_with_its_before_and_after_audited(superuser_client):
    rule_set = RuleSet.objects.get(code="124-2023")
    data = rule_set_data(
        code="124-2023",
        name=rule_set.name,
        regulation=rule_set.regulation,
        uses_points="",
        general_points_max=0,
        task_points_max=0,
        excellent_exceeding_percent=0,
        quota_percent=10,
        valid_from="2023-10-04",
        valid_to="2025-08-29",
    )
    response = superuser_client.post(url(RuleSet, "change", rule_set.pk), data)
    assert response.status_code == 302
    rule_set.refresh_from_db()
    assert rule_set.quota_percent == 10
    event = AuditEvent.objects.get(action="admin.change")
    assert event.before is not None and event.after is not None
    assert (event.before["quota_percent"], event.after["quota_percent"]) == (20, 10)


def test_thresholds_out_of_order_are_refused(superuser_client):
    response = superuser_client.post(url(RuleSet, "add"), rule_set_data(good_from=95))
    assert response.status_code == 200
    assert not RuleSet.objects.filter(code="366-2027").exists()
    assert not AuditEvent.objects.exists()


def test_a_rule_set_a_period_uses_is_read_only_and_cannot_be_deleted(superuser_client, period):
    rule_set = period.rule_set
    page = superuser_client.get(url(RuleSet, "change", rule_set.pk))
    assert page.status_code == 200
    assert 'name="quota_percent"' not in page.content.decode()
    response = superuser_client.post(
        url(RuleSet, "change", rule_set.pk), rule_set_data(code="366-2025", quota_percent=50)
    )
    assert response.status_code == 403
    assert superuser_client.post(url(RuleSet, "delete", rule_set.pk), {"post": "yes"}).status_code == 403
    rule_set.refresh_from_db()
    assert rule_set.quota_percent == 20
    assert not AuditEvent.objects.filter(action__startswith="admin.").exists()


def test_staff_who_are_not_superusers_cannot_see_or_edit_rule_sets_periods_or_reviews(staff_client, period):
    rule_set = RuleSet.objects.get(code="124-2023")
    review = Review.objects.filter(period=period).first()
    assert review is not None
    for page in (
        url(RuleSet, "changelist"),
        url(RuleSet, "add"),
        url(RuleSet, "change", rule_set.pk),
        url(ReviewPeriod, "changelist"),
        url(Review, "changelist"),
        url(Review, "change", review.pk),
    ):
        assert staff_client.get(page).status_code == 403, page
    assert staff_client.post(url(RuleSet, "add"), rule_set_data()).status_code == 403
    assert not RuleSet.objects.filter(code="366-2027").exists()


def test_periods_and_reviews_are_never_changed_in_the_admin(superuser_client, period):
    review = Review.objects.filter(period=period).first()
    assert review is not None
    assert superuser_client.get(url(ReviewPeriod, "add")).status_code == 403
    assert superuser_client.get(url(Review, "add")).status_code == 403
    assert superuser_client.post(url(ReviewPeriod, "delete", period.pk), {"post": "yes"}).status_code == 403
    assert superuser_client.post(url(Review, "delete", review.pk), {"post": "yes"}).status_code == 403
    response = superuser_client.post(url(Review, "change", review.pk), {"state": "final", "final_level": "excellent"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert (review.state, review.final_level) == ("self_drafting", "")
    assert ReviewPeriod.objects.filter(pk=period.pk).exists()
