"""Following by e-mail on the real stack, as docker-compose.yml lays it out: the fan-out of a published change runs
on the `imports` worker, the e-mails on the `interactive` one; the follower gets the change once, and a fan-out or
an e-mail task delivered again sends nothing more."""

import email
import email.policy
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from config.celery import app
from programmes.action_programmes.progress import progress_report
from programmes.models import ProgressStatus
from publicity import follow
from publicity.follow.tokens import confirm_token
from publicity.models import FollowDelivery, FollowSubscription
from publicity.tasks import fan_out_follow_change, send_follow_emails
from tests.factories import make_member
from tests.integration import waiting
from tests.integration.conftest import CeleryWorker, queue_keys, worker_database_url
from tests.publicity.public_data import make_public

pytestmark = pytest.mark.integration

FOLLOWER = "nguoi.theo.doi@example.vn"
TIMEOUT = 60.0


def wait_until(condition: Callable[[], bool], what: str, *workers: CeleryWorker) -> None:
    waiting.wait_until(condition, what, *workers, timeout=TIMEOUT)


def mailed_to(mail_dir: Path, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in mail_dir.iterdir():
        for part in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if part.strip():
                message = email.message_from_bytes(part, policy=email.policy.default)
                if str(message["To"]).strip() == address:
                    found.append(message)
    return found


def test_a_follower_is_mailed_a_published_change_once_by_the_imports_and_interactive_workers(
    cast, migrated_rows, celery_worker: CeleryWorker, settings, tmp_path: Path
) -> None:
    if not app.conf.result_backend:
        pytest.skip("needs CELERY_RESULT_BACKEND to wait for a task run again (stage 2 of `make test` sets it)")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # The session's worker consumes every queue (as `make run`'s): this test has compose's layout instead.
    celery_worker.kill()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*queue_keys())
    environment = {"TEST_EMAIL_FILE_PATH": str(mail_dir)}
    imports = CeleryWorker(worker_database_url(), tmp_path, queues=("imports",), concurrency=1)
    interactive = CeleryWorker(worker_database_url(), tmp_path, queues=("interactive",), concurrency=1)
    imports.start(environment)
    interactive.start(environment)
    try:
        nen = make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên")
        programme = make_public(nen, cast.secretary.user)
        follow.follow_request(
            followed=follow.Followed.programme(programme), email=FOLLOWER, language="vi", source_address="192.0.2.7"
        )
        subscription = FollowSubscription.objects.get()
        wait_until(lambda: len(mailed_to(mail_dir, FOLLOWER)) == 1, "the confirmation e-mail", interactive)
        follow.follow_confirm(token=confirm_token(subscription.pk))

        assert programme.current_version is not None
        commitment = programme.current_version.terms.order_by("position")[0].commitment
        assert nen.user is not None
        report = progress_report(
            commitment=commitment, status=ProgressStatus.ON_TRACK, value_reached=Decimal("40"), acting_user=nen.user
        )
        wait_until(
            lambda: FollowDelivery.objects.filter(sent_at__isnull=False).exists(),
            "the change's e-mail",
            imports,
            interactive,
        )
        [news] = [message for message in mailed_to(mail_dir, FOLLOWER) if "Cập nhật tiến độ" in str(message["Subject"])]
        assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        # The fan-out and the e-mail task delivered again (a worker lost before acknowledging): nothing more is sent.
        assert fan_out_follow_change.apply_async(args=("progress", report.pk)).get(timeout=TIMEOUT) == 0
        delivered = list(FollowDelivery.objects.values_list("pk", flat=True))
        assert send_follow_emails.apply_async(args=(delivered,)).get(timeout=TIMEOUT) == 0
        assert len(mailed_to(mail_dir, FOLLOWER)) == 2  # the confirmation and the one change
    finally:
        imports.kill()
        interactive.kill()
        # What the killed workers left queued (the open-data run the publication asked for) is no later test's.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*queue_keys())
