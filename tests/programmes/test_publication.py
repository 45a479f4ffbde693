"""Publication of a programme: the owner's level, consent and per-item choices, their rules, and the page."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.action_programmes import publication, services
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    ActionProgramme,
    Commitment,
    Evidence,
    ProgrammeState,
    ProgressStatus,
    PublicityLevel,
)
from tests.events import last_event, writes_events
from tests.factories import client_for
from tests.programmes.programme_data import make_confirmed, make_draft, submit

pytestmark = pytest.mark.django_db


def last_change(action: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The before and after of the latest event of `action`."""
    event = last_event(action)
    assert event.before is not None and event.after is not None
    return event.before, event.after


def confirmed(cast, publicity_max: int = PublicityLevel.PUBLIC, **options) -> ActionProgramme:
    return make_confirmed(cast.member, cast.secretary.user, publicity_max=publicity_max, **options)


def commitments_in_force(programme: ActionProgramme) -> list[Commitment]:
    assert programme.current_version is not None
    terms = programme.current_version.terms.select_related("commitment").order_by("position")
    return [item.commitment for item in terms]


def add_link(commitment: Commitment, url: str = "https://phuong.example.vn/bao-cao") -> Evidence:
    owner = commitment.programme.owner.user
    assert owner is not None
    progress_report(commitment=commitment, status=ProgressStatus.ON_TRACK, links=[url], acting_user=owner)
    return Evidence.objects.filter(commitment=commitment).latest("id")


def published(cast, **options) -> ActionProgramme:
    """Confirmed with a PUBLIC maximum, consent given and the level PUBLIC."""
    programme = confirmed(cast, **options)
    owner = cast.member.user
    publication.consent_give(programme=programme, acting_user=owner)
    return publication.publicity_set(programme=programme, level=PublicityLevel.PUBLIC, acting_user=owner)


def stored(programme: ActionProgramme) -> ActionProgramme:
    return ActionProgramme.objects.get(pk=programme.pk)


# --- Predicates the public pages use -------------------------------------------------------------------------


def test_programme_is_public_only_at_public_level_with_consent_once_confirmed(cast):
    programme = confirmed(cast)
    assert programme.publicity_level == PublicityLevel.COMMITTEE
    assert not publication.is_public(programme)
    programme = published(cast, title="Chương trình công khai")
    assert publication.is_public(programme)
    assert all(publication.public_commitment(item, programme) for item in commitments_in_force(programme))


def test_closed_programme_stays_public_and_a_withdrawn_one_does_not(cast):
    programme = published(cast)
    programme.state = ProgrammeState.CLOSED
    assert publication.is_public(programme)
    programme.state = ProgrammeState.WITHDRAWN
    assert not publication.is_public(programme)


def test_programme_at_oversight_level_is_not_public(cast):
    programme = confirmed(cast)
    publication.consent_give(programme=programme, acting_user=cast.member.user)
    programme = publication.publicity_set(
        programme=programme, level=PublicityLevel.OVERSIGHT, acting_user=cast.member.user
    )
    assert not publication.is_public(programme)
    assert not publication.public_commitment(commitments_in_force(programme)[0], programme)


def test_commitment_held_below_public_is_not_public_but_its_neighbour_is(cast):
    programme = published(cast)
    first, second = commitments_in_force(programme)
    publication.commitment_publicity_set(commitment=first, cap=PublicityLevel.OVERSIGHT, acting_user=cast.member.user)
    first.refresh_from_db()
    assert not publication.public_commitment(first, programme)
    assert publication.public_commitment(second, programme)


def test_commitment_is_never_public_through_another_programme(cast):
    programme = published(cast)
    other = confirmed(cast, title="Bản cam kết đầu năm")
    assert not publication.public_commitment(commitments_in_force(other)[0], programme)


# --- publicity_set -------------------------------------------------------------------------------------------


