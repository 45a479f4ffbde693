"""“Dữ liệu của tôi”: a person's copy of everything the portal holds on them (Law 91/2025, the right of access).

The copy is a list of parts (account, cadre record, private details, programmes, reviews…), each a list of
records of labelled values, so that the readable page and the JSON file are one and the same content.
Other people appear only as the portal already names them to this person (the confirmer's name), never with
their own data.

The parts about reviews and citizen feedback belong to apps above this one, which cannot be imported here:
each app declares its parts in its own `personal_data` module with `@part(order)`, and `personal_data_for`
loads those modules the way the admin finds `admin` modules. Every part costs a fixed number of queries,
whatever the number of programmes or reviews.
"""

from axes.models import AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from programmes.action_programmes.digests import DIGEST
from programmes.action_programmes.selectors import terms_prefetch
from programmes.action_programmes.services import CONTENT_FIELDS
from programmes.models import (
    AccountPreferences,
    ActionProgramme,
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    Commitment,
    Evidence,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    Position,
    ProgrammeVersion,
    ProgressReport,
    ReadEvent,
    ReminderLog,
    RoleAssignment,
)
from programmes.personal_copy import Entry, Part, Record, entries, entry, named, part, person, record, shown_value
from programmes.web import person_name

# --- The parts of the programmes app ---------------------------------------------------------------------------


@part(10)
def account_part(user: User, cadre: Cadre | None) -> Part:
    fields = ["username", "last_name", "first_name", "email", "date_joined", "last_login", "is_active"]
    return Part("account", _("Tài khoản"), [Record(user.get_username(), entries(user, fields))])


@part(20)
def cadre_part(user: User, cadre: Cadre | None) -> Part:
    records = [Record(cadre.full_name, entries(cadre, ["code", "full_name", "gender"]))] if cadre is not None else []
    note = "" if cadre is not None else _("Tài khoản không gắn với hồ sơ đảng viên.")
    return Part("cadre", _("Hồ sơ đảng viên"), records, note)


@part(30)
def private_details_part(user: User, cadre: Cadre | None) -> Part:
    details = CadrePrivateDetails.objects.filter(cadre=cadre).first() if cadre is not None else None
    fields = ["date_of_birth", "citizen_id", "phone", "email", "address"]
    records = [Record(_("Thông tin cá nhân"), entries(details, fields))] if details is not None else []
    return Part("private_details", _("Thông tin cá nhân"), records)


@part(40)
def memberships_part(user: User, cadre: Cadre | None) -> Part:
    memberships = (
        Membership.objects.filter(cadre=cadre).select_related("cell").order_by("start_date", "pk")
        if cadre is not None
        else Membership.objects.none()
    )
    fields = ["member_type", "status", "joined_party_on", "official_on", "start_date", "end_date"]
    records = [
        Record(membership.cell.name, [named("cell", _("Chi bộ"), membership.cell), *entries(membership, fields)])
        for membership in memberships
    ]
    return Part("memberships", _("Sinh hoạt đảng"), records)


@part(50)
def positions_part(user: User, cadre: Cadre | None) -> Part:
    positions = (
        Position.objects.filter(cadre=cadre).select_related("organisation").order_by("start_date", "pk")
        if cadre is not None
        else Position.objects.none()
    )
    records = [
        record(
            position.display_title,
            position,
            "post_kind",
            "party_post",
            "title",
            named("organisation", _("Tổ chức đảng"), position.organisation),
            "agency_name",
            "is_head",
            "council_deputy",
            "start_date",
            "end_date",
        )
        for position in positions
    ]
    return Part("positions", _("Chức vụ"), records)


@part(60)
def roles_part(user: User, cadre: Cadre | None) -> Part:
    assignments = RoleAssignment.objects.filter(user=user).select_related("organisation").order_by("start_date", "pk")
    records = [
        record(
            assignment.get_role_display(),
            assignment,
            "role",
            named("organisation", _("Phạm vi"), assignment.organisation),
            "start_date",
            "end_date",
        )
        for assignment in assignments
    ]
    return Part("roles", _("Vai trò được giao"), records)


PROGRAMME_FIELDS = [
    "title",
    "occasion",
    "position_title",
    "organisation_name",
    "term_start",
    "term_end",
    "state",
    "publicity_max",
    "publicity_level",
    "publication_consent_at",
    "created_at",
    "updated_at",
    "closed_at",
    "closed_reason",
    "closed_note",
    "final_conclusion",
    "evaluated_at",
]
VERSION_FIELDS = [
    "number",
    "state",
    "amendment_reason",
    "created_at",
    "submitted_at",
    "returned_at",
    "return_reason",
    "confirmer_title",
    "confirmed_at",
    "confirmation_comment",
]
# What the cadre wrote for each commitment: the registration form's fields, with its place and any return note.
TERMS_FIELDS = ["position", *CONTENT_FIELDS, "return_note"]
EVIDENCE_FIELDS = ["description", "original_name", "link", "content_type", "size", "sha256", "is_public", "uploaded_at"]


