"""The public pages at city scale: the stored public flag is the rule, the counts of queries do not grow with the
programmes, the search finds names and titles with or without accents, and a cached page changes with the services."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programmes.action_programmes import publication
from programmes.action_programmes.progress import progress_report
from programmes.action_programmes.services.closing import close_programme
from programmes.models import ActionProgramme, ClosingReason, Commitment, ProgressStatus, PublicityLevel
from programmes.text import fold
from publicity import selectors
from publicity.views import RESULTS_PER_PAGE
from tests.factories import make_member
from tests.programmes.programme_data import make_confirmed, make_draft
from tests.publicity.public_data import amend_target, make_public, owner_user, publish, unpublish

pytestmark = pytest.mark.django_db


def home(query: str = "") -> str:
    return reverse("publicity:public_home") + query


def page_of(programme: ActionProgramme) -> str:
    return reverse("publicity:public_programme", args=[programme.pk])


def queries(address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert Client().get(address).status_code == 200
    return len(context)


def publish_many(cast, count: int) -> list[ActionProgramme]:
    return [make_public(cast.member, cast.secretary.user, title=f"Chương trình {n}") for n in range(count)]


# --- The stored flag is the rule -----------------------------------------------------------------------------


def _check_flag_is_the_rule() -> None:
    programmes = list(ActionProgramme.objects.all())
    assert programmes
    for programme in programmes:
        assert programme.is_public == publication.is_public(programme), programme.pk
    assert set(selectors.public_programmes().values_list("pk", flat=True)) == {
        programme.pk for programme in programmes if publication.is_public(programme)
    }


STEPS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),
        st.sampled_from(["consent", "withdraw", "level", "amend", "close"]),
        st.sampled_from(list(PublicityLevel)),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_the_stored_flag_always_equals_the_public_rule(cast, steps):
    """Whatever the services do, in any order, the flag the lists filter on says what `is_public` says."""
    if not ActionProgramme.objects.exists():
        make_confirmed(cast.member, cast.secretary.user)
        other = make_confirmed(cast.member, cast.secretary.user, title="Chương trình ở phường khác")
        # The programme of a post in the other ward: the rule does not depend on the place.
        ActionProgramme.objects.filter(pk=other.pk).update(organisation=cast.other_ward)
        make_draft(cast.member, title="Bản nháp")
    programmes = list(ActionProgramme.objects.order_by("pk"))
    for index, action, level in steps:
        programme = programmes[index]
        user = owner_user(programme)
        try:
            if action == "consent":
                publication.consent_give(programme=programme, acting_user=user)
            elif action == "withdraw":
                publication.consent_withdraw(programme=programme, acting_user=user)
            elif action == "level":
                publication.publicity_set(programme=programme, level=level, acting_user=user)
            elif action == "amend":
                amend_target(programme, cast.secretary.user, "95")
            else:
                # Closing has no service yet: the end of the term is written straight to the row.
                ActionProgramme.objects.filter(pk=programme.pk).update(state="closed")
        except Exception as refused:  # a service refusing a step is part of the sequence
            if type(refused).__name__ not in {"ValidationError", "PermissionDenied"}:
                raise
        _check_flag_is_the_rule()


# --- Queries do not grow with the programmes -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("count", [10, 100])
def test_query_counts_are_pinned_whatever_the_number_of_programmes(cast, count):
    programmes = publish_many(cast, count)
    for programme in programmes[:3]:
        for commitment in Commitment.objects.filter(programme=programme):
            progress_report(
                commitment=commitment,
                status=ProgressStatus.ON_TRACK,
                value_reached=Decimal("50"),
                acting_user=cast.member.user,
            )
    cache.clear()
    # Home, cold: the wards, the grouped counts, the page's ids (one row more than shown), then the programmes and
    # their commitments for the cards.
    assert queries(home()) == 5
    # Then the counts and the cards come from the cache: only the page's ids are read.
    assert queries(home()) == 1
    # A ward's list: its organisations' counts (then kept like the wards') and the page's ids (its cards are the home
    # page's: every programme is in this ward); a second page, when there is one, reads its cards' programmes and
    # commitments once.
    assert queries(home(f"?khu_vuc={cast.ward.pk}")) == 2
    assert queries(home(f"?khu_vuc={cast.ward.pk}")) == 1
    assert queries(home(f"?khu_vuc={cast.ward.pk}&page=2")) == (3 if count > RESULTS_PER_PAGE else 1)
    assert queries(home(f"?khu_vuc={cast.ward.pk}&page=2")) == 1
    assert queries(home(f"?khu_vuc={cast.ward.pk}&to_chuc={cast.cell_a.pk}")) == 1
    # A search: the page's ids, no count; its cards are those already rendered. Asked again, its ids are kept too.
    assert queries(home("?q=tran+thi")) == 1
    assert queries(home("?q=tran+thi")) == 0
    assert queries(home("?q=Trần+Thị+Ánh")) == 1
    # Cold, a search costs what the home page does: the wards and their counts, the ids, the cards' rows.
    cache.clear()
    assert queries(home("?q=tran+thi")) == 5
    # The programme page: six queries, then none until a service changes it.
    assert queries(page_of(programmes[0])) == 6
    assert queries(page_of(programmes[0])) == 0
    # The changes page and the feed: versions and progress, each from its date index.
    assert queries(reverse("publicity:public_changes")) == 2
    assert queries(reverse("publicity:public_changes_feed")) == 2
    # One programme's feed and one ward's: the programme or the ward, then the same two.
    assert queries(reverse("publicity:programme_feed", args=[programmes[0].pk])) == 3
    assert queries(reverse("publicity:area_feed", args=[cast.ward.pk])) == 3


def test_the_area_counts_are_one_grouped_query_per_ward_depth_and_count_both_wards(cast):
    here = make_public(cast.member, cast.secretary.user)
    there = make_public(cast.member, cast.secretary.user, title="Ở phường khác")
    ActionProgramme.objects.filter(pk=there.pk).update(organisation=cast.other_ward)
    make_confirmed(cast.member, cast.secretary.user, title="Chỉ trong cấp ủy")
    cache.clear()

    counts = {area.organisation.pk: area.published for area in selectors.areas()}

    assert counts == {cast.ward.pk: 1, cast.other_ward.pk: 1}
    assert here.is_public is not None


def test_the_organisation_filter_offers_only_the_chosen_wards_organisations(cast):
    make_public(cast.member, cast.secretary.user)
    without_ward = Client().get(home()).text
    assert f'value="{cast.cell_a.pk}"' not in without_ward
    assert "Chọn phường, xã, đặc khu rồi bấm" in without_ward

    in_ward = Client().get(home(f"?khu_vuc={cast.ward.pk}")).text
    assert f'<option value="{cast.cell_a.pk}"' in in_ward
    elsewhere = Client().get(home(f"?khu_vuc={cast.other_ward.pk}")).text
    assert f'<option value="{cast.cell_a.pk}"' not in elsewhere


# --- Search --------------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query",
    ["nguyen van an", "Nguyễn Văn An", "NGUYEN VAN", "bi thu doan", "Bí thư Đoàn", "Chi bộ Khu phố 1A nguyen"],
)
def test_search_finds_names_and_titles_with_or_without_accents(cast, query):
    an = make_member(cast.cell_a, "an", full_name="Nguyễn Văn An")
    programme = make_public(an, cast.secretary.user)
    programme.position_title = "Bí thư Đoàn"
    programme.save(update_fields=["position_title"])
    make_public(cast.member, cast.secretary.user)

    found = selectors.programme_list(selectors.Filters(text=query))

    assert list(found.values_list("pk", flat=True)) == [programme.pk]


@pytest.mark.postgres
def test_search_matches_word_starts_only_and_follows_a_change_of_name(cast):
    van = make_member(cast.cell_a, "van", full_name="Lê Văn Toàn")
    programme = make_public(van, cast.secretary.user)
    assert not selectors.programme_list(selectors.Filters(text="oan")).exists()  # inside "toàn"
    assert selectors.programme_list(selectors.Filters(text="toan")).exists()

    van.full_name = "Lê Văn Thắng"
    van.save()

    assert list(selectors.programme_list(selectors.Filters(text="le van thang")).values_list("pk", flat=True)) == [
        programme.pk
    ]
    assert not selectors.programme_list(selectors.Filters(text="toan")).exists()


@pytest.mark.postgres
def test_a_search_of_several_words_lists_the_matches_by_name(cast):
    # Several words are sorted rather than read from the name index (see selectors._name_order): same order.
    for number, name in enumerate(["Nguyễn Văn Anh", "Bùi Văn An", "Nguyễn Văn An", "Đặng Văn An"]):
        make_public(make_member(cast.cell_a, f"an{number}", full_name=name), cast.secretary.user)
    make_public(make_member(cast.cell_a, "lan", full_name="Nguyễn Thị Lan"), cast.secretary.user)

    for text in ["van an", "nguyen van"]:
        names = [p.owner.full_name for p in selectors.programme_list(selectors.Filters(text=text))]
        assert names == sorted(names, key=fold), text
    assert [p.owner.full_name for p in selectors.programme_list(selectors.Filters(text="van an"))] == [
        "Bùi Văn An",
        "Đặng Văn An",
        "Nguyễn Văn An",
        "Nguyễn Văn Anh",
    ]


def _names_listed(address: str) -> list[str]:
    """The owners' names of a page of the public list, in the page's order."""
    ids = Client().get(address).context["page"].object_list
    names = dict(ActionProgramme.objects.filter(pk__in=ids).values_list("pk", "owner__full_name"))
    return [names[pk] for pk in ids]


def test_a_search_asked_again_is_kept_until_a_programme_enters_or_leaves_the_public_pages(cast):
    an = make_public(make_member(cast.cell_a, "an", full_name="Nguyễn Văn An"), cast.secretary.user)
    address = home("?q=nguyen+van+an")
    assert _names_listed(address) == ["Nguyễn Văn An"]
    assert queries(address) == 0

    anh = make_public(make_member(cast.cell_a, "anh", full_name="Nguyễn Văn Ánh"), cast.secretary.user)
    assert _names_listed(address) == ["Nguyễn Văn An", "Nguyễn Văn Ánh"]

    unpublish(an)
    assert _names_listed(address) == ["Nguyễn Văn Ánh"]
    assert _names_listed(home(f"?q=Nguyễn+Văn+An&khu_vuc={cast.ward.pk}")) == ["Nguyễn Văn Ánh"]

    # The status filter follows a closing, which leaves the programme public: read afresh every time.
    closed = home(f"?q=nguyen+van+an&trang_thai={selectors.StatusFilter.CLOSED.value}")
    assert _names_listed(closed) == []
    close_programme(cast.secretary.user, anh, ClosingReason.TERM_ENDED)
    assert _names_listed(closed) == ["Nguyễn Văn Ánh"]
    assert _names_listed(address) == ["Nguyễn Văn Ánh"]


@pytest.mark.postgres
def test_a_wards_list_and_a_search_are_in_name_order_page_after_page(cast):
    # A ward's list and a search sort the matches (selectors._name_order) where browsing reads the name index: the
    # same order, 20 a page, each page following the last; the other ward's programme in neither.
    names = [f"Nguyễn Văn {chr(ord('A') + number)}{number:02d}" for number in range(25)]
    for number, name in enumerate(reversed(names)):
        make_public(make_member(cast.cell_a, f"m{number}", full_name=name), cast.secretary.user)
    elsewhere = make_public(make_member(cast.cell_a, "far", full_name="Nguyễn Văn Xa"), cast.secretary.user)
    ActionProgramme.objects.filter(pk=elsewhere.pk).update(organisation=cast.other_ward)
    for query in (f"?khu_vuc={cast.ward.pk}", "?q=nguyen+van", f"?khu_vuc={cast.ward.pk}&q=van"):
        listed = _names_listed(home(query)) + _names_listed(home(f"{query}&page=2"))
        expected = sorted([*names, "Nguyễn Văn Xa"] if "khu_vuc" not in query else names, key=fold)
        assert listed == expected, query


def test_the_search_forms_ward_choices_follow_a_publication(cast):
    """The form's markup is cached with the list's stamp: a new publication shows in the ward's count at once."""
    make_public(cast.member, cast.secretary.user)
    option = f'<option value="{cast.ward.pk}">{cast.ward.name} (1)</option>'
    assert option in Client().get(home()).text
    assert option in Client().get(home()).text  # from the cache
    make_public(make_member(cast.cell_a, "bich", full_name="Trần Thị Bích"), cast.secretary.user)
    text = Client().get(home()).text
    assert option not in text and f'<option value="{cast.ward.pk}">{cast.ward.name} (2)</option>' in text
    # A value asked for is part of the key: the chosen ward is selected, and the plain page is not.
    chosen = Client().get(home(f"?khu_vuc={cast.ward.pk}")).text
    assert f'<option value="{cast.ward.pk}" selected>' in chosen
    assert f'<option value="{cast.ward.pk}" selected>' not in Client().get(home()).text


