"""Citizen feedback (góp ý, phản ánh) on a published programme, as a case the oversight body of the area handles.

A case goes to the Fatherland Front committee of the area, or to the People's Council standing body when the
cadre is an elected deputy; never to the cadre. The citizen keeps a tracking code. Contact details live in a
table of their own so that they can be purged once the case has been closed for the retention period.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from programmes.models import ActionProgramme, Cadre, Commitment, PartyOrganisation

# Party committees are named after their area ("Đảng bộ phường Bến Thành"); the bodies of the area share its name.
PARTY_COMMITTEE_PREFIX = "Đảng bộ "


class FeedbackKind(models.TextChoices):
    SUGGESTION = "suggestion", _("Góp ý")
    REPORT = "report", _("Phản ánh")


class OversightBody(models.TextChoices):
    FRONT = "front", _("Ủy ban Mặt trận Tổ quốc")
    COUNCIL = "council", _("Thường trực Hội đồng nhân dân")


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Đã nhận, chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận, đang xem xét")
    FORWARDED = "forwarded", _("Đã chuyển cấp ủy quản lý xác minh")
    ANSWERED = "answered", _("Đã có kết quả")
    REJECTED = "rejected", _("Không tiếp nhận")


OPEN_STATES = (CaseState.RECEIVED, CaseState.ACCEPTED, CaseState.FORWARDED)
CLOSED_STATES = (CaseState.ANSWERED, CaseState.REJECTED)


class Verification(models.TextChoices):
    TRUE = "true", _("Đúng")
    PARTLY = "partly", _("Đúng một phần")
    UNTRUE = "untrue", _("Không đúng")


# Verified cases, true or partly true, are attached to the cadre's next review.
ATTACHED_VERIFICATIONS = (Verification.TRUE, Verification.PARTLY)


class RejectionReason(models.TextChoices):
    ABUSIVE = "abusive", _("Nội dung xúc phạm, vu khống")
    OFF_TOPIC = "off_topic", _("Không liên quan đến chương trình hành động")
    DUPLICATE = "duplicate", _("Trùng với góp ý, phản ánh đã nhận")


class FeedbackCase(models.Model):
    programme = models.ForeignKey(
        ActionProgramme, on_delete=models.PROTECT, related_name="feedback_cases", verbose_name=_("chương trình")
    )
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_cases",
        verbose_name=_("nội dung cam kết"),
    )
    kind = models.CharField(_("loại"), max_length=16, choices=FeedbackKind.choices, default=FeedbackKind.SUGGESTION)
    text = models.TextField(_("nội dung góp ý, phản ánh"))
    tracking_code = models.CharField(_("mã tra cứu"), max_length=16, unique=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    due_on = models.DateField(_("hạn trả lời"))
    # Where the case was routed: the area (a ward or commune committee, or the city) and which body there.
    area = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn"))
    body = models.CharField(_("cơ quan giám sát"), max_length=16, choices=OversightBody.choices)
    identified = models.BooleanField(_("người gửi để lại liên hệ"), default=False)
    # A keyed digest of the sender's address, for the rate limit; emptied with the contact details.
    source_digest = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(_("trạng thái"), max_length=16, choices=CaseState.choices, default=CaseState.RECEIVED)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xử lý"),
    )
    accepted_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("lý do không tiếp nhận"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.TextField(_("giải thích"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("trùng với")
    )
    forwarded_to = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cấp ủy quản lý được chuyển"),
    )
    forwarded_at = models.DateTimeField(_("chuyển lúc"), null=True, blank=True)
    forward_note = models.TextField(_("nội dung đề nghị xác minh"), blank=True)
    verification = models.CharField(_("kết quả xác minh"), max_length=16, choices=Verification.choices, blank=True)
    answer = models.TextField(_("trả lời công khai"), blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    cadre_reply = models.TextField(_("ý kiến của cán bộ"), blank=True)
    cadre_replied_at = models.DateTimeField(_("cán bộ trả lời lúc"), null=True, blank=True)
    # The review input this case became, once verified and a review of the cadre is open for it.
    review_input = models.OneToOneField(
        "reviews.ReviewInput",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_case",
        verbose_name=_("đã đưa vào bản kiểm điểm"),
    )
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    # The one-time key of the form that sent it, so that the same form sent twice stores one case.
    submission_key = models.UUIDField(_("mã lần gửi"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("góp ý, phản ánh của Nhân dân")
        verbose_name_plural = _("góp ý, phản ánh của Nhân dân")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["area", "body", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="answered") | (~Q(verification="") & ~Q(answer="")),
                name="feedback_answer_has_verification",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(rejection_reason=""),
                name="feedback_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def addressee(self) -> str:
        """The body and its area as people name them: "Ủy ban Mặt trận Tổ quốc phường Bến Thành"."""
        area = self.area.name.removeprefix(PARTY_COMMITTEE_PREFIX)
        return f"{self.get_body_display()} {area}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.due_on - timezone.localdate()).days


class FeedbackContact(models.Model):
    """Who sent a case and how to reach them: seen by the oversight body only, purged after the retention period."""

    case = models.OneToOneField(FeedbackCase, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    answer_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("liên hệ của người gửi")
        verbose_name_plural = _("liên hệ của người gửi")

    def __str__(self) -> str:
        return self.name or self.email or self.phone


class OpenDataKind(models.TextChoices):
    """The open-data files, each generated in the background and served whole (publicity.opendata)."""

    PROGRAMMES_CSV = "programmes_csv", "chuong-trinh.csv"
    COMMITMENTS_CSV = "commitments_csv", "noi-dung-cam-ket.csv"
    PROGRAMMES_JSON = "programmes_json", "chuong-trinh.json"
    COMMITMENTS_JSON = "commitments_json", "noi-dung-cam-ket.json"


class OpenDataFile(models.Model):
    """The file served now for one open-data kind. A run writes a new file in storage and then switches this row
    to it in one transaction, so a reader gets the old file or the new one, never half of one; the file before
    stays one more run for downloads still under way."""

    kind = models.CharField(_("loại tệp"), max_length=32, choices=OpenDataKind.choices, unique=True)
    storage_name = models.CharField(_("tệp đang dùng"), max_length=255, blank=True)
    previous_name = models.CharField(_("tệp trước"), max_length=255, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)
    # When the file was switched in (Last-Modified), and when its data were read (a later run's wins).
    generated_at = models.DateTimeField(_("tạo lúc"), null=True, blank=True)
    data_as_of = models.DateTimeField(_("dữ liệu tính đến"), null=True, blank=True)
    # When the latest run started: a publication change made before it is in that run, and asks for no other.
    started_at = models.DateTimeField(_("lần tạo gần nhất bắt đầu lúc"), null=True, blank=True)
    # When a download asked for a file not generated yet: that ask queued a run, the downloads after it wait for it.
    asked_at = models.DateTimeField(_("yêu cầu tạo lần đầu lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp dữ liệu mở")
        verbose_name_plural = _("tệp dữ liệu mở")

    def __str__(self) -> str:
        return self.get_kind_display()


class FollowTarget(models.TextChoices):
    PROGRAMME = "programme", _("Một chương trình")
    CADRE = "cadre", _("Các chương trình của một cán bộ")
    AREA = "area", _("Các chương trình của một địa bàn")


class FollowSubscription(models.Model):
    """A citizen's wish, without an account, to be e-mailed what is published about a programme, about the
    programmes of a cadre, or about the programmes of an area (a ward or commune committee's subtree).

    Double opt-in: stored pending, it receives nothing until confirmed by the link sent to the address. The address
    is personal data: never on a page, in the audit log or in a log line; the row is deleted when its holder
    unsubscribes, and a request never confirmed after FOLLOW_PENDING_RETENTION_DAYS (publicity.follow.purge).
    """

    target = models.CharField(_("theo dõi"), max_length=16, choices=FollowTarget.choices)
    programme = models.ForeignKey(
        ActionProgramme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chương trình"),
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("cán bộ")
    )
    area = models.ForeignKey(
        PartyOrganisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("địa bàn")
    )
    email = models.EmailField(_("thư điện tử"))
    # A keyed digest of the address in lower case: one subscription per address and target, and its rate limit.
    address_digest = models.CharField(max_length=64)
    # The language of the page it was asked from: the e-mails are written in it.
    language = models.CharField(_("ngôn ngữ"), max_length=8, default=settings.LANGUAGE_CODE)
    # The latest request, and the latest e-mail answering one (a confirmation link, or "you already follow").
    requested_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    mailed_at = models.DateTimeField(_("gửi thư xác nhận lúc"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("đăng ký theo dõi")
        verbose_name_plural = _("đăng ký theo dõi")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target="programme", programme__isnull=False, cadre__isnull=True, area__isnull=True)
                    | Q(target="cadre", programme__isnull=True, cadre__isnull=False, area__isnull=True)
                    | Q(target="area", programme__isnull=True, cadre__isnull=True, area__isnull=False)
                ),
                name="follow_names_its_one_target",
            ),
            models.UniqueConstraint(
                fields=["address_digest", "programme"],
                condition=Q(programme__isnull=False),
                name="follow_programme_once_per_address",
            ),
            models.UniqueConstraint(
                fields=["address_digest", "cadre"],
                condition=Q(cadre__isnull=False),
                name="follow_cadre_once_per_address",
            ),
            models.UniqueConstraint(
                fields=["address_digest", "area"], condition=Q(area__isnull=False), name="follow_area_once_per_address"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_at"], condition=Q(confirmed_at__isnull=True), name="follow_pending_by_age")
        ]

    def __str__(self) -> str:
        # Never the address: this is what the audit log and the admin's log would print.
        return f"{self.get_target_display()} #{self.programme_id or self.cadre_id or self.area_id}"


class FollowDelivery(models.Model):
    """One published change e-mailed to one subscription, at most once: the pair is unique, so a fan-out run again
    or a task delivered twice never sends a change twice. Deleted with its subscription."""

    subscription = models.ForeignKey(FollowSubscription, on_delete=models.CASCADE, related_name="deliveries")
    # The change's key (programmes.action_programmes.announcements.change_key): "progress-12", "version-3"...
    change = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thư báo thay đổi")
        verbose_name_plural = _("thư báo thay đổi")
        constraints = [models.UniqueConstraint(fields=["subscription", "change"], name="follow_change_sent_once")]
        indexes = [models.Index(fields=["created_at"], name="follow_delivery_by_age")]

    def __str__(self) -> str:
        return self.change


class FollowRequest(models.Model):
    """A request to follow, kept only for the rate limits: keyed digests of the network address and of the e-mail
    address (neither can be read back), deleted once the longest window has passed."""

    source_digest = models.CharField(max_length=64)
    address_digest = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("yêu cầu theo dõi")
        verbose_name_plural = _("yêu cầu theo dõi")
        indexes = [
            models.Index(fields=["source_digest", "requested_at"], name="follow_request_by_source"),
            models.Index(fields=["address_digest", "requested_at"], name="follow_request_by_address"),
            models.Index(fields=["requested_at"], name="follow_request_by_age"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.requested_at):%d/%m/%Y %H:%M}"


def _count(label: StrOrPromise) -> "models.PositiveIntegerField[int, int]":
    return models.PositiveIntegerField(label, default=0)


class OrganisationSummary(models.Model):
    """The figures of the organisation dashboards, counted ahead by publicity.dashboards.refresh.

    Two rows per organisation: what is counted in the organisation itself (OWN: the members of a cell, the
    commitments of the programmes registered there, the reviews its cell proposes, the quota of the deciding
    committee it is, the cases about its programmes), and the sum of OWN over its whole subtree (SUBTREE), which a
    dashboard reads for the organisation and each of its children. The staff figures count the party's own record;
    the `public_` ones only what the public pages show (publicity.selectors' rule), for the public area dashboards.
    """

    class Scope(models.TextChoices):
        OWN = "own", _("Tại chính tổ chức")
        SUBTREE = "subtree", _("Cả tổ chức và các tổ chức trực thuộc")

    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("tổ chức")
    )
    scope = models.CharField(_("phạm vi"), max_length=8, choices=Scope.choices)
    refreshed_at = models.DateTimeField(_("số liệu cập nhật lúc"))

    members = _count(_("đảng viên"))
    members_with_programme = _count(_("đảng viên có chương trình đã xác nhận"))

    # The commitments in force of confirmed programmes, by their latest progress status.
    commitments = _count(_("nội dung cam kết đang thực hiện"))
    commitments_not_started = _count(_("chưa bắt đầu"))
    commitments_on_track = _count(_("đúng tiến độ"))
    commitments_at_risk = _count(_("có nguy cơ chậm"))
    commitments_done = _count(_("hoàn thành"))
    commitments_exceeded = _count(_("vượt chỉ tiêu"))
    commitments_dropped = _count(_("không thực hiện (có lý do)"))
    overdue = _count(_("quá hạn"))
    due_soon = _count(_("sắp đến hạn"))
    overdue_without_evidence = _count(_("quá hạn, chưa có minh chứng"))
    stalled = _count(_("lâu không báo cáo tiến độ"))

    # The reviews of each cell's latest period (ad hoc reviews apart), by state, and the levels they stand at.
    reviews_self_drafting = _count(_("đang viết bản kiểm điểm"))
    reviews_self_submitted = _count(_("đã nộp bản kiểm điểm"))
    reviews_cell_proposed = _count(_("chi bộ đã đề xuất"))
    reviews_decided = _count(_("đã quyết định, chờ xác nhận"))
    reviews_final = _count(_("đã có kết quả"))
    reviews_appealed = _count(_("đang giải quyết kiến nghị"))
    reviews_not_rated = _count(_("không đánh giá, xếp loại"))
    level_excellent = _count(_("hoàn thành xuất sắc nhiệm vụ"))
    level_good = _count(_("hoàn thành tốt nhiệm vụ"))
    level_completed = _count(_("hoàn thành nhiệm vụ"))
    level_not_completed = _count(_("không hoàn thành nhiệm vụ"))

    # The quota of Excellent ratings of each deciding organisation in its latest period (reviews.quota).
    quota_organisations = _count(_("cấp quyết định có xếp loại"))
    quota_limited = _count(_("cấp quyết định có giới hạn tỷ lệ xuất sắc"))
    quota_excellent = _count(_("xuất sắc đã quyết định"))
    quota_good = _count(_("hoàn thành tốt nhiệm vụ (kể cả đề xuất)"))
    quota_allowed = _count(_("xuất sắc tối đa theo tỷ lệ"))
    quota_over = _count(_("cấp quyết định vượt tỷ lệ"))

    # Citizens' feedback cases about the programmes once the oversight body took them up (what the party side may
    # know of, publicity.access), by state, and those still being handled by age.
    cases_accepted = _count(_("góp ý đang xem xét"))
    cases_forwarded = _count(_("góp ý đã chuyển xác minh"))
    cases_answered = _count(_("góp ý đã có kết quả"))
    cases_open_week = _count(_("góp ý đang xử lý đến 7 ngày"))
    cases_open_month = _count(_("góp ý đang xử lý 8 đến 30 ngày"))
    cases_open_older = _count(_("góp ý đang xử lý trên 30 ngày"))
    cases_overdue = _count(_("góp ý quá hạn trả lời"))

    # What the public pages show: published programmes and their public commitments in force.
    public_programmes = _count(_("chương trình được công khai"))
    public_commitments = _count(_("nội dung cam kết được công khai"))
    public_not_started = _count(_("công khai: chưa bắt đầu"))
    public_on_track = _count(_("công khai: đúng tiến độ"))
    public_at_risk = _count(_("công khai: có nguy cơ chậm"))
    public_done = _count(_("công khai: hoàn thành"))
    public_exceeded = _count(_("công khai: vượt chỉ tiêu"))
    public_dropped = _count(_("công khai: không thực hiện"))
    public_overdue = _count(_("công khai: quá hạn"))
    public_due_soon = _count(_("công khai: sắp đến hạn"))

    class Meta:
        verbose_name = _("số liệu tổng hợp của tổ chức")
        verbose_name_plural = _("số liệu tổng hợp của tổ chức")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "scope"], name="summary_once_per_organisation_and_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.scope})"

    @property
    def open_cases(self) -> int:
        return self.cases_accepted + self.cases_forwarded

    @property
    def reviews(self) -> int:
        return (
            self.reviews_self_drafting
            + self.reviews_self_submitted
            + self.reviews_cell_proposed
            + self.reviews_decided
            + self.reviews_final
            + self.reviews_appealed
            + self.reviews_not_rated
        )

    @property
    def reviews_ended(self) -> int:
        """The reviews with nothing left to do in their period: a result, or not rated."""
        return self.reviews_final + self.reviews_not_rated
