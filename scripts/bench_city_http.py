"""The city-scale benchmark's server and load: gunicorn (3 sync workers) on a spare loopback port, and a fixed
number of clients requesting one page for a few seconds, page after page, round after round, so that every
page and the bare view are measured in one run under the same conditions."""

import http.client
import os
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
TIMEOUT = 300


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    cookie: str = ""


@dataclass
class Load:
    """What the clients saw of one page over every round."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(port: int, page: Page, accept_encoding: str = "") -> tuple[int, float, int]:
    """(status, seconds, body bytes as sent) of one GET on a new connection (sync workers close it after each)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        headers = {"Accept-Language": "vi", "Cookie": page.cookie} if page.cookie else {"Accept-Language": "vi"}
        if accept_encoding:
            headers["Accept-Encoding"] = accept_encoding
        connection.request("GET", page.path, headers=headers)
        response = connection.getresponse()
        size = len(response.read())
        return response.status, time.perf_counter() - started, size
    finally:
        connection.close()


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[int]:
    """Serve the portal (config.wsgi) with the given environment; stopped by its PID whatever happens."""
    port = spare_port()
    command = [
        str(REPO_ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "--pythonpath",
        f"{REPO_ROOT},{REPO_ROOT / 'scripts'}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        str(TIMEOUT),
    ]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(port, Page("health", "/health/"))[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def hammer(port: int, page: Page, clients: int, seconds: float, into: Load) -> None:
    """`clients` threads request the page back to back for `seconds` (each finishes its last request)."""
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < stop_at:
            try:
                status, latency, _size = fetch(port, page)
            except OSError:
                status, latency = 0, 0.0
            with lock:
                if status == 200:
                    into.latencies.append(latency)
                else:
                    into.errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    into.seconds += time.perf_counter() - started


def interleaved(port: int, pages: list[Page], clients: int, seconds: float, rounds: int) -> dict[str, Load]:
    """Every page in turn, `rounds` times: a slow drift of the machine touches every page alike."""
    loads = {page.label: Load() for page in pages}
    for page in pages:  # one warm-up request per page and worker
        for _ in range(WORKERS):
            fetch(port, page)
    for _ in range(rounds):
        for page in pages:
            hammer(port, page, clients, seconds, loads[page.label])
    return loads