def test_owner_sets_the_level_within_the_maximum_with_one_audit_event(cast):
    programme = confirmed(cast)
    with writes_events("programme.publicity"):
        publication.publicity_set(programme=programme, level=PublicityLevel.CELL, acting_user=cast.member.user)
    assert stored(programme).publicity_level == PublicityLevel.CELL
    event = last_event("programme.publicity")
    assert event.actor == cast.member.user
    assert event.object_id == str(programme.pk)
    before, after = last_change("programme.publicity")
    assert before["publicity_level"] == PublicityLevel.COMMITTEE
    assert after["publicity_level"] == PublicityLevel.CELL


def test_choosing_the_level_already_set_records_nothing(cast):
    programme = confirmed(cast)
    with writes_events():
        publication.publicity_set(programme=programme, level=PublicityLevel.COMMITTEE, acting_user=cast.member.user)


@pytest.mark.parametrize("who", ["secretary", "outsider", "head", "org_board", "overseer"])
def test_only_the_owner_may_set_the_level(cast, who):
    programme = confirmed(cast)
    user = getattr(cast, who)
    user = getattr(user, "user", user)
    with writes_events(), pytest.raises(PermissionDenied):
        publication.publicity_set(programme=programme, level=PublicityLevel.CELL, acting_user=user)
    assert stored(programme).publicity_level == PublicityLevel.COMMITTEE


def test_unconfirmed_programme_cannot_go_above_the_cell(cast):
    programme = make_draft(cast.member)
    submit(programme)
    with writes_events(), pytest.raises(ValidationError) as refused:
        publication.publicity_set(programme=programme, level=PublicityLevel.COMMITTEE, acting_user=cast.member.user)
    assert "chưa được xác nhận" in refused.value.message_dict["level"][0]
    with writes_events("programme.publicity"):
        publication.publicity_set(programme=programme, level=PublicityLevel.CELL, acting_user=cast.member.user)
    assert stored(programme).publicity_level == PublicityLevel.CELL


def test_level_above_the_confirmers_maximum_is_refused_even_with_consent(cast):
    programme = confirmed(cast, publicity_max=PublicityLevel.OVERSIGHT)
    publication.consent_give(programme=programme, acting_user=cast.member.user)
    with writes_events(), pytest.raises(ValidationError) as refused:
        publication.publicity_set(programme=programme, level=PublicityLevel.PUBLIC, acting_user=cast.member.user)
    assert "Mặt trận và HĐND" in refused.value.message_dict["level"][0]
    assert stored(programme).publicity_level == PublicityLevel.COMMITTEE


@pytest.mark.parametrize("level", [PublicityLevel.OVERSIGHT, PublicityLevel.PUBLIC])
def test_level_beyond_the_party_needs_consent_first(cast, level):
    programme = confirmed(cast)
    with writes_events(), pytest.raises(ValidationError) as refused:
        publication.publicity_set(programme=programme, level=level, acting_user=cast.member.user)
    assert "đồng ý công khai" in refused.value.message_dict["level"][0]
    assert stored(programme).publicity_level == PublicityLevel.COMMITTEE


def test_confirmed_programme_cannot_be_hidden_from_its_cell(cast):
    programme = confirmed(cast)
    with pytest.raises(ValidationError):
        publication.publicity_set(programme=programme, level=PublicityLevel.PRIVATE, acting_user=cast.member.user)


def test_unknown_level_is_refused(cast):
    programme = confirmed(cast)
    with pytest.raises(ValidationError):
        publication.publicity_set(programme=programme, level=9, acting_user=cast.member.user)


# --- Consent -------------------------------------------------------------------------------------------------


def test_owner_gives_consent_with_one_audit_event_and_the_level_is_unchanged(cast):
    programme = confirmed(cast)
    with writes_events("programme.consent_give"):
        publication.consent_give(programme=programme, acting_user=cast.member.user)
    programme = stored(programme)
    assert programme.publication_consent_at is not None
    assert programme.publicity_level == PublicityLevel.COMMITTEE
    before, after = last_change("programme.consent_give")
    assert before["publication_consent_at"] is None
    assert after["publication_consent_at"] is not None


