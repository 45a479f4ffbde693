"""Staff search: the GET forms that filter the staff lists, and the accent-insensitive conditions they make.

Every staff list (programmes, members, a period's reviews, the work list, the feedback queue) filters through one
of these forms: the filters stay in the address, so a page link, the pagination and the spreadsheet export carry
them. What a person types is folded as the project folds names (`programmes.text.fold`), so that "nguyen van nen"
finds "Nguyễn Văn Nên"; the conditions run on the folded copies the models keep (`Cadre.name_folded`,
`ActionProgramme.search_folded`), inside the queryset the access module already scoped.
"""

import functools
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet, Subquery
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from programmes.models import PartyOrganisation
from programmes.text import fold
from programmes.web import LongSelect, PortalForm

# A search of more words than this is cut: each word is one more condition.
MAX_SEARCH_WORDS = 6
# The organisation filter offers this many levels below the highest organisation of the list; any organisation of
# the list's scope is still accepted (a link from another page names a cell of a city-wide list).
OFFERED_LEVELS = 3
MAX_OFFERED = 500
# Parameters that are not filters: the page of the list, each queue's own page.
PAGE_PARAMETERS = frozenset({"page", "trang_quyet_dinh", "trang_xac_nhan", "trang_kien_nghi"})


def search_words(text: str) -> list[str]:
    return fold(text).split()[:MAX_SEARCH_WORDS]


def words_condition(field: str, text: str, *, word_start: bool = False) -> Q:
    """Every word of `text`, folded, inside the folded column `field`; with `word_start`, at the start of a word of
    it (the column keeps a space before each word, as `ActionProgramme.search_folded` does)."""
    condition = Q()
    for word in search_words(text):
        condition &= Q(**{f"{field}__contains": f" {word}" if word_start else word})
    return condition


def filter_parameters(query: Any) -> dict[str, str]:
    """The filters of a request's query (a QueryDict or a dict), without the page numbers and empty values: what an
    export link carries, what a background export stores and what the audit log records."""
    return {
        str(name): str(query.get(name))
        for name in sorted(query)
        if name not in PAGE_PARAMETERS and str(query.get(name) or "").strip()
    }


class OrganisationFilterField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An organisation of the list's scope, for a filter on its subtree. The select offers the first levels below
    the highest one (a ward's staff see their cells, the city's staff the wards); any organisation of `queryset` is
    accepted, looked up by its id alone, so the city's thousands of cells are never written into the page."""

    widget = LongSelect

    def __init__(self, *, queryset: QuerySet[PartyOrganisation], **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Tổ chức đảng"))
        super().__init__(queryset=queryset, required=False, **kwargs)
        self.widget.attrs.setdefault("class", "form-select")
        # Read when the select is drawn (once), not when an export or a list only filters with the form.
        self.widget.choices = CallableChoiceIterator(
            functools.cache(lambda: [("", _("Tất cả")), *offered_choices(queryset)])
        )


def offered_choices(queryset: QuerySet[PartyOrganisation]) -> list[tuple[int, str]]:
    """The organisations a select offers, indented by level under the highest of `queryset` (one query): the first
    OFFERED_LEVELS levels, as many whole levels as fit in MAX_OFFERED options (the city's staff get the wards and
    their committees, not the city's every cell)."""
    highest = Subquery(queryset.order_by("depth").values("depth")[:1])
    rows = list(
        queryset.filter(depth__lt=highest + OFFERED_LEVELS)
        .order_by("depth", "path")
        .only("pk", "name", "depth", "path")[: MAX_OFFERED + 1]
    )
    if len(rows) > MAX_OFFERED:
        # The deepest level did not fit whole: leave it out rather than offer some of its organisations.
        cut = rows[-1].depth
        rows = [organisation for organisation in rows if organisation.depth < cut] or rows[:MAX_OFFERED]
    top = min((organisation.depth for organisation in rows), default=0)
    return [
        (organisation.pk, "— " * (organisation.depth - top) + organisation.name)
        for organisation in sorted(rows, key=lambda organisation: organisation.path)
    ]


class ListFilterForm(PortalForm):
    """The base of the staff lists' filter forms: a free-text search and Bootstrap's classes on every field. Bound to
    request.GET; a list shows everything when the form is empty or invalid (an invalid field says why)."""

    q = forms.CharField(
        label=_("Tìm kiếm"),
        max_length=200,
        required=False,
        help_text=_("Gõ có dấu hoặc không dấu."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def filters(self) -> dict[str, Any]:
        """The cleaned values, empty when the form is unbound or invalid (the list then shows everything)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}

    def checkboxes(self) -> Iterable[str]:
        return [name for name, field in self.fields.items() if isinstance(field.widget, forms.CheckboxInput)]
