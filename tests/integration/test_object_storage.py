"""Files on an S3-compatible object store, shared by processes that share no disk.

The web process (this test's) and two Celery worker processes each get their own, empty MEDIA_ROOT, as if
they ran on three machines, and one bucket on moto's S3 server. Evidence uploaded through the portal's own
view, a batch of reports produced by both workers, and the downloads through the access-checked views: every
file is read by both workers and by the web process, matches the SHA-256 the portal recorded, and not one
byte lands in a local media folder.
"""

import hashlib
import os
import time
import uuid
from pathlib import Path

import environ
import pytest
import redis
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from storages.backends.s3 import S3Storage

from config.celery import app
from config.settings.storage import default_storage as storage_setting
from programmes import backups
from programmes.models import Evidence, ProgressStatus
from reviews.models import ItemState, Report, ReportBatch, ReportBatchItem, ReportKind
from reviews.reports.batches import batch_create
from tests.factories import client_for, make_member
from tests.integration.conftest import CeleryWorker, queue_keys, worker_database_url
from tests.integration.storage_probe import READ_STORED_FILES
from tests.programmes.programme_data import make_confirmed
from tests.programmes.test_progress_views import PDF_BYTES, first_commitment, pdf_upload, progress_url
from tests.reviews.review_data import open_period

pytestmark = pytest.mark.integration

PROGRAMMES = 6
BATCH_TIMEOUT = 180.0
PROBE_TIMEOUT = 60.0
WORKER_NAMES = ("portal-s3-a", "portal-s3-b")


def local_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def use_new_bucket(s3_endpoint: str, monkeypatch, settings) -> dict[str, str]:
    """A fresh bucket, and this process's storage switched to it through the settings code the workers run;
    the variables that name it."""
    variables = {
        "DJANGO_STORAGE_S3_BUCKET": f"portal-test-{uuid.uuid4().hex[:12]}",
        "DJANGO_STORAGE_S3_ENDPOINT_URL": s3_endpoint,
        "DJANGO_STORAGE_S3_REGION": "us-east-1",
        "DJANGO_STORAGE_S3_ACCESS_KEY_ID": "portal-test",
        "DJANGO_STORAGE_S3_SECRET_ACCESS_KEY": "portal-test-secret",
    }
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    settings.STORAGES = {**settings.STORAGES, "default": storage_setting(environ.Env())}
    storage = storages["default"]
    assert isinstance(storage, S3Storage)
    # The operator creates the bucket; the portal only reads and writes objects in it.
    storage.connection.meta.client.create_bucket(Bucket=variables["DJANGO_STORAGE_S3_BUCKET"])
    return variables


@pytest.fixture
def s3_environment(s3_endpoint: str, monkeypatch, settings, tmp_path: Path) -> dict[str, str]:
    """A fresh bucket for this process, which gets an empty MEDIA_ROOT of its own; the variables naming it."""
    web_media = tmp_path / "web-media"
    web_media.mkdir()
    settings.MEDIA_ROOT = web_media
    return use_new_bucket(s3_endpoint, monkeypatch, settings)


def start_workers(s3_environment: dict[str, str], tmp_path: Path) -> list[tuple[CeleryWorker, Path]]:
    workers = []
    for name in WORKER_NAMES:
        media = tmp_path / f"{name}-media"
        media.mkdir()
        log_dir = tmp_path / f"{name}-logs"
        log_dir.mkdir()
        worker = CeleryWorker(
            worker_database_url(),
            log_dir,
            name=name,
            extra_queues=(name,),
            include=("tests.integration.storage_probe",),
        )
        workers.append((worker, media))
        worker.start({**s3_environment, "DJANGO_MEDIA_ROOT": str(media)})
    return workers


def wait_until_finished(batch: ReportBatch, workers: list[CeleryWorker]) -> None:
    deadline = time.monotonic() + BATCH_TIMEOUT
    while time.monotonic() < deadline:
        if ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists():
            return
        for worker in workers:
            if not worker.running:
                pytest.fail(f"the worker {worker.hostname} exited:\n{worker.log_tail()}")
        time.sleep(0.2)
    pytest.fail("the batch did not finish:\n" + "\n".join(worker.log_tail() for worker in workers))


def reports_made_by(worker: CeleryWorker) -> int:
    """The batch items this worker ran to the end, from its own log."""
    log = "\n".join(path.read_text(errors="replace") for path in worker.log_dir.glob("worker-*.log"))
    return sum(1 for line in log.splitlines() if "reviews.tasks.produce_batch_item[" in line and "succeeded" in line)


