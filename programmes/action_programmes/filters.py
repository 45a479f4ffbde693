"""The staff's search of the programmes they may read: by name, post or organisation (accent-insensitive), by
organisation, state and overdue commitments. The list on screen and its spreadsheet filter through the same form."""

import datetime
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from programmes import access
from programmes.access import Action, AnyUser
from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    Membership,
    PartyOrganisation,
    ProgrammeState,
    ProgressStatus,
)
from programmes.search import ListFilterForm, OrganisationFilterField, words_condition


class ProgrammeFilterForm(ListFilterForm):
    field_order = ["q", "to_chuc", "trang_thai", "qua_han"]
    trang_thai = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả")), *ProgrammeState.choices], required=False
    )
    qua_han = forms.BooleanField(label=_("Có cam kết quá hạn"), required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Họ tên, chức vụ hoặc tổ chức; gõ có dấu hoặc không dấu.")
        self.fields["to_chuc"] = OrganisationFilterField(
            queryset=access.organisations_where(user, Action.VIEW_ORGANISATION)
        )
        self.order_fields(self.field_order)


def in_organisation(organisation: PartyOrganisation) -> Q:
    """Programmes whose owner is a member of the organisation's subtree today, or registered there."""
    members = Membership.objects.filter(cell__path__startswith=organisation.path, end_date__isnull=True)
    return Q(owner__in=members.values("cadre_id")) | Q(organisation__path__startswith=organisation.path)


def overdue_condition(today: datetime.date) -> Exists:
    """A commitment of the version in force past its deadline and not finished. Only commitments that reach as far
    as their programme count: one the owner capped below some readers must not show through a filter they use."""
    return Exists(
        CommitmentTerms.objects.filter(
            Q(commitment__publicity_cap__isnull=True) | Q(commitment__publicity_cap__gte=OuterRef("publicity_level")),
            version=OuterRef("current_version"),
            deadline__lt=today,
        ).exclude(commitment__status__in=ProgressStatus.finished_values())
    )


def filter_programmes(
    programmes: QuerySet[ActionProgramme], filters: dict[str, Any], today: datetime.date
) -> QuerySet[ActionProgramme]:
    """`programmes` (already scoped to the reader) narrowed by a ProgrammeFilterForm's filters."""
    if filters.get("q"):
        programmes = programmes.filter(words_condition("search_folded", filters["q"], word_start=True))
    if filters.get("to_chuc"):
        programmes = programmes.filter(in_organisation(filters["to_chuc"]))
    if filters.get("trang_thai"):
        programmes = programmes.filter(state=filters["trang_thai"])
    if filters.get("qua_han"):
        programmes = programmes.filter(overdue_condition(today))
    return programmes
