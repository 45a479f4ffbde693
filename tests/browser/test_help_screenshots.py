"""The screenshots of the guides per role (templates/help/), taken here, in a real browser, from the page where each
role does most of its work. Every run takes them (into a temporary folder); with UPDATE_HELP_SCREENSHOTS=1 they are
written to static/help/, where the guides show them: run it so when those pages change, and commit the images.

Each picture is one screen of 1366 × 768 px, the most common office screen; the test checks that each page shows
what its guide says before taking it, and that the file is a PNG small enough to serve."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from programmes.help import GUIDES_BY_SLUG
from reviews.models import Review
from tests.browser.test_login_journey import log_in
from tests.programmes.programme_data import make_confirmed, make_draft, submit
from tests.publicity.feedback_data import send
from tests.publicity.public_data import publish
from tests.reviews.review_data import open_period, write_and_submit

SCREEN = {"width": 1366, "height": 768}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LARGEST_BYTES = 400_000


@pytest.fixture
def at_work(cast):
    """A ward in the middle of its year: Ánh's programme confirmed and published, a citizen's feedback about it, Bình's
    programme waiting for the head, and the review period open with Ánh's self-review submitted."""
    programme = publish(make_confirmed(cast.member, cast.secretary.user))
    send(programme)
    submit(make_draft(cast.secretary))
    period = open_period(cast.ward, cast.org_board)
    write_and_submit(Review.objects.get(period=period, cadre=cast.member))
    return period


def take(page: Page, slug: str, folder: Path) -> None:
    path = folder / GUIDES_BY_SLUG[slug].screenshot
    path.parent.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), scale="css", animations="disabled", caret="hide")
    written = path.read_bytes()
    assert written.startswith(PNG_SIGNATURE)
    assert len(written) <= LARGEST_BYTES, f"{path.name}: {len(written)} bytes"


@pytest.mark.django_db(transaction=True)
def test_screenshots_of_each_roles_main_page(live_server, cast, at_work, browser, tmp_path):
    period = at_work
    # The committed images change only when asked: a test run leaves the working tree as it found it.
    folder = Path(settings.BASE_DIR) / "static" if os.environ.get("UPDATE_HELP_SCREENSHOTS") else tmp_path
    steps = (
        ("dang-vien", "member", "/", "Trang của tôi"),
        ("bi-thu-chi-bo", "secretary", f"/kiem-diem/dot/{period.pk}/chi-bo/{cast.cell_a.pk}/", None),
        ("cap-uy-vien", "committee_staff", "/kiem-diem/", None),
        ("nguoi-dung-dau", "head", "/xac-nhan/", None),
        ("ban-to-chuc", "org_board", f"/kiem-diem/dot/{period.pk}/", period.title),
        ("mat-tran-hdnd", "overseer", "/giam-sat/", None),
        ("nguoi-dan", None, "/cong-khai/", "Chương trình hành động được công khai"),
    )
    for slug, username, address, heading in steps:
        context = browser.new_context(locale="vi-VN", viewport=SCREEN)
        page = context.new_page()
        if username is not None:
            log_in(page, live_server.url, username)
            expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
        response = page.goto(f"{live_server.url}{address}")
        assert response is not None and response.status == 200, (slug, address)
        if heading is not None:
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        take(page, slug, folder)
        context.close()

    # The guides show what was taken, with its words for those who cannot see it.
    guide = GUIDES_BY_SLUG["bi-thu-chi-bo"]
    page = browser.new_page(viewport=SCREEN)
    page.goto(f"{live_server.url}/huong-dan/{guide.slug}/")
    picture = page.get_by_role("img", name=str(guide.screenshot_alt))
    expect(picture).to_be_visible()
    assert page.evaluate("(image) => image.complete && image.naturalWidth", picture.element_handle()) == SCREEN["width"]
    page.close()