def _version_record(version: ProgrammeVersion) -> Record:
    terms = [
        Record(
            terms.statement[:80],
            entries(terms, TERMS_FIELDS),
            [
                Part(
                    "milestones",
                    _("Mốc thực hiện"),
                    [Record(str(m), entries(m, ["due_date", "description"])) for m in terms.milestones.all()],
                )
            ],
        )
        for terms in version.terms.all()
    ]
    return Record(
        _("Phiên bản %(number)s") % {"number": version.number},
        [
            *entries(version, VERSION_FIELDS),
            named("confirming_organisation", _("Cấp xác nhận"), version.confirming_organisation),
            person("confirmer", _("Người xác nhận"), version.confirmed_by or version.confirmer),
        ],
        [Part("commitments", _("Nội dung cam kết"), terms)],
    )


def _commitment_record(commitment: Commitment, statements: dict[int, str]) -> Record:
    reports = [
        Record(
            report.get_status_display(),
            entries(report, ["reported_at", "status", "value_reached", "note", "drop_reason"]),
        )
        for report in commitment.progress_reports.all()
    ]
    evidence = [Record(str(item), entries(item, EVIDENCE_FIELDS)) for item in commitment.evidence.all()]
    return Record(
        statements.get(commitment.pk, str(commitment.reference))[:80],
        [
            entry("reference", _("Mã nội dung cam kết"), str(commitment.reference)),
            *entries(commitment, ["status", "value_reached", "last_reported_at", "publicity_cap"]),
            entry(
                "carried_from",
                _("Chuyển tiếp từ cam kết"),
                str(commitment.carried_from.reference) if commitment.carried_from is not None else "",
            ),
            *entries(commitment, ["final_verdict", "final_note"]),
        ],
        [
            Part("progress_reports", _("Báo cáo tiến độ"), reports),
            Part(
                "evidence",
                _("Minh chứng"),
                evidence,
                _("Tệp minh chứng được tải từ trang chương trình; bản này ghi tên, dung lượng và mã băm của tệp."),
            ),
        ],
    )