def test_a_wards_organisations_and_follow_form_are_kept_and_follow_a_publication(cast):
    programme = make_public(cast.member, cast.secretary.user)
    address = home(f"?khu_vuc={cast.ward.pk}")
    first = Client().get(address).text
    assert f'{cast.cell_a.name}</a> <span class="text-body-secondary">(1 chương trình)' in first
    assert queries(address) == 1  # the page's ids: the counts, the cards and the follow form are kept
    second = Client().get(address).text
    form = second[second.index('<section aria-labelledby="follow-heading"') :]
    assert form[: form.index("</section>")] in first  # the same form, its signed question included

    make_public(make_member(cast.cell_a, "bich", full_name="Trần Thị Bích"), cast.secretary.user)
    assert f'{cast.cell_a.name}</a> <span class="text-body-secondary">(2 chương trình)' in Client().get(address).text
    unpublish(programme)
    assert f'{cast.cell_a.name}</a> <span class="text-body-secondary">(1 chương trình)' in Client().get(address).text


def test_the_list_of_wards_on_the_page_follows_a_publication(cast):
    programme = make_public(cast.member, cast.secretary.user)
    assert cast.ward.name in Client().get(home()).text  # now cached with the list's stamp

    unpublish(programme)
    assert cast.ward.name not in Client().get(home()).text
    publish(programme)
    make_public(make_member(cast.cell_a, "bich", full_name="Trần Thị Bích"), cast.secretary.user)
    text = Client().get(home()).text
    assert cast.ward.name in text and "(2 chương trình)" in text


