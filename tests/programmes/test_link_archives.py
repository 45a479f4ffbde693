"""Links given as evidence are kept as copies: fetched in the background through a fetcher that never reaches a
private, loopback, link-local or reserved address (not by name, not by a redirect), within size and time limits,
stored with their SHA-256; failures say why, and a site that could not be reached is tried a bounded number of times.

The pages are served by a real HTTP server on 127.0.0.2 in a thread. Loopback is refused like any private address
unless a test lists the server's address in EVIDENCE_ARCHIVE_TEST_ADDRESSES (empty by default, and never read from
the environment): the tests that fetch from the local server list 127.0.0.2 alone, so that a link or a redirect to
127.0.0.1 or to localhost (which resolves to it) stays refused, as do the other private addresses.
"""

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from programmes.action_programmes.link_archives import ARCHIVED, FAILED, RETRY, link_archive_fetch
from programmes.action_programmes.link_fetch import FetchFailed, FetchRefused, fetch_copy
from programmes.models import ArchiveState, AuditEvent, LinkArchive, OutboxMessage
from tests.programmes.programme_data import report_first_done

PAGE = "<!doctype html><html lang='vi'><body><h1>Báo cáo kết quả quý I</h1></body></html>".encode()
SITE_ADDRESS = "127.0.0.2"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Site(BaseHTTPRequestHandler):
    """Pages by path: a page, a PDF, redirects to private addresses, an error, a slow and a large page."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = {
        "/trang": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
        "/tep.pdf": (200, {"Content-Type": "application/octet-stream"}, PDF),
        "/anh.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n"),
        "/metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        "/noi-bo": (301, {"Location": "http://10.0.0.1/quan-tri"}, b""),
        "/ten-noi-bo": (302, {"Location": "http://localhost/trang"}, b""),
        "/may-nay": (302, {"Location": "http://127.0.0.1/trang"}, b""),
        "/tiep": (302, {"Location": "/trang"}, b""),
        "/loi": (503, {"Content-Type": "text/html"}, b"busy"),
        "/khong-co": (404, {"Content-Type": "text/html"}, b"missing"),
        "/lon": (200, {"Content-Type": "text/html"}, b"<p>" + b"x" * (1024 * 1024 + 10)),
    }

    def do_GET(self) -> None:
        if self.path == "/cham":
            time.sleep(3)
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The fetcher hangs up on a page it refuses as too large: what the test wants.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer((SITE_ADDRESS, 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{SITE_ADDRESS}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_allowed(settings) -> None:
    settings.EVIDENCE_ARCHIVE_TEST_ADDRESSES = (SITE_ADDRESS,)


def test_loopback_is_refused_by_default(settings):
    assert settings.EVIDENCE_ARCHIVE_TEST_ADDRESSES == ()


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://10.255.3.7:8080/quan-tri",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://240.0.0.1/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[2002:a00:1::]/",
    ],
)
def test_private_link_local_and_reserved_addresses_are_refused(url):
    with pytest.raises(FetchRefused, match="mạng nội bộ hoặc dải địa chỉ dành riêng"):
        fetch_copy(url)


def test_loopback_is_refused_even_with_a_server_listening_there(site):
    with pytest.raises(FetchRefused, match=SITE_ADDRESS):
        fetch_copy(f"{site}/trang")


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://localhost/trang", "http://2130706433/", "http://[::1]/"])
def test_loopback_by_address_by_name_or_written_as_a_number_is_refused(loopback_allowed, url):
    with pytest.raises(FetchRefused, match="mạng nội bộ"):
        fetch_copy(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a", "gopher://example.org/", "//x/"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchRefused, match="http:// hoặc https://"):
        fetch_copy(url)


def test_credentials_in_a_link_are_refused():
    with pytest.raises(FetchRefused):
        fetch_copy("http://quan-tri:mat-khau@example.org/")


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/metadata", "169.254.169.254"),
        ("/noi-bo", "10.0.0.1"),
        ("/may-nay", "127.0.0.1"),
        # A name that resolves to a refused address.
        ("/ten-noi-bo", "localhost"),
    ],
)
def test_a_redirect_to_a_private_address_is_refused(site, loopback_allowed, path, refused):
    with pytest.raises(FetchRefused, match=refused):
        fetch_copy(f"{site}{path}")


def test_a_redirect_to_an_allowed_address_is_followed(site, loopback_allowed):
    fetched = fetch_copy(f"{site}/tiep")
    assert (fetched.body, fetched.url) == (PAGE, f"{site}/trang")


def test_a_page_and_a_pdf_are_fetched_with_their_hash(site, loopback_allowed):
    page = fetch_copy(f"{site}/trang")
    pdf = fetch_copy(f"{site}/tep.pdf")

    assert (page.content_type, page.extension, page.sha256) == ("text/html", ".html", hashlib.sha256(PAGE).hexdigest())
    assert (pdf.content_type, pdf.extension, pdf.body) == ("application/pdf", ".pdf", PDF)


def test_other_content_is_refused(site, loopback_allowed):
    with pytest.raises(FetchRefused, match="image/png"):
        fetch_copy(f"{site}/anh.png")


def test_a_page_larger_than_the_limit_is_refused(site, loopback_allowed, settings):
    settings.EVIDENCE_ARCHIVE_MAX_MB = 1
    with pytest.raises(FetchRefused, match="1 MB"):
        fetch_copy(f"{site}/lon")


def test_a_slow_page_fails_within_the_time_limit(site, loopback_allowed, settings):
    settings.EVIDENCE_ARCHIVE_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="không trả lời kịp"):
        fetch_copy(f"{site}/cham")
    assert time.monotonic() - started < 2.5


def test_a_missing_page_is_refused_and_a_failing_site_may_be_tried_again(site, loopback_allowed):
    with pytest.raises(FetchRefused, match="404"):
        fetch_copy(f"{site}/khong-co")
    with pytest.raises(FetchFailed, match="503"):
        fetch_copy(f"{site}/loi")


# --- The archive: asked for with the report, fetched once, failures recorded ---------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def report_link(cast, link: str) -> LinkArchive:
    report = report_first_done(cast, links=[link])
    return report.evidence.get().archive


@pytest.mark.django_db
def test_a_link_attached_to_a_report_is_archived_in_the_background(
    cast, site, loopback_allowed, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        archive = report_link(cast, f"{site}/trang")

    # Once the report's transaction committed, the task ran (eagerly in tests) from the outbox.
    archive.refresh_from_db()
    assert OutboxMessage.objects.filter(task="programmes.tasks.archive_evidence_link", args=[archive.pk]).exists()
    assert archive.state == ArchiveState.ARCHIVED
    assert archive.sha256 == hashlib.sha256(PAGE).hexdigest()
    with archive.file.open("rb") as stored:
        assert stored.read() == PAGE
    assert archive.fetched_at is not None and archive.attempts == 1
    assert AuditEvent.objects.filter(action="evidence.archive", object_id=str(archive.evidence_id)).exists()
    # Run again (a redelivered task): nothing more is fetched or stored.
    assert link_archive_fetch(archive_id=archive.pk) == "skipped"


@pytest.mark.django_db
def test_a_link_to_a_private_address_fails_at_once_with_the_reason(cast, media):
    archive = report_link(cast, "http://169.254.169.254/latest/meta-data/")

    assert link_archive_fetch(archive_id=archive.pk) == FAILED

    archive.refresh_from_db()
    assert archive.state == ArchiveState.FAILED
    assert "169.254.169.254" in archive.failure_reason and "mạng nội bộ" in archive.failure_reason
    assert not archive.file
    assert archive.attempts == 1


@pytest.mark.django_db
def test_a_site_that_fails_is_tried_a_bounded_number_of_times(cast, site, loopback_allowed, media, settings):
    settings.EVIDENCE_ARCHIVE_MAX_ATTEMPTS = 3
    archive = report_link(cast, f"{site}/loi")

    outcomes = [link_archive_fetch(archive_id=archive.pk) for _attempt in range(4)]

    assert outcomes == [RETRY, RETRY, FAILED, "skipped"]
    archive.refresh_from_db()
    assert archive.state == ArchiveState.FAILED
    assert archive.attempts == 3
    assert "503" in archive.failure_reason and "3 lần" in archive.failure_reason


@pytest.mark.django_db
def test_a_stored_copy_is_kept_once(cast, site, loopback_allowed, media):
    archive = report_link(cast, f"{site}/tep.pdf")

    assert link_archive_fetch(archive_id=archive.pk) == ARCHIVED
    archive.refresh_from_db()
    assert (archive.state, archive.content_type, archive.size) == (ArchiveState.ARCHIVED, "application/pdf", len(PDF))
