"""The dashboards' figures on the real stack (PostgreSQL, Redis, a Celery worker process): each change a service
makes is counted by the worker after its commit, a burst of changes leaves no mark behind, and the nightly task
counts the whole tree as the marks do."""

import time
from decimal import Decimal

import pytest

from programmes.action_programmes.progress import progress_report
from programmes.models import CommitmentTerms, ProgressStatus, SummaryMark
from publicity.models import OrganisationSummary
from publicity.tasks import refresh_all_summaries
from tests.integration.conftest import CeleryWorker
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.integration

COUNT_TIMEOUT = 60.0


def wait_for_figures(worker: CeleryWorker, organisation, **expected: int) -> OrganisationSummary:
    """The subtree's figures once the worker has counted them as expected (and no mark waits any longer)."""
    deadline = time.monotonic() + COUNT_TIMEOUT
    while True:
        row = OrganisationSummary.objects.filter(organisation=organisation, scope="subtree").first()
        if (
            row is not None
            and all(getattr(row, name) == value for name, value in expected.items())
            and not SummaryMark.objects.exists()
        ):
            return row
        assert time.monotonic() < deadline, worker.log_tail()
        time.sleep(0.2)


def test_the_worker_counts_each_change_after_its_commit_up_to_the_city(
    cast, migrated_rows, celery_worker: CeleryWorker
) -> None:
    programme = make_confirmed(cast.member, cast.secretary.user)
    wait_for_figures(celery_worker, cast.city, commitments=2, members_with_programme=1)

    # A burst of reports, each marking the cell and asking the worker: every one is counted, nothing waits after.
    for terms in CommitmentTerms.objects.filter(version=programme.current_version_id).order_by("position"):
        progress_report(
            commitment=terms.commitment,
            status=ProgressStatus.DONE,
            value_reached=Decimal("100"),
            links=["https://motcua.example.vn/so-theo-doi"],
            acting_user=cast.member.user,
        )
    city = wait_for_figures(celery_worker, cast.city, commitments_done=2, overdue=0)
    assert OrganisationSummary.objects.get(organisation=cast.cell_a, scope="subtree").commitments_done == 2

    # The nightly count, run by the worker, finds the same figures as the marks left.
    refresh_all_summaries.delay()
    deadline = time.monotonic() + COUNT_TIMEOUT
    while (again := OrganisationSummary.objects.get(organisation=cast.city, scope="subtree")).refreshed_at <= (
        city.refreshed_at
    ):
        assert time.monotonic() < deadline, celery_worker.log_tail()
        time.sleep(0.2)
    assert (again.commitments, again.commitments_done, again.members) == (city.commitments, 2, city.members)