def test_consent_needs_a_confirmed_programme(cast):
    programme = make_draft(cast.member)
    with writes_events(), pytest.raises(ValidationError):
        publication.consent_give(programme=programme, acting_user=cast.member.user)
    assert stored(programme).publication_consent_at is None


def test_consent_given_twice_is_refused(cast):
    programme = confirmed(cast)
    publication.consent_give(programme=programme, acting_user=cast.member.user)
    with writes_events(), pytest.raises(ValidationError):
        publication.consent_give(programme=programme, acting_user=cast.member.user)


def test_only_the_owner_gives_or_withdraws_consent(cast):
    programme = published(cast)
    for user in (cast.secretary.user, cast.head.user, cast.overseer):
        with writes_events(), pytest.raises(PermissionDenied):
            publication.consent_withdraw(programme=programme, acting_user=user)
    other = confirmed(cast, title="Bản cam kết đầu năm")
    with writes_events(), pytest.raises(PermissionDenied):
        publication.consent_give(programme=other, acting_user=cast.secretary.user)
    assert publication.is_public(stored(programme))


def test_withdrawing_consent_unpublishes_at_once_and_keeps_the_record(cast):
    programme = published(cast)
    with writes_events("programme.consent_withdraw"):
        publication.consent_withdraw(programme=programme, acting_user=cast.member.user)
    programme = stored(programme)
    assert programme.publication_consent_at is None
    assert programme.publicity_level == PublicityLevel.COMMITTEE
    assert programme.current_version_id is not None
    assert programme.state == ProgrammeState.CONFIRMED
    assert not publication.is_public(programme)
    before, after = last_change("programme.consent_withdraw")
    assert before["publicity_level"] == PublicityLevel.PUBLIC
    assert after["publicity_level"] == PublicityLevel.COMMITTEE
    assert after["publication_consent_at"] is None


def test_withdrawing_consent_keeps_a_level_already_inside_the_party(cast):
    programme = confirmed(cast)
    owner = cast.member.user
    publication.publicity_set(programme=programme, level=PublicityLevel.CELL, acting_user=owner)
    publication.consent_give(programme=programme, acting_user=owner)
    publication.consent_withdraw(programme=programme, acting_user=owner)
    assert stored(programme).publicity_level == PublicityLevel.CELL


def test_withdrawing_consent_never_given_is_refused(cast):
    programme = confirmed(cast)
    with writes_events(), pytest.raises(ValidationError):
        publication.consent_withdraw(programme=programme, acting_user=cast.member.user)


def test_every_change_writes_its_own_audit_event(cast):
    programme = confirmed(cast)
    owner = cast.member.user
    first = commitments_in_force(programme)[0]
    evidence = add_link(first)
    with writes_events(
        "programme.consent_give",
        "programme.publicity",
        "commitment.publicity",
        "evidence.publicity",
        "programme.consent_withdraw",
    ):
        publication.consent_give(programme=programme, acting_user=owner)
        publication.publicity_set(programme=programme, level=PublicityLevel.PUBLIC, acting_user=owner)
        publication.commitment_publicity_set(commitment=first, cap=PublicityLevel.COMMITTEE, acting_user=owner)
        publication.evidence_publicity_set(evidence=evidence, is_public=True, acting_user=owner)
        publication.consent_withdraw(programme=programme, acting_user=owner)


# --- Commitments and evidence --------------------------------------------------------------------------------


def test_owner_lowers_a_commitment_and_sets_it_back_to_the_programme(cast):
    programme = confirmed(cast)
    commitment = commitments_in_force(programme)[0]
    with writes_events("commitment.publicity", "commitment.publicity"):
        publication.commitment_publicity_set(
            commitment=commitment, cap=PublicityLevel.CELL, acting_user=cast.member.user
        )
        assert Commitment.objects.get(pk=commitment.pk).publicity_cap == PublicityLevel.CELL
        publication.commitment_publicity_set(commitment=commitment, cap=None, acting_user=cast.member.user)
    assert Commitment.objects.get(pk=commitment.pk).publicity_cap is None
    before, after = last_change("commitment.publicity")
    assert before["publicity_cap"] == PublicityLevel.CELL
    assert after["publicity_cap"] is None


