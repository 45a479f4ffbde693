"""An import whose worker process is killed again and again (as the kernel's out-of-memory killer would kill it)
is stopped for good after settings.IMPORT_MAX_ATTEMPTS starts, on the real stack: PostgreSQL, Redis, a Celery
worker. The task is acknowledged late and rejected when its pool process dies, so Redis hands it out again at
once; each start is counted in its own committed transaction before the work, and the next delivery parks it.
"""

import os
import signal
import time
from pathlib import Path

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile

from programmes.importing.services import import_job_submit
from programmes.models import AuditEvent, Cadre, ImportJob, ImportKind, ImportStatus
from tests.integration.conftest import CeleryWorker, queue_keys
from tests.programmes.import_files import ROSTER_HEADERS, to_csv
from tests.programmes.test_import_roster import roster_rows

pytestmark = pytest.mark.integration

# Enough rows that each run of the import lasts well beyond the moment the test kills it.
ROWS = 5000
TIMEOUT = 60.0
POLL = 0.01


def pool_processes(worker: CeleryWorker) -> list[int]:
    """The worker's pool processes: the children of its main process."""
    assert worker.process is not None
    main = worker.process.pid
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The parent is the fourth field, after the name in parentheses (which may hold spaces).
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == main:
            children.append(int(entry.name))
    return children


def wait_for(job: ImportJob, worker: CeleryWorker, **state: object) -> ImportJob:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        current = ImportJob.objects.filter(pk=job.pk, **state).first()
        if current is not None:
            return current
        if not worker.running:
            pytest.fail(f"the worker exited:\n{worker.log_tail()}")
        time.sleep(POLL)
    job.refresh_from_db()
    pytest.fail(f"the job never reached {state} (now {job.status}, {job.attempts} starts):\n{worker.log_tail()}")


def test_an_import_whose_worker_keeps_being_killed_is_parked(
    cast, celery_worker: CeleryWorker, settings, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    # No message of an earlier test, and a worker that reads the files this test stores.
    celery_worker.kill()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*queue_keys())
    celery_worker.start({"DJANGO_MEDIA_ROOT": str(media)})
    try:
        data = to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code, count=ROWS))
        # Committed at once (transactional test): its on-commit hook sends the task to Redis.
        job = import_job_submit(
            kind=ImportKind.ROSTER,
            uploaded_file=SimpleUploadedFile("dang-vien.csv", data),
            scope=cast.ward,
            acting_user=cast.org_board,
        )
        for start in range(1, settings.IMPORT_MAX_ATTEMPTS + 1):
            wait_for(job, celery_worker, status=ImportStatus.RUNNING, attempts=start)
            for pid in pool_processes(celery_worker):
                os.kill(pid, signal.SIGKILL)

        parked = wait_for(job, celery_worker, status=ImportStatus.FAILED)
        assert parked.attempts == settings.IMPORT_MAX_ATTEMPTS + 1
        assert parked.errors[0]["message"].startswith("Việc nhập tệp này đã bị gián đoạn 3 lần")
        assert AuditEvent.objects.filter(action="import_job.park", object_id=str(job.pk)).count() == 1
        assert not Cadre.objects.filter(code__startswith="IMP").exists()
        # The worker stays up, and the message is not handed out again.
        time.sleep(1)
        assert celery_worker.running
        assert ImportJob.objects.get(pk=job.pk).attempts == settings.IMPORT_MAX_ATTEMPTS + 1
    finally:
        # The next test gets a worker with the default environment.
        celery_worker.kill()
