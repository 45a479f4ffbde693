"""Every step of a review: opening a period, the self-review, inputs, the cell's meeting and proposal,
the decision, the head's confirmation on grounds, appeals and re-classification.

Each service checks who acts (reviews.access) and the rule set (reviews.rules), runs in one
transaction and writes its audit event. Subject, proposer and confirmer are three different people.
"""

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access as programme_access
from programmes import outbox
from programmes.action_programmes.evidence import check_upload
from programmes.action_programmes.notifications import notify
from programmes.audit import audit_record, json_safe, snapshot
from programmes.documents import format_number
from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    Evidence,
    Membership,
    MembershipStatus,
    PartyOrganisation,
    Position,
    PostKind,
    ProgrammeState,
)
from programmes.models.organisations import CELL_KINDS
from reviews import access as review_access
from reviews import quota, rules
from reviews.consistency import ConsistencyFlag, acknowledgement_field, consistency_flags
from reviews.models import (
    ENDED_REVIEW_STATES,
    Appeal,
    AppealState,
    CellMeeting,
    CellProposal,
    CommitmentAssessment,
    ConsistencyNote,
    Decision,
    DecisionState,
    InputSource,
    LevelChange,
    PeriodKind,
    PeriodState,
    RatingLevel,
    Review,
    ReviewForm,
    ReviewInput,
    ReviewPeriod,
    ReviewPrompt,
    ReviewState,
    RuleSet,
    Verdict,
)
from reviews.signals import period_opened

REVIEW_FIELDS = ("period", "cadre", "place", "state", "self_level", "final_level", "not_rated_reason")
SELF_REVIEW_SECTIONS = (
    "strengths",
    "shortcomings",
    "remedies_done",
    "prompt_answers",
    "collective_responsibility",
    "remedy_plan",
)
REQUIRED_SECTIONS = ("strengths", "shortcomings", "remedy_plan")


def section_title(name: str) -> str:
    """A section's heading as the form prints it ("I. Ưu điểm, kết quả đạt được"), in the active language."""
    return str(getattr(Review._meta.get_field(name), "verbose_name", name))


Verdicts = Mapping[int, tuple[str, str]]
# The written reasons for keeping flagged verdicts (reviews.consistency), by assessment.
Acknowledgements = Mapping[int, str]


def _review_link(review: Review) -> str:
    return reverse("reviews:review_detail", args=[review.pk])


def _lock(review: Review) -> Review:
    # The review's row alone: the joined period, organisations and cadre are only read. A service that must hold
    # more says so (the decision locks its deciding organisation for the quota).
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("period__rule_set", "cadre", "place", "cell", "deciding_organisation")
        .get(pk=review.pk)
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_state(review: Review, *states: str) -> None:
    if review.state not in states:
        raise ValidationError(
            _("Bước này không làm được khi bản kiểm điểm đang ở trạng thái “%(state)s”.")
            % {"state": review.get_state_display()}
        )


def _audit(acting_user: User, action: str, obj: Model, before: dict[str, Any] | None = None, **after: Any) -> None:
    # Through snapshot's JSON round trip, so that dates and ids are stored the same way everywhere.
    audit_record(actor=acting_user, action=action, obj=obj, before=before, after=json_safe(after) if after else None)


# --- Opening a period ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    place: PartyOrganisation
    cell: PartyOrganisation
    deciding: PartyOrganisation


class _TreeReader:
    """Ancestors and parents read once per organisation while a period opens, not once per member."""

    def __init__(self) -> None:
        self._ancestors: dict[int, list[PartyOrganisation]] = {}
        self._parents: dict[int, PartyOrganisation | None] = {}

    def ancestors(self, organisation: PartyOrganisation) -> list[PartyOrganisation]:
        if organisation.pk not in self._ancestors:
            self._ancestors[organisation.pk] = list(PartyOrganisation.objects.get_ancestors(organisation))
        return self._ancestors[organisation.pk]

    def parent(self, organisation: PartyOrganisation) -> PartyOrganisation | None:
        if organisation.pk not in self._parents:
            self._parents[organisation.pk] = PartyOrganisation.objects.get_parent(organisation)
        return self._parents[organisation.pk]


def _places(membership: Membership, posts: list[Position], tree: _TreeReader) -> list[_Place]:
    """Where a member is reviewed: their cell, and each leadership collective they belong to (HD 43)."""
    cell = membership.cell
    committee_posts = [
        post for post in posts if post.organisation is not None and post.organisation.kind not in CELL_KINDS
    ]
    # The rule the access module also reads a commitment's chain by: the grassroots organisation of the cell
    # decides, or the committee above it for committee members and leaders.
    deciding = programme_access.deciding_organisation_in(
        [*tree.ancestors(cell), cell], leads=programme_access.leads_in_review(posts)
    )
    places = [_Place(cell, cell, deciding)]
    for organisation in (post.organisation for post in committee_posts if post.organisation is not None):
        superior = tree.parent(organisation) or organisation
        if organisation.pk not in {place.place.pk for place in places}:
            places.append(_Place(organisation, organisation, superior))
    return places


def _form_for(posts: list[Position]) -> str:
    leads = any(post.post_kind == PostKind.PARTY or post.is_head for post in posts)
    return ReviewForm.LEADER if leads else ReviewForm.MEMBER


def _target_text(terms: CommitmentTerms) -> str:
    if terms.is_deliverable:
        return terms.evidence_kind
    target = format_number(terms.target_value) if terms.target_value is not None else ""
    parts = [terms.indicator + (":" if terms.indicator and target else ""), target, terms.unit]
    return " ".join(part for part in parts if part).strip()


