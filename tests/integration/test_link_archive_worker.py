"""A link given as evidence on the real stack (PostgreSQL, Redis, a Celery worker process): the report commits, the
outbox hands the archive task to the broker, and the worker's guarded fetcher refuses the cloud's metadata address
without connecting to it, recording why."""

import time
from decimal import Decimal

import pytest

from programmes.action_programmes.progress import progress_report
from programmes.models import ArchiveState, LinkArchive, ProgressStatus
from tests.integration.conftest import CeleryWorker
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.integration

TIMEOUT = 60.0


def test_the_worker_refuses_to_archive_a_link_to_the_metadata_address(
    cast, migrated_rows, celery_worker: CeleryWorker
) -> None:
    programme = make_confirmed(cast.member, cast.secretary.user)
    assert programme.current_version is not None
    commitment = programme.current_version.terms.get(position=1).commitment

    # Committed at once (transactional test): the archive's task goes to Redis as the report commits.
    report = progress_report(
        commitment=commitment,
        status=ProgressStatus.DONE,
        value_reached=Decimal("100"),
        links=["http://169.254.169.254/latest/meta-data/iam/security-credentials/"],
        acting_user=cast.member.user,
    )
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
