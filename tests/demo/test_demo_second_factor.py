"""The demo accounts that must have a second factor can still be signed in to, with the documented key."""

import base64
import re
from binascii import unhexlify
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.people import SECOND_FACTOR_ACCOUNTS, account_specs
from programmes import access

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-demo"


@pytest.fixture
def seeded(settings):
    settings.PORTAL_REQUIRE_SECOND_FACTOR = True
    call_command("seed_demo", "--password", PASSWORD, stdout=StringIO())


def printed_code(username: str) -> str:
    out = StringIO()
    call_command("demo_otp", username, stdout=out)
    return out.getvalue().strip()


def test_exactly_the_demo_accounts_that_must_have_it_have_the_documented_key(seeded):
    output = StringIO()
    call_command("seed_demo", "--accounts", stdout=output)
    demo = User.objects.filter(email__endswith="@demo.example.vn")
    assert demo.count() == len(account_specs()) == 13
    must = {user.username for user in demo if access.requires_second_factor(user)}
    assert must == set(SECOND_FACTOR_ACCOUNTS)
    for username in must:
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed
        shown = re.search(rf"^{username}\s+([A-Z2-7 ]{{39}})$", output.getvalue(), re.MULTILINE)
        assert shown is not None, username
        assert unhexlify(device.key) == base64.b32decode(shown.group(1).replace(" ", ""))
    assert not TOTPDevice.objects.exclude(user__username__in=must).exists()


def test_each_demo_account_signs_in_with_the_password_and_the_printed_code(seeded):
    for username in SECOND_FACTOR_ACCOUNTS:
        client = Client()
        assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
        assert client.get(reverse("programmes:dashboard"))["Location"].startswith(reverse("accounts:verify"))
        code = printed_code(username)
        device = TOTPDevice.objects.get(user__username=username)
        assert code == f"{TOTP(unhexlify(device.key)).token():06d}"
        response = client.post(reverse("accounts:verify"), {"token": code}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("programmes:dashboard"), username
        assert response.status_code == 200


def test_a_member_demo_account_signs_in_with_the_password_alone(seeded):
    client = Client()
    client.post(reverse("login"), {"username": "dangvien", "password": PASSWORD})
    assert client.get(reverse("programmes:dashboard")).status_code == 200


def test_the_command_prints_no_code_for_an_account_without_the_demo_key(seeded):
    with pytest.raises(CommandError, match="không có khóa xác thực dùng thử"):
        printed_code("dangvien")
    device = TOTPDevice.objects.get(user__username="capuy")
    device.key = "00" * 20
    device.save(update_fields=["key"])
    with pytest.raises(CommandError):
        printed_code("capuy")
    call_command("seed_demo", "--password", PASSWORD, stdout=StringIO())
    assert printed_code("capuy").isdigit()
