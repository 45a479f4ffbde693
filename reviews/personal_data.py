"""The reviews in a person's copy of their data (programmes.personal_data): every review about them, as its
page shows it to them: their self-review, the cell's proposal, the committee's decisions and the head's
confirmation, appeals and later changes. The minutes of the cell's meeting speak of the other members too
and are left out (but for the person's own line of its attendance); the review page shows them."""

from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from programmes.models import Cadre
from programmes.personal_copy import Part, Record, entries, named, part, person
from reviews import presentation
from reviews.models import (
    Appeal,
    CommitmentAssessment,
    ConsistencyNote,
    Decision,
    LevelChange,
    MeetingAttendance,
    Review,
    ReviewInput,
    ReviewPrompt,
)
from reviews.models.residence import RESIDENCE_POINTS

POINT_FIELDS = [name for name, _label in RESIDENCE_POINTS]

REVIEW_FIELDS = [
    "form",
    "position_title",
    "state",
    "not_rated_reason",
    "return_reason",
    *presentation.SELF_REVIEW_SECTIONS,
    "self_general_points",
    "self_task_points",
    "self_level",
    "self_submitted_at",
    "final_level",
    "final_at",
]
ASSESSMENT_FIELDS = [
    "position",
    "statement",
    "target",
    "deadline",
    "is_task",
    "self_verdict",
    "self_cause",
    "cell_verdict",
    "cell_cause",
]
PROPOSAL_FIELDS = [
    "general_points",
    "task_points",
    "level",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "comments",
    "recorded_at",
]
MEETING_FIELDS = ["held_on", "chaired_by", "meeting_secretary", "members_total", "members_present"]
# The person's own line of the meeting's attendance, when the minutes named who attended.
ATTENDANCE_FIELDS = ["present", "absence_reason"]
NOTE_FIELDS = ["stage", "verdict", "figures", "reason", "acknowledged_at"]
DECISION_FIELDS = [
    "general_points",
    "task_points",
    "level",
    "reclassification_reason",
    "quota_override",
    "state",
    "decided_at",
    "confirmed_at",
    "grounds",
]


def _reviews(cadre: Cadre) -> list[Review]:
    return list(
        Review.objects.filter(cadre=cadre)
        .select_related(
            "period",
            "place",
            "cell",
            "deciding_organisation",
            "proposal__meeting",
            "proposal__recorded_by__cadre",
            "residence_comment__residence_cell",
        )
        .prefetch_related(
            # Only the person's own line of the meeting's attendance: the others' are about the others.
            Prefetch(
                "proposal__meeting__attendance",
                queryset=MeetingAttendance.objects.filter(cadre=cadre),
                to_attr="own_attendance",
            ),
            Prefetch(
                "assessments",
                queryset=CommitmentAssessment.objects.order_by("position", "pk").prefetch_related(
                    Prefetch(
                        "consistency_notes",
                        queryset=ConsistencyNote.objects.select_related("acknowledged_by__cadre").order_by(
                            "acknowledged_at", "pk"
                        ),
                    )
                ),
            ),
            Prefetch(
                "prompts", queryset=ReviewPrompt.objects.select_related("issued_by__cadre").order_by("issued_at", "pk")
            ),
            Prefetch("inputs", queryset=ReviewInput.objects.order_by("received_on", "pk")),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related(
                    "deciding_organisation", "decided_by__cadre", "confirmed_by__cadre"
                ).order_by("decided_at", "pk"),
            ),
            Prefetch(
                "appeals", queryset=Appeal.objects.select_related("resolved_by__cadre").order_by("filed_at", "pk")
            ),
            Prefetch(
                "level_changes",
                queryset=LevelChange.objects.select_related("changed_by__cadre").order_by("changed_at", "pk"),
            ),
        )
        .order_by("period__covers_to", "pk")
    )


def _proposal_part(review: Review) -> Part:
    proposal = getattr(review, "proposal", None)
    if proposal is None:
        return Part("cell_proposal", _("Đề xuất của chi bộ"), [])
    record = Record(
        proposal.get_level_display(),
        [
            *entries(proposal.meeting, MEETING_FIELDS),
            *(entry for own in proposal.meeting.own_attendance for entry in entries(own, ATTENDANCE_FIELDS)),
            *entries(proposal, PROPOSAL_FIELDS),
            person("recorded_by", _("Người ghi"), proposal.recorded_by),
        ],
    )
    note = _("Biên bản cuộc họp nói về cả các đảng viên khác nên không đưa vào bản này; xem trên trang kiểm điểm.")
    return Part("cell_proposal", _("Đề xuất của chi bộ"), [record], note)