def test_commitment_cannot_be_raised_above_the_programmes_maximum(cast):
    programme = confirmed(cast, publicity_max=PublicityLevel.COMMITTEE)
    commitment = commitments_in_force(programme)[0]
    with writes_events(), pytest.raises(ValidationError) as refused:
        publication.commitment_publicity_set(
            commitment=commitment, cap=PublicityLevel.OVERSIGHT, acting_user=cast.member.user
        )
    assert "không được công khai rộng hơn chương trình" in refused.value.message_dict["cap"][0]
    assert Commitment.objects.get(pk=commitment.pk).publicity_cap is None


def test_only_the_owner_sets_a_commitment_cap(cast):
    programme = confirmed(cast)
    commitment = commitments_in_force(programme)[0]
    with writes_events(), pytest.raises(PermissionDenied):
        publication.commitment_publicity_set(
            commitment=commitment, cap=PublicityLevel.CELL, acting_user=cast.secretary.user
        )


def test_owner_marks_evidence_public_and_private(cast):
    programme = confirmed(cast)
    evidence = add_link(commitments_in_force(programme)[0])
    assert not evidence.is_public
    with writes_events("evidence.publicity", "evidence.publicity"):
        publication.evidence_publicity_set(evidence=evidence, is_public=True, acting_user=cast.member.user)
        assert Evidence.objects.get(pk=evidence.pk).is_public
        publication.evidence_publicity_set(evidence=evidence, is_public=False, acting_user=cast.member.user)
    assert not Evidence.objects.get(pk=evidence.pk).is_public
    assert last_event("evidence.publicity").before == {"commitment": evidence.commitment_id, "is_public": True}


def test_only_the_owner_marks_evidence_public(cast):
    programme = confirmed(cast)
    evidence = add_link(commitments_in_force(programme)[0])
    for user in (cast.secretary.user, cast.outsider.user, cast.overseer):
        with writes_events(), pytest.raises(PermissionDenied):
            publication.evidence_publicity_set(evidence=evidence, is_public=True, acting_user=user)
    assert not Evidence.objects.get(pk=evidence.pk).is_public


# --- Confirmation of an amendment keeps the level within the new maximum -------------------------------------


def test_amendment_lowering_the_maximum_lowers_the_level(cast):
    programme = published(cast)
    services.amendment_start(
        programme=programme, reason="Chuyển công tác, thu hẹp phạm vi", acting_user=cast.member.user
    )
    version = submit(programme, number=2)
    services.programme_confirm(version=version, publicity_max=PublicityLevel.COMMITTEE, acting_user=cast.secretary.user)
    programme = stored(programme)
    assert programme.publicity_max == PublicityLevel.COMMITTEE
    assert programme.publicity_level == PublicityLevel.COMMITTEE
    assert not publication.is_public(programme)


def test_amendment_keeping_the_maximum_keeps_the_owners_level(cast):
    programme = published(cast)
    services.amendment_start(programme=programme, reason="Bổ sung biện pháp", acting_user=cast.member.user)
    version = submit(programme, number=2)
    services.programme_confirm(version=version, publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user)
    assert publication.is_public(stored(programme))


# --- The page ------------------------------------------------------------------------------------------------


def page_url(programme: ActionProgramme) -> str:
    return reverse("programmes:publication_edit", args=[programme.pk])


def test_owner_opens_the_page_with_the_five_levels_explained(cast):
    programme = confirmed(cast, publicity_max=PublicityLevel.OVERSIGHT)
    response = client_for(cast.member.user).get(page_url(programme))
    assert response.status_code == 200
    text = response.text
    for level in PublicityLevel:
        assert str(level.label) in text
    assert "Thường trực HĐND" in text  # who reads at the oversight level
    assert "thôi hiển thị ngay" in text  # what withdrawing consent does
    assert 'name="consent-agree"' in text
    # Without consent the select offers the levels inside the party only.
    select = text.split('name="level-level"')[1].split("</select>")[0]
    assert f'value="{PublicityLevel.COMMITTEE}"' in select
    assert f'value="{PublicityLevel.OVERSIGHT}"' not in select
    assert f'value="{PublicityLevel.PRIVATE}"' not in select


