"""Redis stopped: an import upload, a report request and a rating confirmation each answer without a server
error, their tasks wait in the outbox; once Redis is back the sweep hands them over and a real worker runs
them: the import is done, the batch is complete and the member's e-mail is sent exactly once.

The test runs its own redis-server on a free port, so that stopping it hurts no other test, and its own
worker on that Redis, writing e-mails to files the test reads (config/settings/test.py).
"""

import contextlib
import email
import email.message
import email.policy
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programmes import outbox
from programmes.models import ImportJob, ImportKind, ImportStatus, Notification, OutboxMessage
from programmes.tasks import send_notification_email
from reviews.models import ItemState, ReportBatch, ReviewState
from tests.broker import broker_at, closed_port
from tests.factories import client_for
from tests.integration.conftest import CeleryWorker, worker_database_url
from tests.programmes.import_files import ROSTER_HEADERS, to_xlsx
from tests.programmes.test_import_roster import roster_rows
from tests.reviews.review_data import GROUNDS, decided_review

pytestmark = pytest.mark.integration

START_TIMEOUT = 10.0
RECOVERY_TIMEOUT = 60.0
RESULT_SUBJECT = "Kết quả xếp loại"


class PrivateRedis:
    """A redis-server of one test, on a port of its own, that the test may kill and start again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = closed_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with (self.directory / "redis.log").open("ab") as log:
            # Its own process group, listed where `make test` kills leftovers, as the workers are.
            self.process = subprocess.Popen(
                [*command, "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._pid_file().write_text(str(self.process.pid))
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        """SIGKILL, as a crash: whatever was queued in it is gone."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._pid_file().unlink(missing_ok=True)
        self.process = None

    def queue_is_empty(self) -> bool:
        client = redis.Redis(port=self.port)
        return not any(client.llen(queue) for queue in settings.TASK_QUEUES) and client.hlen("unacked") == 0

    def _pid_file(self) -> Path:
        assert self.process is not None
        return Path(os.environ.get("TEST_WORKER_PID_DIR") or self.directory) / f"redis-{self.process.pid}.pid"


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def outage_world(migrated_rows: None, private_redis: PrivateRedis, settings, tmp_path: Path) -> Iterator[Path]:
    """This process and a worker of its own on the private Redis; the worker's e-mails as files in the path
    returned, its media where this process keeps it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = CeleryWorker(worker_database_url(), tmp_path)
    with broker_at(f"{private_redis.url}/0"):
        worker.start(
            {
                "CELERY_BROKER_URL": f"{private_redis.url}/0",
                "CELERY_RESULT_BACKEND": f"{private_redis.url}/1",
                "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "TEST_EMAIL_FILE_PATH": str(mail_dir),
            }
        )
        try:
            yield mail_dir
        finally:
            worker.kill()


def sent_emails(mail_dir: Path) -> list[email.message.EmailMessage]:
    """Every e-mail the worker wrote (the file backend ends each with a line of 79 dashes)."""
    messages = []
    for path in sorted(mail_dir.iterdir()):
        for part in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if part.strip():
                messages.append(email.message_from_bytes(part, policy=email.policy.default))
    return messages


def wait_for(condition: Callable[[], bool], what: str, timeout: float = RECOVERY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s")


def sweep_empties_the_outbox() -> bool:
    """The beat's sweep (every minute in the portal), here as often as it takes the broker to answer again."""
    outbox.send_due()
    return outbox.backlog().unsent == 0


def test_with_redis_stopped_nothing_fails_and_everything_is_done_once_it_is_back(
    cast, private_redis: PrivateRedis, outage_world: Path
) -> None:
    mail_dir = outage_world
    review, _decision = decided_review(cast)
    wait_for(private_redis.queue_is_empty, "the worker taking the tasks of the setting up")

    private_redis.kill()
    started = time.monotonic()

    # A rating confirmation: the review is final, the member is told in the portal.
    first = review.assessments.order_by("position")[0]
    confirmed = client_for(cast.head.user).post(
        reverse("reviews:decision_confirm", args=[review.pk]), {"grounds": GROUNDS, "assessments": [first.pk]}
    )
    # A report request for the member's cell.
    requested = client_for(cast.committee_staff.user).post(
        f"{reverse('reviews:report_request')}?dot={review.period.pk}", {"target": "cell", "cell": cast.cell_a.pk}
    )
    # An import upload.
    upload = SimpleUploadedFile("dang-vien.xlsx", to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    uploaded = client_for(cast.org_board).post(
        reverse("programmes:import_new"), {"kind": ImportKind.ROSTER, "scope": cast.ward.pk, "file": upload}
    )
    health = Client().get("/health/")
    answered_in = time.monotonic() - started

    assert [confirmed.status_code, requested.status_code, uploaded.status_code] == [302, 302, 302]
    assert answered_in < 15, "the pages kept the user waiting on the broker"
    review.refresh_from_db()
    assert review.state == ReviewState.FINAL
    job = ImportJob.objects.get()
    batch = ReportBatch.objects.get()
    result = Notification.objects.get(recipient=cast.member.user, subject__startswith=RESULT_SUBJECT)
    assert job.status == ImportStatus.QUEUED
    assert result.emailed_at is None
    waiting = {(message.task, tuple(message.args)) for message in OutboxMessage.objects.filter(sent_at__isnull=True)}
    assert ("programmes.tasks.run_import_job", (job.pk,)) in waiting
    assert ("programmes.tasks.send_notification_email", (result.pk,)) in waiting
    assert {("reviews.tasks.produce_batch_item", (item,)) for item in batch.items.values_list("pk", flat=True)} <= (
        waiting
    )
    # The health check says so.
    assert health.status_code == 503
    assert health.json()["checks"]["broker"] == "error"
    assert health.json()["outbox"]["unsent"] == len(waiting)
    assert "sẽ tự bắt đầu trong ít phút" in client_for(cast.org_board).get(uploaded["Location"]).text

    private_redis.start()
    wait_for(sweep_empties_the_outbox, "the sweep emptying the outbox")

    wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status=ImportStatus.SUCCEEDED).exists(), "the import")
    wait_for(lambda: ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists(), "the batch")
    wait_for(lambda: Notification.objects.filter(pk=result.pk, emailed_at__isnull=False).exists(), "the e-mail")
    assert set(batch.items.values_list("state", flat=True)) == {ItemState.DONE}

    # Sweeping again sends nothing, and the same task delivered once more sends no second e-mail.
    assert outbox.send_due() == 0
    send_notification_email.delay(result.pk)
    wait_for(private_redis.queue_is_empty, "the worker running the second delivery")
    to_member = [message for message in sent_emails(mail_dir) if str(message["Subject"]).strip() == result.subject]
    assert [str(message["To"]) for message in to_member] == [cast.member.user.email]
