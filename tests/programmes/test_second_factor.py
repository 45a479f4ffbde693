"""The second factor: turning it on, the sign-in's second step, recovery codes, turning it off, and who must have it."""

import base64
import re
from binascii import unhexlify

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from programmes import access
from programmes.accounts import second_factor
from programmes.action_programmes import notifications
from programmes.models import AuditEvent, PartyPost
from tests.factories import DEFAULT_PASSWORD, PositionFactory, UserFactory, make_member

SETUP = reverse("accounts:totp_setup")
VERIFY = reverse("accounts:verify")
DASHBOARD = reverse("programmes:dashboard")
# A recovery code as the page shows it.
SHOWN_CODE = re.compile(r'<code class="fs-6">([a-z2-7]{4}-[a-z2-7]{4})</code>')


@pytest.fixture
def required(settings):
    settings.PORTAL_REQUIRE_SECOND_FACTOR = True
    return settings


def code(key: str, steps_ahead: int = 0) -> str:
    """What the person's authenticator app shows for `key`, computed independently of the portal's own helpers."""
    totp = TOTP(unhexlify(key), drift=steps_ahead)
    return f"{totp.token():06d}"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def enrol(user: User) -> tuple[str, list[str]]:
    """Turn the second factor on through the service, as the setup page does: (key, recovery codes)."""
    key = second_factor.new_key()
    _device, codes = second_factor.totp_enable(user=user, key=key, token=code(key), acting_user=user)
    return key, codes


def setup_key(client: Client) -> str:
    """The key as the setup page shows it for manual entry, back in django-otp's hex form."""
    response = client.get(SETUP)
    text = re.search(r'id="totp-key">([A-Z2-7 ]+)<', response.text)
    assert text is not None
    return base64.b32decode(text.group(1).replace(" ", "")).hex()


def password_sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


# --- Who must have it ---------------------------------------------------------------------------------------------


def test_whoever_reads_private_details_or_decides_must_have_it_members_and_overseers_need_not(cast):
    staff = UserFactory(username="nhan-vien", is_staff=True)
    superuser = UserFactory(username="quan-tri", is_superuser=True)
    standing = make_member(cast.cell_b, "standing", full_name="Đỗ Văn Giang")
    PositionFactory(cadre=standing, organisation=cast.grassroots, party_post=PartyPost.STANDING_MEMBER)
    must = [cast.org_board, cast.secretary.user, cast.committee_staff.user, cast.head.user, standing.user, staff]
    must.append(superuser)
    need_not = [cast.member.user, cast.outsider.user, cast.overseer]
    assert [access.requires_second_factor(user) for user in must] == [True] * len(must)
    assert [access.requires_second_factor(user) for user in need_not] == [False] * len(need_not)
    assert access.requires_second_factor(cast.anonymous) is False


