"""The printable programme: the Party document layout, who may print what, and a renderer that fetches nothing.

PDFs are read back with poppler (`pdftotext`, `pdffonts`), as a person copying text out of them would.
"""

import datetime
import http.server
import io
import re
import subprocess
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
import segno
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from programmes.action_programmes import services
from programmes.action_programmes.selectors import version_for_display
from programmes.documents import (
    BASE_URL,
    RefusedURL,
    StaticOnlyFetcher,
    html_to_pdf,
    qr_code_src,
    render_pdf,
)
from programmes.models import (
    CommitmentCategory,
    CommitmentTerms,
    Occasion,
    OrganisationKind,
    PublicityLevel,
)
from programmes.party_document import place_of
from programmes.programme_document import programme_document_context, target_text
from tests.factories import client_for, make_organisation
from tests.programmes.programme_data import commitment_content, give_private_details, make_confirmed, make_draft, submit

pytestmark = pytest.mark.django_db

DRAFT_MARK = "BẢN NHÁP – CHƯA ĐƯỢC XÁC NHẬN"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(pdf: bytes) -> str:
    """The text as `pdftotext -layout` lays it out, in NFC."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return nfc(result.stdout.decode())


def flowing_text(pdf: bytes) -> str:
    """The text in drawing order with every run of white space made one space.

    A table cell wraps its text over several lines, which -layout interleaves with the cells beside it;
    in drawing order a cell's lines follow one another, so a long statement can be found whole.
    """
    result = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(nfc(result.stdout.decode()).split())


def pdf_url(programme, number: int | str | None = None) -> str:
    url = reverse("programmes:programme_pdf", args=[programme.pk])
    return url if number is None else f"{url}?phien-ban={number}"


def confirmed_with_statement(cast, statement: str):
    """The member's programme, confirmed by the cell secretary, whose first commitment says `statement`."""
    programme = make_draft(cast.member)
    terms = programme.versions.get(number=1).terms.order_by("position")[0]
    services.commitment_update(
        terms=terms, content=commitment_content(1, statement=statement, weight=60), acting_user=cast.member.user
    )
    version = submit(programme)
    services.programme_confirm(version=version, publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user)
    programme.refresh_from_db()
    return programme


@contextmanager
def counting_http_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on the loopback interface that records every path asked of it."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- The document the owner prints ------------------------------------------------------------------------


def test_owner_gets_the_programme_in_force_as_a_party_document(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)

    response = client_for(cast.member.user).get(pdf_url(programme))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'inline; filename="chuong-trinh-hanh-dong-{programme.pk}-v1.pdf"'
    assert "private" in response["Cache-Control"]
    text = pdf_text(response.content)
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "CHƯƠNG TRÌNH HÀNH ĐỘNG",
        "Trần Thị Ánh",
        "Họ và tên:",
        "Chức vụ:",
        "Đơn vị:",
        "Thời gian thực hiện:",
        "từ ngày 01/01/2026 đến ngày 31/12/2026",
        "I. Nhiệm vụ chuyên môn được giao",
        "Trang 1/",
        "Lê Văn Bình",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "NGƯỜI CAM KẾT",
        "(Ký, ghi rõ họ tên)",
    ):
        assert nfc(expected) in text, expected
    assert "NGƯỜI XÁC NHẬN" not in text
    # The confirmer for the cell and the member side by side, their names on one line.
    assert any(nfc("Lê Văn Bình") in line and nfc("Trần Thị Ánh") in line for line in text.splitlines())
    assert nfc("Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1") in flowing_text(response.content)
    assert DRAFT_MARK not in text


