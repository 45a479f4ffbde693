"""Fetching the copy of a linked page that is kept as evidence, without letting a link reach inside the network.

A link is typed by a cadre, and the portal's workers sit inside the Party's network: fetched naively, a link to
http://10.0.0.5/ or to the cloud's metadata address (169.254.169.254) would read what no cadre may read. So:

- only http and https, on a host name or address without credentials;
- the host is resolved once, every address it resolves to must be public (`ipaddress`: no private, loopback,
  link-local, reserved, multicast, shared or unspecified address, nor an IPv6 form wrapping one), and the
  connection goes to the address that was checked, so a second lookup cannot answer differently;
- redirects are followed by hand, at most MAX_REDIRECTS, each new address checked the same way;
- at most EVIDENCE_ARCHIVE_MAX_MB of body, within EVIDENCE_ARCHIVE_TIMEOUT_SECONDS per connection or read and
  EVIDENCE_ARCHIVE_TOTAL_SECONDS in all;
- only an HTML page or a PDF is kept.

`FetchRefused` says why a link will never be fetched (trying again would not help); `FetchFailed` why this attempt
failed (the site was down, too slow): the caller may try again. Both carry a sentence in Vietnamese for the page.
"""

import hashlib
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024
# What is kept, by media type, with the extension of the stored copy.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PDF_TYPE = "application/pdf"
USER_AGENT = "CongChuongTrinhHanhDong/1.0 (luu ban sao minh chung)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchRefused(Exception):
    """The link will not be fetched, now or later."""


class FetchFailed(Exception):
    """This attempt failed; a later one may succeed."""


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    extension: str
    body: bytes
    sha256: str


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str


def max_bytes() -> int:
    return int(settings.EVIDENCE_ARCHIVE_MAX_MB) * 1024 * 1024


