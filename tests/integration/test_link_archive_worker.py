"""A link given as evidence on the real stack (PostgreSQL, Redis, a Celery worker process): the report commits, the
outbox hands the archive task to the broker, and the worker's guarded fetcher refuses the cloud's metadata address
without connecting to it, recording why."""

import time

import pytest

from programmes.models import ArchiveState, LinkArchive
from tests.integration.conftest import CeleryWorker
from tests.programmes.programme_data import report_first_done

pytestmark = pytest.mark.integration

TIMEOUT = 60.0


def test_the_worker_refuses_to_archive_a_link_to_the_metadata_address(
    cast, migrated_rows, celery_worker: CeleryWorker
) -> None:
    # Committed at once (transactional test): the archive's task goes to Redis as the report commits.
    report = report_first_done(cast, links=["http://169.254.169.254/latest/meta-data/iam/security-credentials/"])
    archive = LinkArchive.objects.get(evidence__progress_report=report)

    deadline = time.monotonic() + TIMEOUT
    while archive.state == ArchiveState.PENDING:
        assert time.monotonic() < deadline, celery_worker.log_tail()
        assert celery_worker.running, celery_worker.log_tail()
        time.sleep(0.1)
        archive.refresh_from_db()

    assert archive.state == ArchiveState.FAILED
    assert "169.254.169.254" in archive.failure_reason
    assert archive.attempts == 1 and not archive.file
