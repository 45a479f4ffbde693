"""Progress on commitments: the owner's reports with evidence, and the figures the pages show."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import idempotency, summary_marks
from programmes.action_programmes.announcements import PublicChange, announce
from programmes.action_programmes.evidence import CheckedFile, check_link, check_upload
from programmes.action_programmes.link_archives import link_archive_request
from programmes.action_programmes.public_stamps import public_programme_changed
from programmes.action_programmes.publication import public_commitment
from programmes.action_programmes.services._common import _require_owner
from programmes.audit import audit_record, snapshot
from programmes.audit_actions import ProgrammeAction
from programmes.idempotency import SameForm
from programmes.models import (
    Commitment,
    CommitmentTerms,
    Evidence,
    EvidenceReview,
    ProgrammeState,
    ProgrammeVersion,
    ProgressReport,
    ProgressStatus,
)

REPORT_FIELDS = ("commitment", "status", "value_reached", "note", "drop_reason")
# A file sent with a form; quoted because Django's class takes no type argument when the program runs.
Upload: TypeAlias = "UploadedFile[bytes]"


def _terms_in_force(commitment: Commitment) -> CommitmentTerms:
    programme = commitment.programme
    if programme.state != ProgrammeState.CONFIRMED or programme.current_version_id is None:
        raise ValidationError(_("Chỉ báo cáo tiến độ cho chương trình đã được xác nhận và đang thực hiện."))
    terms = commitment.terms.filter(version_id=programme.current_version_id).first()
    if terms is None:
        raise ValidationError(_("Nội dung này không còn trong phiên bản đang có hiệu lực."))
    return terms


ALREADY_SENT = gettext_lazy("Biểu mẫu này đã được gửi một lần. Hãy mở lại trang báo cáo để gửi báo cáo mới.")


def _same_form(
    commitment: Commitment, acting_user: User, status: str, value_reached: Decimal | None, note: str, drop_reason: str
) -> SameForm[ProgressReport]:
    """Whether a report stored with this form's key is what this sending says: the same person's report on the same
    commitment, with the same figures and words (else the key is refused)."""
    sent = (commitment.pk, acting_user.pk, status, value_reached, note.strip(), drop_reason.strip())

    def same(report: ProgressReport) -> bool:
        fields = (report.commitment_id, report.reported_by_id, report.status, report.value_reached, report.note)
        return (*fields, report.drop_reason) == sent

    return same


# Not durable: the demo seeding reports progress inside its one transaction.
@transaction.atomic
def progress_report(
    *,
    commitment: Commitment,
    status: str,
    value_reached: Decimal | None = None,
    note: str = "",
    drop_reason: str = "",
    files: Sequence[Upload] = (),
    links: Sequence[str] = (),
    acting_user: User,
    submission_key: uuid.UUID | None = None,
) -> ProgressReport:
    """Record progress on a commitment of the version in force, with its evidence, all or nothing.

    Done and exceeded need evidence in the same report; dropped needs a reason. Every file is checked
    before anything is written, so a refused file leaves no report behind. `submission_key` is the form's
    one-time key: the same form sent again gets back the report it stored, and nothing more is stored.
    """
    # The lock makes a second sending of the form wait for the first to commit, and then find its report.
    commitment = Commitment.objects.select_for_update().select_related("programme__owner").get(pk=commitment.pk)
    _require_owner(acting_user, commitment.programme)
    drop_reason = drop_reason if status == ProgressStatus.DROPPED else ""
    same_form = _same_form(commitment, acting_user, status, value_reached, note, drop_reason)
    earlier = idempotency.sent_before(ProgressReport, submission_key, same_form=same_form, refusal=str(ALREADY_SENT))
    if earlier is not None:
        return earlier
    _terms_in_force(commitment)
    if status not in ProgressStatus.values:
        raise ValidationError({"status": _("Tình trạng không hợp lệ.")})
    if status == ProgressStatus.DROPPED and not drop_reason.strip():
        raise ValidationError({"drop_reason": _("Hãy ghi lý do không thực hiện.")})
    checked: list[CheckedFile] = [check_upload(upload) for upload in files]
    clean_links = [check_link(link) for link in links if link.strip()]
    if status in ProgressStatus.needing_evidence() and not (checked or clean_links):
        raise ValidationError(
            {
                "files": _("Báo “%(status)s” cần kèm minh chứng: tệp hoặc đường dẫn.")
                % {"status": ProgressStatus(status).label}
            }
        )
    # Only a key already used on another commitment can collide here (the lock serialises this one's reports).
    report = idempotency.create_once(
        ProgressReport,
        submission_key,
        lambda: ProgressReport.objects.create(
            commitment=commitment,
            status=status,
            value_reached=value_reached,
            note=note.strip(),
            drop_reason=drop_reason.strip(),
            reported_by=acting_user,
            submission_key=submission_key,
        ),
        same_form=same_form,
        refusal=str(ALREADY_SENT),
    )
    if idempotency.was_sent_before(report):
        return report
    # Evidence behind a claim of "done" waits for the confirmer's check (evidence_checks).
    review_state = EvidenceReview.PENDING if status in ProgressStatus.needing_evidence() else ""
    evidence: list[Evidence] = []
    try:
        for item in checked:
            evidence.append(_evidence_from_file(report, item, acting_user, review_state))
    except Exception:
        # The rows roll back with the transaction; the files already written must go with them.
        for stored in evidence:
            stored.file.delete(save=False)
        raise
    for link in clean_links:
        linked = Evidence.objects.create(
            commitment=commitment,
            progress_report=report,
            link=link,
            uploaded_by=acting_user,
            review_state=review_state,
        )
        link_archive_request(linked)
        evidence.append(linked)
    report_takes_effect(commitment, report)
    audit_record(
        actor=acting_user,
        action=ProgrammeAction.PROGRESS_REPORT,
        obj=report,
        after={
            **snapshot(report, REPORT_FIELDS),
            "evidence": [{"name": item.original_name, "sha256": item.sha256, "link": item.link} for item in evidence],
        },
    )
    return report


def report_takes_effect(commitment: Commitment, report: ProgressReport) -> None:
    """A stored report becomes the commitment's standing, on every page and feed that shows it. For the services
    that record progress (the owner's report, the return after rejected evidence), inside their transaction."""
    commitment.status = report.status
    if report.value_reached is not None:
        commitment.value_reached = report.value_reached
    commitment.last_reported_at = report.reported_at
    commitment.save(update_fields=["status", "value_reached", "last_reported_at"])
    public_programme_changed(commitment.programme_id)
    summary_marks.programme_changed(commitment.programme)
    if public_commitment(commitment, commitment.programme):
        announce(PublicChange.PROGRESS, report.pk)


def _evidence_from_file(report: ProgressReport, item: CheckedFile, acting_user: User, review_state: str) -> Evidence:
    evidence = Evidence(
        commitment=report.commitment,
        progress_report=report,
        original_name=item.original_name,
        content_type=item.kind.content_type,
        size=item.upload.size,
        sha256=item.sha256,
        uploaded_by=acting_user,
        review_state=review_state,
    )
    evidence.file.save(item.storage_name, item.upload, save=False)
    evidence.save()
    return evidence


# --- Figures for the pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentProgress:
    terms: CommitmentTerms
    status: str
    status_label: str
    value_reached: Decimal | None
    percent: int
    overdue: bool


@dataclass(frozen=True)
class ProgrammeProgress:
    items: list[CommitmentProgress]
    # Weighted over the task commitments; None when the version has no weights yet.
    percent: int | None
    overdue_count: int


def status_label(status: str) -> str:
    """A commitment's status in words, as `get_status_display` gives it. That method hashes every choice's
    translated label on each call: a list of 25 programmes asked it for each of their hundred commitments."""
    try:
        return str(ProgressStatus(status).label)
    except ValueError:
        return status


def programme_progress(
    version: ProgrammeVersion, *, terms: Iterable[CommitmentTerms] | None = None
) -> ProgrammeProgress:
    """Per-commitment completion and the programme's weighted total, from already-fetched rows.

    Expects `version.terms` prefetched with their commitments (the selectors do it), so that it adds
    no query whatever the number of commitments. Pass `terms` (some of the version's) for the figures a
    reader may see: a commitment hidden from them weighs nothing in their total or their overdue count.
    """
    today = timezone.localdate()
    items = []
    for shown in version.terms.all() if terms is None else terms:
        commitment = shown.commitment
        items.append(
            CommitmentProgress(
                terms=shown,
                status=commitment.status,
                status_label=status_label(commitment.status),
                value_reached=commitment.value_reached,
                percent=shown.completion(commitment.status, commitment.value_reached),
                overdue=shown.is_overdue(commitment.status, today),
            )
        )
    weighted = [(item.terms.weight, item.percent) for item in items if item.terms.is_task and item.terms.weight]
    total_weight = sum(weight for weight, _percent in weighted)
    percent = round(sum(weight * share for weight, share in weighted) / total_weight) if total_weight else None
    return ProgrammeProgress(items=items, percent=percent, overdue_count=sum(item.overdue for item in items))
