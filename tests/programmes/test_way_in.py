"""The way into the portal: the front door sends citizens to the public area and cadres to their page, the
login page offers the public area, a missing page is the portal's own Vietnamese page with debug pages off (as
`make run` serves it), and the browser's /favicon.ico answers."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse

from programmes import views
from tests.factories import client_for

pytestmark = pytest.mark.django_db

PORTAL_NAME = "Cổng chương trình hành động cán bộ, đảng viên"


def test_an_anonymous_visitor_at_the_front_door_lands_on_the_public_area(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("publicity:public_home")
    landed = Client().get("/", follow=True)
    assert landed.status_code == 200
    assert landed.redirect_chain == [(reverse("publicity:public_home"), 302)]


def test_the_english_front_door_leads_to_the_english_public_area(db):
    response = Client().get("/en/")
    assert response["Location"] == "/en/cong-khai/"


def test_a_signed_in_cadre_at_the_front_door_gets_their_own_page(cast):
    response = client_for(cast.member.user).get("/")
    assert response.status_code == 200
    assert response.resolver_match.view_name == "programmes:dashboard"
    assert "Trần Thị Ánh" in response.text


def test_the_site_name_leads_anonymous_visitors_to_the_public_area_and_cadres_to_their_page(cast):
    public_home = reverse("publicity:public_home")
    anonymous = Client().get(reverse("login")).text
    assert f'<a class="navbar-brand" href="{public_home}"' in anonymous
    signed_in = client_for(cast.member.user).get(public_home).text
    assert f'<a class="navbar-brand" href="{reverse("programmes:dashboard")}"' in signed_in


def test_the_login_page_links_to_the_published_programmes(db):
    page = Client().get(reverse("login")).text
    assert f'<a href="{reverse("publicity:public_home")}">Xem các chương trình hành động được công khai</a>' in page


def test_the_logged_out_page_links_to_the_published_programmes(cast):
    page = client_for(cast.member.user).post(reverse("logout")).text
    assert reverse("publicity:public_home") in page


# --- Error pages with debug pages off ---------------------------------------------------------------


def test_make_run_settings_have_debug_pages_off_unless_asked():
    """The settings `make run` serves with (scripts/run.sh): DEBUG is off unless DJANGO_DEBUG turns it on."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE"}}
    command = [sys.executable, "-c", "from config.settings import local; print(local.DEBUG, local.ALLOWED_HOSTS)"]
    shown = subprocess.run(command, env=environment, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR)
    assert shown.stdout.split(" ", 1)[0] == "False"
    assert "'127.0.0.1'" in shown.stdout and "'localhost'" in shown.stdout
    asked = subprocess.run(
        command, env={**environment, "DJANGO_DEBUG": "true"}, capture_output=True, text=True, check=True
    )
    assert asked.stdout.startswith("True")


def test_a_missing_page_is_the_portal_s_vietnamese_404_not_the_debug_page(db, settings):
    settings.DEBUG = False
    response = Client().get("/trang-khong-co-that/")
    assert response.status_code == 404
    text = response.text
    assert f"<title>Không tìm thấy trang · {PORTAL_NAME}</title>" in text
    assert '<html lang="vi">' in text
    assert "URLconf" not in text and "Using the URLconf" not in text and "urlpatterns" not in text
    # A way back for everyone, and no link to a page of one's own without an account.
    assert f'href="{reverse("publicity:public_home")}"' in text
    assert "Về trang của tôi" not in text


def test_a_missing_page_offers_a_signed_in_cadre_their_own_page(cast, settings):
    settings.DEBUG = False
    response = client_for(cast.member.user).get("/to-chuc/999999/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text
    assert f'<a class="btn btn-portal" href="{reverse("programmes:dashboard")}">Về trang của tôi</a>' in response.text
    assert f'href="{reverse("publicity:public_home")}"' in response.text


def test_the_server_error_page_offers_the_public_area_without_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.error_500(_plain_request())
    assert response.status_code == 500
    assert f'href="{reverse("publicity:public_home")}"' in response.content.decode()


def _plain_request() -> HttpRequest:
    return RequestFactory().get("/")


# --- The icon browsers ask for ----------------------------------------------------------------------


def test_favicon_ico_answers_with_an_icon(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = response.getvalue()
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO header


def test_every_layout_links_the_icons(db):
    page = Client().get(reverse("login")).text
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert 'type="image/svg+xml"' in page
    error = views.error_500(_plain_request()).content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in error


def test_a_stale_form_gets_the_portal_s_vietnamese_403(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "member", "password": "sai"})
    assert response.status_code == 403
    assert "Biểu mẫu vừa gửi đã hết hiệu lực" in response.text
    assert "CSRF verification failed" not in response.text
    assert f'href="{reverse("publicity:public_home")}"' in response.text
