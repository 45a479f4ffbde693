"""The public pages in a real browser, for a visitor without an account: find a cadre by an unaccented name,
open the programme, read an amended target with its history, follow it by e-mail; accessible, and usable on a
phone, the open-data page, the page of a file still being prepared and the follow pages included."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from publicity import follow
from publicity.dashboards.refresh import refresh_all
from publicity.follow.tokens import confirm_token, unsubscribe_token
from publicity.models import FollowSubscription, OpenDataFile, OpenDataKind
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


@pytest.fixture
def followers(cast, published) -> dict[str, str]:
    """Two citizens following the programme: one still to confirm, one confirmed; their links' tokens, and the ward
    the programme is published in."""
    programme, _report = published
    for email in ("cho.xac.nhan@example.vn", "da.theo.doi@example.vn"):
        follow.follow_request(
            followed=follow.Followed.programme(programme), email=email, language="vi", source_address="192.0.2.8"
        )
    pending, confirmed = FollowSubscription.objects.order_by("pk")
    follow.follow_confirm(token=confirm_token(confirmed.pk))
    return {
        "confirm": confirm_token(pending.pk),
        "unsubscribe": unsubscribe_token(confirmed.pk),
        "ward": str(cast.ward.pk),
    }


def _addresses(base: str, programme, report, followers: dict[str, str]) -> dict[str, str]:
    ward = followers["ward"]
    return {
        "home": f"{base}/cong-khai/",
        "ward": f"{base}/cong-khai/?khu_vuc={ward}",
        "programme": f"{base}/cong-khai/chuong-trinh/{programme.pk}/",
        "follow": f"{base}/cong-khai/theo-doi/?chuong_trinh={programme.pk}",
        "follow the ward": f"{base}/cong-khai/theo-doi/?khu_vuc={ward}",
        "asked": f"{base}/cong-khai/theo-doi/da-gui/",
        "confirm": f"{base}/cong-khai/theo-doi/xac-nhan/{followers['confirm']}/",
        "unsubscribe": f"{base}/cong-khai/theo-doi/huy/{followers['unsubscribe']}/",
        "changes": f"{base}/cong-khai/thay-doi-gan-day/",
        "about": f"{base}/cong-khai/gioi-thieu/",
        "area dashboard": f"{base}/cong-khai/khu-vuc/{ward}/",
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
    first = page.locator("article", has=page.get_by_role("heading", name=re.compile(r"^Nội dung I.1 ·")))
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
def test_public_pages_have_no_serious_accessibility_violations(
    live_server, published, followers, page: Page, console_errors
):
    programme, report = published
    for name, address in _addresses(live_server.url, programme, report, followers).items():
        response = page.goto(address)
        assert response is not None and response.status == 200, name
        assert blocking_violations(page) == [], name
    expect(page.get_by_text("Đây là báo cáo thật do cổng tạo ra.")).to_be_visible()
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_public_pages_fit_a_phone(live_server, published, followers, phone_page: Page):
    programme, report = published
    for name, address in _addresses(live_server.url, programme, report, followers).items():
        phone_page.goto(address)
        expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
        # Nothing wider than the phone: the page never scrolls sideways.
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, name

    # On a phone the results come first; the search and the filters wait behind "Lọc".
    phone_page.goto(f"{live_server.url}/cong-khai/")
    search = phone_page.get_by_label("Tìm theo tên, chức vụ hoặc tổ chức")
    expect(search).to_be_hidden()
    results = phone_page.get_by_role("heading", name="Tất cả chương trình được công khai")
    assert results.bounding_box()["y"] < 812  # type: ignore[index]
    phone_page.get_by_text("Lọc", exact=True).click()
    search.fill("nen")
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


def _link(kind: str) -> str:
    """The path of the last e-mail's confirmation ("xac-nhan") or unsubscribe ("huy") link."""
    found = re.search(rf"https?://[^/\s]+(/cong-khai/theo-doi/{kind}/[^/\s]+/)", str(mail.outbox[-1].body))
    assert found is not None, mail.outbox[-1].body
    return found.group(1)


def _answer(label: str) -> str:
    first, second = re.findall(r"\d+", label)[:2]
    return str(int(first) + int(second))


@pytest.mark.django_db(transaction=True)
def test_a_visitor_follows_the_programme_on_a_phone_confirms_by_the_link_and_unsubscribes(
    live_server, published, phone_page: Page, console_errors: Any
):
    programme, _report = published
    mail.outbox.clear()
    phone_page.goto(f"{live_server.url}/cong-khai/chuong-trinh/{programme.pk}/")
    section = phone_page.locator("section", has=phone_page.get_by_role("heading", name="Theo dõi chương trình"))
    section.get_by_label("Thư điện tử của bạn").fill("ban.doc@example.vn")
    question = section.get_by_label(re.compile("Câu hỏi kiểm tra"))
    question.fill(_answer(section.locator("label", has_text="Câu hỏi kiểm tra").inner_text()))
    section.get_by_role("button", name="Đăng ký nhận thư báo").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Hãy kiểm tra hộp thư")
    fits_the_phone(phone_page)

    phone_page.goto(f"{live_server.url}{_link('xac-nhan')}")
    phone_page.get_by_role("button", name="Xác nhận theo dõi").click()
    expect(phone_page.get_by_role("status")).to_contain_text("Bạn đang theo dõi")
    fits_the_phone(phone_page)
    assert FollowSubscription.objects.get().confirmed_at is not None

    phone_page.goto(f"{live_server.url}{_link('huy')}")
    phone_page.get_by_role("button", name="Hủy theo dõi").click()
    expect(phone_page.get_by_role("status")).to_contain_text("Đã hủy theo dõi")
    fits_the_phone(phone_page)
    assert not FollowSubscription.objects.exists()
    assert csp_refusals(console_errors) == []
