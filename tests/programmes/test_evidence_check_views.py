"""Where the confirmer checks evidence: accept and reject controls beside each evidence item on the programme page
(for the confirmer alone), the list “Minh chứng chờ kiểm tra” linked from “Việc cần làm”, and the download of a
link's archived copy, for whoever may read the evidence."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes.progress import progress_report
from programmes.desk import CELL, desk_for
from programmes.models import (
    ArchiveState,
    Evidence,
    EvidenceReview,
    LinkArchive,
    Notification,
    NotificationKind,
    OrganisationKind,
    PartyPost,
    ProgressStatus,
)
from tests.factories import PositionFactory, client_for, make_member, make_organisation
from tests.programmes.programme_data import make_confirmed, report_first_done

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PAGE = b"<html><body>Bao cao quy I</body></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def evidence(cast) -> Evidence:
    report = report_first_done(cast, files=[SimpleUploadedFile("bien-ban-nghiem-thu.pdf", PDF_BYTES)])
    return report.evidence.get()


def page_of(evidence: Evidence) -> str:
    return reverse("programmes:programme_detail", args=[evidence.commitment.programme_id])


def check_url(evidence: Evidence) -> str:
    return reverse("programmes:evidence_check", args=[evidence.pk])


def test_the_confirmer_sees_the_controls_beside_the_evidence_and_others_only_its_state(cast, evidence):
    confirmer_page = client_for(cast.secretary.user).get(page_of(evidence)).content.decode()
    owner_page = client_for(cast.member.user).get(page_of(evidence)).content.decode()

    assert check_url(evidence) in confirmer_page
    assert "Chờ kiểm tra" in confirmer_page
    assert check_url(evidence) not in owner_page
    assert "Chờ kiểm tra" in owner_page


def test_rejecting_on_the_page_returns_the_commitment_to_in_progress_and_tells_the_owner(cast, evidence):
    response = client_for(cast.secretary.user).post(
        check_url(evidence), {"decision": "reject", "reason": "Biên bản thiếu chữ ký"}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"{page_of(evidence)}#cam-ket-{evidence.commitment_id}"
    assert "Đã từ chối minh chứng" in response.content.decode()
    evidence.refresh_from_db()
    evidence.commitment.refresh_from_db()
    assert evidence.review_state == EvidenceReview.REJECTED
    assert evidence.commitment.status == ProgressStatus.ON_TRACK
    assert Notification.objects.filter(recipient=cast.member.user, kind=NotificationKind.EVIDENCE_REJECTED).exists()
    owner_page = client_for(cast.member.user).get(page_of(evidence)).content.decode()
    assert "Bị từ chối" in owner_page and "Biên bản thiếu chữ ký" in owner_page


def test_a_rejection_without_a_reason_is_refused_with_a_message_and_changes_nothing(cast, evidence):
    response = client_for(cast.secretary.user).post(
        check_url(evidence), {"decision": "reject", "reason": " "}, follow=True
    )

    assert "Hãy ghi lý do từ chối minh chứng" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.review_state == EvidenceReview.PENDING


def test_the_owner_and_the_other_wards_confirmer_cannot_check(cast, evidence):
    other_cell = make_organisation("Chi bộ Khu phố 3", OrganisationKind.SUBORDINATE_CELL, cast.other_ward)
    other_secretary = make_member(other_cell, "other_secretary", full_name="Ngô Văn Hải")
    PositionFactory(cadre=other_secretary, organisation=other_cell, party_post=PartyPost.SECRETARY)

    owner = client_for(cast.member.user).post(check_url(evidence), {"decision": "accept"})
    other = client_for(other_secretary.user).post(check_url(evidence), {"decision": "accept"})

    assert owner.status_code == 403
    assert other.status_code == 404
    evidence.refresh_from_db()
    assert evidence.review_state == EvidenceReview.PENDING


def test_the_list_and_the_desk_show_the_confirmer_what_waits(cast, evidence):
    queue = reverse("programmes:evidence_queue")

    listed = client_for(cast.secretary.user).get(queue).content.decode()
    elsewhere = client_for(cast.outsider.user).get(queue).content.decode()
    tasks = [task for group in desk_for(cast.secretary.user).groups if group.group == CELL for task in group.tasks]

    assert "bien-ban-nghiem-thu.pdf" in listed and check_url(evidence) in listed
    assert "bien-ban-nghiem-thu.pdf" not in elsewhere
    assert [(task.label, task.count, task.url) for task in tasks if task.url == queue] == [
        ("Minh chứng chờ kiểm tra", 1, queue)
    ]
    assert not any(task.url == queue for group in desk_for(cast.member.user).groups for task in group.tasks)


def test_accepting_from_the_list_returns_to_the_list(cast, evidence):
    response = client_for(cast.secretary.user).post(check_url(evidence), {"decision": "accept", "back": "queue"})

    assert response["Location"] == reverse("programmes:evidence_queue")
    evidence.refresh_from_db()
    assert evidence.review_state == EvidenceReview.ACCEPTED


def archived_link(cast) -> Evidence:
    programme = make_confirmed(cast.member, cast.secretary.user)
    assert programme.current_version is not None
    commitment = programme.current_version.terms.get(position=2).commitment
    report = progress_report(
        commitment=commitment,
        status=ProgressStatus.ON_TRACK,
        links=["https://phuong.example.vn/bao-cao-quy-1"],
        acting_user=cast.member.user,
    )
    return report.evidence.get()


def test_the_archived_copy_is_downloaded_by_readers_with_its_time_and_hash_shown(cast):
    link = archived_link(cast)
    archive = LinkArchive.objects.get(evidence=link)
    download = reverse("programmes:evidence_archive_download", args=[link.pk])
    assert client_for(cast.member.user).get(download).status_code == 404
    assert "Đang lưu bản sao" in client_for(cast.member.user).get(page_of(link)).content.decode()

    archive.file.save("ban-luu.html", ContentFile(PAGE), save=False)
    archive.state, archive.content_type, archive.size = ArchiveState.ARCHIVED, "text/html", len(PAGE)
    archive.sha256, archive.fetched_at = hashlib.sha256(PAGE).hexdigest(), timezone.now()
    archive.save()

    response = client_for(cast.secretary.user).get(download)
    assert response.status_code == 200
    assert response.getvalue() == PAGE
    assert response["Content-Security-Policy"] == "sandbox"
    assert "attachment" in response["Content-Disposition"]
    page = client_for(cast.member.user).get(page_of(link)).content.decode()
    assert download in page and archive.sha256 in page
    assert client_for(cast.outsider.user).get(download).status_code == 404


def test_a_failed_archive_says_why_on_the_page(cast):
    link = archived_link(cast)
    LinkArchive.objects.filter(evidence=link).update(
        state=ArchiveState.FAILED, failure_reason="Trang trả về mã 404, không có nội dung để lưu."
    )

    page = client_for(cast.member.user).get(page_of(link)).content.decode()

    assert "Không lưu được bản sao" in page and "Trang trả về mã 404" in page
