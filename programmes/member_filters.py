"""The staff's search of an organisation's roster: by name (accent-insensitive), cell, member type and status. The
roster on the organisation's page and its spreadsheet filter through the same form."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from programmes.models import Membership, MembershipStatus, MemberType, PartyOrganisation
from programmes.search import ListFilterForm, OrganisationFilterField, words_condition


class MemberFilterForm(ListFilterForm):
    field_order = ["q", "chi_bo", "loai", "tinh_trang"]
    loai = forms.ChoiceField(
        label=_("Loại đảng viên"), choices=[("", _("Tất cả")), *MemberType.choices], required=False
    )
    tinh_trang = forms.ChoiceField(
        label=_("Tình trạng sinh hoạt"), choices=[("", _("Tất cả")), *MembershipStatus.choices], required=False
    )

    def __init__(self, *args: Any, organisation: PartyOrganisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Họ và tên; gõ có dấu hoặc không dấu.")
        # A cell has no organisation below it to filter by (treebeard counts the children on the row).
        if organisation.numchild:
            below = PartyOrganisation.objects.filter(path__startswith=organisation.path, depth__gt=organisation.depth)
            self.fields["chi_bo"] = OrganisationFilterField(queryset=below, label=_("Chi bộ, đảng bộ trực thuộc"))
        self.order_fields(self.field_order)


def filter_members(memberships: QuerySet[Membership], filters: dict[str, Any]) -> QuerySet[Membership]:
    """Current memberships (members_of) narrowed by a MemberFilterForm's filters."""
    if filters.get("q"):
        memberships = memberships.filter(words_condition("cadre__name_folded", filters["q"]))
    if filters.get("chi_bo"):
        memberships = memberships.filter(cell__path__startswith=filters["chi_bo"].path)
    if filters.get("loai"):
        memberships = memberships.filter(member_type=filters["loai"])
    if filters.get("tinh_trang"):
        memberships = memberships.filter(status=filters["tinh_trang"])
    return memberships
