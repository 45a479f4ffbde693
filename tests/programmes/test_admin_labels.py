"""The admin in one language and one time zone: the third-party apps' sections, models and columns under their
Vietnamese names (programmes/vendor_apps.py), and the audit log's times in Asia/Ho_Chi_Minh."""

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from programmes.models import AuditEvent, OrganisationKind, PartyOrganisation
from programmes.vendor_apps import NAMES, name_models
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db

ENGLISH_ON_THE_INDEX = [
    "Periodic Tasks",
    "Periodic tasks",
    "Clocked",
    "Crontabs",
    "Intervals",
    "Solar events",
    ">Axes<",
    "Access attempts",
    "Access logs",
    "Access failures",
    "Otp_Totp",
    "Otp_Static",
    "TOTP devices",
    "Static devices",
]


def test_every_name_still_matches_a_model_and_field_of_the_installed_packages():
    """After an upgrade of django-celery-beat, django-axes or django-otp, a renamed model or field shows here."""
    for label in NAMES:
        assert name_models(apps.get_app_config(label)) == [], label


def test_the_admin_index_names_the_third_party_sections_in_vietnamese(superuser_client):
    text = superuser_client.get(reverse("admin:index")).text
    for english in ENGLISH_ON_THE_INDEX:
        assert english not in text, english
    for vietnamese in [
        "Lịch chạy việc định kỳ",
        "Việc định kỳ",
        "Lịch chạy một lần",
        "Đăng nhập và khóa đăng nhập",
        "Lượt đăng nhập sai đang tính",
        "Nhật ký đăng nhập",
        "Xác thực hai bước: ứng dụng xác thực",
        "Bộ mã dự phòng",
    ]:
        assert vietnamese in text, vietnamese


def test_the_periodic_tasks_list_has_vietnamese_columns(superuser_client):
    text = superuser_client.get(reverse("admin:django_celery_beat_periodictask_changelist")).text
    assert "Chọn việc định kỳ để thay đổi" in text
    for column in ["Tên", "Đang bật", "Lịch theo khoảng thời gian", "Bắt đầu lúc", "Chỉ chạy một lần"]:
        assert f">{column}<" in text, column
    for english in ["Periodic tasks", "Start Datetime", "One-off Task", "Interval Schedule"]:
        assert english not in text, english


def test_the_sign_in_log_has_vietnamese_columns(superuser_client):
    superuser_client.post(reverse("login"), {"username": "quantri", "password": "sai"})
    text = superuser_client.get(reverse("admin:axes_accessattempt_changelist")).text
    assert "Access attempts" not in text and "Attempt Time" not in text
    log = superuser_client.get(reverse("admin:axes_accesslog_changelist")).text
    for english in ["Access logs", "Attempt Time", "Logout Time", "User Agent", "IP Address"]:
        assert english not in log, english
    assert ">Thời điểm<" in log


def test_an_audit_event_names_its_fields_and_shows_its_time_in_ho_chi_minh_city(superuser_client):
    ward = make_organisation("Đảng bộ phường Bến Thành", OrganisationKind.COMMUNE_COMMITTEE)
    event = AuditEvent.objects.create(
        at=datetime.datetime(2026, 12, 3, 17, 30, tzinfo=datetime.UTC),
        actor_repr="quantri",
        action="organisation.update",
        content_type=ContentType.objects.get_for_model(PartyOrganisation),
        object_id=str(ward.pk),
        object_repr=ward.name,
    )
    text = superuser_client.get(reverse("admin:programmes_auditevent_change", args=[event.pk])).text
    assert "Content type" not in text and "Object id" not in text and "Scope path" not in text
    assert "Loại đối tượng" in text and "Mã đối tượng" in text
    # 17:30 UTC on the 3rd is 00:30 on the 4th in Ho Chi Minh City: the title and breadcrumbs say so.
    assert "04/12/2026 00:30 quantri organisation.update" in text
    assert "2026-12-03 17:30" not in text
