"""The renderer keeps the print stylesheet and its fonts parsed between documents, and prints the same PDF.

html_to_pdf renders a document whose only stylesheet is the static link of reports/base.html with the
stylesheet parsed once per thread (again when the file changes); anything else is rendered as it comes.
"""

import re
from pathlib import Path
from unittest import mock

import pytest
import weasyprint
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from weasyprint import CSS, HTML

from programmes import documents
from programmes.documents import BASE_URL, RefusedURL, StaticOnlyFetcher, html_to_pdf

LINK = '<link rel="stylesheet" href="/static/css/reports.css">'
BODY = "<p>Đồng chí Trần Thị Ánh hoàn thành tốt nhiệm vụ.</p><p class='section-heading'>A. BẢN TỰ KIỂM ĐIỂM</p>"


def page(head: str = LINK) -> str:
    return f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">{head}</head><body>{BODY}</body></html>'


def as_weasyprint_alone(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(pdf_tags=True)


@pytest.fixture(autouse=True)
def nothing_parsed_yet():
    documents._parsed.__dict__.clear()
    yield
    documents._parsed.__dict__.clear()


def counting_css():
    # The short default stylesheet is parsed once per process, whichever test comes first: not counted here.
    documents._user_agent_stylesheet()
    return mock.patch.object(documents, "CSS", side_effect=CSS)


def test_same_pdf_as_weasyprint_alone_with_the_stylesheet_parsed_once():
    html = page()
    with counting_css() as parsed:
        first = html_to_pdf(html)
        second = html_to_pdf(html.replace("Ánh", "Bình"))
    assert parsed.call_count == 1
    assert first == as_weasyprint_alone(html)
    assert second == as_weasyprint_alone(html.replace("Ánh", "Bình"))


@pytest.mark.parametrize(
    "head",
    [
        "<style>p { color: #b40000; }</style>" + LINK,
        LINK + '<link rel="stylesheet" href="/static/css/portal.css">',
        "",
    ],
)
def test_any_other_document_is_rendered_as_it_comes(head):
    html = page(head)
    with counting_css() as parsed:
        pdf = html_to_pdf(html)
    assert parsed.call_count == 0
    assert pdf == as_weasyprint_alone(html)


@pytest.mark.parametrize(
    "href", ["http://example.com/x.css", "file:///etc/passwd", "/static/css/khong-co.css", "/media/x.css"]
)
def test_a_link_outside_the_static_files_is_still_refused(href):
    with pytest.raises(RefusedURL):
        html_to_pdf(page(f'<link rel="stylesheet" href="{href}">'))


def test_a_changed_stylesheet_is_parsed_again(tmp_path):
    original = documents.static_file_path("css/reports.css")
    assert original is not None
    copy = tmp_path / "reports.css"
    copy.write_bytes(original.read_bytes())
    real = documents.static_file_path

    def served(name: str) -> Path | None:
        return copy if name == "css/reports.css" else real(name)

    with mock.patch.object(documents, "static_file_path", side_effect=served), counting_css() as parsed:
        html_to_pdf(page())
        html_to_pdf(page())
        copy.write_text(copy.read_text() + "\n.section-heading { font-size: 20pt; }\n")
        changed = html_to_pdf(page())
    assert parsed.call_count == 2
    assert changed != html_to_pdf(page())


# --- The user-agent stylesheet of printed documents --------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "reports"
# Every element a report template may write, each with what WeasyPrint's own stylesheet gives it by default:
# a heading's size and bookmark, a list's bullets and numbers, a table's header, footer and caption, a line break,
# bold text, an inline SVG chart and the QR code image.
EVERY_ELEMENT = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thử</title>
<link rel="stylesheet" href="/static/css/reports.css"></head>
<body data-generated="Tạo lúc 08:00 ngày 01/02/2026" data-page-label="Trang"><header><h1>BÁO CÁO</h1></header>
<main><h2>A. PHẦN MỘT</h2><h3>I. Mục</h3><p>Dòng một<br>dòng hai, <strong>đậm</strong>, <span>thường</span>.</p>
<div><ul><li>Một<ul><li>Trong<ul><li>Sâu</li></ul></li></ul></li></ul><ol><li>Thứ nhất</li><li>Thứ hai</li></ol></div>
<table class="report-table"><caption>Bảng</caption><thead><tr><th scope="col">STT</th><th>Nội dung</th></tr></thead>
<tbody><tr><td>1</td><td>Ủy ban nhân dân phường<span class="cell-note">Ghi chú</span></td></tr></tbody>
<tfoot><tr><th scope="row">Cộng</th><td>1</td></tr></tfoot></table>
<table class="particulars"><tr><th scope="row">Họ và tên:</th><td>Nguyễn Thị Ánh</td></tr></table>
<svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none"><rect width="40" height="6" fill="#4d4d4d"/></svg>
</main><section class="signatures"><table class="verification"><tr><td class="verification__qr">
<img src="qr:https%3A%2F%2Fportal.example.vn%2Fxac-thuc%2F%3Fma%3DABCDE12345" alt="Mã QR"></td>
<td><p class="verification__code">Mã xác thực: ABCDE-12345</p></td></tr></table></section></body></html>"""


def test_the_print_stylesheet_gives_every_element_the_pdf_weasyprints_whole_default_stylesheet_gives():
    assert html_to_pdf(EVERY_ELEMENT) == as_weasyprint_alone(EVERY_ELEMENT)


def test_the_short_default_stylesheet_is_the_one_used_for_documents_with_the_print_stylesheet():
    with mock.patch.object(documents, "_user_agent_stylesheet", wraps=documents._user_agent_stylesheet) as used:
        html_to_pdf(page())
        assert used.call_count == 1
        html_to_pdf(page(LINK + '<link rel="stylesheet" href="/static/css/portal.css">'))
        html_to_pdf(page('<link rel="stylesheet" href="/static/css/portal.css">'))
        assert used.call_count == 1


def test_the_hashed_print_stylesheet_production_links_is_recognised_too(tmp_path, settings):
    # Production's templates link the copy collectstatic named by its content (the manifest storage).
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = staticfiles_storage.url("css/reports.css")
    assert re.fullmatch(r"/static/css/reports\.[0-9a-f]{12}\.css", hashed)
    html = page(f'<link rel="stylesheet" href="{hashed}">')
    with mock.patch.object(documents, "_user_agent_stylesheet", wraps=documents._user_agent_stylesheet) as used:
        pdf = html_to_pdf(html)
    assert used.call_count == 1
    assert pdf == as_weasyprint_alone(html)


def test_the_report_templates_write_only_elements_the_short_default_stylesheet_knows():
    written = {
        tag.lower()
        for template in TEMPLATES.rglob("*.html")
        for tag in re.findall(
            r"<([a-zA-Z][a-zA-Z0-9]*)",
            re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", template.read_text(), flags=re.S),
        )
    }
    # Inside an inline SVG, shapes are drawn by WeasyPrint's SVG renderer, not styled as HTML elements.
    assert written - {"rect"} <= documents.ELEMENTS, written - documents.ELEMENTS
    # Each of them that WeasyPrint's own stylesheet has a rule for has one in the short stylesheet too.
    theirs = (Path(weasyprint.__file__).parent / "css" / "html5_ua.css").read_text()
    ours = documents._USER_AGENT_STYLESHEET.read_text()
    for element in documents.ELEMENTS:
        named = re.compile(rf"(^|[\s,(]){element}([\s,:>)\[{{]|$)", flags=re.M)
        assert not named.search(theirs) or named.search(ours), element
