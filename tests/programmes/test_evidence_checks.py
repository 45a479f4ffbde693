"""The confirmer's check of the evidence behind a "done" claim: accept, reject with a reason (the commitment returns
to in progress and the owner is told), only by the programme's confirmer, and the list of what waits for them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from programmes import access
from programmes.action_programmes.evidence_checks import evidence_accept, evidence_reject
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    AuditEvent,
    Evidence,
    EvidenceReview,
    Notification,
    NotificationKind,
    OrganisationKind,
    PartyPost,
    ProgressReport,
    ProgressStatus,
)
from tests.factories import PositionFactory, make_member, make_organisation
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def claim_done(programme, *, position: int = 1, status: str = ProgressStatus.DONE) -> Evidence:
    """The owner reports the commitment at `position` done, with one PDF."""
    commitment = programme.current_version.terms.get(position=position).commitment
    report = progress_report(
        commitment=commitment,
        status=status,
        value_reached=Decimal("100"),
        note="Đã hoàn thành",
        files=[SimpleUploadedFile("bien-ban.pdf", PDF_BYTES)],
        acting_user=programme.owner.user,
    )
    return report.evidence.get()


@pytest.fixture
def programme(cast):
    return make_confirmed(cast.member, cast.secretary.user)


def test_evidence_behind_a_done_claim_waits_for_a_check_and_in_progress_evidence_does_not(cast, programme):
    waiting = claim_done(programme)
    commitment = programme.current_version.terms.get(position=2).commitment
    progress = progress_report(
        commitment=commitment,
        status=ProgressStatus.ON_TRACK,
        files=[SimpleUploadedFile("anh.pdf", PDF_BYTES)],
        acting_user=cast.member.user,
    )

    assert waiting.review_state == EvidenceReview.PENDING
    assert progress.evidence.get().review_state == ""
    assert list(access.evidence_to_check(cast.secretary.user)) == [waiting]


@pytest.mark.postgres
def test_evidence_rejected_by_the_confirmer_returns_the_commitment_to_in_progress_and_notifies_the_owner(
    cast, programme
):
    evidence = claim_done(programme)
    commitment = evidence.commitment
    commitment.refresh_from_db()
    assert commitment.status == ProgressStatus.DONE

    evidence_reject(evidence=evidence, reason="Biên bản chưa có chữ ký", acting_user=cast.secretary.user)

    evidence.refresh_from_db()
    commitment.refresh_from_db()
    assert (evidence.review_state, evidence.reviewed_by, evidence.review_reason) == (
        EvidenceReview.REJECTED,
        cast.secretary.user,
        "Biên bản chưa có chữ ký",
    )
    assert commitment.status == ProgressStatus.ON_TRACK
    returned = ProgressReport.objects.filter(commitment=commitment).order_by("-reported_at", "-pk").first()
    assert returned is not None
    assert returned.reported_by == cast.secretary.user
    assert returned.status == ProgressStatus.ON_TRACK
    assert "bien-ban.pdf" in returned.note and "Biên bản chưa có chữ ký" in returned.note
    notice = Notification.objects.get(recipient=cast.member.user, kind=NotificationKind.EVIDENCE_REJECTED)
    assert "Biên bản chưa có chữ ký" in notice.body
    assert notice.link.endswith(f"#cam-ket-{commitment.pk}")
    event = AuditEvent.objects.get(action="evidence.reject")
    assert event.actor == cast.secretary.user
    assert event.after is not None
    assert event.after["returned_by_report"] == returned.pk
    assert not access.evidence_to_check(cast.secretary.user).exists()


def test_rejection_returns_to_the_in_progress_status_reported_before_the_claim(cast, programme):
    commitment = programme.current_version.terms.get(position=1).commitment
    progress_report(commitment=commitment, status=ProgressStatus.AT_RISK, acting_user=cast.member.user)
    evidence = claim_done(programme)

    evidence_reject(evidence=evidence, reason="Ảnh không rõ", acting_user=cast.secretary.user)

    commitment.refresh_from_db()
    assert commitment.status == ProgressStatus.AT_RISK


@pytest.mark.postgres
def test_rejecting_evidence_of_a_claim_already_replaced_leaves_the_newer_claim_standing(cast, programme):
    older = claim_done(programme)
    newer = claim_done(programme, status=ProgressStatus.EXCEEDED)

    evidence_reject(evidence=older, reason="Trùng lặp", acting_user=cast.secretary.user)

    commitment = newer.commitment
    commitment.refresh_from_db()
    assert commitment.status == ProgressStatus.EXCEEDED
    assert ProgressReport.objects.filter(commitment=commitment).count() == 2
    # The owner is told all the same.
    assert Notification.objects.filter(recipient=cast.member.user, kind=NotificationKind.EVIDENCE_REJECTED).exists()


def test_accepting_keeps_the_claim_and_is_audited(cast, programme):
    evidence = claim_done(programme)

    evidence_accept(evidence=evidence, acting_user=cast.secretary.user)

    evidence.refresh_from_db()
    evidence.commitment.refresh_from_db()
    assert evidence.review_state == EvidenceReview.ACCEPTED
    assert evidence.reviewed_at is not None
    assert evidence.commitment.status == ProgressStatus.DONE
    assert AuditEvent.objects.filter(action="evidence.accept", actor=cast.secretary.user).exists()
    with pytest.raises(ValidationError):
        evidence_reject(evidence=evidence, reason="Đổi ý", acting_user=cast.secretary.user)


def test_a_rejection_needs_a_reason_and_changes_nothing_without_one(cast, programme):
    evidence = claim_done(programme)

    with pytest.raises(ValidationError) as error:
        evidence_reject(evidence=evidence, reason="   ", acting_user=cast.secretary.user)

    assert "reason" in error.value.message_dict
    evidence.refresh_from_db()
    assert evidence.review_state == EvidenceReview.PENDING
    assert not Notification.objects.filter(kind=NotificationKind.EVIDENCE_REJECTED).exists()


@pytest.mark.parametrize("who", ["member", "outsider", "committee_staff", "head"])
def test_only_the_confirmer_checks_evidence(cast, programme, who):
    evidence = claim_done(programme)
    user = getattr(cast, who).user

    for service, options in ((evidence_accept, {}), (evidence_reject, {"reason": "Không đạt"})):
        with pytest.raises(PermissionDenied):
            service(evidence=evidence, acting_user=user, **options)
    evidence.refresh_from_db()
    assert evidence.review_state == EvidenceReview.PENDING
    assert not access.evidence_to_check(user).exists()


@pytest.mark.postgres
def test_the_other_wards_confirmer_cannot_check_and_sees_only_their_own_wards_evidence(cast, programme):
    """Two wards: each cell's secretary checks the evidence of their own cell's programmes, never the other's."""
    other_cell = make_organisation("Chi bộ Khu phố 3", OrganisationKind.SUBORDINATE_CELL, cast.other_ward)
    other_member = make_member(other_cell, "other_member", full_name="Đỗ Thị Giang")
    other_secretary = make_member(other_cell, "other_secretary", full_name="Ngô Văn Hải")
    PositionFactory(cadre=other_secretary, organisation=other_cell, party_post=PartyPost.SECRETARY)
    checker = other_secretary.user
    assert checker is not None
    other_programme = make_confirmed(other_member, checker)
    ours, theirs = claim_done(programme), claim_done(other_programme)

    with pytest.raises(PermissionDenied):
        evidence_reject(evidence=ours, reason="Không đạt", acting_user=checker)
    with pytest.raises(PermissionDenied):
        evidence_accept(evidence=theirs, acting_user=cast.secretary.user)

    assert list(access.evidence_to_check(checker)) == [theirs]
    assert list(access.evidence_to_check(cast.secretary.user)) == [ours]
    evidence_reject(evidence=theirs, reason="Không đạt", acting_user=checker)
    ours.refresh_from_db()
    assert ours.review_state == EvidenceReview.PENDING


def test_the_check_and_its_queryset_twin_agree(cast, programme):
    evidence = claim_done(programme)
    for user in (cast.member.user, cast.secretary.user, cast.outsider.user, cast.head.user, cast.org_board):
        assert (
            access.can_check_evidence(user, evidence) == access.evidence_to_check(user).filter(pk=evidence.pk).exists()
        )
