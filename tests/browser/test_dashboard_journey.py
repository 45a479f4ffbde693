"""The organisation dashboards in a real browser: the ward's board staff open their figures from the menu on a phone,
go down the tree to the grassroots committee and back up by the breadcrumbs, and a visitor opens a ward's published
figures from the public home's list of areas. No page scrolls sideways, none has a serious accessibility violation,
every chart is an image with a name, and a printout keeps the charts and their tables."""

import pytest
from playwright.sync_api import Page, expect

from publicity.dashboards.refresh import refresh_all
from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in
from tests.browser.test_record_pages_journey import fits_the_phone
from tests.programmes.programme_data import make_confirmed
from tests.publicity.feedback_data import send
from tests.publicity.public_data import publish
from tests.reviews.review_data import proposed_review


@pytest.fixture
def counted(cast):
    """Ánh's review proposed by her cell, her programme published with a citizen's case about it; then the night's
    count of every organisation's figures."""
    review = proposed_review(cast)
    programme = publish(review.cadre.programmes.get())
    send(programme)
    make_confirmed(cast.secretary, cast.head.user)
    refresh_all()
    return cast


@pytest.mark.django_db(transaction=True)
def test_board_staff_go_down_the_tree_and_back_on_a_phone(live_server, counted, phone_page: Page, console_errors):
    cast = counted
    log_in(phone_page, live_server.url, "org_board")
    phone_page.locator(".navbar-toggler").click()
    navigation = phone_page.get_by_role("navigation", name="Điều hướng chính")
    navigation.get_by_role("button", name="Thêm").click()
    navigation.get_by_role("link", name="Số liệu").click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text(cast.ward.name)
    expect(phone_page.get_by_text("Số liệu cập nhật lúc")).to_be_visible()
    expect(phone_page.get_by_role("img", name="Tỷ lệ đảng viên có chương trình hành động đã xác nhận")).to_be_visible()
    expect(phone_page.locator("#chart-members-summary")).to_contain_text("2 trên 5 đảng viên (40%)")
    fits_the_phone(phone_page)

    phone_page.locator("#children").get_by_role("link", name=cast.grassroots.name).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(cast.grassroots.name)
    reviews = phone_page.get_by_role("img", name="Tiến độ kiểm điểm, đánh giá, xếp loại của đợt gần nhất")
    expect(reviews).to_be_visible()
    expect(phone_page.locator("#chart-reviews-data")).to_contain_text(cast.cell_a.name)
    fits_the_phone(phone_page)

    phone_page.get_by_role("navigation", name="Đường dẫn").get_by_role("link", name=cast.ward.name).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(cast.ward.name)
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_a_cell_secretary_reads_the_cell_and_every_chart_has_its_name_on_a_wide_screen(
    live_server, counted, page: Page, console_errors
):
    cast = counted
    log_in(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/so-lieu/")
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.cell_a.name)
    drawings = page.locator("svg[role=img]")
    expect(drawings).to_have_count(7)
    for index in range(7):
        name = drawings.nth(index).get_attribute("aria-labelledby")
        assert name and page.locator(f"[id='{name}']").text_content()
    assert blocking_violations(page) == []

    # On paper: the navigation goes, the charts and their tables stay.
    page.emulate_media(media="print")
    expect(page.locator(".portal-header")).to_be_hidden()
    expect(drawings.first).to_be_visible()
    expect(page.locator("#chart-progress-data")).to_be_visible()
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_a_visitor_opens_a_ward_s_published_figures_from_the_list_of_areas(
    live_server, counted, phone_page: Page, console_errors
):
    cast = counted
    phone_page.goto(f"{live_server.url}/cong-khai/")
    phone_page.get_by_text("Lọc", exact=True).click()  # on a phone the areas wait with the filters
    phone_page.get_by_role("link", name=f"Số liệu {cast.ward.name}").click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text(f"Số liệu công khai: {cast.ward.name}")
    expect(phone_page.get_by_role("img", name="Tiến độ thực hiện các nội dung cam kết")).to_be_visible()
    # One programme is published; the secretary's, confirmed but kept inside the party, is not counted.
    expect(phone_page.locator(".dashboard-figures")).to_contain_text("1")
    expect(phone_page.locator("#chart-public-progress-summary")).to_contain_text("2 nội dung cam kết")
    fits_the_phone(phone_page)
    assert csp_refusals(console_errors) == []
