"""The public pages in a real browser, for a visitor without an account: find a cadre by an unaccented name,
open the programme, read an amended target with its history; accessible, and usable on a phone, the open-data
page and the page of a file still being prepared included."""

import re
from collections.abc import Iterator

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from programmes.models import OrganisationKind, PartyOrganisation
from publicity.dashboards.refresh import refresh_all
from publicity.models import OpenDataFile, OpenDataKind
from reviews.models import ReportKind
from reviews.reports.produce import display_code, report_produce
from tests.browser.test_login_journey import blocking_violations, csp_refusals
from tests.browser.test_record_pages_journey import fits_the_phone
from tests.factories import make_member
from tests.publicity.public_data import AMENDMENT_REASON, amend_target, make_public

PHONE_WIDTH = 375


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    with translation.override("vi"):
        yield


@pytest.fixture
def published(cast, settings, tmp_path):
    """Nguyễn Văn Nên's programme, published, with its first target raised by a confirmed amendment; and a
    printed report of it to verify."""
    settings.MEDIA_ROOT = tmp_path
    nen = make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên")
    programme = make_public(nen, cast.secretary.user, title="Chương trình hành động nhiệm kỳ 2026 của đồng chí Nên")
    amend_target(programme, cast.secretary.user, "90")
    make_public(cast.member, cast.secretary.user, title="Chương trình hành động của đồng chí Ánh")
    report, _made = report_produce(ReportKind.PROGRAMME, programme.pk)
    refresh_all()  # the night's count of the dashboards' figures
    return programme, report


def _addresses(base: str, programme, report) -> dict[str, str]:
    ward = PartyOrganisation.objects.get_ancestors(programme.organisation).get(kind=OrganisationKind.COMMUNE_COMMITTEE)
    return {
        "home": f"{base}/cong-khai/",
        "programme": f"{base}/cong-khai/chuong-trinh/{programme.pk}/",
        "changes": f"{base}/cong-khai/thay-doi-gan-day/",
        "about": f"{base}/cong-khai/gioi-thieu/",
        "area dashboard": f"{base}/cong-khai/khu-vuc/{ward.pk}/",
        # The publications' runs made the files (tasks run at once in tests): each listed with its link.
        "open data": f"{base}/cong-khai/du-lieu-mo/",
        # Last: the accessibility test reads its answer.
        "verify": f"{base}/cong-khai/xac-thuc/?ma={display_code(report.verification_code)}",
    }


@pytest.mark.django_db(transaction=True)
def test_visitor_finds_a_cadre_unaccented_and_reads_the_amended_target_with_its_history(
    live_server, published, page: Page, console_errors
):
    programme, _report = published
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Công khai").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chương trình hành động được công khai")

    page.get_by_label("Tìm theo tên, chức vụ hoặc tổ chức").fill("nguyen van nen")
    page.get_by_role("button", name="Tìm").click()
    results = page.locator("#main-content")
    # The search counts nothing at city scale: the results are the one programme's card, and no other.
    expect(results.get_by_role("heading", name="Kết quả tìm kiếm")).to_be_visible()
    expect(results.locator("article.card")).to_have_count(1)
    expect(results.get_by_role("link", name="Trần Thị Ánh")).to_have_count(0)

    results.get_by_role("link", name="Nguyễn Văn Nên").click()
    expect(page).to_have_url(re.compile(rf"/cong-khai/chuong-trinh/{programme.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.title)
    first = page.locator("article", has=page.get_by_role("heading", name=re.compile(r"^Nội dung 1 ·")))
    expect(first.get_by_text("Chỉ tiêu đã thay đổi 1 lần")).to_be_visible()
    expect(first.get_by_text("80 → 90 %")).to_be_visible()

    first.get_by_role("link", name=re.compile("Xem chỉ tiêu ban đầu")).click()
    history = page.locator("section", has=page.get_by_role("heading", name="Lịch sử điều chỉnh"))
    expect(history.get_by_text(AMENDMENT_REASON)).to_be_visible()
    registered = history.locator("tr", has=page.get_by_role("rowheader", name=re.compile("Giá trị cam kết")))
    expect(registered.locator("del")).to_contain_text("100")
    expect(registered.locator("ins")).to_contain_text("90")
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_public_pages_have_no_serious_accessibility_violations(live_server, published, page: Page, console_errors):
    programme, report = published
    for name, address in _addresses(live_server.url, programme, report).items():
        response = page.goto(address)
        assert response is not None and response.status == 200, name
        assert blocking_violations(page) == [], name
    expect(page.get_by_text("Đây là báo cáo thật do cổng tạo ra.")).to_be_visible()
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_public_pages_fit_a_phone(live_server, published, phone_page: Page):
    programme, report = published
    for name, address in _addresses(live_server.url, programme, report).items():
        phone_page.goto(address)
        expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
        # Nothing wider than the phone: the page never scrolls sideways.
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, name

    phone_page.goto(f"{live_server.url}/cong-khai/")
    phone_page.get_by_label("Tìm theo tên, chức vụ hoặc tổ chức").fill("nen")
    phone_page.get_by_role("button", name="Tìm").click()
    phone_page.get_by_role("link", name="Nguyễn Văn Nên").click()
    expect(phone_page.get_by_text("Chỉ tiêu đã thay đổi 1 lần").first).to_be_visible()


@pytest.fixture
def files_being_prepared(cast):
    """A new portal whose open-data files were asked for a moment ago and are not made yet (the worker is busy):
    nothing here makes them, whatever the pages do."""
    asked = timezone.now()
    OpenDataFile.objects.bulk_create([OpenDataFile(kind=kind, asked_at=asked) for kind in OpenDataKind])


@pytest.mark.django_db(transaction=True)
def test_open_data_files_being_prepared_are_listed_so_and_their_download_says_to_come_back_on_a_phone(
    live_server, files_being_prepared, phone_page: Page, console_errors
):
    phone_page.goto(f"{live_server.url}/cong-khai/du-lieu-mo/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Dữ liệu mở")
    files = phone_page.locator("section", has=phone_page.get_by_role("heading", name="Các tệp"))
    expect(files.get_by_text("đang chuẩn bị", exact=True)).to_have_count(len(OpenDataKind))
    expect(files.get_by_role("link", name="Chương trình hành động (CSV)")).to_have_count(0)
    expect(files.get_by_role("status")).to_contain_text("vui lòng quay lại sau ít phút")
    fits_the_phone(phone_page)

    response = phone_page.goto(f"{live_server.url}/cong-khai/du-lieu-mo/chuong-trinh.csv")
    assert response is not None and response.status == 503 and response.headers["retry-after"] == "120"
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Tệp dữ liệu đang được chuẩn bị")
    expect(phone_page.get_by_text("Vui lòng thử lại sau ít phút.")).to_be_visible()
    fits_the_phone(phone_page)

    phone_page.get_by_role("link", name="Về trang Dữ liệu mở").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Dữ liệu mở")
    assert not OpenDataFile.objects.exclude(storage_name="").exists()
    assert csp_refusals(console_errors) == []