def _programme_terms(review: Review) -> list[CommitmentTerms]:
    """The commitments in force of the member's confirmed programmes that overlap the period."""
    period = review.period
    programmes = ActionProgramme.objects.filter(
        owner=review.cadre,
        state__in=[ProgrammeState.CONFIRMED, ProgrammeState.CLOSED],
        current_version__isnull=False,
        term_start__lte=period.covers_to,
        term_end__gte=period.covers_from,
    )
    return list(
        CommitmentTerms.objects.filter(version__in=programmes.values("current_version"))
        .select_related("version")
        .order_by("version__programme__term_start", "version_id", "position")
    )


def _prefill(review: Review) -> None:
    CommitmentAssessment.objects.bulk_create(
        CommitmentAssessment(
            review=review,
            commitment_id=terms.commitment_id,
            statement=terms.statement,
            target=_target_text(terms)[:255],
            deadline=terms.deadline,
            is_task=terms.is_task,
            position=number,
        )
        for number, terms in enumerate(_programme_terms(review), start=1)
    )


def _scope_and_ancestors(scope: PartyOrganisation) -> list[str]:
    """The paths of the scope and of every organisation above it, top first (materialised paths: no query)."""
    step = PartyOrganisation.steplen
    return [scope.path[:end] for end in range(step, len(scope.path) + 1, step)]


def _refuse_overlap(scope: PartyOrganisation, kind: str, covers_from: datetime.date, covers_to: datetime.date) -> None:
    """Refuse a period of a kind whose time overlaps one already opened over the same members: over the same scope,
    one containing it or one inside it. Members would be reviewed and rated twice for the same time. Ad hoc
    periods are exempt: each follows its own occasion (a new duty, an election, an appointment)."""
    if kind == PeriodKind.AD_HOC:
        return
    lineage = _scope_and_ancestors(scope)
    # Two openings that could overlap both lock the organisation above them (at worst the root), top first:
    # the second to come checks once the first has committed, so they cannot both pass.
    list(PartyOrganisation.objects.select_for_update().filter(path__in=lineage).order_by("path").values_list("pk"))
    existing = (
        ReviewPeriod.objects.filter(kind=kind, covers_from__lte=covers_to, covers_to__gte=covers_from)
        .filter(Q(scope__path__startswith=scope.path) | Q(scope__path__in=lineage))
        .select_related("scope")
        .order_by("covers_from", "pk")
        .first()
    )
    if existing is not None:
        raise ValidationError(
            {
                "scope": _(
                    "Đã có đợt “%(title)s” (%(kind)s, kết quả từ %(start)s đến %(end)s) ở %(scope)s, trùng "
                    "phạm vi và thời gian với đợt định mở: đảng viên sẽ bị kiểm điểm hai lần. Hãy chọn phạm vi "
                    "hoặc thời gian khác."
                )
                % {
                    "title": existing.title,
                    "kind": existing.get_kind_display(),
                    "start": f"{existing.covers_from:%d/%m/%Y}",
                    "end": f"{existing.covers_to:%d/%m/%Y}",
                    "scope": existing.scope.name,
                }
            }
        )


