"""The foundation's pages, the auth pages and the error handlers, for every persona of the cast."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes import views
from programmes.models import OrganisationKind, OrganisationSuccession, OutboxMessage, PartyPost
from tests.factories import DEFAULT_PASSWORD, PositionFactory, UserFactory, client_for, make_member, make_organisation
from tests.publicity.public_data import make_public

pytestmark = pytest.mark.django_db


def page_urls(cast) -> list[str]:
    # Not the dashboard: at "/" a visitor not signed in goes to the public area (tests/programmes/test_way_in.py).
    return [
        reverse("programmes:organisation_list"),
        reverse("programmes:organisation_detail", args=[cast.cell_a.pk]),
        reverse("programmes:cadre_detail", args=[cast.member.pk]),
        reverse("password_change"),
    ]


# --- Anonymous visitors and outsiders -------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page_from_every_page(cast):
    client = Client()
    for url in page_urls(cast):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_outsider_gets_404_for_the_neighbouring_cell_and_its_members(cast):
    client = client_for(cast.outsider.user)
    assert client.get(reverse("programmes:organisation_detail", args=[cast.cell_a.pk])).status_code == 404
    assert client.get(reverse("programmes:cadre_detail", args=[cast.member.pk])).status_code == 404
    assert client.get(reverse("programmes:cadre_detail", args=[cast.secretary.pk])).status_code == 404


def test_outsider_does_not_find_the_neighbouring_cell_in_the_organisation_list(cast):
    response = client_for(cast.outsider.user).get(reverse("programmes:organisation_list"))
    assert response.status_code == 200
    assert cast.cell_b.name in response.text
    assert cast.cell_a.name not in response.text


def test_org_board_staff_get_404_outside_their_ward(cast):
    client = client_for(cast.org_board)
    assert client.get(reverse("programmes:organisation_detail", args=[cast.other_ward.pk])).status_code == 404
    assert client.get(reverse("programmes:organisation_detail", args=[cast.city.pk])).status_code == 404


def test_unknown_organisation_and_cadre_are_404_with_the_portal_page(cast):
    client = client_for(cast.head.user)
    response = client.get(reverse("programmes:organisation_detail", args=[999999]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text
    assert client.get(reverse("programmes:cadre_detail", args=[999999])).status_code == 404


# --- Dashboard ------------------------------------------------------------------------------------


def test_member_dashboard_shows_cell_membership_status_and_what_a_member_may_do(cast):
    response = client_for(cast.member.user).get(reverse("programmes:dashboard"))
    assert response.status_code == 200
    text = response.text
    assert "Trần Thị Ánh" in text
    assert cast.cell_a.name in text
    assert "Đảng viên chính thức" in text
    assert "Đang sinh hoạt" in text
    assert "Không giữ chức vụ nào." in text
    assert "Xem danh sách đảng viên" in text
    assert "Quyết định xếp loại" not in text
    assert reverse("programmes:organisation_detail", args=[cast.cell_a.pk]) in text


def test_secretary_dashboard_lists_the_post_and_the_secretary_s_rights(cast):
    text = client_for(cast.secretary.user).get(reverse("programmes:dashboard")).text
    assert "Bí thư Chi bộ Khu phố 1A" in text
    assert "Bí thư chi bộ" in text
    assert "Ghi đề xuất của chi bộ" in text
    assert "Xem thông tin cá nhân của đảng viên" in text


def test_head_dashboard_offers_confirmation_in_the_grassroots_committee(cast):
    text = client_for(cast.head.user).get(reverse("programmes:dashboard")).text
    assert "Bí thư cấp ủy (người đứng đầu)" in text
    assert "Xác nhận quyết định xếp loại" in text
    assert reverse("programmes:organisation_detail", args=[cast.grassroots.pk]) in text


def test_org_board_and_overseer_dashboards_have_no_cadre_record_but_show_their_roles(cast):
    staff = client_for(cast.org_board).get(reverse("programmes:dashboard")).text
    assert "không gắn với hồ sơ đảng viên" in staff
    assert "Cán bộ Ban Tổ chức" in staff
    assert "Nhập danh sách" in staff
    overseer = client_for(cast.overseer).get(reverse("programmes:dashboard")).text
    assert "Mặt trận Tổ quốc" in overseer
    assert "Giám sát trên địa bàn" in overseer
    assert "Xem danh sách đảng viên" not in overseer


def test_navigation_follows_the_role(cast):
    member = client_for(cast.member.user).get(reverse("programmes:dashboard")).text
    assert "Trang của tôi" in member
    assert reverse("programmes:organisation_list") in member
    assert reverse("admin:index") not in member
    staff_user = UserFactory(username="portal_admin", is_staff=True)
    staff = client_for(staff_user).get(reverse("programmes:dashboard")).text
    assert reverse("admin:index") in staff
    assert "Quản trị" in staff


@pytest.mark.parametrize(
    ("persona", "page", "queries"),
    [
        # session, user, then the grants (cadre, membership, posts, roles), the header's counts of unread
        # notifications and versions waiting for confirmation (one query), and the page's own reads; the
        # secretary's view of a member's private details adds the one insert of its read event.
        # The head's dashboard also counts the evidence waiting for their check.
        ("head", "dashboard", 25),
        ("org_board", "organisation_list", 8),
        ("secretary", "cadre_detail", 15),
    ],
)
def test_page_query_counts_are_pinned(cast, django_assert_max_num_queries, persona, page, queries):
    user = cast.org_board if persona == "org_board" else getattr(cast, persona).user
    args = [cast.member.pk] if page == "cadre_detail" else []
    client = client_for(user)
    with django_assert_max_num_queries(queries):
        assert client.get(reverse(f"programmes:{page}", args=args)).status_code == 200


# --- Organisation list and detail -----------------------------------------------------------------


def test_organisation_list_indents_by_depth_and_labels_kinds(cast):
    response = client_for(cast.org_board).get(reverse("programmes:organisation_list"))
    text = response.text
    assert response.status_code == 200
    # The ward is the top of the staff member's scope: flush left; its cells two levels in.
    ward_url = reverse("programmes:organisation_detail", args=[cast.ward.pk])
    assert f'tree-depth-0">\n              <a href="{ward_url}"' in text
    assert "tree-depth-2" in text
    assert "Chi bộ trực thuộc" in text
    assert "Đảng bộ xã, phường, đặc khu" in text
    assert cast.other_ward.name not in text


def test_organisation_list_is_paginated(cast):
    for number in range(105):
        make_organisation(f"Chi bộ thử {number:03d}", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    client = client_for(cast.org_board)
    first = client.get(reverse("programmes:organisation_list")).text
    assert "Trang 1 trên 2" in first
    assert "?page=2" in first
    second = client.get(reverse("programmes:organisation_list") + "?page=2").text
    assert "Trang 2 trên 2" in second


def test_secretary_sees_own_cell_members_with_type_status_and_posts(cast):
    response = client_for(cast.secretary.user).get(reverse("programmes:organisation_detail", args=[cast.cell_a.pk]))
    text = response.text
    assert response.status_code == 200
    assert 'id="members"' in text
    assert reverse("programmes:cadre_detail", args=[cast.member.pk]) in text
    assert "Trần Thị Ánh" in text
    assert "Lê Văn Bình" in text
    assert "Bí thư Chi bộ Khu phố 1A" in text
    assert "Đảng viên chính thức" in text
    assert "Phạm Văn Cường" not in text


def test_breadcrumbs_link_only_ancestors_the_user_may_open(cast):
    text = client_for(cast.org_board).get(reverse("programmes:organisation_detail", args=[cast.cell_a.pk])).text
    assert reverse("programmes:organisation_detail", args=[cast.grassroots.pk]) in text
    assert reverse("programmes:organisation_detail", args=[cast.ward.pk]) in text
    assert cast.city.name in text
    assert reverse("programmes:organisation_detail", args=[cast.city.pk]) not in text


def test_committee_detail_lists_children_with_member_counts(cast):
    text = client_for(cast.head.user).get(reverse("programmes:organisation_detail", args=[cast.grassroots.pk])).text
    assert "Tổ chức trực thuộc" in text
    assert '<td class="text-end">2</td>' in text  # cell A: member and secretary
    assert '<td class="text-end">3</td>' in text  # cell B: outsider, committee staff, head
    assert "Phạm Văn Cường" in text
    assert "Trần Thị Ánh" in text


def test_overseer_sees_the_structure_but_no_member_list(cast):
    client = client_for(cast.overseer)
    response = client.get(reverse("programmes:organisation_detail", args=[cast.cell_a.pk]))
    assert response.status_code == 200
    assert 'id="members"' not in response.text
    assert "Trần Thị Ánh" not in response.text
    assert "Đồng chí không có quyền xem danh sách đảng viên" in response.text
    assert client.get(reverse("programmes:cadre_detail", args=[cast.member.pk])).status_code == 404


def test_member_sees_own_cell_roster_but_not_the_grassroots_roster(cast):
    client = client_for(cast.member.user)
    assert 'id="members"' in client.get(reverse("programmes:organisation_detail", args=[cast.cell_a.pk])).text
    assert client.get(reverse("programmes:organisation_detail", args=[cast.grassroots.pk])).status_code == 404


def test_predecessors_and_successors_are_shown(cast):
    old_cell = make_organisation("Chi bộ Khu phố 1 cũ", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    OrganisationSuccession.objects.create(predecessor=old_cell, successor=cast.cell_a)
    client = client_for(cast.head.user)
    current = client.get(reverse("programmes:organisation_detail", args=[cast.cell_a.pk])).text
    assert "Hình thành từ" in current
    assert "Chi bộ Khu phố 1 cũ" in current
    assert reverse("programmes:organisation_detail", args=[old_cell.pk]) in current
    assert "Đã sáp nhập vào" not in current
    previous = client.get(reverse("programmes:organisation_detail", args=[old_cell.pk])).text
    assert "Đã sáp nhập vào" in previous
    assert "Hình thành từ" not in previous
    assert reverse("programmes:organisation_detail", args=[cast.cell_a.pk]) in previous


def test_member_list_is_paginated(cast):
    for number in range(55):
        make_member(cast.cell_a, full_name=f"Đảng viên {number:03d}")
    client = client_for(cast.secretary.user)
    url = reverse("programmes:organisation_detail", args=[cast.cell_a.pk])
    first = client.get(url).text
    assert "57 đảng viên đang sinh hoạt." in first
    assert "Trang 1 trên 2" in first
    assert "Trang 2 trên 2" in client.get(url + "?page=2").text


def _detail_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_organisation_detail_costs_the_same_queries_for_3_and_40_members(cast, django_assert_max_num_queries):
    small = make_organisation("Chi bộ nhỏ", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    large = make_organisation("Chi bộ lớn", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    for cell, size in ((small, 3), (large, 40)):
        for number in range(size):
            cadre = make_member(cell, full_name=f"{cell.name} {number}")
            PositionFactory(cadre=cadre, organisation=cell, party_post=PartyPost.COMMITTEE_MEMBER)
    client = client_for(cast.org_board)
    small_url = reverse("programmes:organisation_detail", args=[small.pk])
    large_url = reverse("programmes:organisation_detail", args=[large.pk])
    client.get(small_url)  # warm the session
    assert _detail_queries(client, small_url) == _detail_queries(client, large_url)
    with django_assert_max_num_queries(13):
        client.get(large_url)


# --- Cadre detail ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["member", "secretary", "org_board"])
def test_private_details_are_shown_to_the_cadre_the_secretary_and_org_board(cast, viewer):
    user = cast.org_board if viewer == "org_board" else getattr(cast, viewer).user
    response = client_for(user).get(reverse("programmes:cadre_detail", args=[cast.member.pk]))
    assert response.status_code == 200
    assert 'id="private-heading"' in response.text
    assert cast.member.private.citizen_id in response.text
    assert cast.member.private.phone in response.text


@pytest.mark.parametrize("viewer", ["committee_staff", "head"])
def test_private_details_are_hidden_from_committee_members(cast, viewer):
    response = client_for(getattr(cast, viewer).user).get(reverse("programmes:cadre_detail", args=[cast.member.pk]))
    assert response.status_code == 200
    assert "Trần Thị Ánh" in response.text
    assert 'id="private-heading"' not in response.text
    assert cast.member.private.citizen_id not in response.text
    assert cast.member.private.phone not in response.text


def test_member_sees_a_cellmate_without_private_details(cast):
    response = client_for(cast.member.user).get(reverse("programmes:cadre_detail", args=[cast.secretary.pk]))
    assert response.status_code == 200
    assert "Bí thư Chi bộ Khu phố 1A" in response.text
    assert cast.secretary.private.citizen_id not in response.text


# --- Authentication pages -------------------------------------------------------------------------


def test_login_page_is_in_vietnamese_with_labelled_fields(cast):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert 'for="id_username"' in response.text
    assert 'for="id_password"' in response.text


def test_wrong_password_gives_a_vietnamese_error(cast):
    response = Client().post(reverse("login"), {"username": "member", "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "Tên đăng nhập và mật khẩu chính xác" in response.text


def test_login_lands_on_the_dashboard(cast):
    client = Client()
    response = client.post(reverse("login"), {"username": "member", "password": DEFAULT_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("programmes:dashboard")
    assert "Trần Thị Ánh" in response.text


def test_after_five_failures_even_the_right_password_is_refused_with_the_lockout_page(cast, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "member", "password": "sai-mat-khau"})
    response = client.post(reverse("login"), {"username": "member", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "Tài khoản tạm khóa" in response.text
    assert "30 phút" in response.text
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    other = client.post(reverse("login"), {"username": "secretary", "password": DEFAULT_PASSWORD})
    assert other.status_code == 302


def test_logout_is_a_post_and_shows_the_logged_out_page(cast):
    client = client_for(cast.member.user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "Đồng chí đã đăng xuất" in response.text
    assert client.get(reverse("programmes:dashboard")).status_code == 302


def test_password_change_form_and_done_page(cast):
    client = client_for(cast.member.user)
    form = client.get(reverse("password_change"))
    assert form.status_code == 200
    assert 'for="id_old_password"' in form.text
    new_password = "mat-khau-moi-Ben-Thanh-2026"
    response = client.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "Đã đổi mật khẩu" in response.text
    cast.member.user.refresh_from_db()
    assert cast.member.user.check_password(new_password)


# --- Language, static files, security headers -----------------------------------------------------


def test_english_prefix_switches_the_page_language(cast):
    response = client_for(cast.member.user).get("/en" + reverse("programmes:dashboard"))
    assert response.status_code == 200
    assert '<html lang="en">' in response.text


def test_language_switch_posts_to_set_language_and_redirects_to_the_english_page(cast):
    client = client_for(cast.member.user)
    page = client.get(reverse("programmes:dashboard")).text
    assert 'action="/i18n/setlang/"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("programmes:dashboard")})
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_switching_back_to_vietnamese_keeps_the_page(cast):
    client = client_for(cast.member.user)
    page = client.get("/en" + reverse("programmes:organisation_list")).text
    assert '<input type="hidden" name="next" value="/to-chuc/">' in page
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/to-chuc/"})
    assert response["Location"] == "/to-chuc/"
    assert '<html lang="vi">' in client.get(response["Location"]).text


def test_layout_loads_only_local_assets_and_configures_htmx_for_the_csp(cast):
    response = client_for(cast.member.user).get(reverse("programmes:dashboard"))
    text = response.text
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in text
    assert "/static/vendor/htmx/htmx.min.js" in text
    assert '"includeIndicatorStyles": false' in text
    assert 'hx-headers=\'{"X-CSRFToken": "' in text
    assert "https://" not in text
    assert " style=" not in text
    assert "<script>" not in text
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_health_endpoint_answers_json_with_database_and_broker(db):
    response = Client().get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "outbox": {"unsent": 0, "oldest_seconds": None},
    }


def test_health_reports_the_tasks_waiting_for_the_broker_and_the_oldest_ones_age(db):
    OutboxMessage.objects.create(task="programmes.tasks.run_import_job", args=[1])
    OutboxMessage.objects.create(
        task="programmes.tasks.send_notification_email", args=[2], created_at=timezone.now() - timedelta(minutes=10)
    )
    OutboxMessage.objects.create(task="programmes.tasks.run_import_job", args=[3], sent_at=timezone.now())

    answer = Client().get(reverse("health")).json()

    assert answer["outbox"]["unsent"] == 2
    assert 600 <= answer["outbox"]["oldest_seconds"] < 660


# --- Error handlers -------------------------------------------------------------------------------


def _bare_request(path: str = "/khong-co/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize(
    ("handler", "status", "title"),
    [
        (views.error_400, 400, "Yêu cầu không hợp lệ"),
        (views.error_403, 403, "Không có quyền truy cập"),
        (views.error_404, 404, "Không tìm thấy trang"),
    ],
)
def test_error_handlers_render_the_vietnamese_pages(db, handler, status, title):
    response = handler(_bare_request(), Exception("lỗi thử"))
    assert response.status_code == status
    assert title in response.content.decode()


def test_400_renders_even_before_authentication_ran(db):
    request = RequestFactory().get("/")
    response = views.error_400(request, Exception("host không hợp lệ"))
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_500_is_self_contained_and_queries_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.error_500(RequestFactory().get("/"))
    text = response.content.decode()
    assert response.status_code == 500
    assert "Lỗi máy chủ" in text
    assert '<html lang="vi">' in text


def test_handlers_are_wired_in_the_url_configuration():
    from config import urls

    assert urls.handler400 == "programmes.views.error_400"
    assert urls.handler403 == "programmes.views.error_403"
    assert urls.handler404 == "programmes.views.error_404"
    assert urls.handler500 == "programmes.views.error_500"


def test_the_header_names_the_account_family_name_first():
    user = UserFactory(username="bao", first_name="Bảo", last_name="Phan Đức")
    response = client_for(user).get(reverse("programmes:dashboard"))
    assert "Phan Đức Bảo" in response.text
    assert "Bảo Phan Đức" not in response.text


def test_the_fronts_published_programmes_page_is_titled_for_what_it_reads(cast):
    """The Front's "Chương trình được công khai" opens the programmes it may read, not a cadre's own page."""
    programme = make_public(cast.member, cast.secretary.user)

    page = client_for(cast.overseer).get(reverse("programmes:programme_list")).text

    assert "<title>Chương trình được công khai" in page
    assert '<h1 class="h3 mb-2">Chương trình được công khai</h1>' in page
    assert "Chương trình hành động của tôi" not in page
    assert "không gắn với hồ sơ đảng viên" not in page
    assert "Đăng ký chương trình mới" not in page
    assert programme.title in page
    own = client_for(cast.member.user).get(reverse("programmes:programme_list")).text
    assert "Chương trình hành động của tôi" in own and "Đăng ký chương trình mới" in own
