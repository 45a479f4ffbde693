"""The demo lets a newcomer play every role: the city secretary confirms the ward secretary's programme, the other
demo members submit their self-reviews, and every account the README documents exists after seeding."""

import re
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.people import account_specs
from demo.reviews import REVIEW_PERIOD_TITLE
from programmes.action_programmes import services as programme_services
from programmes.action_programmes.selectors import confirmation_queue
from programmes.models import (
    Cadre,
    Membership,
    Occasion,
    OrganisationKind,
    PartyOrganisation,
    PartyPost,
    Position,
    ProgrammeState,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)
from reviews import access as review_access
from reviews.models import RatingLevel, ResidenceCommentState, Review, ReviewState
from tests.programmes.programme_data import TERM_END, TERM_START, commitment_content
from tests.reviews.review_data import SECTIONS

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-demo"
NEW_MEMBERS = ("dangvien2", "dangvien3")
README_TABLE_START = "**Demo accounts (tài khoản dùng thử).**"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def user(username: str) -> User:
    return User.objects.get(username=username)


def signed_in(username: str) -> Client:
    """Signed in with the demo password and, for an account with a second factor, the code demo_otp prints."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    if TOTPDevice.objects.filter(user__username=username).exists():
        code = StringIO()
        call_command("demo_otp", username, stdout=code)
        response = client.post(reverse("accounts:verify"), {"token": code.getvalue().strip()})
        assert response.status_code == 302, username
    assert client.get(reverse("programmes:dashboard")).status_code == 200, username
    return client


# --- The city secretary confirms the ward secretary's programme ------------------------------------------------


def ward_secretary_submits() -> ProgrammeVersion:
    """bithuphuong registers a programme for the post of ward secretary on the page, adds two commitments and sends
    it, through the services."""
    post = Position.objects.current().get(
        cadre__user__username="bithuphuong", party_post=PartyPost.SECRETARY, organisation__code="79-26743"
    )
    title = "Chương trình hành động của Bí thư Đảng ủy phường Bến Thành nhiệm kỳ 2025 - 2030"
    form = {"occasion": Occasion.ELECTION, "title": title, "position": post.pk}
    form |= {"term_start": TERM_START.isoformat(), "term_end": TERM_END.isoformat()}
    response = signed_in("bithuphuong").post(reverse("programmes:programme_create"), form)
    assert response.status_code == 302
    version = ProgrammeVersion.objects.get(programme__owner=post.cadre, programme__title=title)
    assert version.programme.position == post
    for number, weight in enumerate((60, 40), start=1):
        programme_services.commitment_add(
            version=version, content=commitment_content(number, weight=weight), acting_user=user("bithuphuong")
        )
    return programme_services.programme_submit(version=version, acting_user=user("bithuphuong"))


def test_the_ward_secretarys_programme_goes_to_the_city_secretary_who_confirms_it_on_the_page():
    seed("--password", PASSWORD)
    version = ward_secretary_submits()
    city_secretary = user("bithuthanhuy")
    assert version.confirming_organisation is not None
    assert (version.confirming_organisation.code, version.confirmer) == ("79", city_secretary)
    assert version.confirmer_title == "Bí thư Đảng bộ Thành phố Hồ Chí Minh"
    assert list(confirmation_queue(city_secretary)) == [version]
    # Not the owner, nor another secretary of the demo: only the city's.
    for username in ("bithuphuong", "bithudangbo", "bithuchibo"):
        with pytest.raises(PermissionDenied):
            programme_services.programme_confirm(
                version=version, publicity_max=PublicityLevel.COMMITTEE, acting_user=user(username)
            )

    page = reverse("programmes:programme_review", args=[version.programme_id, version.number])
    response = signed_in("bithuthanhuy").post(
        page,
        {"action": "confirm", "confirm-publicity_max": PublicityLevel.PUBLIC, "confirm-comment": "Đồng ý xác nhận."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:confirmation_queue")
    version.refresh_from_db()
    assert (version.state, version.confirmed_by) == (VersionState.CONFIRMED, city_secretary)
    assert version.programme.state == ProgrammeState.CONFIRMED
    assert not list(confirmation_queue(city_secretary))


# --- The demo members submit their self-reviews ----------------------------------------------------------------


def draft(**overrides: Any) -> dict[str, Any]:
    """The bản kiểm điểm as the member sends it from the page: no commitments, so no verdicts."""
    return {
        "review_form": "2A",
        "remedies_done": "",
        "prompt_answers": "",
        "collective_responsibility": "",
        **SECTIONS,
        "self_general_points": 27,
        "self_task_points": 58,
        "self_level": RatingLevel.GOOD,
        **overrides,
    }


def test_the_new_demo_members_are_plain_members_of_the_demo_cell_with_a_self_review_to_write():
    seed()
    dangvien = Membership.objects.get(cadre__user__username="dangvien", end_date__isnull=True)
    for username in NEW_MEMBERS:
        membership = Membership.objects.get(cadre__user__username=username, end_date__isnull=True)
        assert membership.cell == dangvien.cell
        assert not Position.objects.current().filter(cadre=membership.cadre).exists()
        review = Review.objects.get(cadre=membership.cadre, period__title=REVIEW_PERIOD_TITLE)
        assert (review.state, review.place) == (ReviewState.SELF_DRAFTING, dangvien.cell)
        assert review.period.self_review_until.isoformat() == "2026-12-10"


@pytest.mark.parametrize("username", NEW_MEMBERS)
def test_a_demo_member_submits_the_self_review_on_the_page_and_the_cell_secretary_may_propose(username):
    seed("--password", PASSWORD)
    review = Review.objects.get(cadre__user__username=username, period__title=REVIEW_PERIOD_TITLE)
    assert review.state == ReviewState.SELF_DRAFTING

    response = signed_in(username).post(reverse("reviews:self_review_submit", args=[review.pk]), draft())
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:review_detail", args=[review.pk])
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED
    assert (review.self_level, review.self_general_points, review.self_task_points) == (RatingLevel.GOOD, 27, 58)
    assert review.strengths == SECTIONS["strengths"]
    assert review_access.can_record_proposal(user("bithuchibo"), review)


def test_a_demo_member_cannot_submit_a_colleagues_self_review():
    seed("--password", PASSWORD)
    review = Review.objects.get(cadre__user__username="dangvien3", period__title=REVIEW_PERIOD_TITLE)
    response = signed_in("dangvien2").post(reverse("reviews:self_review_submit", args=[review.pk]), draft())
    assert response.status_code in (403, 404)
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_DRAFTING


# --- Seeding twice, and the README's table -----------------------------------------------------------------------


def test_a_second_seed_adds_no_account_post_membership_or_review_for_the_new_roles():
    seed()
    second = seed()
    assert re.search(r"(?<!\d)0 bản ghi mới, 0 bản ghi cập nhật", second) is not None
    new_accounts = ("bithuthanhuy", *NEW_MEMBERS)
    assert User.objects.filter(username__in=new_accounts).count() == 3
    assert Cadre.objects.filter(user__username__in=new_accounts).count() == 3
    city_posts = Position.objects.filter(organisation__code="79", party_post=PartyPost.SECRETARY)
    assert list(city_posts.values_list("cadre__user__username", flat=True)) == ["bithuthanhuy"]
    assert not Membership.objects.filter(cadre__user__username="bithuthanhuy").exists()
    assert Membership.objects.filter(cadre__user__username__in=NEW_MEMBERS).count() == 2
    assert Review.objects.filter(cadre__user__username__in=NEW_MEMBERS).count() == 2


def readme_accounts() -> dict[str, str]:
    """The README's table of demo accounts: user name → the role cell (Vietnamese, then English)."""
    text = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert README_TABLE_START in text
    section = text.split(README_TABLE_START, 1)[1].split("\n\n**", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9]+)` \| ([^|]+) \|", section, re.MULTILINE)
    return dict(rows)


def test_every_account_the_readme_documents_exists_after_seeding_and_signs_in():
    documented = readme_accounts()
    specs = {spec.username: spec for spec in account_specs()}
    assert set(documented) == set(specs)
    for username, role in documented.items():
        assert role.startswith(f"{specs[username].role_label} ("), username
    seed("--password", PASSWORD)
    for username in documented:
        assert user(username).check_password(PASSWORD), username
        signed_in(username)


# --- The residence cell's secretary is asked for dangvien3's comment -------------------------------------------


def test_the_secretary_of_khu_pho_2_in_the_other_ward_is_asked_for_dangvien3s_comment_and_sees_nothing_else():
    seed("--password", PASSWORD)
    post = Position.objects.current().get(cadre__user__username="bithukp2")
    cell = post.organisation
    assert cell is not None
    assert (post.party_post, cell.code, cell.name) == (PartyPost.SECRETARY, "79-26740-KP02", "Chi bộ Khu phố 2")
    assert cell.kind == OrganisationKind.GRASSROOTS_CELL
    ward = PartyOrganisation.objects.get_parent(cell)
    assert ward is not None and ward.name == "Đảng bộ phường Sài Gòn"
    assert Membership.objects.get(cadre=post.cadre, end_date__isnull=True).cell == cell
    membership = Membership.objects.get(cadre__user__username="dangvien3", end_date__isnull=True)
    assert membership.residence_cell == cell
    # He works in the other ward, Bến Thành: his cell is the school's.
    assert membership.cell.code.startswith("79-26743-TRUONG-")
    review = Review.objects.get(cadre=membership.cadre, period__title=REVIEW_PERIOD_TITLE)
    request = review.residence_comment
    assert (request.residence_cell, request.state) == (cell, ResidenceCommentState.REQUESTED)

    client = signed_in("bithukp2")
    desk = client.get(reverse("programmes:dashboard")).text
    assert "Đảng viên cư trú trên địa bàn chờ chi bộ nhận xét" in desk
    assert reverse("reviews:residence_requests") in desk
    assert reverse("programmes:help_guide", args=["nhan-xet-noi-cu-tru"]) in desk
    listing = client.get(reverse("reviews:residence_requests"))
    assert request in listing.context["page"].object_list
    assert "Võ Thanh Tùng" in listing.text
    assert client.get(reverse("reviews:residence_comment_record", args=[request.pk])).status_code == 200
    for page in (
        reverse("reviews:review_detail", args=[review.pk]),
        reverse("reviews:self_review_edit", args=[review.pk]),
        reverse("programmes:cadre_detail", args=[membership.cadre_id]),
    ):
        assert client.get(page).status_code == 404, page
