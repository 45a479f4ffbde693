"""Citizen feedback in a person's copy of their data (programmes.personal_data): the cases about their own
programmes exactly as their case page shows them (the cases the oversight body has accepted, what they say,
the answer and the cadre's own reply), never who sent them or how to reach the sender."""

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from programmes.models import Cadre, CommitmentTerms
from programmes.personal_copy import Part, Record, entries, entry, part
from publicity import access
from publicity.models import FeedbackCase

CASE_FIELDS = [
    "tracking_code",
    "kind",
    "submitted_at",
    "state",
    "due_on",
    "text",
    "verification",
    "answer",
    "answered_at",
    "cadre_reply",
    "cadre_replied_at",
]


def _statements(cases: list[FeedbackCase]) -> dict[tuple[int | None, int | None], str]:
    """What each case's commitment promises in the version in force, for every case in one query."""
    versions = {case.programme.current_version_id for case in cases if case.commitment_id is not None}
    commitments = {case.commitment_id for case in cases if case.commitment_id is not None}
    terms = CommitmentTerms.objects.filter(version__in=versions, commitment__in=commitments)
    return {(item.version_id, item.commitment_id): item.statement for item in terms}


def _case_record(case: FeedbackCase, statements: dict[tuple[int | None, int | None], str]) -> Record:
    about = (
        statements.get((case.programme.current_version_id, case.commitment_id), "")
        if case.commitment_id is not None
        else _("Cả chương trình")
    )
    return Record(
        case.tracking_code,
        [
            entry("programme", _("Chương trình"), case.programme.title),
            entry("about", _("Về nội dung"), about),
            entry("addressee", _("Gửi tới"), case.addressee),
            *entries(case, CASE_FIELDS),
        ],
    )


@part(100)
def feedback_part(user: User, cadre: Cadre | None) -> Part:
    cases = list(access.cases_for_owner(user).select_related("programme", "area").order_by("submitted_at", "pk"))
    statements = _statements(cases)
    note = _("Thông tin liên hệ của người gửi chỉ cơ quan giám sát được xem, không đưa vào bản này.")
    return Part(
        "feedback",
        _("Góp ý, phản ánh của Nhân dân về chương trình của tôi"),
        [_case_record(case, statements) for case in cases],
        note,
    )
