"""The renderer keeps the print stylesheet and its fonts parsed between documents, and prints the same PDF.

html_to_pdf renders a document whose only stylesheet is the static link of reports/base.html with the
stylesheet parsed once per thread (again when the file changes); anything else is rendered as it comes.
"""

from pathlib import Path
from unittest import mock

import pytest
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