@transaction.atomic
def period_open(
    *,
    title: str,
    kind: str,
    rule_set: RuleSet,
    scope: PartyOrganisation,
    covers_from: datetime.date,
    covers_to: datetime.date,
    self_review_until: datetime.date,
    cell_meetings_until: datetime.date,
    decisions_until: datetime.date,
    appeal_days: int = 15,
    acting_user: User,
) -> ReviewPeriod:
    """Open a period for a subtree and create the review of every member who must be reviewed, per place."""
    _require(review_access.can_open_period(acting_user, scope), _("Bạn không được mở đợt kiểm điểm ở tổ chức này."))
    if kind not in PeriodKind.values:
        raise ValidationError({"kind": _("Loại đợt kiểm điểm không hợp lệ.")})
    if covers_to < covers_from:
        raise ValidationError({"covers_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if not self_review_until <= cell_meetings_until <= decisions_until:
        raise ValidationError(
            _("Các mốc phải theo thứ tự: nộp bản kiểm điểm, rồi họp chi bộ, rồi quyết định xếp loại.")
        )
    _refuse_overlap(scope, kind, covers_from, covers_to)
    period = ReviewPeriod.objects.create(
        title=title.strip(),
        kind=kind,
        rule_set=rule_set,
        scope=scope,
        covers_from=covers_from,
        covers_to=covers_to,
        self_review_until=self_review_until,
        cell_meetings_until=cell_meetings_until,
        decisions_until=decisions_until,
        appeal_days=appeal_days,
        opened_by=acting_user,
    )
    memberships = Membership.objects.filter(end_date__isnull=True, cell__path__startswith=scope.path).select_related(
        "cadre", "cell"
    )
    today = timezone.localdate()
    posts_by_cadre: dict[int, list[Position]] = {}
    for post in (
        Position.objects.current(today).filter(cadre__in=memberships.values("cadre")).select_related("organisation")
    ):
        posts_by_cadre.setdefault(post.cadre_id, []).append(post)
    created = 0
    tree = _TreeReader()
    for membership in memberships:
        posts = posts_by_cadre.get(membership.cadre_id, [])
        not_rated = membership.status in (MembershipStatus.EXEMPT, MembershipStatus.SUSPENDED)
        for place in _places(membership, posts, tree):
            review = Review.objects.create(
                period=period,
                cadre=membership.cadre,
                place=place.place,
                cell=place.cell,
                deciding_organisation=place.deciding,
                form=_form_for(posts),
                position_title="; ".join(post.display_title for post in posts)[:255],
                state=ReviewState.NOT_RATED if not_rated else ReviewState.SELF_DRAFTING,
                not_rated_reason=membership.get_status_display() if not_rated else "",
            )
            if not not_rated:
                _prefill(review)
            created += 1
    _audit(
        acting_user,
        "review.period_open",
        period,
        title=period.title,
        rule_set=rule_set.code,
        scope=scope.pk,
        reviews=created,
    )
    period_opened.send(sender=ReviewPeriod, period=period)
    return period


# --- The member's self-review --------------------------------------------------------------------------------


def _set_verdicts(review: Review, verdicts: Verdicts, *, field: str) -> None:
    assessments = {assessment.pk: assessment for assessment in review.assessments.all()}
    for pk, (verdict, cause) in verdicts.items():
        assessment = assessments.get(pk)
        if assessment is None:
            raise ValidationError(_("Nội dung cam kết không thuộc bản kiểm điểm này."))
        if verdict and verdict not in Verdict.values:
            raise ValidationError(_("Mức đánh giá nội dung cam kết không hợp lệ."))
        setattr(assessment, f"{field}_verdict", verdict)
        setattr(assessment, f"{field}_cause", cause.strip())
    CommitmentAssessment.objects.bulk_update(assessments.values(), [f"{field}_verdict", f"{field}_cause"])


@transaction.atomic
def self_review_save(
    *,
    review: Review,
    sections: Mapping[str, str],
    general_points: int | None,
    task_points: int | None,
    level: str,
    form: str | None = None,
    verdicts: Verdicts | None = None,
    acting_user: User,
) -> Review:
    """Save the member's draft of the bản kiểm điểm; nothing is checked for completeness until submission."""
    review = _lock(review)
    _require(review_access.is_subject(acting_user, review), _("Chỉ đảng viên được kiểm điểm mới viết bản kiểm điểm."))
    _require_state(review, ReviewState.SELF_DRAFTING)
    unknown = set(sections) - set(SELF_REVIEW_SECTIONS)
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")
    if level and level not in RatingLevel.values:
        raise ValidationError({"self_level": _("Mức xếp loại không hợp lệ.")})
    for name, text in sections.items():
        setattr(review, name, text.strip())
    if form is not None:
        if form not in ReviewForm.values:
            raise ValidationError({"form": _("Mẫu bản kiểm điểm không hợp lệ.")})
        review.form = form
    review.self_general_points = general_points
    review.self_task_points = task_points
    review.self_level = level
    review.save()
    _set_verdicts(review, verdicts or {}, field="self")
    _audit(acting_user, "review.self_save", review, self_level=level)
    return review


def self_review_conflicts(
    review: Review,
    *,
    assessments: list[CommitmentAssessment] | None = None,
    flags: list[ConsistencyFlag] | None = None,
) -> list[rules.Conflict]:
    """What stands between the draft and its submission, in Vietnamese; blocking ones refuse it.

    A verdict that claims more than the recorded progress is a warning: the member may still submit, and
    the cell will have to explain it. A page that has the assessments (with their commitments) and their
    flags already passes them.
    """
    conflicts = [
        rules.Conflict(_("Chưa viết phần “%(section)s”.") % {"section": section_title(name)})
        for name in REQUIRED_SECTIONS
        if not getattr(review, name).strip()
    ]
    if assessments is None:
        assessments = list(review.assessments.select_related("commitment"))
    unjudged = [assessment.position for assessment in assessments if not assessment.self_verdict]
    if unjudged:
        conflicts.append(
            rules.Conflict(
                _("Chưa tự đánh giá nội dung cam kết số %(numbers)s.")
                % {"numbers": ", ".join(str(number) for number in unjudged)}
            )
        )
    missing_cause = [
        assessment.position
        for assessment in assessments
        if assessment.self_verdict in (Verdict.PARTLY, Verdict.NOT_DONE, Verdict.DONE_LATE)
        and not assessment.self_cause.strip()
    ]
    if missing_cause:
        conflicts.append(
            rules.Conflict(
                _("Nội dung số %(numbers)s chưa hoàn thành đúng hạn: hãy nêu nguyên nhân.")
                % {"numbers": ", ".join(str(number) for number in missing_cause)}
            )
        )
    conflicts += rules.check_level(
        review.period.rule_set,
        level=review.self_level,
        general=review.self_general_points,
        task=review.self_task_points,
        verdicts=[assessment.self_verdict for assessment in assessments if assessment.is_task],
    )
    if flags is None:
        flags = consistency_flags(assessments, judge="self")
    conflicts += [flag.conflict() for flag in flags]
    return conflicts


@transaction.atomic
def self_review_submit(*, review: Review, acting_user: User) -> Review:
    review = _lock(review)
    _require(review_access.is_subject(acting_user, review), _("Chỉ đảng viên được kiểm điểm mới nộp bản kiểm điểm."))
    _require_state(review, ReviewState.SELF_DRAFTING)
    refused = rules.blocking(self_review_conflicts(review))
    if refused:
        raise ValidationError(refused)
    before = snapshot(review, REVIEW_FIELDS)
    review.state = ReviewState.SELF_SUBMITTED
    review.self_submitted_at = timezone.now()
    review.save(update_fields=["state", "self_submitted_at"])
    _audit(acting_user, "review.self_submit", review, before, **snapshot(review, REVIEW_FIELDS))
    return review


# --- Prompts and inputs --------------------------------------------------------------------------------------


@transaction.atomic
def prompt_add(*, review: Review, text: str, acting_user: User) -> ReviewPrompt:
    """A gợi ý kiểm điểm from the committee or the secretary, for the member to answer in section IV."""
    _require(
        review_access.can_add_prompt_or_input(acting_user, review),
        _("Bạn không được gửi gợi ý kiểm điểm cho đảng viên này."),
    )
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi nội dung gợi ý.")})
    prompt = ReviewPrompt.objects.create(review=review, text=text.strip(), issued_by=acting_user)
    _audit(acting_user, "review.prompt_add", prompt, review=review.pk)
    subject = review.cadre.user
    if subject is not None:
        notify(
            recipient=subject,
            subject=_("Gợi ý kiểm điểm: %(period)s") % {"period": review.period.title},
            body=prompt.text,
            link=_review_link(review),
        )
    return prompt


def _hash(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def input_add(
    *,
    review: Review,
    source: str,
    author: str,
    text: str,
    document: UploadedFile | None = None,
    received_on: datetime.date | None = None,
    acting_user: User,
) -> ReviewInput:
    """Attach a comment (residence cell, workplace, leadership, verified citizen feedback) for the cell to read."""
    _require(
        review_access.can_add_prompt_or_input(acting_user, review),
        _("Bạn không được thêm ý kiến nhận xét cho bản kiểm điểm này."),
    )
    if source not in InputSource.values:
        raise ValidationError({"source": _("Nguồn nhận xét không hợp lệ.")})
    if not author.strip() or not text.strip():
        raise ValidationError(_("Hãy ghi nơi nhận xét và nội dung nhận xét."))
    entry = ReviewInput(
        review=review,
        source=source,
        author=author.strip(),
        text=text.strip(),
        received_on=received_on or timezone.localdate(),
        added_by=acting_user,
    )
    if document is not None:
        checked = check_upload(document)
        entry.document_sha256 = checked.sha256
        entry.document.save(checked.storage_name, document, save=False)
    entry.save()
    _audit(acting_user, "review.input_add", entry, review=review.pk, source=source, sha256=entry.document_sha256)
    return entry


# --- Verdicts against the recorded progress ------------------------------------------------------------------


def _unexplained(flags: list[ConsistencyFlag], reasons: Acknowledgements) -> dict[str, list[str]]:
    """The refusal for each flag nobody has explained yet and that comes without a reason now, by its field."""
    return {
        acknowledgement_field(flag.assessment.pk): [
            flag.message + " " + _("Hãy sửa kết luận, hoặc ghi lý do giữ kết luận này.")
        ]
        for flag in flags
        if not flag.acknowledged and not reasons.get(flag.assessment.pk, "").strip()
    }


def _refuse(refused: list[str], unexplained: dict[str, list[str]]) -> None:
    """Refuse with every reason at once: the rules' (for the whole form) and each unexplained flag (at its field)."""
    if unexplained:
        raise ValidationError({NON_FIELD_ERRORS: refused, **unexplained} if refused else unexplained)
    if refused:
        raise ValidationError(refused)


def _acknowledge(
    review: Review, flags: list[ConsistencyFlag], reasons: Acknowledgements, *, stage: str, acting_user: User
) -> list[ConsistencyNote]:
    """Keep the reason written for each flagged verdict, with the figures it was written against."""
    notes = []
    for flag in flags:
        reason = reasons.get(flag.assessment.pk, "").strip()
        if not reason:
            continue
        note = ConsistencyNote.objects.create(
            assessment=flag.assessment,
            stage=stage,
            verdict=flag.verdict,
            kinds=flag.kinds_key,
            figures=flag.figures,
            reason=reason,
            acknowledged_by=acting_user,
        )
        _audit(
            acting_user,
            "review.consistency_note",
            note,
            review=review.pk,
            position=flag.assessment.position,
            stage=stage,
            verdict=flag.verdict,
            kinds=note.kinds,
            figures=note.figures,
            reason=reason,
        )
        notes.append(note)
    return notes


# --- The cell's meeting and proposal -------------------------------------------------------------------------


@transaction.atomic
def meeting_record(
    *,
    period: ReviewPeriod,
    cell: PartyOrganisation,
    held_on: datetime.date,
    members_total: int,
    members_present: int,
    chaired_by: str,
    minutes: str = "",
    minutes_file: UploadedFile | None = None,
    acting_user: User,
) -> CellMeeting:
    _require(review_access.can_record_meeting(acting_user, cell), _("Chỉ bí thư, phó bí thư mới ghi cuộc họp này."))
    if members_present > members_total:
        raise ValidationError({"members_present": _("Số dự họp không thể lớn hơn tổng số đảng viên.")})
    if not minutes.strip() and minutes_file is None:
        raise ValidationError({"minutes": _("Hãy viết biên bản hoặc tải tệp biên bản lên.")})
    meeting = CellMeeting(
        period=period,
        cell=cell,
        held_on=held_on,
        members_total=members_total,
        members_present=members_present,
        chaired_by=chaired_by.strip(),
        minutes=minutes.strip(),
        recorded_by=acting_user,
    )
    if minutes_file is not None:
        checked = check_upload(minutes_file)
        meeting.minutes_sha256 = checked.sha256
        meeting.minutes_file.save(checked.storage_name, minutes_file, save=False)
    meeting.save()
    _audit(
        acting_user,
        "review.meeting_record",
        meeting,
        held_on=held_on,
        members_total=members_total,
        members_present=members_present,
        quorum=meeting.has_quorum,
    )
    return meeting


def cell_quota(review: Review, level: str) -> rules.QuotaStatus:
    """The quota of the review's deciding organisation if the cell proposes `level`, over the whole picture of the
    period: the decided levels, else the proposals."""
    return rules.expected_quota(review.period.rule_set, quota.others_of(review).proposing(level))


@transaction.atomic
def proposal_record(
    *,
    review: Review,
    meeting: CellMeeting,
    general_points: int | None,
    task_points: int | None,
    level: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int = 0,
    comments: str = "",
    verdicts: Verdicts | None = None,
    acknowledgements: Acknowledgements | None = None,
    acting_user: User,
) -> tuple[CellProposal, list[str]]:
    """Record the cell's proposal; returns it with warnings (the quota), refusing what the rules forbid.

    A verdict that claims more than the commitment's recorded progress (reviews.consistency) is kept only
    with a written reason in `acknowledgements`, unless one already explains it.
    """
    review = _lock(review)
    if review_access.is_subject(acting_user, review):
        raise PermissionDenied(_("Bí thư không tự ghi đề xuất cho bản kiểm điểm của chính mình; phó bí thư ghi thay."))
    _require(review_access.can_record_proposal(acting_user, review), _("Chỉ bí thư, phó bí thư chi bộ ghi đề xuất."))
    _require_state(review, ReviewState.SELF_SUBMITTED)
    if meeting.period_id != review.period_id or meeting.cell_id != review.place_id:
        raise ValidationError({"meeting": _("Cuộc họp không phải của chi bộ và đợt kiểm điểm này.")})
    if not meeting.has_quorum:
        raise ValidationError(
            {"meeting": _("Cuộc họp chưa đủ quá nửa số đảng viên dự, nên không đủ điều kiện đề xuất xếp loại.")}
        )
    if votes_for + votes_against + votes_abstain > meeting.members_present:
        raise ValidationError({"votes_for": _("Tổng số phiếu lớn hơn số đảng viên dự họp.")})
    _set_verdicts(review, verdicts or {}, field="cell")
    assessments = list(review.assessments.select_related("commitment"))
    unjudged = [assessment.position for assessment in assessments if not assessment.cell_verdict]
    if unjudged:
        raise ValidationError(
            _("Chi bộ chưa kết luận nội dung cam kết số %(numbers)s.")
            % {"numbers": ", ".join(str(number) for number in unjudged)}
        )
    conflicts = rules.check_level(
        review.period.rule_set,
        level=level,
        general=general_points,
        task=task_points,
        verdicts=[assessment.cell_verdict for assessment in assessments if assessment.is_task],
    )
    reasons = acknowledgements or {}
    flags = consistency_flags(assessments, judge="cell")
    _refuse(rules.blocking(conflicts), _unexplained(flags, reasons))
    notes = _acknowledge(review, flags, reasons, stage=ConsistencyNote.Stage.CELL, acting_user=acting_user)
    values = {
        "meeting": meeting,
        "general_points": general_points,
        "task_points": task_points,
        "level": level,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "votes_abstain": votes_abstain,
        "comments": comments.strip(),
        "recorded_by": acting_user,
        "recorded_at": timezone.now(),
    }
    proposal, _created = CellProposal.objects.update_or_create(review=review, defaults=values)
    review.state = ReviewState.CELL_PROPOSED
    review.return_reason = ""
    review.save(update_fields=["state", "return_reason"])
    warnings = [conflict.message for conflict in conflicts if not conflict.blocking]
    # Only a proposal that adds an Excellent rating is warned of: the others' excess is not this proposal's doing.
    status = cell_quota(review, level)
    if level == RatingLevel.EXCELLENT and status.exceeded:
        warnings.append(status.message(review.deciding_organisation.name))
    _audit(
        acting_user,
        "review.propose",
        proposal,
        review=review.pk,
        level=level,
        general_points=general_points,
        task_points=task_points,
        votes=[votes_for, votes_against, votes_abstain],
        warnings=warnings,
        explained=[note.assessment.position for note in notes],
    )
    return proposal, warnings


# --- The decision and the head's confirmation ----------------------------------------------------------------


def decision_quota(review: Review, level: str) -> rules.DecisionQuota:
    """The quota of the deciding organisation's period if this review is decided at `level` (rules.decision_quota)."""
    return rules.decision_quota(review.period.rule_set, quota.others_of(review), level)


def _lock_quota(review: Review) -> None:
    """Hold the deciding organisation until the decision commits: two decisions of the same committee counted at
    once would each miss the other's Excellent rating and could jointly pass the quota unjustified."""
    list(PartyOrganisation.objects.select_for_update().filter(pk=review.deciding_organisation_id).values_list("pk"))


@transaction.atomic
def decision_make(
    *,
    review: Review,
    level: str,
    general_points: int | None = None,
    task_points: int | None = None,
    reason: str = "",
    quota_override: str = "",
    acknowledgements: Acknowledgements | None = None,
    acting_user: User,
) -> Decision:
    """The deciding committee's rating. A level other than the cell's needs a reason; an Excellent rating beyond
    the quota needs a written justification; a cell verdict that claims more than the recorded progress and that
    nobody has explained yet needs the committee's reason in `acknowledgements` (a reason given for one the cell
    explained is kept too)."""
    review = _lock(review)
    _require(review_access.can_decide(acting_user, review), _("Bạn không thuộc cấp ủy có thẩm quyền quyết định."))
    _require_state(review, ReviewState.CELL_PROPOSED)
    proposal = review.proposal
    if general_points is None and task_points is None:
        # Deciding on the cell's points unless the committee scores differently.
        general_points, task_points = proposal.general_points, proposal.task_points
    if level != proposal.level and not reason.strip():
        raise ValidationError(
            {
                "reason": _("Xếp loại khác đề xuất của chi bộ (“%(proposed)s”) cần ghi lý do.")
                % {"proposed": proposal.get_level_display()}
            }
        )
    assessments = list(review.assessments.select_related("commitment"))
    refused = rules.blocking(
        rules.check_level(
            review.period.rule_set,
            level=level,
            general=general_points,
            task=task_points,
            verdicts=[assessment.cell_verdict for assessment in assessments if assessment.is_task],
        )
    )
    reasons = acknowledgements or {}
    flags = consistency_flags(assessments, judge="cell")
    _refuse(refused, _unexplained(flags, reasons))
    _lock_quota(review)
    checked = decision_quota(review, level)
    if checked.needs_justification and not quota_override.strip():
        raise ValidationError(
            {"quota_override": checked.message(review.deciding_organisation.name) + " " + _("Cần giải trình để vượt.")}
        )
    notes = _acknowledge(review, flags, reasons, stage=ConsistencyNote.Stage.COMMITTEE, acting_user=acting_user)
    decision = Decision.objects.create(
        review=review,
        deciding_organisation=review.deciding_organisation,
        general_points=general_points,
        task_points=task_points,
        level=level,
        reclassification_reason=reason.strip() if level != proposal.level else "",
        quota_override=quota_override.strip() if checked.needs_justification else "",
        decided_by=acting_user,
    )
    review.state = ReviewState.DECIDED
    review.save(update_fields=["state"])
    _audit(
        acting_user,
        "review.decide",
        decision,
        review=review.pk,
        level=level,
        proposed=proposal.level,
        reason=decision.reclassification_reason,
        quota_override=decision.quota_override,
        explained=[note.assessment.position for note in notes],
    )
    head = review_access.access.secretary_user(review.deciding_organisation)
    if head is not None and head.pk != acting_user.pk:
        notify(
            recipient=head,
            subject=_("Chờ xác nhận kết quả xếp loại: %(name)s") % {"name": review.cadre.full_name},
            body=_("Cấp ủy đã quyết định mức “%(level)s”.") % {"level": decision.get_level_display()},
            link=_review_link(review),
        )
    return decision


@transaction.atomic
def decision_return(*, review: Review, reason: str, acting_user: User) -> Review:
    """Send the proposal back to the cell with a reason; the cell records a new one."""
    review = _lock(review)
    _require(review_access.can_decide(acting_user, review), _("Bạn không thuộc cấp ủy có thẩm quyền quyết định."))
    _require_state(review, ReviewState.CELL_PROPOSED, ReviewState.DECIDED)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại chi bộ.")})
    Decision.objects.filter(review=review, state=DecisionState.AWAITING_CONFIRMATION).update(
        state=DecisionState.SUPERSEDED
    )
    review.state = ReviewState.SELF_SUBMITTED
    review.return_reason = reason.strip()
    review.save(update_fields=["state", "return_reason"])
    _audit(acting_user, "review.return_to_cell", review, reason=review.return_reason)
    return review


def confirm_refusal(review: Review, confirmer: User) -> str | None:
    """Why `confirmer` may not confirm this review's decision, or None.

    Subject, proposer and confirmer are three different people, and only the head of the deciding
    body confirms. Pages ask this before the head writes the grounds; decision_confirm enforces it.
    """
    proposal = getattr(review, "proposal", None)
    subject_user_id = review.cadre.user_id
    if confirmer.pk == subject_user_id:
        return _("Không ai được tự xác nhận kết quả xếp loại của chính mình.")
    if proposal is not None and confirmer.pk == proposal.recorded_by_id:
        return _("Người ghi đề xuất của chi bộ không được đồng thời xác nhận kết quả; cần người đứng đầu khác.")
    if proposal is not None and proposal.recorded_by_id == subject_user_id:
        return _("Đề xuất do chính người được kiểm điểm ghi, không hợp lệ.")
    if not review_access.can_confirm_decision(confirmer, review):
        return _("Chỉ người đứng đầu cấp quyết định mới xác nhận kết quả.")
    return None


@transaction.atomic
def decision_confirm(
    *,
    decision: Decision,
    grounds: str,
    assessment_ids: Iterable[int] = (),
    evidence_ids: Iterable[int] = (),
    acting_user: User,
) -> Decision:
    """The head of the deciding body confirms on concrete grounds: a text plus the verdicts and evidence."""
    decision = Decision.objects.select_for_update().select_related("review").get(pk=decision.pk)
    review = _lock(decision.review)
    refusal = confirm_refusal(review, acting_user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if decision.state != DecisionState.AWAITING_CONFIRMATION:
        raise ValidationError(_("Quyết định này không ở trạng thái chờ xác nhận."))
    assessment_ids = list(assessment_ids)
    evidence_ids = list(evidence_ids)
    assessments = list(review.assessments.filter(pk__in=assessment_ids))
    evidence = list(Evidence.objects.filter(pk__in=evidence_ids, commitment__assessments__review=review).distinct())
    if len(assessments) != len(set(assessment_ids)) or len(evidence) != len(set(evidence_ids)):
        raise ValidationError(_("Căn cứ phải là nội dung cam kết và minh chứng của chính bản kiểm điểm này."))
    if not grounds.strip():
        raise ValidationError({"grounds": _("Hãy ghi căn cứ xác nhận.")})
    if review.assessments.exists() and not (assessments or evidence):
        raise ValidationError(
            {"grounds": _("Hãy chọn ít nhất một nội dung cam kết hoặc minh chứng làm căn cứ cụ thể.")}
        )
    decision.state = DecisionState.CONFIRMED
    decision.confirmed_by = acting_user
    decision.confirmed_at = timezone.now()
    decision.grounds = grounds.strip()
    decision.save(update_fields=["state", "confirmed_by", "confirmed_at", "grounds"])
    decision.grounds_assessments.set(assessments)
    decision.grounds_evidence.set(evidence)
    review.state = ReviewState.FINAL
    review.final_level = decision.level
    review.final_at = decision.confirmed_at
    review.save(update_fields=["state", "final_level", "final_at"])
    _audit(
        acting_user,
        "review.confirm",
        decision,
        review=review.pk,
        level=decision.level,
        grounds=decision.grounds,
        assessments=[item.pk for item in assessments],
        evidence=[item.pk for item in evidence],
    )
    # The individual evaluation report is produced as soon as the result stands (after the commit; a broker
    # that is away delays it, programmes.outbox).
    _queue_review_report(review.pk)
    subject = review.cadre.user
    if subject is not None:
        notify(
            recipient=subject,
            subject=_("Kết quả xếp loại: %(level)s") % {"level": decision.get_level_display()},
            body=_("Đồng chí có thể kiến nghị trong %(days)s ngày.") % {"days": review.period.appeal_days},
            link=_review_link(review),
        )
    return decision


def _queue_review_report(review_id: int) -> None:
    from reviews.tasks import produce_review_report

    outbox.enqueue(produce_review_report, review_id)


# --- After the decision: appeals and re-classification ------------------------------------------------------
#
# The result in force is the confirmed decision until a change of level replaces it (an appeal resolved by
# re-classifying, or the superior committee's re-classification); each result is made by one body. The member
# may appeal each result once, within the period's appeal days from when it was made, and the appeal goes to
# the committee above that body (reviews.access.can_resolve_appeal). Every change after the result stands
# notifies the member and queues the reports that print the review.


def current_change(review: Review) -> LevelChange | None:
    """The change of level in force (the latest), or None while the confirmed decision stands."""
    return review.level_changes.select_related("organisation").order_by("-changed_at", "-pk").first()


def appeal_deadline(review: Review) -> datetime.date | None:
    """The last day to appeal the result in force: `appeal_days` after it was made (final_at)."""
    if review.final_at is None:
        return None
    return timezone.localtime(review.final_at).date() + datetime.timedelta(days=review.period.appeal_days)


def appeal_refusal(
    review: Review,
    change: LevelChange | None,
    addressee: PartyOrganisation | None,
    today: datetime.date | None = None,
) -> str | None:
    """Why the member may not appeal the result in force now, or None. `change` is current_change(review),
    `addressee` reviews.access.appeal_addressee(review, change): the committee the appeal would go to."""
    if review.state != ReviewState.FINAL:
        return _("Bước này không làm được khi bản kiểm điểm đang ở trạng thái “%(state)s”.") % {
            "state": review.get_state_display()
        }
    deadline = appeal_deadline(review)
    if deadline is None or (today or timezone.localdate()) > deadline:
        return _("Đã quá hạn kiến nghị (đến hết ngày %(date)s).") % {
            "date": f"{deadline:%d/%m/%Y}" if deadline else "—"
        }
    if Appeal.objects.filter(review=review, contested_change=change).exists():
        return _("Đồng chí đã kiến nghị về kết quả này; mỗi kết quả chỉ được kiến nghị một lần.")
    if addressee is None:
        return _(
            "Kết quả này do %(body)s đưa ra, không có cấp ủy cấp trên trên cổng; "
            "đồng chí gửi kiến nghị trực tiếp đến cấp có thẩm quyền."
        ) % {"body": review_access.result_body(review, change).name}
    return None


def _window_sentence(review: Review, change: LevelChange) -> str:
    """What the member is told of their right to appeal the new result `change`."""
    deadline = appeal_deadline(review)
    if deadline is None or review_access.appeal_addressee(review, change) is None:
        return _("Không có cấp ủy cấp trên trên cổng để kiến nghị về kết quả này.")
    return _("Đồng chí có thể kiến nghị đến hết ngày %(date)s.") % {"date": f"{deadline:%d/%m/%Y}"}


def _queue_reports_after_change(review: Review) -> None:
    """The review's individual report, and the period's summaries already made that print it, asked for through
    the outbox: written with the change, sent after the commit, the change standing even with the broker away."""
    from reviews.tasks import refresh_review_reports

    outbox.enqueue(refresh_review_reports, review.pk)


@transaction.atomic
def appeal_file(*, review: Review, text: str, acting_user: User) -> Appeal:
    """The member's kiến nghị against the result in force, sent to the committee above the body that made it."""
    review = _lock(review)
    _require(review_access.is_subject(acting_user, review), _("Chỉ người được kiểm điểm mới kiến nghị."))
    _require_state(review, ReviewState.FINAL)
    change = current_change(review)
    addressee = review_access.appeal_addressee(review, change)
    refusal = appeal_refusal(review, change, addressee)
    if refusal is not None or addressee is None:
        raise ValidationError(refusal or "")
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi nội dung kiến nghị.")})
    before = snapshot(review, REVIEW_FIELDS)
    appeal = Appeal.objects.create(
        review=review,
        contested_change=change,
        resolving_organisation=addressee,
        text=text.strip(),
        filed_by=acting_user,
    )
    review.state = ReviewState.APPEALED
    review.save(update_fields=["state"])
    _audit(
        acting_user,
        "review.appeal",
        appeal,
        before,
        review=review.pk,
        contested_change=change.pk if change is not None else None,
        resolving_organisation=addressee.pk,
        state=review.state,
    )
    head = review_access.access.secretary_user(addressee)
    if head is not None:
        notify(
            recipient=head,
            subject=_("Kiến nghị về kết quả xếp loại: %(name)s") % {"name": review.cadre.full_name},
            body=appeal.text,
            link=_review_link(review),
        )
    _queue_reports_after_change(review)
    return appeal


def _change_level(
    review: Review, *, cause: str, level: str, reason: str, body: PartyOrganisation, acting_user: User
) -> LevelChange:
    """Record a new result: the change, and the review's level and time, which open a new appeal window.

    A change to Excellent counts against the deciding organisation's quota like a decision, under the same lock;
    beyond it, the reason the committee must write for any change is kept as the quota's justification."""
    beyond_quota = False
    if level == RatingLevel.EXCELLENT:
        _lock_quota(review)
        beyond_quota = decision_quota(review, level).needs_justification
    change = LevelChange.objects.create(
        review=review,
        cause=cause,
        organisation=body,
        from_level=review.final_level,
        to_level=level,
        reason=reason,
        beyond_quota=beyond_quota,
        changed_by=acting_user,
    )
    review.final_level = level
    review.final_at = change.changed_at
    return change


@transaction.atomic
def appeal_resolve(*, appeal: Appeal, upheld: bool, resolution: str, new_level: str = "", acting_user: User) -> Appeal:
    """Resolve an appeal: keep the result, or re-classify (a new result, which may itself be appealed once).
    Only the committee the appeal is addressed to decides (reviews.access.can_resolve_appeal)."""
    appeal = (
        # Only the appeal's row: the contested change is an outer join, which PostgreSQL does not lock.
        Appeal.objects.select_for_update(of=("self",))
        .select_related("contested_change__organisation", "resolving_organisation")
        .get(pk=appeal.pk)
    )
    review = _lock(appeal.review)
    appeal.review = review
    _require(
        review_access.can_resolve_appeal(acting_user, appeal), _("Bạn không có thẩm quyền giải quyết kiến nghị này.")
    )
    if appeal.state != AppealState.PENDING:
        raise ValidationError(_("Kiến nghị này đã được giải quyết."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Hãy ghi kết quả giải quyết.")})
    before = {"appeal_state": appeal.state, **snapshot(review, (*REVIEW_FIELDS, "final_at"))}
    change = None
    if not upheld:
        if new_level not in RatingLevel.values or new_level == review.final_level:
            raise ValidationError({"new_level": _("Hãy chọn mức xếp loại mới khác mức hiện tại.")})
        change = _change_level(
            review,
            cause=LevelChange.Cause.APPEAL,
            level=new_level,
            reason=resolution.strip(),
            body=appeal.resolving_organisation,
            acting_user=acting_user,
        )
    appeal.state = AppealState.UPHELD if upheld else AppealState.RECLASSIFIED
    appeal.resolution = resolution.strip()
    appeal.new_level = "" if upheld else new_level
    appeal.resolved_by = acting_user
    appeal.resolved_at = timezone.now()
    appeal.save()
    review.state = ReviewState.FINAL
    review.save(update_fields=["state", "final_level", "final_at"])
    _audit(
        acting_user,
        "review.appeal_resolve",
        appeal,
        before,
        review=review.pk,
        appeal_state=appeal.state,
        **snapshot(review, (*REVIEW_FIELDS, "final_at")),
    )
    subject = review.cadre.user
    if subject is not None:
        body = appeal.resolution
        if change is not None:
            body += "\n" + _("Mức xếp loại mới: %(level)s.") % {"level": review.get_final_level_display()}
            body += " " + _window_sentence(review, change)
        notify(
            recipient=subject,
            subject=_("Kiến nghị đã được giải quyết: %(outcome)s") % {"outcome": appeal.get_state_display()},
            body=body,
            link=_review_link(review),
        )
    _queue_reports_after_change(review)
    return appeal


@transaction.atomic
def review_reclassify(*, review: Review, level: str, reason: str, acting_user: User) -> LevelChange:
    """The superior committee re-classifies a final result, with a reason (124/366 Art. 13): a new result,
    which the member is told of and may appeal once, to the committee above the one that re-classified."""
    review = _lock(review)
    superior = review_access.superior_of(review)
    if superior is None or not review_access.can_reclassify(acting_user, review):
        raise PermissionDenied(_("Chỉ cấp ủy cấp trên mới xếp loại lại."))
    _require_state(review, ReviewState.FINAL)
    if level not in RatingLevel.values or level == review.final_level:
        raise ValidationError({"level": _("Hãy chọn mức xếp loại mới khác mức hiện tại.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do xếp loại lại.")})
    before = snapshot(review, (*REVIEW_FIELDS, "final_at"))
    previous = review.get_final_level_display()
    change = _change_level(
        review,
        cause=LevelChange.Cause.SUPERIOR,
        level=level,
        reason=reason.strip(),
        body=superior,
        acting_user=acting_user,
    )
    review.save(update_fields=["final_level", "final_at"])
    _audit(
        acting_user,
        "review.reclassify",
        review,
        before,
        review=review.pk,
        change=change.pk,
        organisation=superior.pk,
        reason=change.reason,
        **snapshot(review, (*REVIEW_FIELDS, "final_at")),
    )
    subject = review.cadre.user
    if subject is not None:
        notify(
            recipient=subject,
            subject=_("Cấp ủy cấp trên xếp loại lại: %(level)s") % {"level": review.get_final_level_display()},
            body=_("%(body)s xếp loại lại kết quả của đồng chí từ “%(old)s” thành “%(new)s”. Lý do: %(reason)s")
            % {"body": superior.name, "old": previous, "new": review.get_final_level_display(), "reason": change.reason}
            + " "
            + _window_sentence(review, change),
            link=_review_link(review),
        )
    _queue_reports_after_change(review)
    return change


def period_close(*, period: ReviewPeriod, acting_user: User) -> ReviewPeriod:
    """End a period once every review has its result (or is not rated): those who may open it may close it."""
    with transaction.atomic():
        _require(review_access.can_open_period(acting_user, period.scope), _("Bạn không được đóng đợt kiểm điểm này."))
        period = ReviewPeriod.objects.select_for_update().get(pk=period.pk)
        if period.state == PeriodState.CLOSED:
            raise ValidationError(_("Đợt kiểm điểm này đã kết thúc."))
        open_reviews = period.reviews.exclude(state__in=ENDED_REVIEW_STATES).count()
        if open_reviews:
            raise ValidationError(
                _("Còn %(count)s bản kiểm điểm chưa có kết quả; chưa đóng đợt được.") % {"count": open_reviews}
            )
        period.state = PeriodState.CLOSED
        period.save(update_fields=["state"])
        _audit(acting_user, "review.period_close", period)
    return period
