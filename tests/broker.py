"""Pointing this test process's Celery app at another broker (a private Redis, or one that does not answer)."""

import contextlib
import os
import socket
from collections.abc import Iterator

from kombu import pools

from config.celery import app


def closed_port() -> int:
    """A port the system just handed out and took back: nothing listens on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _forget_connections() -> None:
    # The app keeps pooled connections to the broker it first met; a new URL needs new ones.
    pools.reset()
    vars(app)["_pool"] = None
    vars(app.amqp)["_producer_pool"] = None


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Tasks go to the broker at `url` (not run in place) until the block ends."""
    saved = {key: app.conf[key] for key in ("broker_url", "broker_transport_options", "task_always_eager")}
    saved_environment = os.environ.get("CELERY_BROKER_URL")
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration: set both.
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(broker_url=url, broker_transport_options={}, task_always_eager=False)
    _forget_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        if saved_environment is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environment
        _forget_connections()


def broker_away() -> contextlib.AbstractContextManager[None]:
    """A Redis broker that does not answer, as when it is stopped."""
    return broker_at(f"redis://127.0.0.1:{closed_port()}/0")
