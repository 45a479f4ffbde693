"""The public pages, for visitors without an account: only published programmes, only what may be shown."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes import publication, services
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    ActionProgramme,
    Commitment,
    CommitmentTerms,
    Evidence,
    Occasion,
    ProgrammeState,
    ProgressStatus,
    PublicityLevel,
)
from tests.factories import make_member
from tests.pages import missing_from
from tests.programmes.programme_data import make_confirmed, make_draft, submit
from tests.publicity.public_data import AMENDMENT_REASON, amend_target, make_public, owner_user, publish, unpublish

pytestmark = pytest.mark.django_db

HOME = "publicity:public_home"
# Inside the test programmes' term (2026) and before any day these tests run.
PAST_DEADLINE = datetime.date(2026, 1, 31)
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def home(query: str = "") -> str:
    return reverse(HOME) + query


def page_of(programme: ActionProgramme) -> str:
    return reverse("publicity:public_programme", args=[programme.pk])


def get(url: str, client: Client | None = None):
    return (client or Client()).get(url)


def commitments_in_force(programme: ActionProgramme) -> list[Commitment]:
    assert programme.current_version is not None
    return [terms.commitment for terms in programme.current_version.terms.select_related("commitment")]


def all_public_addresses(programme: ActionProgramme) -> list[str]:
    return [
        home(),
        page_of(programme),
        reverse("publicity:public_changes"),
        reverse("publicity:public_changes_feed"),
        reverse("publicity:public_about"),
        reverse("publicity:report_verify"),
        reverse("publicity:sitemap"),
    ]


@pytest.fixture
def nen(cast):
    """Nguyễn Văn Nên, a member of cell A whose programme the secretary confirms."""
    return make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên")


# --- What is listed ------------------------------------------------------------------------------------------


def test_home_lists_published_programmes_and_nothing_else(cast, nen):
    published = make_public(nen, cast.secretary.user, title="Chương trình công khai của đồng chí Nên")
    make_confirmed(cast.member, cast.secretary.user, title="Chương trình chỉ trong cấp ủy")
    make_draft(cast.outsider, title="Bản nháp của đồng chí Cường")

    response = get(home())

    assert response.status_code == 200
    assert "Nguyễn Văn Nên" in response.text
    assert published.title in response.text
    assert page_of(published) in response.text
    assert "Chương trình chỉ trong cấp ủy" not in response.text
    assert "Bản nháp của đồng chí Cường" not in response.text


def test_results_show_position_organisation_term_progress_and_overdue(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    first = commitments_in_force(programme)[0]
    progress_report(commitment=first, status=ProgressStatus.ON_TRACK, value_reached=Decimal("90"), acting_user=nen.user)
    CommitmentTerms.objects.filter(version=programme.current_version).update(deadline=PAST_DEADLINE)

    text = get(home()).text

    assert programme.organisation_name in text
    assert "01/01/2026 – 31/12/2026" in text
    # 60/40 weights, the first half way from 80 to 100: 30%.
    assert 'aria-valuenow="30"' in text
    # Both deadlines have passed unfinished.
    assert "2 nội dung quá hạn" in text


@pytest.mark.parametrize("query", ["nguyen van nen", "NGUYEN VAN NEN", "Nguyễn Văn Nên", "nen", "van nen"])
def test_unaccented_search_finds_the_accented_name(cast, nen, query):
    make_public(nen, cast.secretary.user)
    make_public(cast.member, cast.secretary.user)

    text = get(home(f"?q={query}")).text

    assert "Nguyễn Văn Nên" in text
    assert "Trần Thị Ánh" not in text


def test_search_matches_the_beginning_of_words_only(cast, nen):
    make_public(nen, cast.secretary.user)
    # "an" is inside "van" but begins no word of "Nguyễn Văn Nên".
    assert "Nguyễn Văn Nên" not in get(home("?q=an")).text


def test_search_by_organisation_or_position_ignores_accents(cast, nen):
    make_public(nen, cast.secretary.user)
    programme = ActionProgramme.objects.get(owner=nen)
    programme.position_title = "Phó Chủ tịch UBND phường Bến Thành"
    programme.save(update_fields=["position_title"])  # save() keeps the folded copy the search reads

    assert "Nguyễn Văn Nên" in get(home("?q=chi bo khu pho 1a")).text
    assert "Nguyễn Văn Nên" in get(home("?q=pho chu tich ben thanh")).text
    assert "Nguyễn Văn Nên" in get(home("?q=nen ben thanh")).text
    assert "Nguyễn Văn Nên" not in get(home("?q=khu pho 1b")).text


def test_filters_by_occasion_status_and_overdue(cast, nen):
    annual = make_public(nen, cast.secretary.user, occasion=Occasion.ANNUAL, title="Cam kết năm 2026")
    finished = make_public(cast.member, cast.secretary.user, title="Chương trình đã xong")
    for commitment in commitments_in_force(finished):
        progress_report(
            commitment=commitment,
            status=ProgressStatus.DONE,
            links=["https://example.vn/ket-qua"],
            acting_user=cast.member.user,
        )
    ActionProgramme.objects.filter(pk=finished.pk).update(state=ProgrammeState.CLOSED)
    CommitmentTerms.objects.filter(version=annual.current_version).update(deadline=PAST_DEADLINE)

    by_occasion = get(home("?ly_do=annual")).text
    assert annual.title in by_occasion and finished.title not in by_occasion
    closed = get(home("?trang_thai=da-ket-thuc")).text
    assert finished.title in closed and annual.title not in closed
    running = get(home("?trang_thai=dang-thuc-hien")).text
    assert annual.title in running and finished.title not in running
    overdue = get(home("?qua_han=on")).text
    assert annual.title in overdue and finished.title not in overdue


def test_browse_by_area_and_organisation_with_counts(cast, nen):
    make_public(nen, cast.secretary.user)
    make_public(cast.member, cast.secretary.user)
    text = get(home()).text
    assert "Đảng bộ phường Bến Thành" in text
    assert "(2 chương trình)" in text
    assert "Đảng bộ phường Sài Gòn" not in text  # nothing published there

    in_ward = get(home(f"?khu_vuc={cast.ward.pk}")).text
    assert "Tổ chức đảng thuộc Đảng bộ phường Bến Thành" in in_ward
    assert "Chi bộ Khu phố 1A" in in_ward
    by_organisation = get(home(f"?khu_vuc={cast.ward.pk}&to_chuc={cast.cell_a.pk}")).text
    assert "Nguyễn Văn Nên" in by_organisation and "Trần Thị Ánh" in by_organisation

    elsewhere = get(home(f"?to_chuc={cast.cell_b.pk}")).text
    assert "Một số điều kiện không dùng được" in elsewhere
    assert "Nguyễn Văn Nên" in elsewhere  # the unknown choice is left out, the rest applies


def test_results_are_paginated(cast, settings, monkeypatch):
    monkeypatch.setattr("publicity.views.RESULTS_PER_PAGE", 1)
    make_public(cast.member, cast.secretary.user)
    make_public(cast.member, cast.secretary.user, title="Chương trình thứ hai")

    first = get(home()).text
    assert "Trang 1" in first and "Trang sau" in first and "Trang trước" not in first
    second = get(home("?page=2")).text
    assert "Trang 2" in second and "Trang trước" in second and "Trang sau" not in second


# --- One programme -------------------------------------------------------------------------------------------


def test_programme_page_shows_commitments_targets_deadlines_status_and_the_confirmers_title(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    version = programme.current_version
    assert version is not None

    response = get(page_of(programme))

    assert response.status_code == 200
    text = response.text
    assert (
        missing_from(
            text,
            programme.title,
            "Nguyễn Văn Nên",
            "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1",
            "Tỷ lệ hồ sơ giải quyết đúng hạn",
            "80 → 100 %",
            "30/06/2026",
            "Chưa bắt đầu",
        )
        == []
    )
    assert "no action" not in text.lower()
    assert version.confirmer_title and version.confirmer_title in text
    assert version.confirmed_at is not None
    assert f"{timezone.localtime(version.confirmed_at):%d/%m/%Y}" in text
    assert "Chương trình chưa được điều chỉnh lần nào" in text


@pytest.mark.parametrize(
    "change",
    [
        "not_published",
        "oversight_only",
        "consent_withdrawn",
        "withdrawn",
    ],
)
def test_a_programme_not_public_is_404(cast, nen, change):
    programme = make_confirmed(nen, cast.secretary.user)
    if change == "oversight_only":
        publication.consent_give(programme=programme, acting_user=nen.user)
        publication.publicity_set(programme=programme, level=PublicityLevel.OVERSIGHT, acting_user=nen.user)
    elif change == "consent_withdrawn":
        publish(programme)
        unpublish(programme)
    elif change == "withdrawn":
        publish(programme)
        ActionProgramme.objects.filter(pk=programme.pk).update(state=ProgrammeState.WITHDRAWN)

    assert get(page_of(programme)).status_code == 404
    assert programme.title not in get(home()).text


def test_a_confirmer_maximum_below_public_keeps_it_off_the_pages(cast, nen):
    programme = make_confirmed(nen, cast.secretary.user, publicity_max=PublicityLevel.OVERSIGHT)
    publication.consent_give(programme=programme, acting_user=nen.user)
    publication.publicity_set(programme=programme, level=PublicityLevel.OVERSIGHT, acting_user=nen.user)
    assert get(page_of(programme)).status_code == 404


def test_an_unknown_programme_is_404(db):
    assert get(reverse("publicity:public_programme", args=[999999])).status_code == 404


def test_a_commitment_held_below_public_is_left_out_everywhere(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    first, second = commitments_in_force(programme)
    publication.commitment_publicity_set(commitment=second, cap=PublicityLevel.COMMITTEE, acting_user=nen.user)
    services_text = "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 2"
    progress_report(commitment=second, status=ProgressStatus.AT_RISK, value_reached=Decimal("81"), acting_user=nen.user)
    progress_report(commitment=first, status=ProgressStatus.ON_TRACK, value_reached=Decimal("90"), acting_user=nen.user)

    page = get(page_of(programme)).text
    assert "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1" in page
    assert services_text not in page
    assert "Có nguy cơ chậm" not in page
    # The hidden commitment weighs nothing: the first alone, half way, is 50%.
    assert 'aria-label="Tiến độ chung của chương trình" aria-valuenow="50"' in page
    for address in (reverse("publicity:public_changes"), reverse("publicity:public_changes_feed")):
        text = get(address).text
        assert services_text not in text, address
        assert "Có nguy cơ chậm" not in text, address


def test_the_amended_target_shows_next_to_the_baseline_with_its_reason_and_count(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    amend_target(programme, cast.secretary.user, "90")
    amend_target(programme, cast.secretary.user, "95", reason="Chỉ tiêu thành phố giao tăng thêm.")

    text = get(page_of(programme)).text

    assert (
        missing_from(
            text,
            "Chỉ tiêu đã thay đổi 2 lần",
            AMENDMENT_REASON,
            "Chỉ tiêu thành phố giao tăng thêm.",
            "Chương trình đã được điều chỉnh 2 lần",
            "Bản đăng ký ban đầu (phiên bản 1) và bản đang có hiệu lực (phiên bản 3)",
        )
        == []
    )
    assert "80 → 95 %" in text  # the version in force
    assert re.search(r"<del>.*?100.*?</del>", text, re.S)  # the registered target, next to the current one
    assert re.search(r"<ins>.*?95.*?</ins>", text, re.S)


def test_an_amendment_not_yet_confirmed_stays_off_the_public_page(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    version = services.amendment_start(programme=programme, reason="Lý do còn đang cân nhắc", acting_user=nen.user)
    first = version.terms.order_by("position").first()
    assert first is not None
    services.commitment_update(terms=first, content={"target_value": Decimal("77")}, acting_user=nen.user)
    submit(programme, version.number)

    text = get(page_of(programme)).text

    assert "Lý do còn đang cân nhắc" not in text
    assert "80 → 77" not in text
    assert "Chương trình chưa được điều chỉnh lần nào" in text
    assert "Lý do còn đang cân nhắc" not in get(reverse("publicity:public_changes")).text


def test_public_evidence_only_links_and_files_marked_public(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    first = commitments_in_force(programme)[0]
    progress_report(
        commitment=first,
        status=ProgressStatus.DONE,
        files=[SimpleUploadedFile("bien-ban-cong-khai.pdf", PDF_BYTES, content_type="application/pdf")],
        links=["https://example.vn/bao-cao-cong-khai", "https://example.vn/noi-bo"],
        acting_user=nen.user,
    )
    public_file = Evidence.objects.get(original_name="bien-ban-cong-khai.pdf")
    public_link = Evidence.objects.get(link="https://example.vn/bao-cao-cong-khai")
    private_link = Evidence.objects.get(link="https://example.vn/noi-bo")
    for item in (public_file, public_link):
        publication.evidence_publicity_set(evidence=item, is_public=True, acting_user=nen.user)

    text = get(page_of(programme)).text
    assert "https://example.vn/bao-cao-cong-khai" in text
    assert "https://example.vn/noi-bo" not in text
    download = reverse("publicity:public_evidence", args=[public_file.pk])
    assert download in text
    assert f'href="{reverse("programmes:evidence_download", args=[public_file.pk])}"' not in text

    response = get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    response.close()
    assert get(reverse("publicity:public_evidence", args=[private_link.pk])).status_code == 404

    publication.evidence_publicity_set(evidence=public_file, is_public=False, acting_user=nen.user)
    assert get(download).status_code == 404
    publication.evidence_publicity_set(evidence=public_file, is_public=True, acting_user=nen.user)
    publication.commitment_publicity_set(commitment=first, cap=PublicityLevel.OVERSIGHT, acting_user=nen.user)
    assert get(download).status_code == 404
    publication.commitment_publicity_set(commitment=first, cap=None, acting_user=nen.user)
    served = get(download)
    assert served.status_code == 200
    served.close()
    unpublish(programme)
    assert get(download).status_code == 404


# --- Recent changes and the feed -----------------------------------------------------------------------------


def test_recent_changes_list_confirmations_amendments_and_progress_newest_first(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    first = commitments_in_force(programme)[0]
    progress_report(commitment=first, status=ProgressStatus.ON_TRACK, value_reached=Decimal("85"), acting_user=nen.user)
    amend_target(programme, cast.secretary.user, "90")

    text = get(reverse("publicity:public_changes")).text

    confirmed = text.index("Chương trình được xác nhận")
    progress = text.index("Cập nhật tiến độ")
    amended = text.index("Điều chỉnh được xác nhận")
    assert amended < progress < confirmed
    assert AMENDMENT_REASON in text
    assert "Đúng tiến độ" in text
    assert f"{page_of(programme)}#cam-ket-{first.pk}" in text


def test_the_atom_feed_carries_the_same_entries(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    amend_target(programme, cast.secretary.user, "90")

    response = get(reverse("publicity:public_changes_feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    text = response.content.decode()
    assert text.count("<entry>") == 2
    assert "Điều chỉnh được xác nhận: Nguyễn Văn Nên" in text
    assert f"http://testserver{page_of(programme)}" in text
    assert "<id>tag:127.0.0.1,20" in text


def test_unpublishing_removes_the_programme_from_every_page_at_once(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    progress_report(
        commitment=commitments_in_force(programme)[0],
        status=ProgressStatus.ON_TRACK,
        value_reached=Decimal("85"),
        acting_user=nen.user,
    )
    listed = {
        "home": home(),
        "search": home("?q=nguyen van nen"),
        "changes": reverse("publicity:public_changes"),
        "feed": reverse("publicity:public_changes_feed"),
        "sitemap": reverse("publicity:sitemap"),
    }
    for name, address in listed.items():
        assert page_of(programme) in get(address).content.decode(), name
    assert get(page_of(programme)).status_code == 200

    unpublish(programme)

    assert programme.publication_consent_at is None
    for name, address in listed.items():
        text = get(address).content.decode()
        assert page_of(programme) not in text, name
        assert "Nguyễn Văn Nên" not in text, name
    assert get(page_of(programme)).status_code == 404


def test_sitemap_lists_the_public_pages_and_each_published_programme(cast, nen):
    published = make_public(nen, cast.secretary.user)
    private = make_confirmed(cast.member, cast.secretary.user)

    text = get(reverse("publicity:sitemap")).content.decode()

    assert f"<loc>http://testserver{page_of(published)}</loc>" in text
    assert page_of(private) not in text
    for name in ("public_home", "public_changes", "public_about", "report_verify"):
        assert f"<loc>http://testserver{reverse('publicity:' + name)}</loc>" in text
    assert "<lastmod>" in text


# --- The about page ------------------------------------------------------------------------------------------


def test_about_explains_statuses_publicity_levels_and_feedback(db):
    text = get(reverse("publicity:public_about")).text
    for label in ("Chưa bắt đầu", "Đúng tiến độ", "Vượt chỉ tiêu", "Công khai nhân dân", "Nội bộ chi bộ"):
        assert label in text
    assert "Mặt trận Tổ quốc" in text
    assert "mã theo dõi" in text


# --- Cache headers, methods, markup --------------------------------------------------------------------------


def test_public_pages_are_cacheable_by_anyone_for_five_minutes(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    for address in all_public_addresses(programme):
        if address == reverse("publicity:report_verify"):
            continue
        response = get(address)
        assert response.status_code == 200, address
        assert "public" in response["Cache-Control"], address
        assert "max-age=300" in response["Cache-Control"], address
        vary = response["Vary"]
        assert "Accept-Language" in vary and "Cookie" in vary, address
        # A cookie would make every visitor's copy different and keep shared caches from storing it.
        assert not response.cookies, (address, list(response.cookies))


def test_an_anonymous_visitor_switches_language_by_links_and_gets_no_cookie(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    response = get(page_of(programme))
    assert 'hreflang="en"' in response.text
    assert 'action="/i18n/setlang/"' not in response.text
    assert not response.cookies


def test_the_verification_page_is_kept_only_briefly(db):
    response = get(reverse("publicity:report_verify") + "?ma=ABCDE-12345")
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]


def test_for_a_signed_in_person_the_pages_are_private(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    client = Client()
    client.force_login(owner_user(programme))
    response = client.get(page_of(programme))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_public_pages_answer_get_only(cast, nen):
    """Every public page but the verification page, which takes a PDF to check (and stores nothing of it)."""
    programme = make_public(nen, cast.secretary.user)
    verify = reverse("publicity:report_verify")
    for address in all_public_addresses(programme):
        if address != verify:
            assert Client().post(address).status_code == 405, address
    empty = Client().post(verify)
    assert empty.status_code == 200


def test_everyone_sees_the_public_link_in_the_header(cast):
    anonymous = get(reverse("login")).text
    assert f'href="{home()}"' in anonymous
    client = Client()
    client.force_login(cast.member.user)
    assert f'href="{home()}"' in client.get(reverse("programmes:dashboard")).text


def test_public_pages_have_nothing_inline_that_the_content_security_policy_would_block(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    amend_target(programme, cast.secretary.user, "90")
    for address in all_public_addresses(programme):
        text = get(address).content.decode()
        assert " style=" not in text, address
        assert "<script>" not in text and "<style" not in text, address
        assert not re.search(r"\son[a-z]+=", text), address


def test_pages_also_answer_in_english(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    for address in all_public_addresses(programme):
        english = "/en" + address
        response = get(english)
        assert response.status_code == 200, english
        if response["Content-Type"].startswith("text/html"):
            assert '<html lang="en">' in response.text, english


# --- Query counts --------------------------------------------------------------------------------------------


def _queries(address: str) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as context:
        assert client.get(address).status_code == 200
    return len(context)


def test_programme_page_query_count_does_not_grow_with_commitments(cast, nen, django_assert_num_queries):
    small = make_public(nen, cast.secretary.user, weights=(100,))
    large = make_public(nen, cast.secretary.user, weights=(20, 20, 20, 20, 10, 10), title="Sáu nội dung")
    for programme in (small, large):
        for commitment in commitments_in_force(programme):
            progress_report(
                commitment=commitment,
                status=ProgressStatus.ON_TRACK,
                value_reached=Decimal("90"),
                links=["https://example.vn/minh-chung"],
                acting_user=nen.user,
            )
        for evidence in Evidence.objects.filter(commitment__programme=programme):
            publication.evidence_publicity_set(evidence=evidence, is_public=True, acting_user=nen.user)
        amend_target(programme, cast.secretary.user, "90")

    assert _queries(page_of(small)) == _queries(page_of(large))
    cache.clear()
    # Pinned: the programme, its versions, their commitments, milestones, public evidence and answered feedback;
    # then none, from the cache, until a service changes the programme.
    with django_assert_num_queries(6):
        response = Client().get(page_of(large))
    with django_assert_num_queries(0):
        assert Client().get(page_of(large)).content == response.content
    assert response.text.count('href="https://example.vn/minh-chung"') == 6
