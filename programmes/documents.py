"""Printable documents: the Party document layout (Hướng dẫn 36-HD/VPTW) rendered to PDF by WeasyPrint.

Every PDF the portal makes goes through `render_pdf`: the printable programme (its context in `programme_document`)
and the periodic evaluation reports of `reviews`. A template extends `reports/base.html` and fills its blocks (the
issuing-organisation header, the title, the body, the signatures); the print CSS and the bundled
Liberation Serif fonts (metric-compatible with Times New Roman, which Party documents use) come from the
portal's own static files, and nothing else may be fetched while rendering.
"""

import base64
import dataclasses
import functools
import io
import mimetypes
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, unquote, unquote_to_bytes, urljoin

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.safestring import SafeData, mark_safe
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from programmes.text import normalise

# The document's own address. `.invalid` never resolves (RFC 2606), so a URL under it can only be
# answered by the fetcher below; relative URLs in the templates and the CSS are joined to it.
BASE_URL = "https://portal.invalid/"
STATIC_SCHEME = "static:"
# "qr:" and a URL-quoted text: the QR code of that text, drawn by the fetcher (see qr_code_src).
QR_SCHEME = "qr:"
# Fonts may come inline as data: URLs; anything else inline (images, SVG) could smuggle content in.
DATA_FONT_TYPES = ("font/", "application/font-", "application/x-font-", "application/vnd.ms-fontobject")
CONTENT_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


class RefusedURL(ValueError):
    """A document asked for something outside the portal's static files (or for one that does not exist)."""


# --- Fetching: the portal's static files and nothing else ----------------------------------------------------


def _static_name(url: str) -> str | None:
    """The static file a URL names ("static:css/x.css" or under STATIC_URL), or None for anything else."""
    if url.startswith(STATIC_SCHEME):
        name = url.removeprefix(STATIC_SCHEME)
    else:
        static_prefix = urljoin(BASE_URL, settings.STATIC_URL)
        if not url.startswith(static_prefix):
            return None
        name = url.removeprefix(static_prefix)
    name = unquote(name.split("#")[0].split("?")[0]).lstrip("/")
    if not name or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return name


def static_file_path(name: str) -> Path | None:
    """Where a static file lives on disk: found by the staticfiles finders, else collected in STATIC_ROOT.

    STATIC_ROOT matters in production, where templates name the hashed copies collectstatic made.
    """
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if isinstance(found, str):
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / name).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _data_font(url: str) -> URLFetcherResponse:
    header, _comma, payload = url.removeprefix("data:").partition(",")
    media_type = header.split(";")[0].strip().lower()
    if not media_type.startswith(DATA_FONT_TYPES):
        raise RefusedURL(f"inline data other than a font is refused: {media_type or 'text/plain'}")
    raw = unquote_to_bytes(payload)
    body = base64.b64decode(raw) if header.lower().endswith(";base64") else raw
    return URLFetcherResponse(url, body, {"Content-Type": media_type})


def qr_code_src(text: str) -> str:
    """What a template puts in <img src> to print the QR code of `text`: the fetcher draws it."""
    return QR_SCHEME + quote(text, safe="")


def _qr_code(url: str) -> URLFetcherResponse:
    """The QR code as a PNG of one pixel per module (with a one-module quiet zone), for the print stylesheet to
    size with `image-rendering: pixelated`: a PDF viewer or printer draws the modules as sharp squares. Drawn
    as an inline SVG path the code took WeasyPrint about 4 % of a report's time; placed as this image, under a
    tenth of that (encoding the code costs the same either way)."""
    png = io.BytesIO()
    segno.make(unquote(url.removeprefix(QR_SCHEME)), error="m").save(png, kind="png", scale=1, border=1)
    return URLFetcherResponse(url, png.getvalue(), {"Content-Type": "image/png"})