# --- The cached programme page changes with every service ------------------------------------------------------


def _reported(programme: ActionProgramme) -> None:
    commitment = Commitment.objects.filter(programme=programme).first()
    assert commitment is not None
    progress_report(
        commitment=commitment,
        status=ProgressStatus.ON_TRACK,
        value_reached=Decimal("77"),
        note="Đã tổ chức 3 buổi sinh hoạt chuyên đề",
        acting_user=owner_user(programme),
    )


def test_a_change_through_each_service_shows_on_the_next_request(cast):
    programme = make_public(cast.member, cast.secretary.user)
    address = page_of(programme)
    first = Client().get(address)
    assert Client().get(address).content == first.content  # from the cache

    _reported(programme)
    assert Client().get(address).content != first.content

    amend_target(programme, cast.secretary.user, "88", reason="Điều chỉnh theo nghị quyết mới")
    assert "Điều chỉnh theo nghị quyết mới" in Client().get(address).text

    commitment = Commitment.objects.filter(programme=programme).order_by("pk").first()
    assert commitment is not None
    before = Client().get(address).text
    publication.commitment_publicity_set(
        commitment=commitment, cap=PublicityLevel.COMMITTEE, acting_user=owner_user(programme)
    )
    assert Client().get(address).text != before

    publication.publicity_set(programme=programme, level=PublicityLevel.OVERSIGHT, acting_user=owner_user(programme))
    assert Client().get(address).status_code == 404
    assert programme.title not in Client().get(home()).text
    publication.publicity_set(programme=programme, level=PublicityLevel.PUBLIC, acting_user=owner_user(programme))
    assert Client().get(address).status_code == 200

    unpublish(programme)
    assert Client().get(address).status_code == 404
    assert selectors.areas() == []
    publish(programme)
    assert Client().get(address).status_code == 200
    assert [area.published for area in selectors.areas()] == [1]