def date_line(day) -> str:
    """The place and date line of Hướng dẫn 36-HD/VPTW: months January and February with a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"Phường Bến Thành, ngày {day.day:02d} tháng {month} năm {day.year}"


def test_header_is_dated_the_print_day_and_the_confirmation_day_is_stated_as_such(cast):
    """Like every report, the programme is dated the day it is printed; the day it was confirmed (ten days
    earlier here) is printed as that, in the version line."""
    programme = make_confirmed(cast.member, cast.secretary.user)
    version = programme.versions.get(number=1)
    assert version.confirmed_at is not None
    version.confirmed_at -= datetime.timedelta(days=10)
    version.save(update_fields=["confirmed_at"])
    confirmed_on = timezone.localdate(version.confirmed_at)
    printed_on = timezone.localdate()

    text = pdf_text(client_for(cast.member.user).get(pdf_url(programme)).content)

    assert "ĐẢNG BỘ KHU PHỐ 1" in text
    assert "CHI BỘ KHU PHỐ 1A" in text
    assert date_line(printed_on) in text
    assert date_line(confirmed_on) not in text
    # The confirmer signs for the cell as its secretary.
    assert "T/M CHI BỘ" in text and "BÍ THƯ" in text
    flowing = flowing_text(client_for(cast.member.user).get(pdf_url(programme)).content)
    assert f"Phiên bản số 1, được xác nhận ngày {confirmed_on:%d/%m/%Y}." in flowing
    assert nfc(f"Tình trạng tính đến ngày {printed_on:%d/%m/%Y}: phiên bản này đang có hiệu lực.") in flowing


def test_footer_says_when_the_file_was_made_and_numbers_every_page_of_a_long_programme(cast):
    programme = make_confirmed(cast.member, cast.secretary.user, weights=(4,) * 10 + (3,) * 20)

    before = timezone.localtime()
    text = pdf_text(client_for(cast.member.user).get(pdf_url(programme)).content)

    first_page = re.search(r"Trang 1/(\d+)", text)
    assert first_page is not None
    pages = int(first_page.group(1))
    assert pages > 1
    for page in range(1, pages + 1):
        assert f"Trang {page}/{pages}" in text
    generated = re.findall(r"Tạo lúc (\d\d):(\d\d) ngày (\d\d/\d\d/\d{4})", text)
    assert len(generated) == pages
    assert generated[0][2] == f"{before:%d/%m/%Y}"


def test_annual_commitment_has_its_own_title(cast):
    programme = make_confirmed(cast.member, cast.secretary.user, occasion=Occasion.ANNUAL)

    text = pdf_text(client_for(cast.member.user).get(pdf_url(programme)).content)

    assert "BẢN CAM KẾT TU DƯỠNG, RÈN LUYỆN, PHẤN ĐẤU" in text
    assert "CHƯƠNG TRÌNH HÀNH ĐỘNG" not in text


def test_fonts_are_the_bundled_times_metric_serif_embedded_with_no_system_fallback(cast, tmp_path):
    programme = make_confirmed(cast.member, cast.secretary.user)
    path = tmp_path / "programme.pdf"
    path.write_bytes(client_for(cast.member.user).get(pdf_url(programme)).content)

    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]

    assert rows
    for row in rows:
        name = row[0].split("+")[-1]
        assert name.startswith("Liberation-Serif-Portal"), name
        assert row[-5] == "yes", f"{name} is not embedded"


def test_commitments_are_grouped_by_category_in_the_categories_order(cast):
    programme = make_draft(cast.member, weights=(100,))
    version = programme.versions.get(number=1)
    services.commitment_add(
        version=version,
        content=commitment_content(
            2,
            category=CommitmentCategory.POLITICS_ETHICS,
            statement="Tham gia đủ 12 buổi sinh hoạt chi bộ trong năm",
            weight=None,
        ),
        acting_user=cast.member.user,
    )
    services.programme_confirm(
        version=submit(programme), publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user
    )

    text = pdf_text(client_for(cast.member.user).get(pdf_url(programme)).content)

    first = text.index("I. Tư tưởng chính trị, đạo đức, lối sống")
    second = text.index("II. Nhiệm vụ chuyên môn được giao")
    assert first < second


# --- Who may print what ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)

    response = Client().get(pdf_url(programme))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_outsider_gets_404(cast):
    programme = make_confirmed(cast.member, cast.secretary.user, publicity_max=PublicityLevel.CELL)

    assert client_for(cast.outsider.user).get(pdf_url(programme)).status_code == 404
    assert client_for(cast.outsider.user).get(reverse("programmes:programme_pdf", args=[999999])).status_code == 404


def test_confirmer_may_print_the_programme_in_force(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)

    response = client_for(cast.secretary.user).get(pdf_url(programme))

    assert response.status_code == 200
    assert "Trần Thị Ánh" in pdf_text(response.content)


def test_owner_prints_a_draft_never_confirmed_with_the_draft_mark(cast):
    programme = make_draft(cast.member)

    response = client_for(cast.member.user).get(pdf_url(programme))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="chuong-trinh-hanh-dong-{programme.pk}-v1.pdf"'
    text = pdf_text(response.content)
    assert DRAFT_MARK in text
    assert "Phiên bản số 1, chưa được xác nhận." in text


def test_nobody_but_the_owner_prints_a_programme_never_confirmed(cast):
    programme = make_draft(cast.member)
    assert client_for(cast.secretary.user).get(pdf_url(programme)).status_code == 404

    submit(programme)  # now the secretary is its confirmer and may read it, but not print it as a document
    assert client_for(cast.secretary.user).get(pdf_url(programme)).status_code == 404
    assert client_for(cast.member.user).get(pdf_url(programme)).status_code == 200


def test_amendment_draft_is_printed_only_when_the_owner_asks_for_it(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Bổ sung chỉ tiêu mới", acting_user=cast.member.user)
    owner = client_for(cast.member.user)

    in_force = owner.get(pdf_url(programme))
    assert DRAFT_MARK not in pdf_text(in_force.content)
    assert in_force["Content-Disposition"].endswith('-v1.pdf"')

    draft = owner.get(pdf_url(programme, 2))
    assert draft.status_code == 200
    assert draft["Content-Disposition"].endswith('-v2.pdf"')
    draft_text = pdf_text(draft.content)
    assert DRAFT_MARK in draft_text
    assert "Lý do điều chỉnh: Bổ sung chỉ tiêu mới" in draft_text

    secretary = client_for(cast.secretary.user)
    assert secretary.get(pdf_url(programme, 1)).status_code == 200
    assert secretary.get(pdf_url(programme, 2)).status_code == 404


@pytest.mark.parametrize("number", ["9", "0", "abc", "-1", "²"])
def test_unknown_or_malformed_version_is_404(cast, number):
    programme = make_confirmed(cast.member, cast.secretary.user)

    assert client_for(cast.member.user).get(pdf_url(programme, number)).status_code == 404


# --- Nothing private, nothing injected, nothing fetched -------------------------------------------------------


def test_no_private_data_in_the_document(cast):
    give_private_details(cast.member)
    programme = make_confirmed(cast.member, cast.secretary.user)

    text = pdf_text(client_for(cast.member.user).get(pdf_url(programme)).content)

    assert "Trần Thị Ánh" in text
    compact = "".join(text.split())
    for secret in ("0912345678", "079185012345", "09/03/1985", "1985", "tran.thi.anh@example.vn", "12LêLợi"):
        assert secret not in compact, secret
    assert cast.member.code not in text


def test_markup_in_a_statement_is_printed_literally(cast):
    programme = confirmed_with_statement(cast, "Không nhận quà biếu <b>x</b> trong 12 tháng")

    response = client_for(cast.member.user).get(pdf_url(programme))

    # Compared without spaces: the column may wrap the line inside the tag ("</" then "b>").
    assert "Khôngnhậnquàbiếu<b>x</b>trong12tháng" in flowing_text(response.content).replace(" ", "")


def test_image_in_a_statement_is_never_fetched(cast):
    with counting_http_server() as (origin, requests):
        statement = f'Hoàn thành 3 báo cáo <img src="{origin}/x.png"> đúng hạn'
        programme = confirmed_with_statement(cast, statement)

        response = client_for(cast.member.user).get(pdf_url(programme))

    assert response.status_code == 200
    assert requests == []
    assert "<img" in flowing_text(response.content)


def test_renderer_refuses_an_external_image_in_markup_by_raising_without_fetching_it():
    with counting_http_server() as (origin, requests):
        with pytest.raises(RefusedURL):
            html_to_pdf(f'<html lang="vi"><body><p>Ảnh</p><img src="{origin}/x.png"></body></html>')
        with pytest.raises(RefusedURL):
            html_to_pdf('<html lang="vi"><body><img src="http://example.com/x.png"></body></html>')

    assert requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/css/reports.css",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:text/css,body{}",
        f"{BASE_URL}media/evidence/2026/01/minh-chung.pdf",
        f"{BASE_URL}static/../manage.py",
        f"{BASE_URL}static/%2e%2e/manage.py",
        f"{BASE_URL}static/css/khong-co.css",
        "static:../manage.py",
        "ftp://example.com/x.ttf",
    ],
)
def test_fetcher_refuses_everything_but_the_portals_static_files(url):
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_static_files_from_disk_and_inline_fonts():
    fetcher = StaticOnlyFetcher()

    stylesheet = fetcher.fetch(f"{BASE_URL}static/css/reports.css")
    font = fetcher.fetch("static:fonts/LiberationSerif-Regular.ttf")
    inline_font = fetcher.fetch("data:font/ttf;base64,AAEAAA==")

    assert stylesheet.content_type == "text/css"
    assert b"@font-face" in stylesheet.read()
    assert font.content_type == "font/ttf"
    assert font.read().startswith(b"\x00\x01\x00\x00")
    assert inline_font.read() == b"\x00\x01\x00\x00"
    for response in (stylesheet, font, inline_font):
        response.close()


def test_fetcher_draws_the_qr_code_of_the_text_in_a_qr_address():
    text = "https://portal.example.vn/cong-khai/xac-thuc/?ma=ABCDE12345&x=ắ"
    response = StaticOnlyFetcher().fetch(qr_code_src(text))

    assert response.content_type == "image/png"
    image = Image.open(io.BytesIO(response.read()))
    response.close()
    # One pixel per module, with a one-module margin, of the code of exactly that text at level M.
    symbol = segno.make(text, error="m")
    side = int(symbol.symbol_size(scale=1, border=1)[0])
    assert image.size == (side, side)
    grey = image.convert("L")
    dark = {(x, y) for y in range(side) for x in range(side) if int(grey.getpixel((x, y)) or 0) < 128}  # type: ignore[arg-type]
    expected = {(x, y) for y, row in enumerate(symbol.matrix_iter(border=1)) for x, bit in enumerate(row) if bit}
    assert dark == expected


def test_decomposed_text_is_printed_composed(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    version = version_for_display(programme, 1)
    assert version is not None
    context = programme_document_context(programme, version)
    context["owner_name"] = unicodedata.normalize("NFD", "Trần Thị Ánh")

    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=render_pdf("reports/programme.html", context), capture_output=True
    )
    raw_text = result.stdout.decode()

    assert "Trần Thị Ánh" in raw_text
    assert unicodedata.normalize("NFD", "Trần Thị Ánh") not in raw_text


# --- The header's place, and the query count ---------------------------------------------------------------


def test_place_is_the_ward_above_else_the_organisation_itself(cast):
    assert place_of(cast.cell_a) == "Phường Bến Thành"
    assert place_of(cast.ward) == "Phường Bến Thành"
    standalone = make_organisation("Đảng bộ Công ty Điện lực", OrganisationKind.GRASSROOTS_COMMITTEE, cast.city)
    assert place_of(standalone) == "Công ty Điện lực"


def test_queries_do_not_grow_with_the_number_of_commitments(cast):
    small = make_confirmed(cast.member, cast.secretary.user, weights=(60, 40))
    large = make_confirmed(cast.secretary, cast.head.user, weights=(4,) * 10 + (3,) * 20)

    with CaptureQueriesContext(connection) as small_queries:
        assert client_for(cast.member.user).get(pdf_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as large_queries:
        assert client_for(cast.secretary.user).get(pdf_url(large)).status_code == 200

    assert len(large_queries) == len(small_queries)


def test_superseded_version_still_prints_and_says_it_was_replaced(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Điều chỉnh thời hạn", acting_user=cast.member.user)
    services.programme_confirm(
        version=submit(programme, 2), publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user
    )
    owner = client_for(cast.member.user)

    old = flowing_text(owner.get(pdf_url(programme, 1)).content)
    current = owner.get(pdf_url(programme))

    assert nfc("phiên bản này đã được thay thế bằng một bản điều chỉnh.") in old
    assert current["Content-Disposition"].endswith('-v2.pdf"')
    assert "Lý do điều chỉnh: Điều chỉnh thời hạn" in pdf_text(current.content)


@pytest.mark.parametrize(
    ("baseline", "target", "unit", "expected"),
    [
        ("80.00", "100.00", "%", "từ 80 lên 100 %"),
        ("12.50", "3", "vụ", "từ 12,5 xuống 3 vụ"),
        ("1500", "1500", "hộ", "giữ ở mức 1.500 hộ"),
        (None, "2", "báo cáo", "2 báo cáo"),
    ],
)
def test_target_is_written_in_words_with_vietnamese_figures(baseline, target, unit, expected):
    terms = CommitmentTerms(
        baseline_value=None if baseline is None else Decimal(baseline), target_value=Decimal(target), unit=unit
    )

    assert str(target_text(terms)) == expected
