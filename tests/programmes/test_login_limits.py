"""Login lockout behind the portal's trusted proxy: per (user name, client address), and per address for a spray."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

PROXY = "10.0.0.1"
VICTIM = "203.0.113.7"
ATTACKER = "198.51.100.9"


@pytest.fixture
def one_proxy(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    return settings


def through_proxy(forwarded_for: str) -> Client:
    """A browser behind the proxy: the proxy connects (REMOTE_ADDR) and appends what it saw to X-Forwarded-For."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_passwords_claiming_the_victims_address_do_not_lock_the_victim_out(cast, one_proxy):
    # The attacker writes the victim's address into X-Forwarded-For; the proxy appends the attacker's own.
    attacker = through_proxy(f"{VICTIM}, {ATTACKER}")
    for _attempt in range(one_proxy.AXES_FAILURE_LIMIT):
        log_in(attacker, "member", "sai-mat-khau")
    assert log_in(attacker, "member", DEFAULT_PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}

    victim = through_proxy(VICTIM)
    response = log_in(victim, "member", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert victim.session["_auth_user_id"] == str(cast.member.user.pk)


def test_without_a_trusted_proxy_the_connection_address_is_the_client(cast, settings):
    settings.PORTAL_TRUSTED_PROXIES = 0
    client = Client(REMOTE_ADDR="192.0.2.44", HTTP_X_FORWARDED_FOR=VICTIM)
    log_in(client, "member", "sai-mat-khau")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.44"]


def test_text_that_is_no_address_in_the_forwarded_header_is_not_believed(cast, settings):
    # Two trusted proxies configured where there is one: the entry taken was written by the client.
    settings.PORTAL_TRUSTED_PROXIES = 2
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"<script>, {ATTACKER}")
    log_in(client, "member", "sai-mat-khau")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


def test_twenty_wrong_passwords_over_twenty_names_lock_the_address(cast, one_proxy):
    UserFactory(username="nan-nhan")
    sprayer = through_proxy(ATTACKER)
    for number in range(one_proxy.LOGIN_ADDRESS_FAILURE_LIMIT):
        response = log_in(sprayer, f"tai-khoan-{number}", "mat-khau-pho-bien")
        # No one name reaches its own limit: each attempt before the last is an ordinary refusal.
        if number < one_proxy.LOGIN_ADDRESS_FAILURE_LIMIT - 1:
            assert response.status_code == 200, number
    assert response.status_code == 429

    # The 21st attempt is refused even with a right password, and says so in Vietnamese.
    response = log_in(sprayer, "nan-nhan", DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in sprayer.session
    assert '<html lang="vi">' in response.text
    assert "Tạm khóa đăng nhập từ địa chỉ mạng này" in response.text
    assert "30 phút" in response.text

    # Another client behind the same proxy is not affected.
    assert log_in(through_proxy(VICTIM), "nan-nhan", DEFAULT_PASSWORD).status_code == 302


def test_nineteen_failures_from_an_address_leave_it_open(cast, one_proxy):
    sprayer = through_proxy(ATTACKER)
    for number in range(one_proxy.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        log_in(sprayer, f"tai-khoan-{number}", "mat-khau-pho-bien")
    assert log_in(sprayer, "member", DEFAULT_PASSWORD).status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_the_address_count(cast, one_proxy):
    """A sprayer who holds one account cannot reset the address's failures by signing in to it now and then."""
    sprayer = through_proxy(ATTACKER)
    for number in range(one_proxy.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        log_in(sprayer, f"tai-khoan-{number}", "mat-khau-pho-bien")
    assert log_in(sprayer, "outsider", DEFAULT_PASSWORD).status_code == 302
    sprayer.post(reverse("logout"))
    log_in(sprayer, "tai-khoan-cuoi", "mat-khau-pho-bien")
    assert log_in(sprayer, "outsider", DEFAULT_PASSWORD).status_code == 429


def test_the_per_account_lockout_page_is_in_vietnamese(cast, one_proxy):
    client = through_proxy(ATTACKER)
    for _attempt in range(one_proxy.AXES_FAILURE_LIMIT):
        log_in(client, "member", "sai-mat-khau")
    response = log_in(client, "member", DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "Tài khoản tạm khóa" in response.text
    assert "Tạm khóa đăng nhập từ địa chỉ mạng này" not in response.text
    assert reverse("password_reset") in response.text
