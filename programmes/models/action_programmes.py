"""Action programmes: what a cadre commits to, the versions the confirmer accepts, and the progress on it.

A programme has versions. Version 1 is the registration; a later version is either an amendment of the
confirmed programme, with a reason, or the correction of a version the confirmer returned. A version is
edited only while it is a draft. Sending it to the confirmer freezes it: the confirmer confirms it, and
it stays in force until an amendment is confirmed in its place, or returns it, and it stays as it was
sent, with the reasons, while the owner corrects the next version.

A commitment is the lasting thing a cadre promised (progress and evidence attach to it); its wording,
target, deadline and weight in one version are its `CommitmentTerms`. Comparing two versions pairs the
terms of the same commitment, so a moved target shows as a change, not as one removed and one added.
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cadres import Cadre, Position
from .organisations import PartyOrganisation


class Occasion(models.TextChoices):
    NEW_DUTY = "new_duty", _("Nhận nhiệm vụ mới")
    ELECTION = "election", _("Bầu cử")
    APPOINTMENT = "appointment", _("Bổ nhiệm")
    ANNUAL = "annual", _("Cam kết tu dưỡng, rèn luyện, phấn đấu hằng năm")


class ProgrammeState(models.TextChoices):
    """Where the programme as a whole stands; the versions carry their own states."""

    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Chờ xác nhận")
    RETURNED = "returned", _("Bị trả lại để sửa")
    CONFIRMED = "confirmed", _("Đã xác nhận, đang thực hiện")
    CLOSED = "closed", _("Đã kết thúc")
    WITHDRAWN = "withdrawn", _("Đã rút")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Chờ xác nhận")
    # Frozen as it was sent, with the return's reasons; the correction is the next version.
    RETURNED = "returned", _("Đã trả lại")
    CONFIRMED = "confirmed", _("Đang có hiệu lực")
    SUPERSEDED = "superseded", _("Đã được thay thế")
    WITHDRAWN = "withdrawn", _("Đã rút")


EDITABLE_VERSION_STATES = frozenset({VersionState.DRAFT})
PENDING_VERSION_STATES = frozenset({VersionState.DRAFT, VersionState.SUBMITTED})


class PublicityLevel(models.IntegerChoices):
    """Who may read a programme, in order; each level includes the ones below it."""

    PRIVATE = 0, _("Riêng tư (bản nháp)")
    CELL = 1, _("Nội bộ chi bộ")
    COMMITTEE = 2, _("Nội bộ cấp ủy")
    OVERSIGHT = 3, _("Mặt trận và HĐND")
    PUBLIC = 4, _("Công khai nhân dân")


class CommitmentCategory(models.TextChoices):
    POLITICS_ETHICS = "politics_ethics", _("Tư tưởng chính trị, đạo đức, lối sống")
    EXEMPLARY = "exemplary", _("Trách nhiệm nêu gương")
    PROFESSIONAL_TASK = "professional_task", _("Nhiệm vụ chuyên môn được giao")
    SERVICE_TO_PEOPLE = "service_to_people", _("Phục vụ Nhân dân")
    PARTY_BUILDING = "party_building", _("Xây dựng Đảng")
    SELF_IMPROVEMENT = "self_improvement", _("Học tập, tự rèn luyện")

    @classmethod
    def task_values(cls) -> frozenset[str]:
        """The categories scored as task results (the 70 points of rule set 366); their weights sum to 100."""
        return frozenset({cls.PROFESSIONAL_TASK, cls.SERVICE_TO_PEOPLE, cls.PARTY_BUILDING})


class ProgressStatus(models.TextChoices):
    # "Not started" rather than "no action": nothing has been reported yet (PolitiFact's lesson).
    NOT_STARTED = "not_started", _("Chưa bắt đầu")
    ON_TRACK = "on_track", _("Đúng tiến độ")
    AT_RISK = "at_risk", _("Có nguy cơ chậm")
    DONE = "done", _("Hoàn thành")
    EXCEEDED = "exceeded", _("Vượt chỉ tiêu")
    DROPPED = "dropped", _("Không thực hiện (có lý do)")

    @classmethod
    def finished_values(cls) -> frozenset[str]:
        return frozenset({cls.DONE, cls.EXCEEDED, cls.DROPPED})

    @classmethod
    def needing_evidence(cls) -> frozenset[str]:
        return frozenset({cls.DONE, cls.EXCEEDED})


class ConfirmerRule(models.Model):
    """Who confirms the programme of an owner in a given situation (DOMAIN 2.3), editable as data.

    The most specific rule wins: one for the occasion before one for every occasion.
    """

    class OwnerStanding(models.TextChoices):
        MEMBER = "member", _("Đảng viên không giữ chức vụ")
        CELL_LEADER = "cell_leader", _("Bí thư, phó bí thư chi bộ")
        COMMITTEE_MEMBER = "committee_member", _("Cấp ủy viên đảng ủy cơ sở trở lên")
        HEAD = "head", _("Người đứng đầu cơ quan, đơn vị")

    class ConfirmingBody(models.TextChoices):
        OWN_CELL = "own_cell", _("Bí thư chi bộ nơi sinh hoạt")
        GRASSROOTS_COMMITTEE = "grassroots_committee", _("Bí thư đảng ủy cơ sở")
        MANAGING_COMMITTEE = "managing_committee", _("Bí thư cấp ủy cấp trên quản lý cán bộ")

    owner_standing = models.CharField(_("người lập chương trình"), max_length=32, choices=OwnerStanding.choices)
    occasion = models.CharField(
        _("lý do lập chương trình"),
        max_length=16,
        choices=Occasion.choices,
        blank=True,
        help_text=_("Để trống: áp dụng cho mọi lý do."),
    )
    confirming_body = models.CharField(_("người xác nhận"), max_length=32, choices=ConfirmingBody.choices)

    class Meta:
        verbose_name = _("quy tắc xác định người xác nhận")
        verbose_name_plural = _("quy tắc xác định người xác nhận")
        constraints = [
            models.UniqueConstraint(fields=["owner_standing", "occasion"], name="confirmer_rule_one_per_situation"),
        ]

    def __str__(self) -> str:
        occasion = self.get_occasion_display() if self.occasion else _("mọi lý do")
        return f"{self.get_owner_standing_display()} ({occasion}) → {self.get_confirming_body_display()}"


class ActionProgramme(models.Model):
    owner = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("người lập chương trình")
    )
    occasion = models.CharField(_("lý do lập chương trình"), max_length=16, choices=Occasion.choices)
    title = models.CharField(_("tên chương trình"), max_length=255)
    # The post the programme is for, and a copy of its title and organisation at registration, so that
    # the programme still says what it was for after the post ends or is renamed.
    position = models.ForeignKey(
        Position,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("chức vụ"),
    )
    position_title = models.CharField(_("chức vụ, chức danh"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("tổ chức đảng"),
        help_text=_("Nơi cán bộ giữ chức vụ, hoặc chi bộ nơi sinh hoạt."),
    )
    organisation_name = models.CharField(_("tên tổ chức khi đăng ký"), max_length=255)
    term_start = models.DateField(_("thực hiện từ ngày"))
    term_end = models.DateField(_("đến ngày"))
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=ProgrammeState.choices, default=ProgrammeState.DRAFT
    )
    # The version in force: the last confirmed one. None until the first confirmation.
    current_version = models.OneToOneField(
        "ProgrammeVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phiên bản đang có hiệu lực"),
    )
    publicity_max = models.PositiveSmallIntegerField(
        _("mức công khai tối đa"), choices=PublicityLevel.choices, default=PublicityLevel.CELL
    )
    publicity_level = models.PositiveSmallIntegerField(
        _("mức công khai"), choices=PublicityLevel.choices, default=PublicityLevel.PRIVATE
    )
    # The owner's consent to publication beyond the party (Front, People's Council, the public). Withdrawing
    # it clears this and brings the programme back inside the party at once; the record itself stays.
    publication_consent_at = models.DateTimeField(_("đồng ý công khai lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), default=timezone.now)

    class Meta:
        verbose_name = _("chương trình hành động")
        verbose_name_plural = _("chương trình hành động")
        ordering = ["-term_start", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gte=models.F("term_start")), name="programme_term_in_order"),
            models.CheckConstraint(
                condition=Q(publicity_level__lte=models.F("publicity_max")),
                name="programme_publicity_within_maximum",
            ),
            models.CheckConstraint(
                condition=Q(publicity_level__lte=PublicityLevel.CELL) | Q(current_version__isnull=False),
                name="programme_unconfirmed_stays_in_cell",
            ),
            models.CheckConstraint(
                condition=Q(publicity_level__lte=PublicityLevel.COMMITTEE) | Q(publication_consent_at__isnull=False),
                name="programme_published_with_consent",
            ),
        ]
        indexes = [models.Index(fields=["owner", "state"], name="programme_owner_state")]

    def __str__(self) -> str:
        return f"{self.title} – {self.owner}"


class ProgrammeVersion(models.Model):
    programme = models.ForeignKey(
        ActionProgramme, on_delete=models.CASCADE, related_name="versions", verbose_name=_("chương trình")
    )
    number = models.PositiveIntegerField(_("phiên bản số"))
    state = models.CharField(_("trạng thái"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT)
    amendment_reason = models.TextField(
        _("lý do điều chỉnh"), blank=True, help_text=_("Bắt buộc với mọi phiên bản sau bản đăng ký đầu tiên.")
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    submitted_at = models.DateTimeField(_("ngày gửi xác nhận"), null=True, blank=True)
    # Found by the confirmer rule at submission: the body whose secretary confirms, and who held it then.
    confirming_organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cấp xác nhận"),
    )
    confirmer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_versions_to_confirm",
        verbose_name=_("người xác nhận"),
    )
    confirmer_title = models.CharField(_("chức vụ người xác nhận"), max_length=255, blank=True)
    returned_at = models.DateTimeField(_("ngày trả lại"), null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    # The returned version this one corrects; it starts as a copy of it, with the return's notes. RESTRICT, not
    # PROTECT: a returned version is never deleted on its own, but goes with its programme (and its correction).
    resubmission_of = models.OneToOneField(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="resubmission",
        verbose_name=_("sửa theo ý kiến trả lại phiên bản"),
    )
    confirmed_at = models.DateTimeField(_("ngày xác nhận"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("xác nhận bởi"),
    )
    confirmation_comment = models.TextField(_("ý kiến của người xác nhận"), blank=True)

    class Meta:
        verbose_name = _("phiên bản chương trình")
        verbose_name_plural = _("phiên bản chương trình")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_number_unique"),
            # At most one amendment in the making: a second one would fork the programme.
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(state__in=["draft", "submitted"]),
                name="programme_one_pending_version",
            ),
            # Every later version says why: an amendment its reason, a correction the return it answers.
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(amendment_reason="") | Q(resubmission_of__isnull=False),
                name="programme_amendment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return _("%(programme)s, phiên bản %(number)s") % {"programme": self.programme.title, "number": self.number}

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_VERSION_STATES

    @property
    def is_amendment(self) -> bool:
        """A change to a confirmed programme (or the correction of one): it carries the amendment's reason."""
        return bool(self.amendment_reason)

    @property
    def is_resubmission(self) -> bool:
        return self.resubmission_of_id is not None