def _notes_part(assessment: CommitmentAssessment) -> Part:
    """The reasons the cell or the committee wrote for keeping a verdict the recorded progress contradicts."""
    return Part(
        "consistency_notes",
        _("Giải trình kết luận trái với tiến độ ghi nhận"),
        [
            Record(
                note.get_stage_display(),
                [
                    *entries(note, NOTE_FIELDS),
                    person("acknowledged_by", _("Người xác nhận"), note.acknowledged_by),
                ],
            )
            for note in assessment.consistency_notes.all()
        ],
    )


def _decision_record(decision: Decision) -> Record:
    return Record(
        decision.get_level_display(),
        [
            named("deciding_organisation", _("Cấp quyết định"), decision.deciding_organisation),
            *entries(decision, DECISION_FIELDS),
            person("decided_by", _("Người quyết định"), decision.decided_by),
            person("confirmed_by", _("Người đứng đầu xác nhận"), decision.confirmed_by),
        ],
    )


def _residence_part(review: Review) -> Part:
    """The residence cell's comment asked at this review (Quy định 213-QĐ/TW), as the member's cell reads it."""
    comment = getattr(review, "residence_comment", None)
    records = []
    if comment is not None:
        fields = ["state", "due_on", "channel", "source", "text", *POINT_FIELDS, "no_comment_reason", "recorded_at"]
        records.append(
            Record(
                comment.residence_cell.name,
                [named("residence_cell", _("Chi bộ nơi cư trú"), comment.residence_cell), *entries(comment, fields)],
            )
        )
    return Part("residence_comment", _("Ý kiến nhận xét nơi cư trú"), records)


def _review_record(review: Review) -> Record:
    prompts = [
        Record(
            prompt.text[:80],
            [*entries(prompt, ["text", "issued_at"]), person("issued_by", _("Người gợi ý"), prompt.issued_by)],
        )
        for prompt in review.prompts.all()
    ]
    appeals = [
        Record(
            appeal.get_state_display(),
            [
                *entries(appeal, ["text", "filed_at", "state", "resolution", "new_level", "resolved_at"]),
                person("resolved_by", _("Người giải quyết"), appeal.resolved_by),
            ],
        )
        for appeal in review.appeals.all()
    ]
    changes = [
        Record(
            change.get_cause_display(),
            [
                *entries(change, ["cause", "from_level", "to_level", "reason", "changed_at"]),
                person("changed_by", _("Người thay đổi"), change.changed_by),
            ],
        )
        for change in review.level_changes.all()
    ]
    return Record(
        review.period.title,
        [
            named("period", _("Đợt kiểm điểm"), review.period.title),
            named("place", _("Nơi kiểm điểm"), review.place),
            named("cell", _("Chi bộ đề xuất"), review.cell),
            named("deciding_organisation", _("Cấp quyết định"), review.deciding_organisation),
            *entries(review, REVIEW_FIELDS),
        ],
        [
            Part(
                "assessments",
                _("Đánh giá nội dung cam kết"),
                [
                    Record(a.statement[:80], entries(a, ASSESSMENT_FIELDS), [_notes_part(a)])
                    for a in review.assessments.all()
                ],
            ),
            Part("prompts", _("Nội dung gợi ý kiểm điểm"), prompts),
            Part(
                "inputs",
                _("Ý kiến nhận xét"),
                [
                    Record(i.author, entries(i, ["source", "author", "text", "received_on"]))
                    for i in review.inputs.all()
                ],
            ),
            _residence_part(review),
            _proposal_part(review),
            Part("decisions", _("Quyết định xếp loại"), [_decision_record(d) for d in review.decisions.all()]),
            Part("appeals", _("Kiến nghị"), appeals),
            Part("level_changes", _("Thay đổi kết quả xếp loại"), changes),
        ],
    )


@part(80)
def reviews_part(user: User, cadre: Cadre | None) -> Part:
    records = [_review_record(review) for review in _reviews(cadre)] if cadre is not None else []
    return Part("reviews", _("Kiểm điểm, đánh giá, xếp loại"), records)
