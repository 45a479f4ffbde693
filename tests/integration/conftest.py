"""Real services for integration tests: PostgreSQL, Redis and Celery worker processes, as in production.

They run when CELERY_BROKER_URL is a Redis URL and the database is PostgreSQL (stage 2 of `make test`
starts both); anywhere else the tests marked `integration` are skipped with the reason.
"""

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app

REPO_ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def missing_services() -> str | None:
    """Why the real services are unavailable, or None when they are configured."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        return "needs Redis: set CELERY_BROKER_URL=redis://... (stage 2 of `make test` does)"
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://... (stage 2 of `make test` does)"
    return None


def queue_keys() -> tuple[str, ...]:
    """The Redis keys of every queue and of the unacknowledged messages: what a test empties to start clean."""
    return (*settings.TASK_QUEUES, "unacked", "unacked_index")


def worker_database_url() -> str:
    """The URL of pytest-django's test database, so that a worker reads the rows the tests commit."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


class CeleryWorker:
    """One real worker process at a time; a test may kill it mid-task and start a fresh one.

    It consumes `queues` (every queue by default, as the worker of `make run`; compose runs one per queue) and
    `extra_queues` besides (a queue of its own lets a test send a task to this worker alone). Several may run side
    by side under different names; `include` names modules of tasks that only tests define.
    """

    def __init__(
        self,
        database_url: str,
        log_dir: Path,
        queues: tuple[str, ...] | None = None,
        concurrency: int = 2,
        *,
        name: str | None = None,
        extra_queues: tuple[str, ...] = (),
        include: tuple[str, ...] = (),
    ) -> None:
        self.database_url = database_url
        self.log_dir = log_dir
        self.queues = (*(queues or tuple(settings.TASK_QUEUES)), *extra_queues)
        self.name = name or ("-".join(queues) if queues else "all")
        self.concurrency = concurrency
        self.include = include
        self.process: subprocess.Popen[bytes] | None = None
        self.hostname = ""
        self.log_path = log_dir / f"worker-{self.name}-0.log"
        self._numbers = itertools.count(1)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        """Start a worker and return once it answers a ping. `extra_env` overrides settings for it alone."""
        number = next(self._numbers)
        # A new name per start, so that a ping cannot be answered by a worker that is shutting down.
        self.hostname = f"portal-test-{self.name}-{number}@localhost"
        self.log_path = self.log_dir / f"worker-{self.name}-{number}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": self.database_url,
            **(extra_env or {}),
        }
        command = [str(CELERY), "-A", "config", "worker", "--pool=prefork", f"--concurrency={self.concurrency}"]
        command += ["-Q", ",".join(self.queues)]
        command += [f"--include={module}" for module in self.include]
        command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "info", "-n", self.hostname]
        with self.log_path.open("wb") as log:
            # Its own process group, so that kill() takes the pool processes down with it, as a crash would.
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._pid_file().write_text(str(self.process.pid))
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"the Celery worker exited at start-up:\n{self.log_tail()}")
            if app.control.ping(destination=[self.hostname], timeout=1.0):
                return
        self.kill()
        raise RuntimeError(f"the Celery worker did not answer within {READY_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Warm shutdown (SIGTERM: running tasks finish), SIGKILL after a bounded wait."""
        if self.process is None:
            return
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_TIMEOUT)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, like a machine that loses power mid-task."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)
        self._pid_file().unlink(missing_ok=True)
        self.process = None

    def _pid_file(self) -> Path:
        """Where the running worker's PID is kept: in TEST_WORKER_PID_DIR when the caller set it.

        `make test` sets it and kills whatever is listed there when it ends, so that no worker outlives
        a pytest process that was itself killed before its fixtures could stop the worker.
        """
        assert self.process is not None
        return Path(os.environ.get("TEST_WORKER_PID_DIR") or self.log_dir) / f"celery-worker-{self.process.pid}.pid"

    def restart(self, extra_env: dict[str, str] | None = None) -> None:
        self.stop()
        self.start(extra_env)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(autouse=True)
def _skip_integration_without_services(request: pytest.FixtureRequest) -> None:
    reason = missing_services()
    if reason and request.node.get_closest_marker("integration"):
        pytest.skip(reason)


@pytest.fixture(scope="session")
def celery_worker_process(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryWorker]:
    """A real worker for the whole session, reading the test database. Prefer `celery_worker` in tests."""
    reason = missing_services()
    if reason:
        pytest.skip(reason)
    # Only now: the test database exists, and its name is in the connection settings.
    request.getfixturevalue("django_db_setup")
    worker = CeleryWorker(worker_database_url(), tmp_path_factory.mktemp("celery-worker"))
    worker.start()
    yield worker
    # Before django_db_setup's teardown, which cannot drop a database a worker is still connected to.
    worker.stop()


@pytest.fixture
def celery_worker(celery_worker_process: CeleryWorker, transactional_db: None) -> Iterator[CeleryWorker]:
    """The running worker, with tasks sent to it rather than run in the test process.

    Rows must be committed for the worker to see them, hence `transactional_db`. A worker that an
    earlier test killed is started again.
    """
    if not celery_worker_process.running:
        celery_worker_process.start()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield celery_worker_process
    app.conf.task_always_eager = eager


# --- An S3-compatible object store ---------------------------------------------------------------------------

MOTO_SERVER = Path(sys.executable).with_name("moto_server")


def _spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_http(url: str, process: subprocess.Popen[bytes] | None, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the S3 server exited at start-up:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - a loopback URL built here
                return
        except urllib.error.HTTPError:
            return  # it answers, if only to refuse
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the S3 server at {url} did not answer within {READY_TIMEOUT:.0f} s")


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an S3-compatible server: the one `make test` started (TEST_S3_ENDPOINT_URL), else moto's
    server started here for the session, its PID listed with the workers' so that `make test` stops it."""
    reason = missing_services()
    if reason:
        pytest.skip(reason)
    given = os.environ.get("TEST_S3_ENDPOINT_URL")
    if given:
        _wait_for_http(given, None, Path(os.devnull))
        yield given
        return
    port = _spare_port()
    log = tmp_path_factory.mktemp("s3-server") / "moto.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file = Path(os.environ.get("TEST_WORKER_PID_DIR") or log.parent) / f"s3-server-{process.pid}.pid"
    pid_file.write_text(str(process.pid))
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_http(url, process, log)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
        pid_file.unlink(missing_ok=True)
