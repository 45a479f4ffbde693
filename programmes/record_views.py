"""Who did and who read what: a person's "Ai đã xem hồ sơ của tôi", and the audit page that staff holding
VIEW_AUDIT_LOG read over their subtree (changes from the audit log, reads from the read events), with a CSV copy."""

import csv
import datetime
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import access
from programmes.access import Action, AnyUser
from programmes.audit import action_label, actions_matching
from programmes.models import AuditEvent, Cadre, ReadEvent
from programmes.spreadsheets import Echo, safe_row
from programmes.web import AuthenticatedRequest, PortalForm, paginate

READS_PER_PAGE = 50
EVENTS_PER_PAGE = 50

# The audit page lists one kind of event at a time: the changes, or the reads.
LoggedEvents = QuerySet[AuditEvent] | QuerySet[ReadEvent]


def _with_reader_names(events: QuerySet[ReadEvent]) -> QuerySet[ReadEvent]:
    """Each reader by the name the portal shows for them: their cadre's name, else their account name."""
    return events.annotate(reader_name=F("reader__cadre__full_name"))


@login_required
def my_readers(request: AuthenticatedRequest) -> HttpResponse:
    cadre = Cadre.objects.filter(user=request.user).only("pk", "full_name").first()
    page = numbers = None
    if cadre is not None:
        events = _with_reader_names(ReadEvent.objects.filter(subject=cadre)).only(
            "at", "kind", "reader_repr", "object_repr"
        )
        page, numbers = paginate(request, events, READS_PER_PAGE)
    return render(request, "programmes/my_readers.html", {"cadre": cadre, "page": page, "page_numbers": numbers})


# --- The audit page -----------------------------------------------------------------------------------------------

CHANGES, READS = "thao-tac", "luot-xem"


class AuditFilterForm(PortalForm):
    """The filters of the audit page; every field may stay empty."""

    loai = forms.ChoiceField(
        label=gettext_lazy("Xem"),
        choices=[(CHANGES, gettext_lazy("Thao tác (thay đổi)")), (READS, gettext_lazy("Lượt xem dữ liệu cá nhân"))],
        required=False,
    )
    nguoi = forms.CharField(label=gettext_lazy("Người thực hiện"), max_length=150, required=False)
    doi_tuong = forms.CharField(label=gettext_lazy("Đối tượng"), max_length=150, required=False)
    hanh_dong = forms.CharField(
        label=gettext_lazy("Hành động"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("Ví dụ: admin.change, programme.confirm; với lượt xem: cadre_record, report."),
    )
    tu_ngay = forms.DateField(
        label=gettext_lazy("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    den_ngay = forms.DateField(
        label=gettext_lazy("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", _("“Đến ngày” phải sau hoặc bằng “Từ ngày”."))
        return data


def _day_bounds(day: datetime.date, *, end: bool) -> datetime.datetime:
    moment = datetime.datetime.combine(day + datetime.timedelta(days=1) if end else day, datetime.time.min)
    return timezone.make_aware(moment)


def _filtered(user: AnyUser, data: dict[str, Any]) -> tuple[str, LoggedEvents]:
    """The events of the chosen kind inside the user's scope, narrowed by the filters."""
    scope = access.paths_where(user, Action.VIEW_AUDIT_LOG)
    if scope is None:
        raise PermissionDenied
    kind = data.get("loai") or CHANGES
    person, subject, action = data.get("nguoi"), data.get("doi_tuong"), data.get("hanh_dong")
    events: LoggedEvents
    if kind == READS:
        events = ReadEvent.objects.filter(scope).select_related("subject")
        person_field = "reader_repr"
        if action:
            events = events.filter(kind__icontains=action)
    else:
        events = AuditEvent.objects.filter(scope)
        person_field = "actor_repr"
        if action:
            # People type what the log shows them (the label, in their language); a code typed in full works too.
            events = events.filter(action__in=actions_matching(action))
    if person:
        events = events.filter(**{f"{person_field}__icontains": person})
    if subject:
        events = events.filter(object_repr__icontains=subject)
    if data.get("tu_ngay"):
        events = events.filter(at__gte=_day_bounds(data["tu_ngay"], end=False))
    if data.get("den_ngay"):
        events = events.filter(at__lt=_day_bounds(data["den_ngay"], end=True))
    return kind, events


def _form_and_events(request: HttpRequest) -> tuple[AuditFilterForm, str, LoggedEvents]:
    if not access.can_anywhere(request.user, Action.VIEW_AUDIT_LOG):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    kind, events = _filtered(request.user, data)
    return form, kind, events


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form, kind, events = _form_and_events(request)
    page, numbers = paginate(request, events, EVENTS_PER_PAGE)
    context = {"form": form, "kind": kind, "reads": kind == READS, "page": page, "page_numbers": numbers}
    return render(request, "programmes/audit_log.html", context)


def _read_row(event: ReadEvent) -> list[str]:
    subject = str(event.subject) if event.subject_id else ""
    at = timezone.localtime(event.at).isoformat()
    return [at, event.reader_repr, event.get_kind_display(), event.object_repr, subject, event.ip_address or ""]


def _change_row(event: AuditEvent) -> list[str]:
    at = timezone.localtime(event.at).isoformat()
    return [at, event.actor_repr, action_label(event.action), event.object_repr, event.ip_address or "", event.action]


def _csv_rows(kind: str, events: LoggedEvents) -> Iterator[list[str]]:
    if kind == READS:
        yield [_("Thời điểm"), _("Người xem"), _("Nội dung"), _("Đối tượng"), _("Người được xem"), _("Địa chỉ IP")]
    else:
        yield [_("Thời điểm"), _("Người thực hiện"), _("Hành động"), _("Đối tượng"), _("Địa chỉ IP"), _("Mã hành động")]
    for event in events.iterator(chunk_size=2000):
        yield _read_row(event) if isinstance(event, ReadEvent) else _change_row(event)


@login_required
def audit_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    _form, kind, events = _form_and_events(request)
    writer = csv.writer(Echo())
    rows = (writer.writerow(safe_row(str(cell) for cell in row)) for row in _csv_rows(kind, events))
    response = StreamingHttpResponse(_with_bom(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{kind}-{timezone.localdate():%Y%m%d}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def _with_bom(rows: Iterator[str]) -> Iterator[str]:
    # Excel reads UTF-8 only when the file starts with a byte-order mark.
    yield "\ufeff"
    yield from rows