class Commitment(models.Model):
    """A promise that lasts across versions; its progress and evidence attach here."""

    programme = models.ForeignKey(
        ActionProgramme, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("chương trình")
    )
    # A short stable reference for links and comparisons, independent of the position in a version.
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("tình trạng thực hiện"), max_length=16, choices=ProgressStatus.choices, default=ProgressStatus.NOT_STARTED
    )
    value_reached = models.DecimalField(_("giá trị đạt được"), max_digits=14, decimal_places=2, null=True, blank=True)
    last_reported_at = models.DateTimeField(_("báo cáo gần nhất"), null=True, blank=True)
    # A commitment may be shown to fewer people than its programme, never to more. None: as the programme.
    publicity_cap = models.PositiveSmallIntegerField(
        _("mức độ công khai riêng"), choices=PublicityLevel.choices, null=True, blank=True
    )

    class Meta:
        verbose_name = _("nội dung cam kết")
        verbose_name_plural = _("nội dung cam kết")

    def __str__(self) -> str:
        return str(self.reference)


class CommitmentTerms(models.Model):
    """What a commitment says in one version of the programme."""

    version = models.ForeignKey(
        ProgrammeVersion, on_delete=models.CASCADE, related_name="terms", verbose_name=_("phiên bản")
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="terms", verbose_name=_("nội dung cam kết")
    )
    position = models.PositiveIntegerField(_("thứ tự"))
    category = models.CharField(_("nhóm nội dung"), max_length=32, choices=CommitmentCategory.choices)
    statement = models.TextField(_("nội dung cam kết"), help_text=_("Việc sẽ làm được, nói cụ thể."))
    is_deliverable = models.BooleanField(
        _("cam kết một sản phẩm (có/không)"),
        default=False,
        help_text=_("Chọn khi kết quả là một sản phẩm cụ thể thay vì một con số."),
    )
    indicator = models.CharField(_("chỉ tiêu đo lường"), max_length=255, blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=64, blank=True)
    baseline_value = models.DecimalField(_("giá trị hiện tại"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_value = models.DecimalField(_("giá trị cam kết"), max_digits=14, decimal_places=2, null=True, blank=True)
    measures = models.TextField(_("biện pháp thực hiện"), blank=True)
    deadline = models.DateField(_("thời hạn hoàn thành"), null=True, blank=True)
    evidence_kind = models.CharField(
        _("sản phẩm, minh chứng"),
        max_length=255,
        blank=True,
        help_text=_("Điều gì sẽ chứng minh việc đã làm: văn bản, số liệu, công trình…"),
    )
    weight = models.PositiveSmallIntegerField(
        _("trọng số"), null=True, blank=True, help_text=_("Các nội dung nhiệm vụ cộng lại đủ 100.")
    )
    within_own_authority = models.BooleanField(_("thuộc thẩm quyền của bản thân"), default=True)
    # On a returned version, the confirmer's note on this commitment; on its correction, the same note
    # (copied) until that is confirmed, so that the owner and the confirmer read what it answers.
    return_note = models.TextField(_("ý kiến trả lại"), blank=True)

    class Meta:
        verbose_name = _("nội dung cam kết trong phiên bản")
        verbose_name_plural = _("nội dung cam kết trong phiên bản")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "commitment"], name="commitment_terms_once_per_version"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=1, weight__lte=100),
                name="commitment_weight_between_1_and_100",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    @property
    def is_task(self) -> bool:
        return self.category in CommitmentCategory.task_values()

    def completion(self, status: str, value_reached: Decimal | None) -> int:
        """Per cent done, from the commitment's latest status and value, for the progress bars."""
        if status in ProgressStatus.needing_evidence():
            return 100
        if status == ProgressStatus.DROPPED or self.is_deliverable:
            return 0
        if value_reached is None or self.target_value is None:
            return 0
        baseline = self.baseline_value or Decimal(0)
        span = self.target_value - baseline
        if span == 0:
            return 100 if value_reached >= self.target_value else 0
        share = (value_reached - baseline) / span * 100
        return int(max(Decimal(0), min(Decimal(100), share)))

    def is_overdue(self, status: str, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.deadline is not None and self.deadline < today and status not in ProgressStatus.finished_values()


class Milestone(models.Model):
    terms = models.ForeignKey(
        CommitmentTerms, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("nội dung cam kết")
    )
    due_date = models.DateField(_("mốc thời gian"))
    description = models.CharField(_("kết quả cần đạt ở mốc này"), max_length=255)

    class Meta:
        verbose_name = _("mốc thực hiện")
        verbose_name_plural = _("mốc thực hiện")
        ordering = ["terms", "due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.due_date:%d/%m/%Y}: {self.description}"


class ProgressReport(models.Model):
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("nội dung cam kết")
    )
    status = models.CharField(_("tình trạng"), max_length=16, choices=ProgressStatus.choices)
    value_reached = models.DecimalField(_("giá trị đạt được"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("kết quả, khó khăn"), blank=True)
    drop_reason = models.TextField(_("lý do không thực hiện"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người báo cáo")
    )
    reported_at = models.DateTimeField(_("ngày báo cáo"), default=timezone.now)
    # The one-time key of the form that sent it, so that the same form sent twice stores one report.
    submission_key = models.UUIDField(_("mã lần gửi"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["commitment", "-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(drop_reason=""), name="progress_dropped_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.reported_at:%d/%m/%Y})"


class Evidence(models.Model):
    """A file or a link that proves progress. Files are private and served only through the access module."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("nội dung cam kết")
    )
    progress_report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
        verbose_name=_("báo cáo tiến độ"),
    )
    file = models.FileField(_("tệp"), upload_to="evidence/%Y/%m/", blank=True)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True)
    content_type = models.CharField(_("loại tệp"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    link = models.URLField(_("đường dẫn"), max_length=1000, blank=True)
    description = models.CharField(_("mô tả"), max_length=255, blank=True)
    is_public = models.BooleanField(_("được công khai"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người tải lên")
    )
    uploaded_at = models.DateTimeField(_("ngày tải lên"), default=timezone.now)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["commitment", "-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(link="")) | (~Q(file="") & Q(link="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="evidence_is_a_hashed_file_or_a_link",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.original_name or self.link


class Notification(models.Model):
    """An in-portal message; the same event is also sent by email."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("người nhận")
    )
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    link = models.CharField(_("liên kết"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    # Set once the email went out, so that a retried task never sends it twice.
    emailed_at = models.DateTimeField(_("đã gửi thư lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject
