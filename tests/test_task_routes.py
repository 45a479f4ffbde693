"""Every task of the portal has its queue in the one routing table (settings CELERY_TASK_ROUTES), so that a new
task cannot silently land among the notifications, or a notification among the reports."""

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from config.celery import app


def portal_tasks() -> set[str]:
    app.loader.import_default_modules()
    # Not Celery's own tasks, nor those only a test defines (registered when that test's module is collected).
    return {name for name in app.tasks if not name.startswith(("celery.", "tests."))}


def queue_of(task_name: str) -> str:
    """The queue Celery's router sends `task_name` to, as `apply_async` and the beat do."""
    return str(app.amqp.router.route({}, task_name)["queue"].name)


def test_every_task_of_the_portal_has_a_route() -> None:
    tasks = portal_tasks()

    assert len(tasks) >= 10, "the tasks were not found: the check would pass on nothing"
    assert tasks - set(settings.CELERY_TASK_ROUTES) == set(), "tasks without a queue in CELERY_TASK_ROUTES"
    assert set(settings.CELERY_TASK_ROUTES) - tasks == set(), "routes naming no task (renamed or removed?)"


def test_every_route_names_a_queue_the_workers_consume() -> None:
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}

    assert routed == set(settings.TASK_QUEUES)
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "interactive"


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("programmes.tasks.send_notification_email", "interactive"),
        ("programmes.tasks.send_password_reset_email", "interactive"),
        ("publicity.tasks.send_answer_email", "interactive"),
        ("programmes.tasks.send_outbox", "interactive"),
        ("reviews.tasks.produce_batch_item", "reports"),
        ("reviews.tasks.produce_review_report", "reports"),
        ("reviews.tasks.nightly_reports", "reports"),
        ("programmes.tasks.run_import_job", "imports"),
        # A follower waits for the confirmation link; a change's fan-out may walk thousands of an area's followers.
        ("publicity.tasks.send_follow_confirmation", "interactive"),
        ("publicity.tasks.send_follow_emails", "interactive"),
        ("publicity.tasks.fan_out_follow_change", "imports"),
        ("publicity.tasks.purge_follows", "imports"),
        ("publicity.tasks.refresh_summaries", "imports"),
        ("publicity.tasks.refresh_all_summaries", "imports"),
        # Celery's own tasks (chords, test round trips) are not listed: the default queue takes them.
        ("celery.accumulate", "interactive"),
    ],
)
def test_the_router_sends_each_kind_to_its_queue(task_name: str, queue: str) -> None:
    assert queue_of(task_name) == queue


@pytest.mark.django_db
def test_the_beat_schedule_names_routed_tasks_and_leaves_the_queue_to_the_table() -> None:
    # The schedules the migrations install (django-celery-beat rows): a queue set on a row would bypass the table.
    scheduled = list(PeriodicTask.objects.exclude(task__startswith="celery."))

    assert len(scheduled) >= 5
    for entry in scheduled:
        assert entry.task in settings.CELERY_TASK_ROUTES, entry.name
        assert not entry.queue and not entry.exchange and not entry.routing_key, entry.name
