"""The guides per role: each renders in Vietnamese with its screenshot, and each dashboard leads to its own."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from programmes.help import GUIDES
from tests.factories import client_for

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"


def guide_url(slug: str) -> str:
    return reverse("programmes:help_guide", args=[slug])


@pytest.mark.parametrize("guide", GUIDES, ids=lambda guide: guide.slug)
def test_every_guide_reads_without_an_account_and_shows_its_screenshot(guide):
    page = Client().get(guide_url(guide.slug))
    assert page.status_code == 200
    text = page.text
    assert f'<h1 class="h3 mb-3">{guide.title}</h1>' in text
    assert text.count("<li>") >= 4  # the steps
    if not guide.screenshot:
        # A guide without a picture has no empty figure either.
        assert "<figure" not in text and "<img" not in text.split('<article class="help-guide">')[1]
        return
    assert f'src="/static/{guide.screenshot}" alt="{guide.screenshot_alt}"' in text
    # Taken by tests/browser/test_help_screenshots.py and committed.
    assert (STATIC / guide.screenshot).is_file()


def test_the_guides_cover_every_role_of_the_portal():
    assert [guide.slug for guide in GUIDES] == [
        "dang-vien",
        "bi-thu-chi-bo",
        "nhan-xet-noi-cu-tru",
        "cap-uy-vien",
        "nguoi-dung-dau",
        "ban-to-chuc",
        "mat-tran-hdnd",
        "nguoi-dan",
    ]


def test_an_unknown_guide_is_not_found():
    assert Client().get(guide_url("khong-co")).status_code == 404


def dashboard_guides(user) -> set[str]:
    page = client_for(user).get(reverse("programmes:dashboard")).text
    section = page.split('id="help-heading"')[1].split("</section>")[0]
    return {guide.slug for guide in GUIDES if guide_url(guide.slug) in section}


def test_each_dashboard_leads_to_the_guides_of_the_roles_held(cast):
    assert dashboard_guides(cast.member.user) == {"dang-vien"}
    # A cell's secretary answers for the residence comments of the members living in the cell's area.
    assert dashboard_guides(cast.secretary.user) == {"dang-vien", "bi-thu-chi-bo", "nhan-xet-noi-cu-tru"}
    assert dashboard_guides(cast.org_board) == {"ban-to-chuc"}
    assert dashboard_guides(cast.overseer) == {"mat-tran-hdnd"}


def test_citizens_find_their_guide_from_the_public_area_and_everyone_from_the_footer():
    home = Client().get(reverse("publicity:public_home")).text
    assert guide_url("nguoi-dan") in home
    login = Client().get(reverse("login")).text
    assert reverse("programmes:help_index") in login
