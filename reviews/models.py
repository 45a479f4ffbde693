"""Self-criticism reviews and quality ratings under the Party's rule sets (DOMAIN section 1, 6, 7.2).

A period is opened for an organisation's subtree under one rule set, which it keeps. Opening it
creates one review per member and place. A review then goes: self-review by the member, the cell's
proposal recorded by the secretary, the deciding committee's decision, and the head's confirmation on
concrete grounds; after that an appeal or a later re-classification may change the level, each kept.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Cadre, Commitment, Evidence, PartyOrganisation


class RatingLevel(models.TextChoices):
    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    COMPLETED = "completed", _("Hoàn thành nhiệm vụ")
    NOT_COMPLETED = "not_completed", _("Không hoàn thành nhiệm vụ")


# Best first: comparisons of levels use the index.
LEVEL_ORDER = [RatingLevel.EXCELLENT, RatingLevel.GOOD, RatingLevel.COMPLETED, RatingLevel.NOT_COMPLETED]


class RuleSet(models.Model):
    """The rules a period is reviewed under; shipped as data (migration), never as scattered code paths."""

    code = models.CharField(_("mã"), max_length=16, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    regulation = models.CharField(_("văn bản quy định"), max_length=255)
    uses_points = models.BooleanField(_("chấm điểm"), default=True)
    general_points_max = models.PositiveSmallIntegerField(_("điểm tối đa tiêu chí chung"), default=30)
    task_points_max = models.PositiveSmallIntegerField(_("điểm tối đa kết quả thực hiện nhiệm vụ"), default=70)
    excellent_from = models.PositiveSmallIntegerField(_("xuất sắc từ (điểm)"), default=90)
    good_from = models.PositiveSmallIntegerField(_("tốt từ (điểm)"), default=70)
    completed_from = models.PositiveSmallIntegerField(_("hoàn thành từ (điểm)"), default=50)
    excellent_exceeding_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ nhiệm vụ vượt yêu cầu để xếp xuất sắc (%)"), default=30
    )
    quota_percent = models.PositiveSmallIntegerField(
        _("số xuất sắc tối đa so với số tốt (%)"),
        null=True,
        blank=True,
        help_text=_("Trong mỗi tổ chức cơ sở đảng. Để trống: không giới hạn."),
    )
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("bộ quy tắc đánh giá")
        verbose_name_plural = _("bộ quy tắc đánh giá")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(excellent_from__gt=models.F("good_from")) & Q(good_from__gt=models.F("completed_from")),
                name="rule_set_thresholds_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class PeriodKind(models.TextChoices):
    ANNUAL = "annual", _("Hằng năm")
    QUARTERLY = "quarterly", _("Hằng quý")
    MID_TERM = "mid_term", _("Giữa nhiệm kỳ")
    END_OF_TERM = "end_of_term", _("Cuối nhiệm kỳ")
    AD_HOC = "ad_hoc", _("Đột xuất (nhận nhiệm vụ mới, bầu cử, bổ nhiệm)")


class PeriodState(models.TextChoices):
    OPEN = "open", _("Đang kiểm điểm")
    CLOSED = "closed", _("Đã kết thúc")


class ReviewPeriod(models.Model):
    title = models.CharField(_("tên đợt kiểm điểm"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=PeriodKind.choices, default=PeriodKind.ANNUAL)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="periods", verbose_name=_("quy định"))
    scope = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="review_periods", verbose_name=_("phạm vi")
    )
    covers_from = models.DateField(_("kiểm điểm kết quả từ ngày"))
    covers_to = models.DateField(_("đến ngày"))
    self_review_until = models.DateField(_("hạn nộp bản kiểm điểm"))
    cell_meetings_until = models.DateField(_("hạn họp chi bộ"))
    decisions_until = models.DateField(_("hạn quyết định xếp loại"))
    appeal_days = models.PositiveSmallIntegerField(_("số ngày được kiến nghị sau khi có kết quả"), default=15)
    state = models.CharField(_("trạng thái"), max_length=16, choices=PeriodState.choices, default=PeriodState.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người mở đợt")
    )
    opened_at = models.DateTimeField(_("mở lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đợt kiểm điểm")
        verbose_name_plural = _("đợt kiểm điểm")
        ordering = ["-covers_to", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(covers_to__gte=models.F("covers_from")), name="period_covers_in_order"),
            models.CheckConstraint(
                condition=Q(cell_meetings_until__gte=models.F("self_review_until"))
                & Q(decisions_until__gte=models.F("cell_meetings_until")),
                name="period_windows_in_order",
            ),
            # The exact duplicate (a form sent twice); services.period_open also refuses any overlap of time and
            # scope, which a unique constraint cannot express.
            models.UniqueConstraint(
                fields=["scope", "kind", "covers_from"],
                condition=~Q(kind="ad_hoc"),
                name="period_once_per_scope_kind_and_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewForm(models.TextChoices):
    MEMBER = "2A", _("Mẫu 2A: đảng viên không giữ chức vụ lãnh đạo, quản lý")
    LEADER = "2B", _("Mẫu 2B: cán bộ lãnh đạo, quản lý")
    OUTSIDE = "2C", _("Mẫu 2C: đảng viên không làm việc trong hệ thống chính trị")


class ReviewState(models.TextChoices):
    SELF_DRAFTING = "self_drafting", _("Đang viết bản kiểm điểm")
    SELF_SUBMITTED = "self_submitted", _("Đã nộp bản kiểm điểm")
    CELL_PROPOSED = "cell_proposed", _("Chi bộ đã đề xuất")
    DECIDED = "decided", _("Đã quyết định, chờ người đứng đầu xác nhận")
    FINAL = "final", _("Đã có kết quả")
    APPEALED = "appealed", _("Đang giải quyết kiến nghị")
    NOT_RATED = "not_rated", _("Không đánh giá, xếp loại")


# A review in these states has nothing left to do in its period: once every review is in one, the period may close.
ENDED_REVIEW_STATES = (ReviewState.FINAL, ReviewState.NOT_RATED)


class Review(models.Model):
    """One member's review in one place for one period."""

    period = models.ForeignKey(ReviewPeriod, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("đợt"))
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("đảng viên"))
    place = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="reviews_held",
        verbose_name=_("nơi kiểm điểm"),
        help_text=_("Chi bộ nơi sinh hoạt, hoặc tập thể lãnh đạo mà cán bộ là thành viên."),
    )
    cell = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chi bộ đề xuất"),
        help_text=_("Chi bộ họp và đề xuất mức xếp loại."),
    )
    deciding_organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp quyết định")
    )
    form = models.CharField(_("mẫu bản kiểm điểm"), max_length=2, choices=ReviewForm.choices, default=ReviewForm.MEMBER)
    position_title = models.CharField(_("chức vụ khi kiểm điểm"), max_length=255, blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=ReviewState.choices, default=ReviewState.SELF_DRAFTING
    )
    not_rated_reason = models.CharField(_("lý do không xếp loại"), max_length=255, blank=True)
    return_reason = models.TextField(_("lý do cấp quyết định trả lại chi bộ"), blank=True)
    # Bản kiểm điểm, sections I to VI; VII is the self-proposed level below.
    strengths = models.TextField(_("I. Ưu điểm, kết quả đạt được"), blank=True)
    shortcomings = models.TextField(_("II. Hạn chế, khuyết điểm và nguyên nhân"), blank=True)
    remedies_done = models.TextField(_("III. Kết quả khắc phục hạn chế, khuyết điểm đã được chỉ ra"), blank=True)
    prompt_answers = models.TextField(_("IV. Giải trình những vấn đề được gợi ý kiểm điểm"), blank=True)
    collective_responsibility = models.TextField(
        _("V. Làm rõ trách nhiệm cá nhân đối với hạn chế, khuyết điểm của tập thể"), blank=True
    )
    remedy_plan = models.TextField(_("VI. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm"), blank=True)
    self_general_points = models.PositiveSmallIntegerField(_("tự chấm: tiêu chí chung"), null=True, blank=True)
    self_task_points = models.PositiveSmallIntegerField(_("tự chấm: kết quả thực hiện nhiệm vụ"), null=True, blank=True)
    self_level = models.CharField(
        _("VII. Tự nhận mức xếp loại"), max_length=16, choices=RatingLevel.choices, blank=True
    )
    self_submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    # The level in force once the head confirmed the decision, later changed only by appeal or re-classification;
    # final_at is when the result in force was made (the confirmation, or the latest change), which opens the
    # window for an appeal against it.
    final_level = models.CharField(_("kết quả xếp loại"), max_length=16, choices=RatingLevel.choices, blank=True)
    final_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiểm điểm cá nhân")
        verbose_name_plural = _("kiểm điểm cá nhân")
        ordering = ["period", "place__path", "cadre__name_folded"]
        constraints = [
            models.UniqueConstraint(fields=["period", "cadre", "place"], name="review_once_per_period_and_place"),
            models.CheckConstraint(
                condition=~Q(state="not_rated") | ~Q(not_rated_reason=""), name="review_not_rated_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} – {self.place} – {self.period}"


class Verdict(models.TextChoices):
    EXCEEDED = "exceeded", _("Hoàn thành vượt yêu cầu")
    DONE = "done", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành nhưng chậm")
    PARTLY = "partly", _("Hoàn thành một phần")
    NOT_DONE = "not_done", _("Không hoàn thành")

    @classmethod
    def on_time_values(cls) -> frozenset[str]:
        return frozenset({cls.EXCEEDED, cls.DONE})


class CommitmentAssessment(models.Model):
    """A commitment of the member's programmes judged in a review: by the member, then by the cell."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("kiểm điểm")
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("nội dung cam kết")
    )
    # What the commitment said in the version in force when the review was opened, kept as it was.
    statement = models.TextField(_("nội dung cam kết"))
    target = models.CharField(_("chỉ tiêu"), max_length=255, blank=True)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    is_task = models.BooleanField(_("là nội dung nhiệm vụ"), default=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    self_verdict = models.CharField(_("tự đánh giá"), max_length=16, choices=Verdict.choices, blank=True)
    self_cause = models.TextField(_("nguyên nhân (tự đánh giá)"), blank=True)
    cell_verdict = models.CharField(_("chi bộ đánh giá"), max_length=16, choices=Verdict.choices, blank=True)
    cell_cause = models.TextField(_("nguyên nhân (chi bộ)"), blank=True)

    class Meta:
        verbose_name = _("đánh giá nội dung cam kết")
        verbose_name_plural = _("đánh giá nội dung cam kết")
        ordering = ["review", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "commitment"], name="assessment_once_per_review"),
        ]

    def __str__(self) -> str:
        return self.statement[:80]


class ConsistencyNote(models.Model):
    """A reviewer's written reason for keeping a verdict that contradicts the commitment's recorded progress.

    Written by the cell's secretary when recording the proposal, or by the deciding committee when deciding,
    for the flags of reviews.consistency. It covers the verdict it was written for and the contradictions it
    names; a new contradiction (the deadline passes, say) or another verdict needs a new one.
    """

    class Stage(models.TextChoices):
        CELL = "cell", _("Chi bộ đề xuất")
        COMMITTEE = "committee", _("Cấp ủy quyết định")

    assessment = models.ForeignKey(
        CommitmentAssessment,
        on_delete=models.CASCADE,
        related_name="consistency_notes",
        verbose_name=_("đánh giá nội dung cam kết"),
    )
    stage = models.CharField(_("bước"), max_length=16, choices=Stage.choices)
    verdict = models.CharField(_("kết luận được giữ"), max_length=16, choices=Verdict.choices)
    # The contradictions acknowledged (reviews.consistency.Inconsistency values), comma-separated.
    kinds = models.CharField(_("điểm trái với tiến độ"), max_length=100)
    figures = models.TextField(_("tiến độ ghi nhận lúc xác nhận"))
    reason = models.TextField(_("lý do giữ kết luận"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người xác nhận")
    )
    acknowledged_at = models.DateTimeField(_("xác nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("xác nhận kết luận trái với tiến độ")
        verbose_name_plural = _("xác nhận kết luận trái với tiến độ")
        ordering = ["assessment", "acknowledged_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="consistency_note_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_verdict_display()}"

    @property
    def kind_values(self) -> frozenset[str]:
        return frozenset(self.kinds.split(","))


class ReviewPrompt(models.Model):
    """Gợi ý kiểm điểm: an issue the committee asks the member to answer in section IV."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="prompts", verbose_name=_("kiểm điểm"))
    text = models.TextField(_("nội dung gợi ý"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người gợi ý")
    )
    issued_at = models.DateTimeField(_("ngày gợi ý"), default=timezone.now)

    class Meta:
        verbose_name = _("gợi ý kiểm điểm")
        verbose_name_plural = _("gợi ý kiểm điểm")
        ordering = ["review", "issued_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class InputSource(models.TextChoices):
    RESIDENCE_CELL = "residence_cell", _("Nhận xét của chi ủy, chi bộ nơi cư trú")
    WORKPLACE = "workplace", _("Nhận xét của cơ quan, đơn vị công tác")
    LEADERSHIP = "leadership", _("Ý kiến của tập thể lãnh đạo")
    CITIZEN_FEEDBACK = "citizen_feedback", _("Góp ý của Nhân dân đã được Mặt trận xác minh")


class ReviewInput(models.Model):
    """A comment attached to a review, which the cell reads before its meeting."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="inputs", verbose_name=_("kiểm điểm"))
    source = models.CharField(_("nguồn"), max_length=32, choices=InputSource.choices)
    author = models.CharField(_("nơi, người nhận xét"), max_length=255)
    text = models.TextField(_("nội dung nhận xét"))
    document = models.FileField(_("văn bản kèm theo"), upload_to="review-inputs/%Y/", blank=True)
    document_sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    received_on = models.DateField(_("ngày nhận"), default=timezone.localdate)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ghi")
    )

    class Meta:
        verbose_name = _("ý kiến nhận xét")
        verbose_name_plural = _("ý kiến nhận xét")
        ordering = ["review", "received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.author}"


class CellMeeting(models.Model):
    """The cell's review meeting: when, who attended, and its minutes."""

    period = models.ForeignKey(
        ReviewPeriod, on_delete=models.CASCADE, related_name="cell_meetings", verbose_name=_("đợt")
    )
    cell = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("chi bộ"))
    held_on = models.DateField(_("ngày họp"))
    members_total = models.PositiveSmallIntegerField(_("tổng số đảng viên"))
    members_present = models.PositiveSmallIntegerField(_("số đảng viên dự họp"))
    chaired_by = models.CharField(_("chủ trì"), max_length=255)
    minutes = models.TextField(_("biên bản"), blank=True)
    minutes_file = models.FileField(_("tệp biên bản"), upload_to="minutes/%Y/", blank=True)
    minutes_sha256 = models.CharField(_("mã băm SHA-256 của biên bản"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ghi")
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("cuộc họp kiểm điểm của chi bộ")
        verbose_name_plural = _("cuộc họp kiểm điểm của chi bộ")
        ordering = ["period", "cell", "held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(members_present__lte=models.F("members_total")), name="meeting_present_within_total"
            ),
            models.CheckConstraint(condition=~Q(minutes="") | ~Q(minutes_file=""), name="meeting_has_minutes"),
        ]

    def __str__(self) -> str:
        return f"{self.cell} – {self.held_on:%d/%m/%Y}"

    @property
    def has_quorum(self) -> bool:
        """More than half the members attended (the rule for a valid cell meeting)."""
        return self.members_present * 2 > self.members_total


class CellProposal(models.Model):
    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="proposal", verbose_name=_("kiểm điểm")
    )
    meeting = models.ForeignKey(
        CellMeeting, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("cuộc họp")
    )
    general_points = models.PositiveSmallIntegerField(_("điểm tiêu chí chung"), null=True, blank=True)
    task_points = models.PositiveSmallIntegerField(_("điểm kết quả thực hiện nhiệm vụ"), null=True, blank=True)
    level = models.CharField(_("mức đề xuất"), max_length=16, choices=RatingLevel.choices)
    votes_for = models.PositiveSmallIntegerField(_("tán thành"))
    votes_against = models.PositiveSmallIntegerField(_("không tán thành"))
    votes_abstain = models.PositiveSmallIntegerField(_("không biểu quyết"), default=0)
    comments = models.TextField(_("ý kiến của chi bộ"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ghi")
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đề xuất của chi bộ")
        verbose_name_plural = _("đề xuất của chi bộ")

    def __str__(self) -> str:
        return f"{self.review}: {self.get_level_display()}"


class DecisionState(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Chờ người đứng đầu xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    SUPERSEDED = "superseded", _("Đã được thay thế")


class Decision(models.Model):
    """The deciding committee's rating; it takes effect only once its head confirms it on grounds."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("kiểm điểm"))
    deciding_organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp quyết định")
    )
    general_points = models.PositiveSmallIntegerField(_("điểm tiêu chí chung"), null=True, blank=True)
    task_points = models.PositiveSmallIntegerField(_("điểm kết quả thực hiện nhiệm vụ"), null=True, blank=True)
    level = models.CharField(_("mức xếp loại"), max_length=16, choices=RatingLevel.choices)
    reclassification_reason = models.TextField(_("lý do xếp loại khác đề xuất của chi bộ"), blank=True)
    quota_override = models.TextField(_("giải trình vượt tỷ lệ xuất sắc"), blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=24, choices=DecisionState.choices, default=DecisionState.AWAITING_CONFIRMATION
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người quyết định")
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đứng đầu xác nhận"),
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    grounds = models.TextField(_("căn cứ xác nhận"), blank=True)
    grounds_assessments = models.ManyToManyField(
        CommitmentAssessment, blank=True, related_name="+", verbose_name=_("căn cứ: đánh giá nội dung cam kết")
    )
    grounds_evidence = models.ManyToManyField(
        Evidence, blank=True, related_name="+", verbose_name=_("căn cứ: minh chứng")
    )

    class Meta:
        verbose_name = _("quyết định xếp loại")
        verbose_name_plural = _("quyết định xếp loại")
        ordering = ["review", "decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(state="awaiting_confirmation"),
                name="decision_one_awaiting_per_review",
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed") | (Q(confirmed_by__isnull=False) & ~Q(grounds="")),
                name="decision_confirmed_with_grounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_level_display()}"


class AppealState(models.TextChoices):
    PENDING = "pending", _("Đang xem xét")
    UPHELD = "upheld", _("Giữ nguyên kết quả")
    RECLASSIFIED = "reclassified", _("Xếp loại lại")


class Appeal(models.Model):
    """The member's kiến nghị against one result: the confirmed decision, or a later change of level.

    One appeal per result; it goes to the committee above the body whose result it contests.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("kiểm điểm"))
    contested_change = models.ForeignKey(
        "LevelChange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("kết quả bị kiến nghị"),
        help_text=_("Để trống: kiến nghị về kết quả người đứng đầu đã xác nhận."),
    )
    resolving_organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cấp giải quyết"),
        help_text=_("Cấp ủy cấp trên của cấp đã ra kết quả bị kiến nghị."),
    )
    text = models.TextField(_("nội dung kiến nghị"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người kiến nghị")
    )
    filed_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    state = models.CharField(_("trạng thái"), max_length=16, choices=AppealState.choices, default=AppealState.PENDING)
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    new_level = models.CharField(_("mức xếp loại mới"), max_length=16, choices=RatingLevel.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người giải quyết"),
    )
    resolved_at = models.DateTimeField(_("giải quyết lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiến nghị về kết quả xếp loại")
        verbose_name_plural = _("kiến nghị về kết quả xếp loại")
        ordering = ["review", "filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"], condition=Q(state="pending"), name="appeal_one_pending_per_review"
            ),
            # One appeal per result: the confirmed decision (no change contested), or each change of level.
            models.UniqueConstraint(
                fields=["review"], condition=Q(contested_change__isnull=True), name="appeal_once_against_decision"
            ),
            models.UniqueConstraint(fields=["contested_change"], name="appeal_once_against_level_change"),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_state_display()}"


class LevelChange(models.Model):
    """Every change of a final level after confirmation: by appeal or by the superior committee."""

    class Cause(models.TextChoices):
        APPEAL = "appeal", _("Giải quyết kiến nghị")
        SUPERIOR = "superior", _("Cấp ủy cấp trên xếp loại lại")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="level_changes", verbose_name=_("kiểm điểm")
    )
    cause = models.CharField(_("lý do thay đổi"), max_length=16, choices=Cause.choices)
    # The body whose result this change is: the committee that resolved the appeal, or the superior committee
    # that re-classified. An appeal against the change goes to the committee above it.
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp ủy thay đổi kết quả")
    )
    from_level = models.CharField(_("từ mức"), max_length=16, choices=RatingLevel.choices)
    to_level = models.CharField(_("thành mức"), max_length=16, choices=RatingLevel.choices)
    reason = models.TextField(_("căn cứ, lý do"))
    # A change to Excellent that takes the deciding organisation beyond its quota: the reason written for the
    # change is then its justification, listed with the decisions' ones (reviews.quota.justified).
    beyond_quota = models.BooleanField(_("vượt tỷ lệ xuất sắc"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người thay đổi")
    )
    changed_at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("thay đổi kết quả xếp loại")
        verbose_name_plural = _("thay đổi kết quả xếp loại")
        ordering = ["review", "changed_at"]

    def __str__(self) -> str:
        return f"{self.review}: {self.from_level} → {self.to_level}"


# --- Evaluation reports --------------------------------------------------------------------------------------


class ReportKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Báo cáo kết quả kiểm điểm, đánh giá cá nhân")
    CELL_SUMMARY = "cell_summary", _("Báo cáo tổng hợp của chi bộ")
    ORGANISATION_ROLLUP = "organisation_rollup", _("Báo cáo tổng hợp của tổ chức đảng")
    PROGRAMME = "programme", _("Chương trình hành động")


class Report(models.Model):
    """One stored PDF. A subject (kind + what it is about) has versions; a new one is made only when
    the data behind it changed, and then the previous one is marked superseded."""

    kind = models.CharField(_("loại báo cáo"), max_length=24, choices=ReportKind.choices)
    # What the report is about, as a stable key ("individual:12", "cell_summary:3:45"): the idempotency key.
    subject_key = models.CharField(_("đối tượng"), max_length=100, db_index=True)
    period = models.ForeignKey(
        ReviewPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("đợt")
    )
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="reports", verbose_name=_("tổ chức đảng")
    )
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("kiểm điểm")
    )
    programme = models.ForeignKey(
        "programmes.ActionProgramme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("chương trình"),
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    content_hash = models.CharField(_("mã băm dữ liệu"), max_length=64)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    is_current = models.BooleanField(_("là bản mới nhất"), default=True)
    file = models.FileField(_("tệp PDF"), upload_to="reports/%Y/%m/")
    sha256 = models.CharField(_("mã băm SHA-256 của tệp"), max_length=64, unique=True)
    verification_code = models.CharField(_("mã xác thực"), max_length=16, unique=True)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    generated_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    superseded_at = models.DateTimeField(_("bị thay thế lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["-generated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "content_hash"], name="report_once_per_subject_and_data"),
            models.UniqueConstraint(fields=["subject_key", "version"], name="report_version_unique"),
            models.UniqueConstraint(
                fields=["subject_key"], condition=Q(is_current=True), name="report_one_current_per_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class ReportBatch(models.Model):
    """A request for many reports at once (a subtree, a nightly run); one task per item."""

    title = models.CharField(_("tên lượt tạo"), max_length=255)
    period = models.ForeignKey(
        ReviewPeriod,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_batches",
        verbose_name=_("đợt"),
    )
    scope = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="report_batches", verbose_name=_("phạm vi")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người yêu cầu"),
        help_text=_("Để trống khi do lịch tự động tạo."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt tạo báo cáo")
        verbose_name_plural = _("lượt tạo báo cáo")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ItemState(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Lỗi")


class ReportBatchItem(models.Model):
    batch = models.ForeignKey(ReportBatch, on_delete=models.CASCADE, related_name="items", verbose_name=_("lượt"))
    kind = models.CharField(_("loại báo cáo"), max_length=24, choices=ReportKind.choices)
    # The id of what the report is about: a review, or an organisation (with the batch's period).
    object_id = models.PositiveIntegerField(_("mã đối tượng"))
    state = models.CharField(_("trạng thái"), max_length=16, choices=ItemState.choices, default=ItemState.PENDING)
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("báo cáo")
    )
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("báo cáo trong lượt")
        verbose_name_plural = _("báo cáo trong lượt")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "kind", "object_id"], name="batch_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.batch}: {self.kind} {self.object_id}"