def test_board_staff_without_a_device_is_sent_to_set_it_up_from_every_page(cast, required):
    client = signed_in(cast.org_board)
    for url in (DASHBOARD, reverse("programmes:organisation_list"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{SETUP}?next={url.replace('/', '%2F')}"
    response = client.get(SETUP)
    assert response.status_code == 200
    assert "cần bật xác thực hai bước trước khi tiếp tục" in response.text
    # Only signing out, the language switch and the health check pass meanwhile.
    assert client.get(reverse("health")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "vi", "next": "/"}).status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 302
    assert client.post(reverse("logout")).status_code == 200


def test_an_htmx_request_is_sent_to_the_setup_page_by_htmx(cast, required):
    response = signed_in(cast.head.user).get(DASHBOARD, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(SETUP)


def test_a_member_is_not_made_to_set_it_up_but_is_offered_it_in_the_user_menu(cast, required):
    client = signed_in(cast.member.user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert reverse("accounts:security") in response.text
    assert "Bảo mật tài khoản" in response.text
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    assert "Chưa bật" in page.text
    assert "bắt buộc" not in page.text


def test_with_the_requirement_off_board_staff_may_go_on_without_a_device(cast, settings):
    settings.PORTAL_REQUIRE_SECOND_FACTOR = False
    assert signed_in(cast.org_board).get(DASHBOARD).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(cast):
    for name in ("security", "totp_setup", "recovery_codes", "totp_disable", "verify"):
        response = Client().get(reverse(f"accounts:{name}"))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


# --- Turning it on ------------------------------------------------------------------------------------------------


def test_the_setup_page_draws_the_qr_code_inline_and_shows_the_key_for_typing(cast, required):
    client = signed_in(cast.org_board)
    response = client.get(SETUP)
    assert 'src="data:image/svg+xml' in response.text
    assert "http://" not in response.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert re.search(r'<label\s+for="id_token"[^>]*>\s*Mã xác thực', response.text)
    # The same key until it is confirmed, so a wrong code does not mean scanning again.
    assert setup_key(client) == setup_key(client)
    assert not TOTPDevice.objects.exists()


def test_turning_it_on_with_a_right_code_shows_the_recovery_codes_once(cast, required):
    client = signed_in(cast.org_board)
    key = setup_key(client)
    response = client.post(SETUP, {"token": code(key), "next": "/to-chuc/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:recovery_codes"))

    page = client.get(response["Location"])
    shown = SHOWN_CODE.findall(page.text)
    assert len(shown) == second_factor.RECOVERY_CODE_COUNT
    assert sorted(c.replace("-", "") for c in shown) == sorted(
        StaticToken.objects.filter(device__user=cast.org_board).values_list("token", flat=True)
    )
    assert 'href="/to-chuc/"' in page.text
    # Shown once: the next visit only counts them.
    again = client.get(reverse("accounts:recovery_codes"))
    assert SHOWN_CODE.findall(again.text) == []
    assert "Còn 10 mã dự phòng" in again.text

    device = TOTPDevice.objects.get(user=cast.org_board)
    assert device.confirmed and device.key == key
    # The session that turned it on counts as verified: the portal opens.
    assert client.get(DASHBOARD).status_code == 200
    event = AuditEvent.objects.get(action="account.second_factor_on")
    assert event.actor == cast.org_board
    assert event.after == {"recovery_codes": 10}
    assert key not in str(event.after) and shown[0] not in str(event.after)


def test_a_wrong_code_leaves_it_off_with_a_vietnamese_message(cast, required):
    client = signed_in(cast.org_board)
    key = setup_key(client)
    wrong = f"{(int(code(key)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    assert "Mã không đúng" in response.text
    assert not TOTPDevice.objects.exists()
    assert not AuditEvent.objects.filter(action="account.second_factor_on").exists()


def test_nobody_turns_it_on_for_another_account(cast):
    key = second_factor.new_key()
    with pytest.raises(PermissionDenied):
        second_factor.totp_enable(user=cast.member.user, key=key, token=code(key), acting_user=cast.org_board)
    assert not TOTPDevice.objects.exists()


# --- Signing in ---------------------------------------------------------------------------------------------------


def admin_staff(user: User) -> User:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_signing_in_with_a_device_asks_for_the_code_before_anything_else(cast, required):
    key, _codes = enrol(admin_staff(cast.org_board))
    client = password_sign_in("org_board")
    for url in (DASHBOARD, reverse("admin:index"), reverse("accounts:security"), SETUP):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url
    page = client.get(f"{VERIFY}?next=/quan-tri/")
    assert "Xác thực hai bước" in page.text

    response = client.post(VERIFY, {"token": code(key, steps_ahead=1), "next": "/quan-tri/"})
    assert response.status_code == 302
    assert response["Location"] == "/quan-tri/"
    assert client.get(DASHBOARD).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_code_page_shows_no_count_of_what_waits_behind_it(cast, required):
    enrol(cast.member.user)
    notifications.notify(recipient=cast.member.user, subject="Thông báo riêng", body="", link="")
    client = password_sign_in("member")

    page = client.get(VERIFY)

    assert page.context["nav"] == {}
    assert "chưa đọc" not in page.text


def test_the_admins_own_login_page_leads_to_the_same_second_step(cast, required):
    enrol(admin_staff(cast.org_board))
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "org_board", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_a_member_who_turned_it_on_is_asked_too_even_when_nobody_is_required(cast, settings):
    settings.PORTAL_REQUIRE_SECOND_FACTOR = False
    key, _codes = enrol(cast.member.user)
    client = password_sign_in("member")
    assert client.get(DASHBOARD)["Location"].startswith(VERIFY)
    client.post(VERIFY, {"token": code(key, steps_ahead=1)})
    assert client.get(DASHBOARD).status_code == 200


def test_a_code_is_accepted_once(cast, required):
    key = second_factor.new_key()
    confirming = code(key)
    second_factor.totp_enable(user=cast.org_board, key=key, token=confirming, acting_user=cast.org_board)
    client = password_sign_in("org_board")
    response = client.post(VERIFY, {"token": confirming})
    assert response.status_code == 200
    assert "Mã không đúng hoặc đã được dùng" in response.text
    assert client.get(DASHBOARD).status_code == 302


def test_guessing_is_slowed_down(cast, required):
    key, _codes = enrol(cast.org_board)
    client = password_sign_in("org_board")
    right = code(key, steps_ahead=1)
    client.post(VERIFY, {"token": f"{(int(right) + 1) % 1_000_000:06d}"})
    response = client.post(VERIFY, {"token": right})
    assert "Vui lòng chờ" in response.text
    assert client.get(DASHBOARD).status_code == 302


def test_a_recovery_code_signs_in_once_and_is_on_the_record(cast, required):
    _key, codes = enrol(cast.org_board)
    client = password_sign_in("org_board")
    typed = second_factor.format_recovery_code(codes[0]).upper()
    response = client.post(VERIFY, {"token": typed}, follow=True)
    assert response.redirect_chain[-1][0] == DASHBOARD
    assert "còn 9 mã" in response.text
    event = AuditEvent.objects.get(action="account.recovery_code_used")
    assert event.actor == cast.org_board and event.after == {"recovery_codes": 9}

    again = password_sign_in("org_board")
    StaticDevice.objects.filter(user=cast.org_board).update(throttling_failure_count=0)
    assert again.post(VERIFY, {"token": codes[0]}).status_code == 200
    assert again.get(DASHBOARD).status_code == 302


def test_a_session_from_before_the_device_is_asked_for_a_code_on_the_security_pages(cast):
    earlier = signed_in(cast.member.user)
    enrol(cast.member.user)
    for name in ("security", "recovery_codes", "totp_disable"):
        response = earlier.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302, name
        assert response["Location"].startswith(VERIFY), name


# --- Recovery codes and turning it off ----------------------------------------------------------------------------


def verified_client(user: User) -> tuple[Client, str, list[str]]:
    client = signed_in(user)
    key = setup_key(client)
    client.post(SETUP, {"token": code(key)})
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    return client, key, codes


def test_new_recovery_codes_replace_the_old_ones(cast, required):
    client, _key, old = verified_client(cast.org_board)
    client.get(reverse("accounts:recovery_codes"))
    response = client.post(reverse("accounts:recovery_codes"), follow=True)
    shown = SHOWN_CODE.findall(response.text)
    assert len(shown) == 10
    assert not {c.replace("-", "") for c in shown} & set(old)
    assert not StaticToken.objects.filter(token__in=old).exists()
    event = AuditEvent.objects.get(action="account.recovery_codes_regenerated")
    assert event.actor == cast.org_board
    assert event.before == {"recovery_codes": 10} and event.after == {"recovery_codes": 10}


def test_turning_it_off_needs_a_current_code(cast):
    client, key, _codes = verified_client(cast.member.user)
    response = client.post(reverse("accounts:totp_disable"), {"token": "000000"})
    assert response.status_code == 200
    assert "Mã không đúng" in response.text
    assert TOTPDevice.objects.filter(user=cast.member.user).exists()

    TOTPDevice.objects.filter(user=cast.member.user).update(throttling_failure_count=0)
    response = client.post(reverse("accounts:totp_disable"), {"token": code(key, steps_ahead=1)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=cast.member.user).exists()
    assert not StaticDevice.objects.filter(user=cast.member.user).exists()
    event = AuditEvent.objects.get(action="account.second_factor_off")
    assert event.actor == cast.member.user and event.before == {"recovery_codes": 10}
    assert client.get(DASHBOARD).status_code == 200


def test_an_account_that_must_have_it_is_sent_to_set_it_up_again_after_turning_it_off(cast, required):
    client, key, _codes = verified_client(cast.head.user)
    response = client.post(reverse("accounts:totp_disable"), {"token": code(key, steps_ahead=1)})
    assert response["Location"] == SETUP
    assert client.get(DASHBOARD)["Location"].startswith(SETUP)
