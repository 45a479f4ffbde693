"""Waiting for a worker to have done something, failing early with the worker's log when it has exited."""

import time
from collections.abc import Callable

import pytest

from tests.integration.conftest import CeleryWorker


def wait_until(condition: Callable[[], bool], what: str, *workers: CeleryWorker, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers:
            if not worker.running:
                pytest.fail(f"a worker exited:\n{worker.log_tail()}")
        time.sleep(0.05)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s:\n" + "\n".join(w.log_tail() for w in workers))
