"""One member's review: the self-review, the commitments judged in it, and the prompts and comments it receives."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Cadre, Commitment, PartyOrganisation

from .periods import ReviewPeriod
from .rules import RatingLevel, Verdict


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
        indexes = [
            # A committee's queue: the reviews in one state whose deciding body lies in its subtree.
            models.Index(fields=["deciding_organisation", "state"], name="review_deciding_state"),
            # A period's list, one cell at a time.
            models.Index(fields=["period", "cell"], name="review_period_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} – {self.place} – {self.period}"


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
    # The commitment's number in its programme ("II.2": section and place), as the programme's pages, its print
    # and the citizens' feedback show it (programmes.action_programmes.numbering), kept from when the review opened.
    programme_number = models.CharField(_("số thứ tự trong chương trình"), max_length=16, blank=True)
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

    @property
    def number(self) -> str:
        """How pages and print name the commitment: its number in the programme, or (for a review opened before
        the programmes were numbered by section) its place in the review."""
        return self.programme_number or str(self.position)


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
