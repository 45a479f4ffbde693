"""The party organisation tree: one generic tree with kinds, validity dates and successions."""

import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node


class OrganisationKind(models.TextChoices):
    CITY_COMMITTEE = "city_committee", _("Đảng bộ tỉnh, thành phố")
    COMMUNE_COMMITTEE = "commune_committee", _("Đảng bộ xã, phường, đặc khu")
    FUNCTIONAL_COMMITTEE = "functional_committee", _("Đảng bộ cấp trên cơ sở (khối, ngành)")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    SECTION_COMMITTEE = "section_committee", _("Đảng bộ bộ phận")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    SUBORDINATE_CELL = "subordinate_cell", _("Chi bộ trực thuộc")
    PARTY_GROUP = "party_group", _("Tổ đảng")


# Members are attached to a cell; a grassroots cell is at once a cell and a grassroots organisation.
CELL_KINDS = frozenset({OrganisationKind.GRASSROOTS_CELL, OrganisationKind.SUBORDINATE_CELL})
GRASSROOTS_KINDS = frozenset({OrganisationKind.GRASSROOTS_COMMITTEE, OrganisationKind.GRASSROOTS_CELL})


if TYPE_CHECKING:

    class OrganisationTreeManager(models.Manager["PartyOrganisation"]):
        """What the portal uses of treebeard's tree manager, typed here since treebeard ships no type hints."""

        def add_root(
            self, create_kwargs: dict[str, Any] | None = None, *, instance: "PartyOrganisation | None" = None
        ) -> "PartyOrganisation": ...
        def add_child(
            self,
            target: "PartyOrganisation",
            create_kwargs: dict[str, Any] | None = None,
            *,
            instance: "PartyOrganisation | None" = None,
        ) -> "PartyOrganisation": ...
        def move(self, node: "PartyOrganisation", target: "PartyOrganisation", pos: str | None = None) -> None: ...
        def get_parent(self, node: "PartyOrganisation", update: bool = False) -> "PartyOrganisation | None": ...
        def get_ancestors(self, node: "PartyOrganisation") -> models.QuerySet["PartyOrganisation"]: ...
        def find_problems(self) -> tuple[list[int], list[int], list[int], list[int], list[int]]: ...


# MP_Node is Any to the type checker (treebeard ships no type hints), so the class declares what it takes from it.
def in_force_on(day: datetime.date) -> Q:
    """The organisations in force on `day` (the queryset form of `PartyOrganisation.is_active_on`)."""
    started = Q(valid_from__isnull=True) | Q(valid_from__lte=day)
    return started & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class PartyOrganisation(MP_Node):  # type: ignore[misc]
    """A node of the tree. Materialised paths make a subtree one indexed prefix query at any depth."""

    if TYPE_CHECKING:
        # The tree's columns, its path step and its manager, declared by MP_Node.
        path: str
        depth: int
        numchild: int
        steplen: ClassVar[int]
        objects: ClassVar[OrganisationTreeManager]

    code = models.CharField(_("mã tổ chức"), max_length=32, unique=True)
    name = models.CharField(_("tên tổ chức"), max_length=255)
    kind = models.CharField(_("loại tổ chức"), max_length=32, choices=OrganisationKind.choices)
    admin_area_code = models.CharField(
        _("mã đơn vị hành chính"), max_length=10, blank=True, help_text=_("Mã xã, phường, đặc khu nếu có.")
    )
    valid_from = models.DateField(_("hiệu lực từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        through="OrganisationSuccession",
        # The accessor starts from the successor: `organisation.predecessors` are the units it was formed from.
        through_fields=("successor", "predecessor"),
        symmetrical=False,
        related_name="successors",
        verbose_name=_("tổ chức tiền thân"),
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="organisation_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    def is_active_on(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        started = self.valid_from is None or self.valid_from <= day
        not_ended = self.valid_to is None or self.valid_to >= day
        return started and not_ended

    def contains(self, other: "PartyOrganisation") -> bool:
        """True when `other` is this organisation or lies in its subtree (no query)."""
        return other.path.startswith(self.path)

    def grassroots_organisation(self) -> "PartyOrganisation | None":
        """The grassroots organisation (TCCSĐ) this node belongs to, itself included."""
        if self.is_grassroots:
            return self
        return (
            PartyOrganisation.objects.get_ancestors(self).filter(kind__in=GRASSROOTS_KINDS).order_by("-depth").first()
        )


class SuccessionShare(models.TextChoices):
    FULL = "full", _("Toàn bộ")
    PARTIAL = "partial", _("Một phần")


class OrganisationSuccession(models.Model):
    """One organisation formed, wholly or partly, from another when the structure changed."""

    predecessor = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="succession_as_predecessor"
    )
    successor = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="succession_as_successor")
    share = models.CharField(
        _("phần kế thừa"), max_length=10, choices=SuccessionShare.choices, default=SuccessionShare.FULL
    )
    effective_on = models.DateField(_("ngày hiệu lực"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quan hệ kế thừa")
        verbose_name_plural = _("quan hệ kế thừa")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