# URLFetcher is Any to the type checker (WeasyPrint ships no type hints).
class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Answers only for the portal's own static files, read from disk, and for the QR codes it draws itself
    (`qr_code_src`); refuses every other URL.

    A document must never reach the network or the file system on behalf of what a user typed:
    no http(s) to anywhere, no file:, no inline images. A QR code is drawn from the text in its address,
    so at worst it holds some text, never an image of someone's choosing. Refusals are fatal: user text
    is escaped, so whatever a document fetches was written in a template, and a template asking for
    something refused or missing is a bug to see at once, not a PDF silently printed without its fonts.
    """

    def __init__(self) -> None:
        super().__init__(fail_on_errors=True)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url.lower().startswith("data:"):
            return _data_font(url)
        if url.startswith(QR_SCHEME):
            return _qr_code(url)
        name = _static_name(url)
        path = static_file_path(name) if name is not None else None
        if name is None or path is None:
            raise RefusedURL(f"only the portal's static files may be loaded into a document: {url[:200]}")
        content_type = CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type or "application/octet-stream"})


# --- Rendering -----------------------------------------------------------------------------------------------


def _nfc(value: Any) -> Any:
    """The context with every text in NFC: decomposed Vietnamese prints with stray accents and copies out badly."""
    if isinstance(value, SafeData):
        return mark_safe(normalise(str(value)))  # noqa: S308 - it was already safe; NFC changes no markup
    if isinstance(value, str | Promise):
        return normalise(str(value))
    if isinstance(value, Mapping):
        return {key: _nfc(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_nfc(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {field.name: _nfc(getattr(value, field.name)) for field in dataclasses.fields(value) if field.init}
        return dataclasses.replace(value, **changes)
    return value


# The print stylesheet as reports/base.html links it. Parsing it and loading its @font-face fonts again for
# every PDF is about a quarter of a three-page report's time, so each thread keeps it parsed, with the font
# configuration its fonts were loaded into (parsed again when the file changes). A document whose only
# stylesheet is that link is rendered with the parsed one in its place: WeasyPrint applies it as a user
# stylesheet, which with no other stylesheet cascades the same, and the PDF is the same byte for byte
# (tests/programmes/test_document_stylesheet.py). Anything else is rendered as it comes.
_STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="([^"<>]+)">')
_parsed = threading.local()
PRINT_STYLESHEET = "css/reports.css"

# The elements the templates under templates/reports/ write, those document_ua.css has WeasyPrint's default
# rules for (tests/programmes/test_document_stylesheet.py reads the templates to hold them to it).
ELEMENTS = frozenset(
    {
        *("html", "head", "meta", "title", "link", "body"),
        *("div", "header", "main", "section", "h1", "h2", "h3", "p", "br", "span", "strong", "ul", "ol", "li"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "img", "svg"),
    }
)
_USER_AGENT_STYLESHEET = Path(__file__).with_name("document_ua.css")


@functools.cache
def _user_agent_stylesheet() -> CSS:
    return CSS(filename=str(_USER_AGENT_STYLESHEET))


# HTML is Any to the type checker (WeasyPrint ships no type hints).
class _PrintDocument(HTML):  # type: ignore[misc]
    """A document printed with the print stylesheet: WeasyPrint's own rules for the elements it holds, and no
    others, as its user-agent stylesheet (programmes/document_ua.css); the same PDF with less matching. Should
    WeasyPrint stop asking for `_ua_stylesheets`, its whole stylesheet applies again: the same PDF, slower."""

    def _ua_stylesheets(self, *args: object, **kwargs: object) -> list[CSS]:
        return [_user_agent_stylesheet()]


def _parsed_stylesheet(html: str) -> tuple[str, CSS, FontConfiguration, bool] | None:
    """(the HTML without its link, the parsed static stylesheet, its fonts, whether it is the print stylesheet),
    or None to render as it comes."""
    links = _STYLESHEET_LINK.findall(html)
    if len(links) != 1 or html.count("<link") != 1 or "<style" in html:
        return None
    url = urljoin(BASE_URL, links[0])
    name = _static_name(url)
    path = static_file_path(name) if name is not None else None
    if path is None:
        return None
    stat = path.stat()
    key = (url, str(path), stat.st_mtime_ns, stat.st_size)
    cached = getattr(_parsed, "stylesheet", None)
    if cached is None or cached[0] != key:
        font_config = FontConfiguration()
        stylesheet = CSS(url=url, url_fetcher=StaticOnlyFetcher(), font_config=font_config)
        cached = _parsed.stylesheet = (key, stylesheet, font_config)
    return _STYLESHEET_LINK.sub("", html, count=1), cached[1], cached[2], _is_print_stylesheet(name)


def _is_print_stylesheet(name: str | None) -> bool:
    """The print stylesheet, by its own name or by the hashed one production's templates link (collectstatic's
    manifest): the short default stylesheet saved nothing in production while only the first was recognised."""
    if name == PRINT_STYLESHEET:
        return True
    stored_name = getattr(staticfiles_storage, "stored_name", None)
    if name is None or stored_name is None:
        return False
    try:
        return bool(name == stored_name(PRINT_STYLESHEET))
    except ValueError:  # the manifest does not list it (collectstatic not run): not the one linked, then
        return False


def html_to_pdf(html: str, *, finisher: Callable[[Any, Any], None] | None = None) -> bytes:
    """The PDF of a finished HTML document, fetching only static files; RefusedURL for anything else.
    `finisher` is WeasyPrint's: called with the laid-out document and the PDF before it is written."""
    try:
        parsed = _parsed_stylesheet(html)
        if parsed is None:
            document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
            # Without a target, write_pdf returns the PDF (WeasyPrint ships no type hints: Any).
            return cast(bytes, document.write_pdf(pdf_tags=True, finisher=finisher))
        bare, stylesheet, font_config, is_print_stylesheet = parsed
        kind = _PrintDocument if is_print_stylesheet else HTML
        document = kind(string=bare, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
        return cast(
            bytes,
            document.write_pdf(stylesheets=[stylesheet], font_config=font_config, pdf_tags=True, finisher=finisher),
        )
    except FatalURLFetchingError as error:
        # WeasyPrint's fatal error is a BaseException; a view or a task should see an ordinary one.
        raise RefusedURL(str(error)) from error.__cause__


def _document_html(template_name: str, context: Mapping[str, object]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        values = _nfc({"generated_at": timezone.now(), **context})
        return render_to_string(template_name, values)


def render_pdf(template_name: str, context: Mapping[str, object]) -> bytes:
    """Render a template from `templates/reports/` to PDF bytes.

    Text in the context (also inside lists, tuples, dicts and dataclasses) is normalised to NFC, and
    lazy labels are resolved, in the portal's language: a Party document is a Vietnamese document
    whatever language the reader's screen is in, and a worker without a request renders the same.
    `generated_at` (for the footer) defaults to now.
    """
    return html_to_pdf(_document_html(template_name, context))


# CSS pixels (1/96 inch) to PDF points (1/72 inch), as WeasyPrint draws them.
PX_TO_PT = 0.75


@dataclass(frozen=True)
class PlacedBox:
    """Where an element was laid out in the PDF: its page (from 0) and its box in points (left, bottom, right,
    top) from the lower left corner of the page, as PDF annotations are placed."""

    page: int
    box: tuple[int, int, int, int]


class _AnchorFinder:
    """WeasyPrint finisher that notes where the element with the id `anchor` was laid out (its first page)."""

    def __init__(self, anchor: str) -> None:
        self.anchor = anchor
        self.found: PlacedBox | None = None

    def __call__(self, document: Any, pdf: Any) -> None:
        for index, page in enumerate(document.pages):
            rect = page.anchors.get(self.anchor)
            if rect is None:
                continue
            left, top, right, bottom = (value * PX_TO_PT for value in rect)
            height = page.height * PX_TO_PT
            self.found = PlacedBox(
                page=index, box=(round(left), round(height - bottom), round(right), round(height - top))
            )
            return


def render_pdf_placing(
    template_name: str, context: Mapping[str, object], anchor: str
) -> tuple[bytes, PlacedBox | None]:
    """`render_pdf`, and where the element with the id `anchor` was laid out (None when the document has none):
    what a visible signature field is placed on."""
    finder = _AnchorFinder(anchor)
    pdf = html_to_pdf(_document_html(template_name, context), finisher=finder)
    return pdf, finder.found
