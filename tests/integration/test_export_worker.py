"""A long list's spreadsheet on the real stack (PostgreSQL, Redis, a Celery worker process): asked for on the web, it
is written by the worker with its progress, stored through Django's storage API (the file system here, an S3 bucket
when DJANGO_STORAGE_S3_BUCKET names one) and downloaded by its maker with the list's rows."""

import io
import time
from pathlib import Path

import pytest
import redis
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from programmes.models import AuditEvent, ExportJob, ExportState
from tests.factories import client_for, make_members
from tests.integration.conftest import CeleryWorker, queue_keys

pytestmark = pytest.mark.integration

# More rows than one batch (programmes.exports.BATCH), so that the progress moves before the file is stored.
MEMBERS = 2500
TIMEOUT = 120.0


def test_a_long_roster_is_written_by_the_worker_stored_and_downloaded_by_its_maker(
    cast, celery_worker: CeleryWorker, settings, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.EXPORT_BACKGROUND_ROWS = 1000
    celery_worker.kill()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*queue_keys())
    celery_worker.start({"DJANGO_MEDIA_ROOT": str(media)})
    try:
        make_members(cast.cell_b, MEMBERS)
        board = client_for(cast.org_board)
        address = reverse("programmes:members_export", args=[cast.ward.pk])
        offer = board.get(address, {"chi_bo": cast.cell_b.pk})
        assert offer.status_code == 200 and "Xuất trong nền" in offer.text

        # Committed at once (transactional test): the job's message goes to Redis as the request ends.
        response = board.post(
            reverse("programmes:export_request"),
            {"danh_sach": "members", "id": cast.ward.pk, "chi_bo": cast.cell_b.pk},
        )
        job = ExportJob.objects.get()
        assert response["Location"] == reverse("programmes:export_detail", args=[job.pk])

        deadline = time.monotonic() + TIMEOUT
        while True:
            job.refresh_from_db()
            if job.is_finished:
                break
            assert time.monotonic() < deadline, celery_worker.log_tail()
            assert celery_worker.running, celery_worker.log_tail()
            time.sleep(0.05)

        assert job.state == ExportState.DONE, job.error
        # The three cadres of cell 1B with accounts, and the members added in bulk.
        assert job.row_count == MEMBERS + 3 and job.percent == 100
        # The worker stored it through the storage API: this process finds it there by its name.
        name = job.file.name or ""
        assert name.startswith("exports/") and default_storage.exists(name)
        with default_storage.open(name, "rb") as stored:
            rows = list(load_workbook(io.BytesIO(stored.read()))["Danh sách đảng viên"].iter_rows(values_only=True))
        assert rows[0] == ("Họ và tên", "Chi bộ", "Loại đảng viên", "Tình trạng sinh hoạt", "Chức vụ")
        assert len(rows) == 1 + MEMBERS + 3
        assert {row[1] for row in rows[1:]} == {"Chi bộ Khu phố 1B"}

        page = board.get(reverse("programmes:export_detail", args=[job.pk])).text
        assert "Tải bảng tính (XLSX)" in page
        download = board.get(reverse("programmes:export_download", args=[job.pk]))
        assert download.status_code == 200
        content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
        downloaded = load_workbook(io.BytesIO(content))["Danh sách đảng viên"]
        assert len(list(downloaded.iter_rows())) == 1 + MEMBERS + 3
        assert AuditEvent.objects.filter(action="export.download", object_id=str(job.pk)).count() == 1
    finally:
        celery_worker.kill()
