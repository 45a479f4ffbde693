"""A real Celery worker on Redis and PostgreSQL, and the health endpoint against the real broker."""

import pytest
from django.test import Client

from config.celery import app
from tests.broker import closed_port
from tests.integration.conftest import CeleryWorker

pytestmark = pytest.mark.integration


def test_worker_answers_ping(celery_worker: CeleryWorker) -> None:
    replies = app.control.ping(destination=[celery_worker.hostname], timeout=2.0)

    assert replies == [{celery_worker.hostname: {"ok": "pong"}}]


def test_worker_registers_the_same_tasks_as_the_portal(celery_worker: CeleryWorker) -> None:
    app.loader.import_default_modules()
    # Celery's own tasks, and tasks only a test defines (loaded in this process by that test), are not the portal's.
    portal_tasks = {name for name in app.tasks if not name.startswith(("celery.", "tests."))}

    registered = app.control.inspect(destination=[celery_worker.hostname], timeout=2.0).registered()

    assert registered is not None, "the worker did not answer"
    assert set(registered[celery_worker.hostname]) == portal_tasks


def test_task_round_trip_through_redis(celery_worker: CeleryWorker) -> None:
    if not app.conf.result_backend:
        pytest.skip("needs CELERY_RESULT_BACKEND to read a result back (stage 2 of `make test` sets it)")
    # A task built into Celery: the portal keeps no task that exists only for tests.
    result = app.send_task("celery.accumulate", args=(7, "Chương trình hành động"))

    assert result.get(timeout=15) == [7, "Chương trình hành động"]


def test_killed_worker_is_replaced_by_a_fresh_one(celery_worker: CeleryWorker) -> None:
    killed = celery_worker.hostname
    celery_worker.kill()
    celery_worker.start()

    assert celery_worker.hostname != killed
    assert app.control.ping(destination=[celery_worker.hostname], timeout=2.0)
    assert not app.control.ping(destination=[killed], timeout=1.0)


@pytest.mark.django_db
def test_health_is_ok_with_the_real_database_and_broker(client: Client) -> None:
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert set(response.json()["outbox"]) == {"unsent", "oldest_seconds"}


@pytest.mark.django_db
def test_health_is_503_when_the_broker_does_not_answer(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = f"redis://127.0.0.1:{closed_port()}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration: override both.
    monkeypatch.setenv("CELERY_BROKER_URL", unreachable)
    monkeypatch.setitem(app.conf, "broker_url", unreachable)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error"}