def test_after_consent_the_select_offers_levels_up_to_the_maximum(cast):
    programme = confirmed(cast, publicity_max=PublicityLevel.OVERSIGHT)
    publication.consent_give(programme=programme, acting_user=cast.member.user)
    text = client_for(cast.member.user).get(page_url(programme)).text
    select = text.split('name="level-level"')[1].split("</select>")[0]
    assert f'value="{PublicityLevel.OVERSIGHT}"' in select
    assert f'value="{PublicityLevel.PUBLIC}"' not in select
    assert "Rút lại sự đồng ý công khai" in text


def test_readers_who_are_not_the_owner_are_refused_and_others_see_nothing(cast):
    programme = confirmed(cast)
    assert client_for(cast.secretary.user).get(page_url(programme)).status_code == 403
    assert client_for(cast.head.user).get(page_url(programme)).status_code == 403
    assert client_for(cast.outsider.user).get(page_url(programme)).status_code == 404
    assert client_for(cast.overseer).get(page_url(programme)).status_code == 404
    post = client_for(cast.secretary.user).post(page_url(programme), {"action": "level", "level-level": "1"})
    assert post.status_code == 403
    assert stored(programme).publicity_level == PublicityLevel.COMMITTEE


def test_anonymous_is_sent_to_login(cast):
    programme = confirmed(cast)
    response = Client().get(page_url(programme))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_owner_sets_the_level_on_the_page(cast):
    programme = confirmed(cast)
    client = client_for(cast.member.user)
    response = client.post(page_url(programme), {"action": "level", "level-level": PublicityLevel.CELL}, follow=True)
    assert response.redirect_chain[-1][0] == page_url(programme)
    assert "Đã lưu mức công khai: Nội bộ chi bộ." in response.text
    assert stored(programme).publicity_level == PublicityLevel.CELL


def test_level_beyond_the_party_without_consent_shows_the_services_reason_on_the_form(cast):
    programme = confirmed(cast)
    response = client_for(cast.member.user).post(
        page_url(programme), {"action": "level", "level-level": PublicityLevel.PUBLIC}
    )
    assert response.status_code == 200
    assert "trước hết đồng chí cần đồng ý công khai" in response.text
    assert stored(programme).publicity_level == PublicityLevel.COMMITTEE


def test_consent_needs_the_box_ticked_then_is_recorded(cast):
    programme = confirmed(cast)
    client = client_for(cast.member.user)
    response = client.post(page_url(programme), {"action": "consent_give"})
    assert response.status_code == 200
    assert "Hãy đánh dấu ô đồng ý" in response.text
    assert stored(programme).publication_consent_at is None
    response = client.post(page_url(programme), {"action": "consent_give", "consent-agree": "on"}, follow=True)
    assert "Đã ghi nhận đồng chí đồng ý công khai" in response.text
    assert stored(programme).publication_consent_at is not None


def test_withdrawing_on_the_page_unpublishes_at_once(cast):
    programme = published(cast)
    response = client_for(cast.member.user).post(page_url(programme), {"action": "consent_withdraw"}, follow=True)
    assert "Đã rút lại sự đồng ý công khai" in response.text
    programme = stored(programme)
    assert programme.publicity_level == PublicityLevel.COMMITTEE
    assert not publication.is_public(programme)


