"""The embedded SQLite database under another writer: WAL, immediate transactions and a busy timeout, and a
lock held past that timeout answers a "try again" page (503 with Retry-After), never a server error."""

import importlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from programmes import views
from programmes.models import ProgressReport, ProgressStatus
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.django_db(transaction=True)

BUSY_TIMEOUT = 1
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

_confirmer_rules = importlib.import_module("programmes.migrations.0005_default_confirmer_rules")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def confirmer_rules() -> None:
    """What the migrations put in place: an earlier transactional test's flush may have emptied it."""
    _confirmer_rules.add_rules(django_apps, None)


@pytest.fixture
def file_database(tmp_path: Path) -> Iterator[Path]:
    """The test database copied to a file and used, until the test ends, with the settings of the embedded
    default and a one-second busy timeout (the test database lives in memory, where no writer ever waits)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's locking: PostgreSQL writers lock rows, not the database")
    path = tmp_path / "portal.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    copy.close()
    in_memory, settings_dict = connection.connection, connection.settings_dict
    connection.connection = None
    connection.settings_dict = {
        **settings_dict,
        "NAME": str(path),
        "OPTIONS": {**settings_dict["OPTIONS"], "timeout": BUSY_TIMEOUT},
    }
    try:
        yield path
    finally:
        connection.close()
        connection.connection, connection.settings_dict = in_memory, settings_dict


def test_the_embedded_database_writes_ahead_and_takes_the_write_lock_when_a_transaction_begins(file_database):
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)


def test_a_progress_report_while_another_writer_holds_the_database_asks_to_try_again(
    cast, confirmer_rules, file_database
):
    programme = make_confirmed(cast.member, cast.secretary.user)
    assert programme.current_version is not None
    commitment = programme.current_version.terms.get(position=1).commitment
    client = Client()
    client.force_login(cast.member.user)
    url = reverse("programmes:progress_new", args=[programme.pk, commitment.pk])

    def payload() -> dict[str, Any]:
        evidence = SimpleUploadedFile("bien-ban.pdf", PDF_BYTES, content_type="application/pdf")
        return {"status": ProgressStatus.DONE, "value_reached": "100", "note": "Đã xong", "evidence_files": [evidence]}

    other_writer = sqlite3.connect(file_database, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.post(url, payload())
        waited = time.monotonic() - started
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Hệ thống đang bận" in page
    assert "Xin thử lại sau ít phút." in page
    # It waited for the lock as long as the busy timeout, then gave up with nothing half-saved.
    assert BUSY_TIMEOUT <= waited < BUSY_TIMEOUT + 5
    assert not ProgressReport.objects.exists()

    # Once the other writer is done, the same report goes through.
    assert client.post(url, payload()).status_code == 302
    assert ProgressReport.objects.filter(commitment=commitment).count() == 1


def test_a_busy_database_met_outside_a_view_gets_the_same_page():
    request = RequestFactory().post("/")
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError:
        response = views.error_500(request)
    assert response.status_code == 503
    assert "Xin thử lại sau ít phút." in response.content.decode()


def test_any_other_database_error_is_still_a_server_error():
    request = RequestFactory().post("/")
    try:
        raise sqlite3.OperationalError("no such table: programmes_cadre")
    except sqlite3.OperationalError:
        response = views.error_500(request)
    assert response.status_code == 500