def test_a_signed_in_reader_and_a_visitor_with_cookies_are_never_served_the_shared_copy(cast, client):
    programme = make_public(cast.member, cast.secretary.user)
    Client().get(page_of(programme))
    client.force_login(cast.member.user)
    assert "Đăng xuất" in client.get(page_of(programme)).text


# --- The cards of the list are kept, and change with every service -------------------------------------------------


def _card(programme: ActionProgramme, query: str = "") -> str:
    """The programme's card on the public list, as a visitor gets it."""
    text = Client().get(home(query)).text
    start = text.index(f'<article class="card mb-3" aria-labelledby="ket-qua-{programme.pk}">')
    return text[start : text.index("</article>", start)]


def _card_rendered_afresh(programme: ActionProgramme) -> str:
    cache.clear()
    return _card(programme)


def test_a_card_of_the_list_is_rendered_once_and_changes_with_each_service(cast, monkeypatch):
    programme = make_public(cast.member, cast.secretary.user)
    first = _card(programme)
    assert "Đang thực hiện" in first
    # Kept: a search and a ward's list show the same card without reading the programme again.
    search = "?q=" + programme.owner.full_name
    with CaptureQueriesContext(connection) as context:
        assert _card(programme, search) == first
    assert len(context) == 1  # the page's ids
    assert _card(programme, f"?khu_vuc={cast.ward.pk}") == first
    # What is overdue changes at midnight: on another day the card is another one.
    assert "2 nội dung quá hạn</span>" in first
    monkeypatch.setattr(timezone, "localdate", lambda *args: programme.term_start)
    assert "quá hạn</span>" not in _card(programme)
    monkeypatch.undo()

    done = Commitment.objects.filter(programme=programme).order_by("pk").last()
    assert done is not None
    progress_report(
        commitment=done,
        status=ProgressStatus.DONE,
        links=["https://phuong.example.vn/bien-ban"],
        acting_user=owner_user(programme),
    )
    reported = _card(programme)
    assert reported != first and reported == _card_rendered_afresh(programme)

    commitment = Commitment.objects.filter(programme=programme).order_by("pk").first()
    assert commitment is not None
    publication.commitment_publicity_set(
        commitment=commitment, cap=PublicityLevel.COMMITTEE, acting_user=owner_user(programme)
    )
    capped = _card(programme)
    assert capped != reported and capped == _card_rendered_afresh(programme)

    amend_target(programme, cast.secretary.user, "88")
    assert _card(programme) == _card_rendered_afresh(programme)

    close_programme(cast.secretary.user, programme, ClosingReason.TERM_ENDED)
    closed = _card(programme)
    assert "Đã kết thúc" in closed and closed == _card_rendered_afresh(programme)

    unpublish(programme)
    assert f"ket-qua-{programme.pk}" not in Client().get(home()).text


def test_a_ward_without_published_programmes_is_reported_and_left_out(cast):
    programme = make_public(cast.member, cast.secretary.user)
    text = Client().get(home(f"?khu_vuc={cast.other_ward.pk}&q=tran")).text
    assert "Không có chương trình nào được công khai ở địa bàn này." in text
    # The rest of the search still applies.
    assert f"ket-qua-{programme.pk}" in text
    chosen = Client().get(home(f"?khu_vuc={cast.ward.pk}")).text
    assert "Không có chương trình nào được công khai ở địa bàn này." not in chosen
    assert f'<option value="{cast.ward.pk}" selected>' in chosen
