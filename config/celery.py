"""The Celery application. Tasks live in each app's tasks.py and are found automatically."""

import os
from typing import TypedDict

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class TaskOptions(TypedDict, total=False):
    """The options of `shared_task` that a set of tasks shares (passed as `**options`), typed so that the
    decorated tasks keep their signatures."""

    acks_late: bool
    reject_on_worker_lost: bool
    autoretry_for: tuple[type[BaseException], ...]
    dont_autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    retry_backoff_max: int
    max_retries: int
    soft_time_limit: int
    time_limit: int
