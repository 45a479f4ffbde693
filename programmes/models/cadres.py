"""Cadres, their cell membership, the posts they hold and the roles of accounts that are not cadres."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programmes.text import fold, normalise

from .organisations import PartyOrganisation


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Cadre(models.Model):
    """What the portal may show about a person. Sensitive details live in CadrePrivateDetails."""

    code = models.CharField(_("mã đảng viên"), max_length=32, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=255)
    # Accent-free lower-case copy of the name, kept for searching.
    name_folded = models.CharField(max_length=255, editable=False, db_index=True, default="")
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
        verbose_name=_("tài khoản"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cán bộ, đảng viên")
        verbose_name_plural = _("cán bộ, đảng viên")
        ordering = ["name_folded", "code"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.full_name = normalise(self.full_name)
        self.name_folded = fold(self.full_name)
        renaming = self.pk is not None and not kwargs.get("force_insert")
        update_fields = kwargs.get("update_fields")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if renaming and (update_fields is None or "full_name" in update_fields):  # type: ignore[operator]
            # The programmes keep a copy of the name for the public list and search.
            self.programmes.model.refresh_owner_names([self.pk])

    @property
    def current_membership(self) -> "Membership | None":
        return self.memberships.filter(end_date__isnull=True).select_related("cell").first()


class CadrePrivateDetails(models.Model):
    """Personal data kept apart so that no public selector can reach it by accident."""

    cadre = models.OneToOneField(
        Cadre, on_delete=models.CASCADE, primary_key=True, related_name="private", verbose_name=_("cán bộ")
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    citizen_id = models.CharField(_("số CCCD"), max_length=12, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thông tin cá nhân")
        verbose_name_plural = _("thông tin cá nhân")
        constraints = [
            models.CheckConstraint(
                condition=Q(citizen_id="") | Q(citizen_id__regex=r"^[0-9]{12}$"),
                name="private_details_citizen_id_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return str(self.cadre)


class MemberType(models.TextChoices):
    OFFICIAL = "official", _("Đảng viên chính thức")
    PROBATIONARY = "probationary", _("Đảng viên dự bị")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Đang sinh hoạt")
    EXEMPT = "exempt", _("Miễn công tác và sinh hoạt đảng")
    SUSPENDED = "suspended", _("Đình chỉ sinh hoạt")
    TRANSFERRED = "transferred", _("Đã chuyển sinh hoạt")


class ResidenceExemption(models.TextChoices):
    """Why a working member is not asked for the residence cell's annual comment (Hướng dẫn 33-HD/BTCTW): the
    comment is then taken only when needed (cadre procedures, awards, discipline)."""

    BARRACKS = "barracks", _("Quân đội, công an ở tập trung trong doanh trại")
    STUDYING_AWAY = "studying_away", _("Đi học tập trung xa nơi cư trú")
    OTHER = "other", _("Lý do khác")


class Membership(models.Model):
    """Membership of a cell. A cadre has exactly one current membership (no end date)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cán bộ"))
    cell = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("chi bộ")
    )
    member_type = models.CharField(
        _("loại đảng viên"), max_length=16, choices=MemberType.choices, default=MemberType.OFFICIAL
    )
    status = models.CharField(
        _("tình trạng sinh hoạt"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_party_on = models.DateField(_("ngày vào Đảng"), null=True, blank=True)
    official_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    start_date = models.DateField(_("sinh hoạt từ ngày"), default=timezone.localdate)
    end_date = models.DateField(_("sinh hoạt đến ngày"), null=True, blank=True)
    # Quy định 213-QĐ/TW: a member working in an agency keeps in touch with the cell where they live, which comments
    # on them once a year. That cell is often in another ward, outside the workplace cell's subtree.
    residence_cell = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("chi bộ nơi cư trú"),
        help_text=_("Chi bộ nơi đảng viên cư trú, nhận xét đảng viên hằng năm (Quy định 213-QĐ/TW)."),
    )
    residence_exemption = models.CharField(
        _("miễn lấy nhận xét nơi cư trú"), max_length=16, choices=ResidenceExemption.choices, blank=True
    )
    residence_exemption_reason = models.CharField(_("lý do miễn (ghi rõ)"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sinh hoạt đảng")
        verbose_name_plural = _("sinh hoạt đảng")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"], condition=Q(end_date__isnull=True), name="membership_one_current_cell_per_cadre"
            ),
            models.CheckConstraint(
                condition=~Q(status="transferred") | Q(end_date__isnull=False),
                name="membership_transferred_has_end_date",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(residence_exemption="other") | ~Q(residence_exemption_reason=""),
                name="membership_other_residence_exemption_has_reason",
            ),
        ]
        indexes = [
            # The current members of a set of cells: rosters, and who reads whose programme and review.
            models.Index(fields=["cell"], condition=Q(end_date__isnull=True), name="membership_current_by_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} – {self.cell}"


class PostKind(models.TextChoices):
    PARTY = "party", _("Chức vụ Đảng")
    GOVERNMENT = "government", _("Chức vụ chính quyền, đoàn thể")


class PartyPost(models.TextChoices):
    SECRETARY = "secretary", _("Bí thư")
    DEPUTY_SECRETARY = "deputy_secretary", _("Phó Bí thư")
    STANDING_MEMBER = "standing_member", _("Ủy viên Ban Thường vụ")
    COMMITTEE_MEMBER = "committee_member", _("Cấp ủy viên")


class PositionQuerySet(models.QuerySet["Position"]):
    def current(self, day: datetime.date | None = None) -> "PositionQuerySet":
        day = day or timezone.localdate()
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))


class Position(models.Model):
    """A post held for a time: a party post in an organisation, or a government post."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="positions", verbose_name=_("cán bộ"))
    post_kind = models.CharField(_("loại chức vụ"), max_length=16, choices=PostKind.choices, default=PostKind.PARTY)
    party_post = models.CharField(_("chức vụ Đảng"), max_length=32, choices=PartyPost.choices, blank=True)
    title = models.CharField(
        _("chức danh"), max_length=255, blank=True, help_text=_("Ví dụ: Chủ tịch UBND phường Bến Thành.")
    )
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        verbose_name=_("tổ chức đảng"),
    )
    agency_name = models.CharField(_("cơ quan, đơn vị"), max_length=255, blank=True)
    is_head = models.BooleanField(_("người đứng đầu cơ quan, đơn vị"), default=False)
    # Citizen feedback on an elected deputy goes to the People's Council standing body, not the Front.
    council_deputy = models.BooleanField(_("đại biểu Hội đồng nhân dân"), default=False)
    start_date = models.DateField(_("từ ngày"), default=timezone.localdate)
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = PositionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")
        constraints = [
            models.CheckConstraint(
                condition=Q(post_kind="government") | (Q(organisation__isnull=False) & ~Q(party_post="")),
                name="position_party_post_has_organisation_and_post",
            ),
            models.CheckConstraint(
                condition=Q(post_kind="party") | ~Q(title=""),
                name="position_government_post_has_title",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="position_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} – {self.display_title}"

    @property
    def display_title(self) -> str:
        if self.post_kind == PostKind.PARTY:
            return f"{self.get_party_post_display()} {self.organisation}"
        return self.title


class Role(models.TextChoices):
    """Roles granted to accounts, for staff and for overseers who are not cadres."""

    ORG_BOARD_STAFF = "org_board_staff", _("Cán bộ Ban Tổ chức")
    FRONT_OVERSEER = "front_overseer", _("Mặt trận Tổ quốc")
    COUNCIL_OVERSEER = "council_overseer", _("Thường trực HĐND")


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("tài khoản")
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("phạm vi (tổ chức, địa bàn)"),
    )
    start_date = models.DateField(_("từ ngày"), default=timezone.localdate)
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(end_date__isnull=True),
                name="role_assignment_unique_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