def test_owner_saves_caps_and_evidence_flags_together(cast):
    programme = published(cast)
    first, second = commitments_in_force(programme)
    link = add_link(first)
    other = add_link(second, "https://phuong.example.vn/anh")
    data = {
        "action": "items",
        f"items-cap_{first.pk}": PublicityLevel.OVERSIGHT,
        f"items-cap_{second.pk}": "",
        f"items-public_{link.pk}": "on",
    }
    with writes_events("commitment.publicity", "evidence.publicity"):
        response = client_for(cast.member.user).post(page_url(programme), data, follow=True)
    assert "Đã lưu 2 thay đổi" in response.text
    assert Commitment.objects.get(pk=first.pk).publicity_cap == PublicityLevel.OVERSIGHT
    assert Commitment.objects.get(pk=second.pk).publicity_cap is None
    assert Evidence.objects.get(pk=link.pk).is_public
    assert not Evidence.objects.get(pk=other.pk).is_public


def test_a_refused_cap_saves_nothing_and_says_why_at_the_commitment(cast):
    programme = confirmed(cast, publicity_max=PublicityLevel.COMMITTEE)
    first, second = commitments_in_force(programme)
    link = add_link(first)
    data = {
        "action": "items",
        f"items-cap_{first.pk}": PublicityLevel.CELL,
        f"items-cap_{second.pk}": PublicityLevel.PUBLIC,
        f"items-public_{link.pk}": "on",
    }
    with writes_events():
        response = client_for(cast.member.user).post(page_url(programme), data)
    assert response.status_code == 200
    assert "không được công khai rộng hơn chương trình" in response.text
    assert Commitment.objects.get(pk=first.pk).publicity_cap is None
    assert not Evidence.objects.get(pk=link.pk).is_public


def test_unknown_action_is_a_bad_request(cast):
    programme = confirmed(cast)
    assert client_for(cast.member.user).post(page_url(programme), {"action": "publish_all"}).status_code == 400


def test_unconfirmed_programme_page_offers_private_or_cell_only(cast):
    programme = make_draft(cast.member)
    response = client_for(cast.member.user).get(page_url(programme))
    assert response.status_code == 200
    select = response.text.split('name="level-level"')[1].split("</select>")[0]
    assert f'value="{PublicityLevel.PRIVATE}"' in select and f'value="{PublicityLevel.CELL}"' in select
    assert f'value="{PublicityLevel.COMMITTEE}"' not in select
    assert 'name="consent-agree"' not in response.text


def test_programme_page_shows_the_panel_to_the_owner_only(cast):
    programme = confirmed(cast)
    detail = reverse("programmes:programme_detail", args=[programme.pk])
    assert page_url(programme) in client_for(cast.member.user).get(detail).text
    assert page_url(programme) not in client_for(cast.secretary.user).get(detail).text


def test_page_query_count_does_not_grow_with_commitments_or_evidence(cast, django_assert_num_queries):
    small = confirmed(cast, weights=(100,), title="Một nội dung")
    large = confirmed(cast, weights=(20, 20, 20, 20, 10, 10), title="Sáu nội dung")
    for commitment in commitments_in_force(small) + commitments_in_force(large):
        add_link(commitment)
        add_link(commitment, "https://phuong.example.vn/them")
    client = client_for(cast.member.user)
    client.get(page_url(small))  # warm the session

    with CaptureQueriesContext(connection) as one:
        assert client.get(page_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as six:
        response = client.get(page_url(large))
    assert response.status_code == 200
    assert response.text.count('name="items-public_') == 12
    assert len(one) == len(six)

    # Pinned: session, user, programme, commitments, evidence, and the header's five (notifications and grants).
    # A query per commitment or per file would show up here first.
    with django_assert_num_queries(10):
        client.get(page_url(large))


def test_the_cadres_own_words_are_shown_as_text_never_run_as_markup_or_template(cast):
    programme = confirmed(cast)
    assert programme.current_version is not None
    programme.current_version.terms.filter(position=1).update(statement="<b>Đậm</b> {{ request.user.password }}")
    text = client_for(cast.member.user).get(page_url(programme)).text
    assert "&lt;b&gt;Đậm&lt;/b&gt; {{ request.user.password }}" in text
    assert "<b>Đậm</b>" not in text