def _programmes(cadre: Cadre) -> list[ActionProgramme]:
    versions = ProgrammeVersion.objects.select_related(
        "confirming_organisation", "confirmer__cadre", "confirmed_by__cadre"
    ).order_by("number")
    commitments = (
        Commitment.objects.select_related("carried_from")
        .prefetch_related(
            Prefetch("progress_reports", queryset=ProgressReport.objects.order_by("reported_at", "pk")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")),
        )
        .order_by("pk")
    )
    return list(
        ActionProgramme.objects.filter(owner=cadre)
        .select_related("evaluated_by__cadre")
        .prefetch_related(
            Prefetch("versions", queryset=versions),
            terms_prefetch("versions__terms"),
            Prefetch("commitments", commitments),
        )
        .order_by("created_at", "pk")
    )


@part(70)
def programmes_part(user: User, cadre: Cadre | None) -> Part:
    records = []
    for programme in _programmes(cadre) if cadre is not None else []:
        versions = list(programme.versions.all())
        # A commitment is named by what it says in its latest version.
        statements = {terms.commitment_id: terms.statement for version in versions for terms in version.terms.all()}
        records.append(
            Record(
                programme.title,
                [
                    *entries(programme, PROGRAMME_FIELDS),
                    person("evaluated_by", _("Người đánh giá cuối nhiệm kỳ"), programme.evaluated_by),
                ],
                [
                    Part("versions", _("Các phiên bản"), [_version_record(version) for version in versions]),
                    Part(
                        "progress",
                        _("Tiến độ thực hiện"),
                        [_commitment_record(c, statements) for c in programme.commitments.all()],
                    ),
                ],
            )
        )
    return Part("programmes", _("Chương trình hành động"), records)


@part(90)
def notifications_part(user: User, cadre: Cadre | None) -> Part:
    notifications = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    fields = ["created_at", "kind", "subject", "body", "link", "read_at", "delivery", "emailed_at"]
    records = [Record(item.subject, entries(item, fields)) for item in notifications]
    return Part("notifications", _("Thông báo"), records)


def _language_entry(language: str) -> Entry:
    """The language the person reads notifications and e-mails in; empty: they follow the portal's."""
    shown = str(dict(settings.LANGUAGES).get(language, language)) if language else _("Theo ngôn ngữ của cổng")
    return entry("language", _("Ngôn ngữ của thông báo và thư"), language, shown)


@part(92)
def notification_settings_part(user: User, cadre: Cadre | None) -> Part:
    """What the person chose on “Cách nhận thông báo”: their language and each kind they receive otherwise than by
    an e-mail at once (a kind without a choice is e-mailed at once, so it has no row to show)."""
    language = AccountPreferences.objects.filter(user=user).values_list("language", flat=True).first() or ""
    choices = NotificationPreference.objects.filter(user=user).order_by("kind", "pk")
    deliveries = [record(choice.get_kind_display(), choice, "kind", "delivery", "updated_at") for choice in choices]
    note = _("Loại thông báo không có trong danh sách được gửi thư điện tử ngay.")
    settings_record = Record(
        _("Cách nhận thông báo"),
        [_language_entry(language)],
        [Part("deliveries", _("Cách nhận từng loại thông báo"), deliveries, note)],
    )
    return Part("notification_settings", _("Cách nhận thông báo"), [settings_record])


def reminder_kind_label(kind: str) -> str:
    """A reminder log's kind: a kind of notification, or the day's digest (programmes.action_programmes.digests)."""
    if kind == DIGEST:
        return _("Thư tổng hợp thông báo trong ngày")
    return str(NotificationKind(kind).label) if kind in NotificationKind.values else kind


@part(95)
def reminders_part(user: User, cadre: Cadre | None) -> Part:
    """The log that lets each reminder and each day's digest reach this person once a day; the run's mark (`sweep`)
    is the job's, not theirs."""
    reminders = ReminderLog.objects.filter(recipient=user).order_by("created_at", "pk")
    records = [
        record(
            reminder_kind_label(item.kind),
            item,
            entry("kind", _("Loại nhắc việc"), item.kind, reminder_kind_label(item.kind)),
            entry("object_id", _("Mã đối tượng được nhắc"), item.object_id),
            entry("day", _("Ngày nhắc"), item.day),
            entry("sent_at", _("Thời điểm gửi"), item.created_at),
        )
        for item in reminders
    ]
    note = _("Mỗi nhắc việc về một đối tượng chỉ gửi một lần trong ngày; nhật ký này giữ ngày đã gửi.")
    return Part("reminders", _("Nhắc việc đã gửi cho tôi"), records, note)


@part(105)
def reads_part(user: User, cadre: Cadre | None) -> Part:
    """Who opened this person's private data, as “Ai đã xem hồ sơ của tôi” shows it (never the reader's address)."""
    events = (
        ReadEvent.objects.filter(subject=cadre).select_related("reader__cadre").order_by("at", "pk")
        if cadre is not None
        else ReadEvent.objects.none()
    )
    records = [
        record(
            event.get_kind_display(),
            event,
            "at",
            "kind",
            entry("reader", _("Người xem"), person_name(event.reader) if event.reader else event.reader_repr),
            "object_repr",
        )
        for event in events
    ]
    return Part("reads", _("Ai đã xem hồ sơ của tôi"), records)


@part(108)
def sign_ins_part(user: User, cadre: Cadre | None) -> Part:
    """The sign-ins the lockout keeps for the account (django-axes): when, from which address and browser."""
    sign_ins = AccessLog.objects.filter(username=user.get_username()).order_by("attempt_time", "pk")
    records = [
        record(
            shown_value(item.attempt_time),
            item,
            entry("at", _("Thời điểm đăng nhập"), item.attempt_time),
            entry("ip_address", _("Địa chỉ IP"), item.ip_address),
            entry("user_agent", _("Trình duyệt"), item.user_agent),
            entry("logout_at", _("Thời điểm đăng xuất"), item.logout_time),
        )
        for item in sign_ins
    ]
    return Part("sign_ins", _("Lịch sử đăng nhập"), records)


@part(110)
def audit_part(user: User, cadre: Cadre | None) -> Part:
    events = AuditEvent.objects.filter(actor=user).select_related("content_type").order_by("at", "pk")
    records = [
        record(
            event.action,
            event,
            "at",
            "action",
            entry("object_type", _("Loại đối tượng"), event.content_type.name if event.content_type else ""),
            entry("object_id", _("Mã đối tượng"), event.object_id),
            "ip_address",
        )
        for event in events
    ]
    note = _(
        "Các thao tác do chính đồng chí thực hiện. Nội dung trước và sau mỗi thao tác không đưa vào bản này vì có "
        "thể chứa thông tin của người khác."
    )
    return Part("audit_events", _("Nhật ký thao tác của tôi"), records, note)