def fetch_copy(url: str) -> Fetched:
    """The page at `url`, fetched under the rules of this module, or FetchRefused / FetchFailed saying why not."""
    deadline = time.monotonic() + float(settings.EVIDENCE_ARCHIVE_TOTAL_SECONDS)
    for _hop in range(MAX_REDIRECTS + 1):
        target = _target(url)
        address = allowed_address(target.host, target.port)
        connection = _connect(target, address, deadline)
        try:
            response = _get(connection, target)
            if response.status in REDIRECT_STATUSES:
                location = response.getheader("Location", "").strip()
                if not location:
                    raise FetchRefused(_("Trang chuyển hướng mà không cho biết chuyển tới đâu."))
                url = urljoin(target.url, location)
                continue
            return _copy(target, connection, response, deadline)
        except TimeoutError as error:
            raise FetchFailed(_("Trang không trả lời kịp thời gian cho phép.")) from error
        except (http.client.HTTPException, OSError) as error:
            raise FetchFailed(_("Kết nối tới trang bị lỗi (%(error)s).") % {"error": type(error).__name__}) from error
        finally:
            connection.close()
    raise FetchRefused(_("Trang chuyển hướng quá %(count)s lần.") % {"count": MAX_REDIRECTS})


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(_("Chỉ lưu bản sao từ đường dẫn http:// hoặc https://."))
    if parts.username is not None or parts.password is not None:
        raise FetchRefused(_("Đường dẫn có kèm tên đăng nhập hoặc mật khẩu; không tải bản sao."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise FetchRefused(_("Cổng trong đường dẫn không hợp lệ.")) from error
    host = parts.hostname or ""
    if not host:
        raise FetchRefused(_("Đường dẫn không có tên máy chủ."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(url=url, scheme=parts.scheme, host=host, port=port, path=path)


def is_allowed(address: IPAddress) -> bool:
    """Whether the fetcher may connect to `address`: a public unicast address (or, in tests only, the loopback
    address of the test's server: EVIDENCE_ARCHIVE_TEST_ADDRESSES)."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv6 form that carries an IPv4 address is judged by the address it carries.
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return is_allowed(embedded)
    if address.is_loopback:
        return str(address) in settings.EVIDENCE_ARCHIVE_TEST_ADDRESSES
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_link_local)


def allowed_address(host: str, port: int) -> IPAddress:
    """The address to connect to for `host`: every address it resolves to must be allowed (one bad answer among
    good ones refuses the host, since a later lookup could pick it)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed(_("Không tìm thấy máy chủ “%(host)s”.") % {"host": host}) from error
    addresses = [ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0]) for answer in answers]
    if not addresses:
        raise FetchFailed(_("Không tìm thấy máy chủ “%(host)s”.") % {"host": host})
    for address in addresses:
        if not is_allowed(address):
            raise FetchRefused(
                _(
                    "Máy chủ “%(host)s” ở địa chỉ %(address)s thuộc mạng nội bộ hoặc dải địa chỉ dành riêng; "
                    "không tải bản sao từ đó."
                )
                % {"host": host, "address": address}
            )
    return addresses[0]


def _timeout(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchFailed(_("Trang không trả lời kịp thời gian cho phép."))
    return min(float(settings.EVIDENCE_ARCHIVE_TIMEOUT_SECONDS), left)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name would resolve to now. Keeps the socket in `opened`
    (http.client forgets it once a response says it closes) so that each read gets what is left of the time."""

    opened: socket.socket | None = None

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = self.opened = socket.create_connection((str(self.address), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As _PinnedHTTPConnection, with TLS checked against the host name of the link."""

    opened: socket.socket | None = None

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((str(self.address), self.port), self.timeout)
        self.sock = self.opened = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


Connection = _PinnedHTTPConnection | _PinnedHTTPSConnection


def _connect(target: _Target, address: IPAddress, deadline: float) -> Connection:
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    return kind(target.host, target.port, address=address, timeout=_timeout(deadline))


def _get(connection: Connection, target: _Target) -> http.client.HTTPResponse:
    try:
        connection.request(
            "GET",
            target.path,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9",
                "Accept-Encoding": "identity",
            },
        )
        return connection.getresponse()
    except ssl.SSLCertVerificationError as error:
        raise FetchRefused(_("Chứng chỉ bảo mật của trang không hợp lệ.")) from error


def _copy(target: _Target, connection: Connection, response: http.client.HTTPResponse, deadline: float) -> Fetched:
    if response.status >= 500:
        raise FetchFailed(_("Trang đang lỗi (mã %(status)s).") % {"status": response.status})
    if response.status != 200:
        raise FetchRefused(_("Trang trả về mã %(status)s, không có nội dung để lưu.") % {"status": response.status})
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        raise FetchRefused(_("Trang gửi nội dung nén (%(encoding)s); không lưu được.") % {"encoding": encoding})
    declared = response.getheader("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes():
        raise FetchRefused(_too_large())
    body = _read_limited(connection, response, deadline)
    media_type = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
    if body.startswith(b"%PDF-"):
        content_type, extension = PDF_TYPE, ".pdf"
    elif media_type in HTML_TYPES:
        content_type, extension = "text/html", ".html"
    else:
        raise FetchRefused(
            _("Trang trả về loại nội dung “%(type)s”; chỉ lưu bản sao trang web (HTML) hoặc tệp PDF.")
            % {"type": media_type or _("không rõ")}
        )
    return Fetched(
        url=target.url,
        content_type=content_type,
        extension=extension,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
    )


def _too_large() -> str:
    return _("Trang lớn hơn giới hạn %(limit)s MB; không lưu bản sao.") % {"limit": settings.EVIDENCE_ARCHIVE_MAX_MB}


def _read_limited(connection: Connection, response: http.client.HTTPResponse, deadline: float) -> bytes:
    """The body, refused as soon as it passes the limit; a page sent a byte at a time stops at the deadline."""
    limit = max_bytes()
    chunks: list[bytes] = []
    size = 0
    while True:
        timeout = _timeout(deadline)
        if connection.opened is not None:
            connection.opened.settimeout(timeout)
        # One read of the socket at most: `read(n)` would wait for all n bytes, however slowly they come.
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise FetchRefused(_too_large())
        chunks.append(chunk)
