"""Action programmes and their versions, and who confirms them.

A programme has versions. Version 1 is the registration; a later version is either an amendment of the
confirmed programme, with a reason, or the correction of a version the confirmer returned. A version is
edited only while it is a draft. Sending it to the confirmer freezes it: the confirmer confirms it, and
it stays in force until an amendment is confirmed in its place, or returns it, and it stays as it was
sent, with the reasons, while the owner corrects the next version. What a version commits to is in
programmes.models.commitments; the progress reported on it in programmes.models.progress.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.text import fold, search_text

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


class ClosingReason(models.TextChoices):
    """Why a confirmed programme was closed (programmes.action_programmes.services.closing)."""

    TERM_ENDED = "term_ended", _("Hết thời hạn thực hiện")
    LEFT_POST = "left_post", _("Thôi giữ chức vụ")
    OTHER = "other", _("Lý do khác")


EDITABLE_VERSION_STATES = frozenset({VersionState.DRAFT})
PENDING_VERSION_STATES = frozenset({VersionState.DRAFT, VersionState.SUBMITTED})


class PublicityLevel(models.IntegerChoices):
    """Who may read a programme, in order; each level includes the ones below it."""

    PRIVATE = 0, _("Riêng tư (bản nháp)")
    CELL = 1, _("Nội bộ chi bộ")
    COMMITTEE = 2, _("Nội bộ cấp ủy")
    OVERSIGHT = 3, _("Mặt trận và HĐND")
    PUBLIC = 4, _("Công khai nhân dân")


# The programme states in which a published programme is shown: in force, or finished (its record stays).
PUBLISHED_STATES = frozenset({ProgrammeState.CONFIRMED, ProgrammeState.CLOSED})
# The public rule (`publication.is_public`) as a condition on the programme's own columns. The database keeps
# `ActionProgramme.is_public` from it, so that every service that changes one of these columns changes the flag
# in the same statement, and PostgreSQL can index and count the published programmes.
PUBLIC_RULE = Q(
    publicity_level__gte=PublicityLevel.PUBLIC,
    publicity_max__gte=PublicityLevel.PUBLIC,
    publication_consent_at__isnull=False,
    current_version__isnull=False,
    state__in=sorted(PUBLISHED_STATES),
)


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
    # Kept by the database from the columns above (PUBLIC_RULE): never written by the portal.
    is_public = models.GeneratedField(
        expression=PUBLIC_RULE,  # type: ignore[arg-type]  # a Q is a boolean expression here (Django 5)
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("được công khai"),
    )
    # Copies for the public list and search, kept by save() and by `Cadre.save` when the owner's name changes: the
    # owner's folded name (the list's order, without a join) and the folded name, position and organisation.
    # The end of term (services.closing): when and why it was closed, and the confirmer's evaluation of the results.
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    closed_reason = models.CharField(_("lý do kết thúc"), max_length=16, choices=ClosingReason.choices, blank=True)
    closed_note = models.TextField(_("ghi chú lý do kết thúc"), blank=True)
    final_conclusion = models.TextField(_("kết luận cuối nhiệm kỳ"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đánh giá cuối nhiệm kỳ"),
    )
    evaluated_at = models.DateTimeField(_("đánh giá lúc"), null=True, blank=True)
    owner_name_folded = models.CharField(max_length=255, editable=False, default="")
    search_folded = models.TextField(editable=False, default="")
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
        indexes = [
            models.Index(fields=["owner", "state"], name="programme_owner_state"),
            # The public list in its order, and the published programmes of an organisation (areas, filters).
            models.Index(
                fields=["owner_name_folded", "-term_start", "id"],
                condition=Q(is_public=True),
                name="programme_public_by_name",
            ),
            models.Index(fields=["organisation"], condition=Q(is_public=True), name="programme_public_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.title} – {self.owner}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the search copies: on creation, and whenever the titles they are made of are saved."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"position_title", "organisation_name"} & set(update_fields):
            if not self.owner_name_folded:
                self.owner_name_folded = self.owner.name_folded or fold(self.owner.full_name)
            self.search_folded = search_text(self.owner_name_folded, self.position_title, self.organisation_name)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "owner_name_folded", "search_folded"}
        super().save(*args, **kwargs)

    @classmethod
    def refresh_owner_names(cls, cadre_ids: Iterable[int]) -> int:
        """Copy the owners' folded names into the search copies of their programmes where they differ (after a
        change of name, by `Cadre.save` or a roster import); one query when nothing changed."""
        stale = list(
            cls.objects.filter(owner_id__in=list(cadre_ids))
            .exclude(owner_name_folded=models.F("owner__name_folded"))
            .select_related("owner")
            .only("owner__name_folded", "position_title", "organisation_name")
        )
        for programme in stale:
            programme.owner_name_folded = programme.owner.name_folded
            programme.search_folded = search_text(
                programme.owner_name_folded, programme.position_title, programme.organisation_name
            )
        cls.objects.bulk_update(stale, ["owner_name_folded", "search_folded"], batch_size=500)
        return len(stale)


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
        indexes = [
            # The public feed reads the newest confirmations first.
            models.Index(
                fields=["-confirmed_at", "-id"],
                condition=Q(confirmed_at__isnull=False),
                name="version_newest_confirmed",
            ),
            # The confirmation queue and who may read a programme: versions waiting for a body's secretary.
            models.Index(
                fields=["confirming_organisation"], condition=Q(state="submitted"), name="version_waiting_by_body"
            ),
        ]
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
