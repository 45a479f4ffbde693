"""The web layer shared by the views of every app: the request a logged-in view receives, the base of the portal's
forms (their plain messages and empty choices), pagination, running a service for a form (its refusal put back on the
form), the page that refuses and says why, and a person's name.
"""

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Model, QuerySet, Window
from django.forms.renderers import BaseRenderer
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.choices import CallableChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_htmx.middleware import HtmxDetails

from programmes.context_processors import vietnamese_name
from programmes.text import input_number

Result = TypeVar("Result")
Row = TypeVar("Row", bound=Model)
Instance = TypeVar("Instance", bound=Model)
# What a paginated list holds: model instances, or the rows of a values() query.
Item = TypeVar("Item")


class AuthenticatedRequest(HttpRequest):
    """What a view behind login_required receives (with django-htmx's details, which its middleware adds)."""

    user: User
    htmx: HtmxDetails


class NumberInput(forms.NumberInput):
    """A number box showing a stored figure without its trailing zeros ("100", not "100.00"); what the person
    typed comes back as typed."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            return input_number(value)
        formatted: str | None = super().format_value(value)
        return formatted


class LongSelect(forms.Select):
    """A single-choice list of hundreds of options (the city's 168 wards), written out in Python. Django renders
    every option through a template: 8 ms for the wards on each public page. The markup is Django's own."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group_name, group, _index in widget["optgroups"]
                for option in group
            ),
        )
        attributes = format_html_join(
            "",
            "{}",
            (
                (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
                for name, value in widget["attrs"].items()
                if value is not False and value is not None
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], attributes, options)


# Django's own words, which a portal form replaces unless its field says something of its own.
GENERIC_REQUIRED = forms.Field.default_error_messages["required"]
GENERIC_EMPTY_CHOICE = "---------"


def label_in_sentence(label: Any) -> str:
    """A field's label inside a sentence: its first letter in lower case, unless the label starts with an acronym
    ("UBND", "HĐND") or a numbering ("I. Ưu điểm"), which keep their capitals."""
    text = str(label or "").strip().rstrip(":")
    first_word = text.split(maxsplit=1)[0].rstrip(".:") if text else ""
    if first_word.isupper() and (len(first_word) > 1 or text[1:2] in (".", ")")):
        return text
    return text[:1].lower() + text[1:]


def _is_choice(field: forms.Field) -> bool:
    """A field the person fills by choosing (a list, buttons, boxes, a date from the picker, a file), not typing."""
    return isinstance(field, forms.ChoiceField | forms.FileField | forms.BooleanField)


def required_message(field: forms.Field) -> str:
    """What to say when a required field is left empty: "Nhập tên chương trình", "Chọn mức xếp loại"."""
    label = label_in_sentence(field.label)
    if label.startswith((str(_("nhập ")), str(_("chọn ")))):  # the label already says what to do
        return label[:1].upper() + label[1:]
    if _is_choice(field):
        return _("Chọn %(label)s") % {"label": label}
    return _("Nhập %(label)s") % {"label": label}


def empty_choice(field: forms.Field) -> str:
    """The empty option of a select, in place of Django's dashes: "Chọn lý do lập chương trình"."""
    return _("Chọn %(label)s") % {"label": label_in_sentence(field.label)}


class PlainWords:
    """The base of every portal form (`PortalForm`, `PortalModelForm`): a required field left empty says what to do
    with that field ("Nhập tên chương trình", "Chọn mức xếp loại") instead of Django's "Trường này là bắt buộc.",
    and a select's empty option says what to choose instead of "---------". A field that sets its own message or
    empty option keeps it. Applied when a field is drawn or validated, so fields a form adds in its own __init__
    (after this class's) are covered too."""

    fields: dict[str, forms.Field]

    def __getitem__(self, name: str) -> Any:
        _speak_plainly(self.fields[name])
        return super().__getitem__(name)  # type: ignore[misc]

    def full_clean(self) -> None:
        for field in self.fields.values():
            _speak_plainly(field)
        super().full_clean()  # type: ignore[misc]


def _speak_plainly(field: forms.Field) -> None:
    if getattr(field, "plain_words", False) or not field.label:
        return
    field.plain_words = True  # type: ignore[attr-defined]
    if field.error_messages.get("required") is GENERIC_REQUIRED:
        field.error_messages["required"] = required_message(field)
    if isinstance(field, forms.ModelChoiceField):
        if str(field.empty_label) == GENERIC_EMPTY_CHOICE:
            field.empty_label = empty_choice(field)
    elif isinstance(field, forms.ChoiceField) and not isinstance(field.widget.choices, CallableChoiceIterator):
        # The widget's options alone: a form may have narrowed them below the field's (validation reads values,
        # never labels).
        options = list(field.widget.choices)
        if any(value == "" and str(label) == GENERIC_EMPTY_CHOICE for value, label in options):
            field.widget.choices = [
                (value, empty_choice(field) if value == "" and str(label) == GENERIC_EMPTY_CHOICE else label)
                for value, label in options
            ]


class PortalForm(PlainWords, forms.Form):
    """A portal form: see PlainWords."""


class PortalModelForm(PlainWords, forms.ModelForm[Instance]):
    """A portal model form: see PlainWords."""


def paginate(
    request: HttpRequest, items: QuerySet[Model, Item] | Sequence[Item], per_page: int, parameter: str = "page"
) -> tuple[Page[Item], list[int | str]]:
    """The page asked for (`?page=`, the last one when past the end) and the page numbers to offer. A page
    with several lists names each list's `parameter` (and passes it to includes/pagination.html)."""
    page = Paginator(items, per_page).get_page(request.GET.get(parameter))
    return page, list(page.paginator.get_elided_page_range(page.number))


def paginate_by_ids(
    request: HttpRequest,
    items: QuerySet[Row],
    per_page: int,
    load: Callable[[list[Any]], QuerySet[Row]],
    parameter: str = "page",
) -> tuple[Page[Row], list[int | str]]:
    """As `paginate`, for a long list whose conditions are costly (an access rule over a whole ward's members): one
    query reads the page's ids in the list's order with the total beside them (a window count, so the conditions run
    once, where a count and a page would run them twice and join every row before sorting), then `load` fetches
    those ids with what the page shows. A page past the end shows the last one, as `paginate` does."""
    number = _page_number(request.GET.get(parameter))
    ids, total = _ids_and_total(items, number, per_page) if number else ([], None)
    if total is None and number == 1:
        total = 0
    elif total is None:  # past the end, or below 1: the last page (one more count, only then)
        total = items.count()
        number = max(1, -(-total // per_page))
        ids, _total = _ids_and_total(items, number, per_page)
    # A range's length costs nothing: the paginator counts pages from the total already read.
    paginator = cast("Paginator[Row]", Paginator(range(total), per_page))
    rows = {row.pk: row for row in load(ids)}
    page = Page([rows[pk] for pk in ids if pk in rows], number, paginator)
    return page, list(paginator.get_elided_page_range(number))


def _page_number(raw: str | None) -> int:
    """The page asked for: 1 when absent or not a whole number, 0 (the last page) when below 1."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return max(number, 0)


def _ids_and_total(items: QuerySet[Row], number: int, per_page: int) -> tuple[list[Any], int | None]:
    """The ids of page `number` in order and the number of rows in the list (None when the page is empty)."""
    start = (number - 1) * per_page
    rows = list(
        items.prefetch_related(None)
        .annotate(list_total=Window(Count("pk")))
        .values_list("pk", "list_total")[start : start + per_page]
    )
    return [pk for pk, _total in rows], (rows[0][1] if rows else None)


def add_service_error(
    form: forms.BaseForm, error: ValidationError | PermissionDenied, field_names: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: at the field it names, else above the form.

    `field_names` maps a name the service uses to the form's name for that field, where they differ.
    """
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = (field_names or {}).get(name, name)
        form.add_error(field if field in form.fields else None, errors)


def call_service(
    form: forms.BaseForm,
    service: Callable[..., Result],
    field_names: Mapping[str, str] | None = None,
    **arguments: Any,
) -> Result | None:
    """Run a service for a valid form; its refusal goes onto the form (nothing was saved) and None comes back."""
    try:
        return service(**arguments)
    except ValidationError as error:
        add_service_error(form, error, field_names)
        return None


def refusal_page(request: HttpRequest, template: str, refusal: str, **context: Any) -> HttpResponse:
    """The page of a step the user may not take, as a 403 that says why (in the access rule's or service's words)."""
    return render(request, template, context | {"refusal": refusal}, status=403)


def person_name(user: User | None) -> str:
    """The cadre's full name when the account has one (already joined, so without a query), else the account's."""
    if user is None:
        return ""
    cadre = getattr(user, "cadre", None)
    return cadre.full_name if cadre is not None else vietnamese_name(user)