def test_evidence_and_reports_on_object_storage_are_found_by_every_process(
    cast, migrated_rows, celery_worker: CeleryWorker, s3_environment, settings, tmp_path: Path
) -> None:
    # Only this test's two workers take tasks: the session's worker (file system storage) stops meanwhile.
    celery_worker.kill()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*queue_keys())
    workers: list[tuple[CeleryWorker, Path]] = []
    try:
        owners = [cast.member, *(make_member(cast.cell_a, f"dang_vien_{number}") for number in range(PROGRAMMES - 1))]
        programmes = [make_confirmed(owner, cast.secretary.user) for owner in owners]
        workers = start_workers(s3_environment, tmp_path)

        # Evidence uploaded through the portal's own form, by the web process.
        programme = programmes[0]
        commitment = first_commitment(programme)
        uploaded = client_for(cast.member.user).post(
            progress_url(programme, commitment),
            {"status": ProgressStatus.DONE, "value_reached": "100", "note": "Xong", "evidence_files": [pdf_upload()]},
        )
        assert uploaded.status_code == 302, uploaded.content[:2000]
        evidence = Evidence.objects.get()
        assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
        assert default_storage.exists(str(evidence.file.name))

        # A batch of reports, one per programme, which the two workers share.
        period = open_period(cast.ward, cast.org_board)
        items: list[tuple[str, int]] = [(ReportKind.PROGRAMME, programme.pk) for programme in programmes]
        batch = batch_create(period=period, scope=cast.ward, title="Lượt S3", items=items, acting_user=cast.org_board)
        wait_until_finished(batch, [worker for worker, _media in workers])
        done = list(ReportBatchItem.objects.filter(batch=batch))
        assert {item.state for item in done} == {ItemState.DONE}, [(item.object_id, item.error) for item in done]
        reports = list(Report.objects.filter(kind=ReportKind.PROGRAMME))
        assert len(reports) == PROGRAMMES
        for worker, _media in workers:
            assert reports_made_by(worker) >= 1, f"{worker.hostname} made no report:\n{worker.log_tail()}"

        # Every file, whichever process wrote it, as each worker reads it through its own storage.
        expected = {str(evidence.file.name): evidence.sha256}
        expected |= {str(report.file.name): report.sha256 for report in reports}
        for worker, media in workers:
            probe = app.send_task(READ_STORED_FILES, args=[sorted(expected)], queue=worker.name)
            answer = probe.get(timeout=PROBE_TIMEOUT)
            assert answer["files"] == expected, worker.hostname
            assert answer["media_root"] == str(media)
            assert answer["local_files"] == [], worker.hostname

        # And as people download them, through the views that ask the access module first.
        secretary, outsider = client_for(cast.secretary.user), client_for(cast.outsider.user)
        download = secretary.get(reverse("programmes:evidence_download", args=[evidence.pk]))
        assert download.status_code == 200
        assert download.getvalue() == PDF_BYTES
        for report in reports:
            url = reverse("reviews:report_download", args=[report.pk])
            download = secretary.get(url)
            assert download.status_code == 200, report.subject_key
            content = download.getvalue()
            assert hashlib.sha256(content).hexdigest() == report.sha256 == download["X-Report-SHA256"]
            assert content.startswith(b"%PDF-") and len(content) == report.size
            assert outsider.get(url).status_code == 404
        assert outsider.get(reverse("programmes:evidence_download", args=[evidence.pk])).status_code == 404

        # Nothing was written to a local media folder, by the web process or by either worker.
        assert local_files(Path(settings.MEDIA_ROOT)) == []
        for _worker, media in workers:
            assert local_files(media) == []
        # The bucket holds exactly the files the portal recorded.
        _folders, stored_reports = default_storage.listdir(str(Path(str(reports[0].file.name)).parent))
        assert sorted(stored_reports) == sorted(Path(str(report.file.name)).name for report in reports)
    finally:
        for worker, _media in workers:
            worker.kill()


def test_a_backup_archives_every_object_of_the_bucket_and_restores_them_into_an_empty_one(
    s3_endpoint: str, s3_environment, monkeypatch, settings, tmp_path: Path
) -> None:
    saved = {
        "evidence/2026/05/biên bản họp.pdf": b"%PDF-1.7 " + os.urandom(4096),
        "reports/2026/05/programme-ABC123.pdf": os.urandom(20000),
        "imports/roster.csv": "Mã đảng viên,Họ và tên\n".encode(),
    }
    for name, data in saved.items():
        assert default_storage.save(name, ContentFile(data)) == name
    part = tmp_path / "media.tar"

    hashes = backups._pack_media(default_storage, part)

    assert hashes == {name: hashlib.sha256(data).hexdigest() for name, data in saved.items()}
    use_new_bucket(s3_endpoint, monkeypatch, settings)
    assert list(backups._media_names(default_storage)) == []
    backups._unpack_media(part, default_storage)
    restored = {name: backups._stored_sha256(default_storage, name) for name in backups._media_names(default_storage)}
    assert restored == hashes
    assert local_files(Path(settings.MEDIA_ROOT)) == []
