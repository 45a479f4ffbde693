"""The programme page, progress reports with evidence, and the private evidence download, for the cast."""

import datetime
import hashlib
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.action_programmes import services
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    Commitment,
    Evidence,
    Occasion,
    ProgrammeVersion,
    ProgressReport,
    ProgressStatus,
    PublicityLevel,
    ReadEvent,
    ReadKind,
)
from tests.factories import client_for
from tests.programmes.programme_data import (
    PRIVATE_DETAILS_SHOWN,
    commitment_content,
    give_private_details,
    make_confirmed,
    make_draft,
    submit,
)

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def detail_url(programme) -> str:
    return reverse("programmes:programme_detail", args=[programme.pk])


def version_in_force(programme) -> ProgrammeVersion:
    assert programme.current_version is not None
    return programme.current_version


def first_commitment(programme) -> Commitment:
    return version_in_force(programme).terms.get(position=1).commitment


def progress_url(programme, commitment) -> str:
    return reverse("programmes:progress_new", args=[programme.pk, commitment.pk])


def pdf_upload(name: str = "bien-ban.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def report_with_pdf(programme, commitment, client=None, **data):
    client = client or client_for(programme.owner.user)
    payload: dict[str, Any] = {"status": ProgressStatus.DONE, "value_reached": "100", "note": "Đã xong", "links": ""}
    payload.update(data)
    payload.setdefault("evidence_files", [pdf_upload()])
    return client.post(progress_url(programme, commitment), payload)


# --- Who may open the programme page -------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_page(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = first_commitment(programme)
    progress_report(
        commitment=commitment,
        status=ProgressStatus.DONE,
        files=[pdf_upload()],
        acting_user=cast.member.user,
    )
    evidence = Evidence.objects.get()
    client = Client()
    for url in (
        detail_url(programme),
        progress_url(programme, commitment),
        reverse("programmes:evidence_download", args=[evidence.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_owner_sees_the_confirmed_programme_with_every_commitment_and_owner_actions(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    response = client_for(cast.member.user).get(detail_url(programme))
    assert response.status_code == 200
    text = response.text
    assert programme.title in text
    assert "Trần Thị Ánh" in text
    assert programme.position_title in text
    assert programme.organisation_name in text
    assert "01/01/2026" in text and "31/12/2026" in text
    assert "Đã xác nhận, đang thực hiện" in text
    assert "Lê Văn Bình" in text  # who confirmed
    assert "Nội bộ cấp ủy" in text  # publicity level after the first confirmation
    assert "đợt 1" in text and "đợt 2" in text
    assert "Rà soát hồ sơ hằng tuần" in text
    assert "Sổ theo dõi hồ sơ" in text
    assert text.count("Báo cáo tiến độ</a>") + text.count("Báo cáo tiến độ<span") == 2
    for commitment in Commitment.objects.filter(programme=programme):
        assert progress_url(programme, commitment) in text
    assert reverse("programmes:programme_pdf", args=[programme.pk]) in text
    assert reverse("programmes:amendment_start", args=[programme.pk]) in text
    assert 'role="progressbar"' in text


def test_confirmer_sees_the_programme_without_the_owner_actions(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    response = client_for(cast.secretary.user).get(detail_url(programme))
    assert response.status_code == 200
    assert programme.title in response.text
    assert reverse("programmes:amendment_start", args=[programme.pk]) not in response.text
    assert progress_url(programme, first_commitment(programme)) not in response.text


def test_cell_member_reads_a_colleagues_programme_published_to_the_cell(cast):
    # The secretary's programme is confirmed by the head of the grassroots committee; Alice is in the same cell.
    programme = make_confirmed(cast.secretary, cast.head.user, publicity_max=PublicityLevel.CELL)
    assert programme.publicity_level == PublicityLevel.CELL
    assert client_for(cast.member.user).get(detail_url(programme)).status_code == 200
    # Committee staff read from the committee level up only.
    assert client_for(cast.committee_staff.user).get(detail_url(programme)).status_code == 404


def test_committee_staff_read_a_programme_published_to_the_committee(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    assert programme.publicity_level == PublicityLevel.COMMITTEE
    response = client_for(cast.committee_staff.user).get(detail_url(programme))
    assert response.status_code == 200
    assert programme.title in response.text


def test_outsider_gets_404_for_the_page_and_the_progress_form(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    client = client_for(cast.outsider.user)
    assert client.get(detail_url(programme)).status_code == 404
    assert client.get(progress_url(programme, first_commitment(programme))).status_code == 404
    assert client.get(reverse("programmes:programme_detail", args=[999999])).status_code == 404


def test_only_the_owner_reports_progress(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    url = progress_url(programme, first_commitment(programme))
    assert client_for(cast.secretary.user).get(url).status_code == 403
    assert client_for(cast.committee_staff.user).get(url).status_code == 403


# --- Before confirmation and during an amendment -------------------------------------------------------------


def test_before_confirmation_the_page_shows_the_draft_with_its_state(cast):
    programme = make_draft(cast.member)
    response = client_for(cast.member.user).get(detail_url(programme))
    assert response.status_code == 200
    text = response.text
    assert "Chương trình chưa được xác nhận" in text
    assert "Bản nháp" in text
    assert "đợt 1" in text
    assert reverse("programmes:programme_edit", args=[programme.pk]) in text
    assert reverse("programmes:programme_pdf", args=[programme.pk]) not in text
    assert "/tien-do/" not in text
    # Nobody else reads a draft.
    assert client_for(cast.secretary.user).get(detail_url(programme)).status_code == 404


def test_confirmer_of_a_submitted_programme_gets_the_link_to_review_it(cast):
    programme = make_draft(cast.member)
    submit(programme)
    review_url = reverse("programmes:programme_review", args=[programme.pk, 1])
    response = client_for(cast.secretary.user).get(detail_url(programme))
    assert response.status_code == 200
    assert "Chờ xác nhận" in response.text
    assert review_url in response.text
    owner_page = client_for(cast.member.user).get(detail_url(programme))
    assert review_url not in owner_page.text
    assert reverse("programmes:programme_edit", args=[programme.pk]) not in owner_page.text


def test_pending_amendment_is_announced_with_edit_and_compare_links(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Điều chỉnh chỉ tiêu quý 3", acting_user=cast.member.user)
    compare = reverse("programmes:version_compare", args=[programme.pk]) + "?tu=1&amp;den=2"

    owner_page = client_for(cast.member.user).get(detail_url(programme)).text
    assert "Có bản điều chỉnh (phiên bản 2)" in owner_page
    assert "Điều chỉnh chỉ tiêu quý 3" in owner_page
    assert "Sửa bản điều chỉnh" in owner_page
    assert reverse("programmes:programme_edit", args=[programme.pk]) in owner_page
    assert compare in owner_page
    # Nothing else to amend while one is pending; the version in force is still the one shown.
    assert reverse("programmes:amendment_start", args=[programme.pk]) not in owner_page
    assert "Nội dung cam kết (phiên bản 1)" in owner_page

    # The confirmer of version 1 reads the programme, not the owner's draft; once it is sent, they review it.
    confirmer = client_for(cast.secretary.user)
    confirmer_page = confirmer.get(detail_url(programme)).text
    assert "Có bản điều chỉnh" not in confirmer_page
    assert "Điều chỉnh chỉ tiêu quý 3" not in confirmer_page
    assert compare not in confirmer_page
    submit(programme, 2)
    confirmer_page = confirmer.get(detail_url(programme)).text
    assert "Sửa bản điều chỉnh" not in confirmer_page
    assert "Điều chỉnh chỉ tiêu quý 3" in confirmer_page
    assert compare in confirmer_page
    assert confirmer.get(reverse("programmes:version_compare", args=[programme.pk]) + "?tu=1&den=2").status_code == 200


def test_readers_never_see_an_amendment_being_drafted_or_one_withdrawn(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Lý do còn đang cân nhắc", acting_user=cast.member.user)
    services.version_withdraw(version=programme.versions.get(number=2), acting_user=cast.member.user)
    services.amendment_start(programme=programme, reason="Bản nháp thứ hai", acting_user=cast.member.user)
    compare_address = reverse("programmes:version_compare", args=[programme.pk])
    for reader in (cast.secretary.user, cast.committee_staff.user, cast.head.user, cast.org_board):
        page = client_for(reader).get(detail_url(programme)).text
        assert "Lý do còn đang cân nhắc" not in page
        assert "Bản nháp thứ hai" not in page
        assert "Có bản điều chỉnh" not in page
        assert f"{compare_address}?tu=" not in page
    owner_page = client_for(cast.member.user).get(detail_url(programme)).text
    assert "Lý do còn đang cân nhắc" in owner_page
    assert "Bản nháp thứ hai" in owner_page


def test_no_programme_page_shows_the_owners_private_details(cast):
    give_private_details(cast.member)
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Điều chỉnh chỉ tiêu", acting_user=cast.member.user)
    submit(programme, 2)
    secretary = client_for(cast.secretary.user)
    pages = [
        secretary.get(detail_url(programme)),
        secretary.get(reverse("programmes:programme_list")),
        secretary.get(reverse("programmes:confirmation_queue")),
        secretary.get(reverse("programmes:programme_review", args=[programme.pk, 2])),
        secretary.get(reverse("programmes:version_compare", args=[programme.pk])),
        client_for(cast.head.user).get(detail_url(programme)),
    ]
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert "Trần Thị Ánh" in response.text
        for secret in PRIVATE_DETAILS_SHOWN:
            assert secret not in response.text, (response.request["PATH_INFO"], secret)


def test_programme_pages_have_nothing_inline_that_the_content_security_policy_would_block(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Điều chỉnh chỉ tiêu", acting_user=cast.member.user)
    owner = client_for(cast.member.user)
    commitment = first_commitment(programme)
    addresses = [
        reverse("programmes:programme_list"),
        reverse("programmes:programme_create"),
        detail_url(programme),
        reverse("programmes:programme_edit", args=[programme.pk]),
        reverse("programmes:version_withdraw", args=[programme.pk]),
        reverse("programmes:version_compare", args=[programme.pk]),
        progress_url(programme, commitment),
        reverse("programmes:notification_list"),
    ]
    for address in addresses:
        text = owner.get(address).text
        assert " style=" not in text, address
        assert "<script>" not in text and "<style" not in text, address
        assert not re.search(r"\son[a-z]+=", text), address
    submit(programme, 2)
    secretary = client_for(cast.secretary.user)
    for address in (
        reverse("programmes:confirmation_queue"),
        reverse("programmes:programme_review", args=[programme.pk, 2]),
    ):
        text = secretary.get(address).text
        assert " style=" not in text and "<script>" not in text, address
        assert not re.search(r"\son[a-z]+=", text), address


# --- Progress reports with evidence --------------------------------------------------------------------------


def test_progress_form_states_the_unit_target_accepted_types_and_size_limit(cast, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 7
    programme = make_confirmed(cast.member, cast.secretary.user)
    response = client_for(cast.member.user).get(progress_url(programme, first_commitment(programme)))
    assert response.status_code == 200
    text = response.text
    assert "Giá trị đạt được (%)" in text
    assert "giá trị cam kết: 100" in text
    assert "tối đa 7 MB" in text
    assert ".pdf" in text and ".docx" in text
    assert "multiple" in text and 'name="evidence_files"' in text
    assert "js/progress_form.js" in text


def test_progress_with_a_pdf_stores_it_hashed_and_serves_it_only_to_readers(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = first_commitment(programme)
    owner = client_for(cast.member.user)
    response = report_with_pdf(programme, commitment, owner, evidence_files=[pdf_upload("Biên bản quý 1.pdf")])
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(programme)}#cam-ket-{commitment.pk}"

    report = ProgressReport.objects.get()
    assert report.status == ProgressStatus.DONE
    evidence = Evidence.objects.get()
    assert evidence.progress_report == report
    assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert evidence.original_name == "Biên bản quý 1.pdf"
    assert evidence.content_type == "application/pdf"
    commitment.refresh_from_db()
    assert commitment.status == ProgressStatus.DONE

    page = owner.get(response["Location"])
    assert "Đã ghi báo cáo tiến độ “Hoàn thành” cho nội dung cam kết số I.1." in page.text
    assert "Biên bản quý 1.pdf" in page.text
    # The hash proves the file on record; the page speaks of the file, not of its hash.
    assert evidence.sha256 not in page.text and "SHA-256" not in page.text
    download_url = reverse("programmes:evidence_download", args=[evidence.pk])
    assert download_url in page.text

    for reader in (cast.member.user, cast.secretary.user):
        download = client_for(reader).get(download_url)
        assert download.status_code == 200
        assert download.getvalue() == PDF_BYTES
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20qu%C3%BD%201.pdf" in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Security-Policy"] == "sandbox"
        assert download["Cache-Control"] == "private"
    assert client_for(cast.outsider.user).get(download_url).status_code == 404
    assert client_for(cast.outsider.user).get(reverse("programmes:evidence_download", args=[999999])).status_code == 404
    # The secretary's download of the owner's private evidence is on the record; the owner's own is not.
    reads = list(ReadEvent.objects.values_list("reader__username", "kind", "subject", "object_id"))
    assert reads == [("secretary", ReadKind.EVIDENCE, cast.member.pk, str(evidence.pk))]


def test_media_is_never_served_through_a_public_url(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    report_with_pdf(programme, first_commitment(programme))
    evidence = Evidence.objects.get()
    assert evidence.file.name and evidence.file.storage.exists(evidence.file.name)
    for client in (Client(), client_for(cast.member.user)):
        assert client.get(f"/media/{evidence.file.name}").status_code == 404


def test_links_are_shown_as_external_links_and_have_no_download(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = first_commitment(programme)
    response = report_with_pdf(
        programme,
        commitment,
        evidence_files=[],
        links="https://example.vn/bao-cao-quy-1\n\nhttps://example.vn/anh",
    )
    assert response.status_code == 302
    links = Evidence.objects.order_by("pk")
    assert [item.link for item in links] == ["https://example.vn/bao-cao-quy-1", "https://example.vn/anh"]
    page = client_for(cast.member.user).get(detail_url(programme)).text
    assert '<a href="https://example.vn/bao-cao-quy-1" rel="noopener noreferrer">' in page
    download = client_for(cast.member.user).get(reverse("programmes:evidence_download", args=[links[0].pk]))
    assert download.status_code == 404


def test_a_bad_link_is_refused_at_its_field(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    response = report_with_pdf(programme, first_commitment(programme), links="javascript:alert(1)")
    assert response.status_code == 200
    assert "không hợp lệ" in " ".join(response.context["form"].errors["links"])
    assert not ProgressReport.objects.exists()


def test_done_without_evidence_is_refused_and_nothing_is_saved(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = first_commitment(programme)
    response = report_with_pdf(programme, commitment, evidence_files=[])
    assert response.status_code == 200
    errors = response.context["form"].errors["evidence_files"]
    assert errors == ["Báo “Hoàn thành” cần kèm minh chứng: tệp hoặc đường dẫn."]
    assert "cần kèm minh chứng" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not ProgressReport.objects.exists()
    commitment.refresh_from_db()
    assert commitment.status == ProgressStatus.NOT_STARTED


def test_an_executable_named_pdf_is_refused(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    response = report_with_pdf(
        programme,
        first_commitment(programme),
        evidence_files=[pdf_upload("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 200)],
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["evidence_files"])
    assert "bao-cao.pdf" in errors and "không thuộc loại được nhận" in errors
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()


def test_a_file_above_the_limit_is_refused(cast, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    programme = make_confirmed(cast.member, cast.secretary.user)
    big = b"%PDF-1.4\n" + b"0" * int(1.1 * 1024 * 1024)
    response = report_with_pdf(programme, first_commitment(programme), evidence_files=[pdf_upload("lon.pdf", big)])
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["evidence_files"])
    assert "lon.pdf" in errors and "vượt giới hạn 1 MB" in errors
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()


def test_dropped_without_a_reason_is_refused(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    response = report_with_pdf(
        programme, first_commitment(programme), status=ProgressStatus.DROPPED, evidence_files=[], drop_reason="  "
    )
    assert response.status_code == 200
    assert response.context["form"].errors["drop_reason"] == ["Hãy ghi lý do không thực hiện."]
    assert not ProgressReport.objects.exists()


def test_dropped_with_a_reason_is_recorded_and_shown(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    response = report_with_pdf(
        programme,
        first_commitment(programme),
        status=ProgressStatus.DROPPED,
        evidence_files=[],
        value_reached="",
        drop_reason="Khu phố sáp nhập, hồ sơ chuyển về phường",
    )
    assert response.status_code == 302
    page = client_for(cast.member.user).get(detail_url(programme)).text
    assert "Khu phố sáp nhập, hồ sơ chuyển về phường" in page
    assert "Không thực hiện (có lý do)" in page


def test_progress_for_a_commitment_outside_the_version_in_force_is_404(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    other = make_confirmed(cast.member, cast.secretary.user, title="Chương trình khác")
    client = client_for(cast.member.user)
    assert client.get(progress_url(programme, first_commitment(other))).status_code == 404
    draft = make_draft(cast.member, title="Chương trình chưa xác nhận")
    commitment = draft.versions.get().terms.get(position=1).commitment
    assert client.get(progress_url(draft, commitment)).status_code == 404


def test_a_deliverable_reads_as_a_product_and_its_report_asks_no_value(cast):
    owner = cast.member.user
    programme = make_draft(cast.member, weights=(100,))
    version = programme.versions.get()
    services.commitment_add(
        version=version,
        content=commitment_content(
            2,
            category="self_improvement",
            statement="Hoàn thành lớp bồi dưỡng lý luận chính trị năm 2026",
            is_deliverable=True,
            indicator="",
            unit="",
            baseline_value=None,
            target_value=None,
            evidence_kind="Giấy chứng nhận hoàn thành lớp bồi dưỡng",
            weight=None,
        ),
        acting_user=owner,
    )
    submit(programme)
    services.programme_confirm(
        version=ProgrammeVersion.objects.get(pk=version.pk),
        publicity_max=PublicityLevel.COMMITTEE,
        acting_user=cast.secretary.user,
    )
    programme.refresh_from_db()
    page = client_for(owner).get(detail_url(programme)).text
    assert "Sản phẩm: Giấy chứng nhận hoàn thành lớp bồi dưỡng" in page
    deliverable = version_in_force(programme).terms.get(position=2).commitment
    form_page = client_for(owner).get(progress_url(programme, deliverable))
    assert form_page.status_code == 200
    assert "value_reached" not in form_page.context["form"].fields


# --- Figures on the page -------------------------------------------------------------------------------------


def test_progress_bar_shows_the_percent_between_baseline_and_target(cast):
    programme = make_confirmed(cast.member, cast.secretary.user, weights=(100,))
    commitment = first_commitment(programme)
    response = report_with_pdf(
        programme, commitment, status=ProgressStatus.ON_TRACK, value_reached="90", evidence_files=[]
    )
    assert response.status_code == 302
    text = client_for(cast.member.user).get(detail_url(programme)).text
    # Baseline 80, target 100, reached 90: half way, for the commitment and the weighted programme.
    assert text.count('aria-valuenow="50"') == 2
    assert text.count("w-pct-50") == 2
    assert ">50%<" in text
    assert "Đúng tiến độ" in text


def test_overdue_commitment_is_flagged_in_text(cast):
    owner = cast.member.user
    programme = services.programme_create(
        owner=cast.member,
        occasion=Occasion.ANNUAL,
        title="Cam kết năm 2025",
        position=None,
        term_start=datetime.date(2025, 1, 1),
        term_end=datetime.date(2026, 12, 31),
        acting_user=owner,
    )
    version = programme.versions.get()
    services.commitment_add(
        version=version, content=commitment_content(deadline=datetime.date(2025, 6, 30)), acting_user=owner
    )
    submit(programme)
    services.programme_confirm(
        version=ProgrammeVersion.objects.get(pk=version.pk),
        publicity_max=PublicityLevel.COMMITTEE,
        acting_user=cast.secretary.user,
    )
    text = client_for(owner).get(detail_url(programme)).text
    assert "Quá hạn" in text
    assert "1 nội dung cam kết đã quá thời hạn" in text
    assert "30/06/2025" in text


# --- A fixed number of queries ------------------------------------------------------------------------------


def _programme_with_activity(cast, weights: tuple[int, ...], title: str):
    programme = make_confirmed(cast.member, cast.secretary.user, weights=weights, title=title)
    for terms in version_in_force(programme).terms.select_related("commitment"):
        for value in ("85", "95"):
            progress_report(
                commitment=terms.commitment,
                status=ProgressStatus.ON_TRACK,
                value_reached=Decimal(value),
                files=[pdf_upload()],
                links=["https://example.vn/minh-chung"],
                acting_user=cast.member.user,
            )
    return programme


def test_programme_page_query_count_does_not_grow_with_commitments_reports_or_evidence(cast, django_assert_num_queries):
    small = _programme_with_activity(cast, (100,), "Một nội dung")
    large = _programme_with_activity(cast, (20, 20, 20, 20, 10, 10), "Sáu nội dung")
    client = client_for(cast.member.user)
    client.get(detail_url(small))  # warm the session

    with CaptureQueriesContext(connection) as one:
        assert client.get(detail_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as six:
        response = client.get(detail_url(large))
    assert response.status_code == 200
    assert response.text.count("minh-chung/") == 6 * 2
    assert len(one) == len(six)

    # Pinned: a query per commitment, report or file would show up here first.
    with django_assert_num_queries(len(one)):
        client.get(detail_url(large))


def test_an_evidence_name_with_line_breaks_downloads_under_a_name_on_one_line(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    progress_report(
        commitment=first_commitment(programme),
        status=ProgressStatus.DONE,
        files=[pdf_upload()],
        acting_user=cast.member.user,
    )
    evidence = Evidence.objects.get()
    Evidence.objects.filter(pk=evidence.pk).update(original_name="Biên bản\r\nSet-Cookie: x=1.pdf")

    download = client_for(cast.member.user).get(reverse("programmes:evidence_download", args=[evidence.pk]))
    download.close()

    assert download.status_code == 200
    assert "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20Set-Cookie%3A%20x%3D1.pdf" in download["Content-Disposition"]
    assert "Set-Cookie" not in download.headers
